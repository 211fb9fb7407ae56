"""Finds the installed LLVM 16 toolchain: one place that knows where ``llvm-tblgen``, ``llc``, lit and friends are.

Debian installs versioned names (``llvm-config-16``) on PATH and plain names under ``/usr/lib/llvm-16/bin``; other
distributions differ, so the prefix comes from ``VEGA_LLVM_PREFIX``, then ``llvm-config-16``/``llvm-config``, then
the Debian default.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import LLVM_MAJOR
from ..errors import LLVMNotFoundError
from ..proc import run

DEBIAN_PREFIX = Path(f"/usr/lib/llvm-{LLVM_MAJOR}")


@dataclass(frozen=True)
class Toolchain:
    prefix: Path
    version: str

    @property
    def bindir(self) -> Path:
        return self.prefix / "bin"

    @property
    def libdir(self) -> Path:
        return self.prefix / "lib"

    @property
    def includedir(self) -> Path:
        return self.prefix / "include"

    @property
    def cmake_dir(self) -> Path:
        return self.libdir / "cmake" / "llvm"

    def tool(self, name: str) -> Path:
        path = self.bindir / name
        if not path.exists():
            raise LLVMNotFoundError(f"{path} is missing: install llvm-{LLVM_MAJOR}-tools (see `vega-llvm llvm doctor`)")
        return path

    @property
    def tblgen(self) -> Path:
        return self.tool("llvm-tblgen")


def _prefix_candidates() -> list[Path]:
    out: list[Path] = []
    env = os.environ.get("VEGA_LLVM_PREFIX")
    if env:
        return [Path(env)]
    for name in (f"llvm-config-{LLVM_MAJOR}", "llvm-config"):
        exe = shutil.which(name)
        if exe:
            res = run([exe, "--prefix"], timeout=30)
            if res.ok:
                out.append(Path(res.stdout.strip()))
    out.append(DEBIAN_PREFIX)
    return out


@lru_cache(maxsize=1)
def find_toolchain() -> Toolchain:
    """The installed LLVM of the pinned major version, or a one-line error naming the install command."""
    tried = []
    for prefix in _prefix_candidates():
        cfg = prefix / "bin" / "llvm-config"
        tried.append(str(prefix))
        if not cfg.exists():
            continue
        res = run([cfg, "--version"], timeout=30)
        version = res.stdout.strip()
        if res.ok and version.split(".")[0] == str(LLVM_MAJOR):
            return Toolchain(prefix=prefix.resolve(), version=version)
    raise LLVMNotFoundError(
        f"no LLVM {LLVM_MAJOR} toolchain found (looked in {', '.join(tried)}): "
        f"apt-get install llvm-{LLVM_MAJOR} llvm-{LLVM_MAJOR}-dev llvm-{LLVM_MAJOR}-tools, or set VEGA_LLVM_PREFIX"
    )
