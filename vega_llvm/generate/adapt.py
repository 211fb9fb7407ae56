"""Functions written by adapting how training targets wrote them: retrieve, choose per function, translate values.

The model alone keeps or drops each statement on its own, so a 30-statement function has 30 chances to go wrong and
the kept set is rarely a function any target would write. Copying one neighbour target whole is coherent but blind
to what the new target needs. This module does what later work in VEGA's line does (retrieval of the nearest
implementations, then adaptation):

1. **Candidates** are the template's training members: each is a complete, coherent statement set.
2. **Choice per function**: each member is scored by how well its statement set agrees with the model's presence
   confidences for the new target (``presence_score``: mean log-likelihood of keeping what it keeps and dropping
   what it drops). The model reads the target's properties that this function depends on, so the choice is per
   function and per target, not one global neighbour. Ties go to the target most similar by description.
3. **Values**: a member's value that names a record of its own description that the new target's description lacks
   (``foreign_tokens``: a donor register, instruction, fixup, ...) is replaced by the model's value for that
   statement, decoded from the new target's own described values; other values are kept as the member wrote them.

Nothing here reads the held-out target's code: the inputs are the templates (training members only), the property
tables and the model's outputs for the target's feature vectors.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from ..corpus.naming import abstract_spellings

# Kinds of described values that name a target's own records (a donor's are wrong for another target); the others
# (value types, numbers, C++ tokens of .td code, the target's name) are shared vocabulary.
RECORD_KINDS = (
    "register", "register_class", "sub_reg_index", "instruction", "operand", "asm_operand_class", "method",
    "sdnode", "isd_opcode", "complex_pattern", "select_func", "calling_conv", "callee_saved", "fixup",
    "relocation", "feature.attribute", "intrinsic", "instr_mapping", "generic_table", "searchable_index",
    "sched_model", "proc_resource", "sched_rw", "itinerary", "func_unit",
    # declared in the target's own headers (describe/declarations.py): node kinds, condition codes, variant kinds,
    # namespace constants, free functions and data members. Methods and classes are left out: a header declares
    # the LLVM interface methods it overrides (``getRegisterInfo``) and those are shared vocabulary, not records.
    "decl.enumerator", "decl.constant", "decl.function", "decl.field",
)
# How TableGen's emitters spell a record in C++ (GPR -> GPRRegClass, CSR -> CSR_SaveList).
DERIVED_SUFFIXES = {
    "register_class": ("RegClass", "RegClassID", "RegisterClass"),
    "callee_saved": ("_SaveList", "_RegMask"),
}
_IDENT = re.compile(r"[A-Za-z_]\w*")


def record_names(table: Any) -> set[str]:
    """Identifiers that name the target's own records, in the forms code writes them, with its name as ``<T>``."""
    names = {table.target, table.namespace}
    out: set[str] = set()
    for kind in RECORD_KINDS:
        for v in table.values.get(kind, []):
            v = abstract_spellings(v, names)
            forms = {v.split("::")[-1]}
            forms |= {f + s for f in list(forms) for s in DERIVED_SUFFIXES.get(kind, ())}
            out |= {f for f in forms if f and f != "<T>" and len(f) > 1}
    return out


def foreign_tokens(value: str, donor: set[str], target: set[str]) -> set[str]:
    """Identifiers of ``value`` that name a donor record the new target does not describe."""
    return {t for t in _IDENT.findall(value.replace("<T>", " ")) if t in donor and t not in target}


def own_namespace(value: str, namespace: str) -> str:
    """The donor's C++ namespace where it qualifies a name (``SP :: R0`` of Sparc) as ``<T>``: the corpus abstracts
    a target's spellings, and a namespace that is not one of them (SP, PPC's ``PPC`` is) would stay the donor's."""
    if not namespace or namespace == "<T>":
        return value
    return re.sub(rf"(?<![\w<]){re.escape(namespace)}(?=\s*::)", "<T>", value)


