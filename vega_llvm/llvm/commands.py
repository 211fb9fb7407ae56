"""CLI: ``vega-llvm llvm fetch|doctor`` (and ``patch``, added by ``vega_llvm.llvm_patch.commands``)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


# Module level so that other stages can add ``llvm`` subcommands (``vega_llvm.llvm_patch.commands`` adds ``patch``).
llvm_app = typer.Typer(
    help="The llvm-project 16.0.6 sources and the installed LLVM 16 toolchain.", no_args_is_help=True,
    rich_markup_mode=None,  # plain help, as the root app (cli.py)
)


def register(app: typer.Typer) -> None:
    @llvm_app.command("fetch")
    def fetch_cmd(
        llvm_src: Optional[Path] = typer.Option(None, "--llvm-src", help="Use this llvm-project checkout (linked, not copied)."),
        no_git: bool = typer.Option(False, "--no-git", help="Skip the git clone attempt."),
        timeout: float = typer.Option(1800, help="Seconds allowed for the download/extraction."),
    ) -> None:
        """Put llvm-project 16.0.6 into the cache ($VEGA_LLVM_CACHE): --llvm-src, else git, else Debian's source package."""
        from .fetch import fetch

        fetch(llvm_src, use_git=not no_git, timeout=timeout)

    @llvm_app.command("doctor")
    def doctor_cmd() -> None:
        """Check every tool the pipeline needs; print how to install what is missing."""
        from rich.console import Console
        from rich.table import Table

        from .doctor import run_checks

        checks = run_checks()
        table = Table(title="vega-llvm doctor")
        for col in ("check", "status", "detail", "fix"):
            table.add_column(col)
        for c in checks:
            status = "[green]ok" if c.ok else ("[red]MISSING" if c.required else "[yellow]optional")
            table.add_row(c.name, status, c.detail, "" if c.ok else c.fix)
        Console().print(table)
        bad = [c for c in checks if c.required and not c.ok]
        if bad:
            typer.echo(f"{len(bad)} required check(s) failed: " + "; ".join(f"{c.name}: {c.fix}" for c in bad), err=True)
            raise typer.Exit(1)

    app.add_typer(llvm_app, name="llvm")
