"""What a bootstrap run remembers for the next one in the same ``--out``, so that reruns stay incremental.

A run ends with a target directory that links because the repair loop moved functions up their ladder (a later
candidate, the donor's code, statements commented out, a stub, left out), added what the build asked for (stubs of
the functions the tblgen tables call, the subtarget members the feature parser sets) and left out libraries that do
not compile. None of that is in the functions themselves: a rerun that started from the chosen functions alone would
write the first, failing form of every repaired function again, rebuild every file (the subtarget header changes, so
everything that includes it does) and repeat every round.

``bootstrap-state.json`` keeps, for each function, its form before any repair (``origin``), its form in the tree
(``final``) and the ladder's record of it; and the run's added members, left-out libraries, the donors' order and
the nearest target's code of each function. A rerun restores every function whose origin is the same as last time
(``--force``) or every function not named (``--only``): its first emission is then byte for byte the last run's
tree except where a function changed, ``write_tree`` leaves the other files untouched, and Ninja recompiles only the
files of the functions that changed.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..emit.functions import Candidate, EmitFunction, StatementConfidence
from .repair import RepairState

STATE_FILE = "bootstrap-state.json"
FORMAT = 1
# The ladder's records of one function, by RepairState attribute.
_PER_KEY = ("candidate", "moved", "fell_back", "replaced", "dropped", "removed")


def function_from(d: dict[str, Any]) -> EmitFunction:
    d = dict(d)
    d["statements"] = [StatementConfidence(**s) for s in d.get("statements", [])]
    d["alternatives"] = [Candidate(**c) for c in d.get("alternatives", [])]
    return EmitFunction(**d)


def same_function(a: EmitFunction, b: EmitFunction) -> bool:
    """Whether two chosen functions would be written the same (what the rendered file shows of them)."""
    return (a.key, a.file_stem, a.signature, a.body, a.source, round(a.confidence, 2), a.order) == (
        b.key, b.file_stem, b.signature, b.body, b.source, round(b.confidence, 2), b.order)


@dataclass
class Remembered:
    """One function as the last run left it."""

    origin: EmitFunction  # as chosen, before any repair
    final: EmitFunction  # as in the tree (a later candidate, the donor's code or a repaired head in place)
    ladder: dict[str, Any] = field(default_factory=dict)  # its RepairState entries ("replaced": error, ...)
    moves: list[dict[str, Any]] = field(default_factory=list)  # the steps it took, for the report


@dataclass
class Memory:
    """Everything a rerun restores (see the module docstring)."""

    mode: str
    functions: dict[str, Remembered]
    order: list[str]  # the keys in the order the tree held them
    subtarget_members: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # optional libraries the build left out
    alternates: dict[str, EmitFunction] = field(default_factory=dict)  # scratch: the nearest target's code
    prefer: list[str] = field(default_factory=list)  # training targets, most similar first
    selection: dict[str, Any] = field(default_factory=dict)
    donors: list[list[Any]] = field(default_factory=list)

    def save(self, out_dir: Path) -> Path:
        data = {
            "format": FORMAT, "mode": self.mode, "order": self.order, "subtarget_members": self.subtarget_members,
            "left_out": self.left_out, "prefer": self.prefer, "selection": self.selection, "donors": self.donors,
            "alternates": {k: asdict(f) for k, f in self.alternates.items()},
            "functions": {k: {"origin": asdict(r.origin), "final": asdict(r.final), "ladder": r.ladder, "moves": r.moves}
                          for k, r in self.functions.items()},
        }
        path = Path(out_dir) / STATE_FILE
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(data, default=sorted) + "\n")  # sets (removed lines) as sorted lists
        os.replace(tmp, path)
        return path


def load(out_dir: Path, mode: str) -> Memory | None:
    """The last run's memory in ``out_dir`` (None: no run yet, another mode, or a file of another format)."""
    path = Path(out_dir) / STATE_FILE
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if data.get("format") != FORMAT or data.get("mode") != mode:
        return None
    fns = {}
    for k, r in data["functions"].items():
        ladder = dict(r.get("ladder", {}))
        if "removed" in ladder:
            ladder["removed"] = set(ladder["removed"])
        fns[k] = Remembered(function_from(r["origin"]), function_from(r["final"]), ladder, list(r.get("moves", [])))
    return Memory(mode, fns, list(data.get("order", fns)), list(data.get("subtarget_members", [])),
                  list(data.get("left_out", [])), {k: function_from(f) for k, f in data.get("alternates", {}).items()},
                  list(data.get("prefer", [])), dict(data.get("selection", {})), list(data.get("donors", [])))


def remember(mode: str, origins: dict[str, EmitFunction], finals: dict[str, EmitFunction], state: RepairState,
             **extra: Any) -> Memory:
    """The memory of a finished run: ``origins`` (key -> as chosen), ``finals`` (key -> as in the tree, dropped
    ones included), the ladder's ``state``; ``extra``: the other ``Memory`` fields."""
    fns = {}
    for k, final in finals.items():
        ladder = {a: getattr(state, a)[k] for a in _PER_KEY if k in getattr(state, a)}
        moves = [m for m in state.moves if m.get("key", m["function"]) == k]
        fns[k] = Remembered(origins.get(k, final), final, ladder, moves)
    return Memory(mode, fns, list(finals), **extra)


def restore_ladder(state: RepairState, key: str, r: Remembered) -> None:
    """Put the ladder's records of one remembered function back into ``state``."""
    for attr, value in r.ladder.items():
        if attr in _PER_KEY:
            getattr(state, attr)[key] = set(value) if attr == "removed" else value
    state.moves += [{**m, "earlier": True} for m in r.moves]


def restore(functions: dict[str, EmitFunction], put: Callable[[str, EmitFunction], None], state: RepairState,
            memory: Memory, keep: Callable[[str, EmitFunction, Remembered], bool]) -> list[str]:
    """Put back each function of ``functions`` (the tree's, by key) that ``keep`` says is unchanged since the last
    run: its final form (through ``put``) and its ladder records. The keys restored."""
    done = []
    for k, fn in list(functions.items()):
        r = memory.functions.get(k)
        if r is None or not keep(k, fn, r):
            continue
        put(k, r.final)
        restore_ladder(state, k, r)
        done.append(k)
    return done


def restore_tree(tree: Any, state: RepairState, memory: Memory, keep: Callable[[str, EmitFunction, Remembered], bool],
                 folders: dict[str, str]) -> list[str]:
    """A rerun's tree (``bootstrap.trees``) as the last run left it where ``keep`` says a function is unchanged:
    those functions (``restore``), the stubs the build asked for, the subtarget members it added, and the optional
    libraries it left out (``folders``: library -> its folder, "asm_parser" -> "AsmParser") when none of their
    functions changed. The keys restored."""
    done = restore(tree.functions(), tree.put, state, memory, keep)
    for k, r in memory.functions.items():
        if r.origin.source == "stub:required" and k not in tree.functions():
            tree.add(r.final)
            restore_ladder(state, k, r)
            done.append(k)
    changed = {r.origin.file_stem for k, r in memory.functions.items() if k not in done}
    tree.left_out += [lib for lib in memory.left_out if lib not in tree.left_out and folders.get(lib) not in changed]
    tree.subtarget_members += [m for m in memory.subtarget_members if m not in tree.subtarget_members]
    return done
