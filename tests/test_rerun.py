"""Reruns of ``bootstrap`` in the same ``--out`` (``bootstrap.memory``) and the "write these first" list
(``bootstrap.stops``).

A rerun must leave every file whose functions did not change as it was (same bytes, same modification time), so
that the CMake/Ninja build recompiles only the files of the functions that changed, and it must keep what the
repair ladder did to the others (a stub stays a stub)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from vega_llvm.bootstrap.memory import load, remember, restore
from vega_llvm.bootstrap.repair import RepairState
from vega_llvm.bootstrap.stops import write_first
from vega_llvm.emit.functions import EmitFunction
from vega_llvm.emit.report import FunctionRow


def _fn(key: str, body: str = "{}", source: str = "model", confidence: float = 0.5) -> EmitFunction:
    return EmitFunction(key, "InstrInfo", "", f"void XCoreInstrInfo::{key.split('::')[-1]}()", body, confidence, source)


def test_the_ladder_s_records_come_back_for_the_functions_kept(tmp_path: Path) -> None:
    origins = {k: _fn(k) for k in ("<T>InstrInfo::a", "<T>InstrInfo::b", "<T>InstrInfo::c", "<T>InstrInfo::d")}
    finals = dict(origins)
    finals["<T>InstrInfo::b"] = _fn("<T>InstrInfo::b", "{ donor(); }", "fallback:Lanai", 0.0)
    state = RepairState()
    state.fell_back["<T>InstrInfo::b"] = "error: b"
    state.removed["<T>InstrInfo::b"] = {2, 3}
    state.replaced["<T>InstrInfo::c"] = "error: c"
    state.dropped["<T>InstrInfo::d"] = "error: d"
    state.moves.append({"round": 1, "function": "<T>InstrInfo::c", "key": "<T>InstrInfo::c", "step": "stub", "to": "stub", "error": "e"})
    remember("scratch", origins, finals, state, subtarget_members=["bool HasX = false;"], left_out=["asm_parser"],
             prefer=["Lanai"]).save(tmp_path)
    memory = load(tmp_path, "scratch")
    assert memory is not None and load(tmp_path, "swap") is None  # another mode's memory is not this one's
    assert memory.subtarget_members == ["bool HasX = false;"] and memory.left_out == ["asm_parser"]
    tree = dict(origins)
    fresh = RepairState()
    kept = restore(tree, tree.__setitem__, fresh, memory, lambda k, fn, r: k != "<T>InstrInfo::a")
    assert sorted(kept) == ["<T>InstrInfo::b", "<T>InstrInfo::c", "<T>InstrInfo::d"]
    assert tree["<T>InstrInfo::b"].source == "fallback:Lanai" and fresh.removed["<T>InstrInfo::b"] == {2, 3}
    assert fresh.replaced == {"<T>InstrInfo::c": "error: c"} and fresh.dropped == {"<T>InstrInfo::d": "error: d"}
    assert fresh.moves[0]["earlier"] and fresh.moves[0]["step"] == "stub"


def test_write_first_ranks_stubs_and_crashes_by_tests_then_confidence(tmp_path: Path) -> None:
    stub = "LLVM ERROR: vega-llvm: TargetLowering::LowerCall did not compile; write it by hand\n"
    required = "LLVM ERROR: vega-llvm: printMemOperand is required by LLVM or the description; write it by hand\n"

    def crash(frame: str) -> str:
        return ("Stack dump:\n0.\tProgram arguments: llc\n #0 0x000055d5c0a1b2c3 llvm::sys::PrintStackTrace(llvm::raw_ostream&, int) (/b/llc+0x1)\n"
                " #1 0x000055d5c0a1b2c4 SignalHandler(int) Signals.cpp:0:0\n"
                f" #2 0x000055d5c0a1b2c5 {frame} (/b/llc+0x2)\n"
                " #3 0x000055d5c0a1b2c6 llvm::SelectionDAGISel::DoInstructionSelection() (/b/llc+0x3)\n")

    tests = ([{"name": f"s{i}", "code": "FAIL", "output": stub} for i in range(3)]
             + [{"name": f"c{i}", "code": "FAIL", "output": crash("llvm::XCoreInstrInfo::copyPhysReg(llvm::MachineBasicBlock&) const")} for i in range(2)]
             + [{"name": f"f{i}", "code": "FAIL", "output": crash("llvm::XCoreFrameLowering::emitPrologue(llvm::MachineFunction&, llvm::MachineBasicBlock&) const")} for i in range(2)]
             + [{"name": "r", "code": "FAIL", "output": required}]
             + [{"name": "llvm-only", "code": "FAIL", "output": crash("llvm::SelectionDAG::Legalize()")}]
             # LLVM's default of a function the ladder left out (an llvm_unreachable in the release library)
             + [{"name": f"d{i}", "code": "FAIL", "output": crash("llvm::TargetLowering::LowerReturn(llvm::SDValue, unsigned int) const")}
                for i in range(4)]
             + [{"name": "e", "code": "FAIL", "output": crash("llvm::TargetInstrInfo::storeRegToStackSlot(llvm::MachineBasicBlock&) const")}]
             + [{"name": "ok", "code": "PASS", "output": stub}])
    (tmp_path / "lit-results.json").write_text(json.dumps({"tests": tests}))
    rows = [FunctionRow("<T>TargetLowering::LowerCall", "XCoreISelLowering.cpp", "model", 0.4, "stubbed"),
            FunctionRow("<T>InstrInfo::copyPhysReg", "XCoreInstrInfo.cpp", "model", 0.6, "compiled"),
            FunctionRow("<T>FrameLowering::emitPrologue", "XCoreFrameLowering.cpp", "fallback:Lanai", 0.0, "fallback"),
            FunctionRow("<T>InstPrinter::printMemOperand#required", "MCTargetDesc/XCoreInstPrinter.cpp", "stub:required", 0.0, "compiled"),
            FunctionRow("copyPhysReg", "XCoreOther.cpp", "model", 0.1, "compiled"),  # a free function of that name
            FunctionRow("<T>TargetLowering::LowerReturn", "", "fallback:Lanai", 0.0, "dropped"),
            FunctionRow("<T>InstrInfo::storeRegToStackSlot", "", "model", 0.2, "dropped")]
    got = [(r["function"], r["why"], r["tests"]) for r in write_first(tmp_path / "lit-results.json", rows, "XCore")]
    assert got == [("<T>TargetLowering::LowerReturn", "left out", 4),
                   ("<T>TargetLowering::LowerCall", "stub", 3),
                   ("<T>FrameLowering::emitPrologue", "crash", 2),  # as many tests as copyPhysReg, less confident
                   ("<T>InstrInfo::copyPhysReg", "crash", 2),
                   ("<T>InstPrinter::printMemOperand#required", "stub", 1),
                   ("<T>InstrInfo::storeRegToStackSlot", "left out", 1)]


def _results(path: Path, bodies: dict[str, str]) -> Path:
    sigs = {"copyPhysReg": "void XCoreInstrInfo::copyPhysReg(MachineBasicBlock &MBB, MachineBasicBlock::iterator I, "
                           "const DebugLoc &DL, MCRegister DestReg, MCRegister SrcReg, bool KillSrc) const",
            "emitPrologue": "void XCoreFrameLowering::emitPrologue(MachineFunction &MF, MachineBasicBlock &MBB) const"}
    files = {"copyPhysReg": ("XCoreInstrInfo", "XCoreInstrInfo.cpp"), "emitPrologue": ("XCoreFrameLowering", "XCoreFrameLowering.cpp")}
    rows = [{"Target": "XCore", "Module": "", "File": files[n][1], "Func": f"{files[n][0]}::{n}",
             "Code": f"{sigs[n]}\n{b}", "Confidence": 0.5} for n, b in bodies.items()]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _times(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


@pytest.mark.llvm
def test_an_only_rerun_rewrites_the_file_of_that_function_alone(llvm_src: Path, scratch_corpus: Path, tmp_path: Path) -> None:
    """``--only copyPhysReg`` with a new body rewrites XCoreInstrInfo.cpp and nothing else (every other file keeps
    its modification time), and a function the last run stubbed stays a stub; a ``--force`` rerun of the same
    input then writes nothing at all."""
    from vega_llvm.bootstrap.memory import STATE_FILE
    from vega_llvm.bootstrap.pipeline import BootstrapConfig, run
    from vega_llvm.describe.describe import describe_dir

    td = llvm_src / "lib" / "Target" / "XCore" / "XCore.td"
    out = tmp_path / "o"

    def bootstrap(results: Path, **kw: object):
        return run(BootstrapConfig(td=td, out=out, mode="scratch", results=results, corpus=scratch_corpus,
                                   describe_dir=describe_dir(), run_build=False, **kw))  # type: ignore[arg-type]

    first = bootstrap(_results(tmp_path / "r1.jsonl", {"copyPhysReg": "{\n  (void)1;\n}", "emitPrologue": "{\n  (void)3;\n}"}))
    target_dir = Path(first.target_dir)
    # As if the last run's build had stubbed emitPrologue: the ladder's record in the memory, the file as written.
    state = json.loads((out / STATE_FILE).read_text())
    key = "<T>FrameLowering::emitPrologue"
    state["functions"][key]["ladder"] = {"replaced": "XCoreFrameLowering.cpp:9:3: error: 'x' was not declared"}
    (out / STATE_FILE).write_text(json.dumps(state))
    stubbed = bootstrap(_results(tmp_path / "r1b.jsonl", {"copyPhysReg": "{\n  (void)1;\n}"}), only=["copyPhysReg"])
    assert "report_fatal_error" in (target_dir / "XCoreFrameLowering.cpp").read_text()
    assert {f.key: f.status for f in stubbed.functions}[key] == "not-built"
    for p in target_dir.rglob("*"):  # every file a day old, so that a rewrite shows
        if p.is_file():
            os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns - 86_400 * 10**9))
    before = _times(target_dir)
    bootstrap(_results(tmp_path / "r2.jsonl", {"copyPhysReg": "{\n  (void)2;\n}"}), only=["copyPhysReg"])
    after = _times(target_dir)
    assert sorted(before) == sorted(after)
    assert [f for f in before if before[f] != after[f]] == ["XCoreInstrInfo.cpp"]
    assert "(void)2;" in (target_dir / "XCoreInstrInfo.cpp").read_text()
    assert "report_fatal_error" in (target_dir / "XCoreFrameLowering.cpp").read_text()  # still the last run's stub
    again = bootstrap(_results(tmp_path / "r3.jsonl", {"copyPhysReg": "{\n  (void)2;\n}", "emitPrologue": "{\n  (void)3;\n}"}),
                      force=True)
    assert _times(target_dir) == after  # nothing changed, nothing written
    assert {f.key: f.status for f in again.functions}[key] == "not-built"
