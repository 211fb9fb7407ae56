"""``vega-llvm eval``: score generated functions of a held-out target against the real backend, with two baselines
measured in the same run through the same harness: ForkFlow (every function from one donor, VEGA's baseline) and
``nearest`` (each function from the training target whose description is most like the held-out one's).

Per function and system: exact match, statement accuracy (``metrics``), and the pass@1 outcome (pass, fail,
compile_error, missing), with "untested" (no lit test executes the real function) kept apart; per system, how many
passes are functions whose real body is empty and how many are token-identical copies. Outputs in ``--out``:
``result.jsonl`` (VEGA's fields: Target, Module, File, Func, Code, GroundTruth, Confidence; and ours),
``summary.json``, ``summary.md``, ``report.html`` (single file) and the plots ``accuracy_by_module.png`` and
``accuracy_by_confidence.png``.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from .. import LLVM_VERSION, __version__
from ..corpus.records import FunctionRecord, atomic_write_text, load_corpus
from ..errors import ConfigError
from ..generate.defaults import LLVM_DEFAULT
from ..jsonl import target_rows
from ..paths import cache_root, targets_dir
from .aliases import head_of, judged_body
from .forkflow import DEFAULT_DONOR, forkflow_bodies
from .harness import COMPILE_ERROR, FAIL, PASS, SwapOutcome
from .metrics import compare, extract_body, read
from .schema_harness import SchemaHarness, Subject

MISSING = "missing"
# With ``--compiler-answer``: the first of generate's candidates that compiles in the real backend (the tool may use
# the compiler's answer, as ``bootstrap``'s repair loop does), reported beside strict pass@1, never instead of it.
COMPILER = "vega-llvm (first candidate that compiles)"
NOT_RUN = "not_run"
MODULES = ["SEL", "REG", "OPT", "SCH", "EMI", "ASS", "DIS", "other"]
# Function confidence buckets, (lo, hi]: every function with a confidence falls in exactly one, and functions
# without a candidate (no confidence) are a bucket of their own, so the buckets add up to the system's functions.
# 0.9 is the line of issue 13's calibration aim (> 0.9 should pass at least 80% of the time); 1/2 is what one donor
# agreeing with itself gets (``generate.adapt.consensus``).
BUCKETS = [("> 0.9", 0.9, float("inf")), ("(0.5, 0.9]", 0.5, 0.9), ("<= 0.5", float("-inf"), 0.5)]
NO_CONFIDENCE = "no candidate"


@dataclass
class Candidate:
    """One system's candidate for one function: ``text`` as the system wrote it (what exact match and statement
    accuracy read, whole) and ``body``, what is judged in the real function's place (``extract_body``: the body of
    the one function the text is, else the whole text; never a cut)."""

    text: str | None
    confidence: float | None = None
    statements: list[tuple[str, float, bool]] = field(default_factory=list)  # (code, confidence, kept)
    source: str = ""  # where a baseline took it from (the training target)
    alternatives: list[str] = field(default_factory=list)  # generate's further candidates, best first
    head: str = ""  # a copied body's donor signature, respelled (a whole definition's own head is read from text)
    body: str | None = field(init=False)

    def __post_init__(self) -> None:
        self.body = extract_body(self.text) if self.text and self.text.strip() else None

    def judged(self, real_head: str) -> str:
        """The body as it is put under the real head (``aliases.judged_body``): the candidate's own parameter
        names refer to the real parameters."""
        body = self.body or ""
        return judged_body(self.head or head_of(self.text or "", body), body, real_head)


@dataclass
class Row:
    Target: str
    Module: str
    File: str
    Func: str
    Code: str | None
    GroundTruth: str
    Confidence: float | None
    system: str
    id: str
    status: str  # pass | fail | compile_error | missing
    tested: bool
    exact: bool
    accurate_statements: int
    truth_statements: int
    detail: str = ""
    statements: list[tuple[str, float, bool]] = field(default_factory=list)
    source: str = ""


def load_generated(path: Path, target: str, records: list[FunctionRecord]) -> dict[str, Candidate]:
    """Generated functions of ``target`` (``generate``'s JSONL, rows naming it in ``Target``) matched to its corpus
    records.

    A line names its function by ``id`` (corpus record id) when it has one, else by (``File``, ``Func``): the
    abstracted file and the qualified name, abstracted (``<T>``) or spelled with the target's name; of several
    records of that name (overloads), the one whose parameter types the line's code defines. The code is
    ``vega_code`` (generate's field) or ``Code``, kept whole; ``statements`` carry per-statement code and confidence.
    A file with no row of the target is refused rather than scored as all missing.
    """
    by_id = {r.id: r for r in records}
    by_key: dict[tuple[str, str], list[FunctionRecord]] = defaultdict(list)
    for r in records:
        by_key[(r.file, r.qname)].append(r)
        by_key[(r.file, r.qname.replace("<T>", r.spelling))].append(r)
    out: dict[str, Candidate] = {}
    rows = 0
    for d in target_rows(path, target, field="Target"):
        rows += 1
        rec = by_id.get(d.get("id", "")) or by_id.get(d.get("record", ""))
        code = d.get("vega_code") or d.get("Code") or d.get("code") or None
        if rec is None:
            cands = [r for r in by_key.get((d.get("File", ""), d.get("Func", "")), []) if r.id not in out]
            rec = max(cands, key=lambda r: _overload_agreement(r.signature, code)) if cands else None
        if rec is None:
            continue
        conf = d.get("Confidence", d.get("confidence"))
        stm = [
            (str(s.get("code", "")), float(s.get("confidence", 0.0)), bool(s.get("kept", True)))
            for s in d.get("statements", [])
            if isinstance(s, dict)
        ]
        alts = [c.get("code") for c in d.get("candidates", []) if isinstance(c, dict) and c.get("code")]
        out[rec.id] = Candidate(code, conf, stm, source=str(d.get("source") or ""),
                                alternatives=[a for a in alts if a != code])
    if not rows:
        raise ConfigError(f"{path}: no generated function of {target} (rows name their target in `Target`)")
    return out


def _overload_agreement(signature: str, code: str | None) -> tuple[bool, int]:
    """How well a generated function's own parameter list matches a record's signature: (the same number of
    parameters, how many have the same type). A group can hold two overloads of one target (RISC-V's
    ``isTruncateFree(Type *, Type *)`` and ``isTruncateFree(EVT, EVT)``); a generated function defines one of them
    and is scored against that one's real body, not against whichever comes first in the file. Ties keep the
    file's order (``max`` takes the first)."""
    from ..generate.parameters import parameters, same_type

    mine = parameters((code or "").partition("\n")[0]) if code else None
    theirs = parameters(signature) if signature else None
    if mine is None or theirs is None:
        return (False, 0)
    return (len(mine) == len(theirs), sum(same_type(a, b) for (a, _), (b, _) in zip(mine, theirs)))


def generate_for(model: Path, holdout: str, out_dir: Path, log: Callable[[str], None],
                 covered: list[FunctionRecord] | None = None) -> Path:
    """Generate the held-out target with ``model``, refusing a model that saw the target in training. The groups of
    ``covered`` (which functions to fill in, what the nearest copy knows too) are generated whoever has them."""
    from ..model.checkpoint import read_meta

    meta = read_meta(model)
    held = meta.get("held_out") or []
    if holdout not in held:
        raise ConfigError(f"{model}: trained with {holdout} (held out: {', '.join(held) or 'none'}); "
                          f"train with --holdout {holdout} to evaluate it")
    from ..generate.generate import generate

    log(f"generating {holdout} with {model}")
    wanted = {(r.file, r.qname) for r in covered} if covered is not None else None
    return generate(Path(model), target=holdout, out=out_dir / "generated.jsonl", progress=False, functions=wanted).out


def _later_candidates(first: dict[str, Candidate]) -> dict[str, dict[str, Candidate]]:
    """``vega-llvm#2``, ``#3``, ...: generate's further candidates of each function, judged like any system."""
    k = max((len(c.alternatives) for c in first.values()), default=0)
    return {f"vega-llvm#{i + 2}": {fid: Candidate(c.alternatives[i] if i < len(c.alternatives) else None, c.confidence)
                                   for fid, c in first.items()} for i in range(k)}


def with_compiler_answer(rows: list[Row], chain: list[str]) -> list[Row]:
    """The rows of ``chain[0]`` and the baselines, plus ``COMPILER``: per function, the first system of ``chain``
    (the candidates in generate's order) whose candidate compiled (passed or failed the tests), else the first's row.
    The rows of the later candidates themselves are dropped: they are a means, not a system."""
    by = {(r.system, r.id): r for r in rows}
    out = [r for r in rows if r.system not in chain[1:]]
    for r in (x for x in rows if x.system == chain[0]):
        pick = next((by[(s, r.id)] for s in chain if (s, r.id) in by
                     and by[(s, r.id)].status not in (COMPILE_ERROR, MISSING)), r)
        out.append(replace(pick, system=COMPILER, detail=f"{pick.system}: {pick.detail}".strip(": ")))
    return out


def probe_line(done: int, total: int, seconds: float) -> str:
    """``probed 40/268 alternatives in 95 s (0.42/s, about 9 min left)``: the time is that of the probing (not of
    the whole run, which reads as one long probe), with the rate and what is left at that rate."""
    rate = done / seconds if seconds > 0 else 0.0
    left = (total - done) / rate if rate > 0 else None
    eta = "" if left is None or done == total else f", about {left / 60:.0f} min left" if left >= 90 else f", about {left:.0f} s left"
    return f"probed {done}/{total} alternatives in {seconds:.0f} s ({rate:.2f}/s{eta})"


def _git_commit() -> str:
    """The commit of this checkout, for provenance ("unknown" outside a git checkout)."""
    from ..errors import ToolError
    from ..proc import run

    try:
        res = run(["git", "rev-parse", "--short", "HEAD"], cwd=Path(__file__).resolve().parents[2], timeout=10)
    except ToolError:
        return "unknown"
    return res.stdout.strip() or "unknown"


def _empty_body(body: str) -> bool:
    """A real body with no token but its braces (constructors, no-op hooks): any ``{}`` passes it unprobed."""
    return read(body, True).tokens == ("{", "}")


def summarise(rows: list[Row]) -> dict[str, Any]:
    """Per system, over all functions, per module and per confidence bucket: pass@1 over tested functions, the
    outcomes, and how many passes are empty real bodies or token-identical copies (what a pass is worth)."""

    def block(rs: list[Row]) -> dict[str, Any]:
        tested = [r for r in rs if r.tested]
        passed = [r for r in tested if r.status == PASS]
        ts = sum(r.truth_statements for r in rs)
        judged = not any(r.status == NOT_RUN for r in rs)  # --no-pass1: no pass@1 to report
        return {
            "functions": len(rs),
            "tested": len(tested),
            "untested": len(rs) - len(tested),
            "pass": len(passed),
            "pass@1": round(len(passed) / len(tested), 4) if tested and judged else None,
            "pass_empty_body": sum(_empty_body(r.GroundTruth) for r in passed),
            "pass_identical": sum(r.exact for r in passed),
            # generate's last resort for a hook no candidate could write (``generate/defaults.py``)
            "pass_llvm_default": sum(r.source == LLVM_DEFAULT for r in passed),
            "compile_error": sum(r.status == COMPILE_ERROR for r in tested),
            "fail": sum(r.status == FAIL for r in tested),
            "missing": sum(r.status == MISSING for r in tested),
            "exact_match": round(sum(r.exact for r in rs) / len(rs), 4) if rs else None,
            "statement_accuracy": round(sum(r.accurate_statements for r in rs) / ts, 4) if ts else None,
        }

    out: dict[str, Any] = {}
    for system in sorted({r.system for r in rows}):
        rs = [r for r in rows if r.system == system]
        entry = {"all": block(rs), "modules": {}, "confidence": {}}
        for m in MODULES:
            mr = [r for r in rs if r.Module == m]
            if mr:
                entry["modules"][m] = block(mr)
        if any(r.Confidence is not None for r in rs):
            for name, lo, hi in BUCKETS:
                br = [r for r in rs if r.Confidence is not None and lo < r.Confidence <= hi]
                entry["confidence"][name] = block(br)
            entry["confidence"][NO_CONFIDENCE] = block([r for r in rs if r.Confidence is None])
        out[system] = entry
    return out


def markdown(summary: dict[str, Any], meta: dict[str, Any]) -> str:
    lines = [f"### {meta['holdout']} (commit {meta['commit']}, LLVM {meta['llvm_version']})", "",
             f"`{meta['command']}`", "",
             ("| system | functions | tested | untested | pass@1 (tested) | passes: empty real body | "
              "passes: identical copy | compile errors | fails | missing | exact match | statement acc. |"),
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for system, e in summary.items():
        a = e["all"]
        p = f"{100 * a['pass@1']:.1f}% ({a['pass']}/{a['tested']})" if a["pass@1"] is not None else "-"
        sa = f"{100 * a['statement_accuracy']:.1f}%" if a["statement_accuracy"] is not None else "-"
        lines.append(f"| {system} | {a['functions']} | {a['tested']} | {a['untested']} | {p} | {a['pass_empty_body']} | "
                     f"{a['pass_identical']} | {a['compile_error']} | {a['fail']} | "
                     f"{a['missing']} | {100 * (a['exact_match'] or 0):.1f}% | {sa} |")
    defaults = [f"{system} {e['all']['pass_llvm_default']}" for system, e in summary.items()
                if e["all"].get("pass_llvm_default")]
    if defaults:
        lines += ["", "Passes whose code calls LLVM's default (the base class's version of a hook no candidate could "
                  f"write, `generate/defaults.py`): {', '.join(defaults)}."]
    lines += ["", "Per module, pass@1 over tested functions (n tested):", "",
              "| system | " + " | ".join(MODULES) + " |", "|---" * (len(MODULES) + 1) + "|"]
    for system, e in summary.items():
        cells = []
        for m in MODULES:
            b = e["modules"].get(m)
            cells.append(f"{100 * b['pass@1']:.1f} ({b['tested']})" if b and b["pass@1"] is not None else "-")
        lines.append(f"| {system} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def training_targets(holdout: str, corpus_targets: set[str], model: Path | None) -> list[str]:
    """The targets the nearest-neighbour copy may take functions from: the model's own training targets when a
    model is evaluated (it learnt from no others), else every corpus target but the held-out one."""
    if model is None:
        return sorted(corpus_targets - {holdout})
    from ..model.checkpoint import read_meta

    return sorted((set(read_meta(model).get("train_targets") or []) & corpus_targets) - {holdout})


def describe_tables(holdout: str, train: list[str]) -> tuple[Any, dict[str, Any]]:
    """The held-out target's property table and the training targets' (``<cache>/describe``, described there when
    missing): all that the baselines know of the held-out target besides which functions to fill in."""
    from ..features.data import load_tables

    ddir = cache_root() / "describe"
    data = load_tables(ddir, {holdout, *train})
    if holdout not in data:
        raise ConfigError(f"{holdout}: no property table in {ddir}; describe it with `vega-llvm describe --td <{holdout}.td>`")
    return data[holdout].table, {t: data[t].table for t in train if t in data}


def nearest_candidates(
    covered: list[FunctionRecord], corpus: list[FunctionRecord], ranking: list[str], names: dict[str, Any], spelling: str,
) -> dict[str, Candidate]:
    """The ``nearest`` system: each function copied from the most similar training target that has its group."""
    from ..generate.baseline import nearest_bodies

    ranked = set(ranking)
    copies = nearest_bodies(covered, [r for r in corpus if r.target in ranked], ranking,
                            {t: names.get(t, {}).get("spellings", [t]) for t in ranking}, spelling)
    return {i: Candidate(c[1], source=c[0], head=c[2]) if c else Candidate(None) for i, c in copies.items()}


ORACLE = "best-member (oracle)"


def best_member_candidates(
    covered: list[FunctionRecord], corpus: list[FunctionRecord], ranking: list[str], names: dict[str, Any], spelling: str,
) -> dict[str, Candidate]:
    """The upper bound of copying: per function, the training target's version (renamed) that is closest to the real
    function (exact match first, then accurate statements, then similarity rank). It reads the ground truth to
    choose, so it is a bound for any system that picks one existing implementation per function, not a system."""
    from ..generate.baseline import member_bodies

    ranked = set(ranking)
    every = member_bodies(covered, [r for r in corpus if r.target in ranked], ranking,
                          {t: names.get(t, {}).get("spellings", [t]) for t in ranking}, spelling)
    out: dict[str, Candidate] = {}
    for r in covered:
        best: tuple[tuple[bool, int, int], str, str, str] | None = None
        for rank, (donor, body, head) in enumerate(every.get(r.id, [])):
            c = compare(extract_body(body), r.body, r.signature)
            key = (c.exact, c.accurate_statements, -rank)
            if best is None or key > best[0]:
                best = (key, donor, body, head)
        out[r.id] = Candidate(best[2], source=best[1], head=best[3]) if best else Candidate(None)
    return out


def baselines(
    holdout: str, covered: list[FunctionRecord], corpus: list[FunctionRecord], names: dict[str, Any], donor: str,
    train: list[str], log: Callable[[str], None],
) -> tuple[dict[str, dict[str, Candidate]], dict[str, Any]]:
    """The two baseline systems (``forkflow``, ``nearest``), the best-member upper bound (``ORACLE``), and what they
    were made from, for the run's meta.

    Of the held-out target they read its description and which functions to fill in, never its code: its name is
    the namespace its description declares, the nearest target is the most similar description."""
    from ..generate.baseline import rank_targets

    table, train_tables = describe_tables(holdout, train)
    spelling = table.namespace or holdout
    ranking = rank_targets(table, train_tables)
    log(f"{holdout}: nearest training targets by description: " + ", ".join(f"{n} ({s:.2f})" for n, s in ranking[:3]))
    donor_spellings = names.get(donor, {}).get("spellings", [donor])
    systems = {
        "forkflow": {i: Candidate(b[0], head=b[1]) if b else Candidate(None) for i, b in forkflow_bodies(
            covered, [r for r in corpus if r.target == donor], donor_spellings, spelling).items()},
        "nearest": nearest_candidates(covered, corpus, [n for n, _ in ranking], names, spelling),
        ORACLE: best_member_candidates(covered, corpus, [n for n, _ in ranking], names, spelling),
    }
    return systems, {"spelling": spelling,
                     "nearest": {"train_targets": train, "ranking": [[n, round(s, 4)] for n, s in ranking[:5]]}}


def run_eval(
    holdout: str,
    *,
    results: Path | None = None,
    model: Path | None = None,
    donor: str = DEFAULT_DONOR,
    out_dir: Path | None = None,
    corpus_dir: Path | None = None,
    work_dir: Path | None = None,
    pass_at_1: bool = True,
    batch_size: int = 16,
    test_timeout: float = 60,
    limit: int | None = None,
    compiler_answer: bool = False,
    command: str = "",
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    start = time.monotonic()
    commit = _git_commit()  # the code that runs: read before a long run, not after it
    from ..corpus.build import ensure_corpus

    corpus_dir = ensure_corpus(corpus_dir, log)
    corpus = load_corpus(corpus_dir)
    targets = {r.target for r in corpus}
    if holdout not in targets:
        raise ConfigError(f"unknown target {holdout!r}; the corpus has {', '.join(sorted(targets))}")
    if donor not in targets:
        raise ConfigError(f"unknown ForkFlow donor {donor!r}")
    records = sorted((r for r in corpus if r.target == holdout), key=lambda r: r.id)
    other_keys = {r.key for r in corpus if r.target != holdout}
    covered = [r for r in records if r.key in other_keys]
    if limit:
        covered = covered[:limit]
    log(f"{holdout}: {len(records)} functions, {len(covered)} in groups other targets implement")

    names = json.loads((corpus_dir / "targets.json").read_text())
    systems, baseline_meta = baselines(holdout, covered, corpus, names, donor,
                                       training_targets(holdout, targets, model), log)
    out_dir = out_dir or Path("runs") / f"eval-{holdout}"
    out_dir.mkdir(parents=True, exist_ok=True)
    if model is not None:
        results = generate_for(model, holdout, out_dir, log, covered)
    if results is not None:
        systems["vega-llvm"] = load_generated(results, holdout, covered)
    later = _later_candidates(systems.get("vega-llvm", {})) if compiler_answer else {}
    systems.update(later)

    # Every system is scored on what is swapped in: the body (the real signature stays); a text that is not exactly
    # one function is scored whole (Candidate.body is then the whole text, never a cut).
    comparisons = {system: {r.id: compare(cands.get(r.id, Candidate(None)).body, r.body, r.signature) for r in covered}
                   for system, cands in systems.items()}
    outcomes: dict[str, dict[str, SwapOutcome]] = {system: {} for system in systems}
    executed = {r.id: True for r in covered}
    harness: SchemaHarness | None = None
    if pass_at_1:
        work = work_dir or cache_root() / "eval" / holdout
        harness = SchemaHarness(targets_dir() / holdout, work / "schema", test_timeout=test_timeout, log=log)
        subjects = [
            Subject(r.id, r.name, r.path, r.line, r.body, {
                system: cands[r.id].judged(r.signature)
                for system, cands in systems.items()
                if cands.get(r.id) and cands[r.id].body is not None and not comparisons[system][r.id].exact
            })
            for r in covered
        ]
        n_alts = sum(len(s.alternatives) for s in subjects)
        log(f"{holdout}: judging {n_alts} alternatives of {len(subjects)} functions ({', '.join(systems)})")
        tick = probe_start = time.monotonic()

        def progress(done: int, total: int) -> None:
            nonlocal tick, probe_start
            if done == 0:  # the harness starts probing (after the schema builds and the traced run)
                tick = probe_start = time.monotonic()
                log(f"{holdout}: probing {total} alternatives")
                return
            if done == total or time.monotonic() - tick > 30:
                tick = time.monotonic()
                log(f"{holdout}: {probe_line(done, total, tick - probe_start)}")

        decided, tests = harness.evaluate(subjects, progress=progress, batch_size=batch_size)
        outcomes.update(decided)
        executed = {r.id: bool(tests.get(r.id)) for r in covered}

    rows: list[Row] = []
    for system, cands in systems.items():
        for r in covered:
            cand = cands.get(r.id, Candidate(None))
            cmp = comparisons[system][r.id]
            if cand.body is None:
                status, detail = MISSING, ""
            elif cmp.exact:
                status, detail = PASS, "identical to the ground truth"
            elif r.id in outcomes[system]:
                status, detail = outcomes[system][r.id].status, outcomes[system][r.id].detail
            else:
                status, detail = NOT_RUN, ""
            rows.append(Row(
                Target=holdout, Module=r.module, File=r.file, Func=r.qname, Code=cand.text, GroundTruth=r.body,
                Confidence=cand.confidence, system=system, id=r.id, status=status, tested=executed.get(r.id, False),
                exact=cmp.exact, accurate_statements=cmp.accurate_statements, truth_statements=cmp.truth_statements,
                detail=detail, statements=cand.statements, source=cand.source,
            ))
    if later:
        rows = with_compiler_answer(rows, ["vega-llvm", *later])
    summary = summarise(rows)
    meta = {
        "holdout": holdout, "commit": commit, "llvm_version": LLVM_VERSION, "tool_version": __version__,
        "donor": donor, "results": str(results) if results else None, "model": str(model) if model else None, "command": command or f"vega-llvm eval --holdout {holdout}",
        "seconds": round(time.monotonic() - start, 1), "probes": harness.probes if harness else 0,
        "schema_builds": harness.builds if harness else 0,
        "functions": len(records), "covered": len(covered), "out": str(out_dir.resolve()), **baseline_meta,
    }
    _write(out_dir / "result.jsonl", "".join(json.dumps(asdict(r)) + "\n" for r in rows))
    _write(out_dir / "summary.json", json.dumps({"meta": meta, "summary": summary}, indent=2) + "\n")
    _write(out_dir / "summary.md", markdown(summary, meta))
    from .report import write_report

    write_report(out_dir, rows, summary, meta)
    return {"meta": meta, "summary": summary, "rows": rows}


def _write(path: Path, text: str) -> None:
    atomic_write_text(path, text)
