"""Metrics and baselines of the evaluation, on real LLVM functions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vega_llvm.corpus.build import build_corpus
from vega_llvm.corpus.records import load_corpus
from vega_llvm.evaluate.forkflow import forkflow_bodies, rename
from vega_llvm.evaluate.metrics import compare, statements
from vega_llvm.evaluate.metrics import body_tree
from vega_llvm.evaluate.run import extract_body, load_generated, summarise, Row


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


def test_metrics_ignore_formatting_and_count_statements() -> None:
    truth = "{\n  switch (K) {\n  case A: return 1;\n  case B: return 2;\n  }\n  return 0; // done\n}"
    same = "{ switch (K) { case A: return 1; case B: return 2; } return 0; }"
    half = "{ switch (K) { case A: return 1; case C: return 3; } return 0; }"
    c = compare(same, truth)
    assert c.exact and c.accurate_statements == c.truth_statements
    h = compare(half, truth)
    assert not h.exact and 0 < h.accurate_statements < h.truth_statements
    assert compare(None, truth).accurate_statements == 0
    assert "case A :" in statements(body_tree(truth))  # type: ignore[arg-type]


def test_forkflow_on_real_functions(corpus) -> None:
    xcore = [r for r in corpus if r.target == "XCore"]
    mips = [r for r in corpus if r.target == "Mips"]
    bodies = forkflow_bodies(xcore, mips, ["Mips"])
    have = {i: b for i, b in bodies.items() if b}
    assert have, "Mips shares no function group with XCore"
    for i, b in have.items():
        assert "Mips" not in b and "MIPS" not in b
    # A function Mips has no counterpart for gets nothing, never a made-up body.
    assert any(b is None for b in bodies.values())
    # The real function compares exactly with itself.
    r = xcore[0]
    assert compare(r.body, r.body).exact


def test_load_generated_matches_by_group_and_extracts_body(corpus, tmp_path: Path) -> None:
    xcore = [r for r in corpus if r.target == "XCore"]
    r = next(x for x in xcore if x.qname.endswith("getReservedRegs"))
    line = {"Target": "XCore", "Module": r.module, "File": r.file, "Func": r.qname,
            "Code": r.signature + " " + r.body, "Confidence": 0.8}
    path = tmp_path / "result.jsonl"
    path.write_text(json.dumps(line) + "\n")
    got = load_generated(path, xcore)
    assert got[r.id].confidence == 0.8
    assert compare(got[r.id].body, r.body).exact
    assert extract_body("{ return 1; }") == "{ return 1; }"


def test_summary_counts_untested_apart() -> None:
    def row(status: str, tested: bool) -> Row:
        return Row("X", "SEL", "f", "g", "{}", "{}", None, "s", "id", status, tested, False, 1, 2)

    s = summarise([row("pass", True), row("fail", True), row("pass", False), row("compile_error", True)])["s"]["all"]
    assert s["tested"] == 3 and s["untested"] == 1 and s["pass"] == 1
    assert s["pass@1"] == pytest.approx(1 / 3, abs=1e-3)


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
        lines.append(json.dumps({"id": r.id, "Code": code, "Confidence": 0.5}))
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
    assert {r.system for r in res["rows"]} == {"vega-llvm", "forkflow"}
    assert res["meta"]["schema_builds"] >= 2  # the first build fails on the undeclared identifiers
    summary = json.loads((tmp / "out" / "summary.json").read_text())
    assert summary["summary"]["vega-llvm"]["all"]["compile_error"] == sum(
        1 for rid, k in expect.items() if k == "compile_error" and rows[("vega-llvm", rid)].tested)
    assert (tmp / "out" / "report.html").is_file() and (tmp / "out" / "result.jsonl").is_file()
