"""Configures and builds one target directory with CMake + Ninja (the only module that runs cmake/ninja).

The build directory is reused: Ninja rebuilds only what changed, and ccache (when installed) shares objects
across build directories, which the per-function swaps of the evaluation rely on.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from .. import LLVM_VERSION, __version__
from ..cachelock import serialised
from ..errors import BuildError, ConfigError
from ..llvm.toolchain import find_toolchain
from ..paths import cache_root, llvm_dir
from ..proc import run
from .target_dir import TargetDir, resolve

REPO_ROOT = Path(__file__).resolve().parents[2]
CMAKE_PROJECT = REPO_ROOT / "cmake"

_ERROR_RE = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?:(?P<col>\d+):)?\s*(?:fatal )?error:\s*(?P<msg>.*)$")
_PROGRESS_RE = re.compile(r"^\[(\d+)/(\d+)\]")


@dataclass
class CompilerError:
    file: str
    line: int
    message: str
    col: int = 0  # 1-based column where the compiler gives one

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: error: {self.message}"


@dataclass
class BuildResult:
    target: str
    target_dir: str
    build_dir: str
    llc: str
    llvm_mc: str
    seconds: float
    configured: bool
    llvm_version: str = LLVM_VERSION
    tool_version: str = __version__
    libraries: list[str] = field(default_factory=list)


def default_build_dir(target: TargetDir) -> Path:
    """One build directory per target directory: same path, same cache, so reruns are incremental."""
    digest = hashlib.sha1(str(target.path).encode()).hexdigest()[:10]
    return cache_root() / "build" / f"{target.name}-{digest}"


def parse_compiler_errors(log_text: str, limit: int = 200, cwd: Path | None = None) -> list[CompilerError]:
    """The first compiler (or tblgen) errors of a build log, in order, without duplicates.

    Paths are made absolute against ``cwd`` (the build directory): ccache's base-dir rewriting makes them relative.
    """
    out: list[CompilerError] = []
    seen: set[tuple[str, int, str]] = set()
    for line in log_text.splitlines():
        m = _ERROR_RE.match(line.strip())
        if not m:
            continue
        file = m.group("file")
        if cwd is not None and not os.path.isabs(file):
            file = os.path.normpath(os.path.join(cwd, file))
        key = (file, int(m.group("line")), m.group("msg"))
        if key in seen:
            continue
        seen.add(key)
        out.append(CompilerError(*key, int(m.group("col") or 0)))
        if len(out) >= limit:
            break
    return out


_SITE_RE = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?:\d+:)?\s+required from here\s*$")
_COMPILE_SRC_RE = re.compile(r"\s-c\s+(\S+)")


@dataclass
class FailedUnit:
    """One translation unit Ninja reports as FAILED: its source, its errors, and the lines of the unit's own code
    where a template instantiation that failed in a library header was "required from here"."""

    source: str
    errors: list[CompilerError]
    sites: list[tuple[str, int]]


def parse_failed_units(log_text: str, cwd: Path | None = None) -> list[FailedUnit]:
    """The FAILED compile steps of a Ninja log, each with the diagnostics printed under it."""
    units: list[FailedUnit] = []
    lines = log_text.splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].startswith("FAILED: "):
            i += 1
            continue
        m = _COMPILE_SRC_RE.search(lines[i + 1]) if i + 1 < len(lines) else None
        j = i + 2
        while j < len(lines) and not lines[j].startswith("FAILED: ") and not _PROGRESS_RE.match(lines[j]):
            j += 1
        if m:
            block = "\n".join(lines[i + 2 : j])
            sites = []
            for ln in lines[i + 2 : j]:
                sm = _SITE_RE.match(ln.strip())
                if sm:
                    f = sm.group("file")
                    if cwd is not None and not os.path.isabs(f):
                        f = os.path.normpath(os.path.join(cwd, f))
                    sites.append((f, int(sm.group("line"))))
            src = m.group(1)
            if cwd is not None and not os.path.isabs(src):
                src = os.path.normpath(os.path.join(cwd, src))
            units.append(FailedUnit(src, parse_compiler_errors(block, limit=100_000, cwd=cwd), sites))
        i = j
    return units


_IN_FUNCTION_RE = re.compile(r"in function [`\u2018'](?P<fn>.+?)['\u2019]:\s*$")
_UNDEFINED_RE = re.compile(r"undefined reference to [`\u2018'](?P<sym>.+?)['\u2019]\s*$")


@dataclass(frozen=True)
class UndefinedReference:
    """A linker's ``undefined reference``: the symbol, and the function that refers to it when ld names one."""

    symbol: str
    in_function: str | None


