"""Function-level pass@1 without a rebuild per probe: every alternative is compiled once into an evaluation schema
(``schema.py``), one traced lit run learns which tests execute each function, and each alternative is then judged by
running only those tests with it switched on.

This gives the same verdict as swapping the function alone into the real backend and running the whole suite: a
test that does not execute the function runs the same code either way, and the alternative is compiled in the same
translation unit, in the same scope, as the swapped body would be. An alternative whose code does not compile is
charged with the compiler error (or undefined reference) that points into it; alternatives in a file whose errors
point nowhere they can be charged fall back to the rebuild-per-probe ``SwapHarness``. No system is always placed
first (``system_order``), and a charge that follows another charged alternative of the same function is re-checked
by a build without that one before it counts, so one system's errors running on are not charged to another.

Verdicts, traces and the baseline are cached under a key of everything they depend on (``keys.judge_stamp``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..cachelock import building, serialised
from ..backend_build.cmake import BuildResult, build, parse_failed_units, parse_undefined_references, qualified_name
from ..backend_build.target_dir import resolve
from ..errors import BuildError, LitRunError
from ..littest.runner import PASSING, LitReport, run_tests
from ..littest.tracing import trace_file_name
from .harness import (COMPILE_ERROR, FAIL, PASS, UNJUDGED, UNTESTED, OutcomeCache, SwapHarness, SwapOutcome,
                      changed_detail, tree_digest)
from .keys import judge_stamp, stamp_key
from .schema import SchemaFunction, Span, SpanIndex, write_schema
from .swap import FunctionEdit, bracket_error

MAX_BUILD_ROUNDS = 12


@dataclass(frozen=True)
class Subject:
    """A real function under evaluation and, per system, the body to judge in its place."""

    id: str
    name: str  # qualified name as written, e.g. XCoreInstrInfo::copyPhysReg (matched against linker messages)
    path: str
    line: int
    body: str
    alternatives: dict[str, str]  # system -> body


def system_order(systems: list[str], fid: int) -> list[str]:
    """The order of function ``fid``'s alternatives in the schema: the systems rotated by the function's number, so
    that each system comes first for as many functions as any other. An alternative's errors can run on into the
    lines after it (a stray ``#define``, a parse the compiler recovers from late) and be charged to the alternatives
    there; with one system always first, only the others would ever be charged with such cascades."""
    if not systems:
        return []
    r = fid % len(systems)
    return systems[r:] + systems[:r]


def _follow_charged(charged: dict[tuple[int, int], str]) -> set[tuple[int, int]]:
    """Charged alternatives ``(fid, k)`` placed after another charged alternative of the same function. Their errors
    may be the earlier one's running on, so they count only if the next build, without the earlier one, fails in
    them again."""
    first: dict[int, int] = {}
    for fid, k in charged:
        first[fid] = min(k, first.get(fid, k))
    return {(fid, k) for fid, k in charged if k > first[fid]}


def _relative(path: str, root: Path) -> str:
    """A file as the schema names it: relative to the schema root when inside it (attribute() already gives those)."""
    if not Path(path).is_absolute():
        return path
    p = Path(path).resolve()
    try:
        return p.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(p)


class SchemaHarness:
    """The evaluation schema of one real target: its build, its traced baseline, and probes of alternatives."""

    def __init__(
        self,
        real_target_dir: Path,
        work_dir: Path,
        *,
        test_timeout: float = 60,
        jobs: int | None = None,
        log: Callable[[str], None] = lambda m: None,
    ) -> None:
        real = resolve(real_target_dir)
        self.real_dir = real.path
        self.name = real.name
        self.work_dir = Path(work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.test_timeout = test_timeout
        self.jobs = jobs
        self.log = log
        self.probes = 0
        self.builds = 0
        self.schema_dir = self.work_dir / "src" / real.name
        self.build_dir = self.work_dir / "build"
        digest = tree_digest(real.path)
        marker = self.work_dir / "real.digest"
        with building(self.work_dir, ready=lambda: marker.is_file() and marker.read_text() == digest) as reset:
            if reset:
                # Another backend: nothing decided or traced before applies, and the schema copy starts afresh.
                for stale in ("outcomes.json", "trace.json"):
                    (self.work_dir / stale).unlink(missing_ok=True)
                if self.schema_dir.exists():
                    shutil.rmtree(self.schema_dir)
                marker.write_text(digest)
        # Verdicts and traces are keyed by everything they depend on (keys.judge_stamp): the real target, its lit
        # tests and lit configuration, the toolchain, the timeout, and the code of the judge (this file included).
        self.stamp = judge_stamp(real.name, digest, test_timeout)
        self.key = stamp_key(self.stamp)
        cache = self.build_dir / "CMakeCache.txt"
        if cache.is_file() and "VEGA_TRAP_UB:BOOL=ON" not in cache.read_text(errors="replace"):
            shutil.rmtree(self.build_dir)  # configured before schemas trapped undefined behaviour

    # -- building ---------------------------------------------------------------------------------------------
    def _build(self, subjects: list[Subject], fids: dict[str, int], systems: list[str],
               cache: OutcomeCache, decided: dict[str, dict[str, SwapOutcome]]
               ) -> tuple[BuildResult, dict[tuple[str, str], tuple[int, int]], set[str]]:
        """Build the schema, dropping alternatives charged with compile errors until it links.

        Returns the build, (id, system) -> (fid, k) for every compiled alternative, and the files left unhooked
        (real code only) because errors there point nowhere they can be charged."""
        # Alternatives judged before stay in the schema unless they did not compile: the schema text, and so the
        # build, stays what it was, and a rerun recompiles only what changed.
        active = {s.id: {sys_: b for sys_, b in s.alternatives.items()
                         if s.id not in decided[sys_] or decided[sys_][s.id].status not in (COMPILE_ERROR, UNJUDGED)}
                  for s in subjects}
        for s in subjects:
            if bracket_error(s.body) is None:  # real code the check misreads (macros) is never judged by it
                for system, body in list(active[s.id].items()):
                    why = bracket_error(body)
                    if why:
                        outcome = SwapOutcome(s.id, COMPILE_ERROR, f"{s.path}: the body's brackets: {why}")
                        cache.put(active[s.id].pop(system), outcome)
                        decided[system][s.id] = outcome
        unhooked: set[str] = set()
        # A deferred charge (below) costs a round per alternative ahead of it.
        rounds = MAX_BUILD_ROUNDS + max(len(systems) - 1, 0)
        for round_ in range(1, rounds + 1):
            functions, numbering = [], {}
            for s in subjects:
                if s.path in unhooked:
                    continue
                bodies: list[str] = []
                for system in system_order(systems, fids[s.id]):
                    if system in active[s.id]:
                        if active[s.id][system] not in bodies:
                            bodies.append(active[s.id][system])
                        numbering[(s.id, system)] = (fids[s.id], bodies.index(active[s.id][system]) + 1)
                functions.append(SchemaFunction(fids[s.id], s.id, s.path, s.line, s.body, tuple(bodies)))
            spans = write_schema(self.real_dir, self.schema_dir, functions)
            self.builds += 1
            self.log(f"{self.name}: building the evaluation schema ({len(numbering)} alternatives, round {round_})")
            try:
                res = build(self.schema_dir, self.build_dir, jobs=self.jobs, cmake_args=["-DVEGA_TRAP_UB=ON"])
                return res, numbering, unhooked
            except BuildError as exc:
                text = exc.log.read_text(errors="replace") if exc.log and exc.log.is_file() else ""
                first_error, unexplained = self._charge_compile_errors(text, spans)
                deferred = _follow_charged(first_error)
                for num in deferred:
                    del first_error[num]
                if deferred:
                    self.log(f"{self.name}: {len(deferred)} charges after another charged alternative of the same "
                             f"function re-checked by the next round")
                for key, msg in self._charge_link_errors(text, subjects, active, numbering).items():
                    first_error.setdefault(key, msg)
                progress = False
                for (sid, system), num in numbering.items():
                    if num in first_error and system in active[sid]:
                        outcome = SwapOutcome(sid, COMPILE_ERROR, first_error[num])
                        cache.put(active[sid].pop(system), outcome)
                        decided[system][sid] = outcome
                        progress = True
                hooked_files = {s.path for s in subjects}
                stuck = sorted(unexplained.keys() & hooked_files - unhooked)
                if not progress and not stuck and unexplained:
                    # Errors in files without hooks (a header, a unit whose hooks are gone): unhook every header,
                    # since an alternative in one can break the units that include it.
                    stuck = sorted(f for f in hooked_files - unhooked if not f.endswith(".cpp"))
                for rel in stuck:
                    self.log(f"{self.name}: {rel} left unhooked: {unexplained.get(rel, 'errors in units including it')}")
                    unhooked.add(rel)
                    self._keep_failed(rel)
                    progress = True
                if not progress:
                    raise BuildError(f"evaluation schema of {self.name} does not build and no alternative can be "
                                     f"charged: {exc}", exc.log, exc.errors, exc.locations) from exc
        raise BuildError(f"evaluation schema of {self.name} still fails after {rounds} rounds")

    def _charge_compile_errors(self, log_text: str, spans: list[Span]) -> tuple[dict[tuple[int, int], str], dict[str, str]]:
        """Alternative ``(fid, k)`` -> the first compiler error charged to it, and schema file -> the first error
        that nothing could be charged with."""
        first_error: dict[tuple[int, int], str] = {}
        unexplained: dict[str, str] = {}
        index = SpanIndex(spans, self.schema_dir)
        for unit in parse_failed_units(log_text, cwd=self.build_dir):
            charged = False
            unit_unexplained: dict[str, str] = {}
            for e in unit.errors:
                hit, elsewhere = index.attribute([(e.file, e.line)])
                if not hit and not Path(e.file).resolve().is_relative_to(self.schema_dir.resolve()):
                    # An error inside a library header: charge the instantiation site in our code.
                    hit, elsewhere = index.attribute(unit.sites)
                    elsewhere = elsewhere if hit else {unit.source}
                for key in hit:
                    first_error.setdefault(key, str(e))
                charged |= bool(hit)
                for rel in elsewhere:
                    unit_unexplained.setdefault(_relative(rel, self.schema_dir), str(e))
            if not charged:
                # Errors after a charged alternative are often its consequences (a stray #define, a missing
                # brace); only a unit with nothing to charge gets its files unhooked.
                for rel, msg in unit_unexplained.items():
                    unexplained.setdefault(rel, msg)
            if not unit.errors:
                unexplained.setdefault(_relative(unit.source, self.schema_dir), "compile step failed")
        return first_error, unexplained

    def _keep_failed(self, rel: str) -> None:
        """Keep the schema text of a file that had to be unhooked, for whoever wants to see why."""
        src = self.schema_dir / rel
        if src.is_file():
            dest = self.work_dir / "unhooked" / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)

    def _charge_link_errors(self, log_text: str, subjects: list[Subject], active: dict[str, dict[str, str]],
                            numbering: dict[tuple[str, str], tuple[int, int]]) -> dict[tuple[int, int], str]:
        """Alternatives that introduce an undefined reference: their body names the missing symbol (and, when ld says
        which function refers to it, they belong to that function)."""
        out: dict[tuple[int, int], str] = {}
        for ref in parse_undefined_references(log_text):
            ident = qualified_name(ref.symbol).split("::")[-1]
            word = re.compile(rf"\b{re.escape(ident)}\b")
            where = qualified_name(ref.in_function) if ref.in_function else None
            cands = [(s, system) for s in subjects for system, body in active[s.id].items()
                     if (s.id, system) in numbering and word.search(body) and not word.search(s.body)]
            narrowed = [c for c in cands if where and (c[0].name == where or where.endswith("::" + c[0].name))]
            for s, system in narrowed or cands:
                out.setdefault(numbering[(s.id, system)], f"undefined reference to `{ref.symbol}'")
        return out

    # -- tracing and probing ----------------------------------------------------------------------------------
    def _trace_key(self, fids: dict[str, int]) -> str:
        return hashlib.sha1(json.dumps([self.key, sorted(fids.items())]).encode()).hexdigest()[:16]

    def _cached_trace(self, key: str) -> tuple[LitReport, dict[str, list[str] | None]] | None:
        path = self.work_dir / "trace.json"
        if path.is_file():
            data = json.loads(path.read_text())
            if data.get("key") == key:
                return LitReport(**data["baseline"]), data["tests"]
        return None

    def _trace(self, res: BuildResult, subjects: list[Subject], fids: dict[str, int], unhooked: set[str]
               ) -> tuple[LitReport, dict[str, list[str] | None]]:
        """Baseline results (nothing switched on: the real backend) and, per subject, the tests that execute it
        (None for functions left unhooked)."""
        key = self._trace_key(fids)
        cached = self._cached_trace(key)
        if cached and not any(cached[1].get(s.id) is None for s in subjects if s.path not in unhooked):
            return cached
        trace_dir = self.work_dir / "trace"
        if trace_dir.exists():
            shutil.rmtree(trace_dir)
        trace_dir.mkdir(parents=True)
        self.log(f"{self.name}: traced baseline lit run (which tests execute which functions)")
        report = run_tests(self.name, llc=Path(res.llc), llvm_mc=Path(res.llvm_mc), run_dir=self.work_dir / "lit-trace",
                           test_timeout=self.test_timeout, jobs=self.jobs, params={"vega_trace_dir": str(trace_dir)})
        by_fid = {v: k for k, v in fids.items()}
        tests: dict[str, list[str] | None] = {s.id: None if s.path in unhooked else [] for s in subjects}
        for test in sorted(report.tests):
            f = trace_dir / trace_file_name(test)
            if not f.is_file():
                continue
            for tok in set(f.read_text().split()):
                hit = tests.get(by_fid.get(int(tok), "")) if tok.isdigit() else None
                if hit is not None:
                    hit.append(test)
        baseline = dict(report.__dict__)
        baseline.pop("summary", None)
        tmp = self.work_dir / "trace.json.tmp"
        tmp.write_text(json.dumps({"key": key, "baseline": baseline, "tests": tests}) + "\n")
        os.replace(tmp, self.work_dir / "trace.json")
        return report, tests

    def _probe(self, res: BuildResult, base: LitReport, tests: list[str], fid: int, k: int
               ) -> tuple[list[str], dict[str, str]]:
        """Tests whose result changes with alternative k of function fid switched on, and why those that fail
        failed where lit's output says (a timeout, a crash: ``LitReport.why``)."""
        self.probes += 1
        early_stop = all(base.tests.get(t) in PASSING for t in tests)
        for max_failures in ([1, None] if early_stop else [None]):
            report = run_tests(self.name, llc=Path(res.llc), llvm_mc=Path(res.llvm_mc), run_dir=self.work_dir / "lit-probe",
                               tests=tests, test_timeout=self.test_timeout, jobs=self.jobs,
                               params={"vega_swap": f"{fid}:{k}"}, max_failures=max_failures)
            changed = sorted(t for t in tests if t in report.tests and report.tests[t] != base.tests.get(t))
            if changed or all(t in report.tests for t in tests):
                return changed, report.why
        raise LitRunError(f"lit left tests of {self.name} unreported in a full run (log: {self.work_dir / 'lit-probe'})")

    # The work directory (schema, build, verdicts) is one process's at a time: another evaluation of the same target
    # waits, then finds the verdicts this one cached (vega_llvm.cachelock).
    @serialised(lambda self, *_a, **_k: self.work_dir)
    def evaluate(
        self, subjects: list[Subject], progress: Callable[[int, int], None] | None = None, batch_size: int = 16
    ) -> tuple[dict[str, dict[str, SwapOutcome]], dict[str, list[str]]]:
        """Per system, per subject id: pass / fail / compile_error / untested, as if swapped in alone; and per
        subject the tests that execute the real function (for functions the schema could not hook, the lit tests
        of the target when a trap in their place changes a result, else none)."""
        subjects = sorted(subjects, key=lambda s: s.id)
        fids = {s.id: i for i, s in enumerate(subjects)}
        systems = sorted({system for s in subjects for system in s.alternatives})
        cache = OutcomeCache(self.work_dir / "outcomes.json", self.stamp, self.log)
        decided: dict[str, dict[str, SwapOutcome]] = {system: {} for system in systems}
        # A record whose "body" is not one balanced block (the corpus parser ran past the function, e.g. after a
        # macro) cannot be swapped: replacing that text would replace other functions too.
        for s in [s for s in subjects if bracket_error(s.body)]:
            for system in s.alternatives:
                decided[system][s.id] = SwapOutcome(s.id, UNJUDGED, f"the corpus body of this function is not one "
                                                    f"block ({bracket_error(s.body)}); nothing to swap")
            subjects.remove(s)
        for s in subjects:
            for system, body in s.alternatives.items():
                hit = cache.get(s.id, body)
                if hit:
                    decided[system][s.id] = hit
        undecided = any(s.id not in decided[system] for s in subjects for system in s.alternatives)
        cached = self._cached_trace(self._trace_key(fids))
        if cached and not undecided and all(cached[1].get(s.id) is not None for s in subjects):
            _base, traced = cached  # everything judged before: no build needed
            unhooked = {s.path for s in subjects if traced.get(s.id) is None}
        else:
            res, numbering, unhooked = self._build(subjects, fids, systems, cache, decided)
            base, traced = self._trace(res, subjects, fids, unhooked)
            todo = [(s, system) for s in subjects for system in systems
                    if (s.id, system) in numbering and s.id not in decided[system]]
            if progress:
                progress(0, len(todo))  # probing starts: builds and the traced run are over
            for done, (s, system) in enumerate(todo, 1):
                body = s.alternatives[system]
                hit = cache.get(s.id, body)  # the same body under another system was judged a moment ago
                if hit is None:
                    fid, k = numbering[(s.id, system)]
                    tests = traced[s.id] or []
                    if not tests:
                        hit = SwapOutcome(s.id, UNTESTED, "no lit test executes this function")
                    else:
                        changed, why = self._probe(res, base, tests, fid, k)
                        hit = (SwapOutcome(s.id, FAIL, changed_detail(changed, why)) if changed
                               else SwapOutcome(s.id, PASS, f"{len(tests)} tests unchanged"))
                    cache.put(body, hit)
                decided[system][s.id] = hit
                if progress:
                    progress(done, len(todo))
        tests_out = {sid: t for sid, t in traced.items() if t is not None}
        left = [s for s in subjects if s.path in unhooked]
        if left:
            self.log(f"{self.name}: {len(left)} functions in files the schema cannot hook: rebuild-per-probe swaps")
            classic = SwapHarness(self.real_dir, self.work_dir / "classic", test_timeout=self.test_timeout, log=self.log)
            edits = [FunctionEdit(s.id, s.path, s.line, s.body, s.body) for s in left]
            untested = classic.untested(edits)
            everything = sorted(classic.baseline().tests)
            for s in left:
                tests_out[s.id] = [] if s.id in untested else everything
            for system in systems:
                edits = [FunctionEdit(s.id, s.path, s.line, s.body, s.alternatives[system])
                         for s in left if system in s.alternatives and s.id not in decided[system]]
                for sid, o in classic.evaluate(edits, batch_size=batch_size).items():
                    decided[system][sid] = o if tests_out[sid] or o.status == COMPILE_ERROR else SwapOutcome(
                        sid, UNTESTED, "no lit test executes this function")
            self.probes += classic.probes
        return decided, tests_out
