"""What parts of generation did in one eval run: eval outcomes of the generated functions split by the part that
wrote or ranked them (docs/RESULTS.md "Generation: what each part contributes").

    .venv/bin/python benchmarks/generation_parts.py RUN_DIR     # an `eval --model` output folder (generated.jsonl)

- identifier check: functions whose chosen code names an identifier declared nowhere the target can see
  (``undeclared`` in generate's rows; such code is chosen only when every candidate names one) against the others;
- single donor: functions only one training target has (``single_donor``) against those of two or more;
- source: the chosen candidate's origin (a training member's statement set, or the model's statement-by-statement
  function), and whether it was pruned (``generate._pruned``: the statements naming undeclared things left out).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

STATUSES = ("pass", "fail", "compile_error")


def main(run: Path) -> None:
    # eval's vega-llvm rows carry the generated code itself (``Code`` = generate's ``vega_code``): match on it
    by_code: dict[str, dict] = {}
    for line in (run / "generated.jsonl").read_text().splitlines():
        row = json.loads(line)
        by_code.setdefault(row.get("vega_code") or "", row)
    splits: dict[str, Counter[tuple[str, str]]] = {"identifier check": Counter(), "single donor": Counter(),
                                                    "source": Counter()}
    for line in (run / "result.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row["system"] != "vega-llvm" or not row["tested"] or row["status"] == "missing":
            continue
        gen = by_code.get(row["Code"] or "", {})
        status = row["status"]
        splits["identifier check"][("names an undeclared identifier" if gen.get("undeclared") else "names none", status)] += 1
        splits["single donor"][("one training target" if gen.get("single_donor") else "two or more", status)] += 1
        src = str(gen.get("source", "?"))
        origin = "the model" if src.startswith("model") else "a training member" if src.startswith("member:") else src
        pruned = ", without its statements naming undeclared things" if src.endswith("-pruned") else ""
        splits["source"][(origin + pruned, status)] += 1
    for title, counts in splits.items():
        print(f"{title}:\n")
        print("| group | tested functions | " + " | ".join(STATUSES) + " | pass@1 |")
        print("|---|---|" + "---|" * (len(STATUSES) + 1))
        for group in sorted({g for g, _ in counts}):
            n = sum(v for (g, _), v in counts.items() if g == group)
            p = counts[(group, "pass")]
            print(f"| {group} | {n} | " + " | ".join(str(counts[(group, s)]) for s in STATUSES) + f" | {100 * p / n:.1f}% |")
        print()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