def scoped_enumerators(table: Any, abstract: bool = True) -> dict[str, list[str]]:
    """The enumerators the target declares, by their scope, abstracted (``{"<T>ISD": ["BR_CC", "RET_FLAG", ...]}``)
    or as the target spells it (``abstract=False``: ``"RISCVISD"``), from its headers' declarations and the ``.td``'s
    SDNode opcodes."""
    names = {table.target, table.namespace}
    out: dict[str, set[str]] = {}
    for q in (*table.values.get("decl.enumerator", []), *table.values.get("isd_opcode", [])):
        scope, _, name = q.rpartition("::")
        if scope and name:
            out.setdefault(abstract_spellings(scope, names) if abstract else scope, set()).add(name)
    return {k: sorted(v) for k, v in out.items()}


_SCOPED = re.compile(r"(?<![\w:])(<T>\w*|[A-Za-z_]\w*)(\s*::\s*)([A-Za-z_]\w*)")


def own_enumerators(value: str, donor: set[str], target: set[str], enumerators: dict[str, list[str]]) -> str:
    """``value`` with each enumerator of a target scope (``<T>ISD :: RET``) that is the donor's and not the new
    target's replaced by the target's enumerator in the same scope sharing the most name parts with it
    (``RET_FLAG``; ties: the fewest parts apart, then by name). One that shares no part is left for the model.

    The node kinds, condition codes and variant kinds of a target's own enumerations are named for their role, and a
    similar target names the same role alike (LoongArch's ``LoongArchISD::RET`` is RISC-V's ``RISCVISD::RET_FLAG``);
    the value then names a record the new target has, where the donor's would name nothing."""
    def swap(m: re.Match[str]) -> str:
        scope, sep, name = m.groups()
        if scope not in enumerators or name not in donor or name in target:
            return m.group(0)
        parts = name_parts(name)
        best = max(enumerators.get(scope, []), key=lambda e: (len(name_parts(e) & parts), -len(name_parts(e) ^ parts)),
                   default=None)
        return f"{scope}{sep}{best}" if best is not None and name_parts(best) & parts else m.group(0)

    return _SCOPED.sub(swap, value) if enumerators else value


def presence_score(template: Any, keep: Iterable[int], confidence: Callable[[int], float | None]) -> float:
    """Mean log-likelihood, under the model's per-statement presence confidences, of a whole statement set."""
    kept = set(keep)
    total, n = 0.0, 0
    for st in template.statements:
        c = confidence(st.id)
        if c is None:
            continue
        p = c if st.id in kept else 1.0 - c
        total += math.log(min(max(p, 1e-4), 1.0))
        n += 1
    return total / n if n else 0.0


@dataclass
class Adapted:
    """One candidate way to write a function: a member's statements, with values translated for the new target."""

    source: str  # "member:<target>" or "model"
    statements: list[int]
    values: dict[str, str]
    score: float
    retranslate: set[int] = field(default_factory=set)  # statements whose values come from the model
    foreign: list[str] = field(default_factory=list)  # the donor names that were replaced
    # the same statements with the values of one other training target that wrote them, most similar first, where
    # they differ from the voted ones and name nothing the new target lacks (``member_candidates``)
    variants: list["Adapted"] = field(default_factory=list)
    # for a slot of ``retranslate`` whose donor value is one instruction the target has no counterpart of by name,
    # the target's instructions that can take its place (``roles.RecordRoles.same_role``): the model chooses among
    # these, not among every instruction the slot offers
    choices: dict[str, list[str]] = field(default_factory=dict)


