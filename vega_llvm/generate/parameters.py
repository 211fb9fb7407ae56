"""One name per parameter in a generated function: the one its signature declares, and the description's where it
declares the function.

A candidate's values are voted placeholder by placeholder (``adapt._voted_values``), so its signature can take one
training target's parameter names while a body statement comes from another's: XCore's ``printInst`` was written
with the signature's ``raw_ostream &O`` and Lanai's body ``printInstruction(MI, Address, OS)``, which does not
compile. Parameters are positional, so a name that the training targets' versions of the same overload (the same
parameter types) give to parameter *i* is renamed, in the body, to the candidate's parameter *i*.

The description also says which overloads exist: a candidate defining the function, or calling one of the
description's functions, with an arity none of its declarations takes is another overload, which the target's
callers and declaration do not match (``arity_mismatch``, ``mismatched_calls``).

The description (the target's header declarations, ../shared/DESIGN.md) often declares the function with its own
parameter names (``bool isVarArg`` in XCore's ``XCoreISelLowering.h``, where Lanai wrote ``IsVarArg``); a definition
that uses them is what the header's author meant and is what code reviewing that header expects, so the
candidate's parameters are renamed to those, signature and body, when the declaration has the same number of
parameters. Four of XCore's calling-convention functions failed to compile on ``'IsVarArg' was not declared``.

Renaming is lexical over the function's identifiers that stand alone (not after ``.``, ``->`` or ``::``) outside
literals and comments, and it never renames onto a name the function already uses for something else.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from .visible import (
    _AFTER_MEMBER,
    _IDENT,
    _LITERAL,
    _declarator_names,
    declared_in,
    plain_names,
    syntax_tree,
)

_PARAM_NODES = ("parameter_declaration", "optional_parameter_declaration", "variadic_parameter_declaration")


def parameter_names(head: str) -> list[str] | None:
    """The parameter names of the first function declarator in ``head`` (a definition or a declaration), in order,
    ``""`` for an unnamed one; None when there is no parameter list. A declaration cut short (descriptions keep 300
    characters of each) gives the parameters that are complete before the cut."""
    params = parameters(head)
    return None if params is None else [name for _, name in params]


def parameters(head: str) -> list[tuple[str, str]] | None:
    """(type, name) of each parameter of the first function declarator in ``head``, as ``parameter_names``; the
    type is the parameter's tokens without its name and default (``const MCInst *``)."""
    text = head if head.count("(") <= head.count(")") else _complete_prefix(head)
    if text is None:
        return None
    params = _parameter_list(text)
    if params is None:
        return None
    out = []
    for p in params.named_children:
        if p.type not in _PARAM_NODES:
            continue
        d = p.child_by_field_name("declarator")
        name = next(iter(_declarator_names(d)), "") if d is not None else ""
        default = p.child_by_field_name("default_value")
        end = default.start_byte if default is not None else p.end_byte
        tokens = _TOKEN.findall(text.encode("utf-8")[p.start_byte:end].decode("utf-8", "replace"))
        if tokens and tokens[-1] == "=":
            tokens.pop()
        if name and name in tokens:
            del tokens[len(tokens) - 1 - tokens[::-1].index(name)]
        out.append((" ".join(tokens), name))
    return out


_TOKEN = re.compile(r"\w+|::|[^\s\w]")


def _complete_prefix(head: str) -> str | None:
    """A declaration cut inside its parameter list, closed after its last complete parameter."""
    open_at = head.find("(")
    if open_at < 0:
        return None
    depth, last_comma = 0, -1
    for i in range(open_at + 1, len(head)):
        ch = head[i]
        if ch in "(<[":
            depth += 1
        elif ch in ")>]":
            depth -= 1
        elif ch == "," and depth == 0:
            last_comma = i
    if last_comma < 0:
        return None
    return head[:last_comma] + ");"


