"""The evaluation schema is honest: on the real XCore backend, with every function hooked and several alternatives
compiled in at once, the real body passes, a broken one fails, a function no test executes is "untested", and code
that does not compile or link is charged to itself; each verdict matches what a lone swap would give."""

from __future__ import annotations

from pathlib import Path

import pytest

from vega_llvm.corpus.records import FunctionRecord
from vega_llvm.evaluate.harness import COMPILE_ERROR, FAIL, PASS, UNTESTED
from vega_llvm.evaluate.schema import SchemaFunction, attribute, rewrite_body, write_schema
from vega_llvm.backend_build.cmake import qualified_name
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
    # "c": the real isLoadFromStackSlot as a whole definition naming its parameters its own way (``Instr``, ``Slot``),
    # put under the real head with references under those names (``aliases.judged_body``): it compiles
    import re

    from vega_llvm.evaluate.aliases import head_of, judged_body
    from vega_llvm.evaluate.metrics import extract_body
    renamed = re.sub(r"\bMI\b", "Instr", re.sub(r"\bFrameIndex\b", "Slot", load_slot.body))
    own_names = f"unsigned XCoreInstrInfo::isLoadFromStackSlot(const MachineInstr &Instr, int &Slot) const {renamed}"
    assert extract_body(own_names) == renamed
    aliased = judged_body(head_of(own_names, renamed), renamed, load_slot.signature)
    assert aliased.startswith("{ auto &&Instr = MI; auto &&Slot = FrameIndex;")
    assert aliased.count("\n") == renamed.count("\n")  # the compiler's lines still fall inside the body
    alternatives = {
        lower.id: {"a": lower.body, "b": "{\n}"},  # "b" falls off the end of a non-void function
        reserved.id: {"a": BROKEN_RESERVED, "b": BROKEN_RESERVED},  # one body under two systems: judged once
        load_slot.id: {"a": NO_COMPILE, "c": aliased},
        store_slot.id: {"a": NO_LINK, "b": store_slot.body},
        anchor.id: {"a": "{ /* nothing */ }"},
    }
    subjects = [Subject(r.id, r.name, r.path, r.line, r.body, alternatives.get(r.id, {}))
                for r in xcore_records.values() if not r.has_error]
    work = tmp_path_factory.mktemp("schema")
    harness = SchemaHarness(xcore_copy, work, test_timeout=60)
    calls: list[tuple[int, int]] = []
    decided, tests = harness.evaluate(subjects, progress=lambda done, total: calls.append((done, total)))
    # probing is announced once the builds and the traced run are over, then counted up to its end
    assert calls[0][0] == 0 and calls[-1][0] == calls[-1][1] and [d for d, _ in calls] == sorted(d for d, _ in calls)

    assert decided["a"][lower.id].status == PASS, decided["a"][lower.id]
    assert decided["b"][lower.id].status == FAIL  # trapped, not optimised into the real body
    assert decided["a"][reserved.id].status == FAIL and "tests changed" in decided["a"][reserved.id].detail
    assert decided["b"][reserved.id].status == FAIL
    assert decided["a"][load_slot.id].status == COMPILE_ERROR
    assert decided["c"][load_slot.id].status in (PASS, UNTESTED), decided["c"][load_slot.id]
    assert "this_is_not_declared_anywhere" in decided["a"][load_slot.id].detail
    assert decided["a"][store_slot.id].status == COMPILE_ERROR
    assert "vega_symbol_nobody_defines" in decided["a"][store_slot.id].detail
    assert decided["b"][store_slot.id].status in (PASS, UNTESTED)
    assert decided["a"][anchor.id].status == UNTESTED and tests[anchor.id] == []
    # The trace: getReservedRegs runs in every CodeGen test, the asm-info anchor in none.
    assert len(tests[reserved.id]) >= 40 and all(t.startswith("CodeGen/XCore/") for t in tests[reserved.id])
    # LowerOperation twice, getReservedRegs (once for both systems), isStoreToStackSlot "b" and isLoadFromStackSlot
    # "c" when a test runs them.
    assert harness.probes == 3 + bool(tests[store_slot.id]) + bool(tests[load_slot.id])
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


