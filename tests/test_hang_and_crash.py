"""A generated function that makes ``llc`` loop for ever, or crash with SIGSEGV, is charged to that function: its
verdict is a fail whose detail says the test timed out, or that llc crashed in it; the evaluation goes on, other
functions' verdicts are unaffected, and no ``llc`` of the run is left running (docs/RELIABILITY.md, O1 and O2).

The slow tests judge alternatives of ``XCoreInstrInfo::storeRegToStackSlot`` (run by 10 of XCore's CodeGen tests,
those that spill) on the real XCore backend, beside ``XCoreInstrInfo::loadRegFromStackSlot`` (run by the same 10
tests) whose alternative is its real body, with a per-test timeout of a few seconds so that the hang costs little.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from killrun import leftovers

from vega_llvm.corpus.records import FunctionRecord
from vega_llvm.evaluate.harness import FAIL, PASS, SwapHarness, SwapOutcome
from vega_llvm.evaluate.schema_harness import SchemaHarness, Subject
from vega_llvm.evaluate.swap import FunctionEdit
from vega_llvm.littest.runner import why_failed

# Both bodies go through a volatile access the optimiser must keep: GCC drops a plain write through a null pointer
# read from a volatile (measured: that "crash" compiled to nothing and llc ran on, failing FileCheck instead).
LOOPS = "{\n  volatile bool Forever = true;\n  while (Forever) {\n  }\n}"
CRASHES = "{\n  volatile int *volatile Nowhere = nullptr;\n  *Nowhere = 1;\n}"
TIMEOUT = 5  # seconds per lit test: the looping alternative costs this much per test that runs it
SYSTEMS = ("real", "loops", "crashes")

# What lit's JSON output holds for an llc that crashed in a generated function (cut from a real run: the pipeline's
# exit code is FileCheck's, and LLVM's stack dump does not name the signal).
CRASH_OUTPUT = """Script:
--
: 'RUN: at line 1';   tools/llc < CodeGen/XCore/byVal.ll -march=xcore | tools/FileCheck CodeGen/XCore/byVal.ll
--
Exit Code: 2

Command Output (stderr):
--
PLEASE submit a bug report to https://github.com/llvm/llvm-project/issues/ and include the crash backtrace.
Stack dump:
0.\tProgram arguments: /tmp/lit-probe/tools/llc -march=xcore
1.\tRunning pass 'Function Pass Manager' on module '<stdin>'.
 #0 0x00005582ed202f86 llvm::sys::PrintStackTrace(llvm::raw_ostream&, int) (/tmp/lit-probe/tools/llc+0xe52f86)
 #1 0x00005582ed2011d0 llvm::sys::RunSignalHandlers() (/tmp/lit-probe/tools/llc+0xe511d0)
 #2 0x00005582ed20375b SignalHandler(int) Signals.cpp.o:0:0
 #3 0x00007f930f05a050 (/lib/x86_64-linux-gnu/libc.so.6+0x3c050)
 #4 0x00005582ec506b79 llvm::XCoreInstrInfo::storeRegToStackSlot(llvm::MachineBasicBlock&, llvm::Register) const \
(/tmp/lit-probe/tools/llc+0x156b79)
 #5 0x00005582ec941ae9 (anonymous namespace)::PEI::runOnMachineFunction(llvm::MachineFunction&) PEI.cpp.o:0:0