def member_candidates(
    template: Any,
    confidence: Callable[[int], float | None],
    donor_names: dict[str, set[str]],
    target_names: set[str],
    similarity: dict[str, float],
    namespaces: dict[str, str] | None = None,
    enumerators: dict[str, list[str]] | None = None,
    roles: Any = None,
) -> list[Adapted]:
    """The template's distinct statement sets as candidates, best first.

    A statement set's score is ``log(support) + presence_score``: ``support`` is the share of the training targets,
    weighted by the reciprocal rank of their description similarity to the new target, whose own function has exactly that set
    (a prior: what targets like this one write), and ``presence_score`` is how well the set agrees with the
    model's presence confidences for the new target (the evidence of the properties the function depends on).
    The values are those the targets that wrote the set agree on, weighted by similarity (``_voted_values``); those
    naming records the new target lacks are marked for the model to fill, after the donor's enumerators of a target
    scope are translated to the target's (``own_enumerators``; ``enumerators``: ``scoped_enumerators`` of the new
    target), and its instructions and registers to the target's of the same role (``roles``: a
    ``roles.RecordRoles``). Each candidate also carries the set as each of its other writers wrote it
    (``Adapted.variants``):
    the vote can pick a value the new target cannot take (Lanai's ``create<T>ISelDag(TM)`` where XCore declares
    ``create<T>ISelDag(TM, OptLevel)``, as ARC writes it)."""
    namespaces = namespaces or {}
    by_set: dict[tuple[int, ...], list[Any]] = {}
    for m in template.members:
        by_set.setdefault(tuple(m.statements), []).append(m)
    weight = {t: max(similarity.get(t, 0.0), 1e-6) for t in {m.target for m in template.members}}
    total = sum(weight.values())
    owner = {p.name: st.id for st in template.statements for p in st.placeholders}
    out: list[tuple[float, float, str, Adapted]] = []
    signature = overloads(template)
    for stmts, members in by_set.items():
        support = sum(weight[t] for t in {m.target for m in members}) / total
        m = max(members, key=lambda x: (weight[x.target], x.member))
        # only versions of the same overload vote: a group can hold two (Lanai's printInst helper beside the
        # printInst every target has), and a value of one is no value of the other's statements
        voters = [x for x in template.members if signature[x.member] == signature[m.member]] \
            if signature[m.member] is not None else list(template.members)
        values, redo, foreign, choices = _voted_values(template, voters, set(stmts), owner, weight, donor_names,
                                                       target_names, namespaces, enumerators or {}, roles)
        # a slot its set's own writers fill with a value the target can take keeps theirs: a value means what it
        # means beside the statements around it (ARC's ``return AsmPrinter::runOnMachineFunction(MF)`` after
        # aligning the function is no ``return false`` as after the targets that print the body themselves)
        writers = [x for x in members if signature[x.member] == signature[m.member]] \
            if signature[m.member] is not None else list(members)
        if len(writers) < len(voters):
            own_values, own_redo, _, own_choices = _voted_values(template, writers, set(stmts), owner, weight,
                                                                 donor_names, target_names, namespaces,
                                                                 enumerators or {}, roles)
            values.update({k: v for k, v in own_values.items() if owner[k] not in own_redo})
            redo = {sid for sid in redo if sid in own_redo or not any(owner[k] == sid for k in own_values)}
            choices = {k: v for k, v in (choices | own_choices).items() if owner[k] in redo}
        choices = _unused(choices, values, redo, owner)
        score = math.log(support) + presence_score(template, stmts, confidence)
        variants: list[Adapted] = []
        seen = [values]
        for x in sorted(members, key=lambda x: (-weight[x.target], x.member)):
            own, own_redo, *_ = _voted_values(template, [x], set(stmts), owner, weight, donor_names, target_names,
                                              namespaces, enumerators or {}, roles)
            if not own_redo and own not in seen:
                seen.append(own)
                variants.append(Adapted(f"member:{x.target}", list(stmts), own, score))
        out.append((-score, -weight[m.target], m.member,
                    Adapted(f"member:{m.target}", list(stmts), values, score, redo, foreign, variants, choices)))
    out.sort(key=lambda x: x[:3])
    return [c for *_, c in out]


def overloads(template: Any) -> dict[str, tuple[str, ...] | None]:
    """Each member's parameter types (its overload), in the template's spelling; None where its head does not
    parse as a function."""
    from ..templates import instantiate
    from .parameters import parameters

    out: dict[str, tuple[str, ...] | None] = {}
    for m in template.members:
        head = instantiate(template, {"statements": m.statements, "values": m.values, "spelling": "<T>"}).partition("\n")[0]
        params = parameters(head)
        out[m.member] = tuple(t for t, _ in params) if params is not None else None
    return out


