"""Build the corpus: parse every ``.cpp``/``.h`` of every backend, abstract names, write records and statistics.

Parsing is the only costly step, so it is cached per source file (key: size, mtime and the digest of the corpus code, see ``vega_llvm.provenance``) under
``<out>/cache/``; a rerun over unchanged sources only re-reads those caches, re-derives the spellings (they depend on
all targets together) and rewrites the outputs. Files are parsed in a process pool.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import LLVM_VERSION, __version__
from ..cachelock import building, serialised
from ..provenance import code_digest, file_digest, stamp
from ..errors import ConfigError
from .modules import MODULES, module_of
from .naming import Abstractor, TargetNames, derive_names, target_records
from .parse import make_parser, parse_source
from .records import FunctionRecord, atomic_write_text, write_lines_atomic

# Bump when the parse output format changes: invalidates every per-file cache entry.
PARSE_FORMAT = 3
SOURCE_SUFFIXES = (".cpp", ".h")
# A file whose top-level ERROR nodes cover more than this share of its bytes is unparsable: reported and skipped.
MAX_ERROR_FRACTION = 0.5


@dataclass
class CorpusResult:
    out: Path
    records: list[FunctionRecord]
    names: dict[str, TargetNames]
    problems: list[dict[str, Any]]  # files skipped or with parse errors
    parsed: int  # files parsed now (cache misses)
    cached: int  # files taken from the cache
    seconds: float
    stats: dict[str, Any] = field(default_factory=dict)


def discover_targets(target_root: Path, only: list[str] | None = None) -> list[Path]:
    """Backend directories under ``lib/Target``: those with a ``CMakeLists.txt`` or a ``.td`` file."""
    if not target_root.is_dir():
        raise ConfigError(f"{target_root} is not a directory: point --llvm-src at an llvm-project checkout")
    dirs = sorted(d for d in target_root.iterdir() if d.is_dir() and ((d / "CMakeLists.txt").exists() or any(d.glob("*.td"))))
    if only:
        known = {d.name: d for d in dirs}
        missing = [t for t in only if t not in known]
        if missing:
            raise ConfigError(f"unknown target(s) {', '.join(missing)}; known: {', '.join(known)}")
        dirs = [known[t] for t in only]
    return dirs


def source_files(target_dir: Path) -> list[Path]:
    return sorted(p for p in target_dir.rglob("*") if p.suffix in SOURCE_SUFFIXES and p.is_file())


def _cache_path(cache_dir: Path, target: str, rel: str) -> Path:
    h = hashlib.sha1(f"{target}/{rel}".encode()).hexdigest()[:16]
    return cache_dir / target / f"{Path(rel).name}.{h}.json"


_worker_parser = None


def parse_file(path: str) -> dict[str, Any]:
    """Parse one file (worker process); never raises: problems come back in ``skipped``."""
    global _worker_parser
    if _worker_parser is None:
        _worker_parser = make_parser()
    out: dict[str, Any] = {"functions": [], "namespaces": [], "error_lines": [], "skipped": None}
    try:
        src = Path(path).read_bytes()
        src.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        out["skipped"] = f"unreadable: {exc}"
        return out
    try:
        parsed = parse_source(src, _worker_parser)
    except Exception as exc:  # a tree-sitter failure on one file must not stop the run
        out["skipped"] = f"parser failed: {type(exc).__name__}: {exc}"
        return out
    out["error_lines"] = parsed.error_lines
    if parsed.error_fraction > MAX_ERROR_FRACTION:
        out["skipped"] = f"unparsable: {parsed.error_fraction:.0%} of the file is tree-sitter ERROR nodes"
        return out
    out["functions"] = [asdict(f) for f in parsed.functions]
    out["namespaces"] = parsed.namespaces
    return out


def _identifiers(tree: dict[str, Any]) -> list[str]:
    out = [t for t, c in zip(tree.get("h", ()), tree.get("ht", "")) if c in "iyn"]
    for ch in tree.get("c", ()):
        out.extend(_identifiers(ch))
    return out


@serialised(lambda llvm_dir, out, *_a, **_k: out)  # one writer of ``out`` at a time (vega_llvm.cachelock)
def build_corpus(
    llvm_dir: Path,
    out: Path,
    targets: list[str] | None = None,
    jobs: int | None = None,
    progress: bool = True,
) -> CorpusResult:
    """Parse the backends under ``llvm_dir/lib/Target`` into ``out`` (see ``vega_llvm.corpus`` for the files)."""
    t0 = time.monotonic()
    target_root = llvm_dir / "lib" / "Target"
    dirs = discover_targets(target_root, targets)
    cache_dir = out / "cache"
    jobs = jobs or os.cpu_count() or 1

    code = code_digest("corpus")
    work: list[tuple[str, str, Path, Path, list[Any]]] = []  # target, rel, src, cache, key
    for d in dirs:
        for p in source_files(d):
            st = p.stat()
            rel = p.relative_to(d).as_posix()
            work.append((d.name, rel, p, _cache_path(cache_dir, d.name, rel), [st.st_size, st.st_mtime_ns, code, PARSE_FORMAT]))

    results: dict[tuple[str, str], dict[str, Any]] = {}
    todo = []
    for target, rel, p, cp, key in work:
        hit = None
        if cp.exists():
            try:
                hit = json.loads(cp.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                hit = None
        if hit is not None and hit.get("key") == key:
            results[(target, rel)] = hit
        else:
            todo.append((target, rel, p, cp, key))
    todo.sort(key=lambda w: -w[2].stat().st_size)  # big files first keeps the pool busy to the end

    def _store(item: tuple[str, str, Path, Path, list[Any]], res: dict[str, Any]) -> None:
        target, rel, _p, cp, key = item
        res["key"] = key
        results[(target, rel)] = res
        atomic_write_text(cp, json.dumps(res, separators=(",", ":")))

    if todo:
        from rich.progress import Progress

        with Progress(disable=not progress, transient=True) as prog:
            task = prog.add_task(f"parsing {len(todo)} files", total=len(todo))
            if jobs > 1 and len(todo) > 8:
                with ProcessPoolExecutor(max_workers=jobs) as pool:
                    for item, res in zip(todo, pool.map(parse_file, [str(w[2]) for w in todo], chunksize=4)):
                        _store(item, res)
                        prog.advance(task)
            else:
                for item in todo:
                    _store(item, parse_file(str(item[2])))
                    prog.advance(task)

    # Spellings depend on every target's files together.
    stems: dict[str, list[str]] = {d.name: [] for d in dirs}
    namespaces: dict[str, set[str]] = defaultdict(set)
    for target, rel, p, _cp, _key in work:
        stems[target].append(p.name.rsplit(".", 1)[0])
        namespaces[target].update(results[(target, rel)].get("namespaces", ()))
    names = derive_names(stems, namespaces, {d.name: target_records(d) for d in dirs})
    abstractors = {t: Abstractor(n) for t, n in names.items()}

    records: list[FunctionRecord] = []
    problems: list[dict[str, Any]] = []
    for target, rel, _p, _cp, _key in work:
        res = results[(target, rel)]
        if res.get("skipped") or res.get("error_lines"):
            problems.append(
                {
                    "file": f"{target}/{rel}",
                    "skipped": res.get("skipped"),
                    "error_lines": res.get("error_lines", []),
                    "functions_with_errors": sum(1 for f in res["functions"] if f["has_error"]),
                }
            )
        ab = abstractors[target]
        rel_dir, _, fname = rel.rpartition("/")
        afile = ab.abstract_file(fname)
        module = module_of(rel_dir, afile)
        for f in res["functions"]:
            records.append(
                FunctionRecord(
                    id=f"{target}/{rel}:{f['line']}",
                    target=target,
                    path=rel,
                    file=afile,
                    qname=ab.abstract(f["name"]),
                    name=f["name"],
                    module=module,
                    spelling=ab.dominant(f["name"], _identifiers(f["tree"])),
                    line=f["line"],
                    signature=f["signature"],
                    body=f["body"],
                    has_error=f["has_error"],
                    tree=f["tree"],
                )
            )

    stats = corpus_stats(records, names)
    n = write_lines_atomic(out / "functions.jsonl", (r.to_json() for r in records))
    atomic_write_text(out / "targets.json", json.dumps({t: n_.to_json() for t, n_ in names.items()}, indent=1))
    atomic_write_text(out / "problems.json", json.dumps(problems, indent=1))
    atomic_write_text(out / "stats.json", json.dumps(stats, indent=1))
    seconds = time.monotonic() - t0
    sources = hashlib.sha256("\n".join(f"{w[0]}/{w[1]}:{w[4][0]}" for w in work).encode()).hexdigest()[:24]
    meta = {
        "tool": "vega-llvm corpus",
        "provenance": stamp("corpus", {"llvm_version": LLVM_VERSION, "sources": sources, "targets": ",".join(d.name for d in dirs)}),
        "functions_sha256": file_digest(out / "functions.jsonl"),
        "tool_version": __version__,
        "parse_format": PARSE_FORMAT,
        "llvm_version": LLVM_VERSION,
        "source_root": str(llvm_dir),
        "targets": [d.name for d in dirs],
        "files": len(work),
        "files_parsed": len(todo),
        "files_cached": len(work) - len(todo),
        "files_skipped": sum(1 for p in problems if p["skipped"]),
        "files_with_parse_errors": sum(1 for p in problems if not p["skipped"]),
        "functions": n,
        "functions_with_parse_errors": sum(r.has_error for r in records),
        "seconds": round(seconds, 2),
    }
    atomic_write_text(out / "meta.json", json.dumps(meta, indent=1))
    return CorpusResult(out, records, names, problems, len(todo), len(work) - len(todo), seconds, stats)


def corpus_stats(records: list[FunctionRecord], names: dict[str, TargetNames]) -> dict[str, Any]:
    """Functions per target and per module (VEGA's table layout), plus each target's spellings."""
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for r in records:
        per[r.target][r.module] += 1
    table = {t: {m: per[t].get(m, 0) for m in MODULES} | {"total": sum(per[t].values())} for t in sorted(names)}
    totals = {m: sum(row[m] for row in table.values()) for m in (*MODULES, "total")}
    return {"functions_per_target_module": table, "totals": totals, "spellings": {t: n.spellings for t, n in names.items()}}


def ensure_corpus(out: Path | None = None, log: Any = None) -> Path:
    """The corpus directory (default ``$VEGA_LLVM_CACHE/corpus``), built over all backends on first use.

    Every stage that needs ground truth or donors calls this, so a first run on a new machine works without a
    separate ``vega-llvm corpus`` step."""
    from ..paths import cache_root, llvm_dir

    out = Path(out) if out else cache_root() / "corpus"
    with building(out, ready=lambda: not corpus_staleness(out)) as build:
        if build:  # stale, and no other process built it while this one waited
            if log is not None:
                log(f"building the corpus of every LLVM backend into {out} ({corpus_staleness(out)})")
            build_corpus(llvm_dir(), out, progress=log is not None)  # type: ignore[arg-type]
    return out


def corpus_staleness(out: Path) -> str:
    """Why the corpus in ``out`` cannot be read as it is ('' when it can): missing, or made by other code."""
    meta = out / "meta.json"
    if not (out / "functions.jsonl").is_file() or not meta.is_file():
        return "not built yet on this machine"
    try:
        prov = json.loads(meta.read_text()).get("provenance") or {}
    except ValueError:
        return f"{meta} is unreadable"
    if prov.get("code") != code_digest("corpus"):
        return f"made by other corpus code ({prov.get('code')}, now {code_digest('corpus')})"
    return ""
