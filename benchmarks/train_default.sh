#!/usr/bin/env bash
# Retrain the shipped default checkpoint exactly as committed, timed: the held-out pair RISCV + XCore, the default
# preset, the inputs (corpus, templates, tables, feature rows) built or checked fresh by `train` itself.
#
#   benchmarks/train_default.sh [OUT]     # default OUT: checkpoints/default (the work folder is OUT.work)
#
# The checkpoint's vega_meta.json records the phases' steps, examples/s and seconds; /usr/bin/time adds peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-checkpoints/default}
echo "== commit $(git rev-parse --short HEAD), load average $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -v .venv/bin/vega-llvm train --holdout RISCV --holdout XCore --out "$OUT" --quiet 2> >(grep -E "Maximum resident|Elapsed" >&2)
