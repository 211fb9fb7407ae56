"""Helpers for the tests that kill ``vega-llvm`` mid-run: start the real CLI as its own process, watch what it
prints and writes, SIGKILL it at a chosen point, and look for any process of ours left behind.

SIGKILL because it is what the OOM killer, ``kill -9`` and a lost job do, and because it runs no code of ours: no
``finally``, no signal handler, no cleanup. Whatever a killed run leaves is what a later run finds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Callable

# Set in the environment of every run: the processes that carry it are ours (tools inherit the environment; lit's
# tests do not, so ``leftovers`` also looks for the cache's path in command lines and working folders).
MARK = "VEGA_LLVM_KILL_TEST"


def cli() -> list[str]:
    """The installed ``vega-llvm`` beside this interpreter (the same entry point a user runs), else ``-m``."""
    script = Path(sys.executable).with_name("vega-llvm")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "vega_llvm.cli"]


class Run:
    """One ``vega-llvm`` process with its stderr collected line by line as it comes."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path | None = None) -> None:
        self.mark = uuid.uuid4().hex
        self.env = {**env, MARK: self.mark}
        self.started = time.monotonic()
        self.proc = subprocess.Popen([*cli(), *args], env=self.env, cwd=cwd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, errors="replace")
        self.lines: list[str] = []
        self.out = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._out_reader = threading.Thread(target=self._read_out, daemon=True)
        self._out_reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def _read_out(self) -> None:
        assert self.proc.stdout is not None
        self.out = self.proc.stdout.read()

    @property
    def err(self) -> str:
        return "\n".join(self.lines)

    def said(self, fragment: str) -> bool:
        return any(fragment in line for line in self.lines)

    def wait_until(self, ready: Callable[[], bool], timeout: float, what: str) -> bool:
        """Poll ``ready`` until it holds (True) or the run ends first (False); fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return True
            if self.proc.poll() is not None:
                return ready()
            time.sleep(0.05)
        self.kill()
        raise AssertionError(f"{what}: not reached in {timeout:.0f} s; stderr:\n{self.err[-3000:]}")

    def _close(self) -> None:
        """The pipes, once read to their end (a pipe left open is a ResourceWarning, an error in this suite)."""
        self._reader.join(30)
        self._out_reader.join(30)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()

    def kill(self) -> None:
        """SIGKILL to the ``vega-llvm`` process alone (not its group): what the OOM killer does."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self._close()

    def finish(self, timeout: float) -> int:
        """Wait for the run to end by itself; its exit status."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"still running after {timeout:.0f} s; stderr:\n{self.err[-3000:]}") from None
        self._close()
        return rc

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started


def _ours(pid: int, mark: str | None, paths: list[str]) -> str | None:
    """The command line of process ``pid`` when it is one of ours (carries ``mark`` or names one of ``paths``)."""
    proc = Path("/proc") / str(pid)
    try:
        if (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return None  # a zombie waiting for init to reap it runs nothing
        cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        environ = (proc / "environ").read_bytes()
        cwd = os.readlink(proc / "cwd")
    except (OSError, IndexError):
        return None
    if mark is not None and f"{MARK}={mark}".encode() in environ.split(b"\0"):
        return cmdline
    if any(p in cmdline or cwd.startswith(p) for p in paths):
        return cmdline
    return None


def leftovers(run: Run | None, paths: list[Path], grace: float = 10.0) -> list[str]:
    """Processes of ``run`` still alive ``grace`` seconds after it ended (none expected): every process carrying
    its mark, and every one whose command line or working folder lies under ``paths`` (its cache and outputs).
    With ``run`` None (a run of the library, in this process), only the latter."""
    names = [str(p.resolve()) for p in paths]
    deadline = time.monotonic() + grace
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                cmd = _ours(int(entry.name), run.mark if run else None, names)
                if cmd is not None:
                    found.append(f"{entry.name}: {cmd[:200]}")
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)