def declared_parameters(table: Any, qname: str, arity: int,
                        types: list[str] | None = None) -> tuple[list[str], bool] | None:
    """The parameter names the description's header declarations give ``qname`` (``XCoreTargetLowering::LowerReturn``),
    and whether the declaration was complete; None when it declares no such function taking ``arity`` arguments (or
    several that disagree).

    A declaration takes ``arity`` arguments when that many fill its parameters without a default (RISC-V declares
    ``printOperand(MI, OpNo, STI, O, Modifier = nullptr)``; a version without the modifier defines the same
    function, whose body must say ``OpNo``). Where several declarations take that many (RISC-V's
    ``isTruncateFree(Type *SrcTy, Type *DstTy)`` and ``isTruncateFree(EVT SrcVT, EVT DstVT)``), the candidate's
    parameter ``types`` choose the one whose parameters have the same types (``same_type``), as they must where
    the candidate leaves defaults out."""
    if table is None:
        return None
    found: list[tuple[list[str], bool, list[str]]] = []
    for d in function_declarations(table).get(qname, []):
        sig = d["signature"]
        params = parameters(sig)
        if params is None:
            continue
        names = [n for _, n in params]
        complete = sig.count("(") <= sig.count(")")
        if complete:
            takes = _arity_range(sig)
            fits = takes is not None and takes[0] <= arity <= min(takes[1], len(names))
            if fits and arity < len(names) and types is not None:  # defaults left out: the rest must be the same
                fits = all(map(same_type, [t for t, _ in params[:arity]], types))
        else:
            fits = len(names) <= arity
        if fits:
            found.append((names[:arity], complete, [t for t, _ in params[:arity]]))
    if len({tuple(n) for n, _, _ in found}) > 1 and types is not None:
        found = [f for f in found if len(f[2]) == len(types) and all(map(same_type, f[2], types))]
    distinct = {tuple(n) for n, _, _ in found}
    return (found[0][0], found[0][1]) if len(distinct) == 1 else None


_INTEGER = frozenset("""
int unsigned signed short long char int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t size_t
""".split())


def type_key(t: str) -> tuple[str, ...]:
    """A parameter type up to spelling (``same_type``), as a value to compare or hash. A name's scope is spelling
    too: inside ``RISCVTargetLowering`` the declaration's ``CallLoweringInfo &`` is LoongArch's
    ``TargetLowering::CallLoweringInfo &``, and two rows of ``LowerCall`` with the one head each way were written as
    overloads ("cannot be overloaded"; both left the tree, and every RISC-V call reached a stub)."""
    tokens = _TOKEN.findall(t)
    words = ["<int>" if w in _INTEGER else w
             for i, w in enumerate(tokens)
             if w not in ("const", "llvm", "::", "struct", "class") and not (i + 1 < len(tokens) and tokens[i + 1] == "::")]
    out: list[str] = []
    for w in words:  # ``unsigned int``, ``long long``: one integer type
        if not (w == "<int>" and out and out[-1] == "<int>"):
            out.append(w)
    return tuple(out)


def same_type(a: str, b: str) -> bool:
    """Whether two parameter types are the same up to spelling: ``const``, ``llvm::`` and the integer type (a
    version's ``int OpNum`` is the declaration's ``unsigned OpNo``), not the class nor the pointer or reference."""
    return type_key(a) == type_key(b)


def member_parameter_positions(member_codes: Iterable[str], types: list[str]) -> dict[str, int]:
    """Name -> position, for names that the training targets' versions with exactly the parameter ``types`` of the
    candidate use only as parameters, always at the same position. A group can hold overloads (Lanai's
    ``printInst(MI, OS, Alias, OpNo0, OpNo1)`` helper beside the ``printInst(MI, Address, Annot, STI, O)`` every
    target has), and a name of one overload says nothing of the other's parameters: a body written from the helper
    keeps its own names and is found undeclared, rather than renamed into something that compiles and means
    nothing. Codes are instantiated in the new target's spelling, so ``<T>TargetMachine &`` compares alike. A name
    some version uses without declaring (a class member, a global) or declares as a local is not a parameter
    name of the function."""
    pos: dict[str, set[int]] = {}
    found, other = _member_parameters(member_codes)
    for params in found:
        if [t for t, _ in params] == types:
            for i, (_, n) in enumerate(params):
                if n:
                    pos.setdefault(n, set()).add(i)
    return {n: next(iter(p)) for n, p in pos.items() if len(p) == 1 and n not in other}


def majority_parameter_names(member_codes: Iterable[str], types: list[str]) -> list[str] | None:
    """At each position, the name most of the training targets' versions with exactly the parameter ``types`` give
    that parameter ("" where two names tie); None without such a version. Where the description does not declare a
    function (a helper or a class of a ``.cpp``), a new target's author most often names its parameters as most
    targets do: over the functions of XCore, ARC and AVR that no header declares, the majority's names are the real
    ones for 27/30, 25/28 and 36/48 functions, the nearest training target's for 20/30, 20/28, 29/48 (RISC-V: 94
    and 96 of 112: its nearest target, LoongArch, writes most functions as RISC-V does)."""
    from collections import Counter

    found, _ = _member_parameters(member_codes)
    same = [params for params in found if [t for t, _ in params] == types]
    if not same:
        return None
    out = []
    for i in range(len(types)):
        top = Counter(params[i][1] for params in same if params[i][1]).most_common(2)
        out.append(top[0][0] if top and (len(top) == 1 or top[0][1] > top[1][1]) else "")
    return out


