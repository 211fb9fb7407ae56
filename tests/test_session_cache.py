"""The test session's own cache (tests/conftest.py): never the user's, sources found, nothing left behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from vega_llvm.paths import cache_root, default_src_dir, llvm_src_root

HERE = Path(__file__).resolve().parent

INNER_TEST = '''
from vega_llvm.paths import cache_root, llvm_src_root


def test_writes_into_the_cache():
    build = cache_root() / "build" / "XCore-0"
    build.mkdir(parents=True)
    (build / "libLLVMXCoreCodeGen.a").write_bytes(b"x" * 100000)
    print("CACHE", cache_root(), "SRC", llvm_src_root(required=False))
'''


def test_this_session_has_its_own_cache(llvm_root: Path) -> None:
    assert os.environ["VEGA_LLVM_CACHE"] == str(cache_root())
    assert cache_root() != Path.home() / ".cache" / "vega-llvm"
    assert llvm_src_root() == llvm_root.resolve() == default_src_dir().resolve()


def _inner_session(tmp_path: Path, llvm_root: Path, **env: str) -> tuple[str, Path, Path]:
    """Run a small pytest session with our conftest; HOME and TMPDIR are private to it."""
    root, home, tmp = tmp_path / "proj", tmp_path / "home", tmp_path / "tmp"
    for d in (root / "tests", home, tmp):
        d.mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "conftest.py", root / "tests" / "conftest.py")
    (root / "tests" / "test_inner.py").write_text(INNER_TEST)
    (root / "pytest.ini").write_text("[pytest]\ntestpaths = tests\ntmp_path_retention_policy = failed\n")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("VEGA_LLVM_", "PYTEST_"))}
    base.update(HOME=str(home), TMPDIR=str(tmp), VEGA_LLVM_SRC=str(llvm_root), **env)
    res = subprocess.run(  # a plain subprocess: proc.run would add the outer session's VEGA_LLVM_* back
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", f"--rootdir={root}", str(root / "tests")],
        cwd=root, env=base, capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return res.stdout, home, tmp


def test_a_session_cache_is_removed_and_the_users_is_untouched(llvm_root: Path, tmp_path: Path) -> None:
    stale = tmp_path / "tmp" / "vega-llvm-test-cache-killed"  # left by a session that was killed
    stale.mkdir(parents=True)
    (stale / ".pytest-pid").write_text(str(_dead_pid()))
    out, home, tmp = _inner_session(tmp_path, llvm_root)
    line = next(ln for ln in out.splitlines() if ln.startswith("CACHE "))
    _, cache, _, src = line.split()
    assert Path(cache).parent == tmp and Path(src) == llvm_root.resolve()
    assert not Path(cache).exists() and not stale.exists()
    assert not (home / ".cache" / "vega-llvm").exists()
    assert llvm_root.is_dir() and (llvm_root / "llvm" / "lib" / "Target" / "XCore").is_dir()  # links removed, not trees
    left = [p for p in tmp.rglob("*") if not p.is_dir()]
    assert left == [], "pytest's own folder is emptied after a green session too"


def test_a_cache_given_for_tests_is_kept(llvm_root: Path, tmp_path: Path) -> None:
    given = tmp_path / "kept-cache"
    out, home, _ = _inner_session(tmp_path, llvm_root, VEGA_LLVM_TEST_CACHE=str(given))
    assert f"CACHE {given}" in out
    assert (given / "build" / "XCore-0" / "libLLVMXCoreCodeGen.a").is_file()
    assert default_src_dir().name in {p.name for p in given.iterdir()}  # the sources linked, not fetched
    assert not (home / ".cache" / "vega-llvm").exists()


def _dead_pid() -> int:
    """The pid of a process that has ended."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid
