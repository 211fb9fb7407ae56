"""CLI: ``vega-llvm features`` (feature vectors) and ``vega-llvm value-recall`` (what the descriptions supply)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def _default_templates() -> Path:
    from ..paths import cache_root

    return cache_root() / "templates"


def _describe_dir() -> Path:
    from ..describe.describe import describe_dir

    return describe_dir()


def register(app: typer.Typer) -> None:
    @app.command("features")
    def features_cmd(
        templates: Optional[Path] = typer.Option(None, "--templates", help="templates.jsonl or its folder (default: <cache>/templates)."),
        holdout: list[str] = typer.Option([], "--holdout", help="Target folder(s) to leave out of training and write inference rows for."),
        table: list[Path] = typer.Option([], "--table", help="Property table of a new target (from `vega-llvm describe`); inference rows."),
        describe_dir: Optional[Path] = typer.Option(None, "--describe-dir", help="Where the property tables are (default: <cache>/describe)."),
        out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default: <cache>/features/<holdouts>)."),
        max_values: int = typer.Option(8, help="Candidate values per placeholder in a feature vector."),
        min_targets: int = typer.Option(2, help="Only templates implemented by at least this many training targets."),
    ) -> None:
        """Feature vectors (template statement + property values) for every statement and target, as JSONL."""
        from ..paths import cache_root
        from .build import build_features

        name = "-".join(sorted(holdout)) or "all"
        dest = out or cache_root() / "features" / name
        res = build_features(templates or _default_templates(), dest, describe_dir or _describe_dir(), list(holdout), list(table), max_values, min_targets)
        typer.echo(
            f"train {res.train_rows} rows ({len(res.train_targets)} targets), infer {res.infer_rows} rows "
            f"({', '.join(res.infer_targets) or 'none'}) in {res.seconds:.0f} s -> {res.out}"
        )

    @app.command("value-recall")
    def recall_cmd(
        target: list[str] = typer.Option(..., "--target", help="Target folder(s) to measure (members of the templates)."),
        templates: Optional[Path] = typer.Option(None, "--templates", help="templates.jsonl built without --holdout."),
        describe_dir: Optional[Path] = typer.Option(None, "--describe-dir", help="Where the property tables are."),
        out: Optional[Path] = typer.Option(None, "--out", help="Write the per-target results as JSON here."),
        corpus: Optional[Path] = typer.Option(None, "--corpus", help="functions.jsonl the templates came from (default: from their meta.json)."),
    ) -> None:
        """Share of the target-specific values in a target's real functions that its description holds."""
        from ..describe.properties import write_json_atomic
        from .build import measure_recall

        res = measure_recall(templates or _default_templates(), describe_dir or _describe_dir(), list(target), corpus)
        rows = [res[t].to_json() for t in target if t in res]
        for r in rows:
            typer.echo(
                f"{r['target']:<10} recall {r['recall']:.1%} ({r['hits']}/{r['tokens'] - r['local_name_tokens']}; "
                f"{r['local_name_tokens']} local names left out; all tokens {r['recall_all']:.1%}; .td only, no declarations "
                f"{r['recall_td_only']:.1%}), non-numeric {r['recall_non_numeric']:.1%}, in description-sourced placeholders "
                f"{r['recall_sourced']:.1%} ({r['sourced_hits']}/{r['sourced_tokens']})"
            )
            for kind, n in list(r["misses_by_kind"].items())[:16]:
                typer.echo(f"    miss {kind:<28} {n:>6}  e.g. {', '.join(r['miss_examples'].get(kind, [])[:5])}")
        if out:
            write_json_atomic(out, rows, indent=1)
