"""Function-level pass@1 against the real backend: swap, rebuild, run lit, compare with the unmodified backend.

Swaps are tested in groups and bisected on failure; the build directory is reused and ccache makes restored files
cheap, so a probe costs an incremental rebuild plus one lit run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

from ..backend_build.cmake import build
from ..backend_build.target_dir import TargetDir, resolve
from ..errors import BuildError
from ..littest.runner import LitReport, run_tests
from ..provenance import differences
from .keys import judge_stamp, stamp_key
from .swap import TRAP_BODY, FunctionEdit, apply_edits, attribute_errors, restore

PASS, FAIL, COMPILE_ERROR = "pass", "fail", "compile_error"
UNTESTED = "untested"  # compiles, but no lit test executes the function: the tests cannot judge it
UNJUDGED = "unjudged"  # the corpus record of the real function is not one function body: there is nothing to swap


@dataclass
class SwapOutcome:
    id: str
    status: str  # pass | fail | compile_error
    detail: str = ""  # the compiler error, or the tests whose result changed


@dataclass
class _Probe:
    built: bool
    blamed: dict[str, str]  # edit id -> the first compiler error inside it
    all_attributed: bool
    first_error: str
    changed: list[str]
    why: dict[str, str]  # changed test -> why it failed, where lit's output says (LitReport.why)


def changed_detail(changed: list[str], why: dict[str, str]) -> str:
    """The detail of a fail: how many tests changed, the first few, and why each failed where lit's output says (a
    timeout, a crash), so that a function that makes llc hang or crash is charged with that, not a bare test name."""
    shown = ", ".join(f"{t} ({why[t]})" if why.get(t) else t for t in changed[:5])
    return f"{len(changed)} tests changed: {shown}" + (" ..." if len(changed) > 5 else "")


def tree_digest(path: Path) -> str:
    h = hashlib.sha1()
    for p in sorted(path.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(path)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


class SwapHarness:
    """A private copy of one real target directory, its build, and its baseline lit results."""

    def __init__(
        self,
        real_target_dir: Path,
        work_dir: Path,
        *,
        test_timeout: float = 30,
        suites: list[str] | None = None,
        log: Callable[[str], None] = lambda m: None,
    ) -> None:
        real = resolve(real_target_dir)
        self.real_dir = real.path
        self.name = real.name
        self.work_dir = Path(work_dir)
        self.test_timeout = test_timeout
        self.suites = suites
        self.log = log
        self.probes = 0
        digest = tree_digest(real.path)
        src = self.work_dir / "src" / real.name
        stamp = self.work_dir / "src.digest"
        if not src.is_dir() or not stamp.is_file() or stamp.read_text() != digest:
            if src.exists():
                shutil.rmtree(src)
            shutil.copytree(real.path, src)
            stamp.write_text(digest)
            for stale in ("baseline.json", "outcomes.json"):
                (self.work_dir / stale).unlink(missing_ok=True)
        # Verdicts and the baseline also depend on the lit tests, the toolchain, the timeout and the judge's code.
        self.stamp = judge_stamp(real.name, digest, test_timeout, suites)
        self.key = stamp_key(self.stamp)
        self.target: TargetDir = resolve(src)
        self.build_dir = self.work_dir / "build"
        self._baseline: LitReport | None = None

    # -- building and testing -------------------------------------------------------------------------------
    def _build_and_test(self, run_name: str) -> LitReport:
        res = build(self.target.path, self.build_dir)
        return run_tests(
            self.name, llc=Path(res.llc), llvm_mc=Path(res.llvm_mc), run_dir=self.work_dir / run_name,
            suites=self.suites, test_timeout=self.test_timeout,
        )

    def baseline(self) -> LitReport:
        """The unmodified backend's results (cached on disk beside the copy, under the judge's key)."""
        if self._baseline is None:
            path = self.work_dir / "baseline.json"
            data = _read_json(path)
            if data.pop("judge_key", None) == self.key:
                data.pop("summary", None)
                self._baseline = LitReport(**data)
            else:
                self.log(f"{self.name}: baseline build and lit run")
                report = self._build_and_test("lit-baseline")
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps({**asdict(report), "judge_key": self.key}, indent=1) + "\n")
                os.replace(tmp, path)
                self._baseline = report
        return self._baseline

    def _probe(self, edits: list[FunctionEdit]) -> _Probe:
        base = self.baseline()
        self.probes += 1
        originals, applied = apply_edits(self.target.path, edits)
        try:
            try:
                report = self._build_and_test("lit-probe")
            except BuildError as exc:
                blamed, complete = attribute_errors(self.target.path, applied, exc.locations)
                first = exc.errors[0] if exc.errors else str(exc)
                messages = {i: exc.errors[k] if k < len(exc.errors) else first for i, k in blamed.items()}
                return _Probe(False, messages, complete and bool(exc.locations), first, [], {})
            changed = sorted(t for t in base.tests if report.tests.get(t) != base.tests[t])
            changed += sorted(t for t in report.tests if t not in base.tests)
            return _Probe(True, {}, True, "", changed, report.why)
        finally:
            restore(originals)

    # -- group testing ----------------------------------------------------------------------------------------
    def evaluate(self, edits: list[FunctionEdit], batch_size: int = 16) -> dict[str, SwapOutcome]:
        """pass / fail / compile_error for every edit; each edit is judged as if swapped in alone.

        Outcomes are cached per (function, body) beside the copy under the judge's key (``keys.judge_stamp``: the
        real target, its lit tests, the toolchain, the timeout, the judge's code), so rerunning an evaluation only
        probes bodies it has not judged yet."""
        cache = OutcomeCache(self.work_dir / "outcomes.json", self.stamp, self.log)
        out: dict[str, SwapOutcome] = {}
        todo: list[FunctionEdit] = []
        for e in edits:
            hit = cache.get(e.id, e.new_body)
            if hit:
                out[e.id] = hit
            else:
                todo.append(e)
        by_id = {e.id: e for e in todo}
        # Saved as each outcome is decided, so an interrupted run resumes where it stopped.
        out.update(self._evaluate_uncached(todo, batch_size, lambda o: cache.put(by_id[o.id].new_body, o)))
        return out

    def _evaluate_uncached(
        self, edits: list[FunctionEdit], batch_size: int, record: Callable[[SwapOutcome], None] = lambda o: None
    ) -> dict[str, SwapOutcome]:
        out: dict[str, SwapOutcome] = {}

        def decide(o: SwapOutcome) -> None:
            out[o.id] = o
            record(o)

        queue = [edits[i : i + batch_size] for i in range(0, len(edits), batch_size)]
        while queue:
            group = queue.pop(0)
            if not group:
                continue
            probe = self._probe(group)
            if not probe.built:
                if probe.blamed:
                    for e in group:
                        if e.id in probe.blamed:
                            decide(SwapOutcome(e.id, COMPILE_ERROR, probe.blamed[e.id]))
                    rest = [e for e in group if e.id not in probe.blamed]
                    queue.insert(0, rest)
                elif len(group) == 1:
                    decide(SwapOutcome(group[0].id, COMPILE_ERROR, probe.first_error))
                else:
                    half = len(group) // 2
                    queue[:0] = [group[:half], group[half:]]
                continue
            if not probe.changed:
                for e in group:
                    decide(SwapOutcome(e.id, PASS))
            elif len(group) == 1:
                decide(SwapOutcome(group[0].id, FAIL, changed_detail(probe.changed, probe.why)))
            else:
                half = len(group) // 2
                queue[:0] = [group[:half], group[half:]]
        return out

    def untested(self, edits: list[FunctionEdit], batch_size: int = 32) -> set[str]:
        """Ids of functions whose body can be replaced by a trap without any lit result changing."""
        traps = [FunctionEdit(e.id, e.path, e.line, e.original_body, TRAP_BODY) for e in edits]
        outcomes = self.evaluate(traps, batch_size=batch_size)
        return {i for i, o in outcomes.items() if o.status == PASS}


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text()) if path.is_file() else {}
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


class OutcomeCache:
    """Decided outcomes by (function id, body), in one JSON file rewritten atomically after every decision.

    The file records the provenance block of the judge that decided them (``keys.judge_stamp``); outcomes decided
    under another one are set aside, and ``log`` is told what differs."""

    def __init__(self, path: Path, stamp: dict[str, Any], log: Callable[[str], None] = lambda m: None) -> None:
        self.path = path
        self.stamp = stamp
        data = _read_json(path)
        self.data: dict[str, dict[str, str]] = data.get("outcomes", {}) if data.get("provenance") == stamp else {}
        if data and data.get("provenance") != stamp:
            log(f"{path}: earlier verdicts set aside ({'; '.join(differences(data.get('provenance'), stamp))})")

    @staticmethod
    def key(fid: str, body: str) -> str:
        return hashlib.sha1(f"{fid}\0{body}".encode()).hexdigest()

    def get(self, fid: str, body: str) -> SwapOutcome | None:
        hit = self.data.get(self.key(fid, body))
        return SwapOutcome(fid, hit["status"], hit.get("detail", "")) if hit else None

    def put(self, body: str, outcome: SwapOutcome) -> None:
        self.data[self.key(outcome.id, body)] = {"status": outcome.status, "detail": outcome.detail}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"provenance": self.stamp, "outcomes": self.data}) + "\n")
        os.replace(tmp, self.path)


def save_outcomes(path: Path, outcomes: dict[str, SwapOutcome]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({k: asdict(v) for k, v in sorted(outcomes.items())}, indent=1) + "\n")
    os.replace(tmp, path)