def qualified_name(demangled: str) -> str:
    """``llvm::XCoreInstrInfo::foo(llvm::MachineInstr&) const`` -> ``XCoreInstrInfo::foo``."""
    depth, cut = 0, len(demangled)
    for i, ch in enumerate(demangled):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == "(" and depth == 0 and not demangled.startswith("(anonymous namespace)", i):
            cut = i
            break
    name = demangled[:cut]
    for prefix in ("llvm::", "(anonymous namespace)::"):
        name = name.replace(prefix, "")
    return name


def parse_undefined_references(log_text: str) -> list[UndefinedReference]:
    """Undefined references of a failed link, in order, without duplicates (demangled, as GNU ld prints them)."""
    out: dict[UndefinedReference, None] = {}  # ordered and unique
    context: str | None = None
    for line in log_text.splitlines():
        m = _IN_FUNCTION_RE.search(line)
        if m:
            context = m.group("fn")
            continue
        m = _UNDEFINED_RE.search(line)
        if m:
            out.setdefault(UndefinedReference(m.group("sym"), context))
    return list(out)


def _cmake_errors(log_text: str) -> list[str]:
    lines = log_text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if line.startswith("CMake Error"):
            detail = " ".join(x.strip() for x in lines[i + 1 : i + 4] if x.strip())
            out.append(f"{line.strip()} {detail}".strip())
    return out


def configure(target: TargetDir, build_dir: Path, *, timeout: float = 600, extra_args: list[str] | None = None) -> None:
    tc = find_toolchain()
    src = llvm_dir()
    args = [
        "cmake", "-G", "Ninja", "-S", CMAKE_PROJECT, "-B", build_dir,
        f"-DVEGA_TARGET_DIR={target.path}", f"-DVEGA_TARGET={target.name}", f"-DVEGA_LLVM_SRC={src}",
        f"-DLLVM_DIR={tc.cmake_dir}", "-DCMAKE_BUILD_TYPE=Release",
    ]
    if shutil.which("ccache"):
        args.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
    args += extra_args or []
    log = build_dir / "configure.log"
    build_dir.mkdir(parents=True, exist_ok=True)
    res = run(args, timeout=timeout, log=log)
    if not res.ok:
        text = log.read_text(errors="replace")
        errs = _cmake_errors(text) or text.strip().splitlines()[-3:]
        raise BuildError(f"CMake configure of {target.name} failed: {errs[0] if errs else '?'} (log: {log})", log, errs)


def _project_of(cache_file: Path) -> Path | None:
    """The CMake project a build directory was configured from (``CMAKE_HOME_DIRECTORY`` in its cache)."""
    m = re.search(r"^CMAKE_HOME_DIRECTORY:INTERNAL=(.*)$", cache_file.read_text(errors="replace"), re.M)
    return Path(m.group(1)).resolve() if m else None


def _forget_configuration(build_dir: Path) -> None:
    """Drop the configuration of a build directory made from another copy of our CMake project.

    A build directory in the cache outlives the checkout that configured it (another worktree, a moved or reinstalled
    tool): its build.ninja would regenerate from a project that may be gone (``CMake Error: The source directory ...
    does not exist``) or run another version's CMake code. The object files stay: a fresh configuration with the same
    flags gives the same compile commands, so ninja recompiles nothing that is up to date.
    """
    (build_dir / "CMakeCache.txt").unlink(missing_ok=True)
    shutil.rmtree(build_dir / "CMakeFiles", ignore_errors=True)
    (build_dir / "build.ninja").unlink(missing_ok=True)


