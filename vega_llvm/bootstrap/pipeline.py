"""``bootstrap``: describe -> generate -> emit -> build -> test (lit + smoke) -> report, for one ``.td``.

Output folder (``--out DIR``)::

    DIR/lib/Target/<X>/     the target directory (scratch: rendered; swap: the real one with generated bodies)
    DIR/build/              its CMake/Ninja build (reused: reruns are incremental)
    DIR/result.jsonl        the generated functions (when generated here)
    DIR/functions.json      every emitted function with its source and confidence
    DIR/bootstrap-state.json what reruns restore (``bootstrap.memory``): each function before and after the ladder
    DIR/lit/, DIR/smoke/    test runs
    DIR/report.json, DIR/report.md, DIR/bootstrap.json (argv, commit, LLVM version, model)

A compile failure does not stop the run: Ninja keeps going (``-k 0``), and each compiler error is charged to the
function whose lines it points into (``evaluate.swap.attribute_errors``). The repair loop then rebuilds until the
backend links or nothing more can be charged. Each round it adds what the tblgen tables call and the pure virtual
functions of LLVM's base classes that nothing defines (stubs, ``emit.required``), and moves each charged function
one step up its ladder (``bootstrap.repair``):

* scratch: next candidate, statement removal (a taken-over body), constructor head repair, the nearest training
  target's code (renamed), stub (``report_fatal_error``), left out;
* swap: next candidate, the real body back.

When nothing more can be charged, the optional libraries (asm parser, disassembler) that do not compile are left
out. ``report.json``/``report.md`` list every step taken, round by round, with the compiler line that caused it.
The build traps undefined behaviour where it happens (``TRAP_ARGS``), so that a test that reaches it names the
function it is in.

Then the tests take over (``_test_rounds``, ``--test-rounds``): the functions the failing lit tests stop at get
their next candidate or the nearest target's code, the backend is rebuilt and tested again, and a round that makes
more tests fail is undone.

Reruns in the same ``--out`` (``--force``, ``--only F``) start from where the last run ended (``bootstrap.memory``):
the functions that did not change come back as the ladder left them, so the first build of the rerun rewrites and
recompiles only the files of the functions that changed. After the lit run, ``stops.write_first`` ranks the stubs
and the low-confidence functions the failing tests stop at ("write these first").
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import LLVM_VERSION, __version__
from ..backend_build.cmake import build, parse_failed_units, parse_undefined_references, qualified_name
from ..backend_build.target_dir import resolve
from ..emit.functions import DEFAULT_THRESHOLD, EmitFunction, load_results, parse_signature
from ..emit.render import write_tree
from ..emit.report import BootstrapReport, FunctionRow
from ..emit.required import llvm_virtual_names
from ..emit.sources import GroupChoice, scratch_functions, scratch_groups, swap_edits
from ..errors import BuildError, ConfigError, LitRunError, ToolError
from ..evaluate.swap import AppliedEdit, attribute_errors
from ..generate.parameters import declared_signatures
from .repair import (  # noqa: F401  (the helpers tests and callers know from here: re-exported)
    LAST, MISSING_NAME, RUNTIME, SCRATCH, Charged, Repair, RepairState, Step, comment_out, fix_arguments, removable,
    removable_errors, repair_round, repaired_head, statement_extent, stub_function,
)
from .arguments import ArgumentFix, argument_fixes
from .callees import as_declared, error_text, library_callees, mismatched_calls, redirect
from .memory import Memory, function_from, load as load_memory, remember, restore_tree, same_function
from .stops import stubs_hit, write_first  # noqa: F401  (stubs_hit: re-exported)
from .trees import OPTIONAL, PROBE, Emitted, ScratchTree, SwapTree, Tree

MODES = ("scratch", "swap")
# Rebuilds after replacing the functions compile errors were charged to (each round can only reach errors the
# previous one let the compiler see).
MAX_REPAIR_ROUNDS = 12
# Undefined behaviour of the emitted code traps where it happens (``__builtin_trap``: SIGILL, and LLVM's stack dump
# names the function it is in) instead of running on into a crash with no frame of ours: a generated body that falls
# off the end of a non-void function (``VEGA_TRAP_UB``) and a reached ``__builtin_unreachable``, which in a release
# build is what the ``llvm_unreachable`` of LLVM's own inline header code compiled into our sources becomes
# (``MVT::getSizeInBits`` of a type the target never set up). The trap then charges the function that got there
# (``stops.crash_site``) rather than leaving the test with nothing to name.
TRAP_ARGS = ["-DVEGA_TRAP_UB=ON", "-DCMAKE_CXX_FLAGS=-fsanitize=unreachable"]
_IDENT = re.compile(r"[A-Za-z_]\w*")


@dataclass
class BootstrapConfig:
    td: Path
    out: Path
    mode: str = "scratch"
    model: Path | None = None
    results: Path | None = None
    force: bool = False
    only: list[str] = field(default_factory=list)
    threshold: float = DEFAULT_THRESHOLD
    corpus: Path | None = None
    describe_dir: Path | None = None
    run_build: bool = True
    run_lit: bool = True
    run_smoke: bool = True
    test_timeout: float = 30  # seconds per lit test (``--timeout``)
    jobs: int | None = None
    repair: bool = True
    test_rounds: int = 2  # rebuilds that move the functions failing lit tests stop at (``_test_rounds``)


def resolve_model(model: str | None, results: Path | None, log: Callable[[str], None]) -> Path | None:
    """``--model``: a checkpoint folder; ``none`` for no model; unset: the shipped default (said so), unless
    ``--results`` already holds generated functions."""
    if results is not None:
        if model not in (None, "none"):
            raise ConfigError("give either --model or --results, not both")
        return None
    if model is not None and model.lower() == "none":
        return None
    if model is None:
        from ..paths import default_checkpoint

        path = default_checkpoint()
        if not (path / "vega_meta.json").is_file():
            raise ConfigError(f"{path}: the shipped default checkpoint is missing; pass --model DIR, or --model none")
        log(f"generating with the shipped default checkpoint {path} (--model none: no model)")
        return path
    path = Path(model)
    if not path.is_dir():
        raise ConfigError(f"--model {model}: no such checkpoint folder")
    return path


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _save_functions(path: Path, fns: list[EmitFunction]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps([asdict(f) for f in fns], indent=0) + "\n")
    os.replace(tmp, path)


def _load_functions(path: Path) -> list[EmitFunction]:
    return [function_from(d) for d in json.loads(path.read_text())]


def _matches(fn: EmitFunction, names: list[str]) -> bool:
    return any(n in (fn.key, fn.name, fn.key.split("::")[-1]) or n == fn.name.split("::")[-1] for n in names)


def generated_functions(cfg: BootstrapConfig, table: object, log: Callable[[str], None],
                        only: set[tuple[str, str]] | None = None) -> tuple[list[EmitFunction], str]:
    """The model's functions: from ``--results`` or by running ``generate`` now (``only``: for these groups
    alone); none without either."""
    from ..corpus.records import read_jsonl  # noqa: F401  (corpus must be importable: generate needs it too)

    spell = [table.target, table.namespace]  # type: ignore[attr-defined]
    if cfg.results:
        return load_results(cfg.results, table.target, spell, cfg.threshold), f"results:{Path(cfg.results).resolve()}"  # type: ignore[attr-defined]
    if cfg.model:
        from ..generate.generate import generate

        dest = cfg.out / "result.jsonl"
        log(f"generate with {cfg.model}")
        res = generate(Path(cfg.model), td=cfg.td, out=dest, progress=False, only=only)
        return load_results(res.out, table.target, spell, cfg.threshold), f"model:{Path(cfg.model).resolve()}"  # type: ignore[attr-defined]
    log("no --model and no --results: every function falls back to the nearest training target")
    return [], "none"


def run(cfg: BootstrapConfig, log: Callable[[str], None] = lambda m: None) -> BootstrapReport:
    from ..describe.describe import describe

    out, td = _out_dir(cfg)
    times: dict[str, float] = {}
    with _timed(times, "describe"):
        table, _ = describe(td)
    groups = None
    if cfg.mode == "scratch" and not cfg.only and cfg.model and not cfg.results:
        # the function set first, so that only its groups are generated (after the checks of the inputs: a bad
        # results file or output folder is reported before any of this work)
        with _timed(times, "select"):
            groups = _scratch_groups(cfg, table, td, log)
    with _timed(times, "generate"):
        generated, model_src = generated_functions(cfg, table, log, groups.wanted if groups is not None else None)
    out.mkdir(parents=True, exist_ok=True)
    memory = load_memory(out, cfg.mode) if (cfg.force or cfg.only) else None
    if cfg.only and memory is None:  # a run from before bootstrap-state.json: its functions.json
        generated = _with_previous(out / "functions.json", generated, cfg.only, log)
    target_dir = out / "lib" / "Target" / td.parent.name
    report = BootstrapReport(
        target=table.target, mode=cfg.mode, out=str(out), target_dir=str(target_dir),
        provenance={
            "command": " ".join(sys.argv), "commit": _commit(), "tool_version": __version__,
            "llvm_version": LLVM_VERSION, "model": model_src, "td": str(td), "threshold": cfg.threshold,
        },
    )
    tree, state = _tree(cfg, table, td, target_dir, generated, report, log, memory, groups)
    if cfg.repair:  # a function restored as the last run left it has been through this already
        first = tree.unbuildable()
        if isinstance(tree, ScratchTree):  # a pruned candidate whose whole twin this backend can build
            first += [c for c in tree.declared_twins() if c.key not in {u.key for u in first}]
        repair(tree, state, [c for c in first if c.key not in state.replaced and c.key not in state.dropped], 0, log)
    built = _build_loop(cfg, tree, state, target_dir, out, report, times, log)
    if built is None:  # --no-build: written only
        return report
    _lit(cfg, built, td, target_dir, out, report, times, log)
    if cfg.repair and cfg.test_rounds:
        built = _test_rounds(cfg, tree, state, built, td, target_dir, out, report, times, log)
    _smoke(cfg, built, target_dir, out, report, times)
    report.seconds = times
    report.save(out)
    (out / "bootstrap.json").write_text(json.dumps({"argv": sys.argv, **report.provenance, "config": {k: str(v) for k, v in asdict(cfg).items()}}, indent=1) + "\n")
    return report


def _out_dir(cfg: BootstrapConfig) -> tuple[Path, Path]:
    """The output folder and the ``.td``, once the configuration is checked (the folder is made only once the
    description is read, so bad input leaves no empty ``--out`` behind)."""
    from ..paths import llvm_src_root

    if cfg.mode not in MODES:
        raise ConfigError(f"--mode {cfg.mode!r}: choose scratch or swap")
    td = Path(cfg.td).resolve()
    out = Path(cfg.out).resolve()
    src = llvm_src_root(required=False)
    if src is not None and (out == src or src in out.parents):
        raise ConfigError(f"--out {out} is inside the llvm-project tree {src}; choose a folder outside it")
    previous = out / "functions.json"
    if out.exists() and any(out.iterdir()) and not cfg.force and not (cfg.only and previous.is_file()):
        raise ConfigError(f"{out} exists and is not empty; pass --force to update it (reruns are incremental)")
    if cfg.only and not previous.is_file():  # before describe, the corpus and generation: a fresh cache builds them
        raise ConfigError(f"--only needs a previous run in {out} (no functions.json)")
    return out, td


@contextmanager
def _timed(times: dict[str, float], stage: str) -> Iterator[None]:
    """Add the seconds the block takes to ``times[stage]``."""
    t0 = time.monotonic()
    try:
        yield
    finally:
        times[stage] = round(times.get(stage, 0) + time.monotonic() - t0, 1)


def _with_previous(previous: Path, generated: list[EmitFunction], only: list[str], log: Callable[[str], None]) -> list[EmitFunction]:
    """``--only``: the previous run's functions, with those named regenerated."""
    if not previous.is_file():
        raise ConfigError(f"--only needs a previous run in {previous.parent} (no functions.json)")
    old = _load_functions(previous)
    new = {g.key: g for g in generated if _matches(g, only)}
    if not new:
        raise ConfigError(f"--only {' '.join(only)}: no generated function by that name")
    kept = [f for f in old if f.key not in new]
    log(f"--only: regenerated {len(new)} function(s), kept {len(kept)}")
    return kept + list(new.values())


