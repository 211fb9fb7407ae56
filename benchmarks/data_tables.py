"""Print the corpus and coverage tables of docs/RESULTS.md from the cache the commands built.

    .venv/bin/python benchmarks/data_tables.py [HOLDOUT ...]     # default: RISCV XCore

Builds nothing it can reuse: the corpus and the templates without each held-out target come from the cache
(``ensure_corpus`` and ``holdout_templates`` rebuild them only when their code or inputs changed), so the figures are
those of the committed code. Output is Markdown, pasted into RESULTS.md with the commit this script ran at.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from vega_llvm.corpus.build import ensure_corpus
from vega_llvm.corpus.modules import MODULES
from vega_llvm.features.inputs import holdout_templates


def corpus_table(corpus: Path) -> list[str]:
    stats = json.loads((corpus / "stats.json").read_text())
    rows = stats["functions_per_target_module"]
    out = ["| target | spellings | " + " | ".join(MODULES) + " | total |", "|---|---|" + "---|" * (len(MODULES) + 1)]
    for t, row in sorted(rows.items()):
        spell = " ".join(stats["spellings"].get(t, []))
        out.append(f"| {t} | {spell} | " + " | ".join(str(row[m]) for m in MODULES) + f" | {row['total']} |")
    tot = stats["totals"]
    out.append("| **all** | | " + " | ".join(str(tot[m]) for m in MODULES) + f" | {tot['total']} |")
    return out


def coverage_rows(holdouts: list[str], corpus: Path) -> list[str]:
    out = ["| holdout | functions | covered | % | covered by 2+ targets | " + " | ".join(MODULES) + " |",
           "|---|---|---|---|---|" + "---|" * len(MODULES)]
    for h in holdouts:
        stats = json.loads((holdout_templates(corpus, [h], log=None) / "stats.json").read_text())
        c = stats["holdout_coverage"]
        per = c["per_module"]
        mods = " | ".join(f"{per[m]['covered']}/{per[m]['functions']}" if m in per else "-" for m in MODULES)
        out.append(f"| {h} | {c['functions']} | {c['covered']} | {c['percent']} | {c['covered_by_2plus_targets']} "
                   f"({c['percent_2plus']}%) | {mods} |")
    return out


def main(argv: list[str]) -> int:
    holdouts = argv or ["RISCV", "XCore"]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    corpus = ensure_corpus(log=lambda m: print(m, file=sys.stderr))
    meta = json.loads((corpus / "meta.json").read_text())
    print(f"Commit `{commit}`, LLVM {meta['llvm_version']}, corpus code {meta['provenance']['code']}, "
          f"{meta['functions']} functions of {len(meta['targets'])} backends.\n")
    print("\n".join(corpus_table(corpus)))
    print()
    print("\n".join(coverage_rows(holdouts, corpus)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
