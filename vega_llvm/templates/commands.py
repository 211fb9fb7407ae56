"""CLI: ``vega-llvm templates``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def default_templates_dir(holdout: Optional[str]) -> Path:
    from ..paths import cache_root

    return cache_root() / (f"templates-holdout-{holdout}" if holdout else "templates")


def register(app: typer.Typer) -> None:
    @app.command("templates")
    def templates_cmd(
        corpus: Optional[Path] = typer.Option(None, "--corpus", help="Corpus directory (default: $VEGA_LLVM_CACHE/corpus)."),
        out: Optional[Path] = typer.Option(None, "--out", help="Output directory (default: $VEGA_LLVM_CACHE/templates[-holdout-X])."),
        holdout: Optional[str] = typer.Option(None, "--holdout", help="Leave this target out of the templates; report its coverage."),
        target: Optional[list[str]] = typer.Option(None, "--target", help="Only these training targets (repeatable)."),
        jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes (default: all cores)."),
        force: bool = typer.Option(False, "--force", help="Rebuild even if the outputs are up to date."),
        quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
        misses: int = typer.Option(10, "--show-misses", help="Round-trip misses to list per target."),
    ) -> None:
        """Group functions by abstracted (file, qualified name), align each group with GumTree, emit templates."""
        from rich.console import Console

        from ..corpus.commands import default_corpus_dir
        from .build import build_templates
        from .report import print_templates_report

        res = build_templates(
            corpus or default_corpus_dir(), out or default_templates_dir(holdout), holdout, jobs, not quiet, force, target
        )
        print_templates_report(res, Console(), misses)