def _scratch_groups(cfg: BootstrapConfig, table: Any, td: Path, log: Callable[[str], None]) -> GroupChoice:
    """The function groups of a scratch target (``emit.sources.scratch_groups``)."""
    from ..corpus.build import ensure_corpus
    from ..describe.describe import describe_dir
    from ..emit.backends import training_layout

    corpus = Path(cfg.corpus) if cfg.corpus else ensure_corpus(log=log)
    exclude = {td.parent.name, table.target}
    ddir = Path(cfg.describe_dir) if cfg.describe_dir else describe_dir()
    return scratch_groups(table, corpus, ddir, exclude, training_layout(corpus, exclude))


def _tree(cfg: BootstrapConfig, table: Any, td: Path, target_dir: Path, generated: list[EmitFunction],
          report: BootstrapReport, log: Callable[[str], None], memory: Memory | None = None,
          groups: GroupChoice | None = None) -> tuple[Tree, RepairState]:
    """The target directory to write (scratch: the function set chosen for the new target; swap: the real target
    with the generated bodies) and the repair loop's state (scratch: with the nearest target's code of each
    generated function). With the last run's ``memory`` (a rerun), the functions that did not change come back as
    the last run left them (``--only``: every function not named)."""
    from ..corpus.build import ensure_corpus
    from ..describe.describe import describe_dir
    from ..emit.backends import training_layout

    corpus = Path(cfg.corpus) if cfg.corpus else ensure_corpus(log=log)
    state = RepairState(overrides_llvm=_overrides_llvm)
    exclude = {td.parent.name, table.target}
    if cfg.mode == "swap":
        real = resolve(td.parent)
        if cfg.only and memory is not None:
            generated = _only(generated, cfg.only) + [r.final for k, r in memory.functions.items()
                                                      if not _matches(r.final, cfg.only)]
        edits, carried, missing = swap_edits(generated, corpus, real.path.name)
        tree: Tree = SwapTree(real.path, edits, {f.record_id: f for f in carried}, [f.key for f in missing])
    elif cfg.only and memory is not None:
        new = {g.key: g for g in _only(generated, cfg.only)}
        chosen = [new.pop(k, None) or memory.functions[k].final for k in memory.order] + list(new.values())
        tree = ScratchTree(table, td, target_dir, chosen, training_layout(corpus, exclude), memory.prefer)
        tree.corpus = corpus  # its donors are ranked again where needed (the constants their code reads)
        tree.origins.update({k: r.origin for k, r in memory.functions.items() if not _matches(r.final, cfg.only)})
        state.alternates = dict(memory.alternates)
        report.selection, report.donors = dict(memory.selection), list(memory.donors)
    elif cfg.mode == "scratch" and cfg.only:  # no memory: the last run's functions.json, as chosen
        tree = ScratchTree(table, td, target_dir, generated, training_layout(corpus, exclude))
        tree.corpus = corpus
    else:
        ddir = Path(cfg.describe_dir) if cfg.describe_dir else describe_dir()
        layout = training_layout(corpus, exclude)
        sel = scratch_functions(table, generated, corpus, ddir, exclude, layout, groups)
        state.alternates = sel.alternates
        report.donors = [[d.target, round(d.similarity, 4)] for d in sel.donors[:5]]
        report.selection = {"nearest": sel.donors[0].target, "functions": len(sel.functions),
                            "by_majority": sel.by_majority, "generated_not_selected": len(sel.not_selected),
                            "not_described": len(sel.not_described),
                            "nearest_own_files": {k: len(v) for k, v in sel.own_files.items()}}
        log(f"function set: {len(sel.functions)} functions (the groups of {sel.donors[0].target} and "
            f"{sel.by_majority} more most targets implement, in {len(layout.kinds)} file kinds the training targets "
            f"share); {len(sel.not_selected)} generated functions left out, {len(sel.not_described)} groups of parts "
            f"the description does not have, {sum(map(len, sel.own_files.values()))} of the nearest target's own files")
        tree = ScratchTree(table, td, target_dir, sel.functions, layout, [d.target for d in sel.donors])
        tree.donors, tree.corpus = sel.donors, corpus
    if memory is not None:
        _restore(cfg, tree, state, memory, log)
    return tree, state


