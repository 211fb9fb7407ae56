#!/usr/bin/env bash
# Train a checkpoint exactly as committed, timed: the default preset, the inputs (corpus, templates, tables, feature
# rows) built or checked fresh by `train` itself.
#
#   benchmarks/train_checkpoint.sh OUT HOLDOUT [HOLDOUT ...]
#   benchmarks/train_checkpoint.sh checkpoints/arc-avr-bpf-m68k ARC AVR BPF M68k    # the second checkpoint (not in git)
#
# The checkpoint's vega_meta.json records the phases' steps, examples/s and seconds; /usr/bin/time adds peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$1; shift
args=()
for h in "$@"; do args+=(--holdout "$h"); done
echo "== commit $(git rev-parse --short HEAD), held out: $*, load average $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -v .venv/bin/vega-llvm train "${args[@]}" --out "$OUT" --quiet 2> >(grep -E "Maximum resident|Elapsed" >&2)
