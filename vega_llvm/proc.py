"""The one gateway to external programs: every subprocess goes through ``run`` with a timeout.

Tests patch this single function to simulate a tool that crashes or hangs. Each tool runs under
``vega_llvm.toolguard``, so that it and what it starts end with us even when we are killed by SIGKILL.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

from .errors import ToolError, ToolTimeoutError
from .toolguard import guarded


@dataclass
class Completed:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _kill_leftovers(group: int) -> None:
    """Kill what is left of a finished tool's process group: lit stopping early (``--max-failures``) leaves the
    ``llc`` of a test in flight running, and a generated function that loops would keep it running for ever."""
    try:
        os.killpg(group, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _runnable(program: str, env: Mapping[str, str], cwd: Path | None) -> bool:
    """Whether exec would find ``program`` (a path, relative to ``cwd``; or a name on the PATH of ``env``)."""
    if os.sep in program:
        path = Path(cwd or ".") / program
        return path.is_file() and os.access(path, os.X_OK)
    return shutil.which(program, path=env.get("PATH", os.defpath)) is not None


def _start(args: list[str], env: Mapping[str, str], cwd: Path | None, **popen: object) -> subprocess.Popen[str]:
    """Start ``args`` under ``toolguard`` (it dies with us, even by SIGKILL) in a session of its own; a program that
    is not there is a ``ToolError``, as before the guard (which would otherwise report it as exit 127)."""
    if not _runnable(args[0], env, cwd):
        raise ToolError(f"cannot run {args[0]}: not found (run `vega-llvm llvm doctor`)")
    try:
        return subprocess.Popen(guarded(args), env=env, cwd=cwd, text=True, errors="replace", start_new_session=True,
                                **popen)  # type: ignore[call-overload]
    except FileNotFoundError as exc:  # cwd missing
        raise ToolError(f"cannot run {args[0]}: {exc.strerror}: {exc.filename}") from exc


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    timeout: float,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    on_line: Callable[[str], None] | None = None,
    check: bool = False,
) -> Completed:
    """Run ``argv`` with a hard timeout, killing the whole process group when it runs over.

    With ``log`` the combined output goes to that file (builds print too much to hold in memory usefully); with
    ``on_line`` as well, each line is also handed to the callback as it arrives (progress bars).
    """
    if on_line is not None and log is not None:
        return _run_streaming(argv, timeout=timeout, cwd=cwd, env=env, log=log, on_line=on_line, check=check)
    args = [str(a) for a in argv]
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    out_handle = open(log, "w") if log else subprocess.PIPE
    try:
        # errors="replace" (in _start): a tool echoing a binary input must not end our run in a UnicodeDecodeError
        proc = _start(args, full_env, cwd=cwd, stdout=out_handle, stderr=subprocess.STDOUT if log else subprocess.PIPE)
    except ToolError:
        if log:
            out_handle.close()  # type: ignore[union-attr]
        raise
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise ToolTimeoutError(f"{Path(args[0]).name} timed out after {timeout:.0f} s: {' '.join(args[:6])} ...")
    except BaseException:  # Ctrl-C, or SIGTERM/SIGHUP (the CLI makes them SystemExit): the tool goes with us
        _kill_leftovers(proc.pid)
        raise
    finally:
        if log:
            out_handle.close()  # type: ignore[union-attr]
    _kill_leftovers(proc.pid)
    if log:
        stdout, stderr = "", ""
    done = Completed(args, proc.returncode, stdout or "", stderr or "")
    if check and not done.ok:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise ToolError(f"{Path(args[0]).name} failed (exit {done.returncode}): {' | '.join(tail)}")
    return done


def _run_streaming(
    argv: Sequence[str | os.PathLike[str]],
    *,
    timeout: float,
    cwd: Path | None,
    env: Mapping[str, str] | None,
    log: Path,
    on_line: Callable[[str], None],
    check: bool,
) -> Completed:
    args = [str(a) for a in argv]
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    proc = _start(args, full_env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def pump() -> None:
        assert proc.stdout is not None
        with open(log, "w") as fh:
            for line in proc.stdout:
                fh.write(line)
                on_line(line.rstrip("\n"))

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        reader.join(5)
        proc.stdout.close()  # type: ignore[union-attr]
        raise ToolTimeoutError(f"{Path(args[0]).name} timed out after {timeout:.0f} s (log: {log})")
    except BaseException:  # Ctrl-C, SIGTERM, SIGHUP: a build or lit run started in its own session ends with us
        _kill_leftovers(proc.pid)
        raise
    reader.join()
    proc.stdout.close()  # type: ignore[union-attr]
    _kill_leftovers(proc.pid)
    done = Completed(args, proc.returncode, "", "")
    if check and not done.ok:
        raise ToolError(f"{Path(args[0]).name} failed (exit {done.returncode}); log: {log}")
    return done
