"""Metrics and baselines of the evaluation, on real LLVM functions."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from vega_llvm.corpus.build import build_corpus
from vega_llvm.corpus.records import load_corpus
from vega_llvm.errors import ConfigError
from vega_llvm.evaluate.forkflow import forkflow_bodies, rename
from vega_llvm.evaluate.metrics import compare, read
from vega_llvm.evaluate.run import Candidate, Row, extract_body, load_generated, summarise
from vega_llvm.evaluate.run import ORACLE
from vega_llvm.generate.baseline import nearest_bodies
from vega_llvm.jsonl import target_rows


@pytest.fixture(scope="module")
def corpus_dir(llvm_src: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    build_corpus(llvm_src, out, targets=["XCore", "Mips", "Lanai"], progress=False)
    return out


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path):
    return load_corpus(corpus_dir)


def test_rename_keeps_case_style() -> None:
    src = "return Mips::ZERO + MIPS_REG + isMips64() + mipsFoo;"
    assert rename(src, ["Mips"], "XCore") == "return XCore::ZERO + XCORE_REG + isXCore64() + xcoreFoo;"
    assert rename("PPC::X0 + PPCFoo", ["PowerPC", "PPC"], "Lanai") == "Lanai::X0 + LanaiFoo"


SIG = "unsigned f(unsigned K)"


def test_metrics_ignore_formatting_and_count_statements() -> None:
    truth = "{\n  switch (K) {\n  case A: return 1;\n  case B: return 2;\n  }\n  return 0; // done\n}"
    same = "{ switch (K) { case A: return 1; case B: return 2; } return 0; }"
    half = "{ switch (K) { case A: return 1; case C: return 3; } return 0; }"
    c = compare(same, truth, SIG)
    assert c.exact and c.accurate_statements == c.truth_statements == 6
    h = compare(half, truth, SIG)
    assert not h.exact and 0 < h.accurate_statements < h.truth_statements
    assert compare(None, truth, SIG).accurate_statements == 0
    assert "case A :" in read(truth).statements


def test_statement_accuracy_has_one_answer_for_every_form() -> None:
    """The case where the two old implementations disagreed (5/8 in generate, 0/3 in eval): a function with no
    right statement. The signature and the brace lines of generate's line form are not statements, so the function
    as generate writes it and its bare body as eval judges it score the same: nothing right."""
    truth = "{\n  if (K)\n    return 1;\n  return 0;\n}"
    generated = f"{SIG}\n{{\n  if ( J )\n  {{\n    return 2 ;\n  }}\n  return 3 ;\n}}"
    bare = "{ if (J) { return 2; } return 3; }"
    assert compare(generated, truth, SIG) == compare(bare, truth, SIG)
    assert (compare(generated, truth, SIG).accurate_statements, compare(bare, truth, SIG).truth_statements) == (0, 3)
    right = f"{SIG} {{ if (K) return 1; return 0; }}"
    assert compare(right, truth, SIG).exact and compare(right, truth, SIG).statement_accuracy == 1.0
    # Whole-function exact match: the candidate's own signature counts when it writes one.
    assert not compare("unsigned f(unsigned J) { if (K) return 1; return 0; }", truth, SIG).exact


def test_template_round_trip_is_exact_against_the_real_functions(corpus, corpus_dir: Path, tmp_path: Path) -> None:
    """``generate`` writes a function in the templates' line form (signature on top, one line per statement head,
    braces on lines of their own); the real function is source text. Each training member written back from its
    template compares exact, every statement right, with its real function: both forms read the same."""
    from vega_llvm.templates import instantiate, load_templates
    from vega_llvm.templates.build import build_templates

    build_templates(corpus_dir, tmp_path / "templates", holdout="XCore", jobs=1, progress=False)
    records = {r.id: r for r in corpus if not r.has_error}
    members = [(t, m) for t in load_templates(tmp_path / "templates") for m in t.members if m.function in records]
    assert len(members) > 1000
    for t, m in members:
        r = records[m.function]
        c = compare(instantiate(t, m), r.body, r.signature)
        assert c.exact and c.accurate_statements == c.truth_statements, r.id


def test_generate_scores_with_the_eval_metrics() -> None:
    """``generate`` and ``eval`` share one scorer; the old line-based one is gone."""
    import vega_llvm.generate.generate as gen
    import vega_llvm.generate.groundtruth as gt
    from vega_llvm.evaluate import metrics

    assert gen.compare is metrics.compare
    assert not hasattr(gt, "score") and not hasattr(gt, "tree_lines")


def test_text_after_the_body_is_judged_not_cut() -> None:
    """A generated function that runs on past its body is a candidate as a whole: it goes to the compiler as
    written (and fails there), and it is neither exact nor free of its extra statements."""
    ran_on = "void f() { a(); } } b(); return; }"
    assert extract_body(ran_on) == ran_on
    assert extract_body("{ a(); } } b(); return; }") == "{ a(); } } b(); return; }"
    assert extract_body("void f() /* ok */ {\n  a();\n}\n") == "{\n  a();\n}"
    truth = "{ a(); }"
    bare_run_on = "{ a(); } }\nb();"
    assert not compare(bare_run_on, truth, "void f()").exact
    assert not compare(ran_on, truth, "void f()").exact
    assert read(ran_on).statements == ("a ( ) ;", "b ( ) ;", "return ;")
    assert Candidate(ran_on).body == ran_on and Candidate("void f() { a(); }").body == "{ a(); }"


def test_target_rows_reads_one_target_whatever_the_separators(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"target":"ARC","n":1}\n{"target": "ARC", "n": 2}\n{"target":"ARCx","n":3,"spelling":"ARC"}\n'
                    '{"target":"Lanai","n":4}\n{"Target":"ARC","n":5}\n')
    assert [r["n"] for r in target_rows(path, "ARC")] == [1, 2]
    assert [r["n"] for r in target_rows(path, {"ARC", "Lanai"})] == [1, 2, 4]
    assert [r["n"] for r in target_rows(path, "ARC", field="Target")] == [5]
    path.write_text('{"target":"ARC", broken\n')
    with pytest.raises(ConfigError, match=r"rows.jsonl:1: not JSON"):
        list(target_rows(path, "ARC"))


def test_forkflow_on_real_functions(corpus) -> None:
    xcore = [r for r in corpus if r.target == "XCore"]
    mips = [r for r in corpus if r.target == "Mips"]
    bodies = forkflow_bodies(xcore, mips, ["Mips"], "XCore")
    have = {i: b[0] for i, b in bodies.items() if b}
    assert have, "Mips shares no function group with XCore"
    # each copy comes with its donor's signature, respelled as the body is (what the body calls its parameters)
    from vega_llvm.generate.groundtruth import first_definitions
    firsts = first_definitions(mips)
    for r in xcore:
        if bodies[r.id]:
            assert bodies[r.id][1] == rename(firsts[r.key].signature, ["Mips"], "XCore")
    for i, b in have.items():
        # Renamed wherever the corpus abstracts the name (`MipsInstrInfo`, `R_MIPS_32`); a longer word of another
        # target that merely starts with it (`getTheMipselTarget`: the little-endian Mips) is left as written.
        assert not re.search(r"(?<![A-Z])Mips(?![a-z])", b) and not re.search(r"(?<![A-Z])MIPS(?![A-Z])", b), b
    # A function Mips has no counterpart for gets nothing, never a made-up body.
    assert any(b is None for b in bodies.values())


def test_forkflow_overload_choice_does_not_read_the_target(corpus) -> None:
    """Mips defines ``analyzeBranch`` twice; which one ForkFlow copies must not depend on XCore's real signature
    (the old rule took the overload of the closest signature length: a leak of the held-out code)."""
    key = ("InstrInfo.cpp", "<T>InstrInfo::analyzeBranch")
    mips = [r for r in corpus if r.target == "Mips"]
    overloads = sorted((r for r in mips if r.key == key), key=lambda r: (r.path, r.line))
    assert len(overloads) == 2
    target = next(r for r in corpus if r.target == "XCore" and r.key == key)
    chosen = {forkflow_bodies([dataclasses.replace(target, signature=o.signature)], mips, ["Mips"], "XCore")[target.id]
              for o in overloads}
    assert chosen == {(rename(overloads[0].body, ["Mips"], "XCore"), rename(overloads[0].signature, ["Mips"], "XCore"))}


def test_real_functions_compare_exactly_only_with_their_own_tokens(corpus) -> None:
    """Exact match is token equality: every real XCore function equals itself reformatted and commented, whole or
    as a body, and stops being exact (losing exactly one statement) when its final ``return`` is taken out."""
    xcore = [r for r in corpus if r.target == "XCore" and not r.has_error]
    final_return = re.compile(r"(?<=[;{}])(\s*return[^;{}]*;)(\s*}\s*)$")
    checked = 0
    for r in xcore:
        truth = read(r.body, True)
        reflowed = "{ // reformatted\n" + "\n".join(truth.tokens[1:])
        assert compare(reflowed, r.body, r.signature).exact, r.id
        assert compare(f"{r.signature}\n{reflowed}", r.body, r.signature).exact, r.id
        if final_return.search(r.body):
            c = compare(final_return.sub(r"\2", r.body), r.body, r.signature)
            assert not c.exact and c.accurate_statements == c.truth_statements - 1, r.id
            checked += 1
    assert checked > 20


def test_nearest_copies_from_the_most_similar_target_that_has_the_group(corpus) -> None:
    """Each XCore function from the first target of the ranking that implements its group, respelled; the copy
    does not change when the held-out function's own code does."""
    xcore = [r for r in corpus if r.target == "XCore"]
    train = [r for r in corpus if r.target in ("Lanai", "Mips")]
    lanai_keys = {r.key for r in train if r.target == "Lanai"}
    mips_keys = {r.key for r in train if r.target == "Mips"}
    got = nearest_bodies(xcore, train, ["Lanai", "Mips"], {"Lanai": ["Lanai"], "Mips": ["Mips"]}, "XCore")
    for r in xcore:
        want = "Lanai" if r.key in lanai_keys else "Mips" if r.key in mips_keys else None
        assert (got[r.id] or (None,))[0] == want, r.id
        if got[r.id]:
            assert "Lanai" not in got[r.id][1] and "Mips" not in got[r.id][1]
            assert "Lanai" not in got[r.id][2] and "Mips" not in got[r.id][2] and "(" in got[r.id][2]
    assert any(v and v[0] == "Mips" for v in got.values()) and any(v is None for v in got.values())
    changed = [dataclasses.replace(r, body="{ return; }", signature="void g()") for r in xcore]
    assert nearest_bodies(changed, train, ["Lanai", "Mips"], {"Lanai": ["Lanai"], "Mips": ["Mips"]}, "XCore") == got