def _build_dir_of(target_dir: Path | str, build_dir: Path | None = None, *_args: object, **_kwargs: object) -> Path:
    return Path(build_dir) if build_dir else default_build_dir(resolve(target_dir))


@serialised(_build_dir_of)  # one cmake/ninja per build directory at a time (vega_llvm.cachelock)
def build(
    target_dir: Path | str,
    build_dir: Path | None = None,
    *,
    jobs: int | None = None,
    timeout: float = 3600,
    progress: Callable[[int, int], None] | None = None,
    cmake_args: list[str] | None = None,
) -> BuildResult:
    """Build ``target_dir``; raises ``BuildError`` naming the first compiler error and the file it is in.

    ``cmake_args`` (e.g. ``-DVEGA_TRAP_UB=ON``) apply when the build directory is first configured.
    """
    target = resolve(target_dir)
    build_dir = Path(build_dir) if build_dir else default_build_dir(target)
    cache_file = build_dir / "CMakeCache.txt"
    if cache_file.exists() and f"VEGA_TARGET_DIR:UNINITIALIZED={target.path}\n" not in cache_file.read_text(errors="replace"):
        raise ConfigError(f"{build_dir} was configured for another target directory; pass another --build-dir")
    start = time.monotonic()
    configured = False
    if cache_file.exists() and _project_of(cache_file) != CMAKE_PROJECT.resolve():
        _forget_configuration(build_dir)
    if not (build_dir / "build.ninja").exists():
        configure(target, build_dir, extra_args=cmake_args)
        configured = True
    env = {"CCACHE_BASEDIR": str(target.path.parent), "CCACHE_NOHASHDIR": "1"}
    args = ["ninja", "-C", build_dir, "-k", "0"]
    if jobs:
        args += ["-j", str(jobs)]
    log = build_dir / "build.log"

    def on_line(line: str) -> None:
        m = _PROGRESS_RE.match(line)
        if m and progress:
            progress(int(m.group(1)), int(m.group(2)))

    res = run(args, timeout=timeout, log=log, env=env, on_line=on_line)
    if not res.ok:
        text = log.read_text(errors="replace")
        errors = parse_compiler_errors(text, cwd=build_dir)
        if errors:
            first = errors[0]
            more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
            raise BuildError(
                f"build of {target.name} failed: {first}{more} (log: {log})", log, [str(e) for e in errors],
                [(e.file, e.line) for e in errors],
            )
        cm = _cmake_errors(text)
        tail = cm or [ln for ln in text.strip().splitlines() if ln.strip()][-3:]
        raise BuildError(f"build of {target.name} failed: {' | '.join(tail)} (log: {log})", log, tail)
    bindir = build_dir / "bin"
    libs = sorted(str(p.relative_to(build_dir)) for p in (build_dir / "target").rglob("*.a"))
    result = BuildResult(
        target=target.name, target_dir=str(target.path), build_dir=str(build_dir), llc=str(bindir / "llc"),
        llvm_mc=str(bindir / "llvm-mc"), seconds=round(time.monotonic() - start, 2), configured=configured,
        libraries=libs,
    )
    tmp = build_dir / "build.json.tmp"
    tmp.write_text(json.dumps(asdict(result), indent=2) + "\n")
    os.replace(tmp, build_dir / "build.json")
    return result


def load_result(build_dir: Path) -> BuildResult:
    path = build_dir / "build.json"
    if not path.is_file():
        raise ConfigError(f"{build_dir}: not built yet (no build.json); run `vega-llvm build` first")
    return BuildResult(**json.loads(path.read_text()))
