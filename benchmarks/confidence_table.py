"""The calibration table of docs/RESULTS.md from an eval run's result.jsonl, with today's buckets (eval.run.BUCKETS):
per function-confidence bucket of a system, functions, tested, pass@1 over tested functions and exact match.

    .venv/bin/python benchmarks/confidence_table.py RUN_DIR [SYSTEM ...]   # default: every system with confidences
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from vega_llvm.evaluate.run import Row, summarise


def main(run: Path, systems: list[str]) -> None:
    rows = [Row(**json.loads(line)) for line in (run / "result.jsonl").read_text().splitlines() if line.strip()]
    summary = summarise(rows)
    for system in systems or [s for s, e in summary.items() if e["confidence"]]:
        print(f"{system}:\n")
        print("| function confidence | functions | tested | pass@1 (tested) | exact match |")
        print("|---|---|---|---|---|")
        for name, b in summary[system]["confidence"].items():
            p = f"{b['pass']}/{b['tested']} ({100 * b['pass@1']:.1f}%)" if b["pass@1"] is not None else "-"
            e = f"{100 * b['exact_match']:.1f}%" if b["exact_match"] is not None else "-"
            print(f"| {name} | {b['functions']} | {b['tested']} | {p} | {e} |")
        print()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
