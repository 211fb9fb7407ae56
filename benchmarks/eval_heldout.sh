#!/usr/bin/env bash
# Evaluate a checkpoint on each target it held out, one after the other (docs/RESULTS.md):
#
#   benchmarks/eval_heldout.sh MODEL [TARGET ...]   # default targets: the checkpoint's held_out list
#   benchmarks/eval_heldout.sh checkpoints/arc-avr-bpf-m68k
#
# Each run writes runs/eval-<TARGET>-<model name>/ (summary.md, summary.json, result.jsonl, report.html) and its log.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:?usage: eval_heldout.sh MODEL [TARGET ...]}; shift
if [ ! -f "$MODEL/vega_meta.json" ]; then
  echo "error: $MODEL: no checkpoint; make it with benchmarks/train_checkpoint.sh $MODEL HOLDOUT..." >&2; exit 2
fi
TARGETS=${*:-$(.venv/bin/python -c "import json; print(' '.join(json.load(open('$MODEL/vega_meta.json'))['held_out']))")}
name=$(basename "$MODEL")
echo "== commit $(git rev-parse --short HEAD), model $MODEL, targets $TARGETS"
for t in $TARGETS; do
  out=runs/eval-$t-$name
  mkdir -p "$out"
  start=$(date +%s)
  .venv/bin/vega-llvm eval --holdout "$t" --model "$MODEL" --out "$out" ${EVAL_ARGS:-} 2> "$out/eval.log"
  echo "== $t: $(( $(date +%s) - start )) s"
done