def test_best_member_is_the_closest_training_version_of_each_function(corpus) -> None:
    from vega_llvm.evaluate.run import best_member_candidates, nearest_candidates

    xcore = [r for r in corpus if r.target == "XCore"]
    names = {"Lanai": {"spellings": ["Lanai"]}, "Mips": {"spellings": ["Mips"]}}
    best = best_member_candidates(xcore, corpus, ["Lanai", "Mips"], names, "XCore")
    near = nearest_candidates(xcore, corpus, ["Lanai", "Mips"], names, "XCore")
    differ = 0
    for r in xcore:
        b, n = best[r.id], near[r.id]
        assert (b.body is None) == (n.body is None), r.id
        if b.body is None:
            continue
        cb, cn = compare(b.body, r.body, r.signature), compare(n.body, r.body, r.signature)
        assert (cb.exact, cb.accurate_statements) >= (cn.exact, cn.accurate_statements), r.id
        differ += b.source != n.source
    assert differ > 0  # on some functions Mips' version is closer than the nearer Lanai's


def test_load_generated_matches_by_group_and_extracts_body(corpus, tmp_path: Path) -> None:
    xcore = [r for r in corpus if r.target == "XCore"]
    r = next(x for x in xcore if x.qname.endswith("getReservedRegs"))
    line = {"Target": "XCore", "Module": r.module, "File": r.file, "Func": r.qname,
            "Code": r.signature + " " + r.body, "Confidence": 0.8}
    other = {**line, "Target": "Lanai", "Code": "{ return Lanai::R0; }", "Confidence": 0.1}
    path = tmp_path / "result.jsonl"
    path.write_text(json.dumps(other) + "\n" + json.dumps(line) + "\n")
    got = load_generated(path, "XCore", xcore)
    assert got[r.id].confidence == 0.8 and got[r.id].body == r.body
    assert compare(got[r.id].text, r.body, r.signature).exact
    lanai_only = tmp_path / "lanai.jsonl"
    lanai_only.write_text(json.dumps(other) + "\n")
    with pytest.raises(ConfigError, match="no generated function of XCore"):
        load_generated(lanai_only, "XCore", xcore)


