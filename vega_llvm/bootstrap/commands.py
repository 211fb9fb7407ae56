"""CLI: ``vega-llvm bootstrap --td X.td --out DIR [--mode scratch|swap] [--model M | --results R] [--only F ...]``."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer


class Mode(str, Enum):
    """``--mode``: the values of ``pipeline.MODES`` (not imported here, to keep ``--help`` light)."""

    scratch = "scratch"
    swap = "swap"


def register(app: typer.Typer) -> None:
    @app.command("bootstrap")
    def bootstrap_cmd(
        td: Path = typer.Option(..., "--td", help="The target's top-level .td file."),
        out: Path = typer.Option(..., "--out", help="Output folder (target directory, build, tests, report)."),
        mode: Mode = typer.Option(Mode.scratch, "--mode", help="scratch: everything generated; swap: the real target with generated functions swapped in."),
        model: Optional[str] = typer.Option(None, "--model", help="Checkpoint to generate with (runs `generate`; default: the shipped checkpoints/default; `none`: no model, every function from the nearest training target)."),
        results: Optional[Path] = typer.Option(None, "--results", help="Or: a result.jsonl written by `vega-llvm generate`."),
        force: bool = typer.Option(False, "--force", help="Update an existing --out (only changed files are rewritten)."),
        only: Optional[List[str]] = typer.Option(None, "--only", metavar="<function>", help="Regenerate only these functions (repeatable); the rest stay as in the last run."),
        threshold: float = typer.Option(0.9, "--threshold", help="Statements below this confidence get a comment."),
        no_build: bool = typer.Option(False, "--no-build", help="Write the target directory only."),
        no_lit: bool = typer.Option(False, "--no-lit", help="Skip LLVM's lit tests."),
        no_smoke: bool = typer.Option(False, "--no-smoke", help="Skip the smoke suite."),
        timeout: float = typer.Option(
            30, "--timeout",
            help="Seconds per lit test: LLVM's own backends run each in about a second; a scratch backend's that "
                 "runs longer has most likely looped (the legalizer expanding two operations into each other)."),
        jobs: Optional[int] = typer.Option(None, "-j", "--jobs", help="Parallel compile jobs."),
        no_repair: bool = typer.Option(False, "--no-repair", help="Stop at the first failed build instead of replacing "
                                       "the functions compile errors point into (swap: the real body; scratch: a stub) and rebuilding."),
        test_rounds: int = typer.Option(2, "--test-rounds", min=0, help="After lit: rebuilds that give the functions the "
                                        "failing tests stop at their next candidate (or the nearest target's code); a round "
                                        "that makes more tests fail is undone. 0: none."),
    ) -> None:
        """Generate lib/Target/<X> from a .td, build it, run its lit tests and the smoke suite, write a report."""
        from .pipeline import BootstrapConfig, run, resolve_model

        say = lambda m: typer.echo(f"[bootstrap] {m}", err=True)  # noqa: E731
        cfg = BootstrapConfig(
            td=td, out=out, mode=mode.value, model=resolve_model(model, results, say), results=results, force=force, only=list(only or []),
            threshold=threshold, run_build=not no_build, run_lit=not no_lit, run_smoke=not no_smoke,
            test_timeout=timeout, jobs=jobs, repair=not no_repair, test_rounds=test_rounds,
        )
        report = run(cfg, log=say)
        from ..emit.report import BLAMED

        blamed = sorted((f for f in report.functions if f.status in BLAMED), key=lambda f: f.confidence)
        for f in blamed[:20]:
            now = "" if f.status == "error" else f" [{f.status}]"
            typer.echo(f"  compile error in {f.key} ({f.source}, confidence {f.confidence:.2f}){now}: {f.error[:140]}")
        if len(blamed) > 20:
            typer.echo(f"  ... {len(blamed) - 20} more in {report.out}/report.md")
        typer.echo(report.summary_line())
        typer.echo(f"report: {report.out}/report.md")