def _only(generated: list[EmitFunction], only: list[str]) -> list[EmitFunction]:
    """``--only``: the generated functions named."""
    new = [g for g in generated if _matches(g, only)]
    if not new:
        raise ConfigError(f"--only {' '.join(only)}: no generated function by that name")
    return new


def _restore(cfg: BootstrapConfig, tree: Tree, state: RepairState, memory: Memory, log: Callable[[str], None]) -> None:
    """A rerun: the functions that did not change (``--force``: chosen the same as last time; ``--only``: every
    function not named) as the last run left them (``memory.restore_tree``)."""
    if cfg.only:
        keep = lambda k, fn, r: not _matches(r.final, cfg.only)  # noqa: E731
    else:
        keep = lambda k, fn, r: same_function(fn, r.origin)  # noqa: E731
    done = restore_tree(tree, state, memory, keep, {lib: folder for folder, lib in OPTIONAL.items()})
    log(f"rerun: {len(done)} functions as the last run left them, {len(tree.functions()) - len(done)} new or changed")
    if done:
        tree.probe_first = False  # probes would rewrite the headers, and every file would compile twice


def repair(tree: Tree, state: RepairState, charged: list[Charged], round_: int | str,
          log: Callable[[str], None], ladder: list[Step] | None = None) -> dict[str, Repair]:
    """One step of the tree's ladder (or ``ladder``) for each charged function, put in place (``round_`` 0: before
    any build)."""
    reps = repair_round(ladder or tree.ladder, charged, tree.functions(), state, round_)
    for k, rep in reps.items():
        if rep.fn is not None:
            tree.put(k, rep.fn)
        for caller, changed in rep.callers.items():
            tree.put(caller, changed)
    if reps:
        log(f"repair round {round_}: {_steps(reps)}" + ("" if round_ else
            " (before the first build: brackets that do not pair up, signatures that do not parse)"))
    return reps


