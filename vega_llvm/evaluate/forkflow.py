"""ForkFlow, VEGA's baseline: start each function from another backend's implementation and rename the target.

VEGA's definition takes every function from Mips. The renaming is textual, in every case style the donor's
spellings appear in (``Mips`` -> ``XCore``, ``MIPS`` -> ``XCORE``, ``mips`` -> ``xcore``), which is what a developer
forking a backend does first.
"""

from __future__ import annotations

from ..corpus.naming import respell
from ..corpus.records import FunctionRecord

DEFAULT_DONOR = "Mips"


def rename(text: str, donor_spellings: list[str], spelling: str) -> str:
    """The donor's spellings, in every case style they appear in, replaced with the target's (``respell``)."""
    return respell(text, donor_spellings, spelling)


def forkflow_bodies(
    target_records: list[FunctionRecord],
    donor_records: list[FunctionRecord],
    donor_spellings: list[str],
) -> dict[str, str | None]:
    """For each function of the target, the donor's body of the same group, renamed (None: the donor has none).

    When the donor has several definitions of a group (overloads), the one of the same file and closest
    signature length is taken.
    """
    by_key: dict[tuple[str, str], list[FunctionRecord]] = {}
    for r in donor_records:
        by_key.setdefault(r.key, []).append(r)
    out: dict[str, str | None] = {}
    for r in target_records:
        donors = by_key.get(r.key)
        if not donors:
            out[r.id] = None
            continue
        best = min(donors, key=lambda d: abs(len(d.signature) - len(r.signature)))
        out[r.id] = rename(best.body, donor_spellings, r.spelling)
    return out
