"""A function's further overloads: one ``result.jsonl`` row for each overload the new target is likely to have.

A group (abstracted file and qualified name) can hold several overloads of one target: RISC-V's
``isTruncateFree(Type *, Type *)`` and ``isTruncateFree(EVT, EVT)``, its four file-local ``getTargetNode`` (one per
kind of address node), ``setAttributeItem`` for a number and for a string. Generation ranks every candidate of the
group in one list and wrote the best as the group's only row, so the target's other overloads were never written:
a backend needs them all (a caller of each), and an evaluation counted them missing (7 tested RISC-V functions)
where the copy baselines, which copy per overload, had code.

Which overloads a new target has is what its author says or what its likest writers do: each overload the
description's headers declare for the function (a method's declaration in its class), and each overload that the
training target the chosen code comes from writes, where it writes more than one (a file-local function no header
declares). For each such overload other than the chosen code's own, the candidates that define it, in their rank
order, make one more row.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence, TypeVar

from .parameters import parameters, type_key

OverloadKey = tuple[tuple[str, ...], ...]
C = TypeVar("C")


def overload_key(head: str) -> OverloadKey | None:
    """The parameter types of the first function declarator of ``head`` (a declaration, or a definition's first
    line, where generated code has its whole head), each up to spelling (``parameters.type_key``); None where it does
    not parse as one."""
    params = parameters(head)
    return None if params is None else tuple(type_key(t) for t, _ in params)


def _head(code: str) -> str:
    return code.partition("\n")[0]


def donor_of(source: str) -> str | None:
    """The training target a candidate was adapted from (``member:LoongArch``), None for the model's own."""
    kind, _, target = source.partition(":")
    return target if kind == "member" and target else None


def wanted_overloads(chosen_donor: str | None, members: Sequence[Any], member_codes: Sequence[str],
                     declared: Iterable[str]) -> list[OverloadKey]:
    """The overloads the new target is taken to have, in order: the description's declarations of the function
    (``declared``: ``parameters.declared_signatures``), then the versions of ``chosen_donor``'s (``members`` with
    their code ``member_codes``, in the new target's spelling) where that target has more than one."""
    out = [k for k in (overload_key(sig) for sig in declared) if k is not None]
    own = [k for m, code in zip(members, member_codes) if m.target == chosen_donor
           for k in [overload_key(_head(code))] if k is not None]
    if len(set(own)) > 1:
        out += own
    return list(dict.fromkeys(out))


def further_overloads(ranked: Sequence[C], code_of: Any, source_of: Any, members: Sequence[Any],
                      member_codes: Sequence[str], declared: Iterable[str],
                      more: Callable[[], Iterable[C]] | None = None) -> list[list[C]]:
    """For each wanted overload (``wanted_overloads``) other than that of ``ranked[0]`` (the chosen candidate), the
    candidates of ``ranked`` that define it, best first; where none does, those of ``more()`` (asked once, at the
    first need: the candidates' statements as each of their writers wrote them, ``adapt.Adapted.variants``, for
    two overloads of one target have the same statements and differ in their values: LoongArch's four
    ``getTargetNode``); overloads no candidate defines are left out. ``code_of``/``source_of`` read a candidate's
    code and source."""
    if not ranked:
        return []
    chosen = overload_key(_head(code_of(ranked[0])))
    donor = next((d for d in (donor_of(source_of(c)) for c in ranked) if d), None)
    keys = [overload_key(_head(code_of(c))) for c in ranked]
    extra: list[tuple[C, OverloadKey | None]] | None = None
    out = []
    for want in wanted_overloads(donor, members, member_codes, declared):
        if want == chosen:
            continue
        found = [c for c, k in zip(ranked, keys) if k == want]
        if not found and more is not None:
            if extra is None:
                extra = [(c, overload_key(_head(code_of(c)))) for c in more()]
            found = [c for c, k in extra if k == want]
        if found:
            out.append(found)
    return out
