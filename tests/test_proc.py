"""The subprocess gateway leaves nothing running behind a tool that has finished."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from vega_llvm.proc import run


def test_leftover_children_are_killed(tmp_path: Path) -> None:
    marker = f"sleep 317.{time.time_ns() % 1000}"  # a command line no other process has
    res = run(["bash", "-c", f"{marker} & echo started"], timeout=20, log=tmp_path / "log")
    assert res.ok and (tmp_path / "log").read_text().strip() == "started"
    time.sleep(0.3)
    alive = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    assert alive == []


# SIGINT is not among them: a job started in the background (`nohup ... &`, CI runners) inherits SIGINT ignored, and
# Python then keeps it ignored, as it should; Ctrl-C in a terminal is KeyboardInterrupt, which proc.run handles alike.
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_to_us_ends_the_tool_we_started(sig: signal.Signals, tmp_path: Path) -> None:
    """Tools run in their own session (a timeout kills their whole group), so a signal to vega-llvm does not reach
    them: ``proc.run`` kills them on the way out instead of leaving a build or lit run going after us."""
    import subprocess
    import sys
    import time

    marker = tmp_path / "started"
    script = (
        "import sys\n"
        "from vega_llvm.cli import _exit_on_signals\n"
        "from vega_llvm.proc import run\n"
        "_exit_on_signals()\n"
        f"run(['sh', '-c', 'echo $$ > {marker}; exec sleep 300'], timeout=600)\n"
    )
    ours = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 30
        while not (marker.is_file() and marker.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.05)
        tool = int(marker.read_text())
        assert Path(f"/proc/{tool}").exists()
        ours.send_signal(sig)
        rc = ours.wait(timeout=30)
    finally:
        ours.kill()
        ours.wait()
    assert rc == 128 + sig
    for _ in range(100):  # the kill is immediate; the zombie may take a moment to be reaped by init
        if not Path(f"/proc/{tool}").exists() or "Z" in Path(f"/proc/{tool}/stat").read_text().split()[2]:
            break
        time.sleep(0.05)
    alive = Path(f"/proc/{tool}").exists() and "Z" not in Path(f"/proc/{tool}/stat").read_text().split()[2]
    assert not alive, "the tool kept running after vega-llvm ended"
