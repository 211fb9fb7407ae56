"""The evaluation schema is honest: on the real XCore backend, with every function hooked and several alternatives
compiled in at once, the real body passes, a broken one fails, a function no test executes is "untested", and code
that does not compile or link is charged to itself; each verdict matches what a lone swap would give."""

from __future__ import annotations

from pathlib import Path

import pytest

from vega_llvm.corpus.build import build_corpus
from vega_llvm.corpus.records import FunctionRecord, load_corpus
from vega_llvm.evaluate.harness import COMPILE_ERROR, FAIL, PASS, UNTESTED
from vega_llvm.evaluate.schema import SchemaFunction, attribute, rewrite_body, write_schema
from vega_llvm.build.cmake import qualified_name
from vega_llvm.evaluate.schema_harness import SchemaHarness, Subject

pytestmark = pytest.mark.llvm

BROKEN_RESERVED = "{\n  BitVector Reserved(getNumRegs());\n  return Reserved;\n}"
NO_COMPILE = "{\n  return this_is_not_declared_anywhere;\n}"
NO_LINK = "{\n  extern unsigned vega_symbol_nobody_defines(const MachineInstr &);\n  return vega_symbol_nobody_defines(MI);\n}"


def test_rewrite_keeps_each_alternative_on_its_own_lines(tmp_path: Path) -> None:
    fn = SchemaFunction(3, "t/f.cpp:1", "f.cpp", 1, "{\n  return 1;\n}", ("{ return 2; }", "{\n  return x;\n}"))
    body, spans = rewrite_body(fn)
    lines = body.splitlines()
    assert [(k, lines[a - 1 : b]) for k, a, b in [(k, a + 1, b + 1) for k, a, b in spans]] == [
        (1, ["{ return 2; }"]), (2, ["{", "  return x;", "}"]), (0, ["{", "  return 1;", "}"])]
    assert "::vega_swap::pick(3); vega_swap_v == 1)" in body and "else if (vega_swap_v == 2)" in body

    real = tmp_path / "real"
    real.mkdir()
    (real / "f.cpp").write_text("int f() {\n  return 1;\n}\n")
    (real / "g.h").write_text("// untouched\n")
    spans2 = write_schema(real, tmp_path / "schema", [fn])
    text = (tmp_path / "schema" / "f.cpp").read_text()
    assert text.startswith("#ifndef VEGA_SWAP_PRELUDE") and (tmp_path / "schema" / "g.h").read_text() == "// untouched\n"
    wrong = next(s for s in spans2 if s.k == 2)
    line_of_x = text.splitlines().index("  return x;") + 1
    assert wrong.first_line <= line_of_x <= wrong.last_line
    blamed, unexplained = attribute(spans2, tmp_path / "schema", [(str(tmp_path / "schema" / "f.cpp"), line_of_x),
                                                                   (str(tmp_path / "schema" / "f.cpp"), 1)])
    assert blamed == {(3, 2)} and unexplained == {"f.cpp"}


def test_linker_names_are_matched_to_records() -> None:
    assert qualified_name("llvm::XCoreInstrInfo::isLoadFromStackSlot(llvm::MachineInstr const&, int&) const") == \
        "XCoreInstrInfo::isLoadFromStackSlot"
    assert qualified_name("(anonymous namespace)::XCoreDAGToDAGISel::Select(llvm::SDNode*)") == "XCoreDAGToDAGISel::Select"


@pytest.fixture(scope="module")
def xcore_records(llvm_src: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, FunctionRecord]:
    out = tmp_path_factory.mktemp("corpus")
    build_corpus(llvm_src, out, targets=["XCore"], progress=False)
    return {r.name: r for r in load_corpus(out) if r.target == "XCore"}


