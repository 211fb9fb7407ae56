"""The evaluation report is a single HTML file that a browser renders, with statements coloured by confidence."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vega_llvm.evaluate.report import write_report
from vega_llvm.evaluate.run import Row, summarise

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _rows() -> list[Row]:
    truth = "{\n  if (Kind == FK_Data_4)\n    return ELF::R_XCORE_32;\n  return ELF::R_XCORE_NONE;\n}"
    stm = [("if ( Kind == FK_Data_4 )", 0.995, True), ("return ELF :: R_XCORE_32 ;", 0.7, True),
           ("return ELF :: R_XCORE_NONE ;", 0.2, True), ("llvm_unreachable ( \"x\" ) ;", 0.1, False)]
    common = dict(Target="XCore", Module="ASS", File="ELFObjectWriter.cpp", Func="<T>ELFObjectWriter::getRelocType",
                  GroundTruth=truth, id="XCore/x.cpp:1", tested=True, accurate_statements=2, truth_statements=3)
    return [
        Row(Code=truth, Confidence=0.2, system="vega-llvm", status="fail", exact=False, detail="2 tests changed",
            statements=stm, **common),
        Row(Code=None, Confidence=None, system="forkflow", status="missing", exact=False, **common),
    ]


def test_report_files(tmp_path: Path) -> None:
    rows = _rows()
    meta = {"holdout": "XCore", "commit": "abc", "llvm_version": "16.0.6", "tool_version": "0.1.0", "results": "r.jsonl",
            "command": "vega-llvm eval --holdout XCore", "seconds": 1.0, "probes": 0}
    path = write_report(tmp_path, rows, summarise(rows), meta)
    html = path.read_text()
    assert html.count('class="st c-high"') == 1 and html.count('class="st c-mid"') == 1
    assert html.count('class="st c-low"') == 1 and "left out: 1 statement of other training targets" in html
    # a contents table with each system's outcome, folded cards, the real function once per function, a filter
    assert '<table id="contents">' in html and html.count('<details class="fn"') == 1
    assert html.count('class="code truth"') == 1 and 'id="filter"' in html
    assert 'data-key="' in html and "missing" in html.split('<table id="contents">')[1].split("</table>")[0]
    assert "R_XCORE_32" in html and "&lt;T&gt;ELFObjectWriter::getRelocType" in html  # escaped
    assert (tmp_path / "accuracy_by_module.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "accuracy_by_confidence.png").stat().st_size > 1000


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (CI installs it: apt-get install chromium)")
def test_report_renders_headless(tmp_path: Path) -> None:
    rows = _rows()
    meta = {"holdout": "XCore", "commit": "abc", "llvm_version": "16.0.6", "tool_version": "0.1.0", "results": None,
            "command": "vega-llvm eval --holdout XCore", "seconds": 1.0, "probes": 0}
    path = write_report(tmp_path, rows, summarise(rows), meta)
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*flags, "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert '<table id="summary">' in dom and 'class="st c-low"' in dom and "vega-llvm evaluation: XCore" in dom
    shot = tmp_path / "shot.png"
    subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1200,900", path.as_uri()], capture_output=True,
                   timeout=120)
    assert shot.is_file() and shot.stat().st_size > 5000


def test_probe_progress_counts_the_probing_time_with_rate_and_eta() -> None:
    from vega_llvm.evaluate.run import probe_line

    assert probe_line(40, 268, 95.0) == "probed 40/268 alternatives in 95 s (0.42/s, about 9 min left)"
    assert probe_line(10, 12, 20.0) == "probed 10/12 alternatives in 20 s (0.50/s, about 4 s left)"
    assert probe_line(12, 12, 30.0) == "probed 12/12 alternatives in 30 s (0.40/s)"
    assert probe_line(0, 12, 0.0) == "probed 0/12 alternatives in 0 s (0.00/s)"


def test_compiler_answer_takes_the_first_candidate_that_compiles() -> None:
    from vega_llvm.evaluate.run import COMPILER, Row, with_compiler_answer

    def row(system: str, fid: str, status: str) -> Row:
        return Row("X", "SEL", "f.cpp", fid, "{}", "{}", 0.5, system, fid, status, True, False, 0, 1)

    rows = [
        row("vega-llvm", "a", "compile_error"), row("vega-llvm#2", "a", "compile_error"), row("vega-llvm#3", "a", "pass"),
        row("vega-llvm", "b", "fail"), row("vega-llvm#2", "b", "pass"), row("vega-llvm#3", "b", "missing"),
        row("vega-llvm", "c", "compile_error"), row("vega-llvm#2", "c", "missing"), row("vega-llvm#3", "c", "missing"),
        row("nearest", "a", "pass"),
    ]
    out = with_compiler_answer(rows, ["vega-llvm", "vega-llvm#2", "vega-llvm#3"])
    got = {r.id: (r.status, r.detail.split(":")[0]) for r in out if r.system == COMPILER}
    assert got == {"a": ("pass", "vega-llvm#3"), "b": ("fail", "vega-llvm"), "c": ("compile_error", "vega-llvm")}
    assert {r.system for r in out} == {"vega-llvm", "nearest", COMPILER}  # the later candidates are a means only
    strict = [r for r in out if r.system == "vega-llvm"]
    assert [r.status for r in strict] == ["compile_error", "fail", "compile_error"]  # strict pass@1 is unchanged


def test_confidence_buckets_add_up_to_the_functions() -> None:
    from vega_llvm.evaluate.run import NO_CONFIDENCE, Row, summarise

    confs = [1.0, 0.95, 0.9, 0.5, 0.3, None]
    rows = [Row("X", "SEL", "f.cpp", f"f{i}", "{}", "{}", c, "vega-llvm", f"f{i}", "pass" if c else "missing",
                True, False, 0, 1) for i, c in enumerate(confs)]
    buckets = summarise(rows)["vega-llvm"]["confidence"]
    assert {k: b["functions"] for k, b in buckets.items()} == {"> 0.9": 2, "(0.5, 0.9]": 1, "<= 0.5": 2, NO_CONFIDENCE: 1}
    assert sum(b["functions"] for b in buckets.values()) == len(confs)
