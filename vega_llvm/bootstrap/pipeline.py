"""``bootstrap``: describe -> generate -> emit -> build -> test (lit + smoke) -> report, for one ``.td``.

Output folder (``--out DIR``)::

    DIR/lib/Target/<X>/     the target directory (scratch: rendered; swap: the real one with generated bodies)
    DIR/build/              its CMake/Ninja build (reused: reruns are incremental)
    DIR/result.jsonl        the generated functions (when generated here)
    DIR/functions.json      every emitted function with its source and confidence (what --only starts from)
    DIR/lit/, DIR/smoke/    test runs
    DIR/report.json, DIR/report.md, DIR/bootstrap.json (argv, commit, LLVM version, model)

A compile failure does not stop the run: Ninja keeps going (``-k 0``), and each compiler error is charged to the
function whose lines it points into (``evaluate.swap.attribute_errors``). The repair loop then rebuilds until the
backend links or nothing more can be charged:

* swap: a charged generated function gets the real body back;
* scratch: a charged generated function gets the nearest training target's implementation (renamed); statements of
  such a taken-over body that fail on their own are commented out, and failing constructor initializers removed;
  what still fails is stubbed (``report_fatal_error``), or left out when it overrides an LLVM interface function;
  an error in a declaration or definition head, or in a stub, drops the function; the
  functions the tblgen tables call and the pure virtual functions of LLVM's base classes that nothing defines are
  added as stubs (``emit.required``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

from .. import LLVM_VERSION, __version__
from ..backend_build.cmake import build, parse_failed_units, parse_undefined_references, qualified_name
from ..backend_build.target_dir import resolve
from ..errors import BuildError, ConfigError, LitRunError, ToolError
from ..evaluate.swap import AppliedEdit, FunctionEdit, apply_to_text, attribute_errors, bracket_error
from ..emit.functions import DEFAULT_THRESHOLD, EmitFunction, StatementConfidence, load_results, parse_signature
from ..emit.layout import make_plan
from ..emit.render import copy_description, declaration_lines, function_ranges, render_plan, write_tree
from ..emit.report import BootstrapReport, FunctionRow
from ..emit.required import hook_stubs, llvm_virtual_names, pure_virtual_stubs, subtarget_fields
from ..emit.sources import scratch_functions, swap_edits

MODES = ("scratch", "swap")
# Rebuilds after replacing the functions compile errors were charged to (each round can only reach errors the
# previous one let the compiler see).
MAX_REPAIR_ROUNDS = 12
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
    test_timeout: float = 60
    jobs: int | None = None
    repair: bool = True


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
    out = []
    for d in json.loads(path.read_text()):
        d["statements"] = [StatementConfidence(**s) for s in d.get("statements", [])]
        out.append(EmitFunction(**d))
    return out


def _matches(fn: EmitFunction, names: list[str]) -> bool:
    return any(n in (fn.key, fn.name, fn.key.split("::")[-1]) or n == fn.name.split("::")[-1] for n in names)


def generated_functions(cfg: BootstrapConfig, table: object, log: Callable[[str], None]) -> tuple[list[EmitFunction], str]:
    """The model's functions: from ``--results`` or by running ``generate`` now; none without either."""
    from ..corpus.records import read_jsonl  # noqa: F401  (corpus must be importable: generate needs it too)

    spell = [table.target, table.namespace]  # type: ignore[attr-defined]
    if cfg.results:
        return load_results(cfg.results, table.target, spell, cfg.threshold), f"results:{Path(cfg.results).resolve()}"  # type: ignore[attr-defined]
    if cfg.model:
        from ..generate.generate import generate

        dest = cfg.out / "result.jsonl"
        log(f"generate with {cfg.model}")
        res = generate(Path(cfg.model), td=cfg.td, out=dest, progress=False)
        return load_results(res.out, table.target, spell, cfg.threshold), f"model:{Path(cfg.model).resolve()}"  # type: ignore[attr-defined]
    log("no --model and no --results: every function falls back to the nearest training target")
    return [], "none"


