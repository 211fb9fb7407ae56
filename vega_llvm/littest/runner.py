"""Runs a target's lit tests and reads lit's JSON results (never the console) into per-test result codes."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import LLVM_VERSION
from ..backend_build.cmake import qualified_name
from ..cachelock import serialised
from ..errors import ConfigError, LitRunError, ToolTimeoutError
from ..llvm.toolchain import find_toolchain
from ..paths import cache_root, llvm_dir
from ..proc import run
from .site_config import make_tools_dir, write_site_config

# Test directories of a target, by suite name, relative to llvm/test.
SUITES = {
    "codegen": "CodeGen/{t}",
    "mc": "MC/{t}",
    "disassembler": "MC/Disassembler/{t}",
}
# lit's result codes; FAIL-like ones are what a broken backend produces.
PASSING = {"PASS", "XFAIL"}
FAILING = {"FAIL", "XPASS", "TIMEOUT", "UNRESOLVED"}
# What an LLVM tool prints on stderr when it crashes (a fatal signal, or an abort from an assertion).
CRASH_BANNER = "Stack dump:"
# One frame of that dump: " #4 0x00005582ec506b79 llvm::XCoreInstrInfo::storeRegToStackSlot(...) const (llc+0x1)"
_FRAME_RE = re.compile(r"^\s*#\d+ 0x[0-9a-fA-F]+ (?P<fn>\S.*?)(?: \(/[^()]*\)| \S+:\d+:\d+)?$", re.MULTILINE)
# Frames of the crash machinery itself (the handler, libc's raise and abort, LLVM's fatal-error paths), skipped to
# name the function that crashed.
_MACHINERY_RE = re.compile(r"^\(/|PrintStackTrace|RunSignalHandlers|SignalHandler|^_*(raise|abort|gsignal|pthread_kill)"
                           r"|__assert_fail|llvm_unreachable_internal|report_fatal_error|^llvm::sys::")
_EXIT_RE = re.compile(r"^Exit Code: (-?\d+)$", re.MULTILINE)


@dataclass
class LitReport:
    target: str
    tools: str  # "ours:<build dir>" or "installed"
    suites: list[str]
    tests: dict[str, str]
    seconds: float
    llvm_version: str = LLVM_VERSION
    summary: dict[str, int] = field(default_factory=dict)
    # Failing test -> what went wrong, where lit's output says (``why_failed``): a verdict's detail shows it, so a
    # generated function that hangs or crashes llc is charged with that, not with a bare test name.
    why: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.summary = dict(sorted(Counter(self.tests.values()).items()))

    @property
    def passed(self) -> int:
        return sum(1 for c in self.tests.values() if c in PASSING)

    @property
    def failed(self) -> list[str]:
        return sorted(t for t, c in self.tests.items() if c in FAILING)

    def summary_line(self) -> str:
        s = self.summary
        return (
            f"{self.target}: {self.passed} passed, {len(self.failed)} failed, {s.get('UNSUPPORTED', 0)} unsupported, "
            f"{s.get('TIMEOUT', 0)} timeout ({len(self.tests)} tests, {self.seconds:.1f} s)"
        )

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2) + "\n")
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> "LitReport":
        data = json.loads(path.read_text())
        data.pop("summary", None)
        return cls(**data)


def test_paths(target: str, suites: list[str] | None = None) -> dict[str, Path]:
    """The target's existing test directories, by suite."""
    root = llvm_dir() / "test"  # type: ignore[operator]
    out: dict[str, Path] = {}
    for suite in suites or list(SUITES):
        if suite not in SUITES:
            raise ConfigError(f"unknown test suite {suite!r}; choose from {', '.join(SUITES)}")
        p = root / SUITES[suite].format(t=target)
        if p.is_dir():
            out[suite] = p
    return out


def why_failed(code: str, output: str, test_timeout: float) -> str:
    """A few words on why a test failed, from lit's result code and output: "timed out after 5 s", "llc crashed
    (SIGSEGV) in XCoreInstrInfo::storeRegToStackSlot"; empty when the output says nothing so plain (a FileCheck
    mismatch). The signal is named only where the exit code shows it: in ``llc | FileCheck`` the pipeline's code is
    FileCheck's, and LLVM's crash banner does not name the signal."""
    if code == "TIMEOUT":
        return f"timed out after {int(test_timeout)} s"
    m = _EXIT_RE.search(output)
    status = int(m.group(1)) if m else 0
    number = -status if status < 0 else status - 128 if status > 128 else 0
    try:
        sig = f" ({signal.Signals(number).name})" if number else ""
    except ValueError:
        sig = ""
    if CRASH_BANNER in output:
        head = output.split(CRASH_BANNER, 1)[1]
        args = re.search(r"Program arguments: (\S+)", head)
        tool = Path(args.group(1)).name if args else "a tool"
        frames = [f.group("fn") for f in _FRAME_RE.finditer(head)]
        where = next((qualified_name(f) for f in frames if not _MACHINERY_RE.search(f)), "")
        return f"{tool} crashed{sig}" + (f" in {where}" if where else "")
    return f"killed by {sig.strip(' ()')}" if sig else ""


