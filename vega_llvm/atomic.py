"""Modes for files published by rename: the ones a plain ``open()`` or ``mkdir()`` would have given them.

An atomic write creates a private temporary (``tempfile.mkstemp``: 0600, ``tempfile.mkdtemp``: 0700) beside the
destination and renames it into place. The rename keeps the private mode, so without ``publish`` the outputs of one
run come out mixed: 0600 where a helper staged them, 0644 where they were written directly (with the usual umask
022). ``publish`` gives the temporary ``0o666 & ~umask`` (files) or ``0o777 & ~umask`` (directories) before the
rename, so a user's umask (002 on a shared machine, 077 for private caches) decides, as for every other file.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator


def umask() -> int:
    """The process umask, read without changing it (``os.umask`` can only set, which would race other threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    old = os.umask(0o022)  # no /proc (not Linux): set and restore at once
    os.umask(old)
    return old


def file_mode() -> int:
    return 0o666 & ~umask()


def dir_mode() -> int:
    return 0o777 & ~umask()


def publish(target: Path | str | int) -> None:
    """Give a staged file (path or open descriptor) or directory the mode a direct write would have given it."""
    if isinstance(target, int):
        os.fchmod(target, file_mode())
    else:
        os.chmod(target, dir_mode() if os.path.isdir(target) else file_mode())


@contextmanager
def staged_text(path: Path, binary: bool = False) -> Iterator[IO[Any]]:
    """An open file (text, or bytes with ``binary``) that becomes ``path`` only when the block ends without an exception.

    The staging file has a name of its own (``mkstemp`` beside ``path``), so two writers of the same output never write
    into each other's half-file or rename it away from under the other, and a run killed or failing mid-way leaves the
    previous ``path`` (or none) rather than a truncated one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8")) as fh:
            publish(fh.fileno())
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
