"""Which functions of a backend LLVM's tests execute: one gcov-instrumented build, one lit run, ``gcov --json-format``.

A function that no test executes cannot be judged by the tests: swapping in any body (a trap included) leaves every
result unchanged. Finding those by coverage costs one build and one lit run instead of a trap probe per function;
``SwapHarness.untested`` (the trap probes) stays available to cross-check it.
"""

from __future__ import annotations

import gzip
import json
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..build.cmake import build
from ..corpus.records import FunctionRecord
from ..errors import ToolError
from ..littest.runner import run_tests
from ..proc import run


@dataclass(frozen=True)
class FunctionCoverage:
    file: str  # absolute source path
    start_line: int
    end_line: int
    count: int


def collect(build_dir: Path, timeout: float = 1800) -> list[FunctionCoverage]:
    """Function execution counts of every ``.gcda`` under ``build_dir``, summed over objects (headers recur)."""
    gcdas = sorted(str(p) for p in build_dir.rglob("*.gcda"))
    if not gcdas:
        raise ToolError(f"{build_dir}: no .gcda files; the instrumented tools never ran")
    out_dir = build_dir / "gcov-json"
    out_dir.mkdir(exist_ok=True)
    for old in out_dir.glob("*.gcov.json.gz"):
        old.unlink()
    totals: dict[tuple[str, int, int], int] = defaultdict(int)
    for i in range(0, len(gcdas), 50):
        chunk = gcdas[i : i + 50]
        res = run(["gcov", "--json-format", "--preserve-paths", *chunk], timeout=timeout, cwd=out_dir)
        if not res.ok:
            raise ToolError(f"gcov failed on {chunk[0]}: {res.stderr.strip()[-300:]}")
    for js in out_dir.glob("*.gcov.json.gz"):
        data = json.loads(gzip.decompress(js.read_bytes()))
        cwd = data.get("current_working_directory", str(build_dir))
        for f in data.get("files", []):
            path = os.path.normpath(os.path.join(cwd, f["file"]))
            for fn in f.get("functions", []):
                totals[(path, fn["start_line"], fn["end_line"])] += int(fn.get("execution_count", 0))
    return [FunctionCoverage(p, s, e, c) for (p, s, e), c in totals.items()]


def body_line(target_dir: Path, rec: FunctionRecord) -> int:
    """The line where the record's body starts in its file (the definition may span several lines)."""
    text = (target_dir / rec.path).read_text(encoding="utf-8", errors="replace")
    lines = text.splitlines(keepends=True)
    start = sum(len(ln) for ln in lines[: rec.line - 1])
    pos = text.find(rec.body, start)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else rec.line


def executed(target_dir: Path, records: list[FunctionRecord], cov: list[FunctionCoverage]) -> dict[str, bool]:
    """Record id -> executed by some test. A function with no coverage entry emitted no code: never executed."""
    by_file: dict[str, list[FunctionCoverage]] = defaultdict(list)
    for c in cov:
        by_file[c.file].append(c)
    out: dict[str, bool] = {}
    for rec in records:
        path = os.path.normpath(str((target_dir / rec.path).resolve()))
        line = body_line(target_dir, rec)
        spans = [c for c in by_file.get(path, []) if c.start_line <= line <= c.end_line and c.start_line >= rec.line - 1]
        out[rec.id] = any(c.count > 0 for c in spans)
    return out


def measure(
    target_dir: Path,
    target: str,
    records: list[FunctionRecord],
    work_dir: Path,
    *,
    test_timeout: float = 120,
    jobs: int | None = None,
) -> dict[str, bool]:
    """Build ``target_dir`` instrumented in ``work_dir``, run its lit tests, return which records were executed."""
    build_dir = work_dir / "build-coverage"
    res = build(target_dir, build_dir, cmake_args=["-DVEGA_COVERAGE=ON"], jobs=jobs)
    for old in build_dir.rglob("*.gcda"):
        old.unlink()
    run_tests(target, llc=Path(res.llc), llvm_mc=Path(res.llvm_mc), run_dir=work_dir / "lit-coverage",
              test_timeout=test_timeout, jobs=jobs)
    return executed(target_dir, records, collect(build_dir))