def run(cfg: BootstrapConfig, log: Callable[[str], None] = lambda m: None) -> BootstrapReport:
    from ..describe.describe import describe, describe_dir

    if cfg.mode not in MODES:
        raise ConfigError(f"--mode {cfg.mode!r}: choose scratch or swap")
    td = Path(cfg.td).resolve()
    out = Path(cfg.out).resolve()
    from ..paths import llvm_src_root

    src = llvm_src_root(required=False)
    if src is not None and (out == src or src in out.parents):
        raise ConfigError(f"--out {out} is inside the llvm-project tree {src}; choose a folder outside it")
    previous = out / "functions.json"
    if out.exists() and any(out.iterdir()) and not cfg.force and not (cfg.only and previous.is_file()):
        raise ConfigError(f"{out} exists and is not empty; pass --force to update it (reruns are incremental)")
    out.mkdir(parents=True, exist_ok=True)
    times: dict[str, float] = {}
    t0 = time.monotonic()
    table, _ = describe(td)
    times["describe"] = round(time.monotonic() - t0, 1)
    T = table.target
    from ..corpus.build import ensure_corpus

    corpus = Path(cfg.corpus) if cfg.corpus else ensure_corpus(log=log)
    ddir = Path(cfg.describe_dir) if cfg.describe_dir else describe_dir()
    t0 = time.monotonic()
    generated, model_src = generated_functions(cfg, table, log)
    times["generate"] = round(time.monotonic() - t0, 1)
    if cfg.only:
        if not previous.is_file():
            raise ConfigError(f"--only needs a previous run in {out} (no functions.json)")
        old = _load_functions(previous)
        new = {g.key: g for g in generated if _matches(g, cfg.only)}
        if not new:
            raise ConfigError(f"--only {' '.join(cfg.only)}: no generated function by that name")
        kept = [f for f in old if f.key not in new]
        generated = kept + list(new.values())
        log(f"--only: regenerated {len(new)} function(s), kept {len(kept)}")
    target_dir = out / "lib" / "Target" / td.parent.name
    report = BootstrapReport(
        target=T, mode=cfg.mode, out=str(out), target_dir=str(target_dir),
        provenance={
            "command": " ".join(sys.argv), "commit": _commit(), "tool_version": __version__,
            "llvm_version": LLVM_VERSION, "model": model_src, "td": str(td), "threshold": cfg.threshold,
        },
    )
    exclude = {td.parent.name, T}
    alternates: dict[str, EmitFunction] = {}  # scratch: the nearest target's version of each generated function
    candidates: list[EmitFunction] = []  # scratch: the functions to write (swap edits the real target instead)
    if cfg.mode == "scratch":
        if cfg.only:
            candidates = generated
        else:
            sel = scratch_functions(table, generated, corpus, ddir, exclude)
            candidates = sel.functions
            alternates = sel.alternates
            report.donors = [[d.target, round(d.similarity, 4)] for d in sel.donors[:5]]
            report.selection = {"nearest": sel.donors[0].target, "functions": len(candidates),
                                "by_majority": sel.by_majority, "generated_not_selected": len(sel.not_selected)}
            log(f"function set: {len(candidates)} functions (the groups of {sel.donors[0].target} and "
                f"{sel.by_majority} more most targets implement); {len(sel.not_selected)} generated functions left out")
        all_edits: list[FunctionEdit] = []
        by_record: dict[str, EmitFunction] = {}
    else:
        real = resolve(td.parent)
        all_edits, carried, missing = swap_edits(generated, corpus, real.path.name)
        by_record = {f.record_id: f for f in carried}
        report.unplaced = [f.key for f in missing]
    # Functions the repair loop replaced (swap: the real body back; scratch: a stub), with the error that did it.
    # A body whose brackets do not pair up is replaced before the first build: the compiler would report it after
    # the body, in whatever follows, and charge the wrong functions.
    replaced: dict[str, str] = {}
    # Scratch only: generated functions whose body did not compile and that now have the nearest training target's
    # implementation (renamed) instead; only when that one fails too are they stubbed.
    fell_back: dict[str, str] = {}
    fresh_errors: dict[str, str] = {}

    def fall_back(errors: dict[str, str]) -> dict[str, str]:
        """Put alternates in place of the failing generated functions that have one; the rest are stubbed, or left
        out when they override an LLVM interface function (LLVM's default, or a required stub, takes over)."""
        rest = {}
        for k, m in errors.items():
            alt = alternates.get(k)
            if alt is not None and k not in fell_back:
                fell_back[k] = m
                candidates[:] = [alt if f.key == k else f for f in candidates]
            elif overrides_llvm(k):
                dropped[k] = m
            else:
                rest[k] = m
        errors.clear()
        replaced.update(rest)
        return rest

    def overrides_llvm(key: str) -> bool:
        owner, _, name = key.partition("#")[0].rpartition("::")
        if not owner or "#" in key or name == owner.rpartition("::")[2] or name.startswith("~"):
            return False
        from ..llvm.toolchain import find_toolchain

        return name in llvm_virtual_names(find_toolchain().includedir)

    # Scratch only: functions taken out altogether because an error points at their declaration or definition head
    # (a type or an override the target does not have), or at what is left of them once stubbed.
    dropped: dict[str, str] = {}
    if cfg.repair:
        for e in all_edits:
            why = bracket_error(e.new_body)
            if why and not bracket_error(e.original_body):
                replaced[e.id] = f"{e.path}: the body's brackets: {why}"
        if cfg.mode == "scratch":
            for f in candidates:
                why = bracket_error(f.body) if f.source == "model" else None
                if why:
                    fresh_errors[f.key] = f"the body's brackets: {why}"
                elif f.source == "model":
                    try:
                        parse_signature(f.signature)
                    except ConfigError as exc:
                        fresh_errors[f.key] = f"the signature: {exc}"
            fall_back(fresh_errors)
            if fell_back or replaced:
                log(f"{len(fell_back)} generated functions with unbalanced brackets or no signature fall back to the nearest target's, "
                    f"{len(replaced)} are stubbed")

    def emit() -> tuple[dict[str, str | bytes], list[AppliedEdit], dict[str, EmitFunction], dict[str, str], dict[tuple[str, int], str]]:
        """The target directory's files, where each function landed, the functions by report key, and the
        declaration lines (definition heads included) by resolved file and line."""
        applied: list[AppliedEdit] = []
        fn_file: dict[str, str] = {}
        files: dict[str, str | bytes] = {}
        decl_sites: dict[tuple[str, int], str] = {}
        if cfg.mode == "scratch":
            fns = [stub_function(f) if f.key in replaced
                   else remove_statements(f, removed.get(f.key, set()))
                   for f in candidates if f.key not in dropped]
            plan = make_plan(table, fns, T, without=left_out, members={"<T>Subtarget": subtarget_members})
            report.unplaced = [f.key for f in plan.unplaced]
            rendered = render_plan(plan, td.name)
            files.update(copy_description(td))
            files.update(rendered.files)
            for rel, text in rendered.files.items():
                where = str((target_dir / rel).resolve())
                lines = text.splitlines()
                for key, first, last in function_ranges(text):
                    fn_file[key] = rel
                    body_at[key] = (where, first + 2, last, lines[first + 1 : last])
                    heads[key] = (where, first + 1, lines[first] if first < len(lines) else "")
                    applied.append(AppliedEdit(FunctionEdit(key, rel, first, "", ""), first, last))
                    decl_sites[(where, first + 1)] = key  # the line after the "// vega:" marker: its head
                for key, line in declaration_lines(text):
                    applied.append(AppliedEdit(FunctionEdit(key, rel, line, "", ""), line, line))
                    decl_sites[(where, line)] = key
            class_stems.clear()
            class_stems.update({c.name: f.kind.stem for f in plan.files for c in f.classes})
            bases.update({c.name: c.base for f in plan.files for c in f.classes})
            originals = {f.key: f for f in candidates}
            emitted = {p.fn.key: originals.get(p.fn.key, p.fn) for p in plan.functions}
            return files, applied, emitted, fn_file, decl_sites
        by_file: dict[str, list[FunctionEdit]] = {}
        for e in all_edits:
            fn_file[e.id] = e.path
            if e.id not in replaced:
                by_file.setdefault(e.path, []).append(e)
        for p in sorted(real.path.rglob("*")):
            if p.is_file():
                rel = str(p.relative_to(real.path))
                if rel in by_file:
                    text, done = apply_to_text(p.read_text(encoding="utf-8"), by_file[rel])
                    files[rel] = text
                    applied.extend(done)
                else:
                    files[rel] = p.read_bytes()
        return files, applied, dict(by_record), fn_file, decl_sites

    build_dir = out / "build"
    # Scratch: statements taken out of the nearest target's bodies (function key -> body line indices), and where
    # each function's body was rendered (resolved file, first and last line, its lines).
    removed: dict[str, set[int]] = {}
    body_at: dict[str, tuple[str, int, int, list[str]]] = {}
    heads: dict[str, tuple[str, int, str]] = {}  # function key -> (resolved file, line, text) of its definition head
    bases: dict[str, str] = {}  # class name -> its base class
    class_stems: dict[str, str] = {}  # scratch: class name -> the file stem that declares it
    # Scratch: optional libraries (asm parser, disassembler) left out because they would not compile once nothing
    # more could be charged: the rest of the backend links without them.
    left_out: list[str] = []
    subtarget_members: list[str] = []  # scratch: fields the tblgen feature parser sets (``emit.required``)
    sources: list[str] = []
    ok, blamed, first_errors, start = True, {}, [], time.time()
    for round_ in range(MAX_REPAIR_ROUNDS + 1):
        files, applied, fn_by_key, fn_file, decl_sites = emit()
        _save_functions(out / "functions.json", list(fn_by_key.values()))
        counts = write_tree(target_dir, files, force=target_dir.exists())
        log(f"wrote {target_dir}: {counts}")
        sources = [rel for rel in files if rel.endswith(".cpp")]
        report.seconds = times
        if not cfg.run_build:
            report.files = {s: "not-built" for s in sources}
            report.functions = [_row(f, k, fn_file.get(k, ""), "not-built", cfg.threshold) for k, f in fn_by_key.items()]
            report.save(out)
            return report
        log(f"build {target_dir}" + (f" (repair round {round_})" if round_ else ""))
        t0 = time.monotonic()
        charge = _build_and_charge(target_dir, build_dir, applied, cfg.jobs, decl_sites)
        ok, blamed, at_decl, first_errors, start, log_text = (
            charge.ok, charge.blamed, charge.at_decl, charge.first_errors, charge.start, charge.log_text)
        times["build"] = round(times.get("build", 0) + time.monotonic() - t0, 1)
        required, required_n = [], 0
        if cfg.mode == "scratch" and not ok:
            known = {f.key for f in candidates}
            required = [f for f in hook_stubs(log_text, build_dir, T) + pure_virtual_stubs(log_text, T, class_stems)
                        if f.key not in known]
            new_members = [m for m in subtarget_fields(log_text, build_dir, table.namespace or T) if m not in subtarget_members]
            subtarget_members.extend(new_members)
            required_n = len(required) + len(new_members)
        to_drop: dict[str, str] = {}
        fixed = {}
        if cfg.mode == "scratch" and not ok and cfg.repair:
            sources_of = {f.key: f.source for f in candidates}
            fixed = removable_errors(charge.located, body_at, {k for k in blamed if sources_of.get(k, "").startswith("fallback") and k not in at_decl})
            for k, lines in fixed.items():
                removed.setdefault(k, set()).update(lines)
            for k, head in repaired_heads(charge, heads, bases, {k for k in blamed if k in at_decl}).items():
                candidates[:] = [replace(f, signature=head) if f.key == k else f for f in candidates]
                fixed[k] = set()
                at_decl.pop(k, None)
            blamed = {k: m for k, m in blamed.items() if k not in fixed}
        if cfg.mode == "scratch":
            # A generated function falls back to the nearest target's first (whatever its error); then a body
            # error gets a stub, and an error in the declaration or head, or in what is left once stubbed, drops it.
            fresh = {}
            for k, m in blamed.items():
                if k in alternates and k not in fell_back:
                    fresh[k] = m
                elif k in replaced or k in at_decl:
                    to_drop[k] = at_decl.get(k, m)
                else:
                    fresh[k] = m
        else:
            fresh = {k: m for k, m in blamed.items() if k not in replaced}
        if cfg.mode == "scratch" and not ok and cfg.repair and not (fresh or to_drop or required_n or fixed):
            failed = set(sources) - _compiled_sources(build_dir, sources)
            optional = {"AsmParser": "asm_parser", "Disassembler": "disassembler"}
            more = sorted({optional[f.split("/")[0]] for f in failed if f.split("/")[0] in optional} - set(left_out))
            if more and round_ < MAX_REPAIR_ROUNDS:
                left_out.extend(more)
                report.selection["left_out"] = list(left_out)
                log(f"leaving out {', '.join(more)}: nothing more to charge and it does not compile")
                continue
        if ok or not cfg.repair or not (fresh or to_drop or required_n or fixed) or round_ == MAX_REPAIR_ROUNDS:
            break
        candidates += required
        if cfg.mode == "scratch":
            fall_back(dict(fresh))
        else:
            replaced.update(fresh)
        dropped.update(to_drop)
        log(f"{'reverting' if cfg.mode == 'swap' else 'replacing (fallback, else stub)'} {len(fresh)} functions charged with compile errors"
            + (f", dropping {len(to_drop)} whose declaration or head does not compile" if to_drop else "")
            + (f", adding {required_n} stubs and members the tables or base classes require" if required_n else "")
            + (f", removing {sum(map(len, fixed.values()))} statements from {sum(1 for v in fixed.values() if v)} taken-over bodies"
               if any(fixed.values()) else "")
            + (f", repairing {sum(1 for v in fixed.values() if not v)} constructor initializer lists"
               if any(not v for v in fixed.values()) else ""))
    report.repair_rounds = round_
    compiled = _compiled_sources(build_dir, sources)
    report.files = {s: ("compiled" if s in compiled else "failed") for s in sources}
    llc, mc = build_dir / "bin" / "llc", build_dir / "bin" / "llvm-mc"
    llc_ok = llc.is_file() and (ok or llc.stat().st_mtime >= start)
    mc_ok = mc.is_file() and (ok or mc.stat().st_mtime >= start)
    report.build = {"ok": ok, "seconds": times["build"], "dir": str(build_dir), "first_errors": first_errors,
                    "llc": str(llc) if llc_ok else "", "llvm_mc": str(mc) if mc_ok else ""}
    rows = []
    for k, f in fn_by_key.items():
        rel = fn_file.get(k, "")
        if k in replaced:
            status = "reverted" if cfg.mode == "swap" else "stubbed"
        elif k in blamed:
            status = "error"
        elif k in fell_back and rel and report.files.get(rel) == "compiled":
            status = "fallback"
        elif k in blamed:
            status = "error"
        elif rel and report.files.get(rel) == "compiled" or (rel.endswith(".h") and ok):
            status = "compiled"
        elif rel:
            status = "file-failed"
        else:
            status = "not-built"
        row = _row(f, k, rel, status, cfg.threshold, replaced.get(k) or blamed.get(k) or fell_back.get(k, ""))
        row.removed_statements = len(removed.get(k, ())) if k not in replaced else 0
        rows.append(row)
    originals = {f.key: f for f in candidates} if cfg.mode == "scratch" else {}
    rows += [_row(originals[k], k, "", "dropped", cfg.threshold, m) for k, m in dropped.items() if k in originals]
    report.functions = rows
    report.save(out)
    if cfg.run_lit and (llc_ok or mc_ok):
        from ..littest.runner import run_tests

        suites = None if llc_ok else ["mc", "disassembler"]
        log(f"lit ({'all suites' if llc_ok else 'MC suites only: llc did not link'})")
        t0 = time.monotonic()
        try:
            lit = run_tests(T if (Path(str(td.parent)).name == T) else td.parent.name, llc=llc if llc_ok else None,
                            llvm_mc=mc if mc_ok else None, run_dir=out / "lit", suites=suites, test_timeout=cfg.test_timeout)
            report.lit = {"passed": lit.passed, "tests": len(lit.tests), "failed": len(lit.failed), "summary": lit.summary,
                          "summary_line": lit.summary_line(), "suites": lit.suites,
                          "stopped_at": stubs_hit(out / "lit" / "lit-results.json")}
        except ConfigError as exc:
            report.lit = {"passed": 0, "tests": 0, "note": str(exc)}
        except (LitRunError, ToolError) as exc:
            report.lit = {"passed": 0, "tests": 0, "error": str(exc)}
        times["lit"] = round(time.monotonic() - t0, 1)
    if cfg.run_smoke:
        from ..smoke.suite import run_smoke

        t0 = time.monotonic()
        report.smoke = run_smoke(llc if llc_ok else None, mc if mc_ok else None, out / "smoke",
                                 asm_parser=(target_dir / "AsmParser").is_dir(),
                                 disassembler=(target_dir / "Disassembler").is_dir())
        times["smoke"] = round(time.monotonic() - t0, 1)
    report.seconds = times
    report.save(out)
    (out / "bootstrap.json").write_text(json.dumps({"argv": sys.argv, **report.provenance, "config": {k: str(v) for k, v in asdict(cfg).items()}}, indent=1) + "\n")
    return report


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
    try:
        build(target_dir, build_dir, jobs=jobs)
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
        return Charge(False, start, blamed, at_decl, exc.errors[:50] or [str(exc)], log_text, located, columns)


