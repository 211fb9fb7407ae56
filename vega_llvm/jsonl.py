"""The one reader of a target's rows from a JSONL file (corpus records, feature rows, generated functions).

Corpus and feature files hold every backend (hundreds of MB), and a stage usually wants one target's rows. A row of
target X names it as a JSON string (``"target":"X"``, ``"Target": "X"``, whatever the separators), so a line without
that string cannot be one and is skipped unparsed; the field itself is checked after parsing, so the pre-filter only
saves time and never decides.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Collection, Iterator

from .errors import ConfigError


def target_rows(path: Path, targets: str | Collection[str], field: str = "target") -> Iterator[dict[str, Any]]:
    """The rows of ``path`` whose ``field`` is ``targets`` (one name or several), streamed in file order.

    A line that is not JSON stops the read with ``path:line`` named: a half-written or hand-edited file must not
    quietly lose rows."""
    wanted = {targets} if isinstance(targets, str) else set(targets)
    needles = [json.dumps(t) for t in wanted]
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not any(needle in line for needle in needles):
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise ConfigError(f"{path}:{n}: not JSON ({exc})") from exc
            if isinstance(row, dict) and row.get(field) in wanted:
                yield row
