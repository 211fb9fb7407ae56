"""Where each emitted function comes from: the model's results, else the nearest training target (renamed).

``scratch_functions`` chooses the function set of a new target (the groups of the nearest training target by
Jaccard similarity of the descriptions, ``generate.baseline.rank_targets``, plus those most training targets
implement and those the description's headers declare, ``chosen_groups``) and a body for each: the generated one,
else the nearest target's that has it, with its names respelled, marked ``fallback:<Target>`` with confidence 0; it also keeps that implementation beside each generated function,
for the repair loop. ``swap_edits`` maps generated functions onto the real target's own functions for swap mode.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

from ..corpus.records import read_jsonl
from ..errors import ConfigError
from ..evaluate.swap import FunctionEdit, bracket_error
from ..jsonl import target_rows
from ..paths import llvm_dir
from ..template_clauses import clause_before, fits
from .backends import BackendLayout
from .functions import EmitFunction, abstract_name, named_as, named_code, parse_signature, respell, split_top
from .layout import FILE_KINDS, enabled_kinds, layout_kinds, target_properties
from ..generate.adapt import own_allocatable, own_classes, own_enumerators, record_names, scoped_enumerators
from ..generate.roles import RecordRoles
from ..generate.visible import declared_in
from .translate import calling_conv_map, register_class_map, translate


def corpus_records(corpus_dir: Path, targets: set[str] | None = None) -> Iterator[dict[str, Any]]:
    """Corpus rows (without their statement trees) of the given targets, streamed."""
    path = Path(corpus_dir) / "functions.jsonl"
    if not path.is_file():
        raise ConfigError(f"{path}: no corpus (run `vega-llvm corpus` first)")
    for row in read_jsonl(path) if targets is None else target_rows(path, targets):
        row.pop("tree", None)
        yield row


def _stem(abstract_file: str) -> str:
    return Path(abstract_file).stem.replace("<T>", "") or "<T>"


@dataclass
class Donor:
    target: str
    similarity: float
    spellings: list[str]
    table: Any = None  # its property table: translates its records in taken-over code (``emit.translate``)


def rank_donors(table: Any, describe_dir: Path, corpus_dir: Path, exclude: set[str]) -> list[Donor]:
    """Training targets by similarity of their descriptions to ``table`` (the target itself excluded)."""
    from ..features.data import load_tables
    from ..generate.baseline import rank_targets

    targets_json = Path(corpus_dir) / "targets.json"
    names = json.loads(targets_json.read_text()) if targets_json.is_file() else {}
    candidates = set(names) - exclude
    # a fresh cache has none yet: described here (cached), as `eval` and `train` do
    tables = {k: v.table for k, v in load_tables(describe_dir, candidates, describe_missing=True).items()}
    if not tables:
        raise ConfigError(f"no property tables of training targets in {describe_dir} (run `vega-llvm describe --all`)")
    return [Donor(n, s, names.get(n, {}).get("spellings", [n]), tables[n]) for n, s in rank_targets(table, tables)]


class DonorCode:
    """How a training target's code reads once taken over by the new target: its names respelled, its register
    classes and calling conventions translated (``emit.translate``), its node kinds and codes as the target's of the
    same scope (``adapt.own_enumerators``), its instructions, registers, features, class members and register
    prefix as the target's of the same role (``roles.RecordRoles``), and the classes the description declares for a
    role under another name (``adapt.own_classes``). One chain for a taken-over body and for the file-scope
    constants it reads (``emit.constants``), so that both name the same records."""

    def __init__(self, donor: Donor, target: str, target_table: Any = None) -> None:
        self.donor, self.target, self.target_table = donor, target, target_table
        both = donor.table is not None and target_table is not None
        self.classes = register_class_map(donor.table, target_table) if both else {}
        self.conventions = (calling_conv_map(donor.table, target_table, lambda n: respell(n, donor.spellings, target))
                            if both else {})
        self.roles = RecordRoles(target_table, {donor.target: donor.table}) if both else None
        if both:
            self.enums = scoped_enumerators(target_table, abstract=False)
            self.mine, self.theirs = record_names(target_table), record_names(donor.table)

    def code(self, code: str, spelling: str = "", sig: str = "", key: str = "") -> str:
        """``code`` (a body, or a declaration) as the target's; ``sig``: the head of the function whose body it
        is, whose parameters stay as it declares them (``RecordRoles.translate``: its locals are renamed with
        their uses, in the body alone); ``key``: that function's (its class's own names)."""
        code = translate(respell(code, [spelling, *self.donor.spellings], self.target), self.classes, self.conventions)
        if self.roles is not None:
            code = self.roles.translate(self.donor.target, code, declared_in(f"{sig} {{}}") if sig else frozenset())
            code = own_enumerators(code, self.theirs, self.mine, self.enums)
        if self.target_table is None:
            return code
        code = own_allocatable(code, self.target_table)  # (``adapt.own_allocatable``: no virtual registers of XCore's RRegs)
        code = without_register_masks(code, self.target_table)
        scope = key.split("#")[0].replace("<T>", self.target).split("::") if key else []
        return own_classes(code, self.target_table, self.target, scope)


def fallback_functions(donor: Donor, corpus_dir: Path, target: str, only: set[str] | None = None,
                       stems: set[str] | None = None, target_table: Any = None) -> list[EmitFunction]:
    """The donor's functions in the layout's file kinds (``stems``; default ``FILE_KINDS``), renamed, with the
    donor's records translated to ``target_table``'s (``DonorCode``) when both tables are known; only those of the
    groups (abstracted qualified names) in ``only`` when given."""
    taken = DonorCode(donor, target, target_table)
    stems = {k.stem for k in FILE_KINDS} if stems is None else stems
    src = llvm_dir(required=False)
    root = src / "lib" / "Target" if src is not None else None
    out: list[EmitFunction] = []
    seen: set[str] = set()
    for r in corpus_records(corpus_dir, {donor.target}):
        stem = _stem(r["file"])
        if stem not in stems or (only is not None and r["qname"] not in only):
            continue
        # tree-sitter marks functions next to macros it cannot expand (LLVM_EXTERNAL_VISIBILITY on every
        # LLVMInitialize*) as errors, but their tokens are exact: usable unless the body is not one block.
        if r["has_error"] and (bracket_error(r["body"]) or not r["body"].lstrip().startswith("{")):
            continue
        sig = respell(r["signature"], [r["spelling"], *donor.spellings], target)
        clause = clause_before(r["id"], root) if root is not None else ""
        if clause and fits(clause, f"{r['signature']} {r['body']}"):  # a function template (``template_clauses``)
            sig = f"{clause} {sig}"
        key = r["qname"]
        if key in seen:  # overloads: the group key is shared; keep each, numbered
            key = f"{key}#{sum(1 for s in seen if s.split('#')[0] == r['qname'])}"
        seen.add(key)
        out.append(
            EmitFunction(
                key=key, file_stem=stem, module=r["module"], signature=translate(sig, taken.classes, taken.conventions),
                body=taken.code(r["body"], r["spelling"], sig, key),
                confidence=0.0,
                source=f"fallback:{donor.target}",
                order=r["line"], record_id=r["id"], in_header=r["file"].endswith(".h"),
            )
        )
    return out


# A function group outside the nearest target's own set is still written when at least this share of the
# training targets implement it: the interface nearly every backend overrides.
MAJORITY = 0.5


def group_support(corpus_dir: Path, exclude: set[str], stems: set[str] | None = None) -> dict[tuple[str, str], set[str]]:
    """(abstracted file stem, qualified name) -> the training targets that implement it (in the file kinds
    ``stems`` when given, else in every file)."""
    out: dict[tuple[str, str], set[str]] = {}
    for r in corpus_records(corpus_dir):
        if r["target"] in exclude:
            continue
        stem = _stem(r["file"])
        if stems is None or stem in stems:
            out.setdefault((stem, r["qname"]), set()).add(r["target"])
    return out


def described_groups(table: Any) -> set[str]:
    """The functions the description declares (methods and free functions of its headers), as group keys."""
    spell = lambda q: abstract_name(q, {table.target, table.namespace})  # noqa: E731
    return {spell(q) for kind in ("decl.method", "decl.function") for q in table.values.get(kind, [])}


def other_role_classes(table: Any, support: dict[tuple[str, str], set[str]],
                       layout: BackendLayout | None) -> dict[str, str]:
    """Classes of the groups (abstract, ``<T>MachineFunctionInfo``) that the description does not declare where it
    declares a class of the same role (``adapt.own_classes``: XCore's ``XCoreFunctionInfo``) that the class does not
    derive from (``<T>TargetAsmStreamer`` is a ``<T>TargetStreamer`` of its own, not another name for it): each
    with that class, abstract."""
    T = table.target
    declared = {q.rpartition("::")[2] for q in table.values.get("decl.class", [])}
    out = {}
    for cls in {q.rpartition("::")[0] for _, q in support if q.startswith("<T>") and "::" in q}:
        name = cls.replace("<T>", T)
        if "::" in cls or name in declared:
            continue
        other = own_classes(name, table, T)
        if other == name:
            continue
        ev = layout.classes.get(cls) if layout is not None else None
        bases = {b.replace("<T>", T) for clause in (ev.bases.values() if ev is not None else ()) for b in clause}
        if other not in bases:
            out[cls] = other.replace(T, "<T>", 1)
    return out


def chosen_groups(support: dict[tuple[str, str], set[str]], chosen: Any, described: set[str],
                  other_role: dict[str, str]) -> set[tuple[str, str]]:
    """The groups (file stem, key) of a new target: those ``chosen`` takes by their implementing targets (the
    nearest's, or a majority's), and every one whose function the description declares (``described``: its headers
    say the backend has it; XCore's declare ``LowerBR_JT`` and ``spillCalleeSavedRegisters``, which its nearest,
    Lanai, lacks); less those of a class that has another role's name (``other_role``: class -> the declared one)
    where the set has functions of the declared class: beside it they would be a second class for one role, and
    the code written against the declared one (own names, ``generate``) would find nothing of it (XCore's
    ``LowerReturn`` on ``'XCoreFunctionInfo' was not declared``). A chosen class's constructor comes with it. A
    function taken for the description or as a constructor goes into one file: the one most of its implementing
    training targets put it in."""
    out = {g for g, ts in support.items() if chosen(ts)}
    out |= _each_once(support, described, out)
    owners = {q.rpartition("::")[0] for _, q in out}
    gone = {cls for cls, declared in other_role.items() if declared in owners}
    out = {g for g in out if g[1].rpartition("::")[0] not in gone}
    # a class comes with its constructor (a description's header often defines it inline, which is no declaration
    # of the description: XCore's ``XCoreFunctionInfo``)
    classes = {q.rpartition("::")[0] for _, q in out if "::" in q}
    return out | _each_once(support, {f"{c}::{c.rpartition('::')[2]}" for c in classes}, out)


def _each_once(support: dict[tuple[str, str], set[str]], names: set[str],
               have: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The groups of ``names`` that ``have`` lacks, each in the file most of its training targets put it in."""
    taken = {q for _, q in have}
    best: dict[str, tuple[str, str]] = {}
    for g, ts in support.items():
        if g[1] in names and g[1] not in taken and (g[1] not in best or len(ts) > len(support[best[g[1]]])):
            best[g[1]] = g
    return set(best.values())


@dataclass
class Selection:
    """Which function groups a scratch target gets, and why the others were left out."""

    functions: list[EmitFunction]
    donors: list[Donor]
    not_selected: list[str]  # generated functions of groups neither the donor nor a majority implements
    by_majority: int  # selected groups the donor lacks
    # For each generated function, the nearest training target's implementation (renamed): what the repair loop
    # puts in its place when the generated body does not compile, before a stub.
    alternates: dict[str, EmitFunction] = field(default_factory=dict)
    layout: BackendLayout | None = None  # the training targets' file kinds and classes the set was chosen in
    # Groups the nearest target or most targets have that the set leaves out, and why: their file kind is one the
    # description does not have (an asm parser, fixups), or a file of the nearest target's own (its passes) that
    # too few backends share to be part of the layout (``backends.KIND_SHARE``).
    not_described: list[str] = field(default_factory=list)
    own_files: dict[str, list[str]] = field(default_factory=dict)  # file stem -> groups


@dataclass
class GroupChoice:
    """The function groups (file stem, key) of a scratch target and what chose them (``scratch_groups``)."""

    donors: list[Donor]  # training targets, most similar by description first
    wanted: set[tuple[str, str]]
    support: dict[tuple[str, str], set[str]]  # every group of the training targets -> the targets implementing it
    stems: set[str]  # the file kinds the description has
    every: set[str]  # the file kinds of the layout
    n_targets: int

    def chosen(self, targets: set[str]) -> bool:
        """Whether a group its ``targets`` implement belongs to the set: the nearest has it, or a majority."""
        return self.donors[0].target in targets or len(targets) >= MAJORITY * self.n_targets


def scratch_groups(table: Any, corpus_dir: Path, describe_dir: Path, exclude: set[str],
                   layout: BackendLayout | None = None) -> GroupChoice:
    """Which function groups a new target gets (``scratch_functions`` says why): from its description and the
    training targets alone, so that ``generate`` can be asked for just these (a twelfth of every template)."""
    donors = rank_donors(table, describe_dir, corpus_dir, exclude)
    if not donors:
        raise ConfigError("no training target to take the function set from")
    every = {k.stem for k in layout_kinds(layout)}
    stems = set(enabled_kinds(target_properties(table), layout))
    support_all = group_support(corpus_dir, exclude)
    support = {g: ts for g, ts in support_all.items() if g[0] in stems}
    n_targets = len({t for ts in support_all.values() for t in ts}) or 1
    choice = GroupChoice(donors, set(), support_all, stems, every, n_targets)
    choice.wanted = chosen_groups(support, choice.chosen, described_groups(table),
                                  other_role_classes(table, support, layout))
    return choice


def scratch_functions(
    table: Any, generated: list[EmitFunction], corpus_dir: Path, describe_dir: Path, exclude: set[str],
    layout: BackendLayout | None = None, groups: GroupChoice | None = None,
) -> Selection:
    """The function set of a new target and a body for each: the model's where it generated one, else the nearest
    training target that has the function, renamed (confidence 0).

    Templates exist for every group any training target implements, and the model drops few of them, so writing
    every generated function gives a backend of thousands of functions that no target has (7,614 for XCore, whose
    real backend has 273), most of them declarations that cannot compile together. The set is instead what a real
    backend of this kind has: the groups of the nearest training target (description similarity), plus the groups
    that at least ``MAJORITY`` of the training targets implement, in the file kinds of the layout (``layout``: the
    kinds the training targets share, read from their sources; without it, the hand-written ``FILE_KINDS``) that the
    description has. Every chosen function thus has a file to go to."""
    groups = groups or scratch_groups(table, corpus_dir, describe_dir, exclude, layout)
    donors, wanted, support_all, every, chosen = groups.donors, groups.wanted, groups.support, groups.every, groups.chosen
    nearest = donors[0].target
    not_described = sorted(q for (st, q), ts in support_all.items() if st in every and st not in groups.stems and chosen(ts))
    own_files: dict[str, list[str]] = {}
    for (st, q), ts in sorted(support_all.items()):
        if st not in every and chosen(ts):
            own_files.setdefault(st, []).append(q)
    by_majority = sum(1 for g in wanted if nearest not in support_all[g])
    fns: dict[str, EmitFunction] = {}
    not_selected: list[str] = []
    for g in generated:
        if (g.file_stem, g.key.split("#")[0]) in wanted:
            fns[g.key] = _surer(fns.get(g.key), g)
        else:
            not_selected.append(g.key)
    generated_keys = set(fns)
    missing = {q for _stem_, q in wanted} - generated_keys
    alternates: dict[str, EmitFunction] = {}
    want_alt = {k for k in generated_keys if "#" not in k}  # a further overload has no alternate
    for d in donors:  # nearest first: each group from the nearest target that implements it
        if not missing and not want_alt:
            break
        taken, alt_taken = set(), set()
        for f in fallback_functions(d, corpus_dir, table.target, only=missing | want_alt, stems=groups.stems, target_table=table):
            group = f.key.split("#")[0]
            if group in missing:
                fns.setdefault(f.key, f)
                taken.add(group)
            elif group in want_alt and f.key == group:
                alternates[group] = f
                alt_taken.add(group)
        missing -= taken
        want_alt -= alt_taken
    renamed = described_names(list(fns.values()), table, donors)
    alternates = {renamed.get(k, k): _named(f, renamed[k]) if k in renamed else f for k, f in alternates.items()}
    fns = {renamed.get(k, k): _named(f, renamed[k]) if k in renamed else f for k, f in fns.items()}
    return Selection(list(fns.values()), donors, not_selected, by_majority, alternates, layout, not_described, own_files)


def described_names(functions: list[EmitFunction], table: Any, donors: list[Donor]) -> dict[str, str]:
    """Function key -> the key it takes: a member function of a class the description declares, under a name the
    description does not declare for it, that is a training target's member of the same role as one it does
    (``roles.RecordRoles.member``: the same shape, a like name). The set takes groups of the nearest target's own
    names: RISC-V's got LoongArch's ``<T>Subtarget::getGRLenVT``, so its subtarget declared ``getGRLenVT``, while
    generated and taken-over code, translated through the descriptions, calls the ``getXLenVT`` RISC-V declares (21
    functions failed on it). Not where the set has a function of the declared name already."""
    target = table.target
    declared = set(table.values.get("decl.method", []))
    classes = set(table.values.get("decl.class", []))
    tables = {d.target: d.table for d in donors if d.table is not None}
    if not declared or not tables:
        return {}
    roles = RecordRoles(table, tables)
    keys = {f.key.split("#")[0] for f in functions}
    out: dict[str, str] = {}
    for f in functions:
        group, hash_, number = f.key.partition("#")
        owner, _, name = group.rpartition("::")
        cls = owner.replace("<T>", target)
        if not owner or cls not in classes or f"{cls}::{name}" in declared or name == owner.rpartition("::")[2] \
                or not re.fullmatch(r"[A-Za-z_]\w*", name):
            continue
        for d in donors:
            found = roles.member(d.target, name) if d.target in tables else None
            if found and f"{cls}::{found}" in declared and f"{owner}::{found}" not in keys:
                out[f.key] = f"{owner}::{found}{hash_}{number}"
                keys.add(f"{owner}::{found}")
                break
    return out


def _named(fn: EmitFunction, key: str) -> EmitFunction:
    """``fn`` as the function ``key`` (its signature and every later candidate's named so: ``functions.named_as``)."""
    name = key.split("#")[0].rpartition("::")[2]
    alternatives = [replace(c, code=named_code(c.code, name)) for c in fn.alternatives]
    return replace(fn, key=key, signature=named_as(fn.signature, name), alternatives=alternatives)


_REGISTER_MASK_STATEMENT = re.compile(r"^(?P<indent>[ \t]*)(?P<stmt>[^\n;{}]*\bgetRegisterMask\s*\([^\n;{}]*;)[ \t]*$", re.M)


def without_register_masks(code: str, table: Any) -> str:
    """``code`` without the statements that add a call-preserved register mask to a call, where the description
    declares no callee-saved register set (``callee_saved``): TableGen then writes no mask, LLVM's
    ``getCallPreservedMask`` returns null, and a donor's ``Ops.push_back(DAG.getRegisterMask(Mask))`` (its
    ``assert(Mask)`` compiled out) put a null mask on every call, which crashed the passes after selection (XCore's
    calls, taken over from Lanai, once their call node was translated to XCore's ``BL``). A statement on one line
    only; commented out the way removed statements are."""
    if (getattr(table, "values", None) or {}).get("callee_saved") or "getRegisterMask" not in code:
        return code
    return _REGISTER_MASK_STATEMENT.sub(
        lambda m: f"{m['indent']}// vega: removed, the description has no callee-saved registers: {m['stmt']}", code)


def _surer(have: EmitFunction | None, other: EmitFunction) -> EmitFunction:
    """Of two generated versions of one function (template groups of one name: a constructor the training targets
    define in the class in some backends and in the ``.cpp`` in others), the one the model is surer of; the first
    written on a tie. Confidence is the calibrated chance that the version is right, so it also tells which of them
    matches the rest of the set: XCore's function-info constructor is AArch64's, taking the model's
    ``const XCoreSubtarget *`` (confidence 0), or ARC's, taking the ``const TargetSubtargetInfo *`` with which
    ``createMachineFunctionInfo`` constructs it (0.33); the first left the object unconstructed."""
    return other if have is None or other.confidence > have.confidence else have


def _arity(signature: str) -> int:
    try:
        return len(split_top(parse_signature(signature).params, ","))
    except ConfigError:
        return -1


def swap_edits(generated: list[EmitFunction], corpus_dir: Path, folder: str) -> tuple[list[FunctionEdit], list[EmitFunction], list[EmitFunction]]:
    """(edits, the generated functions they carry, generated functions with no counterpart in the real target).

    A generated function replaces the real function of the same group (abstracted file stem and qualified name);
    overloads are told apart by their number of parameters."""
    records: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in corpus_records(corpus_dir, {folder}):
        if not r["has_error"]:
            records.setdefault((_stem(r["file"]), r["qname"]), []).append(r)
    edits, used, missing = [], [], []
    taken: set[str] = set()
    for g in generated:
        cands = [r for r in records.get((g.file_stem, g.key.split("#")[0]), []) if r["id"] not in taken]
        if len(cands) > 1:
            n = _arity(g.signature)
            cands = [r for r in cands if _arity(r["signature"]) == n] or cands
        if not cands:
            missing.append(g)
            continue
        r = cands[0]
        taken.add(r["id"])
        g.record_id = r["id"]
        body = g.body.strip()
        edits.append(FunctionEdit(r["id"], r["path"], r["line"], r["body"], body))
        used.append(g)
    return edits, used, missing


__all__ = ["Donor", "Selection", "group_support", "abstract_name", "corpus_records", "fallback_functions", "rank_donors", "scratch_functions", "swap_edits"]
