"""CLI: ``vega-llvm templates``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def default_templates_dir(holdout: Optional[str]) -> Path:
    from ..paths import cache_root

    return cache_root() / (f"templates-holdout-{holdout}" if holdout else "templates")


def cache_root_templates(holdouts: Optional[list[str]]) -> Path:
    """``templates``, ``templates-holdout-X`` or, for several, ``templates-holdout-X-Y`` (sorted)."""
    if holdouts and len(holdouts) > 1:
        from ..paths import cache_root

        return cache_root() / ("templates-holdout-" + "-".join(sorted(holdouts)))
    return default_templates_dir(holdouts[0] if holdouts else None)


def register(app: typer.Typer) -> None:
    @app.command("templates")
    def templates_cmd(
        corpus: Optional[Path] = typer.Option(None, "--corpus", help="Corpus directory (default: $VEGA_LLVM_CACHE/corpus)."),
        out: Optional[Path] = typer.Option(None, "--out", help="Output directory (default: $VEGA_LLVM_CACHE/templates[-holdout-X])."),
        holdouts: Optional[list[str]] = typer.Option(None, "--holdout", help="Leave this target out of the templates (repeatable); coverage is reported for the first."),
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

        corpus_dir = corpus or default_corpus_dir()
        holdout = holdouts[0] if holdouts else None
        if holdouts and len(holdouts) > 1:
            # Further held-out targets are left out by restricting the training targets to everything else.
            import json

            names = corpus_dir / "targets.json"
            if not names.is_file():
                from ..errors import ConfigError

                raise ConfigError(f"{names}: missing; build the corpus first (`vega-llvm corpus`)")
            known = sorted(json.loads(names.read_text()))
            target = [t for t in (target or known) if t not in holdouts]
        default_out = cache_root_templates(holdouts)
        res = build_templates(corpus_dir, out or default_out, holdout, jobs, not quiet, force, target)
        print_templates_report(res, Console(), misses)
