"""CLI: ``vega-llvm describe --td X.td [--fixups H] [--relocs DEF] [--header H] [--no-declarations] [--out F]`` and ``vega-llvm describe --all``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("describe")
    def describe_cmd(
        td: Optional[Path] = typer.Option(None, "--td", help="The target's top-level .td file (the one defining its Target record)."),
        fixups: Optional[Path] = typer.Option(None, "--fixups", help="<X>FixupKinds.h (default: looked for beside the .td and in the LLVM tree)."),
        relocs: Optional[Path] = typer.Option(None, "--relocs", help="ELFRelocs/<X>.def (default: looked for in the LLVM tree and installed headers)."),
        header: Optional[list[Path]] = typer.Option(None, "--header", help="A header of the target whose declarations are description (repeatable; default: every *.h beside the .td and one folder below)."),
        declarations: bool = typer.Option(True, "--declarations/--no-declarations", help="Read the declarations (never bodies) of the target's headers; off gives the .td-only description."),
        out: Optional[Path] = typer.Option(None, "--out", help="Output file (default: <cache>/describe/<Target>.json); with --all, a folder."),
        all_targets: bool = typer.Option(False, "--all", help="Describe every backend in the LLVM tree and write a summary."),
        no_cache: bool = typer.Option(False, "--no-cache", help="Rerun llvm-tblgen even when the inputs are unchanged."),
        timeout: float = typer.Option(900, help="Seconds allowed for one llvm-tblgen run."),
    ) -> None:
        """Turn a target description into its property table (booleans and values) with the real llvm-tblgen."""
        from ..errors import ConfigError
        from .describe import describe, describe_all, describe_dir
        from .properties import write_json_atomic

        if all_targets:
            if td is not None:
                raise ConfigError("give either --td or --all, not both")
            outcomes = describe_all(out_dir=out, use_cache=not no_cache, timeout=timeout)
            summary = out / "summary.json" if out else describe_dir() / "summary.json"
            write_json_atomic(summary, [o.__dict__ for o in outcomes], indent=1)
            for o in outcomes:
                status = f"ok  tblgen {o.tblgen_seconds:>6.2f} s  total {o.seconds:>6.2f} s" if o.ok else f"FAIL {o.reason}"
                typer.echo(f"{(o.target or Path(o.td).stem):<12} {status}")
            bad = [o for o in outcomes if not o.ok]
            typer.echo(f"{len(outcomes) - len(bad)}/{len(outcomes)} described; summary: {summary}")
            if bad:
                raise typer.Exit(1)
            return
        if td is None:
            raise ConfigError("--td is required (or --all)")
        table, dest = describe(td, fixups=fixups, relocs=relocs, out=out, use_cache=not no_cache, timeout=timeout,
                               headers=header, declarations=declarations)
        decl = table.meta.get("declarations", {})
        counts = {k: len(v) for k, v in table.values.items() if v}
        typer.echo(
            f"{table.target} (namespace {table.namespace}): "
            + ", ".join(f"{k} {n}" for k, n in counts.items() if k in _SHOWN)
            + (f"; declarations {decl.get('count', 0)} from {len(decl.get('headers', []))} headers"
               if decl.get("used") else "; declarations not read")
            + (f"; absent: {', '.join(table.absent)}" if table.absent else "")
            + f"; tblgen {table.meta.get('tblgen_seconds')} s ({table.meta.get('cache')}) -> {dest}"
        )


_SHOWN = ("register", "register_class", "instruction", "operand", "calling_conv", "feature", "processor", "fixup", "relocation")