def _voted_values(template: Any, members: list[Any], stmts: set[int], owner: dict[str, int], weight: dict[str, float],
                  donor_names: dict[str, set[str]], target_names: set[str],
                  namespaces: dict[str, str], enumerators: dict[str, list[str]],
                  roles: Any = None) -> tuple[dict[str, str], set[int], list[str], dict[str, list[str]]]:
    """Each placeholder of the kept statements gets the value the ``members`` (the versions of the candidate's
    overload) that have its statement agree on, weighted by description similarity, among values that name no
    record the new target lacks. A statement
    where every member's value is foreign is left to the model (returned in the set), with the donors' value kept
    until the model replaces it; where that value is one donor instruction, the target's instructions that can
    take its place are returned for the slot (``Adapted.choices``)."""
    votes: dict[str, dict[str, float]] = {}
    foreign_votes: dict[str, dict[str, float]] = {}
    alien_donor: dict[tuple[str, str], tuple[float, str]] = {}  # (slot, value) -> the heaviest donor writing it
    foreign: list[str] = []
    for m in members:
        donor = donor_names.get(m.target, set())
        have = set(m.statements)
        for name, v in m.values.items():
            sid = owner.get(name)
            if sid is None or sid not in stmts or sid not in have:
                continue
            v = own_namespace(v, namespaces.get(m.target, ""))
            if roles is not None:  # a node of the same role (``roles.node``) before one of a similar name
                v = roles.translate(m.target, v)
            v = own_enumerators(v, donor, target_names, enumerators)
            bad = foreign_tokens(v, donor, target_names)
            if bad:
                foreign.extend(sorted(bad))
                votes.setdefault(name, {})
                alien = foreign_votes.setdefault(name, {})
                alien[v] = alien.get(v, 0.0) + weight.get(m.target, 1e-6)
                alien_donor[(name, v)] = max(alien_donor.get((name, v), (-1.0, "")),
                                             (weight.get(m.target, 1e-6), m.target))
                continue
            slot = votes.setdefault(name, {})
            slot[v] = slot.get(v, 0.0) + weight.get(m.target, 1e-6)
    values: dict[str, str] = {}
    redo: set[int] = set()
    choices: dict[str, list[str]] = {}
    for name, slot in votes.items():
        if slot:
            values[name] = max(sorted(slot), key=lambda v: slot[v])
        else:
            # the model replaces it where it has a row for the statement; otherwise the donor's own value stands,
            # which names what the new target needs in that place better than an empty slot
            alien = foreign_votes.get(name, {})
            if alien:
                values[name] = v = max(sorted(alien), key=lambda v: alien[v])
                bare = re.fullmatch(r"\s*(<T>\s*::\s*)?([A-Za-z_]\w*)\s*", v)
                if roles is not None and bare and not _other_scope(template, name):
                    fits = roles.same_role(alien_donor[(name, v)][1], bare.group(2))
                    if fits:  # in the value's own form: ``<T> :: LDC_ru6`` where the donor's was scoped
                        choices[name] = [f"<T> :: {f}" if bare.group(1) else f for f in fits]
            redo.add(owner[name])
    return values, redo, sorted(set(foreign)), choices


def _unused(choices: dict[str, list[str]], values: dict[str, str], redo: set[int],
            owner: dict[str, int]) -> dict[str, list[str]]:
    """``choices`` less the instructions the candidate already names in the values it keeps: distinct instructions
    of the donor are distinct ones of the target (as ``roles.RecordRoles.instruction`` asks of a counterpart).
    LoongArch's ``case PseudoAtomicSwap32:`` beside ``case PseudoAtomicLoadNand32:``, both pseudos of one role,
    would otherwise become RISC-V's ``PseudoAtomicLoadNand32`` twice, a duplicate case that pruning takes out with
    its twin. A slot left no choice is left to the model as offered."""
    kept = {t for k, v in values.items() if owner.get(k) not in redo for t in _IDENT.findall(v)}
    out = {}
    for k, fits in choices.items():
        left = [f for f in fits if f.rpartition(" ")[2] not in kept]
        if left:
            out[k] = left
    return out


