"""Benchmark of the judge: out-of-tree build and lit run of one unmodified LLVM 16 target.

    .venv/bin/python benchmarks/build_and_lit.py XCore [--jobs N]

Measures, in a fresh build directory with ccache disabled: the cold build, a no-op rebuild, a rebuild after
touching one .cpp; then the target's lit tests with our tools and with the installed ones, and whether the two
agree test by test. Prints one JSON object (paste the figures into docs/BENCHMARKS.md with the command).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

from vega_llvm.backend_build.cmake import build
from vega_llvm.backend_build.target_dir import from_options
from vega_llvm.littest.runner import run_tests


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("target")
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    os.environ["CCACHE_DISABLE"] = "1"
    target = from_options(None, args.target)
    out: dict[str, object] = {"target": target.name, "cpus": os.cpu_count(), "load_before": os.getloadavg()[0],
                              "machine": platform.processor() or platform.machine()}
    with tempfile.TemporaryDirectory(prefix="vega-bench-") as tmp:
        bdir = Path(tmp) / "build"
        t = time.monotonic()
        res = build(target.path, bdir, jobs=args.jobs)
        out["cold_build_s"] = round(time.monotonic() - t, 1)
        t = time.monotonic()
        build(target.path, bdir, jobs=args.jobs)
        out["noop_rebuild_s"] = round(time.monotonic() - t, 1)
        # Touch one source (same content): the incremental rebuild after an edit of one function.
        cpp = sorted(target.path.glob("*InstrInfo.cpp"))[0]
        scratch = Path(tmp) / "src" / target.name
        shutil.copytree(target.path, scratch)
        res2 = build(scratch, Path(tmp) / "build2", jobs=args.jobs)
        (scratch / cpp.name).write_text((scratch / cpp.name).read_text() + "\n// touched\n")
        t = time.monotonic()
        build(scratch, Path(tmp) / "build2", jobs=args.jobs)
        out["one_cpp_rebuild_s"] = round(time.monotonic() - t, 1)
        del res2
        ours = run_tests(target.name, llc=Path(res.llc), llvm_mc=Path(res.llvm_mc), run_dir=Path(tmp) / "ours")
        ref = run_tests(target.name, run_dir=Path(tmp) / "ref")
        out["lit_ours"] = {"summary": ours.summary, "seconds": ours.seconds}
        out["lit_installed"] = {"summary": ref.summary, "seconds": ref.seconds}
        out["identical_results"] = ours.tests == ref.tests
    out["load_after"] = os.getloadavg()[0]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
