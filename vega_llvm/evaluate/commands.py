"""CLI: ``vega-llvm eval``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_cmd(
        holdout: str = typer.Option(..., "--holdout", help="The held-out target to score (e.g. XCore, RISCV)."),
        results: Optional[Path] = typer.Option(None, "--results", help="Generated functions (generate's JSONL)."),
        model: Optional[Path] = typer.Option(None, "--model", help="Generate the held-out target with this checkpoint."),
        donor: str = typer.Option("Mips", "--forkflow-donor", help="ForkFlow's donor target (VEGA: Mips)."),
        out: Optional[Path] = typer.Option(None, "--out", help="Output directory (default: runs/eval-<X>)."),
        no_pass1: bool = typer.Option(False, "--no-pass1", help="Only exact match and statement accuracy (no builds)."),
        batch_size: int = typer.Option(16, "--batch-size", help="Swaps per group-testing probe (functions that fall back to rebuild-per-probe swaps)."),
        timeout: float = typer.Option(60, "--timeout", help="Seconds allowed per lit test."),
        limit: Optional[int] = typer.Option(None, "--limit", help="Only the first N covered functions (smoke runs)."),
        compiler_answer: bool = typer.Option(False, "--compiler-answer", help="Also judge generate's later candidates and report, apart, pass@1 of the first candidate that compiles (slower)."),
    ) -> None:
        """Score a held-out target: function pass@1 with LLVM's lit tests, exact match, statement accuracy, beside the ForkFlow and nearest-neighbour baselines."""
        from .run import run_eval

        if results is not None and not results.is_file():
            from ..errors import ConfigError

            raise ConfigError(f"--results {results}: no such file")
        res = run_eval(
            holdout, results=results, model=model, donor=donor, out_dir=out, pass_at_1=not no_pass1, batch_size=batch_size,
            test_timeout=timeout, limit=limit, compiler_answer=compiler_answer, command="vega-llvm " + " ".join(sys.argv[1:]),
            log=lambda m: typer.echo(m, err=True),
        )
        from .run import markdown

        typer.echo(markdown(res["summary"], res["meta"]))
        meta = res["meta"]
        typer.echo(f"{meta['covered']} functions of {meta['functions']} scored in {meta['seconds']:.0f} s; results in "
                   f"{meta['out']}/ (summary.md, summary.json, result.jsonl, report.html)")
