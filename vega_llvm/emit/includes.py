"""Which of the target's own headers each generated source includes: the core ones always, the others only where
the source names something they declare.

Every codegen source used to include every header of the target. The repair loop rewrites a header whenever a
function declared in it changes its signature or is left out, and then every source recompiled: an XCore scratch
round that moved one ``<T>MCInstLower`` function rebuilt all 13 codegen files (78-88 s beside another bootstrap,
where the file itself takes 5 s). Real backends include what they use; so does this: a header outside the core (the
classes a subtarget and target machine hold: register info, instruction info, frame and DAG lowering, subtarget,
target machine) is included by a source whose code names a class, namespace, enumeration, enumerator, macro, alias,
or namespace-scope function or variable that the header declares, and by its own source.

Code that TableGen writes into a source (``Gen*.inc``) comes from the description's code fragments and strings, so
a source including such a file also counts every identifier of the ``.td`` files as named (``description_words``);
without them, such a source keeps every header. A header chosen brings the headers whose names it uses (a generic
header may hold another's class by value and rely on the include order).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
_STRING = re.compile(r'"(?:\\.|[^"\\\n])*"')
_IDENT = re.compile(r"[A-Za-z_]\w*")
_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
_SCOPE = re.compile(r"\b(class|struct|union|namespace|enum)\b(?:\s+(?:class|struct))?\s*(?:LLVM_[A-Z_]+\s+)?([A-Za-z_]\w*)?")
_MACRO = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)", re.M)
_FORWARD = re.compile(r"\b(?:class|struct|union)\s+[A-Za-z_]\w*\s*;")
_NOT_NAMES = frozenset({
    "llvm", "std", "const", "static", "inline", "extern", "constexpr", "virtual", "explicit", "return", "if", "for",
    "while", "switch", "sizeof", "operator", "template", "typename", "decltype", "noexcept", "unsigned", "signed",
    "int", "long", "short", "char", "bool", "void", "float", "double", "auto", "using", "typedef", "override", "final",
})


def _code(text: str) -> str:
    """``text`` without comments and string literals (their words name nothing)."""
    return _STRING.sub('""', _COMMENT.sub(" ", text))


@lru_cache(maxsize=512)
def declared_names(text: str) -> frozenset[str]:
    """The names a header declares for its includers: classes, namespaces, enumerations and their enumerators,
    macros, and what is declared at namespace scope (functions, variables, aliases); not class members, which are
    reached through their class's name. Cached: every source of a rendering asks about the same headers."""
    code = _code(text)
    names = set(_MACRO.findall(code))
    code = "\n".join(ln for ln in code.splitlines() if not ln.lstrip().startswith("#"))
    stack: list[str] = []  # "namespace", "class", "enum", "body" (a function body or initializer)
    stmt_start = 0
    for i, ch in enumerate(code):
        if ch == "{":
            head = code[stmt_start:i]
            m = None
            for m in _SCOPE.finditer(head):
                pass
            kind = "body"
            if m is not None and not re.search(r"[()=]", head[m.end():]):
                kind = "enum" if m.group(1) == "enum" else "namespace" if m.group(1) == "namespace" else "class"
                if m.group(2) and all(k == "namespace" for k in stack):
                    names.add(m.group(2))
            elif all(k == "namespace" for k in stack):
                names |= _statement_names(head)  # an inline function or a braced initializer at namespace scope
            if kind == "enum" and all(k in ("namespace", "class") for k in stack):
                end = code.find("}", i)
                body = code[i + 1 : end if end >= 0 else len(code)]
                names |= {x.group(1) for x in re.finditer(r"(?:^|,)\s*([A-Za-z_]\w*)", body)}
            stack.append(kind)
            stmt_start = i + 1
        elif ch == "}":
            if stack:
                stack.pop()
            stmt_start = i + 1
        elif ch == ";":
            if all(k == "namespace" for k in stack):
                names |= _statement_names(code[stmt_start:i])
            stmt_start = i + 1
    return frozenset(names - _NOT_NAMES)


def _statement_names(stmt: str) -> set[str]:
    """The name a namespace-scope declaration declares: a function's (before its parameter list), an alias's, a
    variable's (before its initializer or array bounds); nothing for a forward declaration of a class."""
    s = " ".join(stmt.split())
    if not s or re.match(r"(?:class|struct|union|enum)\b[^(=]*$", s) or s.startswith(("using namespace", "template <")):
        return set()
    m = re.match(r"using\s+([A-Za-z_]\w*)\s*=", s)
    if m:
        return {m.group(1)}
    m = re.match(r"typedef\b.*?([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?$", s)
    if m:
        return {m.group(1)}
    m = re.search(r"([A-Za-z_]\w*)\s*\(", s)
    if m and "=" not in s[: m.start()]:
        return {m.group(1)}
    m = re.match(r"([^=\[]*?)([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*(?:=.*)?$", s)
    return {m.group(2)} if m else set()


@lru_cache(maxsize=512)
def named(text: str) -> frozenset[str]:
    """The identifiers a source's (or a header's) own code uses: not its comments, strings, preprocessor lines or
    forward declarations (every file of ours declares every class of the target ahead)."""
    code = "\n".join(ln for ln in _code(text).splitlines() if not ln.lstrip().startswith("#"))
    return frozenset(_IDENT.findall(_FORWARD.sub(" ", code)))


@lru_cache(maxsize=8)
def description_words(td_dir: str) -> frozenset[str]:
    """Every identifier of the ``.td`` files under ``td_dir``, code fragments and strings included: what TableGen's
    ``.inc`` files may name."""
    out: set[str] = set()
    for p in sorted(Path(td_dir).rglob("*.td")):
        try:
            out.update(_IDENT.findall(p.read_text(errors="replace")))
        except OSError:
            continue
    return frozenset(out)


def includes_generated(text: str) -> bool:
    """Whether a source includes a file TableGen writes (``<T>Gen*.inc``)."""
    return any(re.search(r"Gen\w*\.inc$", inc) for inc in _INCLUDE.findall(text))


def needed_headers(source: str, own: str, optional: list[str], headers: dict[str, str],
                   words: frozenset[str] | None) -> list[str]:
    """The headers of ``optional`` (in their order) that the source text ``source`` needs: ``own`` (its own
    header), those declaring a name it uses, and, closing over header texts (``headers``: path -> text), those
    declaring a name a chosen one uses. ``words``: the description's identifiers, counted as used by a source that
    includes TableGen's output; None keeps every header for such a source."""
    uses = named(source)
    if includes_generated(source):
        if words is None:
            return list(optional)
        uses |= words
    declares = {h: declared_names(headers.get(h, "")) for h in optional}
    chosen = {h for h in optional if h == own or declares[h] & uses}
    todo = list(chosen)
    while todo:
        more = named(headers.get(todo.pop(), ""))
        for h in optional:
            if h not in chosen and declares[h] & more:
                chosen.add(h)
                todo.append(h)
    return [h for h in optional if h in chosen]