@dataclass
class Built:
    """The build loop's outcome."""

    ok: bool
    llc: Path | None  # linked by this run
    llvm_mc: Path | None


def _build_loop(cfg: BootstrapConfig, tree: Tree, state: RepairState, target_dir: Path, out: Path,
                report: BootstrapReport, times: dict[str, float], log: Callable[[str], None]) -> Built | None:
    """Write, build and charge, then repair and rebuild until the backend links or nothing more can be done: each
    round adds what the tables and base classes require (``tree.require``) and moves each charged function one step
    up its ladder; when neither has anything to do, or the rounds run out, the optional libraries that fail are
    left out (and built once more without them). None with ``--no-build``."""
    build_dir = out / "build"
    rounds: list[float] = report.build.get("round_seconds", [])  # every build of the run, the lit-driven ones too
    for round_ in range(MAX_REPAIR_ROUNDS + 2):
        # the first build also writes each model function's later candidates beside it (``trees.probe_copies``);
        # never a tree that is not built and repaired, which would keep them
        probing = round_ == 0 and cfg.run_build and cfg.repair and tree.probe_first
        em = tree.emit(state, probes=True) if probing else tree.emit(state)
        report.unplaced, report.without_library = tree.unplaced, tree.without_library
        if getattr(tree, "expanded", None):  # scratch: Custom operations no lowering case handles (emit.coherence)
            report.selection["expanded"] = list(tree.expanded)
        if getattr(tree, "registered", None):  # scratch: static creators nothing registered (emit.coherence)
            report.selection["registered"] = list(tree.registered)
        if getattr(tree, "misnamed", 0):  # scratch: nodes getTargetNodeName did not name (emit.coherence)
            report.selection["nodes_named"] = tree.misnamed
        _save_functions(out / "functions.json", list(em.functions.values()))
        changed: list[str] = []
        counts = write_tree(target_dir, em.files, force=target_dir.exists(), changed=changed)
        log(f"wrote {target_dir}: {counts}" + (f" ({', '.join(changed)})" if 0 < len(changed) <= 8 else ""))
        report.seconds = times
        if not cfg.run_build:
            report.files = {s: "not-built" for s in em.sources}
            report.functions = [_row(f, k, em.file_of.get(k, ""), "not-built", cfg.threshold) for k, f in em.functions.items()]
            report.repairs = state.moves
            report.save(out)
            _remember(cfg, tree, state, report, out)
            return None
        log(f"build {target_dir}" + (f" (repair round {round_})" if round_ else ""))
        before = times.get("build", 0.0)
        with _timed(times, "build"):
            charge = _build_and_charge(target_dir, build_dir, em.applied, cfg.jobs, em.decl_sites)
        rounds.append(round(times["build"] - before, 1))
        if probing:
            tree.probe_first = False
            _read_probes(charge, em, state, log)
        log(f"built in {rounds[-1]:.0f} s" + ("" if charge.ok else f": {len(charge.blamed)} functions charged"))
        if probing and (charge.ok or not charge.blamed):
            continue  # nothing in place failed: the same tree without the probes is the next build
        if charge.ok or not cfg.repair or round_ > MAX_REPAIR_ROUNDS:
            break
        if round_ == MAX_REPAIR_ROUNDS:  # out of rounds: the core libraries may link without the optional ones
            # and without what still fails in them: each function charged now goes straight to the ladder's end
            last = repair(tree, state, tree.charged(charge, state), "last", log, LAST) if tree.ladder is SCRATCH else {}
            if not (_leave_out_failing(tree, em, build_dir, report, log, "the repair rounds ran out") or last):
                break
            continue
        added = tree.require(charge.log_text, build_dir, state)
        if not probing:  # a probe's call may instantiate LLVM's code against our functions: not their fault
            _charge_callees(charge, em, tree.functions(), target_dir, build_dir, log, getattr(tree, "table", None),
                            fix_arguments in tree.ladder)
        charged = tree.charged(charge, state)
        if not (repair(tree, state, charged, round_ + 1, log) or added):
            if not _leave_out_failing(tree, em, build_dir, report, log, "nothing more to charge"):
                break
        elif added:
            log(f"adding {added} stubs and members the tables or base classes require")
    report.repair_rounds += round_  # the rounds of every call (the lit-driven rounds build again)
    report.repairs = state.moves
    compiled = _compiled_sources(build_dir, em.sources)
    report.files = {s: ("compiled" if s in compiled else "failed") for s in em.sources}
    llc, mc = build_dir / "bin" / "llc", build_dir / "bin" / "llvm-mc"
    llc_ok = llc.is_file() and (charge.ok or llc.stat().st_mtime >= charge.start)
    mc_ok = mc.is_file() and (charge.ok or mc.stat().st_mtime >= charge.start)
    report.build = {"ok": charge.ok, "seconds": times["build"], "dir": str(build_dir), "first_errors": charge.first_errors,
                    "llc": str(llc) if llc_ok else "", "llvm_mc": str(mc) if mc_ok else "", "round_seconds": rounds}
    report.functions = _rows(em, charge.blamed, state, report.files, charge.ok, cfg)
    report.functions += [_row(f, k, "", "dropped", cfg.threshold, state.dropped[k]) for k, f in tree.dropped(state).items()]
    report.save(out)
    _remember(cfg, tree, state, report, out)
    return Built(charge.ok, llc if llc_ok else None, mc if mc_ok else None)


