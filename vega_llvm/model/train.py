"""``vega-llvm train`` end to end: tokenizer -> pre-training -> fine-tuning -> checkpoint with metadata.

Inputs are a features folder (``vega-llvm features``: ``train.jsonl`` + ``manifest.json``, which names the
templates and the training / held-out targets) and the corpus. The training targets are the manifest's; the corpus
is filtered to them before anything is tokenised, so a held-out target reaches neither the tokenizer, nor the
pre-training, nor the fine-tuning. Every intermediate lives in ``work`` (``tokenizer/``, ``pretrain/state.pt``,
``finetune/state.pt``), so rerunning the same command resumes from the last saved step.
"""

from __future__ import annotations

import json
import os
import shutil
import shlex
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import LLVM_VERSION, __version__
from ..errors import CheckpointError, ConfigError
from .config import TrainConfig


@dataclass
class TrainResult:
    out: Path
    meta: dict[str, Any]


def _templates_command(path: Path, train_targets: set[str], held_out: list[str]) -> str:
    """How to rebuild the templates on another machine: every training target, the first held-out one as holdout."""
    args = ["vega-llvm", "templates", "--holdout", held_out[0]] if held_out else ["vega-llvm", "templates"]
    for t in sorted(train_targets):
        args += ["--target", t]
    return shlex.join([*args, "--out", str(Path("<cache>") / Path(path).name)])


def _corpus_sha(corpus: Path) -> str | None:
    meta = Path(corpus) / "meta.json"
    return json.loads(meta.read_text()).get("functions_sha256") if meta.is_file() else None


def read_manifest(features: Path) -> dict[str, Any]:
    f = Path(features) / "manifest.json"
    if not f.is_file():
        raise ConfigError(f"{f}: missing; build the feature vectors first (`vega-llvm features --holdout X`)")
    return json.loads(f.read_text())


