"""A candidate's body judged under the real function's head, with the candidate's own parameter names.

The judge swaps only bodies: the real definition's head stays, so that the file's declarations and callers match
(``swap``, ``schema``). A candidate is a whole definition, though, and a definition names its parameters as it
likes: RISC-V's header declares ``storeRegToStackSlot(..., MachineBasicBlock::iterator MBBI, ...)`` and its ``.cpp``
defines it with ``I``; a candidate that follows the header (as generation does, from the description) and says
``MBBI`` in its body was charged "'MBBI' was not declared", though it is a correct definition of the declared
function. The same for RISC-V's ``lowerReturn(MachineIRBuilder &MIRBuiler, ...)`` (the header's spelling), for
``raw_ostream &O`` against the real ``OS``, and so on: 28 of RISC-V's and 10 of XCore's compile errors at
``5161fe9`` named one of the candidate's own parameters.

So each parameter the candidate names differently from the real head at the same position gets a reference to the
real one under the candidate's name at the top of the body (``auto &&MBBI = I;``), on the line of the opening brace
so that the compiler's line numbers still fall inside the body. Nothing else changes: the types are the real
head's, so a candidate whose parameters differ in kind (another overload, another order) still fails to compile, as
it should. Applied to every system alike: a copied body (nearest, ForkFlow, the oracle) is judged with its donor's
signature as its head, respelled as the body is; exact match and statement accuracy keep reading the candidate as
written.
"""

from __future__ import annotations

import re

from ..generate.parameters import parameters

_IDENT = re.compile(r"[A-Za-z_]\w*")


def aliases(candidate_head: str, real_head: str, body: str) -> list[tuple[str, str]]:
    """(candidate's name, real name) for each parameter position where the two differ, the real one has a name,
    the candidate's is no other parameter's real name (that one would shadow it) and the body uses it."""
    mine, real = parameters(candidate_head), parameters(real_head)
    if not mine or not real or len(mine) != len(real):
        return []
    real_names = {n for _, n in real if n}
    used = set(_IDENT.findall(body))
    return [(m, r) for (_, m), (_, r) in zip(mine, real)
            if m and r and m != r and m not in real_names and m in used]


def head_of(text: str, body: str) -> str:
    """What comes before ``body`` in the candidate ``text`` (its head), or "" where ``text`` is no head and body."""
    whole = text.strip()
    if not body.startswith("{") or body == whole or not whole.endswith(body):
        return ""
    return whole[: len(whole) - len(body)]


def judged_body(head: str, body: str, real_head: str) -> str:
    """``body`` (of a candidate whose own head is ``head``: ``head_of``, or a copied body's donor signature) as it
    is put in the real function's place: with references under the candidate's parameter names to the real head's
    parameters (``aliases``)."""
    pairs = aliases(head, real_head, body) if head and body.startswith("{") else []
    if not pairs:
        return body
    return "{ " + " ".join(f"auto &&{m} = {r};" for m, r in pairs) + body[1:]
