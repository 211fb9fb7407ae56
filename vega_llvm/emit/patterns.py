"""A ``ComplexPattern``'s select function, taken from the training target whose ``ComplexPattern`` has its shape.

The ``.td`` of a new target names the C++ function that matches each of its complex operands (XCore's
``ADDRspii : ComplexPattern<i32, 2, "SelectADDRspii", [add, frameindex]>``), and the selector tables call it. No
template group holds it (every target names its own), so the scratch set had only ``emit.required``'s default for
it, which matches nothing: every load, store and address of a stack slot then stopped in ``Cannot select
FrameIndex``. The record says what the function does: how many operands it produces, of what type, from which root
nodes. A training target with a pattern of the same shape wrote the same function: ARC's ``FrameADDR_ri :
ComplexPattern<i32, 2, "SelectFrameADDR_ri", [add, frameindex]>`` splits a frame index, or a frame index plus a
constant, into base and offset, as XCore's own ``SelectADDRspii`` does. That donor's function, renamed and
translated as every taken-over function is (``sources.fallback_functions``), is put where the default was; the
default stays behind it on the repair ladder (``bootstrap.repair.donor_code``) in case it does not compile.

Only root nodes say what a pattern matches, so a pattern is matched on them: the same number of operands, a type
that agrees (``iPTR`` agrees with any), and root sets that share at least half their union (Jaccard); a pattern
with no root nodes (it may match anything) is matched with none. Of several, the most alike, then the nearer donor.

A target's patterns are read with ``llvm-tblgen --dump-json`` and cached under ``<cache>/patterns/``, keyed by the
bytes of its ``.td`` files and this module's code.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from ..errors import ConfigError, TableGenError
from ..paths import cache_root, llvm_dir
from ..provenance import file_digest
from ..generate.parameters import parameters
from .functions import EmitFunction

# the least share of the union of two patterns' root nodes that both must have
MIN_ROOTS_SHARED = 0.5


@dataclass(frozen=True)
class Pattern:
    """One ``ComplexPattern`` record."""

    name: str
    select: str  # the C++ function the selector tables call
    ty: str
    operands: int
    roots: tuple[str, ...]

    def likeness(self, other: "Pattern") -> float:
        """How alike the two patterns' jobs are (0: not at all; module docstring)."""
        if self.operands != other.operands or not (self.ty == other.ty or "iPTR" in (self.ty, other.ty)):
            return 0.0
        a, b = set(self.roots), set(other.roots)
        if not a or not b:
            return 0.0
        return len(a & b) / len(a | b)


def _def(value: Any) -> str:
    return value.get("def", "") if isinstance(value, dict) else ""


def patterns_of(records: dict[str, Any], instanceof: dict[str, list[str]]) -> list[Pattern]:
    """Every ``ComplexPattern`` of a ``--dump-json``."""
    out = []
    for name in sorted(instanceof.get("ComplexPattern", [])):
        r = records.get(name) or {}
        if isinstance(r.get("SelectFunc"), str) and isinstance(r.get("NumOperands"), int):
            out.append(Pattern(name, r["SelectFunc"], _def(r.get("Ty")), r["NumOperands"],
                               tuple(sorted(_def(x) for x in r.get("RootNodes") or []))))
    return out


def td_cache_key(td: Path, files: Iterable[Path], module: str = __file__) -> str:
    """A cache key for what ``module``'s code reads from ``td``: that code's bytes and those of the ``.td`` files."""
    h = hashlib.sha256(file_digest(Path(module)).encode())
    for f in sorted({str(p) for p in files} | {str(td)}):
        h.update(f.encode() + b"\0" + (file_digest(Path(f)).encode() if Path(f).is_file() else b"-") + b"\0")
    return h.hexdigest()[:24]


def target_patterns(td: Path, cache: Path | None = None) -> list[Pattern]:
    """``patterns_of`` the ``.td`` (cached); [] where ``llvm-tblgen`` cannot read it."""
    from ..describe.properties import write_json_atomic
    from ..describe.tblgen import dump_json

    td = Path(td)
    if not td.is_file():
        return []
    folder = (cache or cache_root()) / "patterns"
    files = sorted(td.parent.rglob("*.td"))
    path = folder / f"{td.stem}-{td_cache_key(td, files)}.json"
    if path.is_file():
        try:
            return [Pattern(r["name"], r["select"], r["ty"], r["operands"], tuple(r["roots"]))
                    for r in json.loads(path.read_text())]
        except (ValueError, TypeError, KeyError):
            pass  # unreadable: made again below
    try:
        dump = dump_json(td)
    except (ConfigError, TableGenError, OSError):
        return []
    found = patterns_of(dump.records, dump.instanceof)
    folder.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, [asdict(p) for p in found])
    return found


def _td_of(donor: Any) -> Path:
    meta = getattr(donor.table, "meta", None) or {}
    td = Path(str(meta.get("td") or ""))
    return td if td.is_file() else llvm_dir() / "lib" / "Target" / donor.target / f"{donor.target}.td"


def best_pattern(mine: Pattern, donors: list[Any], patterns: Any = target_patterns) -> tuple[Any, Pattern] | None:
    """The donor (of ``donors``, nearest first) and its pattern most like ``mine``; None when none is alike
    enough (``MIN_ROOTS_SHARED``)."""
    best: tuple[float, int, Any, Pattern] | None = None
    for rank, donor in enumerate(donors):
        for p in patterns(_td_of(donor)):
            score = mine.likeness(p)
            if score >= MIN_ROOTS_SHARED and (best is None or score > best[0]):
                best = (score, rank, donor, p)
    return None if best is None else (best[2], best[3])


def donor_selector(stub: EmitFunction, mine: list[Pattern], donors: list[Any], corpus_dir: Path, target: str,
                   table: Any, patterns: Any = target_patterns) -> EmitFunction | None:
    """For the required stub of a select function (``emit.required``), the donor's select function of the
    pattern most like the one that names it, renamed to it; None when no pattern names it, no donor's is alike,
    its code is not in the corpus, or it takes another number of parameters than the tables pass."""
    from .sources import fallback_functions

    name = stub.key.split("#")[0].split("::")[-1]
    own = next((p for p in mine if p.select == name), None)
    found = best_pattern(own, donors, patterns) if own else None
    if found is None:
        return None
    donor, theirs = found
    taken = [f for f in fallback_functions(donor, corpus_dir, target, stems={stub.file_stem}, target_table=table)
             if f.key.split("#")[0].split("::")[-1] == theirs.select]
    if len(taken) != 1:
        return None
    f = taken[0]
    theirs_params, wanted = parameters(f.signature), parameters(stub.signature)
    if theirs_params is None or wanted is None or len(theirs_params) != len(wanted):
        return None
    signature = re.sub(rf"\b{re.escape(theirs.select)}\b", name, f.signature)
    return replace(f, key=stub.key, signature=signature, file_stem=stub.file_stem,
                   source=f"{f.source} ({theirs.name}, as {own.name})")
