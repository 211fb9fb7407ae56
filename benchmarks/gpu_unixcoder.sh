#!/usr/bin/env bash
# Pre-train and fine-tune the UniXcoder-size configuration (12 layers, 768 hidden, ~126M parameters) on one GPU with
# RISCV and XCore held out, then generate both held-out targets and print the scores; every step is timed.
#
#   benchmarks/gpu_unixcoder.sh                      # our tokenizer, our pre-training from scratch
#   INIT_FROM=/path/to/unixcoder-base-nine benchmarks/gpu_unixcoder.sh   # start from the real UniXcoder weights
#   SET="finetune.steps=2000" benchmarks/gpu_unixcoder.sh               # extra --set overrides (space-separated)
#
# Needs: the venv (tools/setup.sh, with a CUDA torch on the GPU machine), llvm-project sources, a CUDA device.
# Outputs: $OUT (default runs/gpu-unixcoder): checkpoint, work folder, result.jsonl + summary.json per target and
# timings.json (seconds per step, GPU name). Figures from it go to docs/BENCHMARKS.md / docs/RESULTS.md ("Model").
set -euo pipefail
cd "$(dirname "$0")/.."
VEGA=${VEGA:-.venv/bin/vega-llvm}
PY=${PY:-.venv/bin/python}
OUT=${OUT:-runs/gpu-unixcoder}
CACHE=$("$PY" -c 'from vega_llvm.paths import cache_root; print(cache_root())')
mkdir -p "$OUT"
"$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else "no CUDA device: this benchmark is for one GPU")'

declare -A SECS
step() {  # step NAME CMD...: run and time one step
  local name=$1; shift
  local t0=$(date +%s.%N)
  "$@"
  SECS[$name]=$(echo "$(date +%s.%N) - $t0" | bc)
  echo "== $name: ${SECS[$name]} s"
}

# Data (skipped when already in the cache): corpus, templates without both held-out targets, feature vectors.
[ -f "$CACHE/corpus/functions.jsonl" ] || step corpus "$VEGA" corpus --quiet
TPL="$CACHE/templates-holdout-RISCV-XCore"
if [ ! -f "$TPL/templates.jsonl" ]; then
  TARGETS=$("$PY" -c 'import json,sys; print(" ".join(sorted({json.loads(l)["target"] for l in open(sys.argv[1])} - {"RISCV","XCore"})))' "$CACHE/corpus/functions.jsonl")
  ARGS=(); for t in $TARGETS; do ARGS+=(--target "$t"); done
  step templates "$VEGA" templates --quiet --holdout RISCV "${ARGS[@]}" --out "$TPL"
fi
[ -f "$CACHE/features/RISCV-XCore/manifest.json" ] || step features "$VEGA" features --templates "$TPL" --holdout XCore --holdout RISCV

SETS=(); for s in ${SET:-}; do SETS+=(--set "$s"); done
INIT=(); [ -n "${INIT_FROM:-}" ] && INIT=(--init-from "$INIT_FROM")
step train "$VEGA" train --preset unixcoder --holdout RISCV --holdout XCore --out "$OUT/checkpoint" --work "$OUT/work" "${INIT[@]}" "${SETS[@]}"
for t in RISCV XCore; do
  step "generate_$t" "$VEGA" generate --target "$t" --model "$OUT/checkpoint" --threads 0 --batch-size 512 --out "$OUT/$t/result.jsonl"
done

GPU=$("$PY" -c 'import torch; print(torch.cuda.get_device_name(0))')
{
  echo "{\"gpu\": \"$GPU\", \"commit\": \"$(git rev-parse --short HEAD)\", \"seconds\": {"
  first=1; for k in "${!SECS[@]}"; do [ $first = 1 ] || echo ","; first=0; printf '  "%s": %s' "$k" "${SECS[$k]}"; done
  echo; echo "}}"
} > "$OUT/timings.json"
cat "$OUT/timings.json"
