"""How well generate's identifier check predicts a compile error: eval outcomes of the generated functions whose
chosen code names an identifier declared nowhere the target can see (``undeclared`` in generate's rows) against
those whose code names none.

    .venv/bin/python benchmarks/undeclared_table.py RUN_DIR     # an `eval --model` output folder (generated.jsonl)
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path


def main(run: Path) -> None:
    # eval's vega-llvm rows carry the generated code itself (``Code`` = generate's ``vega_code``): match on it
    marked_code: dict[str, bool] = {}
    for line in (run / "generated.jsonl").read_text().splitlines():
        row = json.loads(line)
        code = row.get("vega_code") or ""
        marked_code[code] = marked_code.get(code, False) or bool(row.get("undeclared"))
    counts: Counter[tuple[bool, str]] = Counter()
    for line in (run / "result.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row["system"] != "vega-llvm" or not row["tested"] or row["status"] == "missing":
            continue
        counts[(marked_code.get(row["Code"] or "", False), row["status"])] += 1
    statuses = sorted({s for _, s in counts})
    print("| chosen code names an undeclared identifier | tested functions | " + " | ".join(statuses) + " |")
    print("|---|---|" + "---|" * len(statuses))
    for marked in (True, False):
        n = sum(v for (m, _), v in counts.items() if m == marked)
        print(f"| {'yes' if marked else 'no'} | {n} | " + " | ".join(str(counts[(marked, s)]) for s in statuses) + " |")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
