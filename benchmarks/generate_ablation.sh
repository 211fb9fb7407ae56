#!/usr/bin/env bash
# What each part of generation contributes, without lit: exact match and statement accuracy of one held-out
# target's functions under each --strategy of `vega-llvm generate`, beside the nearest-neighbour copy that the same
# run scores (docs/RESULTS.md "Generation: what each part contributes").
#
#   benchmarks/generate_ablation.sh XCore [MODEL]      # default model: checkpoints/default
#
# adapt:      the training members' statement sets, chosen per function (reciprocal-rank-weighted support x the
#             model's presence evidence), values voted over members and translated by the model where foreign;
# statements: every statement kept or dropped on its own model confidence, values decoded by the model (the
#             previous default).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${1:?usage: generate_ablation.sh TARGET [MODEL]}
MODEL=${2:-checkpoints/default}
OUT=${OUT:-runs/ablation-$TARGET}
echo "== commit $(git rev-parse --short HEAD), model $MODEL, target $TARGET"
for s in adapt statements; do
  echo "== --strategy $s"
  .venv/bin/vega-llvm generate --target "$TARGET" --model "$MODEL" --strategy "$s" --out "$OUT/$s/result.jsonl" --quiet
done
