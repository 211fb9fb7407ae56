"""CLI: ``vega-llvm test``."""

from __future__ import annotations

import shutil
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from ..backend_build.commands import TARGET_HELP


class Suite(str, Enum):
    """``--suite``: the keys of ``runner.SUITES`` (not imported here, to keep ``--help`` light)."""

    codegen = "codegen"
    mc = "mc"
    disassembler = "disassembler"


def register(app: typer.Typer) -> None:
    @app.command("test")
    def test_cmd(
        target_dir: Optional[Path] = typer.Option(None, "--target-dir", help="The lib/Target/<X> directory under test."),
        target_name: Optional[str] = typer.Option(None, "--target", help=TARGET_HELP),
        build_dir: Optional[Path] = typer.Option(None, "--build-dir", help="Its build directory (default: in the cache)."),
        suite: Optional[List[Suite]] = typer.Option(
            None, "--suite", metavar="<" + "|".join(s.value for s in Suite) + ">", help="Only this suite (repeatable; default: all)."
        ),
        filter_regex: Optional[str] = typer.Option(None, "--filter", help="Only tests whose path matches this regex."),
        timeout: float = typer.Option(60, "--timeout", help="Seconds allowed per test."),
        reference: bool = typer.Option(False, "--reference", help="Run with the installed llc/llvm-mc instead of ours."),
        no_build: bool = typer.Option(False, "--no-build", help="Do not bring the build up to date first."),
        out: Optional[Path] = typer.Option(None, "--out", help="Also write the results JSON here."),
        jobs: Optional[int] = typer.Option(None, "-j", "--jobs", help="Parallel lit workers."),
    ) -> None:
        """Run LLVM's own lit tests of the target (CodeGen, MC, MC/Disassembler) against the built tools."""
        from ..backend_build.cmake import default_build_dir, load_result
        from ..backend_build.commands import build_with_progress
        from ..backend_build.target_dir import from_options
        from .runner import run_tests

        target = from_options(target_dir, target_name)
        llc = mc = None
        if not reference:
            if no_build:
                res = load_result(build_dir or default_build_dir(target))
            else:
                res = build_with_progress(target.path, build_dir, None)
            llc, mc = Path(res.llc), Path(res.llvm_mc)
        report = run_tests(
            target.name, llc=llc, llvm_mc=mc, suites=[s.value for s in suite] if suite else None, filter_regex=filter_regex,
            test_timeout=timeout, jobs=jobs,
        )
        if out:
            tmp = out.with_suffix(out.suffix + ".tmp")
            report.save(tmp)
            shutil.move(str(tmp), out)
        for name in report.failed[:20]:
            typer.echo(f"  {report.tests[name]}: {name}")
        typer.echo(report.summary_line())
        if report.failed:
            raise typer.Exit(1)
