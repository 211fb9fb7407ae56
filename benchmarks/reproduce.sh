#!/usr/bin/env bash
# Regenerates the XCore evaluation table of docs/RESULTS.md from nothing: an empty cache, the committed code and the
# shipped checkpoint. It runs README's main command; every intermediate (llvm-project sources, corpus, templates,
# property tables, feature vectors) is rebuilt by committed code and checked against the hashes the checkpoint
# recorded (generate refuses when they differ), so the table it prints is the one a new user gets.
#
#   benchmarks/reproduce.sh                 # XCore, a fresh cache under $TMPDIR
#   TARGET=RISCV benchmarks/reproduce.sh    # the RISCV table the same way (about an hour on 2 cores)
#   CACHE=/path/to/empty benchmarks/reproduce.sh
#
# Output: the log on stdout (progress on stderr), then summary.md of the run; results in $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${TARGET:-XCore}
MODEL=${MODEL:-checkpoints/default}
CACHE=${CACHE:-$(mktemp -d "${TMPDIR:-/tmp}/vega-reproduce.XXXXXX")/cache}
OUT=${OUT:-runs/reproduce-$TARGET}
if [ -e "$CACHE" ] && [ -n "$(ls -A "$CACHE" 2>/dev/null)" ]; then
  echo "reproduce: $CACHE is not empty; give an empty or new CACHE" >&2
  exit 2
fi
export VEGA_LLVM_CACHE=$CACHE
unset VEGA_LLVM_SRC
echo "== commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- vega_llvm || echo ' (with uncommitted changes to vega_llvm/)'), cache $CACHE, model $MODEL"
SKIP_APT=${SKIP_APT:-} bash tools/setup.sh
start=$(date +%s)
.venv/bin/vega-llvm eval --holdout "$TARGET" --model "$MODEL" --out "$OUT"
echo "== eval --holdout $TARGET: $(( $(date +%s) - start )) s"
cat "$OUT/summary.md"
