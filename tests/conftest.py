"""Shared fixtures: the real LLVM 16 sources and toolchain (CI installs both), copies of real targets to break.

The session gets its own cache, never the user's ``~/.cache/vega-llvm`` (or ``$VEGA_LLVM_CACHE``): a temporary
folder, removed at the end, or ``$VEGA_LLVM_TEST_CACHE`` when set (kept, so that a developer can reuse or inspect
it). The llvm-project sources stay where the user's settings find them (``$VEGA_LLVM_SRC``, else the fetched tree
in the user's cache): ``VEGA_LLVM_SRC`` points there for the session, the session cache links them and the user's
``dl/`` (the Debian tarball), so nothing is fetched again. ``tmp_path_retention_policy = "failed"`` (pyproject) makes
pytest delete every temporary folder of a green session, and keep only those of failed tests otherwise.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from vega_llvm.paths import cache_root, default_src_dir, llvm_src_root

if TYPE_CHECKING:
    from vega_llvm.corpus.records import FunctionRecord

TEST_CACHE_ENV = "VEGA_LLVM_TEST_CACHE"
CACHE_PREFIX = "vega-llvm-test-cache-"
PID_FILE = ".pytest-pid"
_CACHE_KEY = pytest.StashKey[tuple[Path, bool, dict[str, str | None]]]()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_caches() -> None:
    """Session caches of sessions that were killed before they could remove theirs."""
    for d in Path(tempfile.gettempdir()).glob(CACHE_PREFIX + "*"):
        try:
            pid = int((d / PID_FILE).read_text())
        except (OSError, ValueError):
            continue  # not ours, or just being created
        if not _alive(pid):
            shutil.rmtree(d, ignore_errors=True)


def pytest_configure(config: pytest.Config) -> None:
    from vega_llvm.errors import VegaError
    from vega_llvm.llvm.fetch import fetch

    saved = {k: os.environ.get(k) for k in ("VEGA_LLVM_CACHE", "VEGA_LLVM_SRC")}
    user_cache, src = cache_root(), llvm_src_root(required=False)  # found with the user's settings, before the move
    given = os.environ.get(TEST_CACHE_ENV)
    if given:
        cache = Path(given).expanduser().resolve()
        cache.mkdir(parents=True, exist_ok=True)
    else:
        _remove_stale_caches()
        cache = Path(tempfile.mkdtemp(prefix=CACHE_PREFIX))
        (cache / PID_FILE).write_text(str(os.getpid()))
    config.stash[_CACHE_KEY] = (cache, not given, saved)
    os.environ["VEGA_LLVM_CACHE"] = str(cache)
    if src is None:
        return  # the tests that need the sources skip, saying how to fetch them
    os.environ["VEGA_LLVM_SRC"] = str(src)
    if cache != user_cache.resolve():
        if not default_src_dir().exists():
            try:
                fetch(src, log=lambda m: None)  # links the tree, as `llvm fetch --llvm-src` does
            except VegaError:
                pass  # a tree `llvm_src_root` accepts but `fetch` does not verify: VEGA_LLVM_SRC still finds it
        # The Debian tarball (llvm_patch --cmake-dirs): in the user's cache, or beside the fetched sources.
        found = [d for d in (user_cache / "dl", src.parent / "dl") if d.is_dir()]
        if found and not (cache / "dl").exists():
            (cache / "dl").symlink_to(found[0].resolve(), target_is_directory=True)


def pytest_report_header(config: pytest.Config) -> str:
    cache, temporary, _ = config.stash[_CACHE_KEY]
    src = os.environ.get("VEGA_LLVM_SRC") or "not found (tests that need them skip)"
    kept = "removed at the end" if temporary else f"kept: {TEST_CACHE_ENV}"
    return f"vega-llvm: cache {cache} ({kept}); llvm-project sources {src}"


def pytest_unconfigure(config: pytest.Config) -> None:
    if _CACHE_KEY not in config.stash:
        return
    cache, temporary, saved = config.stash[_CACHE_KEY]
    if temporary:
        shutil.rmtree(cache, ignore_errors=True)  # links (sources, dl/) go, never what they point to
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


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
def xcore_records(llvm_src: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, FunctionRecord]:
    """The corpus records of the real XCore backend by qualified name, parsed once for the session."""
    from vega_llvm.corpus.build import build_corpus
    from vega_llvm.corpus.records import load_corpus

    out = tmp_path_factory.mktemp("xcore-corpus")
    build_corpus(llvm_src, out, targets=["XCore"], progress=False)
    return {r.name: r for r in load_corpus(out) if r.target == "XCore"}


@pytest.fixture(scope="session")
def xcore_build(xcore_copy: Path, tmp_path_factory: pytest.TempPathFactory):
    """The copy built once for the session with the real CMake/Ninja/gcc (~40 s cold on 2 cores, less with ccache)."""
    from vega_llvm.backend_build.cmake import build

    return build(xcore_copy, tmp_path_factory.mktemp("build") / "XCore")


@pytest.fixture(scope="session")
def scratch_corpus(llvm_src: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus of XCore and RISCV with the training targets nearest to each (Lanai, LoongArch) and MSP430, every
    target described (as ``describe --all`` would): what a scratch bootstrap of either needs, built once (~1 min)."""
    from vega_llvm.corpus.build import build_corpus
    from vega_llvm.describe.describe import describe

    out = tmp_path_factory.mktemp("scratch-corpus")
    names = ["XCore", "RISCV", "Lanai", "LoongArch", "MSP430"]
    build_corpus(llvm_src, out, targets=names, progress=False)
    for t in names:
        describe(llvm_src / "lib" / "Target" / t / f"{t}.td")
    return out
