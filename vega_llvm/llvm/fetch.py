"""``vega-llvm llvm fetch``: llvm-project 16.0.6 into the cache.

Three sources, tried in order: a directory the user names (linked, never modified), a shallow git clone of the
release tag, the Debian source package ``llvm-toolchain-16`` (whose version matches the installed binaries, which
the out-of-tree build needs). The result is checked by reading the version from ``llvm/CMakeLists.txt``.

Before cloning, ``git ls-remote`` asks the server for the tag with a short timeout; a server that cannot be reached
(no network, no DNS, a firewall) is an expected case on build machines, reported as "unreachable" and followed by
the next source, not as a failure. Only when every source fails is it an error.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from .. import LLVM_MAJOR, LLVM_VERSION
from ..errors import ConfigError, LLVMNotFoundError, ToolError, ToolTimeoutError
from ..cachelock import serialised
from ..paths import cache_root, default_src_dir
from ..proc import run

GIT_URL = "https://github.com/llvm/llvm-project.git"
GIT_TAG = f"llvmorg-{LLVM_VERSION}"
DEBIAN_PACKAGE = f"llvm-toolchain-{LLVM_MAJOR}"
MARKER = ".vega-llvm-source.json"
PROBE_TIMEOUT = 30.0  # seconds for `git ls-remote`: enough for a slow network, short when packets are dropped

# git's own words (curl's for http(s), ssh's for ssh) when the server cannot be reached at all.
_UNREACHABLE = re.compile(
    r"Could not resolve (?:host|hostname|proxy)|Failed to connect|Couldn't connect|Connection (?:timed out|refused)"
    r"|Network is unreachable|No route to host|Operation timed out|Temporary failure in name resolution",
    re.IGNORECASE,
)


class SourceUnreachable(ToolError):
    """A download source that cannot be reached from this machine: the next source is tried."""


@dataclass
class SourceInfo:
    root: str
    version: str
    origin: str  # "user", "git" or "debian"
    detail: str


def read_version(root: Path) -> str | None:
    """The LLVM version of the tree at ``root`` (the directory that holds ``llvm/``), or None if it is not one."""
    cml = root / "llvm" / "CMakeLists.txt"
    if not cml.is_file():
        return None
    text = cml.read_text(errors="replace")
    parts = []
    for key in ("MAJOR", "MINOR", "PATCH"):
        m = re.search(rf"set\(LLVM_VERSION_{key}\s+(\d+)\)", text)
        if not m:
            return None
        parts.append(m.group(1))
    return ".".join(parts)


def verify(root: Path) -> str:
    version = read_version(root)
    if version is None:
        raise ConfigError(f"{root}: not an llvm-project tree (no llvm/CMakeLists.txt with LLVM_VERSION_*)")
    if version != LLVM_VERSION:
        raise ConfigError(f"{root}: llvm-project {version}, but vega-llvm needs {LLVM_VERSION}")
    if not (root / "llvm" / "lib" / "Target").is_dir() or not (root / "llvm" / "test").is_dir():
        raise ConfigError(f"{root}: llvm/lib/Target or llvm/test is missing; an incomplete llvm-project tree")
    return version


def _marker(dest: Path) -> Path:
    """Provenance lives beside the tree, so a user's own checkout is never written to."""
    return dest.parent / f"{dest.name}{MARKER}"


def _write_marker(dest: Path, info: SourceInfo) -> None:
    tmp = _marker(dest).with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(info), indent=2) + "\n")
    tmp.replace(_marker(dest))


def existing(dest: Path) -> SourceInfo | None:
    """The source already in the cache, if it verifies."""
    marker = _marker(dest)
    if not marker.is_file() or not dest.exists():
        return None
    try:
        info = SourceInfo(**json.loads(marker.read_text()))
        verify(dest.resolve())
    except (ValueError, TypeError, ConfigError):
        return None
    return info


def _from_user(src: Path, dest: Path) -> SourceInfo:
    src = src.expanduser().resolve()
    if not src.is_dir():
        raise ConfigError(f"--llvm-src {src}: no such directory")
    if (src / "lib" / "Target").is_dir() and not (src / "llvm").is_dir():
        src = src.parent  # the user named the llvm/ subdirectory
    version = verify(src)
    dest.parent.mkdir(parents=True, exist_ok=True)
    link = dest.parent / (dest.name + ".link")
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(src, target_is_directory=True)
    if dest.exists() and not dest.is_symlink():
        raise ConfigError(f"{dest} already holds a fetched tree; remove it to use --llvm-src instead")
    link.replace(dest)
    info = SourceInfo(str(src), version, "user", str(src))
    _write_marker(dest, info)
    return info


def _last_line(text: str) -> str:
    lines = [ln.strip(" '\"") for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("stderr:")]
    return lines[-1] if lines else ""


def probe_git(url: str | None = None, tag: str = GIT_TAG, timeout: float = PROBE_TIMEOUT) -> None:
    """Ask ``url`` (default ``GIT_URL``) for ``tag`` with the real git; raise ``SourceUnreachable`` when the server
    cannot be reached, ``ToolError`` when it answers without the tag (or git is missing)."""
    url = url or GIT_URL
    argv = ["git", "ls-remote", "--exit-code", url, f"refs/tags/{tag}"]
    try:
        res = run(argv, timeout=timeout, env={"GIT_TERMINAL_PROMPT": "0"})  # never wait for a password
    except ToolTimeoutError as exc:
        raise SourceUnreachable(f"{url}: no answer in {timeout:.0f} s") from exc
    if res.ok:
        return
    text = res.stderr or res.stdout
    m = _UNREACHABLE.search(text)
    if m:
        line = next((ln for ln in text.splitlines() if m.group(0) in ln), m.group(0))
        raise SourceUnreachable(line[line.index(m.group(0)):].strip())
    if res.returncode == 2:
        raise ToolError(f"{url} has no tag {tag}")
    raise ToolError(f"git ls-remote {url} failed: {_last_line(text) or f'exit {res.returncode}'}")


