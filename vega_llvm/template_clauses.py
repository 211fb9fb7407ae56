"""The ``template <...>`` clause of a training function, read from the LLVM source it came from.

The corpus records a function from its declarator on (``static DecodeStatus decodeSImmOperand(MCInst &Inst, ...)``),
so a function template loses the clause before it: LoongArch's ``decodeSImmOperand`` is ``template <unsigned N,
unsigned S = 0>`` and its body uses ``N`` and ``S``. Written without the clause into a new backend it names two
undeclared identifiers, and the decoder tables TableGen prints call it as ``decodeSImmOperand<6>(...)``, which then
reads as two comparisons (RISC-V's scratch disassembler failed on every such call). The clause is not part of what
the corpus, the templates or the model see (changing them would change every checkpoint's inputs); it is read here,
from the record's file and line, where a function is written out (``generate`` records it beside each candidate,
``emit.sources`` for a donor's function).

A clause is kept only where the code it heads uses every parameter it declares: a candidate that dropped the
statements naming ``N`` is no longer that template, and a template whose parameters cannot be deduced from a call
would not compile where a plain function does.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_IDENT = re.compile(r"[A-Za-z_]\w*")
# how many lines before a definition a multi-line ``template <...>`` clause may start
_LOOK_BACK = 4


@lru_cache(maxsize=1024)
def _lines(path: str) -> tuple[str, ...]:
    try:
        return tuple(Path(path).read_text(encoding="utf-8", errors="replace").splitlines())
    except OSError:
        return ()


def _balanced_end(text: str, start: int) -> int:
    """The index after the ``>`` closing the ``<`` at ``start``, or -1."""
    depth = 0
    for i in range(start, len(text)):
        depth += text[i] == "<"
        depth -= text[i] == ">"
        if depth == 0:
            return i + 1
    return -1


def _clause_at_start(text: str) -> str:
    m = re.match(r"\s*template\s*<", text)
    if not m:
        return ""
    end = _balanced_end(text, m.end() - 1)
    return " ".join(text[: end].split()) if end > 0 else ""


def clause_before(record_id: str, target_root: Path) -> str:
    """The ``template <...>`` clause heading the definition that corpus record ``record_id`` (``LoongArch/
    Disassembler/LoongArchDisassembler.cpp:113``, a path under ``lib/Target`` and the declarator's line) starts at,
    on the lines before it or at the start of its own line; "" for a plain function or an unreadable file."""
    path, _, line = record_id.rpartition(":")
    if not path or not line.isdigit():
        return ""
    lines = _lines(str(target_root / path))
    n = int(line) - 1
    if not 0 <= n < len(lines):
        return ""
    own = _clause_at_start(lines[n])
    if own:
        return own
    before = [ln.strip() for ln in lines[max(0, n - _LOOK_BACK): n]]
    for k in range(len(before) - 1, -1, -1):  # the nearest line that starts a clause and reaches the definition
        if before[k].startswith("template"):
            text = " ".join(before[k:])
            clause = _clause_at_start(text)
            return clause if clause and len(" ".join(clause.split())) == len(" ".join(text.split())) else ""
        if not before[k] or before[k].startswith(("//", "}", ";")):
            return ""
    return ""


def parameter_names(clause: str) -> list[str]:
    """The names a ``template <...>`` clause declares (``template <unsigned N, unsigned S = 0>``: N, S)."""
    inner = clause[clause.find("<") + 1: clause.rfind(">")]
    names, depth, cur = [], 0, ""
    for ch in inner + ",":
        if ch == "," and depth == 0:
            eq = _top_level_eq(cur)
            decl = (cur[:eq] if eq >= 0 else cur).strip()
            words = _IDENT.findall(decl)
            if len(words) >= 2:  # a type (or ``typename``/``class``) and then the name
                names.append(words[-1])
            cur = ""
            continue
        depth += ch in "<("
        depth -= ch in ">)"
        cur += ch
    return names


def fits(clause: str, code: str) -> bool:
    """Whether ``code`` (a function's head and body) uses every parameter ``clause`` declares."""
    if not clause:
        return False
    used = set(_IDENT.findall(code))
    names = parameter_names(clause)
    return bool(names) and all(n in used for n in names)


def without_defaults(clause_and_rest: str) -> str:
    """A definition prefix (``template <unsigned N, unsigned S = 0> static DecodeStatus``) with the clause's
    default arguments dropped: a function declared first with them may not repeat them where it is defined."""
    m = re.match(r"\s*template\s*<", clause_and_rest)
    if not m:
        return clause_and_rest
    end = _balanced_end(clause_and_rest, m.end() - 1)
    if end < 0:
        return clause_and_rest
    inner = clause_and_rest[m.end(): end - 1]
    parts, depth, cur = [], 0, ""
    for ch in inner + ",":
        if ch == "," and depth == 0:
            eq = _top_level_eq(cur)
            parts.append((cur[:eq] if eq >= 0 else cur).strip())
            cur = ""
            continue
        depth += ch in "<("
        depth -= ch in ">)"
        cur += ch
    return f"template <{', '.join(parts)}>{clause_and_rest[end:]}"


def _top_level_eq(part: str) -> int:
    """The index of the ``=`` of a default argument outside any ``<>`` or ``()``, or -1."""
    depth = 0
    for i, ch in enumerate(part):
        depth += ch in "<("
        depth -= ch in ">)"
        if ch == "=" and depth == 0:
            return i
    return -1
