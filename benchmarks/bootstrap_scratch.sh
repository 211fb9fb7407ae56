#!/usr/bin/env bash
# Scratch backends with the default model (issue 14's figures, docs/RESULTS.md "Scratch backends"):
#
#   benchmarks/bootstrap_scratch.sh [TARGET ...]      # default: XCore RISCV
#
# Each target: `vega-llvm bootstrap --td <llvm>/lib/Target/<T>/<T>.td --out runs/scratch-<T> --mode scratch` into a
# fresh folder, its wall time, and the report's summary line (functions generated in place / on a later candidate,
# taken over, stubbed, left out; whether llc and llvm-mc link; lit and smoke passes). Logs: runs/scratch-<T>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
LLVM=$(.venv/bin/python -c "from vega_llvm.paths import llvm_dir; print(llvm_dir())")
echo "== commit $(git rev-parse --short HEAD), model checkpoints/default, llvm $LLVM"
mkdir -p runs
for t in ${*:-XCore RISCV}; do
  out=runs/scratch-$t
  rm -rf "$out"
  start=$(date +%s)
  rc=0
  .venv/bin/vega-llvm bootstrap --td "$LLVM/lib/Target/$t/$t.td" --out "$out" --mode scratch ${BOOTSTRAP_ARGS:-} \
    > "runs/scratch-$t.log" 2>&1 || rc=$?
  echo "== $t: $(( $(date +%s) - start )) s, exit $rc"
  .venv/bin/python - "$out" <<'PY'
import json, sys
from collections import Counter
from pathlib import Path
out = Path(sys.argv[1])
r = json.loads((out / "report.json").read_text())
print(r["summary"])
res = out / "lit" / "lit-results.json"
if res.is_file():  # lit's own JSON: per suite (CodeGen, MC, MC/Disassembler) passes of tests run
    tests = json.loads(res.read_text()).get("tests", [])
    total, passed = Counter(), Counter()
    for t in tests:
        path = t["name"].split(" :: ", 1)[-1]
        suite = "MC/Disassembler" if path.startswith("MC/Disassembler/") else path.split("/", 1)[0]
        total[suite] += 1
        passed[suite] += t["code"] in ("PASS", "XFAIL")
    for suite in sorted(total):
        print(f"  lit {suite}: {passed[suite]}/{total[suite]} pass ({100 * passed[suite] / total[suite]:.1f}%)")
PY
done
