"""A class that owns an LLVM object through ``std::unique_ptr``, or derives from an LLVM class, gets the header defining that class."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vega_llvm.emit.layout import ClassDecl, FileKind, PlannedFile
from vega_llvm.emit.render import owned_headers


def _subtarget(fields: list[str], decls: list[str] = ()) -> PlannedFile:
    return PlannedFile(FileKind("Subtarget", ""), [],
                       [ClassDecl("FooSubtarget", "<T>Subtarget", "public X", fields, list(decls), [])])


@pytest.mark.llvm
def test_the_owned_classes_headers_are_included_and_the_owner_compiles(tmp_path: Path) -> None:
    """RISC-V's description declares ``std::unique_ptr<InstructionSelector> InstSelector`` in its subtarget, and
    only GlobalISel's header defines the class: without it the subtarget's destructor did not compile."""

    fields = ["std::unique_ptr<CallLowering> CallLoweringInfo;", "std::unique_ptr<FooOwn> Mine;", "unsigned XLen = 32;"]
    # the description's members come beside the functions that use them (the scratch subtarget's declarations)
    decls = ["std::unique_ptr<InstructionSelector> InstSelector;  // vega: declares <T>Subtarget::getInstructionSelector"]
    f = _subtarget(fields, decls)
    headers = owned_headers(f, {"FooOwn": f})
    assert headers == ["llvm/CodeGen/GlobalISel/CallLowering.h", "llvm/CodeGen/GlobalISel/InstructionSelector.h"]

    if shutil.which("g++") is None:
        pytest.skip("needs g++")
    body = "namespace llvm {\nstruct Holder {\n  std::unique_ptr<InstructionSelector> InstSelector;\n  ~Holder();\n};\n" \
           "Holder::~Holder() = default;\n}\n"
    _compiles_only_with(tmp_path, headers, '#include <memory>\n#include "llvm/CodeGen/TargetSubtargetInfo.h"\n', body)


def _compiles_only_with(tmp_path: Path, headers: list[str], without: str, body: str) -> None:
    """``body`` does not compile after the includes ``without`` (an incomplete class, as in the scratch build) and
    does after ``headers``."""
    from vega_llvm.llvm.toolchain import find_toolchain

    flags = ["g++", "-std=c++17", "-fsyntax-only", f"-I{find_toolchain().includedir}", "t.cpp"]
    (tmp_path / "t.cpp").write_text(without + body)
    assert subprocess.run(flags, cwd=tmp_path, capture_output=True).returncode != 0
    (tmp_path / "t.cpp").write_text("".join(f'#include "{h}"\n' for h in headers) + body)
    res = subprocess.run(flags, cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]


def test_nothing_owned_nothing_included() -> None:
    assert owned_headers(_subtarget(["unsigned XLen = 32;"]), {}) == []


@pytest.mark.llvm
def test_an_llvm_base_class_gets_its_header_and_the_class_compiles(tmp_path: Path) -> None:
    """XCore's scratch ``MCTargetDesc.h`` declared ``class XCoreMCInstrAnalysis : public MCInstrAnalysis`` with no
    header defining the base (the MC include partial does not list it): an incomplete base. A base of the target's
    own is included as such (``_base_headers``), not here."""
    from vega_llvm.emit.render import llvm_base_headers

    f = PlannedFile(FileKind("MCTargetDesc", "MCTargetDesc"), [], [
        ClassDecl("FooMCInstrAnalysis", "<T>MCInstrAnalysis", "public MCInstrAnalysis", [], [], []),
        ClassDecl("FooELFStreamer", "<T>ELFStreamer", "public FooTargetStreamer", [], [], []),
    ])
    headers = llvm_base_headers(f, {"FooTargetStreamer": f})
    assert headers == ["llvm/MC/MCInstrAnalysis.h"]
    if shutil.which("g++") is None:
        pytest.skip("needs g++")
    body = "namespace llvm {\nclass FooMCInstrAnalysis : public MCInstrAnalysis {\npublic:\n" \
           "  explicit FooMCInstrAnalysis(const MCInstrInfo *Info) : MCInstrAnalysis(Info) {}\n};\n}\n"
    _compiles_only_with(tmp_path, headers, '#include "llvm/MC/MCInstrInfo.h"\n', body)


@pytest.mark.llvm
def test_a_class_the_build_finds_incomplete_gets_its_header(tmp_path: Path) -> None:
    """RISC-V's scratch lowering calls ``IRBuilderBase`` methods (a donor's file included ``IRBuilder.h``; our
    partials do not): g++'s ``invalid use of incomplete type`` names the class and the file, and the next round's
    file includes the header defining it."""
    from vega_llvm.emit.render import defining_headers
    from vega_llvm.emit.required import incomplete_classes

    if shutil.which("g++") is None:
        pytest.skip("needs g++")
    from vega_llvm.llvm.toolchain import find_toolchain

    body = "namespace llvm {\nValue *f(IRBuilderBase &B) { return B.getInt32(1); }\n}\n"
    lowering = '#include "llvm/CodeGen/TargetLowering.h"\n'  # declares the class, as the scratch file's headers do
    (tmp_path / "t.cpp").write_text(lowering + body)
    res = subprocess.run(["g++", "-std=c++17", "-fsyntax-only", f"-I{find_toolchain().includedir}", "t.cpp"],
                         cwd=tmp_path, capture_output=True, text=True)
    found = incomplete_classes(res.stderr)
    assert found == {"t.cpp": {"IRBuilderBase"}}, res.stderr[-2000:]
    headers = defining_headers(found["t.cpp"])
    assert headers == ["llvm/IR/IRBuilder.h"]
    _compiles_only_with(tmp_path, ["llvm/CodeGen/TargetLowering.h", *headers], lowering, body)
