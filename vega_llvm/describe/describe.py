"""``describe``: a target's ``.td`` (+ its headers' declarations, fixup header, ELF relocations) -> a ``PropertyTable``.

The expensive step is tblgen (RISCV ~15 s, AMDGPU ~40 s and 300 MB of JSON on two cores), so tables are cached by a
key made of everything that can change them: the extractor schema, the LLVM version, the contents of every ``.td``
under the target's folder and the optional C++/def inputs. The stored table also lists every file tblgen actually
read (its ``-d`` dependency list) with its hash.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from .. import LLVM_VERSION
from ..cachelock import building, serialised
from ..errors import ConfigError, VegaError
from ..llvm.toolchain import find_toolchain
from ..paths import cache_root, llvm_dir
from ..provenance import code_digest
from .declarations import Declaration, declarations_of, find_headers, values_by_kind
from .cxx_inputs import find_fixup_headers, find_reloc_defs, parse_fixups, parse_relocs
from .properties import SCHEMA_VERSION, Baseline, PropertyTable, extract, write_json_atomic
from .tblgen import DEFAULT_TIMEOUT, baseline_td_text, dump_json


def describe_dir() -> Path:
    return cache_root() / "describe"


def default_out(target: str) -> Path:
    return describe_dir() / f"{target}.json"


def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_baseline(timeout: float = DEFAULT_TIMEOUT) -> Baseline:
    """Names defined by LLVM's own ``.td`` files, computed once per toolchain and cached."""
    tc = find_toolchain()
    path = describe_dir() / f"baseline-{tc.version}-s{SCHEMA_VERSION}-{code_digest('describe')[:10]}.json"
    with building(path, ready=path.exists) as build:  # one process makes it (vega_llvm.cachelock)
        if not build:
            data = json.loads(path.read_text())
            return Baseline(records=frozenset(data["records"]), classes=frozenset(data["classes"]))
        import tempfile

        with tempfile.TemporaryDirectory(prefix="vega-baseline-") as tmp:
            td = Path(tmp) / "Baseline.td"
            td.write_text(baseline_td_text())
            dump = dump_json(td, timeout=timeout)
        classes = set(dump.instanceof)
        for r in dump.records.values():
            classes.update(r.get("!superclasses", []))
        write_json_atomic(path, {"records": sorted(dump.records), "classes": sorted(classes)})
        return Baseline(records=frozenset(dump.records), classes=frozenset(classes))


def _lock_entry(td: Path, *_args: object, **_kwargs: object) -> Path:
    """The cache entry ``describe(td, ...)`` locks while it runs (its cache check comes first, under the lock)."""
    td = Path(td).absolute()
    return describe_dir() / "by-td" / f"{td.stem}-{hashlib.sha1(str(td).encode()).hexdigest()[:12]}"


@dataclass
class Inputs:
    """The files a description is made from, resolved (explicit, found beside the .td or in the LLVM tree)."""

    td: Path
    fixups: list[Path]
    relocs: list[Path]
    absent: dict[str, str]
    headers: list[Path]  # read for declarations (empty with ``declarations=False``)


def _llvm_target_dirs(names: tuple[str, ...]) -> list[Path]:
    root = llvm_dir(required=False)
    if root is None:
        return []
    tdir = root / "lib" / "Target"
    return [tdir / n for n in names if n and (tdir / n).is_dir()]


def resolve_headers(td: Path, headers: list[Path] | None, declarations: bool) -> list[Path]:
    """Explicit headers, else the target's own: every ``*.h`` beside the ``.td`` or one folder below it (LLVM's
    layout: ``MCTargetDesc/``, ``Utils/``, ...; not deeper, since a user's ``.td`` may sit in a large folder)."""
    if not declarations:
        return []
    if headers:
        return sorted({Path(h).resolve() for h in headers})
    return find_headers(td.parent)