def _read_json(path: Path) -> Any:
    """A work-folder record, or None when it is absent or unreadable: records are staged and renamed into place
    (``_write_json``), so an unreadable one is a leftover of older code and is written afresh."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _write_json(path: Path, data: Any) -> None:
    """Staged and renamed into place: a kill leaves the old file or the new one, never half of one (a cut-short
    ``config.json`` ended every rerun in a JSONDecodeError traceback)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def _save_tokenizer(tok: Any, tok_dir: Path) -> None:
    """Written into a folder beside ``tok_dir`` and renamed into place: a kill while the tokenizer files are written
    left a cut-short ``tokenizer.json`` that every rerun refused until the folder was deleted by hand."""
    staging = tok_dir.with_name(f".{tok_dir.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    tok.save(staging)
    shutil.rmtree(tok_dir, ignore_errors=True)
    os.replace(staging, tok_dir)


def run_train(
    cfg: TrainConfig,
    features: Path,
    corpus: Path,
    out: Path,
    work: Path,
    progress: bool = True,
    command: str | None = None,
) -> TrainResult:
    import torch

    from ..corpus.records import load_corpus
    from ..provenance import code_digest, file_digest
    from ..templates import load_templates
    from .checkpoint import _quiet_transformers, save_checkpoint
    from .data import finetune_examples, member_values, read_rows
    from .finetune import finetune
    from .loop import seed_everything
    from .modeling import from_roberta, new_model
    from .pretrain import pretrain
    from .tokenizer import Tok, train_bpe, training_texts

    _quiet_transformers()
    t0 = time.perf_counter()
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed)
    manifest = read_manifest(features)
    train_targets = set(manifest["train_targets"])
    held_out = sorted(manifest["infer_targets"])
    if train_targets & set(held_out):
        raise ConfigError(f"{features}: targets {sorted(train_targets & set(held_out))} are both training and held out")
    work.mkdir(parents=True, exist_ok=True)
    cfg_file = work / "config.json"
    if _read_json(cfg_file) not in (None, cfg.to_dict()):
        raise CheckpointError(f"{cfg_file}: this work folder was started with another configuration; use a new --work or delete it")
    _write_json(cfg_file, cfg.to_dict())
    # The work folder's tokenizer and states are only resumable over the same data.
    data_file = work / "inputs.json"
    data_key = {"train_sha256": manifest.get("train_sha256"), "corpus_sha256": _corpus_sha(corpus), "model_code": code_digest("model")}
    if _read_json(data_file) not in (None, data_key):
        raise CheckpointError(f"{data_file}: this work folder was started on other data or model code; use a new --work or delete it")
    _write_json(data_file, data_key)

    records = [r for r in load_corpus(corpus) if r.target in train_targets]  # held-out code stops here
    mc = cfg.model
    tok_dir = work / "tokenizer"
    if mc.init_from:
        tok = Tok.load(mc.init_from)
    elif (tok_dir / "tokenizer.json").is_file():
        tok = Tok.load(tok_dir)
    else:
        texts = list(training_texts(records, train_targets, cfg.tokenizer_functions))
        tok = Tok(train_bpe(texts, mc.vocab_size))
        _save_tokenizer(tok, tok_dir)
    torch.manual_seed(cfg.seed)
    if mc.init_from:
        model = from_roberta(mc.init_from, len(tok), mc, tok.mask)
    else:
        model = new_model(len(tok), mc, tok.pad, tok.bos, tok.eos, tok.mask)

    phases: dict[str, Any] = {}
    if cfg.pretrain.steps:
        texts = list(training_texts(records, train_targets, cfg.pretrain.max_functions))
        fids = tok.encode_batch(texts)
        phases["pretrain"] = pretrain(model, fids, tok, cfg, work / "pretrain", progress).__dict__
        phases["pretrain"]["functions"] = len(fids)

    templates_path = Path(manifest["templates"])
    templates = load_templates(templates_path)
    values = member_values(templates)
    tpl_targets = {t.id: len(t.targets) for t in templates}
    examples = finetune_examples(
        read_rows(Path(features) / "train.jsonl"), values, tok, mc.max_source, mc.max_target, train_targets,
        cfg.finetune.min_targets, tpl_targets, cfg.finetune.max_rows, cfg.seed,
    )
    if not examples:
        raise ConfigError(f"{features}/train.jsonl: no training rows left (min_targets={cfg.finetune.min_targets})")
    phases["finetune"] = finetune(model, examples, tok, cfg, work / "finetune", progress).__dict__
    phases["finetune"]["examples"] = len(examples)
    phases["finetune"]["slotted"] = sum(1 for e in examples if e.target)
    phases["finetune"]["absent"] = sum(1 for e in examples if e.present < 0.5)

    meta = {
        "tool_version": __version__,
        "llvm_version": LLVM_VERSION,
        "held_out": held_out,
        "train_targets": sorted(train_targets),
        "inputs": {
            # What generate checks before it reads anything (vega_llvm.features.inputs.checkpoint_features).
            "corpus_sha256": _corpus_sha(corpus),
            "templates_sha256": file_digest(templates_path / "templates.jsonl") if templates_path.is_dir() else file_digest(templates_path),
            "features": {k: manifest.get(k) for k in ("provenance", "train_sha256", "infer_sha256")},
            "model_code": code_digest("model"),
        },
        "features": {"path": str(Path(features).resolve()), "manifest": manifest},
        "templates": {"path": str(templates_path), "sha256": manifest.get("templates_sha256"), "rebuild": _templates_command(templates_path, train_targets, held_out)},
        "corpus": {"path": str(Path(corpus).resolve()), "functions_used": len(records)},
        "config": cfg.to_dict(),
        "phases": phases,
        "parameters": sum(p.numel() for p in model.parameters()),
        "command": command or shlex.join(["vega-llvm", *sys.argv[1:]]),
        "seconds": round(time.perf_counter() - t0, 1),
        "torch": torch.__version__,
    }
    save_checkpoint(out, model, tok, meta)
    return TrainResult(out, meta)
