"""What a verdict of the judge depends on, hashed: the key of every cached verdict, trace and baseline.

A verdict (pass, fail, compile error, untested) is a function of more than the function id and the body judged: the
lit tests run for the target and the lit configuration they run under, the installed LLVM whose tools and libraries
the backend links against and the tests call, the per-test timeout, and the code that builds, traces, probes and
charges. ``judge_stamp`` names each of these by content (``vega_llvm.provenance``), so that changing any of them
sets the cached verdicts aside instead of reading them, and says which one changed (``provenance.differences``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .. import provenance
from ..littest.runner import SUITES
from ..littest.site_config import SITE_TEMPLATE
from ..llvm import toolchain
from ..paths import llvm_dir


def lit_test_files(target: str, suites: list[str] | None = None) -> list[Path]:
    """Every file lit reads for ``target``'s tests: the suites' folders (tests, inputs, ``lit.local.cfg``), the
    ``lit.local.cfg`` of each folder above them up to ``llvm/test``, ``llvm/test/lit.cfg.py``, and our site template."""
    root = llvm_dir() / "test"  # type: ignore[operator]
    files: set[Path] = {root / "lit.cfg.py", SITE_TEMPLATE}
    for suite in suites or list(SUITES):
        folder = root / SUITES[suite].format(t=target)
        if not folder.is_dir():
            continue
        files.update(p for p in folder.rglob("*") if p.is_file())
        for parent in folder.relative_to(root).parents:
            files.add(root / parent / "lit.local.cfg")
    return sorted(p for p in files if p.is_file())


def lit_tests_digest(target: str, suites: list[str] | None = None) -> str:
    """sha256 (24 hex digits) over the names (relative to ``llvm/``, or to the repository for our site template) and
    bytes of ``lit_test_files``."""
    llvm = llvm_dir()
    h = hashlib.sha256()
    for p in lit_test_files(target, suites):
        name = p.relative_to(llvm).as_posix() if p.is_relative_to(llvm) else f"vega-llvm/{p.name}"  # type: ignore[arg-type]
        h.update(name.encode() + b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:24]


def judge_stamp(target: str, backend_digest: str, test_timeout: float, suites: list[str] | None = None) -> dict[str, Any]:
    """The provenance block of a verdict on ``target`` (``backend_digest``: content of the real target directory)."""
    tc = toolchain.find_toolchain()
    return provenance.stamp("judge", {
        "backend": backend_digest,
        "lit_tests": lit_tests_digest(target, suites),
        "suites": sorted(suites) if suites else "all",
        "toolchain": f"LLVM {tc.version} at {tc.prefix}",
        "test_timeout": float(test_timeout),
    })


def stamp_key(stamp: dict[str, Any]) -> str:
    """One hex key for a provenance block."""
    return hashlib.sha256(json.dumps(stamp, sort_keys=True).encode()).hexdigest()[:24]
