"""Checkpoints in Hugging Face ``save_pretrained`` layout, plus our tokenizer and a metadata file.

A checkpoint folder holds ``config.json`` + ``model.safetensors`` (``VegaModel.save_pretrained``), the tokenizer
(``tokenizer.json``, ``tokenizer_config.json``) and ``vega_meta.json``: what it was trained on (features manifest,
templates hash, training and held-out targets), the LLVM version, the resolved ``TrainConfig`` and the exact command.
Loading checks each piece and raises ``CheckpointError`` naming the file at fault, never a stack trace from
safetensors or a silently half-initialised model.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import CheckpointError

META = "vega_meta.json"
FORMAT = "vega-llvm-model/1"
WEIGHTS = "model.safetensors"


def _quiet_transformers() -> None:
    from transformers.utils import logging

    logging.disable_progress_bar()
    logging.set_verbosity_error()


def save_checkpoint(path: Path, model: Any, tok: Any, meta: dict[str, Any]) -> Path:
    """Write model, tokenizer and metadata; the metadata goes last so a folder with it is complete."""
    _quiet_transformers()
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    (path / META).unlink(missing_ok=True)
    model.save_pretrained(str(path), safe_serialization=True)
    tok.save(path)
    meta = {"format": FORMAT, "saved": time.strftime("%Y-%m-%dT%H:%M:%S"), **meta}
    tmp = path / f".{META}.tmp"
    tmp.write_text(json.dumps(meta, indent=1, sort_keys=True, default=str))
    os.replace(tmp, path / META)
    return path


def read_meta(path: Path) -> dict[str, Any]:
    f = Path(path) / META
    if not Path(path).is_dir():
        raise CheckpointError(f"{path}: no such checkpoint folder (train one with `vega-llvm train`)")
    if not f.is_file():
        raise CheckpointError(f"{f}: missing; {path} is not a complete vega-llvm checkpoint")
    try:
        meta = json.loads(f.read_text())
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{f}: unreadable metadata ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{f}: not a {FORMAT} metadata file")
    # The format only says the files can be read; what the weights mean (feature layout, tokenizer, generation) is
    # the tool's. A checkpoint of another vega-llvm would be read without error and generate quietly wrong code.
    made_by = meta.get("tool_version")
    if made_by != __version__:
        raise CheckpointError(
            f"{f}: made by vega-llvm {made_by or '(unknown version)'}, this is {__version__}; "
            f"train one with this version (`vega-llvm train`)"
        )
    return meta


def load_checkpoint(path: Path, device: str = "cpu") -> tuple[Any, Any, dict[str, Any]]:
    """(model in eval mode, ``Tok``, metadata); every inconsistency is a ``CheckpointError`` naming the file."""
    import torch
    from safetensors.torch import load_file

    from .modeling import VegaConfig, VegaModel
    from .tokenizer import Tok

    _quiet_transformers()
    path = Path(path)
    meta = read_meta(path)
    cfg_file = path / "config.json"
    try:
        cfg = VegaConfig.from_json_file(str(cfg_file))
    except (OSError, ValueError, TypeError) as exc:
        raise CheckpointError(f"{cfg_file}: unreadable model configuration ({str(exc).splitlines()[0]})") from None
    weights = path / WEIGHTS
    if not weights.is_file():
        raise CheckpointError(f"{weights}: missing")
    try:
        state = load_file(str(weights))
    except Exception as exc:  # safetensors raises its own SafetensorError / OSError on truncated files
        raise CheckpointError(f"{weights}: corrupt weights ({str(exc).splitlines()[0]})") from None
    tok = Tok.load(path)
    if len(tok) != cfg.vocab_size:
        raise CheckpointError(f"{path / 'tokenizer.json'}: {len(tok)} tokens but {cfg_file} says vocab_size {cfg.vocab_size}")
    model = VegaModel(cfg)
    want = model.state_dict()
    missing = sorted(set(want) - set(state))
    extra = sorted(set(state) - set(want))
    if missing or extra:
        raise CheckpointError(f"{weights}: does not match {cfg_file} (missing {missing[:3]}, unexpected {extra[:3]})")
    bad = [k for k in want if tuple(want[k].shape) != tuple(state[k].shape)]
    if bad:
        k = bad[0]
        raise CheckpointError(
            f"{weights}: {k} has shape {tuple(state[k].shape)}, {cfg_file} needs {tuple(want[k].shape)}"
        )
    model.load_state_dict(state, strict=True)
    model.to(torch.device(device)).eval()
    return model, tok, meta