def test_a_generated_function_is_scored_against_the_overload_it_defines(corpus, tmp_path: Path) -> None:
    """A group can hold two overloads of one target (RISC-V's ``isTruncateFree(Type *, Type *)`` and
    ``(EVT, EVT)``): the generated one is matched by its parameter types, not to whichever the file has first."""
    r = next(x for x in corpus if x.target == "XCore" and x.qname.endswith("getReservedRegs"))
    first = dataclasses.replace(r, id=r.id + "#1", signature="bool XCoreTargetLowering::isTruncateFree(Type *A, Type *B) const")
    second = dataclasses.replace(r, id=r.id + "#2", signature="bool XCoreTargetLowering::isTruncateFree(EVT A, EVT B) const")
    line = {"Target": "XCore", "File": r.file, "Func": r.qname, "Confidence": 0.5,
            "Code": "bool XCoreTargetLowering :: isTruncateFree ( EVT VT1 , EVT VT2 ) const\n{ return false ; }"}
    path = tmp_path / "result.jsonl"
    path.write_text(json.dumps(line) + "\n")
    got = load_generated(path, "XCore", [first, second])
    assert list(got) == [second.id]
    # no parameter list to tell them apart: the file's order
    path.write_text(json.dumps({**line, "Code": "{ return false ; }"}) + "\n")
    assert list(load_generated(path, "XCore", [first, second])) == [first.id]