FileCheck error: '<stdin>' is empty.
"""


def test_why_a_test_failed_names_a_timeout_and_a_crash() -> None:
    assert why_failed("TIMEOUT", "Exit Code: -9\nTimeout: Reached timeout of 5 seconds\n", 5) == "timed out after 5 s"
    assert why_failed("FAIL", CRASH_OUTPUT, 5) == "llc crashed in XCoreInstrInfo::storeRegToStackSlot"
    # Where the exit code shows the signal (the crashing tool is the last of its pipeline), it is named.
    assert why_failed("FAIL", CRASH_OUTPUT.replace("Exit Code: 2", "Exit Code: 139"), 5) == \
        "llc crashed (SIGSEGV) in XCoreInstrInfo::storeRegToStackSlot"
    assert why_failed("FAIL", "Exit Code: -11\n", 5) == "killed by SIGSEGV"
    assert why_failed("FAIL", "Exit Code: 1\nerror: CHECK: expected string not found in input\n", 5) == ""


def _subjects(records: dict[str, FunctionRecord]) -> tuple[FunctionRecord, FunctionRecord]:
    """The function judged (storeRegToStackSlot) and the bystander (loadRegFromStackSlot)."""
    store = next(r for n, r in records.items() if n.endswith("XCoreInstrInfo::storeRegToStackSlot"))
    load = next(r for n, r in records.items() if n.endswith("XCoreInstrInfo::loadRegFromStackSlot"))
    return store, load


def _assert_charged(store: FunctionRecord, load: FunctionRecord, decided: dict[str, dict[str, SwapOutcome]]) -> None:
    """The hang and the crash fail storeRegToStackSlot, saying so; every real body passes."""
    for system in SYSTEMS:
        print(f"{system}: " + "; ".join(f"{o.id} {o.status} ({o.detail})" for o in decided[system].values()))
    loops, crashes = decided["loops"][store.id], decided["crashes"][store.id]
    assert loops.status == FAIL and f"(timed out after {TIMEOUT} s)" in loops.detail, loops
    # The signal is named where the exit code shows it: a test whose RUN line is llc alone, not llc | FileCheck.
    crashed = re.search(r"\(llc crashed( \(SIGSEGV\))? in XCoreInstrInfo::storeRegToStackSlot\)", crashes.detail)
    assert crashes.status == FAIL and crashed, crashes
    assert decided["real"][store.id].status == PASS, decided["real"][store.id]
    for system in SYSTEMS:
        assert decided[system][load.id].status == PASS, (system, decided[system][load.id])


@pytest.mark.slow
@pytest.mark.llvm
def test_schema_harness_charges_a_hang_and_a_crash_to_their_function(
    xcore_copy: Path, xcore_records: dict[str, FunctionRecord], tmp_path: Path
) -> None:
    """What ``eval`` runs: one schema build with every alternative compiled in, a traced baseline, then a probe of
    each alternative on the tests that execute its function (stopped at the first failure)."""
    store, load = _subjects(xcore_records)
    subjects = [
        Subject(store.id, store.name, store.path, store.line, store.body,
                {"real": store.body, "loops": LOOPS, "crashes": CRASHES}),
        Subject(load.id, load.name, load.path, load.line, load.body, {s: load.body for s in SYSTEMS}),
    ]
    work = tmp_path / "schema"
    start = time.monotonic()
    harness = SchemaHarness(xcore_copy, work, test_timeout=TIMEOUT)
    probing: list[float] = []  # when probing began: the schema build and the traced run are over
    decided, tests = harness.evaluate(subjects, progress=lambda done, _total: probing.append(time.monotonic()))
    end = time.monotonic()
    print(f"schema harness: {end - start:.0f} s, of which {end - probing[0]:.0f} s for {harness.probes} probes")
    # The traced baseline: the real backend passes the tests that execute both functions.
    assert len(tests[store.id]) >= 5 and all(t.startswith("CodeGen/XCore/") for t in tests[store.id])
    assert tests[load.id]
    _assert_charged(store, load, decided)
    assert harness.probes == 4  # storeRegToStackSlot three times, the real body of loadRegFromStackSlot once
    left = leftovers(None, [work], grace=5)
    assert left == [], "still running after the evaluation:\n" + "\n".join(left)
    # The verdicts were cached as they are: a rerun reads them, details and all, without a probe.
    again = SchemaHarness(xcore_copy, work, test_timeout=TIMEOUT)
    assert again.evaluate(subjects)[0] == decided and again.probes == 0


@pytest.mark.slow
@pytest.mark.llvm
def test_swap_harness_charges_a_hang_and_a_crash_to_their_function(
    xcore_copy: Path, xcore_records: dict[str, FunctionRecord], tmp_path: Path
) -> None:
    """The classic fallback (``eval`` uses it for files the schema cannot hook): each alternative swapped into a
    copy of the backend, rebuilt, and judged on every CodeGen test. The bystander's real body is first swapped in
    together with the hang: that group fails, and is bisected before the charge lands."""
    store, load = _subjects(xcore_records)
    work = tmp_path / "swap"
    start = time.monotonic()
    harness = SwapHarness(xcore_copy, work, test_timeout=TIMEOUT, suites=["codegen"])
    decided: dict[str, dict[str, SwapOutcome]] = {}
    for system, body in (("loops", LOOPS), ("crashes", CRASHES), ("real", store.body)):
        edits = [FunctionEdit(store.id, store.path, store.line, store.body, body),
                 FunctionEdit(load.id, load.path, load.line, load.body, load.body)]
        decided[system] = harness.evaluate(edits)
    print(f"swap harness: {time.monotonic() - start:.0f} s, {harness.probes} probes")
    _assert_charged(store, load, decided)
    assert harness.probes == 5  # the hang with the bystander, each alone; then the crash, then the real body
    left = leftovers(None, [work], grace=5)
    assert left == [], "still running after the evaluation:\n" + "\n".join(left)
    assert (harness.target.path / store.path).read_text() == (xcore_copy / store.path).read_text()  # restored