def _member_parameters(member_codes: Iterable[str]) -> tuple[list[list[tuple[str, str]]], set[str]]:
    """Each version's parameters, and the names some version uses otherwise (undeclared, or declared as a local)."""
    codes = tuple(member_codes)
    if _MEMBERS and _MEMBERS[0][0] == codes:
        return _MEMBERS[0][1]
    found: list[list[tuple[str, str]]] = []
    other: set[str] = set()
    for code in codes:
        params = parameters(code.split("\n", 1)[0])
        if params is None:
            continue
        names = {n for _, n in params}
        own = declared_in(code)
        other |= (plain_names(code) - own) | (own - names)
        found.append(params)
    _MEMBERS[:] = [(codes, (found, other))]
    return found, other


_MEMBERS: list[tuple[tuple[str, ...], tuple[list[list[tuple[str, str]]], set[str]]]] = []


def coherent_parameters(code: str, positions: dict[str, int], declared: list[str] | None = None) -> str:
    """``code`` with each parameter used under one name: another version's name of parameter *i* in the body
    becomes the signature's (``positions``: ``member_parameter_positions``), and every parameter takes the
    ``declared`` name at its position where one is given."""
    params = parameters(code.partition("\n")[0])
    if not params:
        return code
    names = [n for _, n in params]
    final = list(names)
    for i, n in enumerate(declared or []):
        if i < len(final) and n and final[i]:
            final[i] = n
    if len({n for n in final if n}) != sum(1 for n in final if n):  # the declaration names two of these parameters alike: not this overload
        final = list(names)
    own = declared_in(code)
    used = plain_names(code)
    locals_ = own - set(names)
    rename: dict[str, str] = {n: final[i] for i, n in enumerate(names) if n and final[i] != n}
    for n in sorted(used - own):
        i = positions.get(n, -1)
        if 0 <= i < len(final) and final[i] and n != final[i]:
            rename[n] = final[i]
    # never onto a local, nor onto a name the function uses for something other than one of its parameters
    rename = {a: b for a, b in rename.items() if b not in locals_ and (b not in used | own or b in names)}
    if not rename:
        return code
    return _rename(code, rename)


def _rename(code: str, rename: dict[str, str]) -> str:
    out: list[str] = []
    last = 0
    for lit in [*_LITERAL.finditer(code), None]:
        end = lit.start() if lit is not None else len(code)
        out.append(_rename_plain(code, last, end, rename))
        if lit is not None:
            out.append(lit.group())
            last = lit.end()
    return "".join(out)


_SCOPE_NEXT = re.compile(r"\s*::")


def _rename_plain(code: str, start: int, end: int, rename: dict[str, str]) -> str:
    piece, out, last = code[start:end], [], 0
    for m in _IDENT.finditer(piece):
        new = rename.get(m.group())
        if new is None or _AFTER_MEMBER.search(code, max(0, start + m.start() - 8), start + m.start()):
            continue
        if _SCOPE_NEXT.match(piece, m.end()):  # a namespace or class: Lanai's parameter ``CodeModel`` beside ``CodeModel::Model``
            continue
        out.append(piece[last:m.start()])
        out.append(new)
        last = m.end()
    out.append(piece[last:])
    return "".join(out)


def _arity_range(head: str) -> tuple[int, float] | None:
    """(parameters without a default, all parameters; infinite with ``...``) of the first function declarator."""
    params = _parameter_list(head)
    if params is None:
        return None
    kinds = [p.type for p in params.named_children if p.type in _PARAM_NODES]
    variadic = any(c.type == "..." or c.type == "variadic_parameter" for c in params.children)
    if kinds == ["parameter_declaration"] and params.named_children[0].text.strip() == b"void":
        kinds = []
    required = sum(1 for k in kinds if k == "parameter_declaration")
    return required, float("inf") if variadic else float(len(kinds))


