"""CLI: ``vega-llvm train`` (tokenizer, pre-training, fine-tuning; resumable) and ``vega-llvm model-info``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train_cmd(
        features: Optional[Path] = typer.Option(None, "--features", help="Features folder (default: <cache>/features/<holdouts joined by ->)."),
        holdout: list[str] = typer.Option([], "--holdout", help="Held-out targets, to find the default features folder (e.g. --holdout RISCV --holdout XCore)."),
        corpus: Optional[Path] = typer.Option(None, "--corpus", help="Corpus folder (default: <cache>/corpus)."),
        out: Path = typer.Option(..., "--out", help="Checkpoint folder to write (save_pretrained layout + tokenizer + vega_meta.json)."),
        work: Optional[Path] = typer.Option(None, "--work", help="Resumable state (default: <out>.work); rerun the same command to resume."),
        preset: str = typer.Option("default", "--preset", help="Configuration preset: tiny, default, unixcoder."),
        set_: list[str] = typer.Option([], "--set", help="Override a setting, e.g. --set model.layers=4 --set finetune.steps=500."),
        init_from: Optional[str] = typer.Option(None, "--init-from", help="RoBERTa checkpoint to start from (Hub id or path), e.g. microsoft/unixcoder-base-nine."),
        seed: Optional[int] = typer.Option(None, "--seed", help="Random seed (default: the preset's, 0)."),
        quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
    ) -> None:
        """Train the model: our BPE tokenizer, denoising pre-training on backend C++, fine-tuning on feature vectors."""
        import shlex
        import sys

        from ..paths import cache_root
        from .config import apply_overrides, preset as get_preset
        from .train import run_train

        cfg = apply_overrides(get_preset(preset), list(set_))
        if init_from:
            cfg.model.init_from = init_from
        if seed is not None:
            cfg.seed = seed
        if features is None:
            # The default inputs are built (or checked fresh) here, exactly as generate rebuilds them later.
            from ..features.inputs import ensure_training_inputs

            inputs = ensure_training_inputs(list(holdout), log=lambda m: typer.echo(m, err=True))
            feats, corpus = inputs.features, corpus or inputs.corpus
        else:
            feats = features
        work_dir = work or out.with_name(out.name + ".work")
        res = run_train(
            cfg, feats, corpus or cache_root() / "corpus", out, work_dir, progress=not quiet,
            command=shlex.join(["vega-llvm", *sys.argv[1:]]),
        )
        ph = res.meta["phases"]
        for name, p in ph.items():
            typer.echo(
                f"{name}: {p['steps']} steps in {p['seconds']:.0f} s ({p['examples_per_second']:.1f} examples/s), "
                f"loss {p['first_loss']:.3f} -> {p['last_loss']:.3f}" + (f", resumed at {p['resumed_from']}" if p["resumed_from"] else "")
            )
        typer.echo(f"{res.meta['parameters'] / 1e6:.2f}M parameters, held out {', '.join(res.meta['held_out'])}, {res.meta['seconds']:.0f} s -> {res.out}")

    @app.command("model-info")
    def info_cmd(model: Path = typer.Argument(..., help="Checkpoint folder.")) -> None:
        """Print a checkpoint's metadata after checking that it loads."""
        import json

        from .checkpoint import load_checkpoint

        m, tok, meta = load_checkpoint(model)
        typer.echo(json.dumps({k: meta[k] for k in ("command", "held_out", "llvm_version", "parameters", "phases") if k in meta}, indent=1))
