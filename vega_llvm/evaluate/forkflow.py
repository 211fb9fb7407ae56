"""ForkFlow, VEGA's baseline: start each function from another backend's implementation and rename the target.

VEGA's definition takes every function from Mips. The renaming is textual, in every case style the donor's
spellings appear in (``Mips`` -> ``XCore``, ``MIPS`` -> ``XCORE``, ``mips`` -> ``xcore``), which is what a developer
forking a backend does first.
"""

from __future__ import annotations

from ..corpus.naming import respell
from ..corpus.records import FunctionRecord
from ..generate.groundtruth import first_definitions

DEFAULT_DONOR = "Mips"


def rename(text: str, donor_spellings: list[str], spelling: str) -> str:
    """The donor's spellings, in every case style they appear in, replaced with the target's (``respell``)."""
    return respell(text, donor_spellings, spelling)


def forkflow_bodies(
    target_records: list[FunctionRecord],
    donor_records: list[FunctionRecord],
    donor_spellings: list[str],
    spelling: str,
) -> dict[str, tuple[str, str] | None]:
    """For each function of the target, the donor's body of the same group and its signature (what its parameters
    are called), renamed to ``spelling`` (None: the donor has none).

    Where the donor defines a group several times (overloads), its first definition in its own file order is taken
    (``first_definitions``): the choice reads nothing of the held-out target, whose real functions are what the
    copies are judged against. ``spelling`` is the target's name as its description declares it, for the same
    reason never read from its functions."""
    donors = first_definitions(donor_records)
    out: dict[str, tuple[str, str] | None] = {}
    for r in target_records:
        d = donors.get(r.key)
        if d is None:
            out[r.id] = None
            continue
        names = [d.spelling, *donor_spellings]
        out[r.id] = (rename(d.body, names, spelling), rename(d.signature, names, spelling))
    return out
