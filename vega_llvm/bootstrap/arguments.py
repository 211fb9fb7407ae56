"""Code one ``&``, ``*`` or ``->`` away from what it uses, read off GCC's errors and notes, and fixed in place.

Functions of a scratch set are written apart (each from its own template member or donor), and the commonest way
two of them disagree is by one indirection: XCore's ``customEmitInstruction`` (Lanai's way) constructs
``XCoreMCInstLower MCInstLowering(OutContext, *this)`` where the set's constructor (ARC's way, and the member
``MCContext *Ctx`` that XCore's own header declares) takes an ``MCContext *``. GCC says exactly that::

    XCoreAsmPrinter.cpp:271:58: error: no matching function for call to 'XCoreMCInstLower::XCoreMCInstLower(MCContext&, XCoreAsmPrinter&)'
    XCoreMCInstLower.h:77:3: note: candidate: 'XCoreMCInstLower::XCoreMCInstLower(MCContext*, AsmPrinter&)'
    XCoreMCInstLower.h:77:32: note:   no known conversion for argument 1 from 'MCContext' to 'MCContext*'

and the repair is the one a person makes: ``&OutContext``. Before this the loop charged the line's statement and
``remove_statements`` took it out with every use of ``MCInstLowering``, leaving an empty ``MCInst`` to print: every
instruction of every XCore test came out as an empty line.

The error shapes that name both sides:

* an overload set that does not match: a note per candidate (its parameter types, and the first argument that does
  not convert); every argument one indirection from the candidate's parameter is fixed at once, where the
  candidates that fail on such an argument agree. The column is the call's parenthesis (``(`` of a call, ``)`` of
  a declaration ``T x(...)``).
* a single function whose argument does not convert (``invalid conversion``, ``cannot convert``, ``invalid
  initialization of reference``, with ``initializing argument N``); the column is the argument. A ``return`` whose
  value is one indirection from the function's type (``cannot convert 'const XCoreSubtarget' to 'const
  XCoreSubtarget*' in return``) likewise.
* a member reached through the wrong operator: ``request for member 'getOrCreateSymbol' in 'Ctx', which is of
  pointer type`` (Lanai's ``Ctx.getOrCreateSymbol`` for XCore's ``MCContext *Ctx``): ``->``; ``base operand of
  '->' has non-pointer type``: ``.``.

A call that leaves out arguments of a function or constructor of ours (the donor's ``createLoongArchISelDag(TM)``
where RISC-V declares ``(TM, OptLevel)``; ``std::make_unique<RISCVSubtarget>`` with six of the eight parameters of
RISC-V's declared constructor, the error inside ``unique_ptr.h`` and the call on the "required from here" line of
ours) is given them (``missing_parameters`` lines the given arguments up with the parameters by type;
``argument_value`` says what each missing one gets). Removing the statement, as the ladder did, left RISC-V's
``getSubtargetImpl`` returning null and its pass config adding no instruction selector.

Only a difference of one indirection between the same class (or a class whose name ends with the parameter's
class, the ``<T>AsmPrinter`` deriving ``AsmPrinter`` of every target) is fixed; anything else is left to the rest
of the ladder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..emit.functions import split_top
from ..generate.operands import call_arguments

_LOC = r"^(?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+): "
_NO_MATCH = re.compile(_LOC + r"error: no matching function for call to [‘'](?P<call>.*)[’']")
_CONVERT = re.compile(_LOC + r"error: (?:invalid conversion|cannot convert) (?:from )?[‘'](?P<a>[^’']*)[’'] to "
                      r"[‘'](?P<b>[^’']*)[’'](?P<ret> in return)?")
_REFERENCE = re.compile(_LOC + r"error: invalid initialization of (?:non-const )?reference of type [‘'](?P<b>[^’']*)[’'] "
                        r"from (?:an rvalue|expression) of type [‘'](?P<a>[^’']*)[’']")
_NO_CONVERSION = re.compile(r": note: +no known conversion for argument (?P<n>\d+) from [‘'](?P<a>[^’']*)[’'] to [‘'](?P<b>[^’']*)[’']")
_ARGUMENT = re.compile(r": note: +(?:initializing|in passing) argument (?P<n>\d+) of ")
_CANDIDATE_SIG = re.compile(r": note: +candidate(?: \d+)?: [‘'](?P<sig>.*)[’']")
_EXPECTS = re.compile(r": note: +candidate expects (?P<n>\d+) arguments?, (?P<k>\d+) provided")
_TOO_FEW = re.compile(_LOC + r"error: too few arguments to function [‘'](?P<sig>.*)[’']")
_REQUIRED_HERE = re.compile(_LOC + r" +required from here")
_NOTE_AT = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+):(?:\d+:)? note: ")
_MEMBER = re.compile(_LOC + r"error: (?:request for member [‘'][^’']*[’'] in .*which is of pointer type .*"
                     r"maybe you meant to use [‘']->[’'](?P<arrow>)|base operand of [‘']->[’'] has non-pointer type)")


@dataclass(frozen=True)
class ArgumentFix:
    """One argument of one call to take the address of (``&``) or to dereference (``*``), or one member access to
    make through a pointer (``->``) or an object (``.``)."""

    file: str  # resolved path of the file the code is in
    line: int
    col: int  # GCC's 1-based column: the call's parenthesis (``at_call``), the argument's or the member's first character
    arg: int  # 1-based; 0: the value of a ``return``; -1: a member access
    fix: str  # "&", "*", "->" or "."; "+Name|Type" / "++Name|Type": an argument the call leaves out (``_arity_fixes``)
    at_call: bool
    error: str  # the compiler's error line


def _bare(t: str) -> str:
    """A type without qualifiers, namespaces or spaces: ``const llvm::MCContext &`` -> ``MCContext&``."""
    t = re.sub(r"\b(?:const|volatile|struct|class)\b", "", t)
    t = re.sub(r"\b\w+::", "", t)
    return re.sub(r"\s+", "", t)


def _related(arg: str, param: str) -> bool:
    """The argument's class is the parameter's, or by its name derives it (``XCoreAsmPrinter``, ``AsmPrinter``)."""
    return bool(arg) and (arg == param or (arg.endswith(param) and param[:1].isupper() and len(param) > 2))


def indirection(arg_type: str, param_type: str) -> str | None:
    """``&`` when an argument of ``arg_type`` is passed for a pointer to its class, ``*`` when a pointer is passed
    for the class (by value or reference); None for any other mismatch."""
    a, b = _bare(arg_type).rstrip("&"), _bare(param_type).rstrip("&")
    if b.endswith("*") and not a.endswith("*") and "*" not in b[:-1] and _related(a, b[:-1]):
        return "&"
    if a.endswith("*") and not b.endswith("*") and "*" not in a[:-1] and _related(a[:-1], b):
        return "*"
    return None


def _types(signature: str) -> list[str] | None:
    """The parameter (or argument) types of the last parenthesised list of a GCC signature: ``X::f(A&, B*) const``
    -> ``["A&", "B*"]``."""
    end = signature.rfind(")")
    start = _opening(signature, end) if end >= 0 else None
    return None if start is None else split_top(signature[start + 1 : end], ",")


def _call_fixes(call: str, candidates: list[tuple[str, list[str]]]) -> set[tuple[int, str]] | None:
    """The argument fixes that make a call fit the candidates that GCC says fail on one indirection (``call``: the
    error's ``f(argument types)``; ``candidates``: each candidate's signature and notes); None when there are none
    or they disagree."""
    args = _types(call) or []
    found: set[frozenset[tuple[int, str]]] = set()
    for sig, notes in candidates:
        n = next((m for m in map(_NO_CONVERSION.search, notes) if m), None)
        first = indirection(n["a"], n["b"]) if n else None
        if not first:
            continue
        fixes = {(int(n["n"]), first)}
        params = _types(sig)
        if params is not None and len(params) == len(args):
            fixes |= {(i + 1, f) for i, (a, b) in enumerate(zip(args, params)) if (f := indirection(a, b))}
        found.add(frozenset(fixes))
    return set(found.pop()) if len(found) == 1 else None


# What converts to an LLVM parameter type without being of it (std::string to StringRef); numbers to numbers.
_STRING_LIKE = re.compile(r"(?:basic_string<char>|string|char\*|char\[\d*\]|StringRef|Twine|SmallString<\d+>)")
_NUMBER = re.compile(r"(?:unsigned|signed)?(?:int|long|short|char)+|unsigned|signed|bool|u?int\d+_t|size_t|float|double")


def _fits(arg: str, param: str) -> bool:
    """Whether an argument of GCC's type ``arg`` can stand for a parameter of type ``param`` (the same class or one
    named as deriving it, a string for ``StringRef``, a number for a number)."""
    a, b = _bare(arg).rstrip("&"), _bare(param).rstrip("&")
    if a == b or _related(a, b):
        return True
    if b in ("StringRef", "Twine") and _STRING_LIKE.fullmatch(a):
        return True
    return bool(_NUMBER.fullmatch(a) and _NUMBER.fullmatch(b))


def missing_parameters(args: list[str], params: list[str]) -> list[int] | None:
    """The 0-based positions of ``params`` no argument is given for, the arguments taken in order for the
    parameters they fit (``_fits``). None when the arguments do not line up with the parameters that way."""
    missing, j = [], 0
    for i, prm in enumerate(params):
        if j < len(args) and _fits(args[j], prm):
            j += 1
        else:
            missing.append(i)
    return missing if j == len(args) and missing and len(missing) == len(params) - len(args) else None


def _declared_names(file: str, line: int, build_dir: Path) -> list[str] | None:
    """The parameter names of the declaration at ``file:line`` if it is one of ours (a one-line declaration that
    says which function it declares, or a definition head under its ``// vega:`` line); None for anything else:
    LLVM's functions are called as LLVM declares them, and a call of one with too few arguments is the caller's
    mistake, not a gap to fill."""
    from ..generate.parameters import parameters

    try:
        lines = Path(_where(file, str(line), build_dir)).read_text(errors="replace").splitlines()
        text = lines[line - 1]
    except (OSError, IndexError):
        return None
    if "// vega: declares " not in text and not (line > 1 and lines[line - 2].startswith("// vega: ")):
        return None
    found = parameters(text.split("//")[0].strip().rstrip(";"))
    return [n for _t, n in found] if found else None


def _arity_fixes(call_types: list[str] | None, notes: list[str], build_dir: Path,
                 declared: str = "") -> list[tuple[int, str]]:
    """(1-based position, ``+Name|Type``) for each parameter a call leaves out, from the first candidate GCC says
    expects more arguments than the call gives and whose declaration (read where GCC says it is) names its
    parameters. Without the call's argument types (GCC's "too few arguments to function ``declared``", whose note
    says where the function is declared) every parameter comes as ``++Name|Type``: the call gives the first ones,
    and the rest are appended."""
    for k, note in enumerate(notes):
        at = _NOTE_AT.match(note)
        if call_types is None:
            if at and re.search(r"note: +declared here", note):
                names = _declared_names(at["file"], int(at["line"]), build_dir) or []
                types = _types(declared) if declared else None
                if types is None or len(types) != len(names):
                    return []
                return [(i + 1, f"++{n}|{t.strip()}") for i, (n, t) in enumerate(zip(names, types))]
            continue
        sig = _CANDIDATE_SIG.search(note)
        n = _EXPECTS.search(notes[k + 1]) if k + 1 < len(notes) else None
        if not sig or not n or int(n["k"]) >= int(n["n"]):
            continue
        params = _types(sig["sig"]) or []
        names = _declared_names(at["file"], int(at["line"]), build_dir) if at else None
        missing = missing_parameters(call_types, params)
        if missing is None or names is None or len(names) != len(params):
            continue
        return [(i + 1, f"+{names[i]}|{params[i].strip()}") for i in missing]
    return []


def _where(file: str, line: str, build_dir: Path) -> str:
    p = Path(file)
    return str((p if p.is_absolute() else build_dir / p).resolve())


def argument_fixes(log_text: str, build_dir: Path) -> list[ArgumentFix]:
    """Every place of a build log whose error is one indirection (module docstring)."""
    out: list[ArgumentFix] = []
    lines = log_text.splitlines()
    i = 0
    while i < len(lines):
        ln = lines[i]
        m, c, k = _NO_MATCH.match(ln), _CONVERT.match(ln) or _REFERENCE.match(ln), _MEMBER.match(ln)
        few = _TOO_FEW.match(ln)
        if not (m or c or k or few):
            i += 1
            continue
        j = i + 1
        notes: list[str] = []
        while j < len(lines) and " error: " not in lines[j]:
            if ": note: " in lines[j]:
                notes.append(lines[j])
            j += 1
        here = m or c or k or few
        where = (_where(here["file"], here["line"], build_dir), int(here["line"]), int(here["col"]))
        if few:
            out += [ArgumentFix(*where, arg, fix, True, ln) for arg, fix in _arity_fixes(None, notes, build_dir, few["sig"])]
        elif m:
            candidates: list[tuple[str, list[str]]] = []
            for note in notes:
                sig = _CANDIDATE_SIG.search(note)
                if sig:
                    candidates.append((sig["sig"], []))
                elif candidates:
                    candidates[-1][1].append(note)
            indirect = sorted(_call_fixes(m["call"], candidates) or ())
            out += [ArgumentFix(*where, arg, fix, True, ln) for arg, fix in indirect]
            site = _REQUIRED_HERE.match(lines[i - 1]) if i > 0 else None  # LLVM's or the library's template
            if not indirect:  # (``std::make_unique<C>(...)``) called from a line of ours: the call there is fixed
                at = (_where(site["file"], site["line"], build_dir), int(site["line"]), int(site["col"])) if site else where
                out += [ArgumentFix(*at, arg, fix, True, ln)
                        for arg, fix in _arity_fixes(_types(m["call"]) or [], notes, build_dir)]
        elif c:
            n = next((_ARGUMENT.search(note) for note in notes if _ARGUMENT.search(note)), None)
            fix = indirection(c["a"], c["b"])
            returned = "ret" in c.groupdict() and c["ret"]
            if fix and (n or returned):
                out.append(ArgumentFix(*where, 0 if returned else int(n["n"]), fix, False, ln))
        else:
            out.append(ArgumentFix(*where, -1, "->" if k["arrow"] is not None else ".", False, ln))
        i = j
    return out


def same_error(fix: ArgumentFix, error: str) -> bool:
    """Whether ``error`` (a charge: ``XCoreAsmPrinter.cpp:271: error: ...``) is the error ``fix`` answers (an error
    in a library's template, charged to the line of ours that instantiated it, names the library's line)."""
    message = fix.error.partition(" error: ")[2][:80]
    at = re.match(r"(\S+?):(\d+):", fix.error)
    places = {f"{Path(fix.file).name}:{fix.line}:"} | ({f"{Path(at[1]).name}:{at[2]}:"} if at else set())
    return any(p in error for p in places) and bool(message) and message in error


def _opening(text: str, close_at: int) -> int | None:
    depth = 0
    for k in range(close_at, -1, -1):
        if text[k] == ")":
            depth += 1
        elif text[k] == "(":
            depth -= 1
            if depth == 0:
                return k
    return None


def _extent(text: str, c: int) -> tuple[int, int] | None:
    """The expression that starts at ``c``: up to a top-level ``,`` or ``;`` or the ``)`` that closes around it."""
    depth, k = 0, c
    while k < len(text):
        ch = text[k]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif ch in ",;" and depth == 0:
            break
        k += 1
    return (c, k) if k > c else None


def _rewrite(text: str, span: tuple[int, int], fix: str) -> str | None:
    """``text`` with the expression at ``span`` given one more ``&`` or ``*`` (or one fewer of the other)."""
    a, b = span
    part = text[a:b]
    arg = part.strip()
    if not arg:
        return None
    lead = part[: len(part) - len(part.lstrip())]
    undo = "*" if fix == "&" else "&"
    if arg.startswith(undo) and not arg.startswith(undo * 2):
        new = arg[1:].strip()  # &*this -> this, *&x -> x
    elif re.fullmatch(r"[\w.:]+(?:\s*(?:->|\.)\s*\w+)*|\*?\s*this", arg):
        new = fix + arg
    else:
        new = f"{fix}({arg})"
    return text[:a] + lead + new + text[a + len(lead) + len(arg) :]


def _call_open(text: str, c: int) -> int | None:
    """The ``(`` of the call GCC points at: the parenthesis itself, or the ``)`` of a declaration ``T x(...)``."""
    if not 0 <= c < len(text):
        return None
    if text[c] == ")":
        return _opening(text, c)
    at = text.find("(", c)
    return at if at >= 0 else None


def _with_arguments(text: str, open_at: int, fixes: list[ArgumentFix], value: Callable[[str], str]) -> str | None:
    """The call at ``open_at`` with the arguments ``fixes`` say it leaves out (``+Name`` at its position, ``++Name``
    after those the call gives), each ``value(Name)``."""
    found = call_arguments(text, open_at)
    if not found:
        return None
    spans, close = found
    given = [text[a:b].strip() for a, b in spans if text[a:b].strip()]
    if any(f.fix.startswith("++") for f in fixes):
        names = [f.fix[2:] for f in sorted(fixes, key=lambda f: f.arg)]
        if len(given) >= len(names):
            return None
        final = given + [value(n) for n in names[len(given):]]
    else:
        at = {f.arg: f.fix[1:] for f in fixes}
        rest, final = iter(given), []
        for pos in range(1, len(given) + len(at) + 1):
            final.append(value(at[pos]) if pos in at else next(rest, ""))
    if "" in final:
        return None
    return text[: open_at + 1] + ", ".join(final) + text[close:]


def argument_value(parameter: str, code: str, known: Callable[[str], bool]) -> str:
    """What to pass for a parameter (``Name|Type``) a call leaves out: the variable of that name the function uses,
    else LLVM's getter of it (``getOptLevel()`` for ``OptLevel``, on the pass config or target machine the caller is
    a member of), else the type's zero: ``0``, ``false``, ``nullptr``, or its value-initialised object (a braced
    ``{}`` alone cannot be forwarded by ``std::make_unique``); "" for a reference (no fix)."""
    name, _, type_ = parameter.partition("|")
    if re.search(rf"(?<![\w.>:]){re.escape(name)}\b", code):
        return name
    getter = f"get{name[:1].upper()}{name[1:]}"
    if known(getter):
        return f"{getter}()"
    if "&" in _bare(type_):
        return ""  # a reference: nothing to make one of
    bare = _bare(type_)
    if bare.endswith("*"):
        return "nullptr"
    if bare == "bool":
        return "false"
    if _NUMBER.fullmatch(bare):
        return "0"
    return f"std::remove_cv_t<std::remove_reference_t<{type_}>>{{}}" if type_ else "{}"


def _apply_one(text: str, fixes: list[ArgumentFix], value: Callable[[str], str] = lambda n: "{}") -> str | None:
    """``fixes`` (all at one column of the line ``text``) made; None when GCC's column does not lead to them."""
    fix, c = fixes[0], fixes[0].col - 1
    if fix.fix.startswith("+"):
        open_at = _call_open(text, c)
        return _with_arguments(text, open_at, fixes, value) if open_at is not None else None
    if fix.arg == -1:  # a member access
        if fix.fix == "->":
            k = c - 1
            while k >= 0 and text[k].isspace():
                k -= 1
            return text[:k] + "->" + text[k + 1 :] if k >= 0 and text[k] == "." else None
        return text[:c] + "." + text[c + 2 :] if text[c : c + 2] == "->" else None
    if not fix.at_call:
        span = _extent(text, c) if 0 <= c < len(text) else None
        return _rewrite(text, span, fix.fix) if span else None
    open_at = _call_open(text, c)
    found = call_arguments(text, open_at) if open_at is not None else None
    if not found:
        return None
    spans = found[0]
    for f in sorted(fixes, key=lambda f: -f.arg):
        if not 0 < f.arg <= len(spans):
            return None
        text = _rewrite(text, spans[f.arg - 1], f.fix)
        if text is None:
            return None
    return text


def apply_fixes(text: str, fixes: list[ArgumentFix], value: Callable[[str], str] = lambda n: "{}") -> str:
    """The line ``text`` with each of ``fixes`` (all on it) made that GCC's column leads to; right to left, so that
    a fix does not move the columns of those still to make; ``value``: what a left-out argument is given
    (``argument_value``)."""
    by_col: dict[tuple[int, bool], list[ArgumentFix]] = {}
    for f in fixes:
        by_col.setdefault((f.col, f.fix.startswith("+")), []).append(f)
    for col in sorted(by_col, reverse=True):
        new = _apply_one(text, by_col[col], value)
        if new is not None:
            text = new
    return text