def _other_scope(template: Any, name: str) -> bool:
    """Whether the template writes placeholder ``name`` after another scope than the target's own
    (``<T>ISD :: $SV3``: a node kind; ``ISD :: $SV3``): a donor name there is no instruction, whatever else the donor
    calls by it (LoongArch's ``CRC_W_B_W`` is both a node and an instruction)."""
    for st in template.statements:
        if any(p.name == name for p in st.placeholders):
            toks = [*st.tokens, *st.close]
            at = toks.index(f"<{name}>") if f"<{name}>" in toks else -1
            return at >= 2 and toks[at - 1] == "::" and toks[at - 2] != "<T>"
    return False


def respelled(template: Any, code: str, spelling: str) -> str:
    """``code`` with every training target's name of the template in the new target's, in each case the corpus does
    not abstract: ``Triple::lanai`` and ``"lanai"`` of Lanai's ``RegisterTarget`` (only the spelling ``Lanai`` is
    ``<T>`` in a template), ``R_LANAI_32``. Left as the donor wrote them, XCore's scratch backend registered itself
    as ``lanai`` and every lit test failed on ``invalid target 'xcore'``."""
    from ..corpus.naming import respell

    names = {n for m in template.members for n in (m.target, m.spelling) if n and n != spelling}
    return respell(code, names, spelling) if names else code


def consensus(template: Any, code: str, spelling: str) -> float:
    """Share of the template's training targets whose own function, respelled for the new target, is exactly
    ``code`` (layout aside), counting the new target as one more that may disagree: ``same / (targets + 1)``.
    A function every target writes the same way is almost surely right for a new one too; one that only a single
    donor writes so is a guess (at most 1/2), however much that donor agrees with itself. This is the function
    confidence: it needs no labels."""
    from ..templates import instantiate, normalise

    want = normalise(code)
    targets = {m.target for m in template.members}
    same = {m.target for m in template.members
            if normalise(respelled(template, instantiate(template, {"statements": m.statements, "values": m.values,
                                                                     "spelling": spelling}), spelling)) == want}
    return len(same) / (len(targets) + 1)


def name_parts(name: str) -> set[str]:
    """The parts of a name between underscores and digits (``CC_Lanai32_Fast``: CC, Lanai, Fast)."""
    return {p for p in re.split(r"[_\d]+", name) if p}


_CONVENTION = re.compile(r"\b(?:RetCC|CC)_\w+")
_ROLE_PARTS = {"CC", "RetCC"}


def own_conventions(code: str, target: Any) -> str:
    """``code`` with each calling convention it names that ``target`` does not have replaced by the target's
    convention of the same role sharing the most name parts with it (none shared besides the role: left as it is).

    The model writes values through templates spelled for the new target, so a convention of a training target
    comes out respelled (Lanai's ``RetCC_Lanai32`` as ``RetCC_XCore32``) and names nothing; the description's own
    conventions (``RetCC_XCore``) are what ``CCInfo.AnalyzeReturn`` needs."""
    mine = sorted((getattr(target, "values", None) or {}).get("calling_conv", []))
    if not mine:
        return code

    def counterpart(m: re.Match[str]) -> str:
        name = m.group(0)
        if name in mine:
            return name
        same_role = [c for c in mine if c.startswith("RetCC") == name.startswith("RetCC")]
        best = max(same_role, key=lambda c: len(name_parts(c) & name_parts(name)), default=None)
        return best if best is not None and (name_parts(best) & name_parts(name)) - _ROLE_PARTS else name

    return _CONVENTION.sub(counterpart, code)


def camel_parts(name: str) -> set[str]:
    """The words of a CamelCase name (``MachineFunctionInfo``: Machine, Function, Info; ``MCInstLower``: MC, Inst,
    Lower)."""
    return set(re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z0-9]*|[a-z0-9]+", name))