def _read_probes(charge: "Charge", em: Emitted, state: RepairState, log: Callable[[str], None]) -> None:
    """What a build with probes (``trees.probe_copies``) said of each candidate written beside its function: one
    whose error names what does not exist into ``state.probe_failed``; then the probes' charges are taken out of
    ``charge``, which is about the functions in place."""
    probes = [k for k in em.file_of if PROBE in k]
    # only a name that does not exist fails a candidate for good: a call that does not match one of our functions
    # may match it in a later round (RISC-V's second `parseRegister` failed its probe on an overload that the
    # first round then changed, and the ladder stubbed it where the candidate would have compiled)
    failed = [k for k in probes if MISSING_NAME.search(charge.at_decl.get(k) or charge.blamed.get(k) or "")]
    charged = sum(1 for k in probes if k in charge.blamed or k in charge.at_decl)
    for k in failed:
        key, _, n = k.rpartition(PROBE)
        state.probe_failed.setdefault(key, set()).add(int(n))
    for k in probes:
        charge.blamed.pop(k, None)
        charge.at_decl.pop(k, None)
    if probes:
        log(f"probed {len(probes)} later candidates of {len({k.rpartition(PROBE)[0] for k in probes})} functions: "
            f"{len(probes) - charged} compile, {len(failed)} name what does not exist")


