"""`llvm fetch` and `llvm doctor` on the real machine (LLVM 16 installed and llvm-project fetched, as in CI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vega_llvm import LLVM_VERSION
from vega_llvm.errors import ConfigError, LLVMNotFoundError
from vega_llvm.llvm import doctor, fetch, toolchain


def test_version_of_real_tree(llvm_root: Path) -> None:
    assert fetch.read_version(llvm_root) == LLVM_VERSION
    assert fetch.verify(llvm_root) == LLVM_VERSION


def test_fetch_is_idempotent_on_existing_cache(llvm_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vega_llvm.paths import default_src_dir

    if not fetch.existing(default_src_dir()):
        pytest.skip("sources come from VEGA_LLVM_SRC, not from `llvm fetch`")
    messages: list[str] = []
    info = fetch.fetch(log=messages.append)
    assert info.version == LLVM_VERSION
    assert "already" in messages[-1]


def test_fetch_links_user_tree_without_writing_into_it(llvm_root: Path, tmp_path: Path) -> None:
    before = sorted(p.name for p in llvm_root.iterdir())
    dest = tmp_path / "cache" / f"llvm-project-{LLVM_VERSION}"
    info = fetch.fetch(llvm_root / "llvm", dest=dest, log=lambda m: None)
    assert info.origin == "user" and dest.is_symlink() and dest.resolve() == llvm_root.resolve()
    assert json.loads(fetch._marker(dest).read_text())["version"] == LLVM_VERSION
    assert sorted(p.name for p in llvm_root.iterdir()) == before
    # Second call with the same tree: still fine.
    assert fetch.fetch(llvm_root, dest=dest, log=lambda m: None).origin == "user"


def test_fetch_rejects_a_directory_that_is_not_llvm(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    with pytest.raises(ConfigError, match="not an llvm-project tree"):
        fetch.fetch(tmp_path / "src", dest=tmp_path / "dest", log=lambda m: None)


def test_fetch_rejects_wrong_version(tmp_path: Path) -> None:
    cml = tmp_path / "src" / "llvm" / "CMakeLists.txt"
    cml.parent.mkdir(parents=True)
    cml.write_text("set(LLVM_VERSION_MAJOR 15)\nset(LLVM_VERSION_MINOR 0)\nset(LLVM_VERSION_PATCH 7)\n")
    with pytest.raises(ConfigError, match="15.0.7, but vega-llvm needs 16.0.6"):
        fetch.fetch(tmp_path / "src", dest=tmp_path / "dest", log=lambda m: None)


def test_fetch_with_no_source_available_is_clear(tmp_path: Path) -> None:
    with pytest.raises(LLVMNotFoundError, match="--llvm-src"):
        fetch.fetch(dest=tmp_path / "dest", use_git=False, use_debian=False, log=lambda m: None)
    assert not (tmp_path / "dest").exists()


def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)


def _refused_url() -> str:
    """An http URL on the loopback whose port nobody listens on: connecting is refused at once."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/llvm-project.git"


def test_unreachable_git_is_a_note_and_debian_follows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real git against a server that cannot be reached: one calm line, then the Debian source package."""
    _no_proxy(monkeypatch)
    monkeypatch.setattr(fetch, "GIT_URL", _refused_url())
    dest = tmp_path / "cache" / f"llvm-project-{LLVM_VERSION}"
    monkeypatch.setattr(
        fetch, "_from_debian", lambda d, timeout: fetch.SourceInfo(str(d), LLVM_VERSION, "debian", "stand-in.tar.xz")
    )
    messages: list[str] = []
    info = fetch.fetch(dest=dest, log=messages.append)
    assert info.origin == "debian"
    assert messages[0].startswith(f"fetching llvm-project {LLVM_VERSION}: trying git (")
    assert messages[1].startswith("  git unreachable (") and "connect" in messages[1].lower()
    assert messages[1].endswith(f"; using the Debian source package {fetch.DEBIAN_PACKAGE} ...")
    assert not any("failed" in m or "fatal" in m for m in messages), messages


def test_every_source_failing_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_proxy(monkeypatch)
    monkeypatch.setattr(fetch, "GIT_URL", _refused_url())
    messages: list[str] = []
    with pytest.raises(LLVMNotFoundError, match=r"could not fetch llvm-project .*: git unreachable \(.*--llvm-src DIR"):
        fetch.fetch(dest=tmp_path / "dest", use_debian=False, log=messages.append)
    assert messages[-1].startswith("  git unreachable (") and "using" not in messages[-1]
    assert not (tmp_path / "dest").exists()


def test_git_server_without_the_tag_is_a_failure_not_unreachable(tmp_path: Path) -> None:
    """A server that answers but lacks the release tag is a real failure (named as one), not a network matter."""
    from vega_llvm.errors import ToolError
    from vega_llvm.proc import run

    repo = tmp_path / "empty.git"
    run(["git", "init", "-q", "--bare", str(repo)], timeout=60, check=True)
    with pytest.raises(ToolError, match=f"has no tag {fetch.GIT_TAG}") as exc:
        fetch.probe_git(repo.as_uri())
    assert not isinstance(exc.value, fetch.SourceUnreachable)


def test_doctor_passes_on_this_machine(llvm_root: Path) -> None:
    checks = doctor.run_checks()
    failing = [(c.name, c.detail) for c in checks if c.required and not c.ok]
    assert failing == []
    names = {c.name for c in checks}
    assert {"llvm-tblgen", "llc", "llvm-mc", "FileCheck", "not", "count", "lit", "cmake", "ninja"} <= names


def test_doctor_names_the_install_command_when_llvm_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VEGA_LLVM_PREFIX", str(tmp_path / "no-llvm"))
    toolchain.find_toolchain.cache_clear()
    try:
        checks = {c.name: c for c in doctor.run_checks()}
    finally:
        toolchain.find_toolchain.cache_clear()
    assert not checks["llvm-config"].ok and "apt-get install llvm-16" in checks["llvm-config"].fix
    assert not checks["llc"].ok and checks["llc"].fix.startswith("apt-get install")