def resolve_inputs(td: Path, fixups: Path | None, relocs: Path | None, names: tuple[str, ...],
                   headers: list[Path] | None = None, declarations: bool = True) -> Inputs:
    """Explicit files win (``describe`` checked they exist); otherwise look beside the ``.td`` and in the LLVM tree
    and record what is absent, since "this target has no fixups" is itself a property."""
    absent: dict[str, str] = {}
    names = tuple(dict.fromkeys((*names, td.parent.name)))
    fix = [Path(fixups).resolve()] if fixups else find_fixup_headers(td.parent, names, _llvm_target_dirs(names))
    if not fix:
        absent["fixups"] = f"no MCTargetDesc/*Fixup*.h for {'/'.join(names)} beside {td.parent} or in the LLVM tree"
    roots = [r for r in (llvm_dir(required=False), ) if r is not None]
    include_roots = [r / "include" for r in roots] + [find_toolchain().includedir]
    rel = [Path(relocs).resolve()] if relocs else find_reloc_defs(names, include_roots)
    if not rel:
        absent["relocs"] = f"no llvm/BinaryFormat/ELFRelocs/<{'|'.join(names)}>.def in {', '.join(map(str, include_roots))}"
    # a fixup header is read as the fixup input (``values["fixup"]``), not a second time as declarations
    hdrs = [h for h in resolve_headers(td, headers, declarations) if h not in {Path(f).resolve() for f in fix}]
    if declarations and not hdrs:
        absent["declarations"] = f"no *.h beside {td.parent} or one folder below"
    return Inputs(td=td, fixups=fix, relocs=rel, absent=absent, headers=hdrs)


def cache_key(td: Path, fixups: Path | None, relocs: Path | None, headers: list[Path] | None = None,
              declarations: bool = True) -> str:
    """What can change the table, known before running tblgen: the ``.td`` files beside it, the explicit inputs,
    the LLVM version and the schema. (A hit is then checked against every file tblgen actually read, see
    ``_inputs_unchanged``, so an include from elsewhere cannot go stale; the folder is not walked recursively,
    since a ``.td`` may sit in a large folder such as /tmp.)"""
    h = hashlib.sha256()
    h.update(f"schema={SCHEMA_VERSION};code={code_digest('describe')};llvm={find_toolchain().version};td={td}\n".encode())
    h.update(f"declarations={declarations}\n".encode())
    for p in resolve_headers(td, headers, declarations):
        h.update(f"header={p}={_sha(p)}\n".encode())
    for p in sorted(td.parent.glob("*.td")):
        h.update(f"{p.relative_to(td.parent)}={_sha(p)}\n".encode())
    for label, p in (("fixups", fixups), ("relocs", relocs)):
        if p is not None:
            h.update(f"{label}={Path(p).resolve()}={_sha(Path(p))}\n".encode())
    return h.hexdigest()[:24]


def _inputs_unchanged(keyed: Path) -> bool:
    """A cached table is reused only if every input it records still has the recorded hash."""
    try:
        table = PropertyTable.load(keyed)
    except (ValueError, KeyError, OSError):
        return False
    for item in table.meta.get("inputs", []):
        p = Path(item["path"])
        if not p.is_file() or _sha(p) != item["sha256"]:
            return False
    return True