def test_summary_counts_untested_apart() -> None:
    def row(status: str, tested: bool) -> Row:
        return Row("X", "SEL", "f", "g", "{}", "{}", None, "s", "id", status, tested, False, 1, 2)

    s = summarise([row("pass", True), row("fail", True), row("pass", False), row("compile_error", True)])["s"]["all"]
    assert s["tested"] == 3 and s["untested"] == 1 and s["pass"] == 1
    assert s["pass@1"] == pytest.approx(1 / 3, abs=1e-3)


def test_summary_says_what_the_passes_are() -> None:
    """Beside pass@1: passes whose real body is empty (``{}`` passes them unprobed) and passes that are
    token-identical copies of the real function; untested and failed rows count in neither."""
    def row(truth: str, status: str, exact: bool, tested: bool = True) -> Row:
        return Row("X", "SEL", "f", "g", "{}", truth, None, "s", "id", status, tested, exact, 0, 0)

    rows = [row("{\n}", "pass", True), row("{ /* nothing */ }", "pass", False), row("{ return 1; }", "pass", True),
            row("{ return 2; }", "pass", False), row("{}", "pass", True, tested=False), row("{}", "fail", False)]
    s = summarise(rows)["s"]["all"]
    assert (s["pass"], s["pass_empty_body"], s["pass_identical"]) == (4, 2, 2)


def test_summary_counts_the_passes_that_call_llvms_default(tmp_path: Path) -> None:
    """A generated hook written as a call of LLVM's default (``generate/defaults.py``) keeps its source from
    generate's row to the evaluation's, and its passes are counted apart and named under the table."""
    from vega_llvm.corpus.records import FunctionRecord
    from vega_llvm.evaluate.run import load_generated, markdown
    from vega_llvm.generate.defaults import LLVM_DEFAULT

    rec = FunctionRecord("XCore/XCoreInstrInfo.cpp:1", "XCore", "XCoreInstrInfo.cpp", "<T>InstrInfo.cpp",
                         "<T>InstrInfo::isAsCheapAsAMove", "XCoreInstrInfo::isAsCheapAsAMove", "OPT", "XCore", 1,
                         "bool XCoreInstrInfo::isAsCheapAsAMove(const MachineInstr &MI) const", "{ return true; }",
                         False, {})
    line = {"Target": "XCore", "File": rec.file, "Func": rec.qname, "Confidence": 0.0, "source": LLVM_DEFAULT,
            "vega_code": "bool XCoreInstrInfo :: isAsCheapAsAMove ( const MachineInstr & MI ) const\n"
                         "{ return TargetInstrInfo :: isAsCheapAsAMove ( MI ) ; }"}
    (tmp_path / "g.jsonl").write_text(json.dumps(line) + "\n")
    assert load_generated(tmp_path / "g.jsonl", "XCore", [rec])[rec.id].source == LLVM_DEFAULT

    def row(status: str, source: str) -> Row:
        return Row("X", "SEL", "f", "g", "{}", "{ x; }", None, "vega-llvm", "id", status, True, False, 0, 0,
                   source=source)

    summary = summarise([row("pass", LLVM_DEFAULT), row("fail", LLVM_DEFAULT), row("pass", "member:Lanai")])
    assert summary["vega-llvm"]["all"]["pass_llvm_default"] == 1
    meta = {"holdout": "XCore", "commit": "c", "llvm_version": "16.0.6", "command": "vega-llvm eval"}
    assert "LLVM's default" in markdown(summary, meta) and "vega-llvm 1." in markdown(summary, meta)