def parse_lit_json(path: Path, test_timeout: float = 60) -> tuple[dict[str, str], dict[str, str]]:
    """``({"CodeGen/XCore/foo.ll": "PASS", ...}, {failing test: why_failed})`` from lit's ``-o`` output."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise LitRunError(f"{path}: lit wrote no readable results ({exc})") from exc
    codes: dict[str, str] = {}
    why: dict[str, str] = {}
    for t in data.get("tests", []):
        name = t["name"].split(" :: ", 1)[-1]
        codes[name] = t["code"]
        reason = why_failed(t["code"], t.get("output") or "", test_timeout) if t["code"] in FAILING else ""
        if reason:
            why[name] = reason
    return codes, why


def _run_dir_of(target: str, *, llc: Path | None = None, llvm_mc: Path | None = None, run_dir: Path | None = None,
                **_kwargs: object) -> Path:
    reference = llc is None and llvm_mc is None
    return run_dir or cache_root() / "lit" / (f"{target}-installed" if reference else f"{target}-ours")


@serialised(_run_dir_of)  # one lit run per run directory at a time (vega_llvm.cachelock)
def run_tests(
    target: str,
    *,
    llc: Path | None = None,
    llvm_mc: Path | None = None,
    run_dir: Path | None = None,
    suites: list[str] | None = None,
    filter_regex: str | None = None,
    test_timeout: float = 60,
    total_timeout: float = 3600,
    jobs: int | None = None,
    tests: list[str] | None = None,
    params: dict[str, str] | None = None,
    max_failures: int | None = None,
) -> LitReport:
    """Run the target's lit tests with our ``llc``/``llvm-mc`` (or the installed ones when both are None).

    ``tests`` runs only those tests (names as in the report, e.g. ``CodeGen/XCore/addsub64.ll``) instead of whole
    suites; ``params`` are lit ``--param`` values (the evaluation hooks of ``lit.site.cfg.py.in``); ``max_failures``
    stops the run early, leaving the tests it did not reach out of the report.
    """
    tc = find_toolchain()
    src = llvm_dir()
    paths = test_paths(target, suites)
    if not paths:
        raise ConfigError(f"llvm/test has no CodeGen/MC/MC/Disassembler directory for target {target!r}")
    built = {k: v for k, v in (("llc", llc), ("llvm-mc", llvm_mc)) if v is not None}
    reference = not built
    run_dir = _run_dir_of(target, llc=llc, llvm_mc=llvm_mc, run_dir=run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    tools = make_tools_dir(run_dir / "tools", tc, target, built)
    site = write_site_config(run_dir, tc, src, target, tools)  # type: ignore[arg-type]
    out_json = run_dir / "lit-results.json"
    if out_json.exists():
        out_json.unlink()
    args = [
        sys.executable, "-m", "vega_llvm.littest.driver", src / "test" / "lit.cfg.py", site.path,  # type: ignore[operator]
        "-q", "--no-progress-bar", f"--timeout={int(test_timeout)}", "-o", out_json,
        f"--max-failures={max_failures or 100000}",
    ]
    for key, value in (params or {}).items():
        args.append(f"--param={key}={value}")
    if jobs:
        args.append(f"-j{jobs}")
    if filter_regex:
        args.append(f"--filter={filter_regex}")
    if tests:
        root = src / "test"  # type: ignore[operator]
        args += [str(root / t) for t in tests]
    else:
        args += [str(p) for p in paths.values()]
    start = time.monotonic()
    try:
        res = run(args, timeout=total_timeout, log=run_dir / "lit.log")
    except ToolTimeoutError as exc:
        raise LitRunError(f"lit run for {target} exceeded {total_timeout:.0f} s (log: {run_dir / 'lit.log'})") from exc
    if not out_json.exists():
        tail = (run_dir / "lit.log").read_text(errors="replace").strip().splitlines()[-3:]
        raise LitRunError(f"lit did not run for {target} (exit {res.returncode}): {' | '.join(tail)}")
    codes, why = parse_lit_json(out_json, test_timeout)
    report = LitReport(
        target=target,
        tools="installed" if reference else f"ours:{Path(next(iter(built.values()))).parent}",
        suites=sorted(paths),
        tests=codes,
        seconds=round(time.monotonic() - start, 2),
        why=why,
    )
    report.save(run_dir / "results.json")
    return report
