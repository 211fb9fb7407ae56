"""The command line the held-out measurements share: ``TARGET TEMPLATES_DIR``, the templates checked to hold TARGET
out (a measurement on a target the templates were built from would read its own code back)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def held_out_templates(argv: list[str], usage: str) -> tuple[str, Path, list[Any]] | None:
    """(target, templates folder, its templates), or None after printing the usage or the error to stderr."""
    from vega_llvm.templates import load_templates

    if len(argv) != 3:
        print(usage, file=sys.stderr)
        return None
    target, tdir = argv[1], Path(argv[2]).expanduser()
    templates = list(load_templates(tdir / "templates.jsonl"))
    if any(m.target == target for t in templates for m in t.members):
        print(f"error: {tdir}: {target} is a training target there; give templates that hold it out", file=sys.stderr)
        return None
    return target, tdir, templates