@serialised(_lock_entry)  # two processes describing one .td: the second waits, then hits the cache
def describe(
    td: Path,
    fixups: Path | None = None,
    relocs: Path | None = None,
    out: Path | None = None,
    use_cache: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    headers: list[Path] | None = None,
    declarations: bool = True,
) -> tuple[PropertyTable, Path]:
    """Describe one target and store its table (atomically) at ``out`` or ``<cache>/describe/<Target>.json``.

    ``declarations`` (default on) adds the declarations of the target's own headers (``headers``, else those found
    beside the ``.td``) as ``values["decl.*"]``; ``meta["declarations"]`` says whether they were used and from which
    files, so every later output can say so."""
    td = Path(td)
    if not td.is_file():
        raise ConfigError(f"{td}: no such .td file")
    if td.suffix != ".td":
        raise ConfigError(f"{td}: not a .td file")
    td = td.resolve()
    for label, p in (("--fixups", fixups), ("--relocs", relocs)):
        if p is not None and not Path(p).is_file():
            raise ConfigError(f"{label} {p}: no such file")
    for h in headers or []:
        if not Path(h).is_file():
            raise ConfigError(f"--header {h}: no such file")
    key = cache_key(td, fixups, relocs, headers, declarations)
    keyed = describe_dir() / "by-key" / f"{key}.json"
    if use_cache and keyed.exists() and _inputs_unchanged(keyed):
        table = PropertyTable.load(keyed)
        table.meta["cache"] = "hit"
        dest = out or default_out(table.target)
        table.save(dest)
        return table, dest

    baseline = load_baseline(timeout)
    dump = dump_json(td, timeout=timeout)
    t0 = time.perf_counter()
    table = extract(dump.records, dump.instanceof, baseline, source=td.name)
    del dump.records
    inputs = resolve_inputs(td, fixups, relocs, (table.target, table.namespace), headers, declarations)
    fix = [f for p in inputs.fixups for f in parse_fixups(p)]
    rel = [r for p in inputs.relocs for r in parse_relocs(p)]
    table.values["fixup"] = [f.name for f in fix]
    table.values["relocation"] = [r.name for r in rel]
    table.details["fixups"] = [{"name": f.name, "enum": f.enum, "value": f.value} for f in fix]
    table.details["relocations"] = [{"name": r.name, "value": r.value, "file": r.file} for r in rel]
    table.values["number"] = sorted(
        set(table.values.get("number", [])) | {str(r.value) for r in rel} | {str(len(fix))}, key=lambda s: int(s)
    )
    table.flags["has.fixup"] = bool(fix)
    table.flags["has.relocation"] = bool(rel)
    decls = declarations_of(inputs.headers, td.parent)
    if declarations:
        table.values.update(values_by_kind(decls))
        table.details["declarations"] = [_declaration_row(d) for d in decls]
    table.absent = inputs.absent
    extract_s = time.perf_counter() - t0
    files = sorted({*dump.deps, *inputs.fixups, *inputs.relocs, *inputs.headers})
    table.meta = {
        "llvm_version": find_toolchain().version,
        "llvm_pinned": LLVM_VERSION,
        "tblgen": str(dump.tblgen),
        "td": str(td),
        "include_dirs": [str(p) for p in dump.include_dirs],
        "inputs": [{"path": str(p), "sha256": _sha(p)} for p in files if Path(p).is_file()],
        "cache_key": key,
        "declarations": {"used": declarations, "headers": [_rel(p, td.parent) for p in inputs.headers],
                         "count": len(decls)},
        "code": code_digest("describe"),
        "tblgen_seconds": round(dump.seconds, 2),
        "tblgen_json_bytes": dump.json_bytes,
        "extract_seconds": round(extract_s, 2),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    table.save(keyed)
    table.meta["cache"] = "miss"
    dest = out or default_out(table.target)
    table.save(dest)
    return table, dest


def _rel(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


def _declaration_row(d: Declaration) -> dict[str, str]:
    row = {"name": d.name, "kind": d.kind, "file": d.file}
    if d.signature:
        row["signature"] = d.signature[:300]
    return row


def discover_targets(root: Path | None = None) -> list[Path]:
    """The top-level ``.td`` of every backend folder: the files that include ``llvm/Target/Target.td`` themselves.

    Every target's entry file does, and no other file does (they are included *by* it), while a folder may hold
    several targets (AMDGPU.td and R600.td). Reading ``include`` lines is only file discovery; what a file defines is
    always asked of tblgen, and a file that turns out to define no ``Target`` record is reported, not dropped.
    """
    import re

    tdir = (root or llvm_dir()) / "lib" / "Target"  # type: ignore[operator]
    inc = re.compile(r'^\s*include\s+"llvm/Target/Target\.td"', re.M)
    return [
        td
        for d in sorted(p for p in tdir.iterdir() if p.is_dir())
        for td in sorted(d.glob("*.td"))
        if inc.search(td.read_text(errors="replace"))
    ]


@dataclass
class Outcome:
    td: str
    target: str | None
    ok: bool
    seconds: float
    reason: str = ""
    out: str = ""
    tblgen_seconds: float | None = None
    counts: dict[str, int] | None = None


def describe_all(out_dir: Path | None = None, use_cache: bool = True, timeout: float = DEFAULT_TIMEOUT) -> list[Outcome]:
    """Describe every backend in the LLVM tree; a failure is listed with its one-line reason, not raised."""
    outcomes = []
    for td in discover_targets():
        t0 = time.perf_counter()
        try:
            dest_dir = out_dir
            table, dest = describe(td, out=None, use_cache=use_cache, timeout=timeout)
            if dest_dir is not None:
                dest = table.save(Path(dest_dir) / f"{table.target}.json")
            outcomes.append(
                Outcome(
                    td=str(td),
                    target=table.target,
                    ok=True,
                    seconds=round(time.perf_counter() - t0, 2),
                    out=str(dest),
                    tblgen_seconds=table.meta.get("tblgen_seconds"),
                    counts={k: len(v) for k, v in table.values.items()},
                )
            )
        except VegaError as exc:
            outcomes.append(Outcome(td=str(td), target=None, ok=False, seconds=round(time.perf_counter() - t0, 2), reason=str(exc)))
    return outcomes