def _leave_out_failing(tree: Tree, em: Emitted, build_dir: Path, report: BootstrapReport, log: Callable[[str], None],
                       why: str) -> bool:
    """Leave out the optional libraries with a source that did not compile; whether there were any."""
    more = tree.leave_out(set(em.sources) - _compiled_sources(build_dir, em.sources))
    if more:
        report.selection["left_out"] = list(tree.left_out)
        log(f"leaving out {', '.join(more)}: {why} and it does not compile")
    return bool(more)


def _remember(cfg: BootstrapConfig, tree: Tree, state: RepairState, report: BootstrapReport, out: Path) -> None:
    """What the next run in ``out`` restores (``bootstrap.memory``)."""
    remember(cfg.mode, tree.origins, tree.finals(), state, subtarget_members=list(tree.subtarget_members),
             left_out=list(tree.left_out), alternates=dict(state.alternates), prefer=list(tree.prefer),
             selection=dict(report.selection), donors=list(report.donors)).save(out)


def _lit(cfg: BootstrapConfig, built: Built, td: Path, target_dir: Path, out: Path, report: BootstrapReport,
         times: dict[str, float], log: Callable[[str], None]) -> None:
    """lit (all suites when llc linked, the MC ones when only llvm-mc did), and where its failing tests stop."""
    if not (cfg.run_lit and (built.llc or built.llvm_mc)):
        return
    from ..littest.runner import run_tests

    suites = None if built.llc else ["mc", "disassembler"]
    log(f"lit ({'all suites' if built.llc else 'MC suites only: llc did not link'})")
    with _timed(times, "lit"):
        try:
            lit = run_tests(report.target if (Path(str(td.parent)).name == report.target) else td.parent.name,
                            llc=built.llc, llvm_mc=built.llvm_mc, run_dir=out / "lit", suites=suites,
                            test_timeout=cfg.test_timeout)
            report.lit = {"passed": lit.passed, "tests": len(lit.tests), "failed": len(lit.failed), "summary": lit.summary,
                          "summary_line": lit.summary_line(), "suites": lit.suites,
                          "stopped_at": stubs_hit(out / "lit" / "lit-results.json")}
            report.write_first = write_first(out / "lit" / "lit-results.json", report.functions, report.target, target_dir)
        except ConfigError as exc:
            report.lit = {"passed": 0, "tests": 0, "note": str(exc)}
        except (LitRunError, ToolError) as exc:
            report.lit = {"passed": 0, "tests": 0, "error": str(exc)}


def _smoke(cfg: BootstrapConfig, built: Built, target_dir: Path, out: Path, report: BootstrapReport,
           times: dict[str, float]) -> None:
    if cfg.run_smoke:
        from ..smoke.suite import run_smoke

        with _timed(times, "smoke"):
            report.smoke = run_smoke(built.llc, built.llvm_mc, out / "smoke",
                                     asm_parser=(target_dir / "AsmParser").is_dir(),
                                     disassembler=(target_dir / "Disassembler").is_dir())


def _test_rounds(cfg: BootstrapConfig, tree: Tree, state: RepairState, built: Built, td: Path, target_dir: Path,
                 out: Path, report: BootstrapReport, times: dict[str, float], log: Callable[[str], None]) -> Built:
    """Rounds driven by the tests instead of the compiler: the functions the failing lit tests stop at (a reached
    stub, ``llvm_unreachable`` or trap, the innermost frame of a crash: ``stops.write_first``) take one step of
    ``repair.RUNTIME`` (the model's next candidate, then its own checks made empty, then the nearest target's code,
    then its callers' branches to a stub taken out, then LLVM's default of an interface function), and the backend is
    rebuilt
    (only their files recompile) and tested again.

    A round is kept only when no more tests fail than before it; otherwise the functions go back to where they
    were, and the build and the last lit run with them, and the rounds stop. Each round's moves, and what they did
    to the pass count, are in ``report.test_rounds``."""
    for n in range(1, cfg.test_rounds + 1):
        if not report.lit.get("tests"):
            break
        fns = tree.functions()
        charged = [Charged(r["function"], f"{r['tests']} lit tests stop here ({r['why']})")
                   for r in report.write_first if r["function"] in fns]
        snap, saved, lit_before, first_before = tree.snapshot(), deepcopy(state), report.lit, report.write_first
        reps = repair_round(RUNTIME, charged, fns, state, f"lit {n}")
        moved = {k: rep for k, rep in reps.items()
                 if rep.fn is not None or rep.callers or rep.left_out or rep.step == "llvm_default"}
        if not moved:
            break
        for k, rep in moved.items():
            if rep.fn is not None:
                tree.put(k, rep.fn)
                state.dropped.pop(k, None)  # a function left out (LLVM's default crashed) comes back in its new form
                state.replaced.pop(k, None)
            for caller, changed in rep.callers.items():  # ``bypass_stub``: the stub stays, its callers change
                tree.put(caller, changed)
        log(f"lit round {n}: {_steps(moved)}")
        passed = report.lit.get("passed", 0)
        shutil.rmtree(out / "lit.before", ignore_errors=True)
        if (out / "lit").exists():
            os.replace(out / "lit", out / "lit.before")
        again = _build_loop(cfg, tree, state, target_dir, out, report, times, log)
        if again is not None and (again.llc or again.llvm_mc):
            report.lit = {}
            _lit(cfg, again, td, target_dir, out, report, times, log)
        now = report.lit.get("passed", 0)
        kept = again is not None and now >= passed and bool(report.lit.get("tests"))
        report.test_rounds.append({"round": n, "moved": {k: rep.to for k, rep in moved.items()},
                                   "passed_before": passed, "passed_after": now, "kept": kept})
        if kept:
            shutil.rmtree(out / "lit.before", ignore_errors=True)
            built = again  # type: ignore[assignment]
            log(f"lit round {n}: {passed} -> {now} tests pass; kept")
            continue
        log(f"lit round {n}: {passed} -> {now} tests pass; the functions go back")
        tree.restore(snap)
        for name in vars(state):  # the state's moves with it: the round's are in test_rounds
            setattr(state, name, getattr(saved, name))
        back = _build_loop(cfg, tree, state, target_dir, out, report, times, log)
        built = back if back is not None else built
        shutil.rmtree(out / "lit", ignore_errors=True)
        if (out / "lit.before").exists():
            os.replace(out / "lit.before", out / "lit")
        report.lit, report.write_first = lit_before, first_before
        break
    return built


