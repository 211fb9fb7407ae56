"""CLI: ``vega-llvm generate --td X.td | --target X --model M``: every template function with confidences (JSONL)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer


class Decode(str, Enum):
    constrained = "constrained"
    free = "free"


class Strategy(str, Enum):
    adapt = "adapt"
    statements = "statements"


def register(app: typer.Typer) -> None:
    @app.command("generate")
    def generate_cmd(
        model: Path = typer.Option(Path("checkpoints/default"), "--model", help="Checkpoint folder (default: the shipped checkpoints/default)."),
        td: Optional[Path] = typer.Option(None, "--td", help="A new target's top-level .td file (described with llvm-tblgen first)."),
        target: Optional[str] = typer.Option(None, "--target", help="A backend of the fetched LLVM (folder name under lib/Target)."),
        out: Optional[Path] = typer.Option(None, "--out", help="result.jsonl to write (default: <cache>/generate/<target>-<model>/result.jsonl)."),
        features: Optional[Path] = typer.Option(None, "--features", help="Features folder with infer rows for the target (default: the model's)."),
        corpus: Optional[Path] = typer.Option(None, "--corpus", help="Corpus for the ground truth (default: <cache>/corpus)."),
        batch_size: int = typer.Option(128, "--batch-size", help="Rows per forward pass."),
        threshold: float = typer.Option(0.5, "--threshold", help="Confidence below which a statement is dropped."),
        decode: Decode = typer.Option(Decode.constrained, "--decode", help="constrained (candidate values of the target) or free."),
        limit: int = typer.Option(0, "--limit", help="Only the first N templates (0 = all)."),
        threads: int = typer.Option(1, "--threads", help="torch threads (1: see TrainConfig.threads; 0 = torch's default)."),
        strategy: Strategy = typer.Option(Strategy.adapt, "--strategy", help="adapt: the training members' code chosen per function and translated; statements: each statement kept on its own confidence."),
        candidates: int = typer.Option(3, "--candidates", help="Ranked alternatives per function written to result.jsonl."),
        single_donors: int = typer.Option(3, "--single-donors", help="Also write functions only one training target has, when it is among the N most similar (0: only templates of two or more)."),
        weighting: str = typer.Option("rank", "--weighting", help="How training targets count by description similarity: rank (1/(1+i)), rank2, halving (2^-i) or jaccard."),
        check_identifiers: bool = typer.Option(True, "--check-identifiers/--no-check-identifiers", help="Rank candidates that name identifiers declared nowhere the target can see after the others."),
        quiet: bool = typer.Option(False, "--quiet", help="No progress bars."),
    ) -> None:
        """Generate the target's function for every template, each statement with its confidence."""
        from .generate import generate

        res = generate(model, target, td, out, features, corpus, None, batch_size, threshold, decode.value, limit, not quiet, threads,
                       strategy.value, candidates, single_donors, weighting=weighting,
                       check_identifiers=check_identifiers)
        s = res.summary
        typer.echo(f"{s['target']}: {s['functions']} functions ({s['single_donor_functions']} from a single donor), {s['statements']} statements ({s['distinct_inputs']} distinct, {s['decoded']} decoded) in {s['seconds']:.0f} s -> {res.out}")
        for mod, a in s["with_ground_truth"].items():
            typer.echo(
                f"  {mod:<6} n={a['functions']:<5} exact {a['exact_match']}% stmt {a['stmt_accuracy']}%   "
                f"nearest-neighbour: exact {a['nn_exact_match']}% stmt {a['nn_stmt_accuracy']}%"
            )
        if s.get("note"):
            typer.secho(f"note: {s['note']}", fg=typer.colors.YELLOW)
