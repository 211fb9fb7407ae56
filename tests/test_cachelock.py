"""Shared cache entries are built once by concurrent processes, and a killed builder's lock does not block the next.

Real processes (``python -c``, each with its own interpreter) on a fresh cache: the lock is an OS file lock, which
threads of one process would not exercise.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vega_llvm.cachelock import building, lock_path
from vega_llvm.paths import llvm_dir

WAITING = "(built by another vega-llvm process)"

# Describe a real target's .td once the start file appears (so that both processes ask at the same moment); print
# whether the table came from the cache and its fingerprint.
DESCRIBE = """
import sys, time
from pathlib import Path
from vega_llvm.describe.describe import describe
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.01)
table, dest = describe(Path(sys.argv[1]))
print(table.meta["cache"], table.fingerprint(), dest)
"""

# Hold an entry's lock (building it forever) until killed.
HOLD = """
import sys, time
from vega_llvm.cachelock import building
with building(sys.argv[1]) as build:
    print("holding", build, flush=True)
    time.sleep(600)
"""

# Take the entry's lock, build the entry unless it is complete, and say which.
BUILD = """
import sys
from pathlib import Path
from vega_llvm.cachelock import building
entry = Path(sys.argv[1])
with building(entry, ready=entry.is_file) as build:
    if build:
        entry.write_text("built by " + sys.argv[2])
print("built" if build else "reused", flush=True)
"""


def _env(cache: Path) -> dict[str, str]:
    return {**os.environ, "VEGA_LLVM_CACHE": str(cache)}


def _spawn(code: str, *args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


@pytest.mark.llvm
def test_two_processes_describing_one_target_run_tblgen_once(tmp_path: Path) -> None:
    cache = tmp_path / "cache"  # empty: neither the table nor tblgen's baseline is there yet
    td = llvm_dir() / "lib" / "Target" / "XCore" / "XCore.td"  # type: ignore[operator]
    go = tmp_path / "go"
    procs = [_spawn(DESCRIBE, str(td), str(go), env=_env(cache)) for _ in range(2)]
    time.sleep(1.0)  # both interpreters started and polling
    go.touch()
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e for _o, e in outs]
    lines = [o.split() for o, _e in outs]
    assert sorted(line[0] for line in lines) == ["hit", "miss"]  # tblgen ran in one process only
    assert lines[0][1:] == lines[1][1:]  # the same table, at the same place
    waited = [e for _o, e in outs if WAITING in e]
    assert len(waited) == 1 and "waiting for " in waited[0], [e for _o, e in outs]
    # The one that waited is the one that read the cache.
    assert WAITING in outs[[line[0] for line in lines].index("hit")][1]
    assert len(list((cache / "describe" / "by-key").glob("*.json"))) == 1
    assert not list((cache / "describe").rglob(".*.tmp")), "a temporary was left behind"


def test_a_lock_held_by_a_killed_process_is_released(tmp_path: Path) -> None:
    entry = tmp_path / "cache" / "entry"
    holder = _spawn(HOLD, str(entry), env=_env(tmp_path / "cache"))
    try:
        assert holder.stdout is not None and holder.stdout.readline().split() == ["holding", "True"]
        waiter = _spawn(BUILD, str(entry), "waiter", env=_env(tmp_path / "cache"))
        time.sleep(1.0)
        assert waiter.poll() is None, waiter.communicate()  # still waiting for the holder
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate(timeout=30)  # reaped, its pipes closed
    assert holder.returncode == -signal.SIGKILL
    out, err = waiter.communicate(timeout=60)  # the kernel released the killed holder's lock
    assert waiter.returncode == 0, err
    assert out.split() == ["built"]  # the holder left nothing: the waiter builds it
    assert f"waiting for {entry} {WAITING}" in err
    assert entry.read_text() == "built by waiter"
    assert lock_path(entry) == entry.with_name("entry.lock")


def test_the_waiter_reuses_what_the_holder_built(tmp_path: Path) -> None:
    entry = tmp_path / "entry"
    messages: list[str] = []
    with building(entry, ready=entry.is_file) as build:
        assert build
        waiter = _spawn(BUILD, str(entry), "waiter", env=_env(tmp_path))
        time.sleep(1.0)
        assert waiter.poll() is None
        entry.write_text("built by the holder")
    out, err = waiter.communicate(timeout=60)
    assert (waiter.returncode, out.split()) == (0, ["reused"]), err
    assert WAITING in err and entry.read_text() == "built by the holder"
    # Complete entries are read without the lock; within one process the lock is re-entrant.
    with building(entry, ready=entry.is_file, say=messages.append) as build:
        assert not build
    with building(tmp_path / "other", say=messages.append) as outer:
        with building(tmp_path / "other", say=messages.append) as inner:
            assert outer and inner
    assert messages == []
