#!/usr/bin/env bash
# What each part of generation contributes, without lit: exact match and statement accuracy of one held-out
# target's functions under variants of `vega-llvm generate`, beside the nearest-neighbour copy that the same run
# scores (docs/RESULTS.md "Generation: what each part contributes").
#
#   benchmarks/generate_ablation.sh XCore [MODEL]      # default model: checkpoints/default
#
# adapt:            the default (training members' statement sets chosen per function, values voted and translated,
#                   single-donor functions, identifier check);
# no-single-donor:  only templates of two or more training targets (--single-donors 0);
# no-identifier-check: candidates naming undeclared identifiers are not ranked last;
# statements:       every statement kept or dropped on its own model confidence (the round-one default).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${1:?usage: generate_ablation.sh TARGET [MODEL]}
MODEL=${2:-checkpoints/default}
OUT=${OUT:-runs/ablation-$TARGET}
echo "== commit $(git rev-parse --short HEAD), model $MODEL, target $TARGET"
run() {
  name=$1; shift
  echo "== $name: $*"
  .venv/bin/vega-llvm generate --target "$TARGET" --model "$MODEL" --out "$OUT/$name/result.jsonl" --quiet "$@"
}
run adapt
run no-single-donor --single-donors 0
run no-identifier-check --no-check-identifiers
run statements --strategy statements
