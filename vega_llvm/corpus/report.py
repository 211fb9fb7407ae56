"""Console report of a corpus build: counts, functions per target and module, spellings, files with problems, and
records whose body is not exactly their function's (``check.overlapping``; 0 expected)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .build import CorpusResult
from .check import overlapping
from .modules import MODULES


def print_corpus_report(res: CorpusResult, console: Console, max_problems: int = 15) -> None:
    table = Table(title=f"functions per target and VEGA module ({len(res.records)} functions)")
    table.add_column("target")
    table.add_column("spellings")
    for m in (*MODULES, "total"):
        table.add_column(m, justify="right")
    per = res.stats["functions_per_target_module"]
    for t, row in per.items():
        table.add_row(t, " ".join(res.names[t].spellings), *(str(row[m]) for m in (*MODULES, "total")))
    tot = res.stats["totals"]
    table.add_row("all", "", *(str(tot[m]) for m in (*MODULES, "total")))
    console.print(table)
    skipped = [p for p in res.problems if p["skipped"]]
    errs = [p for p in res.problems if not p["skipped"]]
    console.print(
        f"{res.parsed} files parsed, {res.cached} from cache, {len(skipped)} skipped as unparsable, "
        f"{len(errs)} with local parse errors ({sum(r.has_error for r in res.records)} functions flagged has_error) "
        f"in {res.seconds:.1f}s -> {res.out}"
    )
    for p in skipped[:max_problems]:
        console.print(f"  skipped {p['file']}: {p['skipped']}")
    bad = overlapping(res.records)
    console.print(f"{len(bad)} overlapping records (bodies that run past their function or stop before its end)")
    for o in bad[:max_problems]:
        console.print(f"  {o.id}: {o.reason}")
