"""The pass@1 harness is honest: on the real XCore backend, the real function passes, a broken one fails or is
untested, and one that does not compile is blamed on itself, also when it is swapped in with others."""

from __future__ import annotations

from pathlib import Path

import pytest

from vega_llvm.corpus.records import FunctionRecord
from vega_llvm.evaluate.harness import COMPILE_ERROR, FAIL, PASS, SwapHarness
from vega_llvm.evaluate.swap import TRAP_BODY, FunctionEdit, apply_to_text, attribute_errors, apply_edits, restore

pytestmark = pytest.mark.llvm


@pytest.fixture(scope="module")
def harness(xcore_copy: Path, xcore_build, tmp_path_factory: pytest.TempPathFactory) -> SwapHarness:
    # The session's XCore copy is the "real" backend here; the harness makes its own private copy of it.
    return SwapHarness(xcore_copy, tmp_path_factory.mktemp("swap"), test_timeout=30)


def harness_real_dir(harness: SwapHarness) -> Path:
    return harness.real_dir


def _edit(rec: FunctionRecord, body: str) -> FunctionEdit:
    return FunctionEdit(rec.id, rec.path, rec.line, rec.body, body)


def test_apply_to_text_tracks_lines() -> None:
    text = "int a() {\n  return 1;\n}\nint b() {\n  return 2;\n}\n"
    e1 = FunctionEdit("a", "f.cpp", 1, "{\n  return 1;\n}", "{\n  return 10;\n  // x\n}")
    e2 = FunctionEdit("b", "f.cpp", 4, "{\n  return 2;\n}", "{ return 20; }")
    out, applied = apply_to_text(text, [e2, e1])
    assert out == "int a() {\n  return 10;\n  // x\n}\nint b() { return 20; }\n"
    ranges = {a.edit.id: (a.first_line, a.last_line) for a in applied}
    assert ranges == {"a": (1, 4), "b": (5, 5)}


def test_errors_are_attributed_by_line(tmp_path: Path) -> None:
    (tmp_path / "f.cpp").write_text("int a() {\n  return 1;\n}\nint b() {\n  return 2;\n}\n")
    e1 = FunctionEdit("a", "f.cpp", 1, "{\n  return 1;\n}", "{\n  return x;\n}")
    e2 = FunctionEdit("b", "f.cpp", 4, "{\n  return 2;\n}", "{\n  return 2;\n}")
    originals, applied = apply_edits(tmp_path, [e1, e2])
    try:
        blamed, complete = attribute_errors(tmp_path, applied, [(str(tmp_path / "f.cpp"), 2)])
    finally:
        restore(originals)
    assert blamed == {"a": 0} and complete
    assert (tmp_path / "f.cpp").read_text().startswith("int a() {\n  return 1;")


def test_real_function_passes_broken_fails_and_compile_error_is_attributed(
    harness: SwapHarness, xcore_records: dict[str, FunctionRecord]
) -> None:
    base = harness.baseline()
    assert base.failed == [] and len(base.tests) >= 60

    get_reloc = xcore_records["XCoreTargetLowering::LowerADD"] if "XCoreTargetLowering::LowerADD" in xcore_records else None
    lower_add = get_reloc or next(r for n, r in xcore_records.items() if n.endswith("XCoreTargetLowering::LowerOperation"))
    reserved = next(r for n, r in xcore_records.items() if n.endswith("XCoreRegisterInfo::getReservedRegs"))
    unused = next(r for n, r in xcore_records.items() if n.endswith("XCoreInstrInfo::isLoadFromStackSlot"))

    real = _edit(lower_add, lower_add.body)
    broken = _edit(reserved, "{\n  BitVector Reserved(getNumRegs());\n  return Reserved;\n}")
    no_compile = _edit(unused, "{\n  return this_is_not_declared_anywhere;\n}")
    outcomes = harness.evaluate([real, broken, no_compile], batch_size=8)

    assert outcomes[real.id].status == PASS
    assert outcomes[broken.id].status == FAIL and "tests changed" in outcomes[broken.id].detail
    assert outcomes[no_compile.id].status == COMPILE_ERROR
    assert "this_is_not_declared_anywhere" in outcomes[no_compile.id].detail
    # Everything was restored: the copy's sources equal the real ones, and it builds and passes as before.
    for rec in (lower_add, reserved, unused):
        assert (harness.target.path / rec.path).read_text() == (harness_real_dir(harness) / rec.path).read_text()
    assert harness._evaluate_uncached([real], 1)[real.id].status == PASS
    # A rerun is answered from the outcome cache, without building.
    probes = harness.probes
    again = harness.evaluate([real, broken, no_compile])
    assert harness.probes == probes and {k: v.status for k, v in again.items()} == {k: v.status for k, v in outcomes.items()}


def test_untested_functions_are_found(harness: SwapHarness, xcore_records: dict[str, FunctionRecord]) -> None:
    reserved = next(r for n, r in xcore_records.items() if n.endswith("XCoreRegisterInfo::getReservedRegs"))
    untested = harness.untested([_edit(reserved, reserved.body)])
    assert reserved.id not in untested  # trapping getReservedRegs crashes llc on every CodeGen test
    assert TRAP_BODY.startswith("{")
