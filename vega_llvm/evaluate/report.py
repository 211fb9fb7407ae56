"""The evaluation report: a single HTML file (a contents table of every function with each system's outcome and a
filter; per function, folded, each system's code with statements coloured by confidence and the real function once)
and two matplotlib plots (accuracy by module, accuracy against confidence)."""

from __future__ import annotations

import base64
import io
from collections import defaultdict
from pathlib import Path
from typing import Any

import jinja2

from ..atomic import staged_text
from ..corpus.records import atomic_write_text

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIR = REPO_ROOT / "templates" / "report"
MODULE_ORDER = ["SEL", "REG", "OPT", "SCH", "EMI", "ASS", "DIS", "other"]


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return buf.getvalue()


def plots(summary: dict[str, Any]) -> dict[str, bytes]:
    """PNG bytes of ``accuracy_by_module`` and ``accuracy_by_confidence``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out: dict[str, bytes] = {}
    systems = list(summary)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    width = 0.8 / max(1, len(systems))
    for i, system in enumerate(systems):
        mods = summary[system]["modules"]
        vals = [100 * (mods.get(m, {}).get("pass@1") or 0) for m in MODULE_ORDER]
        ax.bar([x + i * width for x in range(len(MODULE_ORDER))], vals, width, label=system)
    ax.set_xticks([x + width * (len(systems) - 1) / 2 for x in range(len(MODULE_ORDER))], MODULE_ORDER)
    ax.set_ylabel("pass@1 over tested functions (%)")
    ax.set_ylim(0, 100)
    ax.legend()
    ax.set_title("Function-level pass@1 by VEGA module")
    out["accuracy_by_module"] = _png(fig)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 3.2))
    scored = [s for s in systems if summary[s].get("confidence")]
    any_bucket = bool(scored)
    width = 0.8 / max(1, len(scored))
    for i, system in enumerate(scored):
        buckets = summary[system]["confidence"]
        names = list(buckets)
        ax.bar([x + i * width for x in range(len(names))], [100 * (buckets[n].get("pass@1") or 0) for n in names],
               width, label=system)
        ax.set_xticks(range(len(names)), [f"{n}\n(n={buckets[n]['tested']})" for n in names])
    if not any_bucket:
        ax.text(0.5, 0.5, "no system reports confidence", ha="center", va="center", transform=ax.transAxes)
    ax.set_ylabel("pass@1 (%)")
    ax.set_ylim(0, 100)
    ax.set_xlabel("function confidence")
    ax.set_title("Accuracy against confidence")
    out["accuracy_by_confidence"] = _png(fig)
    plt.close(fig)
    return out


def _shown_statements(statements: list[Any]) -> dict[str, Any]:
    """The statements written, coloured by confidence; of those left out only how many, and how many of them the
    model gave at least even odds. Left-out statements are the other training targets' statements of the template,
    which no one wrote here: shown one by one they were 6 of the XCore report's 7.4 MB."""
    statements = statements or []
    shown = [s for s in statements if s[2]]
    left = [s for s in statements if not s[2]]
    return {"statements": shown, "hidden": len(left), "hidden_likely": sum(1 for s in left if s[1] >= 0.5)}


def render_html(rows: list[Any], summary: dict[str, Any], meta: dict[str, Any], pngs: dict[str, bytes]) -> str:
    by_fn: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        by_fn[r.id].append(r)
    functions = []
    for fid, rs in by_fn.items():
        first = rs[0]
        confs = [r.Confidence for r in rs if r.Confidence is not None]
        status = {r.system: r.status for r in rs}
        functions.append({
            "anchor": fid.replace("/", "_").replace(":", "_"),
            # what the filter matches: name, file, module, tested or not, and every system's status
            "key": " ".join([first.Func, first.File, first.Module, "tested" if first.tested else "untested",
                             *status.values()]).lower(),
            "status": status,
            "name": first.Func,
            "module": first.Module,
            "file": first.File,
            "tested": first.tested,
            "truth": first.GroundTruth,
            "order": min(confs) if confs else 2.0,
            # The system with confidences (the model) first, baselines after it.
            "systems": [
                {"system": r.system, "status": r.status, "detail": r.detail, "confidence": r.Confidence,
                 "code": r.Code, "source": r.source, **_shown_statements(r.statements)}
                for r in sorted(rs, key=lambda r: (r.Confidence is None, r.system))
            ],
        })
    functions.sort(key=lambda f: (f["order"], f["name"]))  # least confident first: what to check first
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template("eval.html.j2").render(
        meta=meta, summary=summary, functions=functions,
        plots={k: base64.b64encode(v).decode() for k, v in pngs.items()},
    )


def write_report(out_dir: Path, rows: list[Any], summary: dict[str, Any], meta: dict[str, Any]) -> Path:
    pngs = plots(summary)
    for name, data in pngs.items():
        with staged_text(out_dir / f"{name}.png", binary=True) as fh:
            fh.write(data)
    path = out_dir / "report.html"
    atomic_write_text(path, render_html(rows, summary, meta, pngs))
    return path