def _from_git(dest: Path, timeout: float) -> SourceInfo:
    probe_git()
    import git  # GitPython

    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".clone-") as tmp:
        work = Path(tmp) / "llvm-project"
        try:
            git.Repo.clone_from(
                GIT_URL, work, depth=1, branch=GIT_TAG, single_branch=True, kill_after_timeout=timeout
            )
        except git.GitCommandError as exc:
            last = _last_line(exc.stderr or str(exc)) or str(exc)
            raise ToolError(f"git clone {GIT_URL} failed: {last}") from exc
        version = verify(work)
        info = SourceInfo(str(dest), version, "git", f"{GIT_URL}@{GIT_TAG}")
        work.replace(dest)
        _write_marker(dest, info)
    return info


def _from_debian(dest: Path, timeout: float) -> SourceInfo:
    dl = cache_root() / "dl"
    dl.mkdir(parents=True, exist_ok=True)
    tarballs = sorted(dl.glob(f"{DEBIAN_PACKAGE}_{LLVM_VERSION}.orig.tar.*"))
    if not tarballs:
        if shutil.which("apt-get") is None:
            raise ToolError("apt-get is not available, so the Debian source package cannot be fetched")
        res = run(["apt-get", "source", "--download-only", DEBIAN_PACKAGE], cwd=dl, timeout=timeout)
        tarballs = sorted(dl.glob(f"{DEBIAN_PACKAGE}_{LLVM_VERSION}.orig.tar.*"))
        if not tarballs:
            last = (res.stderr or res.stdout).strip().splitlines()
            raise ToolError(
                f"apt-get source {DEBIAN_PACKAGE} gave no {LLVM_VERSION} tarball "
                f"({last[-1] if last else 'no output'}); enable deb-src in /etc/apt/sources.list.d and apt-get update"
            )
    tarball = tarballs[0]
    top = f"{DEBIAN_PACKAGE}_{LLVM_VERSION}"
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".extract-") as tmp:
        res = run(["tar", "-xf", tarball, "-C", tmp, f"{top}/llvm"], timeout=timeout)
        if not res.ok:
            raise ToolError(f"{tarball}: extraction failed: {res.stderr.strip()[-300:]}")
        work = Path(tmp) / top
        version = verify(work)
        info = SourceInfo(str(dest), version, "debian", tarball.name)
        work.replace(dest)
        _write_marker(dest, info)
    return info


# One fetch per destination at a time (vega_llvm.cachelock): a second one waits, then finds it verified.
@serialised(lambda llvm_src=None, *, dest=None, **_k: dest or default_src_dir())
def fetch(
    llvm_src: Path | None = None,
    *,
    dest: Path | None = None,
    use_git: bool = True,
    use_debian: bool = True,
    timeout: float = 1800,
    log: Callable[[str], None] = print,
) -> SourceInfo:
    """Make sure ``dest`` holds a verified llvm-project 16.0.6; idempotent."""
    dest = dest or default_src_dir()
    dest.parent.mkdir(parents=True, exist_ok=True)
    if llvm_src is not None:
        info = _from_user(Path(llvm_src), dest)
        log(f"using {info.root} (llvm-project {info.version}), linked at {dest}")
        return info
    have = existing(dest)
    if have:
        log(f"llvm-project {have.version} already at {dest} (from {have.origin}: {have.detail})")
        return have
    if dest.is_symlink():
        dest.unlink()
    elif dest.exists():
        raise ConfigError(f"{dest} exists but is not a verified llvm-project {LLVM_VERSION}; remove it and rerun")
    attempts: list[tuple[str, str, Callable[[], SourceInfo]]] = []
    if use_git:
        attempts.append(("git", f"git ({GIT_TAG} from {GIT_URL})", lambda: _from_git(dest, timeout)))
    if use_debian:
        attempts.append(("debian", f"the Debian source package {DEBIAN_PACKAGE}", lambda: _from_debian(dest, timeout)))
    if attempts:
        log(f"fetching llvm-project {LLVM_VERSION}: trying {attempts[0][1]} ...")
    failures: list[str] = []
    for i, (name, _, attempt) in enumerate(attempts):
        try:
            info = attempt()
        except SourceUnreachable as exc:
            why = f"{name} unreachable ({exc})"
        except (ToolError, ConfigError, OSError) as exc:
            why = f"{name} failed: {exc}"
        else:
            log(f"llvm-project {info.version} at {dest} (from {info.origin}: {info.detail})")
            return info
        failures.append(why)
        log(f"  {why}" + (f"; using {attempts[i + 1][1]} ..." if i + 1 < len(attempts) else ""))
    raise LLVMNotFoundError(
        "could not fetch llvm-project " + LLVM_VERSION + ": " + "; ".join(failures or ["no source enabled"])
        + "; pass --llvm-src DIR with an existing checkout"
    )
