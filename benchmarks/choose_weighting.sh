#!/usr/bin/env bash
# Choose how generation weights the training targets (`generate --weighting`) on held-out targets that are NOT the
# evaluation targets: the second checkpoint (benchmarks/train_checkpoint.sh checkpoints/arc-avr-bpf-m68k ARC AVR BPF M68k) holds out ARC, AVR, BPF and M68k, and the weighting with the best
# mean exact match over them becomes the default used for XCore and RISCV (docs/RESULTS.md).
#
#   benchmarks/choose_weighting.sh [MODEL] [WEIGHTINGS]   # defaults: checkpoints/arc-avr-bpf-m68k, "rank halving rank2"
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:-checkpoints/arc-avr-bpf-m68k}
WEIGHTINGS=${2:-rank halving rank2}
OUT=${OUT:-runs/weighting}
if [ ! -f "$MODEL/vega_meta.json" ]; then
  echo "error: $MODEL: no checkpoint; make it with benchmarks/train_checkpoint.sh $MODEL ARC AVR BPF M68k" >&2; exit 2
fi
TARGETS=$(.venv/bin/python -c "import json,sys; print(' '.join(json.load(open('$MODEL/vega_meta.json'))['held_out']))")
echo "== commit $(git rev-parse --short HEAD), model $MODEL, targets $TARGETS, weightings $WEIGHTINGS"
for t in $TARGETS; do
  for w in $WEIGHTINGS; do
    .venv/bin/vega-llvm generate --target "$t" --model "$MODEL" --weighting "$w" --out "$OUT/$t-$w/result.jsonl" --quiet
  done
done
.venv/bin/python - "$OUT" "$TARGETS" "$WEIGHTINGS" <<'PY'
import json, sys
from pathlib import Path
out, targets, weightings = Path(sys.argv[1]), sys.argv[2].split(), sys.argv[3].split()
print("| weighting | " + " | ".join(f"{t} exact / stmt" for t in targets) + " | mean exact |")
print("|---" * (len(targets) + 2) + "|")
for w in weightings:
    cells, exact = [], []
    for t in targets:
        a = json.loads((out / f"{t}-{w}" / "summary.json").read_text())["with_ground_truth"]["all"]
        cells.append(f"{a['exact_match']}% / {a['stmt_accuracy']}% (n={a['functions']})")
        exact.append(a["exact_match"])
    print(f"| {w} | " + " | ".join(cells) + f" | {sum(exact) / len(exact):.1f}% |")
PY
