"""What made a cached output: content hashes of its inputs and of the code of the stage that wrote it.

A cache entry is only as trustworthy as the check made when it is read. Earlier outputs recorded a hand-bumped
``__version__`` that never changed, so features, templates and checkpoints built by code that was never committed
were read as if current. Here every stage names the subpackages, modules and folders whose source decides its output
(``STAGE_CODE``); ``code_digest`` hashes those files, so any edit to that code, committed or not, yields another digest and
the entry is rebuilt (or, for inputs a checkpoint was trained on, refused) instead of read.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

PACKAGE = Path(__file__).resolve().parent

# The subpackages (folders of vega_llvm/) whose code decides each stage's output, upstream stages included only
# where their code runs inside the stage (the features stage calls the templates' and describe's readers).
STAGE_CODE: dict[str, tuple[str, ...]] = {
    "corpus": ("corpus",),
    "templates": ("corpus", "templates"),
    "describe": ("describe", "llvm"),
    "features": ("corpus", "templates", "describe", "features"),
    "model": ("model",),
    # a target's SelectionDAG nodes and their roles, read from its .td (generate/nodes.py's cache)
    "nodes": ("generate/nodes.py", "describe/tblgen.py"),
    # A verdict of the judge (pass, fail, compile error, untested) is decided by the code that writes and builds the
    # evaluation schema, probes, charges and runs lit, by the backend build and its CMake project, and by the
    # corpus's function spans that the schema rewrites; not by what orchestrates and reports an evaluation
    # (evaluate/run.py, report.py, metrics.py), so that editing a summary does not set hours of verdicts aside.
    # tests/test_provenance.py checks that every module the judge imports is listed.
    "judge": (
        "evaluate/harness.py", "evaluate/keys.py", "evaluate/schema.py", "evaluate/schema_harness.py",
        "evaluate/swap.py", "littest", "backend_build", "corpus", "../cmake",
    ),
}


def _source_files(entry: str) -> list[Path]:
    """A stage's entry: a subpackage (its ``.py`` files), one module, or a folder beside the package (every file)."""
    root = (PACKAGE / entry).resolve()
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise KeyError(f"no subpackage, module or folder vega_llvm/{entry}")
    inside = root.is_relative_to(PACKAGE)
    return sorted(p for p in root.rglob("*" if not inside else "*.py")
                  if p.is_file() and "__pycache__" not in p.parts)


def _name(p: Path) -> str:
    return p.relative_to(PACKAGE).as_posix() if p.is_relative_to(PACKAGE) else p.relative_to(PACKAGE.parent).as_posix()


@lru_cache(maxsize=None)
def code_digest(stage: str) -> str:
    """sha256 (24 hex digits) over the relative paths and bytes of the stage's source files."""
    h = hashlib.sha256()
    for sub in STAGE_CODE[stage]:
        for p in _source_files(sub):
            h.update(_name(p).encode() + b"\0")
            h.update(p.read_bytes())
            h.update(b"\0")
    return h.hexdigest()[:24]


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes (full hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def stamp(stage: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The provenance block a stage writes beside its output: its code digest and the digests of its inputs."""
    return {"stage": stage, "code": code_digest(stage), "inputs": dict(sorted(inputs.items()))}


def differences(recorded: Mapping[str, Any] | None, wanted: Mapping[str, Any]) -> list[str]:
    """Human-readable differences between a recorded provenance block and the one a consumer needs ([] = same)."""
    if not recorded:
        return ["no provenance recorded (made by older code)"]
    out = []
    if recorded.get("code") != wanted.get("code"):
        out.append(f"code of stage {wanted.get('stage')} {recorded.get('code')} != {wanted.get('code')}")
    rin, win = recorded.get("inputs") or {}, wanted.get("inputs") or {}
    for k in sorted(set(rin) | set(win)):
        if rin.get(k) != win.get(k):
            out.append(f"input {k} {_short(rin.get(k))} != {_short(win.get(k))}")
    return out


def _short(v: Any) -> str:
    s = str(v)
    return s if len(s) <= 40 else s[:37] + "..."
