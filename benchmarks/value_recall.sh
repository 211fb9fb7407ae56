#!/usr/bin/env bash
# Value recall of held-out targets' real functions, with the headers' declarations and .td only (docs/RESULTS.md):
# the templates of all targets (built if absent), the tables described with declarations, recall per target.
#
#   benchmarks/value_recall.sh [TARGET ...]     # default: XCore RISCV ARC AVR BPF M68k
set -euo pipefail
cd "$(dirname "$0")/.."
TARGETS=${*:-XCore RISCV ARC AVR BPF M68k}
echo "== commit $(git rev-parse --short HEAD)"
.venv/bin/vega-llvm templates --quiet -j 1 > /dev/null
args=()
for t in $TARGETS; do args+=(--target "$t"); done
.venv/bin/vega-llvm value-recall "${args[@]}" --out "${OUT:-runs/value-recall.json}"
