"""The tools we start end with us, even when we are killed by SIGKILL (the OOM killer, ``kill -9``, a lost job).

Every tool runs in its own session (``proc.run``: a timeout kills its whole process group, and a Ctrl-C meant for us
does not reach it), so nothing the kernel does to ``vega-llvm`` reaches a build or a lit run. On Ctrl-C, SIGTERM and
SIGHUP ``proc.run`` kills the group on the way out, but SIGKILL runs no code of ours: a killed ``eval`` left its ninja
compiling the evaluation schema for minutes, and the rerun then started a second ninja on the same build folder
beside the orphan (two writers of the same object files and ``.ninja_deps``).

So ``proc.run`` starts each tool under this small guard, run as a script (``python -I -S toolguard.py PARENT --
ARGV``; standard library only, so it starts in tens of milliseconds). The guard leads the tool's session and process
group, asks the kernel to signal it when its parent dies (``PR_SET_PDEATHSIG``, Linux) and then kills the whole group
with SIGKILL: the tool, and what the tool started (compilers under ninja, lit's workers and their ``llc``). Otherwise
it waits for the tool and ends as the tool ended (the same exit status, or the same signal), so callers see what
they would have seen without it.

``die_with_parent`` is the same request for Python children forked by our own process (the parser pools of
``corpus`` and ``templates``, ``ProcessPoolExecutor``): orphaned by a SIGKILL, those workers wait for work on their
pipe for ever. ``vega_llvm.cli`` registers it to run in every forked child.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send ``sig`` to this process when the thread that forked it ends (its parent process, for a
    child forked by the main thread). False where that cannot be asked (not Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _kill_group(_signum: int = 0, _frame: object = None) -> None:
    """SIGKILL to our own process group: the tool, its children, and this guard."""
    os.killpg(os.getpgrp(), signal.SIGKILL)


def _guard(parent: int, argv: list[str]) -> None:
    # SIGTERM rather than SIGKILL for ourselves: we must live long enough to take the group with us.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _kill_group)
    die_with_parent(signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the request was in place
        _kill_group()
    try:
        pid = os.fork()
    except OSError as exc:
        print(f"cannot run {argv[0]}: {exc.strerror}", file=sys.stderr)
        os._exit(127)
    if pid == 0:
        try:
            # What Popen gives a tool (restore_signals): Python ignores SIGPIPE and SIGXFSZ, and an ignored signal
            # stays ignored across exec.
            for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE, signal.SIGXFSZ):
                signal.signal(sig, signal.SIG_DFL)
            os.execvp(argv[0], argv)
        except OSError as exc:
            print(f"cannot run {argv[0]}: {exc.strerror}", file=sys.stderr)
        os._exit(127)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:  # pragma: no cover - PEP 475 retries for us
            continue
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)  # end as the tool ended: the caller reads -sig
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def guarded(argv: list[str]) -> list[str]:
    """The command line that runs ``argv`` under the guard, for a tool started by this process."""
    return [sys.executable, "-I", "-S", os.path.abspath(__file__), str(os.getpid()), "--", *argv]


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        print("usage: toolguard.py PARENT_PID -- PROGRAM [ARG...]", file=sys.stderr)
        sys.exit(2)
    _guard(int(sys.argv[1]), sys.argv[3:])
