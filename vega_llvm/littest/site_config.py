"""Prepares what lit needs to run LLVM's test suite against our tools: a tools folder and a site configuration."""

from __future__ import annotations

import os
import platform
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .. import LLVM_MAJOR
from ..llvm.toolchain import Toolchain
from ..proc import run

REPO_ROOT = Path(__file__).resolve().parents[2]
SITE_TEMPLATE = REPO_ROOT / "lit_tests" / "lit.site.cfg.py.in"

# Tools a target build replaces; everything else links to the installed LLVM.
BUILT_TOOLS = ("llc", "llvm-mc")


@dataclass(frozen=True)
class SiteConfig:
    path: Path
    tools_dir: Path
    obj_root: Path


def _cmake_flag(tc: Toolchain, name: str) -> int:
    """A boolean from the installed LLVMConfig.cmake (how Debian built LLVM: zlib, zstd, libxml2, ...)."""
    text = (tc.cmake_dir / "LLVMConfig.cmake").read_text(errors="replace")
    m = re.search(rf"set\({name}\s+(\S+)\)", text)
    return 1 if m and m.group(1).upper() in ("ON", "1", "TRUE", "FORCE_ON") else 0


def make_tools_dir(dest: Path, tc: Toolchain, target: str, built: dict[str, Path] | None) -> Path:
    """Links to every installed tool, ours in place of ``BUILT_TOOLS``, and an ``llvm-config`` that reports only
    ``target`` as built (llvm/test/lit.cfg.py derives the ``<arch>-registered-target`` features from it)."""
    dest.mkdir(parents=True, exist_ok=True)
    for entry in dest.iterdir():
        if entry.is_symlink() or entry.is_file():
            entry.unlink()
    built = built or {}
    for exe in tc.bindir.iterdir():
        if exe.name in built or exe.name == "llvm-config":
            continue
        (dest / exe.name).symlink_to(exe)
    for name, path in built.items():
        if not Path(path).exists():
            raise FileNotFoundError(f"{path} (built {name}) does not exist")
        (dest / name).symlink_to(Path(path).resolve())
    real = tc.bindir / "llvm-config"
    wrapper = dest / "llvm-config"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"# vega-llvm: the installed llvm-config, except that only {target} is built.\n"
        'for a in "$@"; do\n'
        '  case "$a" in\n'
        f"    --targets-built) echo {target} ;;\n"
        f'    *) "{real}" "$a" || exit $? ;;\n'
        "  esac\n"
        "done\n"
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return dest


def write_site_config(run_dir: Path, tc: Toolchain, llvm_src: Path, target: str, tools_dir: Path) -> SiteConfig:
    """Fill ``lit_tests/lit.site.cfg.py.in`` for one run; ``llvm_src`` is the ``llvm/`` directory."""
    host = run([tc.bindir / "llvm-config", "--host-target"], timeout=30).stdout.strip() or "x86_64-pc-linux-gnu"
    obj_root = run_dir / "obj"
    obj_root.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    text = env.from_string(SITE_TEMPLATE.read_text()).render(
        host_triple=host,
        host_arch=platform.machine(),
        llvm_src_root=str(llvm_src),
        llvm_obj_root=str(obj_root),
        llvm_tools_dir=str(tools_dir),
        llvm_lib_dir=str(tc.libdir),
        python=sys.executable,
        enable_assertions=_cmake_flag(tc, "LLVM_ENABLE_ASSERTIONS"),
        targets_to_build=target,
        # The host's arch is not built, so tests that need a native target are unsupported, as in a cross build.
        native_target="X86" if platform.machine() in ("x86_64", "AMD64") else "AArch64",
        have_zlib=_cmake_flag(tc, "LLVM_ENABLE_ZLIB"),
        have_zstd=_cmake_flag(tc, "LLVM_ENABLE_ZSTD"),
        have_libxml2=_cmake_flag(tc, "LLVM_ENABLE_LIBXML2"),
        have_curl=_cmake_flag(tc, "LLVM_ENABLE_CURL"),
        enable_ffi=_cmake_flag(tc, "LLVM_ENABLE_FFI"),
        llvm_major=LLVM_MAJOR,
    )
    path = run_dir / "lit.site.cfg.py"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
    return SiteConfig(path=path, tools_dir=tools_dir, obj_root=obj_root)
