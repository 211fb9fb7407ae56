#!/usr/bin/env bash
# Retrain the shipped default checkpoint exactly as committed, timed: the held-out pair RISCV + XCore.
#
#   benchmarks/train_default.sh [OUT]     # default OUT: checkpoints/default (the work folder is OUT.work)
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash benchmarks/train_checkpoint.sh "${1:-checkpoints/default}" RISCV XCore
