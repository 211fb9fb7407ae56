"""The one module that runs ``llvm-tblgen``: ``--dump-json`` of a target description, with a timeout.

``--dump-json`` is used rather than a target-specific backend (``-gen-register-info`` ...) because it gives every
record with its resolved fields and its class list, for any target, without knowing which backends the target
enables. The JSON is written to a temporary directory and parsed there, so a failed run leaves nothing behind.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, TableGenError
from ..llvm.toolchain import find_toolchain
from ..proc import run

# RISCV and AMDGPU take 20-60 s on two cores; the limit only has to catch a hung tool.
DEFAULT_TIMEOUT = 900.0

# tblgen diagnostics look like ``path:line:col: error: message`` (or ``error: message`` for missing includes).
_DIAG = re.compile(r"^(?:(?P<loc>[^\s:][^:]*:\d+:\d+):\s*)?error:\s*(?P<msg>.*)$")


@dataclass
class DumpResult:
    """Parsed ``--dump-json`` output plus what it was made from (the dependency list tblgen itself reports)."""

    records: dict[str, Any]
    instanceof: dict[str, list[str]]
    deps: list[Path]
    seconds: float
    json_bytes: int
    tblgen: Path
    include_dirs: list[Path] = field(default_factory=list)

    def of_class(self, cls: str) -> list[str]:
        return self.instanceof.get(cls, [])


def first_error(stderr: str) -> str:
    """The first ``error:`` line of tblgen's output with its location, else its last non-empty line."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for ln in lines:
        m = _DIAG.match(ln)
        if m:
            loc = m.group("loc")
            return f"{loc}: {m.group('msg')}" if loc else m.group("msg")
    return lines[-1] if lines else "no diagnostic printed"


def _parse_depfile(text: str) -> list[Path]:
    """Make-style ``out: dep dep \\`` lines; tblgen escapes spaces in names with a backslash."""
    body = text.split(":", 1)[1] if ":" in text else ""
    body = body.replace("\\\n", " ")
    parts = re.split(r"(?<!\\) +", body.strip())
    return [Path(p.replace("\\ ", " ")) for p in parts if p]


def dump_json(
    td: Path,
    include_dirs: list[Path] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> DumpResult:
    """Run ``llvm-tblgen --dump-json`` on ``td`` with the installed LLVM's include directory and the file's own folder.

    Raises ``ConfigError`` for a path that is not a readable ``.td`` and ``TableGenError`` quoting tblgen's first
    error for anything tblgen rejects.
    """
    td = Path(td)
    if not td.is_file():
        raise ConfigError(f"{td}: no such .td file")
    td = td.resolve()
    tc = find_toolchain()
    incs = [td.parent, tc.includedir, *(include_dirs or [])]
    with tempfile.TemporaryDirectory(prefix="vega-tblgen-") as tmp:
        out = Path(tmp) / "records.json"
        dep = Path(tmp) / "records.d"
        argv: list[str | Path] = [tc.tblgen, "--dump-json"]
        for inc in incs:
            argv += ["-I", inc]
        argv += [td, "-o", out, "-d", dep]
        t0 = time.perf_counter()
        res = run(argv, timeout=timeout)
        seconds = time.perf_counter() - t0
        if not res.ok:
            raise TableGenError(f"llvm-tblgen rejected {td.name}: {first_error(res.stderr or res.stdout)}")
        size = out.stat().st_size
        with open(out, "rb") as fh:
            data = json.load(fh)
        deps = _parse_depfile(dep.read_text()) if dep.exists() else []
    instanceof = data.pop("!instanceof", {})
    data.pop("!tablegen_json_version", None)
    if td not in deps:
        deps.insert(0, td)
    return DumpResult(
        records=data,
        instanceof=instanceof,
        deps=deps,
        seconds=seconds,
        json_bytes=size,
        tblgen=Path(tc.tblgen),
        include_dirs=incs,
    )


def baseline_td_text() -> str:
    """A description with only LLVM's target-independent ``.td`` files: its records are nobody's target."""
    return "".join(
        f'include "{p}"\n'
        for p in (
            "llvm/Target/Target.td",
            "llvm/TableGen/SearchableTable.td",
            "llvm/TableGen/Automaton.td",
            "llvm/Target/GlobalISel/Combine.td",
        )
    )
