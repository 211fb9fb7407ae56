"""Pre-training on the training targets' backend C++: span denoising in the shared encoder-decoder layout.

Why: there are no code-model weights offline (MODEL.md), and a model that has read LLVM backend code knows its
idioms (``<T>::``, ``MCFixupKind``, ``getOpcode``) before it sees a feature vector. Held-out targets' functions are
filtered out by target name before tokenisation; ``draw`` never sees them.
"""

from __future__ import annotations

import random
from typing import Any, Callable

from .data import Example, span_corrupt
from .tokenizer import Tok


def pretrain_drawer(
    function_ids: list[list[int]], tok: Tok, max_source: int, max_target: int, ratio: float, mean_span: float
) -> Callable[[random.Random, int], list[Example]]:
    """``draw(rng, n)``: n span-corrupted windows of randomly chosen functions (long enough to corrupt)."""
    pool = [ids for ids in function_ids if len(ids) >= 8]

    def draw(rng: random.Random, n: int) -> list[Example]:
        return [span_corrupt(pool[rng.randrange(len(pool))], tok, rng, max_source, max_target, ratio, mean_span) for _ in range(n)]

    return draw


def pretrain(model: Any, function_ids: list[list[int]], tok: Tok, cfg: Any, work: Any, progress: bool = True) -> Any:
    from .loop import run_phase

    pc, mc = cfg.pretrain, cfg.model
    draw = pretrain_drawer(function_ids, tok, mc.max_source, mc.max_target, pc.mask_ratio, pc.mean_span)
    return run_phase(
        "pretrain", model, draw, tok.pad, pc.steps, pc.batch_size, pc.lr, pc.warmup, work, cfg.seed, cfg.bf16,
        cfg.save_every, progress=progress, with_confidence=False,
    )