class _FakeJudge:
    """Stands in for the CMake build and lit (minutes each), so that a test can count what the harness reruns:
    every lit run is recorded, one test "executes" every schema function, and every probe leaves it passing."""

    TEST = "CodeGen/XCore/a.ll"

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.builds = 0
        self.lit_runs: list[dict[str, str]] = []

    def build(self, target_dir: Path, build_dir: Path, **kwargs: object) -> object:
        from types import SimpleNamespace

        self.builds += 1
        return SimpleNamespace(llc=str(self.tmp / "llc"), llvm_mc=str(self.tmp / "llvm-mc"))

    def run_tests(self, target: str, **kwargs: object) -> object:
        from vega_llvm.littest.runner import LitReport
        from vega_llvm.littest.tracing import trace_file_name

        params: dict[str, str] = kwargs.get("params") or {}  # type: ignore[assignment]
        self.lit_runs.append(params)
        if "vega_trace_dir" in params:
            (Path(params["vega_trace_dir"]) / trace_file_name(self.TEST)).write_text("0\n1\n2\n")
        return LitReport(target, "ours:fake", ["codegen"], {self.TEST: "PASS"}, 0.0)


def _fake_llvm_tree(root: Path, test_text: str) -> Path:
    """An llvm-project root whose XCore lit tests are one file we can change (the real tree is shared)."""
    (root / "llvm" / "lib" / "Target").mkdir(parents=True, exist_ok=True)
    tests = root / "llvm" / "test" / "CodeGen" / "XCore"
    tests.mkdir(parents=True, exist_ok=True)
    (root / "llvm" / "test" / "lit.cfg.py").write_text("# lit config\n")
    (tests / "a.ll").write_text(test_text)
    return root


