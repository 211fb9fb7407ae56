"""One training phase (pre-training or fine-tuning): seeded, resumable, on CPU, one GPU or several via accelerate.

Why batches are a function of the step: ``batch(step)`` draws from an RNG seeded with (seed, phase, step), so a run
resumed from its last checkpoint sees exactly the batches the uninterrupted run would have seen, and several
processes each take their slice of the same global batch.
"""

from __future__ import annotations

import json
import math
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch

from ..errors import CheckpointError
from .data import Example, collate

STATE = "state.pt"


@dataclass
class PhaseResult:
    steps: int
    seconds: float
    examples_per_second: float
    first_loss: float
    last_loss: float
    resumed_from: int


def seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)
    try:
        torch.use_deterministic_algorithms(True, warn_only=True)
    except Exception:  # pragma: no cover - older torch
        pass


def _lr_lambda(warmup: int, total: int) -> Callable[[int], float]:
    def f(step: int) -> float:
        if step < warmup:
            return (step + 1) / max(1, warmup)
        frac = (step - warmup) / max(1, total - warmup)
        return max(0.05, 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))

    return f


def run_phase(
    name: str,
    model: Any,
    draw: Callable[[random.Random, int], list[Example]],
    pad: int,
    steps: int,
    batch_size: int,
    lr: float,
    warmup: int,
    work: Path,
    seed: int,
    bf16: bool,
    save_every: int,
    progress: bool = True,
    with_confidence: bool = True,
) -> PhaseResult:
    """Train ``model`` in place for ``steps`` steps; state in ``work/STATE`` every ``save_every`` steps."""
    from accelerate import Accelerator

    work.mkdir(parents=True, exist_ok=True)
    use_bf16 = bf16 and (torch.cuda.is_available() or _cpu_bf16())
    acc = Accelerator(mixed_precision="bf16" if use_bf16 else "no")
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, _lr_lambda(warmup, steps))
    start = 0
    state_file = work / STATE
    if state_file.is_file():
        try:
            st = torch.load(state_file, map_location="cpu", weights_only=False)
            model.load_state_dict(st["model"])
            opt.load_state_dict(st["optim"])
            sched.load_state_dict(st["sched"])
            torch.set_rng_state(st["rng"])
            start = int(st["step"])
        except Exception as exc:
            raise CheckpointError(f"{state_file}: cannot resume from it ({str(exc).splitlines()[0]}); delete it to restart") from None
    model, opt, sched = acc.prepare(model, opt, sched)
    model.train()
    world, rank = acc.num_processes, acc.process_index
    log_file = work / "log.jsonl"
    _keep_log_before(log_file, start)
    log = open(log_file, "a", encoding="utf-8")
    bar = None
    if progress and acc.is_main_process:
        from tqdm import tqdm

        bar = tqdm(total=steps, initial=start, desc=name, unit="step", dynamic_ncols=True)
    t0 = time.perf_counter()
    first = last = float("nan")
    done_examples = 0
    step = start
    try:
        for step in range(start, steps):
            rng = random.Random(f"{seed}/{name}/{step}")
            examples = draw(rng, batch_size)
            mine = examples[rank::world]
            batch = {k: v.to(acc.device) for k, v in collate(mine, pad).items()}
            if not with_confidence:
                batch.pop("present")
            with acc.autocast():
                out = model(**batch)
            acc.backward(out.loss)
            acc.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            loss = float(out.loss.detach())
            first = loss if step == start else first
            last = loss if step == start else 0.9 * last + 0.1 * loss
            done_examples += len(examples)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{last:.4f}")
            if acc.is_main_process and (step % 10 == 0 or step == steps - 1):
                rec = {"step": step, "loss": round(loss, 5), "lr": sched.get_last_lr()[0]}
                if out.mse is not None:
                    rec["mse"] = round(float(out.mse.detach()), 5)
                if out.ce is not None:
                    rec["ce"] = round(float(out.ce.detach()), 5)
                log.write(json.dumps(rec) + "\n")
                log.flush()
            if (step + 1) % save_every == 0 or step == steps - 1:
                acc.wait_for_everyone()
                if acc.is_main_process:
                    _save_state(state_file, acc.unwrap_model(model), opt, sched, step + 1)
    finally:
        log.close()
        if bar is not None:
            bar.close()
    secs = time.perf_counter() - t0
    return PhaseResult(steps, secs, done_examples / secs if secs else 0.0, first, last, start)


def _keep_log_before(log_file: Path, start: int) -> None:
    """The log of a resumed phase keeps the steps before the saved state only: the steps logged between that state
    and the kill are run again, and would otherwise be logged twice (and a line cut short by the kill, once)."""
    if not log_file.is_file():
        return
    kept = []
    for line in log_file.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            if int(json.loads(line)["step"]) < start:
                kept.append(line + "\n")
        except (ValueError, KeyError, TypeError):
            continue
    tmp = log_file.with_name(f".{log_file.name}.tmp")
    tmp.write_text("".join(kept), encoding="utf-8")
    os.replace(tmp, log_file)


def _save_state(path: Path, model: Any, opt: Any, sched: Any, step: int) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(
        {"model": model.state_dict(), "optim": opt.state_dict(), "sched": sched.state_dict(), "rng": torch.get_rng_state(), "step": step},
        tmp,
    )
    os.replace(tmp, path)


def _cpu_bf16() -> bool:
    """bf16 autocast pays on CPUs with native bf16 (AVX-512 BF16 / AMX); elsewhere it is slower than fp32."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags
