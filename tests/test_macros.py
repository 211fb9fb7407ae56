"""Directives inside generated functions: function-like macro heads compile, and the parse check reads around them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vega_llvm.generate.generate import _errors
from vega_llvm.generate.macros import function_like_heads, without_directives

# LoongArch's getFixupKind as a template instantiates it (tokens joined by spaces, the directive bodies as written)
FIXUP_KIND = """std :: optional < MCFixupKind > RISCVAsmBackend :: getFixupKind ( StringRef Name ) const
  {
    auto Type = llvm :: StringSwitch < unsigned > ( Name )
    #define ELF_RELOC ( X , Y ) .Case(#X, Y)
    #include "llvm/BinaryFormat/ELFRelocs/RISCV.def"
    #undef ELF_RELOC
    . Default ( -1u ) ;
    return std :: nullopt ;
  }"""


def test_a_function_like_head_loses_the_space_before_its_parameters() -> None:
    out = function_like_heads(FIXUP_KIND)
    assert "#define ELF_RELOC(X, Y) .Case(#X, Y)" in out
    assert out.replace("ELF_RELOC(X, Y)", "ELF_RELOC ( X , Y )") == FIXUP_KIND  # nothing else moves


@pytest.mark.parametrize("line", [
    "#define MASK ( X )",  # object-like: its value is ( X ), nothing follows
    "#define SHIFT ( 1 << 3 )",  # object-like: a parenthesised expression, not a parameter list
    "#define SHIFTED ( 1 << 3 ) + 1",
    "x = ( a , b ) ;",  # no directive at all
])
def test_object_like_macros_and_code_stay(line: str) -> None:
    assert function_like_heads(line) == line


def test_variadic_and_continued_heads() -> None:
    code = "    #define CASE ( n , ... ) case RISCV::W##n:  \\\n    return __VA_ARGS__;"
    assert function_like_heads(code) == "    #define CASE(n, ...) case RISCV::W##n:  \\\n    return __VA_ARGS__;"


def test_directives_and_their_continuations_are_blanked_line_for_line() -> None:
    code = "int f ( ) {\n  #define A ( x ) \\\n   x + 1\n  return 0 ;\n}"
    out = without_directives(code)
    assert out.split("\n") == ["int f ( ) {", "", "", "  return 0 ;", "}"]


def test_an_x_macro_include_in_a_call_chain_parses() -> None:
    # tree-sitter reads the directives in the middle of the expression as errors; the C++ around them has none
    assert _errors(FIXUP_KIND) == 0


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_the_written_macro_compiles_where_the_spaced_one_does_not(tmp_path: Path) -> None:
    body = """#include <cstring>
int lookup(const char *Name) {
  #define ENTRY ( X , Y ) if (!std::strcmp(Name, #X)) return Y;
  ENTRY(one, 1)
  ENTRY(two, 2)
  #undef ENTRY
  return -1;
}
"""
    def compiles(text: str) -> bool:
        src = tmp_path / "m.cpp"
        src.write_text(text)
        return subprocess.run(["g++", "-fsyntax-only", str(src)], capture_output=True).returncode == 0

    assert not compiles(body)
    assert compiles(function_like_heads(body))
