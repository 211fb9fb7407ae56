"""Where failing tests stop in a bootstrapped backend (``bootstrap.stops``): a reached ``llvm_unreachable`` of the
emitted code names its function."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from vega_llvm.bootstrap.stops import unreachable_site, write_first

ROOT = Path(__file__).resolve().parents[1]


def _prelude() -> str:
    """The lines every emitted source has after its includes (``templates/target/_source.cpp.j2``)."""
    text = (ROOT / "templates" / "target" / "_source.cpp.j2").read_text()
    start = text.index("using namespace llvm;")
    return text[start : text.index("#define DEBUG_TYPE")]


@pytest.mark.llvm
@pytest.mark.skipif(not shutil.which("g++"), reason="needs g++")
def test_a_reached_unreachable_names_its_file_and_line_and_the_report_its_function(tmp_path: Path) -> None:
    """Compiled as the emitted sources are (release: NDEBUG) and linked with LLVM, a reached ``llvm_unreachable``
    prints where it is instead of running on into other code; ``write_first`` turns that into the function's row."""
    from vega_llvm.llvm.toolchain import find_toolchain

    tc = find_toolchain()
    target_dir = tmp_path / "lib" / "Target" / "XCore"
    target_dir.mkdir(parents=True)
    (tmp_path / "build").mkdir()
    src = target_dir / "XCoreISelLowering.cpp"
    src.write_text(
        '#include "llvm/Support/ErrorHandling.h"\n' + _prelude()
        + "// vega: <T>TargetLowering::LowerCall [model, confidence 0.40]\nint lowerCall(int Op) {\n  return Op + 1;\n}\n\n"
        + "// vega: <T>TargetLowering::LowerOperation [model, confidence 0.10]\nint lowerOperation(int Op) {\n"
        + "  switch (Op) {\n  case 1:\n    return lowerCall(Op);\n  default:\n    llvm_unreachable(\"unimplemented operand\");\n  }\n}\n\n"
        + "int main(int argc, char **) { return lowerOperation(argc + 1); }\n")
    lib = tc.includedir.parent / "lib"
    # compiled from the build folder with the source named relative to it, as the backend's Ninja build does
    build = subprocess.run(["g++", "-std=c++17", "-O2", "-DNDEBUG", f"-I{tc.includedir}",
                            "../lib/Target/XCore/XCoreISelLowering.cpp", "-o", "../prog", f"-L{lib}", "-lLLVM-16",
                            f"-Wl,-rpath,{lib}"], cwd=tmp_path / "build", capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    run = subprocess.run([str(tmp_path / "prog")], capture_output=True, text=True)
    assert run.returncode < 0 or run.returncode == 134  # abort
    line = next(i + 1 for i, ln in enumerate(src.read_text().splitlines()) if "llvm_unreachable(\"" in ln)
    assert f"UNREACHABLE executed at ../lib/Target/XCore/XCoreISelLowering.cpp:{line}!" in run.stderr, run.stderr
    assert "unimplemented operand" in run.stderr

    # lit's record of two tests that stopped there, one at a stub: the ranking names both functions
    lit = tmp_path / "lit-results.json"
    crash = {"name": "LLVM :: CodeGen/XCore/ashr.ll", "code": "FAIL", "output": run.stderr}
    stub = {"name": "LLVM :: CodeGen/XCore/trap.ll", "code": "FAIL",
            "output": "LLVM ERROR: vega-llvm: getCalleeSavedRegs is required by LLVM or the description; write it by hand"}
    lit.write_text(json.dumps({"tests": [crash, dict(crash, name="LLVM :: CodeGen/XCore/shl.ll"), stub]}))

    class Row:
        def __init__(self, key: str, confidence: float) -> None:
            self.key, self.confidence, self.source, self.status = key, confidence, "model", "compiled"

    rows = [Row("<T>TargetLowering::LowerOperation", 0.10), Row("<T>TargetLowering::LowerCall", 0.40),
            Row("<T>RegisterInfo::getCalleeSavedRegs#required", 0.0)]
    ranked = write_first(lit, rows, "XCore", target_dir)
    assert [(r["function"], r["why"], r["tests"]) for r in ranked] == [
        ("<T>TargetLowering::LowerOperation", "unreachable", 2), ("<T>RegisterInfo::getCalleeSavedRegs#required", "stub", 1)]


def test_an_unreachable_outside_our_markers_or_files_names_nothing(tmp_path: Path) -> None:
    (tmp_path / "A.cpp").write_text("int f() {\n  return 0;\n}\n")
    files: dict[Path, list[str]] = {}
    assert unreachable_site("UNREACHABLE executed at A.cpp:2!", tmp_path, files) is None  # no "// vega:" marker before
    assert unreachable_site("UNREACHABLE executed at /nowhere/B.cpp:9!", tmp_path, files) is None
    assert unreachable_site("LLVM ERROR: something else", tmp_path, files) is None


def test_a_target_node_selection_cannot_match_names_the_least_confident_function_that_makes_it(tmp_path: Path) -> None:
    """LLVM's ``Cannot select`` has no frame of ours: the functions whose code creates the node kind (not a ``case``
    label, not ``getTargetNodeName``) are the suspects, and the least confident one is charged."""
    (tmp_path / "XCoreISelLowering.cpp").write_text(
        "// vega: <T>TargetLowering::LowerReturn [model, confidence 0.20]\nSDValue f() {\n"
        "  unsigned Opc = XCoreISD :: CRC8 ;\n  return DAG.getNode(Opc, dl, MVT::Other, Ops);\n}\n\n"
        "// vega: <T>TargetLowering::LowerINTRINSIC_WO_CHAIN [model, confidence 0.60]\nSDValue g() {\n"
        "  return DAG.getNode(XCoreISD::CRC8, DL, VTs, A, B, C);\n}\n\n"
        "// vega: <T>TargetLowering::getTargetNodeName [model, confidence 0.10]\nconst char *h(unsigned O) {\n"
        "  switch (O) { case XCoreISD::CRC8: return \"XCoreISD::CRC8\"; }\n  return nullptr;\n}\n\n"
        "// vega: <T>TargetLowering::PerformDAGCombine [model, confidence 0.05]\nSDValue k(SDNode *N) {\n"
        "  switch (N->getOpcode()) {\n  case XCoreISD::CRC8: break;\n  }\n  // XCoreISD::CRC8 in a comment\n"
        "  return SDValue();\n}\n")
    output = ("LLVM ERROR: Cannot select: t7: ch = XCoreISD::CRC8 t5, Register:i32 $r0, t5:1\nIn function: f\n")
    lit = tmp_path / "lit-results.json"
    lit.write_text(json.dumps({"tests": [{"name": "LLVM :: CodeGen/XCore/a.ll", "code": "FAIL", "output": output}]}))

    class Row:
        def __init__(self, key: str, confidence: float) -> None:
            self.key, self.confidence, self.source, self.status = key, confidence, "model", "compiled"

    rows = [Row("<T>TargetLowering::LowerReturn", 0.20), Row("<T>TargetLowering::LowerINTRINSIC_WO_CHAIN", 0.60),
            Row("<T>TargetLowering::getTargetNodeName", 0.10), Row("<T>TargetLowering::PerformDAGCombine", 0.05)]
    ranked = write_first(lit, rows, "XCore", tmp_path)
    assert [(r["function"], r["why"], r["tests"]) for r in ranked] == [
        ("<T>TargetLowering::LowerReturn", "cannot select", 1)]
    # a node no function of ours makes (LLVM's own, or one the .td patterns make): nothing to charge
    lit.write_text(json.dumps({"tests": [{"name": "LLVM :: CodeGen/XCore/a.ll", "code": "FAIL",
                                          "output": "LLVM ERROR: Cannot select: t3: i32 = XCoreISD::LADD t1, t2"}]}))
    assert write_first(lit, rows, "XCore", tmp_path) == []


@pytest.mark.skipif(not shutil.which("g++") or not shutil.which("addr2line"), reason="needs g++ and binutils")
def test_a_crash_in_a_cold_clone_is_charged_to_its_function(tmp_path: Path) -> None:
    """GCC moves a function's unlikely path (here an ``abort``, as a failed ``std::get`` of LLVM 16's
    ``CCValAssign`` does) into a ``[clone .cold]`` that LLVM's stack dump prints as a bare ``(binary+offset)``: 277
    of RISC-V's CodeGen tests stopped in ``LowerReturn`` that way and were charged to nothing. The binary's own
    symbol table names the frame, and the test is charged to ``LowerReturn``; a frame no symbol covers stays
    unnamed."""
    src = tmp_path / "lower.cpp"
    src.write_text(
        "#include <cstdlib>\nnamespace llvm { struct XCoreTargetLowering { int LowerReturn(int X, int Y) const; }; }\n"
        "__attribute__((noinline)) int llvm::XCoreTargetLowering::LowerReturn(int X, int Y) const {\n"
        "  int S = 0;\n  for (int I = 0; I < X; ++I) {\n    S += I * Y;\n    if (S == 12345)\n      std::abort();\n  }\n"
        "  return S;\n}\nint main(int argc, char **) { llvm::XCoreTargetLowering T; return T.LowerReturn(argc, 7); }\n")
    exe = tmp_path / "llc"
    subprocess.run(["g++", "-O2", "-o", str(exe), str(src)], check=True, capture_output=True, timeout=120)
    symbols = subprocess.run(["nm", str(exe)], check=True, capture_output=True, text=True).stdout
    cold = next((ln.split()[0] for ln in symbols.splitlines() if "LowerReturn" in ln and ln.endswith(".cold")), None)
    if cold is None:
        pytest.skip("this g++ made no cold clone")
    offset = f"{int(cold, 16) + 5:x}"  # the return address after its call of abort
    dump = ("Stack dump:\n #6 0x00007f0e04a44472 abort ./stdlib/abort.c:81:7\n"
            f" #7 0x000055d885ce30fb ({exe}+0x{offset})\n"
            " #8 0x000055d88674e5ef llvm::SelectionDAGBuilder::visitRet(llvm::ReturnInst const&) (/x/llc+0xc085ef)\n")
    lit = tmp_path / "lit-results.json"
    tests = [{"name": f"LLVM :: CodeGen/XCore/t{i}.ll", "code": "FAIL", "output": dump} for i in range(3)]
    tests.append({"name": "LLVM :: CodeGen/XCore/u.ll", "code": "FAIL",
                  "output": f"Stack dump:\n #7 0x000055d885ce30fb ({exe}+0x{int(cold, 16) + 0x100000:x})\n"})
    lit.write_text(json.dumps({"tests": tests}))

    class Row:
        def __init__(self, key: str) -> None:
            self.key, self.confidence, self.source, self.status = key, 0.0, "model", "compiled"

    ranked = write_first(lit, [Row("<T>TargetLowering::LowerReturn"), Row("<T>TargetLowering::LowerCall")], "XCore")
    assert [(r["function"], r["why"], r["tests"]) for r in ranked] == [("<T>TargetLowering::LowerReturn", "crash", 3)]


def test_a_further_overloads_stub_is_charged_to_that_overload(tmp_path: Path) -> None:
    """A stub of a further overload names it with its number (``InstrInfo::isLoadFromStackSlot#1``): 27 of RISC-V's
    CodeGen tests stopped there and were ranked under a name no function has, so no runtime round reached it."""
    lit = tmp_path / "lit-results.json"
    out = "LLVM ERROR: vega-llvm: InstrInfo::isLoadFromStackSlot#1 did not compile; write it by hand"
    lit.write_text(json.dumps({"tests": [{"name": f"LLVM :: CodeGen/RISCV/t{i}.ll", "code": "FAIL", "output": out}
                                         for i in range(2)]}))

    class Row:
        def __init__(self, key: str) -> None:
            self.key, self.confidence, self.source, self.status = key, 0.0, "model", "stubbed"

    ranked = write_first(lit, [Row("<T>InstrInfo::isLoadFromStackSlot"), Row("<T>InstrInfo::isLoadFromStackSlot#1")],
                         "RISCV")
    assert [(r["function"], r["why"], r["tests"]) for r in ranked] == [("<T>InstrInfo::isLoadFromStackSlot#1", "stub", 2)]