def test_cached_verdicts_are_keyed_by_what_decides_them(
    xcore_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A verdict depends on the lit tests, the per-test timeout, the toolchain and the judge's code, not only on the
    function and the body: changing any of them must rerun the probes (and the traced run), not read old verdicts."""
    from vega_llvm import provenance
    from vega_llvm.evaluate import schema_harness
    from vega_llvm.llvm import toolchain

    fake = _FakeJudge(tmp_path)
    monkeypatch.setattr(schema_harness, "build", fake.build)
    monkeypatch.setattr(schema_harness, "run_tests", fake.run_tests)
    root = _fake_llvm_tree(tmp_path / "llvm-project", "; RUN: llc < %s\n")
    monkeypatch.setenv("VEGA_LLVM_SRC", str(root))
    anchor = Subject("XCore/XCoreMachineFunctionInfo.cpp:16", "XCoreFunctionInfo::anchor", "XCoreMachineFunctionInfo.cpp",
                     16, "{ }", {"a": "{ /* a */ }", "b": "{ /* b */ }"})
    work = tmp_path / "schema"

    def judge(timeout: float = 60) -> tuple[int, int]:
        """(probes, traced lit runs) of one evaluation by a fresh harness over the same work folder."""
        harness = SchemaHarness(xcore_copy, work, test_timeout=timeout)
        runs = len(fake.lit_runs)
        decided, tests = harness.evaluate([anchor])
        assert decided["a"][anchor.id].status == PASS and tests[anchor.id] == [_FakeJudge.TEST]
        traced = sum("vega_trace_dir" in p for p in fake.lit_runs[runs:])
        return harness.probes, traced

    assert judge() == (2, 1)
    assert judge() == (0, 0)  # the same judge: answered from the caches
    (root / "llvm" / "test" / "CodeGen" / "XCore" / "a.ll").write_text("; RUN: llc -O0 < %s\n")
    assert judge() == (2, 1)  # a lit test changed
    assert judge() == (0, 0)
    assert judge(timeout=5) == (2, 1)  # another per-test timeout (a TIMEOUT may become a PASS)
    (root / "llvm" / "test" / "lit.cfg.py").write_text("# lit config, changed\n")
    assert judge(timeout=5) == (2, 1)  # the lit configuration changed
    real_digest = provenance.code_digest
    monkeypatch.setattr(provenance, "code_digest", lambda stage: "other-code-" + real_digest(stage))
    assert judge(timeout=5) == (2, 1)  # the judge's own code changed (building, charging, probing)
    real_tc = toolchain.find_toolchain()
    monkeypatch.setattr(toolchain, "find_toolchain", lambda: toolchain.Toolchain(real_tc.prefix, "16.0.7"))
    assert judge(timeout=5) == (2, 1)  # another LLVM


def test_judge_key_names_what_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vega_llvm.evaluate.keys import judge_stamp, lit_test_files
    from vega_llvm.provenance import differences

    root = _fake_llvm_tree(tmp_path / "llvm-project", "; RUN: llc < %s\n")
    (root / "llvm" / "test" / "CodeGen" / "XCore" / "lit.local.cfg").write_text("config.unsupported = False\n")
    (root / "llvm" / "test" / "CodeGen" / "lit.local.cfg").write_text("# above the suite\n")
    (root / "llvm" / "test" / "CodeGen" / "RISCV").mkdir()
    (root / "llvm" / "test" / "CodeGen" / "RISCV" / "b.ll").write_text("; another target\n")
    monkeypatch.setenv("VEGA_LLVM_SRC", str(root))
    names = {p.name for p in lit_test_files("XCore")}
    assert names == {"a.ll", "lit.local.cfg", "lit.cfg.py", "lit.site.cfg.py.in"}
    assert len([p for p in lit_test_files("XCore") if p.name == "lit.local.cfg"]) == 2
    before = judge_stamp("XCore", "backend-1", 60)
    (root / "llvm" / "test" / "CodeGen" / "RISCV" / "b.ll").write_text("; changed, not XCore's\n")
    assert judge_stamp("XCore", "backend-1", 60) == before
    (root / "llvm" / "test" / "CodeGen" / "lit.local.cfg").write_text("# changed\n")
    after = judge_stamp("XCore", "backend-1", 60)
    assert [d.split()[1] for d in differences(before, after)] == ["lit_tests"]
    assert [d.split()[1] for d in differences(after, judge_stamp("XCore", "backend-2", 30))] == ["backend", "test_timeout"]


TOY_CPP = """// A stand-in backend file: the schema hooks both functions.
struct Info { int Cached0 = 0, Cached1 = 1; };
static Info I;

int first(int X) {
  return X + I.Cached0;
}

int second(int X) {
  return X - I.Cached1;
}
"""


def _cascade(name: str) -> str:
    """A body with an error of its own and a #define that breaks the code after it that names ``name``: GCC reports
    "expected ';' before numeric constant" on the line of that code."""
    return f"{{\n#define {name} 7\n  return vega_undeclared_in_this_body;\n}}"


class _SyntaxOnlyBuild:
    """The schema's build as a Ninja log of the real C++ compiler run with -fsyntax-only on every .cpp: real
    diagnostics, real cascades, without CMake and LLVM's libraries."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp

    def __call__(self, target_dir: Path, build_dir: Path, **kwargs: object) -> object:
        from types import SimpleNamespace

        from vega_llvm.errors import BuildError
        from vega_llvm.proc import run

        build_dir.mkdir(parents=True, exist_ok=True)
        log = []
        for src in sorted(Path(target_dir).rglob("*.cpp")):
            argv = ["c++", "-std=c++17", "-fsyntax-only", "-c", str(src)]
            res = run(argv, timeout=120)
            if not res.ok:
                log += [f"FAILED: {src.stem}.o", " ".join(argv), res.stderr]
        if log:
            (build_dir / "build.log").write_text("\n".join(log) + "\n")
            raise BuildError("build failed", build_dir / "build.log")
        return SimpleNamespace(llc=str(self.tmp / "llc"), llvm_mc=str(self.tmp / "llvm-mc"))


def test_errors_running_on_from_one_system_are_not_charged_to_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A compile error's consequences in the lines after it (here a stray #define) land on the alternatives that
    follow it. Neither system is always first, and a charge that follows another charged alternative of the same
    function is rebuilt without that one before it counts: the correct body is never charged."""
    from vega_llvm.evaluate import schema_harness
    from vega_llvm.evaluate.schema_harness import system_order

    real = tmp_path / "XCore"
    real.mkdir()
    (real / "CMakeLists.txt").write_text("add_llvm_component_group(XCore)\n")
    (real / "XCore.td").write_text("")
    (real / "Toy.cpp").write_text(TOY_CPP)
    fake = _FakeJudge(tmp_path)
    monkeypatch.setattr(schema_harness, "build", _SyntaxOnlyBuild(tmp_path))
    monkeypatch.setattr(schema_harness, "run_tests", fake.run_tests)
    first = Subject("toy:first", "first", "Toy.cpp", 5, "{\n  return X + I.Cached0;\n}",
                    {"a": _cascade("Cached0"), "b": "{\n  return I.Cached0 + X;\n}"})
    second = Subject("toy:second", "second", "Toy.cpp", 9, "{\n  return X - I.Cached1;\n}",
                     {"a": "{\n  return -I.Cached1 + X;\n}", "b": _cascade("Cached1")})
    harness = SchemaHarness(real, tmp_path / "schema", test_timeout=60)
    decided, _tests = harness.evaluate([first, second])

    status = {(system, sid): o.status for system, d in decided.items() for sid, o in d.items()}
    assert status == {("a", first.id): COMPILE_ERROR, ("b", first.id): PASS,
                      ("a", second.id): PASS, ("b", second.id): COMPILE_ERROR}, decided
    assert "vega_undeclared_in_this_body" in decided["a"][first.id].detail
    assert harness.builds == 2  # the failed build, then one without the two charged alternatives
    # Over many functions each system comes first equally often.
    firsts = [system_order(["forkflow", "model"], fid)[0] for fid in range(10)]
    assert firsts.count("forkflow") == firsts.count("model") == 5