def test_schema_verdicts_on_the_real_xcore_backend(
    xcore_copy: Path, xcore_build, xcore_records: dict[str, FunctionRecord], tmp_path_factory: pytest.TempPathFactory
) -> None:
    def rec(suffix: str) -> FunctionRecord:
        return next(r for n, r in xcore_records.items() if n.endswith(suffix))

    lower = rec("XCoreTargetLowering::LowerOperation")
    reserved = rec("XCoreRegisterInfo::getReservedRegs")
    load_slot = rec("XCoreInstrInfo::isLoadFromStackSlot")
    store_slot = rec("XCoreInstrInfo::isStoreToStackSlot")
    anchor = rec("XCoreMCAsmInfo::anchor")
    alternatives = {
        lower.id: {"a": lower.body, "b": "{\n}"},  # "b" falls off the end of a non-void function
        reserved.id: {"a": BROKEN_RESERVED, "b": BROKEN_RESERVED},  # one body under two systems: judged once
        load_slot.id: {"a": NO_COMPILE},
        store_slot.id: {"a": NO_LINK, "b": store_slot.body},
        anchor.id: {"a": "{ /* nothing */ }"},
    }
    subjects = [Subject(r.id, r.name, r.path, r.line, r.body, alternatives.get(r.id, {}))
                for r in xcore_records.values() if not r.has_error]
    work = tmp_path_factory.mktemp("schema")
    harness = SchemaHarness(xcore_copy, work, test_timeout=60)
    decided, tests = harness.evaluate(subjects)

    assert decided["a"][lower.id].status == PASS, decided["a"][lower.id]
    assert decided["b"][lower.id].status == FAIL  # trapped, not optimised into the real body
    assert decided["a"][reserved.id].status == FAIL and "tests changed" in decided["a"][reserved.id].detail
    assert decided["b"][reserved.id].status == FAIL
    assert decided["a"][load_slot.id].status == COMPILE_ERROR
    assert "this_is_not_declared_anywhere" in decided["a"][load_slot.id].detail
    assert decided["a"][store_slot.id].status == COMPILE_ERROR
    assert "vega_symbol_nobody_defines" in decided["a"][store_slot.id].detail
    assert decided["b"][store_slot.id].status in (PASS, UNTESTED)
    assert decided["a"][anchor.id].status == UNTESTED and tests[anchor.id] == []
    # The trace: getReservedRegs runs in every CodeGen test, the asm-info anchor in none.
    assert len(tests[reserved.id]) >= 40 and all(t.startswith("CodeGen/XCore/") for t in tests[reserved.id])
    # LowerOperation twice, getReservedRegs (once for both systems), isStoreToStackSlot "b" when a test runs it.
    assert harness.probes == 3 + bool(tests[store_slot.id])
    # With nothing switched on, the schema is the real backend: the same result for every lit test.
    import json

    from vega_llvm.littest.runner import run_tests

    traced = json.loads((work / "trace.json").read_text())["baseline"]["tests"]
    real = run_tests("XCore", llc=Path(xcore_build.llc), llvm_mc=Path(xcore_build.llvm_mc), run_dir=work / "real-lit")
    assert traced == real.tests
    # The schema copy lives in the harness's work directory; the real target is untouched.
    assert (xcore_copy / reserved.path).read_text() == (Path(xcore_build.target_dir) / reserved.path).read_text()
    assert "vega_swap" not in (xcore_copy / reserved.path).read_text()

    # A rerun is answered from the outcome cache and the cached trace, without probes.
    again = SchemaHarness(xcore_copy, work, test_timeout=60)
    decided2, tests2 = again.evaluate(subjects)
    assert again.probes == 0 and tests2 == tests
    assert {s: {i: o.status for i, o in d.items()} for s, d in decided2.items()} == \
        {s: {i: o.status for i, o in d.items()} for s, d in decided.items()}


@pytest.mark.parametrize("body,problem", [
    ("{ return 1; }", None),
    ('{ x = "(\\""; /* ) */ c = \'{\'; // }\n  n = 1\'000; }', None),
    ("{ if (a { b(); }", "'(' is never closed"),
    ("{ if (a { b(); } }", "unmatched '}'"),
    ("{ f(a]; }", "unmatched ']'"),
    ("{ if (a) { b(); }", "never closed"),
    ("{ } }", "unmatched '}'"),
    ("{ } x", "after the closing brace"),
    ("int x; { }", "does not start with"),
])
def test_bracket_check(body: str, problem: str | None) -> None:
    from vega_llvm.evaluate.swap import bracket_error

    got = bracket_error(body)
    assert (got is None) if problem is None else (got is not None and problem in got), got
