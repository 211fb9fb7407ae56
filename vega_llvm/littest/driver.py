"""Runs lit with a ``config_map`` (source ``lit.cfg.py`` -> our site config), as LLVM's generated ``llvm-lit`` does.

Started as a child process by ``runner.run_tests`` (through the subprocess gateway, with a timeout):
``python -m vega_llvm.littest.driver SRC_LIT_CFG SITE_CFG [lit arguments...]``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        sys.exit("usage: python -m vega_llvm.littest.driver SRC_LIT_CFG SITE_CFG [lit args...]")
    src_cfg, site_cfg, *lit_args = argv
    import lit.main

    key = os.path.normcase(os.path.realpath(src_cfg))
    sys.argv = ["lit", *lit_args]
    lit.main.main({"config_map": {key: os.path.realpath(site_cfg)}})


if __name__ == "__main__":
    main(sys.argv[1:])