def _parameter_list(text: str) -> Any:
    """The parameter list node of the first function declarator in ``text`` (not one of a lambda in its body)."""
    stack = [syntax_tree(text)]
    while stack:
        node = stack.pop(0)
        if node.type == "function_declarator":
            return node.child_by_field_name("parameters")
        if node.type != "compound_statement":
            stack.extend(node.children)
    return None


def parameter_types(head: str) -> list[str] | None:
    """The parameter types of ``head``'s first function declarator, tokens joined by one space
    (``const MCInst *``), so that two spellings of one declaration compare equal; None where it does not parse."""
    found = parameters(head)
    return None if found is None else [" ".join(re.findall(r"\w+|[^\s\w]", t)) for t, _ in found]


def declared_arities(table: Any, qname: str) -> list[tuple[int, float]]:
    """How many arguments each complete declaration of ``qname`` in the description's headers takes (a range, with
    defaults); empty when the description does not declare it."""
    return [r for r in map(_arity_range, declared_signatures(table, qname)) if r is not None]


def arity_mismatch(code: str, arities: list[tuple[int, float]]) -> bool:
    """Whether ``code`` defines the function with a number of parameters no declaration of it in the description
    takes: another overload (Lanai's ``create<T>ISelDag(TM)`` where XCore declares ``(TM, OptLevel)``), which the
    target's own callers and declaration do not match."""
    if not arities:
        return False
    n = len(parameter_names(code.partition("\n")[0]) or [])
    return not any(lo <= n <= hi for lo, hi in arities)


_INDEX: list[tuple[Any, dict[str, list[dict[str, Any]]]]] = []


def function_declarations(table: Any) -> dict[str, list[dict[str, Any]]]:
    """The description's declarations of methods and free functions with a signature, by name; built once per table
    (generation asks for one function's at every candidate)."""
    if table is None:
        return {}
    if not _INDEX or _INDEX[0][0] is not table:
        index: dict[str, list[dict[str, Any]]] = {}
        for d in (getattr(table, "details", None) or {}).get("declarations", []):
            if d.get("kind") in ("decl.method", "decl.function") and d.get("signature"):
                index.setdefault(d.get("name", ""), []).append(d)
        _INDEX[:] = [(table, index)]
    return _INDEX[0][1]


def declared_signatures(table: Any, qname: str) -> list[str]:
    """The complete declarations of ``qname`` in the description's headers (``declared_arities``'s)."""
    sigs = (d["signature"] for d in function_declarations(table).get(qname, []))
    return [sig for sig in sigs if sig.count("(") <= sig.count(")")]


def declared_head(code: str, signatures: list[str]) -> str | None:
    """``code`` with its parameter list the first of ``signatures``' (declarations of the function) that has a
    place for every parameter the function uses: one of the same name, else the one declared parameter of the same
    type (the uses renamed to it); defaults dropped. None where no declaration has.

    Where the description declares a function with parameters no training version has (XCore's
    ``XCoreMCAsmInfo(const Triple &TT)``, where every target since LLVM 14 also takes ``MCTargetOptions``; its
    ``XCoreFrameLowering(const XCoreSubtarget &)``), each candidate defines another overload than the header
    declares, and a scratch backend does not compile. The header is the target author's word on the signature."""
    head, nl, rest = code.partition("\n")
    plist = _parameter_list(head) if head.count("(") <= head.count(")") else None
    have = parameters(head)
    if plist is None or have is None:
        return None
    raw = head.encode("utf-8")
    used = plain_names(raw[plist.end_byte:].decode("utf-8", "replace") + "\n" + rest)
    needed = [(t, n) for t, n in have if n and n in used]
    for sig in signatures:
        declared = parameters(sig)
        text = _definition_parameters(sig)
        if declared is None or text is None:
            continue
        names = {n for _, n in declared if n}
        rename: dict[str, str] = {}
        for t, n in needed:
            if n in names:
                continue
            same = [dn for dt, dn in declared if dn and dt.replace(" ", "") == t.replace(" ", "")]
            if len(same) != 1 or same[0] in used or same[0] in rename.values():
                break
            rename[n] = same[0]
        else:
            new = (raw[:plist.start_byte].decode("utf-8", "replace") + text
                   + raw[plist.end_byte:].decode("utf-8", "replace") + nl + rest)
            return _rename(new, rename) if rename else new
    return None


