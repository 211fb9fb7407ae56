"""One builder per shared cache entry: ``<entry>.lock`` is held while ``entry`` is built.

Every entry under ``$VEGA_LLVM_CACHE`` (the corpus, a templates or features folder, a property table, an LLVM build
directory, a lit run directory, an evaluation's work directory) is made by one process at a time. Each stage still
publishes its files by rename (``vega_llvm.atomic``), so a reader never sees half a file; the lock adds that two
processes needing the same entry build it once: the second one says on stderr that it waits, and once it holds the
lock it checks again whether the entry is now there and complete, and reads it instead of building it.

The lock is an OS file lock (``filelock``, ``flock`` on Linux): the kernel releases it when its holder dies, even by
SIGKILL, so a killed run never blocks the next one. Within one process the lock of an entry is re-entrant (a stage
that holds it may call another that takes it again).

A writer killed mid-write leaves its staging file (``.train.jsonl.k2j4x9ab.tmp``, 560 MB for the default feature
rows), which no reader reads but nothing else removes. Whoever takes an entry's lock to build it is now its only
writer, so staging files found there are a dead writer's: ``building`` removes them (``_remove_staging``).
"""

from __future__ import annotations

import functools
import re
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from filelock import FileLock, Timeout

F = TypeVar("F", bound=Callable[..., Any])

_locks: dict[str, FileLock] = {}
_guard = threading.Lock()


def lock_path(entry: Path | str) -> Path:
    """``<entry>.lock``, beside the entry (a file or a folder)."""
    entry = Path(entry)
    return entry.with_name(entry.name + ".lock")


def _lock_of(entry: Path) -> FileLock:
    # One FileLock per path in this process: its own counter makes nested holds re-entrant, where a second flock on
    # another descriptor of the same file would wait for ourselves.
    key = str(lock_path(entry).absolute())
    with _guard:
        lock = _locks.get(key)
        if lock is None:
            lock = _locks[key] = FileLock(key)
        return lock


# What the atomic writers of vega_llvm stage into before the rename: ``tempfile.mkstemp(prefix=".<name>.")`` (eight
# random characters), with or without ``suffix=".tmp"``, and ``.<name>.tmp``.
_STAGING = re.compile(r"^\..+\.(tmp|[a-z0-9_]{8})$")


def _remove_staging(entry: Path) -> None:
    """Remove the staging files of a writer of ``entry`` that died before its rename: inside a folder entry (top
    level only), beside a file entry. Never inside a linked tree (a user's llvm-project checkout is not ours)."""
    if entry.is_symlink():
        return
    if entry.is_dir():
        found = list(entry.iterdir())
    else:
        found = [p for p in entry.parent.glob(".*") if p.name.startswith(f".{entry.name}.")] if entry.parent.is_dir() else []
    for p in found:
        if _STAGING.match(p.name) and p.is_file() and not p.is_symlink():
            p.unlink(missing_ok=True)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def building(entry: Path | str, ready: Callable[[], bool] | None = None,
             say: Callable[[str], None] = _say) -> Iterator[bool]:
    """Hold ``entry``'s lock for the block and yield whether the caller is to build ``entry``.

    ``ready()`` tells whether the entry is there and complete. It is asked first without the lock (a complete entry
    is read without taking it, so a read-only cache still works) and again once the lock is held: another process
    may have built the entry while this one waited. It yields False in both cases. Without ``ready`` the block
    always builds, one process at a time."""
    entry = Path(entry)
    if ready is not None and ready():
        yield False
        return
    lock_path(entry).parent.mkdir(parents=True, exist_ok=True)
    lock = _lock_of(entry)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        say(f"waiting for {entry} (built by another vega-llvm process)")
        lock.acquire()
    try:
        build = not (ready is not None and ready())
        if build and lock.lock_counter == 1:  # the outermost hold: no writer of ours is mid-write
            _remove_staging(entry)
        yield build
    finally:
        lock.release()


def serialised(entry: Callable[..., Path | str | None]) -> Callable[[F], F]:
    """Decorate a function that builds a cache entry so that it runs under that entry's lock.

    ``entry`` is called with the function's own arguments and names the entry (None: no lock). The function is
    expected to check, as its first step, whether the entry is already complete: under the lock that is the check
    after waiting."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            where = entry(*args, **kwargs)
            if where is None:
                return fn(*args, **kwargs)
            with building(where):
                return fn(*args, **kwargs)

        return inner  # type: ignore[return-value]

    return wrap
