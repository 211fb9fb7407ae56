"""Where things live: the cache, the llvm-project source tree and the installed toolchain.

All locations are configuration, overridable by environment variables, so that tests can point caches at a
temporary directory and users can bring their own trees:

- ``VEGA_LLVM_CACHE``: cache root (default ``~/.cache/vega-llvm``).
- ``VEGA_LLVM_SRC``: an llvm-project checkout (the directory that contains ``llvm/``); skips ``llvm fetch``.
- ``VEGA_LLVM_PREFIX``: the installed LLVM 16 (default: ``llvm-config-16 --prefix``, else ``/usr/lib/llvm-16``).
"""

from __future__ import annotations

import os
from pathlib import Path

from . import LLVM_VERSION
from .errors import LLVMNotFoundError


def cache_root() -> Path:
    env = os.environ.get("VEGA_LLVM_CACHE")
    root = Path(env) if env else Path.home() / ".cache" / "vega-llvm"
    return root.expanduser()


def default_src_dir() -> Path:
    """Where ``llvm fetch`` puts llvm-project (the directory holding ``llvm/``)."""
    return cache_root() / f"llvm-project-{LLVM_VERSION}"


def llvm_src_root(required: bool = True) -> Path | None:
    """The llvm-project root (containing ``llvm/lib/Target``) from ``VEGA_LLVM_SRC`` or the fetch cache."""
    env = os.environ.get("VEGA_LLVM_SRC")
    candidates = [Path(env).expanduser()] if env else [default_src_dir()]
    for root in candidates:
        if (root / "llvm" / "lib" / "Target").is_dir():
            return root.resolve()
    if required:
        where = candidates[0]
        raise LLVMNotFoundError(
            f"no llvm-project sources at {where}: run `vega-llvm llvm fetch` or set VEGA_LLVM_SRC to a checkout"
        )
    return None


def llvm_dir(required: bool = True) -> Path | None:
    """The ``llvm/`` subdirectory of the llvm-project root."""
    root = llvm_src_root(required)
    return root / "llvm" if root else None


def targets_dir() -> Path:
    return llvm_dir() / "lib" / "Target"  # type: ignore[operator]


def default_checkpoint() -> Path:
    """The checkpoint shipped with the tool (``checkpoints/default`` beside the package in a checkout), wherever the
    command is run from."""
    return Path(__file__).resolve().parent.parent / "checkpoints" / "default"
