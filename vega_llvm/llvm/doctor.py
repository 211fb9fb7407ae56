"""``vega-llvm llvm doctor``: checks every tool the pipeline needs and says how to install what is missing."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from .. import LLVM_MAJOR, LLVM_VERSION
from ..errors import LLVMNotFoundError
from ..paths import llvm_src_root
from ..proc import run
from .toolchain import DEBIAN_PREFIX, find_toolchain

APT_LLVM = f"apt-get install llvm-{LLVM_MAJOR} llvm-{LLVM_MAJOR}-dev llvm-{LLVM_MAJOR}-tools"

# Static component libraries that our own llc / llvm-mc link (everything but the target itself).
REQUIRED_STATIC_LIBS = [
    "Analysis", "AsmParser", "AsmPrinter", "CodeGen", "Core", "IRReader", "MC", "MCDisassembler", "MCParser",
    "MIRParser", "Remarks", "ScalarOpts", "SelectionDAG", "Support", "Target", "TargetParser", "TransformUtils",
    "Vectorize", "GlobalISel", "ipo",
]


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True


def _version_of(exe: str | Path, args: list[str] | None = None) -> str:
    res = run([exe, *(args or ["--version"])], timeout=30)
    text = (res.stdout or res.stderr).strip()
    m = re.search(r"(\d+\.\d+(\.\d+)?)", text)
    return m.group(1) if m else text.splitlines()[0] if text else "?"


def _which(name: str) -> str | None:
    return shutil.which(name)


def run_checks() -> list[Check]:
    checks: list[Check] = []
    try:
        tc = find_toolchain()
        checks.append(Check("llvm-config", True, f"LLVM {tc.version} at {tc.prefix}"))
    except LLVMNotFoundError as exc:
        checks.append(Check("llvm-config", False, str(exc), APT_LLVM))
        tc = None
    prefix = tc.prefix if tc else Path(os.environ.get("VEGA_LLVM_PREFIX", DEBIAN_PREFIX))
    for tool, pkg in [
        ("llvm-tblgen", f"llvm-{LLVM_MAJOR}"),
        ("llc", f"llvm-{LLVM_MAJOR}"),
        ("llvm-mc", f"llvm-{LLVM_MAJOR}"),
        ("llvm-objdump", f"llvm-{LLVM_MAJOR}"),
        ("FileCheck", f"llvm-{LLVM_MAJOR}-tools"),
        ("not", f"llvm-{LLVM_MAJOR}-tools"),
        ("count", f"llvm-{LLVM_MAJOR}-tools"),
    ]:
        path = prefix / "bin" / tool
        if path.exists():
            checks.append(Check(tool, True, str(path)))
        else:
            checks.append(Check(tool, False, f"{path} missing", f"apt-get install {pkg}"))
    missing_libs = [c for c in REQUIRED_STATIC_LIBS if not (prefix / "lib" / f"libLLVM{c}.a").exists()]
    checks.append(
        Check(
            "static libraries",
            not missing_libs,
            f"{len(REQUIRED_STATIC_LIBS) - len(missing_libs)}/{len(REQUIRED_STATIC_LIBS)} in {prefix / 'lib'}"
            + (f"; missing {', '.join(missing_libs)}" if missing_libs else ""),
            f"apt-get install llvm-{LLVM_MAJOR}-dev",
        )
    )
    cmake_cfg = prefix / "lib" / "cmake" / "llvm" / "LLVMConfig.cmake"
    checks.append(Check("LLVM CMake package", cmake_cfg.exists(), str(cmake_cfg), f"apt-get install llvm-{LLVM_MAJOR}-dev"))
    try:
        import lit  # noqa: F401  (the Python package that runs LLVM's tests)

        checks.append(Check("lit", lit.__version__.startswith(str(LLVM_MAJOR)), f"lit {lit.__version__}",
                            f"pip install lit=={LLVM_VERSION}"))
    except ImportError:
        checks.append(Check("lit", False, "python package lit missing", f"pip install lit=={LLVM_VERSION}"))
    for tool, minimum, fix in [("cmake", (3, 20), "apt-get install cmake"), ("ninja", (1, 10), "apt-get install ninja-build")]:
        exe = _which(tool)
        if not exe:
            checks.append(Check(tool, False, "not on PATH", fix))
            continue
        ver = _version_of(exe)
        nums = tuple(int(x) for x in ver.split(".")[:2]) if re.match(r"\d+\.\d+", ver) else (0, 0)
        checks.append(Check(tool, nums >= minimum, f"{ver} ({exe})", fix))
    cxx = next((c for c in ("c++", "g++", "clang++") if _which(c)), None)
    if cxx:
        ver = _version_of(cxx)
        major = int(ver.split(".")[0]) if ver[:1].isdigit() else 0
        checks.append(Check("C++17 compiler", major >= 7, f"{cxx} {ver}", "apt-get install g++"))
    else:
        checks.append(Check("C++17 compiler", False, "no c++/g++/clang++ on PATH", "apt-get install g++"))
    zstd = any(Path(d).glob("libzstd.so") for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"))
    checks.append(Check("zstd (LLVMSupport links it)", zstd, "libzstd.so" if zstd else "libzstd.so missing",
                        "apt-get install libzstd-dev"))
    ccache = _which("ccache")
    checks.append(Check("ccache", bool(ccache), ccache or "not installed (optional: faster rebuilds)",
                        "apt-get install ccache", required=False))
    root = llvm_src_root(required=False)
    checks.append(Check(f"llvm-project {LLVM_VERSION} sources", root is not None, str(root) if root else "not fetched",
                        "vega-llvm llvm fetch"))
    return checks
