"""A candidate without the statements that name what the new target does not have.

Every candidate of a function is a training target's statement set; where each of them names something the new
target's description and LLVM's headers do not declare (Lanai's ``LowerOperation`` dispatches to ``LowerMUL``, which
XCore has no such function for; ``LLVMInitialize<T>TargetMC`` registers ``create<T>ElfRelocation``), the best of
them cannot compile. The same statement set without those statements (and what they enclose) is a function the
target can build, and often the one it needs: its own backend simply has fewer cases, registrations or checks.

Nothing here reads the target's real code: the statements go by the names the visibility check reported.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable

_IDENT = re.compile(r"[A-Za-z_]\w*")
# statements that only label the ones they enclose: ``case B:`` left without them does not compile
_LABELS = ("case_statement", "labeled_statement")
# statements whose body is the statement that follows their head (``if (c)`` then ``return x;``): left without any
# of the body they enclose, they would take the next statement of the function as theirs
_HEADS = frozenset({"if_statement", "else_clause", "for_statement", "for_range_loop", "while_statement",
                    "switch_statement", "do_statement"})


def offending_names(undeclared: Iterable[str]) -> set[str]:
    """The identifiers to look for in the statements: the last part of ``Scope::Name`` (``XCoreISD::BARRIER``),
    the name of ``name/arity`` (a call of another overload) and of ``value/case`` (a case value twice in a switch,
    ``duplicate_cases``)."""
    return {u.split("/")[0].rpartition("::")[2] for u in undeclared if u}


def without_statements(template: Any, keep: list[int], names: set[str], head: Callable[[Any], str],
                       share: float = 0.5) -> list[int] | None:
    """``keep`` without every statement whose own line (``head``: the statement's head and tail as the candidate
    spells them) names one of ``names``, and without what such a statement encloses. None where nothing is left
    out, where the function's own head would go (the definition itself names it), where a ``return`` of the body's
    own level would (``_ends_open``), or where more than ``share`` of the statements would: such a function is no
    longer the candidate adapted, but a different one."""
    if not names:
        return None
    kept = set(keep)
    drop: set[int] = set()
    for st in template.statements:
        if st.id in kept and names & set(_IDENT.findall(head(st))):
            if st.parent is None:
                return None
            drop.add(st.id)
    if not drop:
        return None
    changed = True
    while changed:
        changed = False
        for st in template.statements:
            if st.id in kept and st.id not in drop and st.parent in drop:  # what a dropped statement encloses
                drop.add(st.id)
                changed = True
            elif st.id in kept and st.id not in drop and st.kind in _LABELS:  # a label with nothing left to label
                inner = [s.id for s in template.statements if s.parent == st.id and s.id in kept]
                if inner and all(i in drop for i in inner):
                    drop.add(st.id)
                    changed = True
    if len(drop) > share * len(kept) or _ends_open(template, drop):
        return None
    return [s for s in keep if s not in drop]


def _ends_open(template: Any, drop: set[int]) -> bool:
    """Whether ``drop`` takes out a ``return`` of the function body's own level: without it the function runs off
    its end (XCore's ``LowerCCCCallTo`` without ``return LowerCallResult(...)``, pruned for naming it, compiled and
    trapped in every test that makes a call), so the pruned candidate is no function at all."""
    root = _root(template)
    body = {root} | {st.id for st in template.statements
                     if st.parent is not None and st.parent == root and st.kind == "compound_statement"}
    return any(st.id in drop and st.kind == "return_statement" and st.parent in body for st in template.statements)


def _root(template: Any) -> int | None:
    return next((st.id for st in template.statements if st.parent is None), None)


def with_bodies(template: Any, keep: list[int]) -> list[int]:
    """``keep`` without each ``if``, ``else``, loop or ``switch`` none of whose own body is kept (an ``if`` with
    only its ``else`` left has none), and without what it still encloses.

    A statement set is chosen line by line (the model keeps each on its confidence; pruning takes out what names
    something the target lacks), and the lines are written one after the other: RISC-V's ``matchRegisterNameHelper``
    kept ``if (RegNo == RISCV::NoRegister)`` without the ``RegNo = MatchRegisterAltName(Name);`` under it, so the
    ``return`` after it became its body, and the function fell off its end for every register it found. Such a
    head tests something and then does nothing: without it the function is what the kept lines say."""
    kept = set(keep)
    children: dict[int, list[Any]] = {}
    for st in template.statements:
        if st.parent is not None:
            children.setdefault(st.parent, []).append(st)
    changed = True
    while changed:
        changed = False
        for st in reversed(template.statements):  # the innermost first: its going may leave the one around it bare
            if st.id not in kept or st.kind not in _HEADS:
                continue
            if not any(c.id in kept and c.kind != "else_clause" for c in children.get(st.id, ())):
                stack = [st]
                while stack:
                    cur = stack.pop()
                    kept.discard(cur.id)
                    stack.extend(children.get(cur.id, ()))
                changed = True
    return [s for s in keep if s in kept]


def duplicate_cases(code: str) -> list[str]:
    """The case values that label two cases of one ``switch`` in ``code`` (spaces taken out: ``RISCV::AND``), which
    does not compile ("duplicate case value"). A donor's dispatch over two of its instructions, both taken for one
    of the new target's (by the model's value for each slot, or by a translation of one of them), reads so; without
    those cases (``without_statements`` over the names reported) the rest of the dispatch stands."""
    from .visible import syntax_tree

    out: set[str] = set()
    stack = [syntax_tree(code)]
    while stack:
        node = stack.pop()
        if node.type == "switch_statement":
            body = node.child_by_field_name("body")
            seen: set[str] = set()
            for case in (body.named_children if body is not None else []):
                value = case.child_by_field_name("value") if case.type == "case_statement" else None
                if value is None or not value.text:
                    continue
                text = "".join(value.text.decode("utf-8", "replace").split())
                if text in seen:
                    out.add(text)
                seen.add(text)
        stack.extend(node.children)
    return sorted(out)
