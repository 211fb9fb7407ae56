"""Fine-tuning on the feature vectors: confidence (does the target have the statement) and the slot values.

A quarter of each batch are slot-bearing statements (values to decode), the rest are drawn uniformly from all rows:
the decoder sees enough values in a short CPU run while the confidence still learns the real share of absent
statements (oversampling them would shift every confidence down).
"""

from __future__ import annotations

import random
from typing import Any, Callable

from .data import Example
from .tokenizer import Tok


def finetune_drawer(examples: list[Example]) -> Callable[[random.Random, int], list[Example]]:
    slotted = [e for e in examples if e.target]

    def draw(rng: random.Random, n: int) -> list[Example]:
        out = []
        for i in range(n):
            if i % 4 == 0 and slotted:
                out.append(slotted[rng.randrange(len(slotted))])
            else:
                out.append(examples[rng.randrange(len(examples))])
        return out

    return draw


def finetune(model: Any, examples: list[Example], tok: Tok, cfg: Any, work: Any, progress: bool = True) -> Any:
    from .loop import run_phase

    fc = cfg.finetune
    model.config.w_mse = fc.w_mse
    model.config.w_ce = fc.w_ce
    return run_phase(
        "finetune", model, finetune_drawer(examples), tok.pad, fc.steps, fc.batch_size, fc.lr, fc.warmup, work,
        cfg.seed, cfg.bf16, cfg.save_every, progress=progress, with_confidence=True,
    )
