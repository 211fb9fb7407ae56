"""Shared fixtures: the real LLVM 16 sources and toolchain (CI installs both), copies of real targets to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vega_llvm.paths import llvm_src_root


@pytest.fixture(scope="session")
def llvm_root() -> Path:
    root = llvm_src_root(required=False)
    if root is None:
        pytest.skip("llvm-project 16.0.6 sources not fetched (run `vega-llvm llvm fetch`)")
    return root


@pytest.fixture(scope="session")
def llvm_src(llvm_root: Path) -> Path:
    """The ``llvm/`` directory."""
    return llvm_root / "llvm"


@pytest.fixture(scope="session")
def xcore_copy(llvm_src: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the real lib/Target/XCore that tests may build and break."""
    dest = tmp_path_factory.mktemp("targets") / "XCore"
    shutil.copytree(llvm_src / "lib" / "Target" / "XCore", dest)
    return dest


@pytest.fixture(scope="session")
def xcore_build(xcore_copy: Path, tmp_path_factory: pytest.TempPathFactory):
    """The copy built once for the session with the real CMake/Ninja/gcc (~40 s cold on 2 cores, less with ccache)."""
    from vega_llvm.build.cmake import build

    return build(xcore_copy, tmp_path_factory.mktemp("build") / "XCore")
