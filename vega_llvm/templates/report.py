"""Console report of a template build: groups by number of targets, round trip per target, coverage."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..corpus.modules import MODULES
from .build import TemplatesResult


def print_templates_report(res: TemplatesResult, console: Console, max_misses: int = 10) -> None:
    st, rt, meta = res.stats, res.roundtrip, res.meta
    g = Table(title=f"{st['groups']} groups by number of targets ({st['groups_2plus_targets']} with 2+)")
    g.add_column("targets", justify="right")
    g.add_column("groups", justify="right")
    g.add_column("functions", justify="right")
    for k, v in st["groups_by_number_of_targets"].items():
        g.add_row(k, str(v), str(st["functions_by_group_targets"][k]))
    console.print(g)

    r = Table(title="round trip (members of groups with 2+ targets): instantiate with own values == own function")
    for col in ("target", "checked", "reproduced", "%", "misses"):
        r.add_column(col, justify="right" if col != "target" else "left")
    for t, row in rt["per_target"].items():
        r.add_row(t, str(row["checked"]), str(row["reproduced"]), f"{row['percent']}", str(len(row["misses"])))
    o = rt["overall"]
    r.add_row("all", str(o["checked"]), str(o["reproduced"]), f"{o['percent']}", str(o["checked"] - o["reproduced"]))
    console.print(r)
    for t, row in rt["per_target"].items():
        for miss in row["misses"][:max_misses]:
            console.print(f"  miss {t}: {miss['function']} (template {miss['template']}, member {miss['member']})")

    c = Table(title="coverage: share of a target's functions in a group other targets implement (leave-one-out)")
    for col in ("target", "functions", "covered", "%", "% by 2+ others"):
        c.add_column(col, justify="right" if col != "target" else "left")
    for t, row in st["leave_one_out_coverage"].items():
        c.add_row(t, str(row["functions"]), str(row["covered"]), str(row["percent"]), str(row["percent_2plus"]))
    console.print(c)
    if "holdout_coverage" in st:
        h = st["holdout_coverage"]
        console.print(
            f"holdout {st['holdout']}: {h['covered']}/{h['functions']} functions ({h['percent']}%) fall in a group of "
            f"the other targets ({h['percent_2plus']}% in one of 2+ targets); per module: "
            + ", ".join(f"{m} {h['per_module'][m]['covered']}/{h['per_module'][m]['functions']}" for m in MODULES)
        )
    failed = st.get("failed_groups", [])
    if failed:
        console.print(f"{len(failed)} groups failed to align: " + "; ".join(f"{f['id']} {f['qname']}: {f['error']}" for f in failed[:5]))
    how = "reused (up to date)" if res.reused else f"built in {meta['seconds']}s"
    console.print(f"{meta['templates']} templates {how} -> {res.out}")
