"""Training examples: span-corrupted backend C++ for pre-training, feature vectors for fine-tuning.

Why the model writes slot values rather than statements: the template already holds every token of a statement
except its placeholders, so the decoder only has to produce the target-specific values (``<T> :: fixup_<T>_hi20``),
one after another separated by ``<sep>``. That is a few tokens instead of a whole statement, which is what makes a
model that trains and generates on two CPU cores affordable, and the statement is rebuilt exactly from the template.
Statements without placeholders need no decoding at all: only the confidence (does the target have it).

Every example is framed the same way for training and inference: source ``<s> input </s>`` truncated to
``max_source``; target ``v0 <sep> v1 <sep> ... </s>`` truncated to ``max_target``.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import torch

from ..errors import ConfigError
from .tokenizer import Tok


@dataclass
class Example:
    source: list[int]
    target: list[int]  # empty: nothing to decode (absent statement or no placeholder)
    present: float


def frame_source(ids: list[int], tok: Tok, max_source: int) -> list[int]:
    return [tok.bos] + ids[: max_source - 2] + [tok.eos]


def frame_target(value_ids: list[list[int]], tok: Tok, max_target: int) -> list[int]:
    out: list[int] = []
    for i, v in enumerate(value_ids):
        if i:
            out.append(tok.sep)
        out.extend(v)
    return out[: max_target - 1] + [tok.eos]


def collate(examples: list[Example], pad: int, with_target: bool = True) -> dict[str, torch.Tensor]:
    """Pad to the longest row of the batch (not to the maximum): most feature vectors are short."""
    s = max(len(e.source) for e in examples)
    src = torch.full((len(examples), s), pad, dtype=torch.long)
    mask = torch.zeros((len(examples), s), dtype=torch.long)
    for i, e in enumerate(examples):
        src[i, : len(e.source)] = torch.tensor(e.source)
        mask[i, : len(e.source)] = 1
    batch = {"source_ids": src, "source_mask": mask, "present": torch.tensor([e.present for e in examples])}
    if with_target:
        t = max(len(e.target) for e in examples)
        if t:
            tgt = torch.full((len(examples), t), pad, dtype=torch.long)
            for i, e in enumerate(examples):
                if e.target:
                    tgt[i, : len(e.target)] = torch.tensor(e.target)
            batch["target_ids"] = tgt
    return batch


# -- fine-tuning ------------------------------------------------------------------------------------------------
def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    yield json.loads(line)
    except FileNotFoundError:
        raise ConfigError(f"{path}: missing; build the feature vectors with `vega-llvm features`") from None
    except ValueError as exc:
        raise ConfigError(f"{path}:{n}: not JSON ({exc})") from None


def member_values(templates: list[Any]) -> dict[tuple[str, str], dict[str, str]]:
    """(template id, member) -> its placeholder values: the decoder's training targets."""
    return {(t.id, m.member): m.values for t in templates for m in t.members}


def finetune_examples(
    rows: Iterator[dict[str, Any]],
    values: dict[tuple[str, str], dict[str, str]],
    tok: Tok,
    max_source: int,
    max_target: int,
    train_targets: set[str],
    min_targets: int = 1,
    template_targets: dict[str, int] | None = None,
    max_rows: int = 0,
    seed: int = 0,
) -> list[Example]:
    """Deduplicated fine-tuning examples from ``train.jsonl``; rows of any other target are refused (no leak)."""
    seen: set[tuple[str, bool, tuple[str, ...]]] = set()
    pending: list[tuple[str, list[str], bool]] = []
    for r in rows:
        if r.get("split") != "train":
            continue
        if r["target"] not in train_targets:
            raise ConfigError(f"training row of {r['target']}, which is not a training target of this run")
        if template_targets is not None and template_targets.get(r["template"], 0) < min_targets:
            continue
        present = bool(r["present"])
        vals: list[str] = []
        if present and r["slots"]:
            mv = values.get((r["template"], r["member"]), {})
            vals = [mv.get(s["name"], "") for s in r["slots"]]
        key = (r["input"], present, tuple(vals))
        if key in seen:
            continue
        seen.add(key)
        pending.append((r["input"], vals, present))
    if max_rows and len(pending) > max_rows:
        pending = random.Random(seed).sample(pending, max_rows)
    src_ids = tok.encode_batch([p[0] for p in pending])
    flat = sorted({v for p in pending for v in p[1]})
    enc = dict(zip(flat, tok.encode_batch(flat)))
    out = []
    for (inp, vals, present), ids in zip(pending, src_ids):
        target = frame_target([enc[v] for v in vals], tok, max_target) if vals else []
        out.append(Example(frame_source(ids, tok, max_source), target, 1.0 if present else 0.0))
    return out


# -- pre-training -----------------------------------------------------------------------------------------------
def span_corrupt(ids: list[int], tok: Tok, rng: random.Random, max_source: int, max_target: int, ratio: float, mean_span: float) -> Example:
    """A window of a function with spans replaced by ``<mask>``; the target lists the spans, ``<sep>``-separated.

    The same seq2seq layout as fine-tuning, so pre-training exercises both the prefix (encoder) and the causal
    (decoder) use of the shared weights."""
    n = max_source - 2
    if len(ids) > n:
        start = rng.randrange(len(ids) - n + 1)
        ids = ids[start : start + n]
    budget = max(1, min(int(len(ids) * ratio), max_target - 1 - 3))
    spans: list[tuple[int, int]] = []
    used = 0
    tries = 0
    while used < budget and tries < 50:
        tries += 1
        ln = max(1, min(int(rng.expovariate(1.0 / mean_span)) + 1, budget - used))
        if len(ids) <= ln:
            break
        s = rng.randrange(len(ids) - ln)
        if any(s < e + 1 and s + ln + 1 > b for b, e in spans):
            continue
        spans.append((s, s + ln))
        used += ln + 1
    spans.sort()
    src: list[int] = []
    tgt: list[list[int]] = []
    pos = 0
    for s, e in spans:
        src.extend(ids[pos:s])
        src.append(tok.mask)
        tgt.append(ids[s:e])
        pos = e
    src.extend(ids[pos:])
    return Example(frame_source(src, tok, max_source), frame_target(tgt, tok, max_target), 1.0)
