"""Call arguments one ``&`` or ``*`` away from the parameter they are passed to, read off GCC's notes.

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

Three error shapes name an argument's type and the parameter's: an overload set that does not match (the note
per candidate; the error's column is the call's closing parenthesis), and a single function whose argument does
not convert (``invalid conversion``, ``cannot convert``, ``invalid initialization of reference``; the column is
the argument). Only a difference of one indirection between the same class (or a class whose name ends with the
parameter's class, the ``<T>AsmPrinter`` deriving ``AsmPrinter`` of every target) is fixed; anything else is left
to the rest of the ladder. A ``return`` whose value is one indirection from the function's type (``cannot convert
'const XCoreSubtarget' to 'const XCoreSubtarget*' in return``: the donor's getter returns a member the set holds by
value) is fixed the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..generate.operands import call_arguments

_LOC = r"^(?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+): "
_NO_MATCH = re.compile(_LOC + r"error: no matching function for call to [‘'](?P<call>.*)[’']")
_CONVERT = re.compile(_LOC + r"error: (?:invalid conversion|cannot convert) (?:from )?[‘'](?P<a>[^’']*)[’'] to "
                      r"[‘'](?P<b>[^’']*)[’'](?P<ret> in return)?")
_REFERENCE = re.compile(_LOC + r"error: invalid initialization of (?:non-const )?reference of type [‘'](?P<b>[^’']*)[’'] "
                        r"from (?:an rvalue|expression) of type [‘'](?P<a>[^’']*)[’']")
_CANDIDATE = re.compile(r": note: +candidate(?: \d+)?: ")
_NO_CONVERSION = re.compile(r": note: +no known conversion for argument (?P<n>\d+) from [‘'](?P<a>[^’']*)[’'] to [‘'](?P<b>[^’']*)[’']")
_ARGUMENT = re.compile(r": note: +(?:initializing|in passing) argument (?P<n>\d+) of ")


@dataclass(frozen=True)
class ArgumentFix:
    """One argument of one call to take the address of (``&``) or to dereference (``*``)."""

    file: str  # resolved path of the file the call is in
    line: int
    col: int  # GCC's 1-based column: the call's closing parenthesis (``at_close``) or the argument's first character
    arg: int  # 1-based; 0: the value of a ``return`` (``cannot convert ... in return``)
    fix: str  # "&" or "*"
    at_close: bool
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


def _where(file: str, line: str, build_dir: Path) -> str:
    p = Path(file)
    return str((p if p.is_absolute() else build_dir / p).resolve())


def argument_fixes(log_text: str, build_dir: Path) -> list[ArgumentFix]:
    """Every call of a build log whose mismatch is one indirection of one argument (module docstring). For an
    overload set, the fix that the candidates failing on a single argument agree on (none when they disagree)."""
    out: list[ArgumentFix] = []
    lines = log_text.splitlines()
    i = 0
    while i < len(lines):
        ln = lines[i]
        m = _NO_MATCH.match(ln)
        c = _CONVERT.match(ln) or _REFERENCE.match(ln)
        if not (m or c):
            i += 1
            continue
        j = i + 1
        notes: list[str] = []
        while j < len(lines) and " error: " not in lines[j]:
            if ": note: " in lines[j]:
                notes.append(lines[j])
            j += 1
        here = m or c
        where = (_where(here["file"], here["line"], build_dir), int(here["line"]), int(here["col"]))
        if m:
            fixes = set()
            for note in notes:
                n = _NO_CONVERSION.search(note)
                fix = indirection(n["a"], n["b"]) if n else None
                if fix:
                    fixes.add((int(n["n"]), fix))
            if len(fixes) == 1:
                arg, fix = fixes.pop()
                out.append(ArgumentFix(*where, arg, fix, True, ln))
        else:
            n = next((_ARGUMENT.search(note) for note in notes if _ARGUMENT.search(note)), None)
            fix = indirection(c["a"], c["b"])
            returned = "ret" in c.groupdict() and c["ret"]
            if fix and (n or returned):
                out.append(ArgumentFix(*where, 0 if returned else int(n["n"]), fix, False, ln))
        i = j
    return out


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


def _argument(text: str, fix: ArgumentFix) -> tuple[int, int] | None:
    """Where the fixed argument is in the line ``text``."""
    c = fix.col - 1
    if fix.at_close:
        if not (0 <= c < len(text) and text[c] == ")"):
            return None
        open_at = _opening(text, c)
        found = None if open_at is None else call_arguments(text, open_at)
        return found[0][fix.arg - 1] if found and fix.arg and len(found[0]) >= fix.arg else None
    if not 0 <= c < len(text):
        return None
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


def apply_fix(text: str, fix: ArgumentFix) -> str | None:
    """The line ``text`` with ``fix`` made; None when the argument is not found where GCC says."""
    span = _argument(text, fix)
    if span is None:
        return None
    a, b = span
    arg = text[a:b].strip()
    if not arg:
        return None
    lead = text[a:b][: len(text[a:b]) - len(text[a:b].lstrip())]
    undo = "*" if fix.fix == "&" else "&"
    if arg.startswith(undo) and not arg.startswith(undo * 2):
        new = arg[1:].strip()  # &*this -> this, *&x -> x
    elif re.fullmatch(r"[\w.:]+(?:\s*(?:->|\.)\s*\w+)*|\*?\s*this", arg):
        new = fix.fix + arg
    else:
        new = f"{fix.fix}({arg})"
    return text[:a] + lead + new + text[a + len(lead) + len(arg) :]
