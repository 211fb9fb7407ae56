"""CLI: ``vega-llvm build``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


TARGET_DIR_HELP = "The lib/Target/<X> directory to build."
TARGET_HELP = "Or: the name of a backend of the fetched llvm-project (e.g. XCore)."


def build_with_progress(target_dir: Path, build_dir: Optional[Path], jobs: Optional[int]):
    """Build with a progress bar driven by Ninja's ``[n/m]`` lines."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .cmake import build

    with Progress(TextColumn("[bold]build"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task("build", total=None)
        return build(target_dir, build_dir, jobs=jobs, progress=lambda n, m: bar.update(task, completed=n, total=m))


def register(app: typer.Typer) -> None:
    @app.command("build")
    def build_cmd(
        target_dir: Optional[Path] = typer.Option(None, "--target-dir", help=TARGET_DIR_HELP),
        target: Optional[str] = typer.Option(None, "--target", help=TARGET_HELP),
        build_dir: Optional[Path] = typer.Option(None, "--build-dir", help="Build directory (default: in the cache)."),
        jobs: Optional[int] = typer.Option(None, "-j", "--jobs", help="Parallel compile jobs (default: Ninja's)."),
    ) -> None:
        """Build a target directory out of tree against LLVM 16, with our own llc and llvm-mc."""
        from .target_dir import from_options

        res = build_with_progress(from_options(target_dir, target).path, build_dir, jobs)
        typer.echo(f"built {res.target} in {res.seconds:.1f} s: {res.llc}, {res.llvm_mc} ({len(res.libraries)} libraries)")