_UNREMOVABLE = re.compile(r"(return|case|default|break|continue|goto)\b")


def removable(line: str, previous: str) -> bool:
    """Whether a body line is one whole simple statement that can be taken out on its own: ends with ``;``, opens
    and closes nothing, is not a ``return`` or a jump, and is not the sole statement of an unbraced ``if``/loop
    (the line before ends a statement or opens or closes a block)."""
    text = line.split("// vega:")[0].strip()
    prev = previous.split("//")[0].strip()
    return (
        text.endswith(";") and not _UNREMOVABLE.match(text) and "{" not in text and "}" not in text
        and bracket_error("{" + text + "}") is None and (not prev or prev[-1] in ";{}:")
    )


def _code(line: str) -> str:
    return line.split("//")[0].strip()


def statement_extent(lines: list[str], i: int) -> range | None:
    """The body lines of the statement that line ``i`` belongs to, when it can be taken out (``removable``):
    back to the line after one that ends a statement or a block, on to the line that ends with ``;``."""
    if not 0 < i < len(lines):
        return None
    start = i
    while start > 1 and _code(lines[start - 1]) and _code(lines[start - 1])[-1] not in ";{}:":
        start -= 1
    end = i
    while end < len(lines) - 1 and not _code(lines[end]).endswith(";") and end - start < 20:
        end += 1
    text = " ".join(_code(ln) for ln in lines[start : end + 1])
    return range(start, end + 1) if removable(text, lines[start - 1]) else None


