"""Preprocessor directives inside a generated function: written so that they compile, and read around when parsing.

A template keeps a directive's head as tokens and its body as the author wrote it, and ``instantiate`` joins tokens
with spaces, so LoongArch's ``#define ELF_RELOC(X, Y) .Case(#X, Y)`` in ``getFixupKind`` comes out as ``#define
ELF_RELOC ( X , Y ) .Case(#X, Y)``: with a space before its ``(`` the macro is object-like, its body starts with
``( X , Y )`` and ``#X`` is no parameter, so every candidate with a function-like macro (31 of RISC-V's candidates:
``ELF_RELOC``, ``BRKIND``, ``CASE``, ...) failed to compile whatever its code. ``function_like_heads`` closes the
gap where the parenthesised list is made of identifiers and a body follows: an object-like macro whose value is
``( X )`` alone is left as it is, and one whose body starts with a parenthesised expression (``( 1 << 3 )``) has no
identifier list.

tree-sitter parses a directive only where a statement may stand, so an X-macro ``#include`` inside a call chain
(``StringSwitch<unsigned>(Name)`` then ``#include "llvm/BinaryFormat/ELFRelocs/RISCV.def"`` then ``.Default(-1u)``)
reads as errors the training members' own code does not have at that count; ``without_directives`` blanks the
directives (with their continuation lines) for the parse check, which is about the C++ around them.
"""

from __future__ import annotations

import re

_PARAM = r"(?:[A-Za-z_]\w*|\.\.\.)"
_HEAD = re.compile(
    rf"^(?P<lead>[ \t]*#[ \t]*define[ \t]+[A-Za-z_]\w*)[ \t]+\([ \t]*(?P<params>{_PARAM}(?:[ \t]*,[ \t]*{_PARAM})*)?[ \t]*\)"
    rf"(?P<rest>[ \t]*\S.*)$",
    re.M,
)


def function_like_heads(code: str) -> str:
    """``code`` with each ``#define NAME ( a , b ) body`` written ``#define NAME(a, b) body`` (see the module)."""
    def join(m: re.Match[str]) -> str:
        params = ", ".join(p.strip() for p in (m.group("params") or "").split(",") if p.strip())
        return f"{m.group('lead')}({params}){m.group('rest')}"

    return _HEAD.sub(join, code) if "#" in code else code


def without_directives(code: str) -> str:
    """``code`` with every preprocessor directive line, and the lines its trailing backslashes continue it onto,
    blank (the line count stays, so positions in the rest do not move)."""
    if "#" not in code:
        return code
    out: list[str] = []
    continued = False
    for line in code.split("\n"):
        if continued or line.lstrip().startswith("#"):
            continued = line.rstrip().endswith("\\")
            out.append("")
        else:
            out.append(line)
    return "\n".join(out)