def _overrides_llvm(key: str) -> bool:
    """Whether the function ``key`` overrides an LLVM interface function (then leaving it out keeps LLVM's)."""
    owner, _, name = key.partition("#")[0].rpartition("::")
    if not owner or "#" in key or name == owner.rpartition("::")[2] or name.startswith("~"):
        return False
    from ..llvm.toolchain import find_toolchain

    return name in llvm_virtual_names(find_toolchain().includedir)


def _steps(reps: dict[str, Repair]) -> str:
    """``next_candidate 3, stub 1``: how many functions took each step."""
    counts: dict[str, int] = {}
    for r in reps.values():
        counts[r.step] = counts.get(r.step, 0) + 1
    return ", ".join(f"{step} {n}" for step, n in counts.items())


def _rows(em: Emitted, blamed: dict[str, str], state: RepairState, files: dict[str, str], ok: bool,
          cfg: BootstrapConfig) -> list[FunctionRow]:
    """Each written function's row: where it is, what the repair loop did to it, and whether it compiled."""
    rows = []
    for k, f in em.functions.items():
        rel = em.file_of.get(k, "")
        compiled = bool(rel) and files.get(rel) == "compiled"
        if k in state.replaced:
            status = "reverted" if cfg.mode == "swap" else "stubbed"
        elif k in blamed:
            status = "error"
        elif k in state.fell_back and compiled:
            status = "fallback"
        elif k in state.moved and (compiled or (rel.endswith(".h") and ok)):
            status = "later-candidate"
        elif compiled or (rel.endswith(".h") and ok):
            status = "compiled"
        elif rel:
            status = "file-failed"
        else:
            status = "not-built"
        error = state.replaced.get(k) or blamed.get(k) or state.fell_back.get(k) or state.moved.get(k, "")
        row = _row(f, k, rel, status, cfg.threshold, error)
        row.removed_statements = len(state.removed.get(k, ())) if k not in state.replaced else 0
        row.candidate = state.candidate.get(k, 0)
        rows.append(row)
    return rows


@dataclass
class Charge:
    """One build and what its errors were charged to."""

    ok: bool
    start: float  # when the build started (a binary older than this was not relinked)
    blamed: dict[str, str] = field(default_factory=dict)  # function key -> its first error
    at_decl: dict[str, str] = field(default_factory=dict)  # key -> first error on its declaration or head line
    first_errors: list[str] = field(default_factory=list)
    log_text: str = ""
    located: list[tuple[tuple[str, int], str]] = field(default_factory=list)  # every error: (file, line), message
    columns: dict[tuple[str, int], set[int]] = field(default_factory=dict)  # (resolved file, line) -> error columns
    fixes: list[ArgumentFix] = field(default_factory=list)  # code one ``&``, ``*`` or ``->`` off (``arguments``)


