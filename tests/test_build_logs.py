"""Reading failed builds: Ninja's FAILED units, template instantiation sites and GNU ld's undefined references, on
the output of the real g++ and ld run by Ninja."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vega_llvm.backend_build.cmake import parse_failed_units, parse_undefined_references, qualified_name

pytestmark = pytest.mark.skipif(not (shutil.which("g++") and shutil.which("ninja")), reason="needs g++ and ninja")

NINJA = """rule cxx
  command = g++ -std=c++17 -c $in -o $out
rule link
  command = g++ $in -o $out
build inst.o: cxx inst.cpp
build undef.o: cxx undef.cpp
build prog: link undef.o
"""


def _ninja(tmp_path: Path, target: str) -> str:
    (tmp_path / "build.ninja").write_text(NINJA)
    res = subprocess.run(["ninja", "-k", "0", target], cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode != 0
    return res.stdout + res.stderr


def test_instantiation_errors_point_back_into_our_code(tmp_path: Path) -> None:
    # The error is reported inside <memory>; the line of ours that made the instantiation is "required from here".
    (tmp_path / "inst.cpp").write_text(
        "#include <memory>\nstruct Incomplete;\nvoid f() {\n  std::unique_ptr<Incomplete> P(nullptr);\n}\n")
    units = parse_failed_units(_ninja(tmp_path, "inst.o"), cwd=tmp_path)
    assert [Path(u.source).name for u in units] == ["inst.cpp"]
    unit = units[0]
    assert unit.errors and all("inst.cpp" not in e.file for e in unit.errors)  # the error is in a library header
    assert (str(tmp_path / "inst.cpp"), 4) in unit.sites


def test_undefined_references_name_the_symbol_and_the_caller(tmp_path: Path) -> None:
    (tmp_path / "undef.cpp").write_text(
        "namespace llvm { struct Foo { int get() const; int use() const; };\n"
        "int Foo::use() const { return get(); } }\nint main() { return llvm::Foo().use(); }\n")
    refs = parse_undefined_references(_ninja(tmp_path, "prog"))
    assert any(qualified_name(r.symbol) == "Foo::get" and r.in_function and qualified_name(r.in_function) == "Foo::use"
               for r in refs), refs
