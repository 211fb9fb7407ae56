"""SIGKILL at several points of ``features`` and ``train``, then the same command again: the rerun ends with what
an uninterrupted run gives, and a killed run leaves no process behind (issue 15, "Interruption").

Each kill is SIGKILL to the ``vega-llvm`` process alone, at a point named by what the run has written so far (a
staging file appearing, a state file, a log line), so the points do not depend on the machine's speed. Inputs are a
real pipeline at small scale (corpus, templates and property tables of Lanai, MSP430, ARC, with XCore held out, as
in ``test_model.py``), built once for the module in a cache of its own.

What "the same result" means, per command (docs/RELIABILITY.md, "Interrupted runs"):

- ``features``: every published file byte-identical to the uninterrupted run's (``manifest.json`` without its
  ``seconds``), both right after each kill (a file is whole or absent, never half-written) and after the rerun.
- ``train``: bit-identical weights and an identical tokenizer. Batches are a function of (seed, phase, step) and the
  saved state holds the optimiser, scheduler and RNG, so the run resumed from its last saved step computes what the
  uninterrupted one computed; the metadata says where each phase resumed.

A kill in the middle of writing one of train's work files is reproduced by cutting that file (or its staging copy)
short (gaps G6, G7, fixed: ``vega_llvm/model/train.py`` stages them). The last tests check the guard that takes a
tool we started, and what it started, with us when we are killed (``vega_llvm/toolguard.py``). ``eval`` is killed
and run twice at once in ``test_eval_runs.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from killrun import Run, leftovers

from vega_llvm.paths import llvm_src_root

pytestmark = [
    pytest.mark.llvm,
    pytest.mark.skipif(
        llvm_src_root(required=False) is None,
        reason="llvm-project sources absent: run `vega-llvm llvm fetch` (CI has them)",
    ),
]

TRAIN = ("Lanai", "MSP430", "ARC")
HELD_OUT = "XCore"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Corpus, templates (XCore held out) and property tables of four small backends, in a cache of this module."""
    from vega_llvm.cli import main
    from vega_llvm.describe.describe import describe

    root = tmp_path_factory.mktemp("interrupt-cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("VEGA_LLVM_SRC", str(llvm_src_root()))
    mp.setenv("VEGA_LLVM_CACHE", str(root))
    args = ["corpus", "--quiet", "--out", str(root / "corpus")]
    for t in (*TRAIN, HELD_OUT):
        args += ["--target", t]
    assert main(args) == 0
    assert main(["templates", "--quiet", "--corpus", str(root / "corpus"), "--holdout", HELD_OUT,
                 "--out", str(root / "templates")]) == 0
    tdir = llvm_src_root() / "llvm" / "lib" / "Target"  # type: ignore[operator]
    for t in (*TRAIN, HELD_OUT):
        describe(tdir / t / f"{t}.td")
    env = {**os.environ}  # the monkeypatched cache and sources, for the CLI processes
    yield {"root": root, "env": env, "corpus": root / "corpus", "templates": root / "templates",
           "describe": root / "describe"}
    mp.undo()


def _published(folder: Path) -> dict[str, bytes]:
    """The files a reader may read (hidden staging files apart), manifest.json without its run time."""
    out: dict[str, bytes] = {}
    for p in sorted(folder.iterdir()):
        if p.name.startswith(".") or not p.is_file():
            continue
        data = p.read_bytes()
        if p.name == "manifest.json":
            manifest = json.loads(data)
            manifest.pop("seconds", None)
            data = json.dumps(manifest, sort_keys=True).encode()
        out[p.name] = data
    return out


# --- features -----------------------------------------------------------------------------------------------------

def _features_args(inputs: dict[str, Any], out: Path) -> list[str]:
    return ["features", "--templates", str(inputs["templates"]), "--describe-dir", str(inputs["describe"]),
            "--holdout", HELD_OUT, "--out", str(out)]


def _staging(out: Path, name: str) -> bool:
    """A writer is writing ``name`` (its hidden staging file is there)."""
    return out.is_dir() and any(p.name.startswith(f".{name}.") for p in out.iterdir())


# Points in the order the run reaches them: computing rows in memory (the folder's lock taken, nothing written yet),
# writing dependencies.jsonl, writing train.jsonl and infer.jsonl, both published but manifest.json not yet.
FEATURE_POINTS = {
    "computing": lambda out: out.with_name(out.name + ".lock").exists() and not out.exists(),
    "writing dependencies.jsonl": lambda out: _staging(out, "dependencies.jsonl"),
    "writing train.jsonl": lambda out: _staging(out, "train.jsonl"),
    "train.jsonl published": lambda out: (out / "train.jsonl").is_file(),
}


def test_features_killed_at_any_point_reruns_to_identical_files(inputs: dict[str, Any], tmp_path: Path) -> None:
    ref = tmp_path / "ref"
    whole = Run(_features_args(inputs, ref), inputs["env"])
    assert whole.finish(600) == 0, whole.err
    expected = _published(ref)
    assert set(expected) == {"dependencies.jsonl", "train.jsonl", "infer.jsonl", "manifest.json"}
    print(f"uninterrupted features: {whole.seconds:.1f} s")

    missed = []
    for point, reached in FEATURE_POINTS.items():
        out = tmp_path / point.replace(" ", "-")
        for _attempt in range(3):  # a small file is staged and renamed in milliseconds: the poll may miss it
            shutil.rmtree(out, ignore_errors=True)
            run = Run(_features_args(inputs, out), inputs["env"])
            hit = run.wait_until(lambda reached=reached, out=out: reached(out), 600, f"features: {point}")
            if hit:
                break
            run.kill()
        if not hit:
            missed.append(point)
            continue
        run.kill()
        assert leftovers(run, [out]) == []
        if out.is_dir():  # whole or absent: every published file is the uninterrupted run's
            for name, data in _published(out).items():
                if name != "manifest.json":  # written last; a manifest from before the kill would be whole too
                    assert data == expected[name], f"{point}: {name} is not whole"
        again = Run(_features_args(inputs, out), inputs["env"])
        assert again.finish(600) == 0, again.err
        assert _published(out) == expected, point
        left = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
        # Staging files of the killed writer: never read, removed when the next writer takes the folder's lock.
        assert left == [], f"{point}: {left}"
        print(f"features killed while {point}: rerun identical ({again.seconds:.1f} s)")
    # A window of a few milliseconds (a small file staged and renamed) may slip between two polls on a fast machine;
    # computing the rows may not, and at least one kill must land while files are written or published.
    assert "computing" not in missed and len(missed) < len(FEATURE_POINTS) - 1, missed


# --- train --------------------------------------------------------------------------------------------------------

def _features(inputs: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("features") / "f"
    run = Run(_features_args(inputs, out), inputs["env"])
    assert run.finish(600) == 0, run.err
    return out


def _train_args(inputs: dict[str, Any], features: Path, out: Path) -> list[str]:
    return ["train", "--features", str(features), "--corpus", str(inputs["corpus"]), "--out", str(out),
            "--preset", "tiny", "--quiet"]


def _logged_step(log: Path, step: int) -> bool:
    """``log.jsonl`` of a phase has the line of ``step`` (written every 10 steps, after that step's state save)."""
    if not log.is_file():
        return False
    for line in log.read_text().splitlines():
        try:
            if json.loads(line).get("step") == step:
                return True
        except ValueError:
            continue
    return False


def _weights(ckpt: Path) -> dict[str, Any]:
    from safetensors.torch import load_file

    return load_file(str(ckpt / "model.safetensors"))


@pytest.mark.slow
def test_train_killed_at_several_points_resumes_to_identical_weights(
    inputs: dict[str, Any], tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """One work folder, killed at five points in turn (each rerun is killed at the next point), then run to the
    end: the weights are bit-identical to an uninterrupted run's, from the same seed and data order."""
    import torch

    features = _features(inputs, tmp_path_factory)
    ref = tmp_path / "ref"
    whole = Run(_train_args(inputs, features, ref), inputs["env"])
    assert whole.finish(1200) == 0, whole.err
    print(f"uninterrupted tiny training: {whole.seconds:.1f} s")

    out = tmp_path / "ckpt"
    work = tmp_path / "ckpt.work"
    # tiny: 20 pre-training and 40 fine-tuning steps, state saved every 10; log lines every 10 steps.
    points = {
        # A kill while the tokenizer is written: test_train_killed_while_writing_a_work_file_resumes (G6).
        "tokenizer written, pre-training starting": lambda: (work / "pretrain").is_dir(),
        "pre-training past its first saved state": lambda: _logged_step(work / "pretrain" / "log.jsonl", 10),
        "fine-tuning started": lambda: _logged_step(work / "finetune" / "log.jsonl", 0),
        "fine-tuning past step 30": lambda: _logged_step(work / "finetune" / "log.jsonl", 30),
        "checkpoint being written": lambda: (out / "model.safetensors").is_file(),
    }
    for point, reached in points.items():
        run = Run(_train_args(inputs, features, out), inputs["env"])
        if not run.wait_until(reached, 1200, f"train: {point}"):
            pytest.fail(f"train ended before '{point}'; stderr:\n{run.err[-2000:]}")
        run.kill()
        assert leftovers(run, [out, work]) == []
        print(f"train killed: {point} after {run.seconds:.1f} s")
    final = Run(_train_args(inputs, features, out), inputs["env"])
    assert final.finish(1200) == 0, final.err
    a, b = _weights(ref), _weights(out)
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a), [k for k in a if not torch.equal(a[k], b[k])][:5]
    assert (ref / "tokenizer.json").read_bytes() == (out / "tokenizer.json").read_bytes()
    meta = json.loads((out / "vega_meta.json").read_text())
    phases = meta["phases"]
    # Killed while the checkpoint was written: both phases were complete, so the last run only saved them again.
    assert phases["pretrain"]["resumed_from"] == phases["pretrain"]["steps"] == 20
    assert phases["finetune"]["resumed_from"] == phases["finetune"]["steps"] == 40
    print("resumed:", {k: v["resumed_from"] for k, v in phases.items()})


@pytest.fixture(scope="module")
def killed_train(inputs: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny training SIGKILLed once pre-training has begun: its work folder holds the tokenizer, config.json and
    inputs.json, each whole."""
    features = _features(inputs, tmp_path_factory)
    root = tmp_path_factory.mktemp("killed-train")
    run = Run(_train_args(inputs, features, root / "ckpt"), inputs["env"])
    assert run.wait_until(lambda: (root / "ckpt.work" / "pretrain").is_dir(), 1200, "train: pre-training")
    run.kill()
    return {"features": features, "root": root}


# What a kill in the middle of writing one of train's work files leaves. They were written in place (gaps G6, G7 in
# docs/RELIABILITY.md): a cut-short file that every rerun read. Now each is staged and renamed into place, so a kill
# leaves the old file or none, and at most a cut-short staging copy beside it (what these cases reproduce); a
# cut-short record that older code left is read as absent and written afresh.
# name -> (what a kill leaves: the file cut short in place, or the staging copy cut short and the file gone; the gap)
CUT_SHORT = {
    "tokenizer/tokenizer.json": ("staged", "G6: Tok.save wrote the tokenizer in place; the rerun refused it"),
    "config.json": ("in place", "G7: run_train wrote config.json in place; the rerun ended in a traceback"),
    "inputs.json": ("in place", "G7: run_train wrote inputs.json in place; the rerun ended in a traceback"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CUT_SHORT))
def test_train_killed_while_writing_a_work_file_resumes(
    name: str, inputs: dict[str, Any], killed_train: dict[str, Path], tmp_path: Path
) -> None:
    """What a kill in the middle of writing ``name`` leaves (its first half, in place or in the staging copy), then
    the same command again: it resumes, rebuilding or rewriting the file."""
    work = tmp_path / "ckpt.work"
    shutil.copytree(killed_train["root"] / "ckpt.work", work)
    how, gap = CUT_SHORT[name]
    cut = work / name
    if how == "staged":  # killed inside _save_tokenizer: the staging folder half written, tokenizer/ not there yet
        staging = cut.parent.with_name(f".{cut.parent.name}.tmp")
        cut.parent.rename(staging)
        cut = staging / cut.name
    data = cut.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    again = Run(_train_args(inputs, killed_train["features"], tmp_path / "ckpt"), inputs["env"])
    rc = again.finish(1200)
    assert rc == 0, f"{gap}: {again.err[-2000:]}"
    assert (tmp_path / "ckpt" / "vega_meta.json").is_file()


def test_a_resumed_phase_logs_each_step_once(tmp_path: Path) -> None:
    """G8: the steps logged between the last saved state and a kill are run again on resume; the log keeps only the
    steps before the state (and drops a line the kill cut short)."""
    from vega_llvm.model.loop import _keep_log_before

    log = tmp_path / "log.jsonl"
    log.write_text("".join(json.dumps({"step": s, "loss": 1.0}) + "\n" for s in range(0, 500, 10)) + '{"step": 50')
    _keep_log_before(log, 250)
    assert [json.loads(line)["step"] for line in log.read_text().splitlines()] == list(range(0, 250, 10))
    _keep_log_before(tmp_path / "absent.jsonl", 10)
    assert not (tmp_path / "absent.jsonl").exists()


# --- the tools we start -------------------------------------------------------------------------------------------

def test_sigkill_to_us_ends_the_tool_and_what_it_started(tmp_path: Path) -> None:
    """``proc.run`` runs a tool in its own session (a timeout kills its group; Ctrl-C is ours to handle), so a
    SIGKILL to vega-llvm, which runs no code of ours, used to leave the tool running (a killed eval's ninja built on
    for minutes). The guard (``vega_llvm.toolguard``) takes the tool's whole group with us."""
    marker = tmp_path / "pids"
    script = (
        "from vega_llvm.proc import run\n"
        f"run(['sh', '-c', 'sleep 300 & echo $$ $! > {marker}; wait'], timeout=600)\n"
    )
    ours = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 30
        while not (marker.is_file() and len(marker.read_text().split()) == 2) and time.monotonic() < deadline:
            time.sleep(0.05)
        pids = [int(p) for p in marker.read_text().split()]  # the tool and a child of the tool
        assert all(Path(f"/proc/{p}").exists() for p in pids)
        ours.send_signal(signal.SIGKILL)
        ours.wait(timeout=30)
    finally:
        ours.kill()
        ours.wait()

    def running(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    deadline = time.monotonic() + 10
    while any(running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in pids if running(p)], "the tool or its child kept running after vega-llvm was killed"


def test_the_guard_keeps_what_callers_see(tmp_path: Path) -> None:
    """Exit status, a death by signal, both output streams, the working folder, and a missing program are what
    they were without the guard."""
    from vega_llvm.errors import ToolError
    from vega_llvm.proc import run

    assert run(["sh", "-c", "exit 3"], timeout=30).returncode == 3
    assert run(["sh", "-c", "kill -SEGV $$"], timeout=30).returncode == -signal.SIGSEGV
    res = run(["sh", "-c", "pwd; echo err >&2"], timeout=30, cwd=tmp_path)
    assert (res.stdout.strip(), res.stderr.strip()) == (str(tmp_path), "err")
    piped = run(["sh", "-c", "yes | head -1"], timeout=30)  # `yes` ends by SIGPIPE, silently, as without the guard
    assert (piped.stdout, piped.stderr) == ("y\n", "")
    with pytest.raises(ToolError, match="cannot run no-such-tool-here: not found"):
        run(["no-such-tool-here"], timeout=30)