@pytest.mark.llvm
def test_eval_end_to_end_on_xcore(corpus, corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """`eval` with a results file: bodies that do not compile are compile errors, correct rewrites pass or are
    untested (as the trace says), identical ones are exact; ForkFlow is judged in the same run."""
    from vega_llvm.evaluate.run import run_eval

    tmp = tmp_path_factory.mktemp("eval")
    xcore = sorted((r for r in corpus if r.target == "XCore"), key=lambda r: r.id)
    others = {r.key for r in corpus if r.target != "XCore"}
    covered = [r for r in xcore if r.key in others][:24]
    lines, expect = [], {}
    for i, r in enumerate(covered):
        if i % 3 == 0:
            code, expect[r.id] = r.body, "exact"
        elif i % 3 == 1:
            code, expect[r.id] = "{\n  return vega_undeclared_identifier;\n}", "compile_error"
        else:
            code, expect[r.id] = "{\n  (void)0;\n" + r.body[1:], "correct"
        lines.append(json.dumps({"Target": "XCore", "id": r.id, "Code": code, "Confidence": 0.5}))
    results = tmp / "generated.jsonl"
    results.write_text("\n".join(lines) + "\n")
    res = run_eval("XCore", results=results, corpus_dir=corpus_dir, out_dir=tmp / "out", work_dir=tmp / "work",
                   limit=24, test_timeout=60, log=lambda m: None)
    rows = {(r.system, r.id): r for r in res["rows"]}
    for rid, kind in expect.items():
        row = rows[("vega-llvm", rid)]
        if kind == "exact":
            assert row.exact and row.status == "pass"
        elif kind == "compile_error":
            assert row.status == "compile_error" and "vega_undeclared_identifier" in row.detail
        else:
            assert not row.exact and row.status == ("pass" if row.tested else "untested"), (rid, row.status, row.detail)
    assert any(r.tested for r in res["rows"]) and any(not r.tested for r in res["rows"])
    assert {r.system for r in res["rows"]} == {"vega-llvm", "forkflow", "nearest", ORACLE}
    for rid in expect:  # the upper bound of copying is at least the nearest copy, function by function
        best, near = rows[(ORACLE, rid)], rows[("nearest", rid)]
        assert (best.exact, best.accurate_statements) >= (near.exact, near.accurate_statements)
    nearest = [r for r in res["rows"] if r.system == "nearest"]
    assert {r.source for r in nearest if r.Code} <= {"Mips", "Lanai"} and any(r.status != "missing" for r in nearest)
    assert res["meta"]["schema_builds"] >= 2  # the first build fails on the undeclared identifiers
    summary = json.loads((tmp / "out" / "summary.json").read_text())
    assert summary["summary"]["vega-llvm"]["all"]["compile_error"] == sum(
        1 for rid, k in expect.items() if k == "compile_error" and rows[("vega-llvm", rid)].tested)
    for system in ("vega-llvm", "forkflow", "nearest"):
        a = summary["summary"][system]["all"]
        assert 0 <= a["pass_identical"] <= a["pass"] and 0 <= a["pass_empty_body"] <= a["pass"]
        assert f"| {system} |" in (tmp / "out" / "summary.md").read_text()
    assert summary["summary"]["vega-llvm"]["all"]["pass_identical"] == sum(
        1 for rid, k in expect.items() if k == "exact" and rows[("vega-llvm", rid)].tested)
    assert (tmp / "out" / "report.html").is_file() and (tmp / "out" / "result.jsonl").is_file()