def own_classes(code: str, target: Any, spelling: str, keep: Iterable[str] = ()) -> str:
    """``code`` with each class name of the target's spelling that its description does not declare replaced by the
    declared class whose words, after the spelling, are a part of its words or contain them (the most in common;
    ties: left as it is). Training targets name the same role differently (``<T>MachineFunctionInfo`` of Lanai and
    RISC-V, ``<T>FunctionInfo`` of XCore and ARC); the new target's headers say which it chose, and the other name
    is declared nowhere (XCore: four functions failed on ``'XCoreMachineFunctionInfo' was not declared``).
    ``keep``: the names of the function's own class and namespaces, which its group fixes."""
    values = getattr(target, "values", None) or {}
    if not spelling or not values.get("decl.class"):
        return code
    declared = {q.rpartition("::")[2] for kind, names in values.items() if kind.startswith("decl.") for q in names}
    classes = {c: camel_parts(c[len(spelling):]) for c in (q.rpartition("::")[2] for q in values["decl.class"])
               if c.startswith(spelling) and len(camel_parts(c[len(spelling):])) >= 2}
    if not classes:
        return code
    kept = set(keep)

    def counterpart(m: re.Match[str]) -> str:
        name = m.group(0)
        if name in declared or name in kept or name.startswith(spelling + "Gen"):
            return name
        words = camel_parts(name[len(spelling):])
        fits = sorted((len(p & words), c) for c, p in classes.items() if p < words or words < p)
        if not fits or (len(fits) > 1 and fits[-1][0] == fits[-2][0]):
            return name
        return fits[-1][1]

    return re.sub(rf"\b{re.escape(spelling)}[A-Z]\w*", counterpart, code)


# LLVM calls that take a register class for virtual registers (or for a legal value type): the class must be one
# the register allocator may assign (``isAllocatable``), or the registers it makes are never given one
_VREG_CALL = re.compile(r"\b(?:createVirtualRegister|addLiveIn|addRegisterClass)\s*\(")


def register_classes(table: Any) -> dict[str, dict[str, Any]]:
    """A description's register classes by name (``details["register_classes"]``)."""
    details = getattr(table, "details", None) or {}
    return {r["name"]: r for r in details.get("register_classes", []) or [] if r.get("name")}


def class_agreement(a: dict[str, Any], b: dict[str, Any]) -> tuple[float, int, int, float]:
    """How alike two register classes are, in that order: their value types (Jaccard), whether both are allocatable
    or neither, their register size, and their number of registers (closer is better)."""
    ta, tb = set(a.get("types") or []), set(b.get("types") or [])
    types = len(ta & tb) / len(ta | tb) if ta | tb else 0.0
    na, nb = max(len(a.get("members") or []), 1), max(len(b.get("members") or []), 1)
    return (types, int(bool(a.get("allocatable")) == bool(b.get("allocatable"))), int(a.get("size") == b.get("size")),
            -abs(math.log(na / nb)))


def own_allocatable(code: str, target: Any) -> str:
    """``code`` with each register class of ``target`` that is not allocatable, where it is passed to a call that
    makes virtual registers of it (``createVirtualRegister``, ``addLiveIn``, ``addRegisterClass``), replaced by the
    target's allocatable class most like it (``class_agreement``), when one shares a value type.

    The model fills a register-class slot from the description's classes; XCore's ``LowerCCCArguments`` came out
    with ``createVirtualRegister(&XCore::RRegsRegClass)``, XCore's class of the reserved ``CP``, ``DP``, ``SP``
    and ``LR`` (``isAllocatable = 0``), where every training target passes its general-purpose class."""
    classes = register_classes(target)
    fixed = sorted(n for n, r in classes.items() if not r.get("allocatable"))
    usable = sorted(n for n, r in classes.items() if r.get("allocatable"))
    if not fixed or not usable or not any(f"{n}RegClass" in code for n in fixed):
        return code
    swap = {}
    for n in fixed:
        best = max(usable, key=lambda c: class_agreement(classes[n], classes[c]))
        if class_agreement(classes[n], classes[best])[0] > 0:
            swap[n] = best
    if not swap:
        return code
    name = re.compile(rf"\b({'|'.join(map(re.escape, swap))})RegClass\b")
    out, last = [], 0
    for m in _VREG_CALL.finditer(code):
        if m.end() < last:  # a call inside the arguments of one already rewritten
            continue
        depth, end = 1, m.end()
        while end < len(code) and depth:
            depth += {"(": 1, ")": -1}.get(code[end], 0)
            end += 1
        out += [code[last:m.end()], name.sub(lambda k: swap[k.group(1)] + "RegClass", code[m.end():end])]
        last = end
    out.append(code[last:])
    return "".join(out)