def _charge_callees(charge: "Charge", em: Emitted, fns: dict[str, EmitFunction], target_dir: Path, build_dir: Path,
                    log: Callable[[str], None], table: Any = None, fixing: bool = False) -> None:
    """A mismatched call to a function of ours charged to the less confident of caller and callee (``callees``);
    with ``fixing`` (the ladder fixes arguments), not a call that is one ``&`` or ``*`` off: the caller's own rung
    fixes it."""
    fixed = {(f.file, f.line) for f in charge.fixes} if fixing else set()
    calls = [c for c in mismatched_calls(charge.log_text, build_dir) if c[0] not in fixed]
    if not calls:
        return

    def as_described(key: str) -> bool:  # its parameters are the description's: LLVM's other way is the line's fault
        f = fns.get(key)
        if f is None or table is None:
            return False
        try:
            sig = parse_signature(f.signature)
        except ConfigError:
            return False
        qname = f"{sig.qualifier}::{sig.name}" if sig.qualifier else sig.name
        return as_declared(f.signature, declared_signatures(table, qname))

    found = library_callees(calls, target_dir, em.decl_sites, as_described)
    if not found and not charge.blamed:
        # nothing else is charged (LLVM's template, instantiated from the precompiled header, names no line of
        # ours): the function as described goes on the ladder rather than the loop stopping with nothing linked
        found = library_callees(calls, target_dir, em.decl_sites)
    for callee, line in found.items():
        text = error_text(line)
        # the function whose line instantiated LLVM's code was charged with LLVM's error; the callee is at fault
        for key in [k for k, msg in charge.blamed.items() if k != callee and text and text in msg]:
            del charge.blamed[key]
        if callee not in charge.blamed:
            charge.blamed[callee] = f"{line.strip()} (LLVM's code calls it: its declaration is charged)"
            log(f"charged {callee}: LLVM's code calls it as none of its declarations allows")
    caller_of = {}
    for at, _cands, _line in calls:
        hit, _ = attribute_errors(target_dir, em.applied, [at])
        if len(hit) == 1:
            caller_of[at] = next(iter(hit))
    movable = {k for k, f in fns.items() if f.source == "model"}
    taken_over = {k for k, f in fns.items() if f.source.startswith("fallback")}
    moved = redirect(charge.blamed, calls, caller_of, em.decl_sites, {k: f.confidence for k, f in fns.items()}, movable,
                     taken_over)
    for callee, caller in moved.items():
        log(f"charged {callee} instead of {caller}: its call does not match {callee}")


def _build_and_charge(
    target_dir: Path, build_dir: Path, applied: list[AppliedEdit], jobs: int | None,
    decl_sites: dict[tuple[str, int], str] | None = None,
) -> Charge:
    """Build; on failure charge each compiler error to the function whose lines it points into (an error inside a
    library header, to the line of ours that instantiated it) and each undefined reference to the functions whose
    code names the missing symbol; errors on ``decl_sites`` lines (declarations, definition heads) are also kept
    apart, by function."""
    start = time.time()
    decl_sites = decl_sites or {}
    cache = build_dir / "CMakeCache.txt"
    if cache.is_file() and "-fsanitize=unreachable" not in cache.read_text(errors="replace"):
        shutil.rmtree(build_dir)  # configured by a version that did not trap (the flags apply at configure time)
    try:
        build(target_dir, build_dir, jobs=jobs, cmake_args=TRAP_ARGS)
        return Charge(True, start)
    except BuildError as exc:
        log_text = exc.log.read_text(errors="replace") if exc.log and exc.log.is_file() else ""
        root = target_dir.resolve()
        located: list[tuple[tuple[str, int], str]] = []
        columns: dict[tuple[str, int], set[int]] = {}
        for unit in parse_failed_units(log_text, cwd=build_dir):  # every error, not the first 200
            for e in unit.errors:
                inside = Path(e.file).resolve().is_relative_to(root)
                if inside and e.col:
                    columns.setdefault((str(Path(e.file).resolve()), e.line), set()).add(e.col)
                located += [((e.file, e.line), str(e))] if inside else [(site, str(e)) for site in unit.sites]
        located = located or list(zip(exc.locations, exc.errors))
        first, _ = attribute_errors(target_dir, applied, [loc for loc, _msg in located])
        prefix = f"{target_dir}/"  # messages name files as the target directory does, so the error text shows
        blamed = {fid: located[index][1].replace(prefix, "") for fid, index in first.items()}
        at_decl: dict[str, str] = {}
        for (file, line), msg in located:
            key = decl_sites.get((str(Path(file).resolve()), line))
            if key:
                at_decl.setdefault(key, msg.replace(prefix, ""))
        missing = {qualified_name(r.symbol).split("::")[-1]: r.symbol for r in parse_undefined_references(log_text)}
        if missing:
            texts: dict[str, list[str]] = {}
            for a in applied:
                lines = texts.setdefault(a.edit.path, (target_dir / a.edit.path).read_text(errors="replace").splitlines())
                names = set(_IDENT.findall("\n".join(lines[a.first_line - 1 : a.last_line])))
                names -= set(_IDENT.findall(a.edit.original_body))
                for ident in sorted(names & missing.keys()):
                    blamed.setdefault(a.edit.id, f"undefined reference to `{missing[ident]}'")
        return Charge(False, start, blamed, at_decl, exc.errors[:50] or [str(exc)], log_text, located, columns,
                      argument_fixes(log_text, build_dir))


def _row(f: EmitFunction, key: str, rel: str, status: str, threshold: float, error: str = "") -> FunctionRow:
    return FunctionRow(key=f.key, file=rel, source=f.source, confidence=f.confidence, status=status,
                       low_statements=len(f.low_statements(threshold)), error=error, origin=f.origin)


def _compiled_sources(build_dir: Path, sources: list[str]) -> set[str]:
    """Sources whose object file exists after the build (the compiler removes it when it fails)."""
    objs = {p.name[: -len(".o")]: p for p in (build_dir / "target").rglob("*.cpp.o")} if (build_dir / "target").is_dir() else {}
    return {s for s in sources if Path(s).name in objs}
