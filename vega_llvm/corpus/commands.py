"""CLI: ``vega-llvm corpus``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def default_corpus_dir() -> Path:
    from ..paths import cache_root

    return cache_root() / "corpus"


def resolve_llvm_dir(llvm_src: Optional[Path]) -> Path:
    """``--llvm-src`` (an llvm-project root or its ``llvm/``), else the configured sources."""
    from ..errors import LLVMNotFoundError
    from ..paths import llvm_dir

    if llvm_src is None:
        return llvm_dir()  # type: ignore[return-value]
    for cand in (llvm_src / "llvm", llvm_src):
        if (cand / "lib" / "Target").is_dir():
            return cand.resolve()
    raise LLVMNotFoundError(f"{llvm_src} has no llvm/lib/Target: pass the llvm-project root")


def register(app: typer.Typer) -> None:
    @app.command("corpus")
    def corpus_cmd(
        out: Optional[Path] = typer.Option(None, "--out", help="Output directory (default: $VEGA_LLVM_CACHE/corpus)."),
        llvm_src: Optional[Path] = typer.Option(None, "--llvm-src", help="llvm-project checkout to read."),
        target: Optional[list[str]] = typer.Option(None, "--target", help="Only these backends (repeatable)."),
        jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Parser processes (default: all cores)."),
        quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
    ) -> None:
        """Parse every function of every LLVM backend into functions.jsonl (target, module, names, statement tree)."""
        from rich.console import Console

        from .build import build_corpus
        from .report import print_corpus_report

        res = build_corpus(resolve_llvm_dir(llvm_src), out or default_corpus_dir(), target, jobs, progress=not quiet)
        print_corpus_report(res, Console())