def _definition_parameters(sig: str) -> str | None:
    """The parameter list of the declaration ``sig`` as a definition writes it: without default arguments."""
    params = _parameter_list(sig)
    if params is None:
        return None
    raw = sig.encode("utf-8")
    out = []
    for p in params.named_children:
        if p.type not in _PARAM_NODES and p.type != "variadic_parameter":
            continue
        default = p.child_by_field_name("default_value")
        piece = raw[p.start_byte:default.start_byte if default is not None else p.end_byte].decode("utf-8", "replace")
        out.append(piece.rstrip().rstrip("=").rstrip())
    if any(c.type == "..." for c in params.children):
        out.append("...")
    return "(" + ", ".join(out) + ")"


def declared_function_arities(table: Any) -> dict[str, list[tuple[int, float]]]:
    """The argument ranges of the complete declarations of the description's functions: a free function by its
    qualified name (``createXCoreISelDag``, ``RISCVABI::getTargetABI``), a method by its class and name
    (``XCoreInstPrinter::printRegName``)."""
    out: dict[str, list[tuple[int, float]]] = {}
    for d in (getattr(table, "details", None) or {}).get("declarations", []) if table is not None else []:
        sig = d.get("signature", "")
        if d.get("kind") in ("decl.function", "decl.method") and sig.count("(") <= sig.count(")"):
            r = _arity_range(sig)
            if r is not None:
                scope, _, name = d["name"].rpartition("::")
                key = d["name"] if d["kind"] == "decl.function" else f"{scope.rpartition('::')[2]}::{name}"
                out.setdefault(key, []).append(r)
    return out


def callable_arities(arities: dict[str, list[tuple[int, float]]], qname: str) -> dict[str, list[tuple[int, float]]]:
    """What a call in the function ``qname`` can reach, by the name it calls: the description's free functions as
    qualified (``RISCVABI::getTargetABI``, so a bare ``getTargetABI()`` is not taken for it), and the methods of the
    function's own class, by their bare name, which hide free functions of that name."""
    cls = qname.rpartition("::")[0].rpartition("::")[2]
    methods = {k for k in arities if k.partition("::")[0] == cls} if cls else set()
    out = {k: v for k, v in arities.items() if k not in methods}
    if cls:
        out.update({k.partition("::")[2]: v for k, v in arities.items() if k.partition("::")[0] == cls})
    return out


def mismatched_calls(code: str, functions: dict[str, list[tuple[int, float]]]) -> list[str]:
    """Calls of the description's functions (``callable_arities``) with a number of arguments none of their
    declarations takes (``createXCoreISelDag(getXCoreTargetMachine())`` where XCore declares two parameters;
    ``printRegName(Reg)`` in an ``XCoreInstPrinter`` method, where it declares ``(raw_ostream &OS, MCRegister
    Reg)``), as ``name/arguments``; and ``new X(...)``, ``X(...)`` and ``std::make_unique<X>(...)`` with two
    arguments or more where no declared constructor of ``X`` takes that many (``new RISCVAsmBackend(STI, OSABI,
    Is64Bit)``, where RISC-V's takes the target options too), as ``X::X/arguments``."""
    if not functions or not any(name.rpartition("::")[2] in code for name in functions):
        return []
    out: set[str] = set()
    stack = [syntax_tree(code)]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.type not in ("call_expression", "new_expression"):
            continue
        name, args = _callee(node)
        if args is None:
            continue
        n = sum(1 for a in args.named_children if a.type != "comment")
        # a constructor, with two arguments or more: none may be a defaulted or implicit one (``X() = default;``
        # and an inline ``X(...) {}`` are not recorded as declarations), and one may be a copy
        if name not in functions and f"{name}::{name}" in functions and n >= 2:
            name = f"{name}::{name}"
        if name not in functions:
            continue
        if not any(lo <= n <= hi for lo, hi in functions[name]):
            out.add(f"{name}/{n}")
    return sorted(out)


def _callee(node: Any) -> tuple[str, Any]:
    """The name a call calls (a function, or the class a ``new``, a temporary or ``std::make_unique<X>`` builds)
    and its argument list."""
    if node.type == "new_expression":
        tnode = node.child_by_field_name("type")
        return ((tnode.text or b"").decode().rpartition("::")[2].strip() if tnode is not None else "",
                node.child_by_field_name("arguments"))
    fn, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
    if fn is None or args is None:
        return "", None
    text = (fn.text or b"").decode().replace(" ", "")
    made = re.fullmatch(r"(?:std::)?make_unique<(\w+)>", text)
    if made:
        return made.group(1), args
    if fn.type not in ("identifier", "qualified_identifier"):
        return "", None
    return re.sub(r"^(?:::)?llvm::", "", text), args