def removable_errors(
    located: list[tuple[tuple[str, int], str]], body_at: dict[str, tuple[str, int, int, list[str]]], keys: set[str]
) -> dict[str, set[int]]:
    """For the functions ``keys`` whose every compiler error is on a removable statement of their body, the body
    line indices to take out. The nearest target's code fails mostly on single statements that name what this
    target does not have (an opcode, a register, a helper of its own); taking them out keeps the rest of the
    function (registration, the shape of the lowering) where a stub would lose it all."""
    errors: dict[str, set[int]] = {}
    blocked: set[str] = set()
    spans = [(k, *v) for k, v in body_at.items() if k in keys]
    for (file, line), _msg in located:
        where = str(Path(file).resolve())
        for k, path, first, last, lines in spans:
            if path == where and first <= line <= last:
                extent = statement_extent(lines, line - first)
                if extent is not None:
                    errors.setdefault(k, set()).update(extent)
                else:
                    blocked.add(k)
    return {k: v for k, v in errors.items() if k not in blocked}


def _spans(text: str, begin: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the comma-separated parts of ``text[begin:end]`` at bracket depth 0 (0-based columns)."""
    out, depth, start = [], 0, begin
    for i in range(begin, end + 1):
        ch = text[i] if i < end else ","
        if ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth -= 1
        if ch == "," and depth == 0:
            out.append((start, i))
            start = i + 1
    return out


def repaired_head(head: str, cols: set[int], base: str) -> str | None:
    """A constructor head without what the errors at ``cols`` (1-based) point into, or None when an error is
    elsewhere: a failing member initializer is left out (the nearest target initialises members this target's
    classes do not have, or with its own names); a failing argument of the base class's initializer, which the
    class cannot do without, becomes ``{}`` (a value-initialised argument: the base's own default)."""
    sig = parse_signature(head)
    at = head.rfind(sig.inits) if sig.inits else -1
    if at < 0:
        return None
    parts = _spans(head, at + 1, at + len(sig.inits))
    drop: set[int] = set()
    blank: dict[int, set[tuple[int, int]]] = {}
    for col in cols:
        c = col - 1
        n = next((i for i, (a, b) in enumerate(parts) if a <= c < b), None)
        if n is None:
            return None
        a, b = parts[n]
        name = re.match(r"\s*([\w:]+)", head[a:b])
        is_base = bool(name) and base and name.group(1).split("::")[-1] == base.split("::")[-1]
        if not is_base:
            drop.add(n)
            continue
        open_at, close_at = head.find("(", a, b), head.rfind(")", a, b)
        if not (0 <= open_at < c < close_at):
            return None
        arg = next((s for s in _spans(head, open_at + 1, close_at) if s[0] <= c < s[1]), None)
        if arg is None:
            return None
        x, y = arg
        while x < y and head[x].isspace():
            x += 1
        blank.setdefault(n, set()).add((x, y))
    kept = []
    for n, (a, b) in enumerate(parts):
        if n in drop:
            continue
        text = head[a:b]
        for x, y in sorted(blank.get(n, ()), reverse=True):
            text = text[: x - a] + "{}" + text[y - a :]
        kept.append(text.strip())
    before = head[:at].rstrip()
    return before + (f" : {', '.join(kept)}" if kept else "")


def repaired_heads(
    charge: Charge, heads: dict[str, tuple[str, int, str]], bases: dict[str, str], keys: set[str]
) -> dict[str, str]:
    """New heads for the constructors among ``keys`` whose every error on their head ``repaired_head`` can fix."""
    out: dict[str, str] = {}
    for k in keys:
        where, line, head = heads.get(k, ("", 0, ""))
        cols = charge.columns.get((where, line), set())
        if not cols:
            continue
        try:
            new = repaired_head(head, cols, bases.get(parse_signature(head).qualifier, ""))
        except ConfigError:
            continue
        if new and new != head:
            out[k] = new
    return out


def remove_statements(f: EmitFunction, lines: set[int]) -> EmitFunction:
    """``f`` with the body lines ``lines`` (indices in its stripped body) turned into comments that say why."""
    if not lines:
        return f
    body = f.body.strip().splitlines()
    for i in sorted(lines):
        if 0 < i < len(body):
            indent = body[i][: len(body[i]) - len(body[i].lstrip())]
            body[i] = f"{indent}// vega: removed, did not compile for this target: {body[i].strip()}"
    return replace(f, body="\n".join(body))


_STUB_HIT = re.compile(r"vega-llvm: (\S+) (?:did not compile|is required by LLVM or the description); write it by hand")


def stubs_hit(lit_json: Path) -> dict[str, int]:
    """How many lit tests stop at each stub (its ``report_fatal_error``), most first: what to write first."""
    try:
        tests = json.loads(lit_json.read_text()).get("tests", [])
    except (OSError, ValueError):
        return {}
    counts: dict[str, int] = {}
    for t in tests:
        m = _STUB_HIT.search(t.get("output", ""))
        if m:
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def stub_function(f: EmitFunction) -> EmitFunction:
    """A body that always compiles and says, when run, that the function is still to be written."""
    body = f'{{\n  report_fatal_error("vega-llvm: {f.name} did not compile; write it by hand");\n}}'
    return replace(f, body=body, confidence=0.0, source="stub", statements=[])


def _row(f: EmitFunction, key: str, rel: str, status: str, threshold: float, error: str = "") -> FunctionRow:
    return FunctionRow(key=f.key, file=rel, source=f.source, confidence=f.confidence, status=status,
                       low_statements=len(f.low_statements(threshold)), error=error)


def _compiled_sources(build_dir: Path, sources: list[str]) -> set[str]:
    """Sources whose object file exists after the build (the compiler removes it when it fails)."""
    objs = {p.name[: -len(".o")]: p for p in (build_dir / "target").rglob("*.cpp.o")} if (build_dir / "target").is_dir() else {}
    return {s for s in sources if Path(s).name in objs}
