"""tools/setup.sh picks the torch build: the CPU one without an NVIDIA GPU, the default with one, and says which.

The real script runs (bash, ``set -euo pipefail``) in a copy of the repository whose ``.venv/bin/python`` and
``vega-llvm`` are stand-ins that log their arguments: pip's installs, the reachability check of PyTorch's CPU index
and the import of torch are answered from environment variables, so that every route runs offline in a second.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"

FAKE_PYTHON = f"""#!/usr/bin/env bash
echo "python $*" >> "$FAKE_LOG"
if [ "$1" = -c ]; then
  case "$2" in
    *urllib*) [ "$FAKE_REACHABLE" = 1 ]; exit $? ;;
    *torch*) [ -f "$FAKE_STATE" ] || exit 1; cat "$FAKE_STATE"; exit 0 ;;
  esac
fi
if [ "$1 $2 $3" = "-m pip install" ] && [[ "$*" == *torch==* ]]; then
  if [[ "$*" == *"--index-url {CPU_INDEX}"* ]]; then echo "2.13.0+cpu (CPU build)" > "$FAKE_STATE"
  else echo "$FAKE_DEFAULT_BUILD" > "$FAKE_STATE"; fi
fi
exit 0
"""


def _setup(tmp_path: Path, *, gpu: bool, reachable: bool, default_build: str, installed: str | None = None):
    proj, bin_dir = tmp_path / "proj", tmp_path / "bin"
    (proj / "tools").mkdir(parents=True)
    shutil.copy(REPO / "tools" / "setup.sh", proj / "tools" / "setup.sh")
    venv = proj / ".venv" / "bin"
    venv.mkdir(parents=True)
    bin_dir.mkdir()
    for path, text in ((venv / "python", FAKE_PYTHON), (venv / "vega-llvm", "#!/bin/sh\nexit 0\n")):
        path.write_text(text)
        path.chmod(0o755)
    if gpu:
        (bin_dir / "nvidia-smi").write_text("#!/bin/sh\necho 'GPU 0: NVIDIA H100'\n")
        (bin_dir / "nvidia-smi").chmod(0o755)
    state = tmp_path / "torch"
    if installed:
        state.write_text(installed + "\n")
    env = {k: v for k, v in os.environ.items() if k != "TORCH_INDEX_URL"}
    env.update(
        PATH=f"{bin_dir}:/usr/bin:/bin", SKIP_APT="1", FAKE_LOG=str(tmp_path / "log"), FAKE_STATE=str(state),
        FAKE_REACHABLE="1" if reachable else "0", FAKE_DEFAULT_BUILD=default_build,
    )
    res = subprocess.run(["bash", str(proj / "tools" / "setup.sh")], env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    log = (tmp_path / "log").read_text().splitlines()
    return res.stdout, [ln for ln in log if "pip install" in ln and "torch==" in ln], log


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("timeout") is None, reason="needs bash and timeout")
class TestTorchBuild:
    def test_no_gpu_cpu_index_reachable(self, tmp_path: Path) -> None:
        out, installs, _ = _setup(tmp_path, gpu=False, reachable=True, default_build="2.13.0 (CUDA 12.8 build)")
        assert installs == [f"python -m pip install -q --index-url {CPU_INDEX} torch==2.13.0"]
        assert "installed torch 2.13.0+cpu (CPU build)" in out and "note" not in out

    def test_no_gpu_cpu_index_unreachable_takes_the_default_route(self, tmp_path: Path) -> None:
        out, installs, _ = _setup(tmp_path, gpu=False, reachable=False, default_build="2.13.0+cpu (CPU build)")
        assert installs == ["python -m pip install -q torch==2.13.0"]
        assert "unreachable" in out and "installed torch 2.13.0+cpu (CPU build)" in out

    def test_a_cuda_build_without_gpu_says_how_to_switch(self, tmp_path: Path) -> None:
        out, _, _ = _setup(tmp_path, gpu=False, reachable=False, default_build="2.13.0 (CUDA 12.8 build)")
        assert "installed torch 2.13.0 (CUDA 12.8 build)" in out
        assert f"TORCH_INDEX_URL={CPU_INDEX} tools/setup.sh" in out

    def test_with_an_nvidia_gpu_the_default_build(self, tmp_path: Path) -> None:
        out, installs, log = _setup(tmp_path, gpu=True, reachable=True, default_build="2.13.0 (CUDA 12.8 build)")
        assert installs == ["python -m pip install -q torch==2.13.0"]
        assert not any("urllib" in ln for ln in log)  # no look at the CPU index
        assert "NVIDIA GPU found" in out and "installed torch 2.13.0 (CUDA 12.8 build)" in out and "note" not in out

    def test_rerun_keeps_what_is_installed(self, tmp_path: Path) -> None:
        out, installs, _ = _setup(
            tmp_path, gpu=False, reachable=True, default_build="?", installed="2.13.0+cpu (CPU build)"
        )
        assert installs == [] and "torch 2.13.0+cpu (CPU build) already installed" in out
