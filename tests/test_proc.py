"""The subprocess gateway leaves nothing running behind a tool that has finished."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from vega_llvm.proc import run


def test_leftover_children_are_killed(tmp_path: Path) -> None:
    marker = f"sleep 317.{time.time_ns() % 1000}"  # a command line no other process has
    res = run(["bash", "-c", f"{marker} & echo started"], timeout=20, log=tmp_path / "log")
    assert res.ok and (tmp_path / "log").read_text().strip() == "started"
    time.sleep(0.3)
    alive = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    assert alive == []
