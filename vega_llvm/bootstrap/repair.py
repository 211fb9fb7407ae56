"""The repair ladder: what the bootstrap loop does to a function that a build's errors are charged to.

Each rung is a small function ``step(fn, charged, state) -> Repair | None``: the function as it is now, the
compiler's answer about it (``Charged``) and what the loop has done so far (``RepairState``) give either a
replacement or None, which passes the function to the next rung. ``SCRATCH`` and ``SWAP`` are the ladders, tried in
order, once per function per round; a new repair is one function here and one line in a ladder.

Scratch::

    fix_arguments      an argument, returned value or member access one ``&``, ``*`` or ``->`` off (``arguments``): fixed
    next_candidate     the model's next candidate for the function (generate --candidates), before anything else;
                       not one that the first build's probe, or the last error, shows naming what does not exist
    remove_statements  a taken-over body whose every error is on a statement that can go alone: those commented out
    repair_head        a constructor whose errors are all in its initializer list: the failing initializers out
    donor_code         the nearest training target's implementation, renamed
    stub               a body that calls report_fatal_error (not for an error in the head, nor a second time)
    leave_out          the function is not written (an LLVM interface function then keeps LLVM's default)

Swap: ``next_candidate``, then ``real_body`` (the target's own body back).

Runtime (``RUNTIME``, for a function the failing lit tests stop at): ``next_candidate``, then ``drop_fatal_checks``
(a stop on the code's own ``report_fatal_error`` checks or a ``switch``'s ``default: llvm_unreachable``: those made
empty, before the whole body is replaced), then ``donor_code``, then ``bypass_stub`` (a stub reached: the branches
of its callers that only call it taken out), then ``llvm_default`` (an override of an LLVM interface function left
out: LLVM's default runs).

Out of rounds (``LAST``, scratch): ``stub``, then ``leave_out``, for what the last build still charges.

Every step taken is kept in ``RepairState.moves`` with the compiler line that caused it: the report's round-by-round
account of which function moved to what, and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from ..errors import ConfigError
from ..evaluate.swap import bracket_error
from ..emit.functions import EmitFunction, parse_signature
from ..emit.layout import NOT_TYPES
from .arguments import ArgumentFix, apply_fixes, argument_value, same_error


@dataclass
class Charged:
    """A build's answer about one function."""

    key: str
    error: str  # the first compiler line charged to it (before any build: why its text cannot compile)
    at_head: bool = False  # an error is on its declaration or definition head
    located: list[tuple[tuple[str, int], str]] = field(default_factory=list)  # the build's errors: (file, line), message
    body_at: tuple[str, int, int, list[str]] | None = None  # where its body was rendered: file, first/last line, lines
    head_at: tuple[str, int, str] | None = None  # where its definition head was rendered: file, line, text
    head_columns: set[int] = field(default_factory=set)  # 1-based columns of the errors on its head line
    base: str = ""  # the base class of its class (a constructor's base initializer is kept)
    argument_fixes: list[ArgumentFix] = field(default_factory=list)  # the build's calls one indirection off (all files)
    candidate: int | None = None  # the candidate (1-based) that answers it, where the charge names one


@dataclass
class Repair:
    """One step taken: what the function is now."""

    step: str
    fn: EmitFunction | None = None  # the function in its new form (None: a stub, the real body, or left out)
    to: str = ""  # what it moved to, for the report: "candidate 2 (member:Lanai)", "fallback:Lanai", "stub", ...
    lines: set[int] = field(default_factory=set)  # remove_statements: body lines commented out
    candidate: int | None = None  # next_candidate: the index in the function's candidates (0: generate's first)
    callers: dict[str, EmitFunction] = field(default_factory=dict)  # bypass_stub: other functions changed (the fn stays)
    left_out: list[str] = field(default_factory=list)  # bypass_stub: callers left out (LLVM's default in their place)


@dataclass
class RepairState:
    """What the repair loop has done so far, by function key."""

    alternates: dict[str, EmitFunction] = field(default_factory=dict)  # scratch: the nearest target's implementation
    overrides_llvm: Callable[[str], bool] = lambda key: False  # whether the function overrides an LLVM interface one
    candidate: dict[str, int] = field(default_factory=dict)  # key -> the candidate in place when not the first
    moved: dict[str, str] = field(default_factory=dict)  # key -> the error that moved it to a later candidate
    fell_back: dict[str, str] = field(default_factory=dict)  # key -> the error that gave it the donor's code
    replaced: dict[str, str] = field(default_factory=dict)  # key -> the error that stubbed it (swap: real body back)
    dropped: dict[str, str] = field(default_factory=dict)  # key -> the error that left it out
    removed: dict[str, set[int]] = field(default_factory=dict)  # key -> body lines commented out
    fixed: dict[str, set[str]] = field(default_factory=dict)  # key -> body lines as fix_arguments found and left them
    probe_failed: dict[str, set[int]] = field(default_factory=dict)  # key -> its candidates (1-based) a probe build failed
    functions: dict[str, EmitFunction] = field(default_factory=dict)  # every function as it is now (``repair_round``)
    moves: list[dict[str, Any]] = field(default_factory=list)  # every step taken, for the report

    def record(self, key: str, name: str, rep: Repair, error: str, round_: int | str) -> None:
        """Keep what ``rep`` did to the function ``key`` (shown as ``name``), charged with ``error``."""
        if rep.step == "next_candidate":
            self.candidate[key] = rep.candidate or 0
            self.moved[key] = error
        elif rep.step == "donor_code":
            self.fell_back[key] = error
        elif rep.step in ("stub", "real_body"):
            self.replaced[key] = error
        elif rep.step in ("leave_out", "llvm_default"):
            self.dropped[key] = error
        elif rep.step == "remove_statements":
            self.removed.setdefault(key, set()).update(rep.lines)
        for caller in rep.left_out:
            self.dropped[caller] = error
        self.moves.append({"round": round_, "function": name, "key": key, "step": rep.step, "to": rep.to, "error": error})


Step = Callable[[EmitFunction, Charged, RepairState], "Repair | None"]


def _llvm_knows() -> Callable[[str], bool]:
    from ..emit.layout import llvm_knows

    return llvm_knows()


def fix_arguments(fn: EmitFunction, charged: Charged, state: RepairState) -> Repair | None:
    """When the function's first error is one indirection off (``arguments``: an argument, a returned value, a
    member access) or a call that leaves out arguments of a declaration of ours (``arguments.argument_value`` gives
    them), the function with every such place in its body fixed, in whatever code it is now (the
    model's, the donor's); not twice to the same text. A function whose first error is another goes on down the
    ladder, which replaces the code the fixes would have been made in."""
    if charged.body_at is None or fn.source.startswith("stub"):
        return None
    if not any(same_error(f, charged.error) for f in charged.argument_fixes):
        return None
    path, first, _last, rendered = charged.body_at
    body = fn.body.strip().splitlines()
    seen = state.fixed.setdefault(charged.key, set())
    by_line: dict[int, list[ArgumentFix]] = {}
    for fix in charged.argument_fixes:
        i = fix.line - first
        if fix.file == path and 0 < i < min(len(body), len(rendered)):
            by_line.setdefault(i, []).append(fix)
    done = []
    code = f"{fn.signature}\n{fn.body}"
    for i, fixes in sorted(by_line.items()):
        old_code = rendered[i].split("// vega:")[0].rstrip()
        new_code = apply_fixes(old_code, fixes, lambda n: argument_value(n, code, _llvm_knows())).strip()
        old_code = old_code.strip()
        if new_code == old_code or _code(body[i]) != _code(rendered[i]) or " ".join(new_code.split()) in seen:
            continue
        seen.update({" ".join(old_code.split()), " ".join(new_code.split())})
        body[i] = body[i].replace(old_code, new_code, 1)
        done.append(new_code)
    if not done:
        return None
    return Repair("fix_arguments", replace(fn, body="\n".join(body)), f"{len(done)} line(s): {' | '.join(done)}"[:200])


# what the compiler says a name is not, in either quoting (g++ in a UTF-8 locale, or in C)
MISSING_NAME = re.compile(
    r"[‘']((?:\w+::)*~?\w+)[’'] (?:was not declared|has not been declared|is not a member of|is not a namespace-name"
    r"|does not name a type)|has no member named [‘'](\w+)[’']")
_NOT_DECLARING = frozenset({"return", "case", "throw", "delete", "new", "else", "goto", "co_return", "sizeof"})


def missing_names(charged: Charged) -> set[str]:
    """The names the build said do not exist, in the errors on the function's own body (its first error, where
    the build gave no lines): a later candidate that uses one of them without declaring it fails the same way."""
    messages = [charged.error]
    if charged.body_at is not None:
        path, first, last, _lines = charged.body_at
        messages += [msg for (file, line), msg in charged.located
                     if first <= line <= last and str(Path(file).resolve()) == path]
    out = set()
    for msg in messages:
        for m in MISSING_NAME.finditer(msg):
            out.add((m.group(1) or m.group(2)).split("::")[-1])
    return out


def uses_missing(text: str, names: set[str]) -> bool:
    """Whether ``text`` (a candidate's head and body) uses one of ``names`` without declaring it (a parameter or
    local of that name is the candidate's own)."""
    for name in names:
        if not re.search(rf"(?<![\w.>:]){re.escape(name)}\b|(?:\.|->|::){re.escape(name)}\b", text):
            continue
        declared = [m for m in re.finditer(rf"\b([\w:>]+)[\s*&]+{re.escape(name)}\s*(?:[=;,(){{\[]|$)", text, re.M)
                    if m.group(1) not in _NOT_DECLARING]
        if not declared:
            return True
    return False


def next_candidate(fn: EmitFunction, charged: Charged, state: RepairState) -> Repair | None:
    """The model's next candidate whose text can compile (brackets pair up, the signature parses, it does not use
    a name the build just said does not exist: ``missing_names``, nor did the first build's probe of it:
    ``trees.probe_copies``), while the function is still the model's. The skipped ones would each have cost a build
    round to fail the same way. A charge that names its candidate (``Charged.candidate``) moves to that one only."""
    if fn.source != "model" or charged.key in state.fell_back or charged.key in state.replaced:
        return None
    tried = {" ".join(fn.body.split())}
    missing = missing_names(charged)
    first = state.candidate.get(charged.key, 0)
    order = range(first, len(fn.alternatives))
    if charged.candidate is not None:  # the charge names the candidate that answers it: that one only
        wanted = charged.candidate
        order = range(wanted - 1, wanted) if first < wanted <= len(fn.alternatives) else range(0)
    for i in order:
        c = fn.alternatives[i]
        sig, body = c.signature_and_body()
        if not body.strip() or " ".join(body.split()) in tried or bracket_error(body):
            continue
        if (missing and uses_missing(f"{sig}\n{body}", missing)) or i + 1 in state.probe_failed.get(charged.key, ()):
            continue
        try:
            parse_signature(sig)
        except ConfigError:
            continue
        new = replace(fn, signature=sig, body=body, confidence=c.confidence, statements=[], origin=c.source)
        return Repair("next_candidate", new, f"candidate {i + 1}" + (f" ({c.source})" if c.source else ""), candidate=i + 1)
    return None


def remove_statements(fn: EmitFunction, charged: Charged, state: RepairState) -> Repair | None:
    """Comment out the statements of a taken-over body (the nearest target's code) when every error in it is on a
    statement that can be taken out alone."""
    if not fn.source.startswith("fallback") or charged.at_head or charged.body_at is None:
        return None
    lines = removable_errors(charged.located, {charged.key: charged.body_at}, {charged.key}).get(charged.key)
    if not lines:
        return None
    return Repair("remove_statements", to=f"{len(lines)} lines commented out", lines=lines)


def repair_head(fn: EmitFunction, charged: Charged, state: RepairState) -> Repair | None:
    """A constructor whose head errors are all in its initializer list, without the failing initializers; not again
    for the error an earlier repair of its head left as it was (RISC-V's subtarget constructor was "repaired" three
    rounds running for a member whose class cannot be default-constructed, which no initializer of its fixes)."""
    if not charged.at_head or charged.head_at is None or not charged.head_columns:
        return None
    if any(m["step"] == "repair_head" and m.get("key") == charged.key and m["error"] == charged.error for m in state.moves):
        return None
    head = charged.head_at[2]
    try:
        new = repaired_head(head, charged.head_columns, charged.base)
    except ConfigError:
        return None
    if not new or new == head:
        return None
    return Repair("repair_head", replace(fn, signature=new), "initializer list repaired")


def donor_code(fn: EmitFunction, charged: Charged, state: RepairState) -> Repair | None:
    """The nearest training target's implementation (renamed), once."""
    alt = state.alternates.get(charged.key)
    if alt is None or charged.key in state.fell_back:
        return None
    return Repair("donor_code", alt, alt.source)


def stub(fn: EmitFunction, charged: Charged, state: RepairState) -> Repair | None:
    """A stub body (``stub_function``), unless the error is in the head (a stub keeps it), the function is a stub
    already, or it overrides an LLVM interface function (LLVM's default, or a required stub, does better)."""
    if charged.at_head or charged.key in state.replaced or state.overrides_llvm(charged.key):
        return None
    return Repair("stub", to="stub")


def leave_out(fn: EmitFunction, charged: Charged, state: RepairState) -> Repair | None:
    """The last rung: the function is not written."""
    return Repair("leave_out", to="left out")


def llvm_default(fn: EmitFunction, charged: Charged, state: RepairState) -> Repair | None:
    """A function the tests crash or stop in that overrides an LLVM interface function with a default of its own,
    left out so that LLVM's default runs: RISC-V's ``getNumRegistersForCallingConv``, generated and then taken from
    Mips, crashed in every test with a call, where LLVM's own answer (the type's legal registers) is what most
    targets keep. Not a function already left out (LLVM's default is what crashed), nor a stub the ladder wrote
    for a compile error (its callers are bypassed first). The round is kept only if no more tests fail."""
    if not state.overrides_llvm(charged.key) or charged.key in state.dropped or "(left out)" in charged.error:
        return None
    return Repair("llvm_default", to="left out (LLVM's default)")


def real_body(fn: EmitFunction, charged: Charged, state: RepairState) -> Repair | None:
    """Swap: the target's own body back (the last rung)."""
    return Repair("real_body", to="the real body")


_FATAL_CHECK = re.compile(r'\breport_fatal_error\s*\(\s*"((?:[^"\\]|\\.)*)"\s*\)\s*;')
# the ``llvm_unreachable`` a ``switch``'s default label leads to (comments between, as emitted code has them)
_DEFAULT_UNREACHABLE = re.compile(
    r'(\bdefault\s*:(?:\s*//[^\n]*)?\s*)llvm_unreachable\s*\(\s*"((?:[^"\\]|\\.)*)"\s*\)\s*;')


def drop_fatal_checks(fn: EmitFunction, charged: Charged, state: RepairState) -> Repair | None:
    """A function the tests crash in, or reach an ``llvm_unreachable`` of, whose code stops on checks of its own
    (``report_fatal_error("...")`` with a message, not a stub's; the ``llvm_unreachable`` of a ``switch``'s
    ``default:``): each such call made an empty statement, the message kept in a comment. A donor's checks are
    about the donor's features and values: LoongArch's ``initializeSubtargetDependencies``, taken over for RISC-V,
    stops on "Please use one feature of 32bit and 64bit", which no RISC-V feature set satisfies; LoongArch's
    calling convention switches over its own ABIs (``ABI_ILP32S``...), and RISC-V's default ``ABI_LP64`` reaches
    the ``default: llvm_unreachable("Unexpected ABI")``. Without the call the default label runs on into the next
    case's code, the way the donor treats its nearest values. The lit round that makes this step is kept only if no
    more tests fail (``pipeline._test_rounds``)."""
    if not re.search(r"\((?:crash|unreachable)\)", charged.error) or fn.source.startswith("stub") \
            or "vega-llvm:" in fn.body:
        return None
    found = _FATAL_CHECK.findall(fn.body) + [m[1] for m in _DEFAULT_UNREACHABLE.findall(fn.body)]
    if not found:
        return None

    def note(message: str) -> str:
        return f"/* vega: the donor's check stopped the tests: {message.replace('*/', '')} */ ;"

    body = _FATAL_CHECK.sub(lambda m: note(m.group(1)), fn.body)
    body = _DEFAULT_UNREACHABLE.sub(lambda m: m.group(1) + note(m.group(2)), body)
    return Repair("drop_fatal_checks", replace(fn, body=body), f"{len(found)} check(s) made empty")


# ``if (<cond>) <stub>(...);``, or a block of that call and a ``continue;``, ``break;`` or bare ``return;``
_BYPASS_EXITS = ("continue_statement", "break_statement", "return_statement")
_CASE_EXITS = (*_BYPASS_EXITS, "goto_statement", "throw_statement")


def _is_stub(fn: EmitFunction, key: str, state: RepairState) -> bool:
    return key in state.replaced or fn.source.startswith("stub") or "vega-llvm:" in fn.body


def stub_branches(body: str, name: str) -> list[tuple[int, int]]:
    """(start, end) offsets in ``body`` (a function body, ``{ ... }``) of each branch that only calls ``name``:
    an ``if`` without ``else`` whose whole branch is that call as a statement of its own (at most a ``continue;``,
    ``break;`` or bare ``return;`` after it); and a ``case`` of a ``switch`` that is such a statement or a
    ``return`` of the call, with the empty labels that fall into it (not ``default:``, which has nowhere else to
    go). Without the ``case``, its values take the switch's general way, as every value it does not name:
    ``PerformDAGCombine``'s ``case ISD::AND: return performANDCombine(...)`` becomes no combine. An ``if`` that
    returns the call is left (what follows it was written for the other cases only). Comments aside; tree-sitter
    reads the body."""
    from ..generate.visible import syntax_tree

    prefix = "void vega_caller() "
    data = (prefix + body).encode("utf-8")
    shift = len(prefix.encode())
    out: list[tuple[int, int]] = []

    def is_call(node: Any) -> bool:
        if node.type != "call_expression":
            return False
        fn = node.child_by_field_name("function")
        text = data[fn.start_byte:fn.end_byte].decode("utf-8", "replace") if fn is not None else ""
        return re.sub(r"\s+", "", text).removeprefix("this->") == name

    def calls_it(node: Any, returns: bool) -> bool:
        kinds = ("expression_statement", "return_statement") if returns else ("expression_statement",)
        return node.type in kinds and len(node.named_children) == 1 and is_call(node.named_children[0])

    def bypassable(parts: list[Any], returns: bool = False) -> bool:
        parts = [c for c in parts if c.type != "comment"]
        if not parts or not calls_it(parts[0], returns) or len(parts) > 2:
            return False
        return len(parts) == 1 or (parts[0].type != "return_statement" and parts[1].type in _BYPASS_EXITS
                                   and not parts[1].named_children)

    stack = [syntax_tree(data.decode("utf-8", "replace"))]
    while stack:
        node = stack.pop()
        if node.type == "if_statement" and node.child_by_field_name("alternative") is None:
            branch = node.child_by_field_name("consequence")
            if branch is not None and bypassable(list(branch.named_children) if branch.type == "compound_statement"
                                                 else [branch]):
                out.append((node.start_byte - shift, node.end_byte - shift))
                continue
        if node.type == "compound_statement" and node.parent is not None and node.parent.type == "switch_statement":
            cases = [c for c in node.named_children if c.type == "case_statement"]
            for i, case in enumerate(cases):
                value = case.child_by_field_name("value")
                statements = [c for c in case.named_children if c != value]
                if value is None or not statements or not bypassable(statements, returns=True):
                    continue
                first = i
                while first > 0:  # ``case ISD::OR: case ISD::AND: return ...``: the labels falling into it
                    before = cases[first - 1]
                    label = before.child_by_field_name("value")
                    if label is None or [c for c in before.named_children if c != label and c.type != "comment"]:
                        break
                    first -= 1
                if first > 0:  # a case with statements before it must not fall through into it
                    last = [c for c in cases[first - 1].named_children if c.type != "comment"][-1:]
                    if not last or last[0].type not in _CASE_EXITS:
                        continue
                out.append((cases[first].start_byte - shift, case.end_byte - shift))
        stack.extend(node.children)
    return sorted(out)


def forwards_to(body: str, name: str) -> bool:
    """Whether ``body`` only calls ``name`` (plain or qualified: ``RISCVInstrInfo::isLoadFromStackSlot``): its
    statements, comments aside, are declarations that call nothing, then one ``return`` of the call or the call as
    a statement (its arguments as they may be). RISC-V's ``isLoadFromStackSlot(MI, FrameIndex)`` returns the three-argument overload's answer, a
    stub; its ``findCommutedOpIndices(MI, ...)`` another overload's."""
    from ..generate.visible import syntax_tree

    prefix = "void vega_caller() "
    tree = syntax_tree(prefix + body)
    fns = [n for n in tree.named_children if n.type == "function_definition"]
    block = fns[0].child_by_field_name("body") if len(fns) == 1 else None
    parts = [c for c in block.named_children if c.type != "comment"] if block is not None else []
    if not parts or parts[-1].type not in ("return_statement", "expression_statement"):
        return False
    if any(p.type != "declaration" or _calls(p) for p in parts[:-1]) or len(parts[-1].named_children) != 1:
        return False
    call = parts[-1].named_children[0]
    if call.type != "call_expression":
        return False
    callee = call.child_by_field_name("function")
    text = re.sub(r"\s+", "", callee.text.decode("utf-8", "replace")) if callee is not None else ""
    return text.removeprefix("this->").rpartition("::")[2] == name


def _calls(node: Any) -> bool:
    """Whether the syntax tree ``node`` holds a call."""
    return node is not None and (node.type == "call_expression" or any(_calls(c) for c in node.named_children))


def bypass_stub(fn: EmitFunction, charged: Charged, state: RepairState) -> Repair | None:
    """A stub the tests reach (a helper of the donor's that nothing of the new target's could be written as), with
    the branches that call it taken out of its callers: the callers then treat that case the general way. Lanai's
    ``emitInstruction`` sends every call to its own ``emitCallInstruction`` (save the return address, branch), which
    names Lanai's instructions and was stubbed for XCore; every test with a call stopped there, while XCore's calls
    are lowered like any other instruction (``customEmitInstruction``, the branch's ``else``). Only an ``if`` without
    ``else`` whose branch is the call alone, or a ``case`` that is (``stub_branches``), and not for a stub that
    overrides an LLVM interface function (LLVM calls those itself). A caller that overrides one and only forwards to
    the stub (``forwards_to``) is left out instead: LLVM's default answers for it. The round is kept only if no more
    tests fail (``pipeline._test_rounds``)."""
    if "(stub)" not in charged.error or not _is_stub(fn, charged.key, state) or state.overrides_llvm(charged.key):
        return None
    name = charged.key.partition("#")[0].rpartition("::")[2].replace("<T>", "")
    if not name or name.startswith("~"):
        return None
    callers: dict[str, EmitFunction] = {}
    left_out: list[str] = []
    for key, other in state.functions.items():
        if key == charged.key or name not in other.body or _is_stub(other, key, state) or key in state.dropped:
            continue
        if state.overrides_llvm(key) and forwards_to(other.body, name):
            left_out.append(key)  # LLVM's default of the interface function answers in its place
            continue
        spans = stub_branches(other.body, name)
        if not spans:
            continue
        data = other.body.encode("utf-8")
        for start, end in reversed(spans):  # as many lines as before: commented-out line numbers stay right
            note = f"/* vega: the call of {name}, still to be written, taken out */".encode()
            data = data[:start] + note + b"\n" * data[start:end].count(b"\n") + data[end:]
        callers[key] = replace(other, body=data.decode("utf-8"))
    if not callers and not left_out:
        return None
    to = [f"its calls taken out of {', '.join(sorted(callers))}"] if callers else []
    to += [f"{', '.join(sorted(left_out))} left out (LLVM's default)"] if left_out else []
    return Repair("bypass_stub", None, "; ".join(to), callers=callers, left_out=sorted(left_out))


SCRATCH: list[Step] = [fix_arguments, next_candidate, remove_statements, repair_head, donor_code, stub, leave_out]
SWAP: list[Step] = [next_candidate, real_body]
# Out of rounds (scratch): what a build still charges goes straight to the end of the ladder, so that the core
# libraries link with it stubbed or left out; one more step each would need more rounds than are left. The XCore
# run at 289504d ran out with one core file failing and linked neither llc nor llvm-mc.
LAST: list[Step] = [stub, leave_out]
# A function that compiles but that lit tests stop at (``pipeline._test_rounds``): only steps that put other code in
# its place; a stub or leaving it out would stop the same tests, or remove what the rest calls.
# Making a check empty comes before the donor's code: the candidate is most often the donor's code adapted, and its
# check came with it (LoongArch's calling convention, generated for RISC-V, and LoongArch's own both stop on
# "Unimplemented ABI" for RISC-V's default ABI); the donor's code would cost a round and stop at the same check.
# A stub the tests reach comes next: its callers' branches to it are taken out (``bypass_stub``). Last, an override
# of an LLVM interface function is left out, LLVM's default in its place (``llvm_default``).
RUNTIME: list[Step] = [next_candidate, drop_fatal_checks, donor_code, bypass_stub, llvm_default]


def climb(ladder: list[Step], fn: EmitFunction, charged: Charged, state: RepairState) -> Repair | None:
    """The first step of ``ladder`` that has a replacement for ``fn``."""
    for step in ladder:
        rep = step(fn, charged, state)
        if rep is not None:
            return rep
    return None


def repair_round(ladder: list[Step], charged: list[Charged], fns: dict[str, EmitFunction], state: RepairState,
                 round_: int | str) -> dict[str, Repair]:
    """One rung of ``ladder`` for each charged function (``fns`` by key: the functions as they are now), recorded
    in ``state``: function key -> the step taken.

    A function whose error is a call of another charged function that takes a step in the same round (``callee``:
    ``no matching function for call to XCoreSubtarget::XCoreSubtarget(...)`` while the subtarget's constructor is
    itself being replaced) waits: the call may fit the callee's next form, and moving the caller down its ladder
    for the callee's fault lost XCore's target machine its ``initAsmInfo()``."""
    out: dict[str, Repair] = {}
    state.functions = fns
    keys = {c.key for c in charged}
    waiting = [c for c in charged if callee(c.error, keys - {c.key})]
    for c in [c for c in charged if c not in waiting] + waiting:
        if c in waiting and callee(c.error, set(out)):
            continue
        fn = fns.get(c.key) or EmitFunction(c.key, "", "", "", "", 0.0, "")
        rep = climb(ladder, fn, c, state)
        if rep is not None:
            state.record(c.key, fn.key, rep, c.error, round_)
            out[c.key] = rep
    return out


_CALLED = re.compile(r"(?:no matching function for call to|too (?:few|many) arguments to function)\s*[‘'][^(’']*?"
                     r"((?:\w+::)?~?\w+)\s*\(")


def callee(error: str, keys: set[str]) -> str | None:
    """The function of ``keys`` (``<T>Subtarget::<T>Subtarget``) that a compiler ``error`` says was called with
    arguments it does not take, if any."""
    m = _CALLED.search(error)
    if not m:
        return None
    called = m.group(1)
    for k in sorted(keys):
        tail = "::".join(k.split("#")[0].split("::")[-2:])
        if re.fullmatch(re.escape(tail).replace(re.escape("<T>"), r"\w*"), called):
            return k
    return None


_UNREMOVABLE = re.compile(r"(return|case|default|break|continue|goto)\b")


def removable(line: str, previous: str) -> bool:
    """Whether a body line is one whole simple statement that can be taken out on its own: ends with ``;``, opens
    and closes nothing, is not a ``return`` or a jump, and is not the sole statement of an unbraced ``if``/loop
    (the line before ends a statement or opens or closes a block)."""
    text = line.split("// vega:")[0].strip()
    prev = previous.split("//")[0].strip()
    return (
        text.endswith(";") and not _UNREMOVABLE.match(text) and "{" not in text and "}" not in text
        and bracket_error("{" + text + "}") is None and (not prev or prev[-1] in ";{}:")
    )


def _code(line: str) -> str:
    return line.split("//")[0].strip()


def statement_extent(lines: list[str], i: int) -> range | None:
    """The body lines of the statement that line ``i`` belongs to, when it can be taken out (``removable``):
    back to the line after one that ends a statement or a block, on to the line that ends with ``;``."""
    if not 0 < i < len(lines):
        return None
    start = i
    while start > 1 and _code(lines[start - 1]) and _code(lines[start - 1])[-1] not in ";{}:":
        start -= 1
    end = i
    while end < len(lines) - 1 and not _code(lines[end]).endswith(";") and end - start < 20:
        end += 1
    text = " ".join(_code(ln) for ln in lines[start : end + 1])
    return range(start, end + 1) if removable(text, lines[start - 1]) else None


def removable_errors(
    located: list[tuple[tuple[str, int], str]], body_at: dict[str, tuple[str, int, int, list[str]]], keys: set[str]
) -> dict[str, set[int]]:
    """For the functions ``keys`` whose every compiler error is on a removable statement of their body, the body
    line indices to take out. The nearest target's code fails mostly on single statements that name what this
    target does not have (an opcode, a register, a helper of its own); taking them out keeps the rest of the
    function (registration, the shape of the lowering) where a stub would lose it all."""
    errors: dict[str, set[int]] = {}
    blocked: set[str] = set()
    spans = [(k, *v) for k, v in body_at.items() if k in keys]
    for (file, line), _msg in located:
        where = str(Path(file).resolve())
        for k, path, first, last, lines in spans:
            if path == where and first <= line <= last:
                extent = statement_extent(lines, line - first)
                if extent is not None:
                    errors.setdefault(k, set()).update(extent)
                else:
                    blocked.add(k)
    out: dict[str, set[int]] = {}
    for k, lines in errors.items():
        closed = None if k in blocked else with_uses(body_at[k][3], lines)
        if closed is not None:
            out[k] = closed
    return out


_DECLARES = re.compile(r"^(?:(?:const|static|auto|constexpr)\s+)*([\w:]+)(?:\s*<[^;]*?>)?(?:\s+|\s*[&*]+\s*)"
                       r"([A-Za-z_]\w*)\s*[=({;\[]")


def declared_local(statement: str) -> str | None:
    """The variable a statement declares (``Register Reg = MFI->getSRetReturnReg();``: ``Reg``), or None."""
    m = _DECLARES.match(statement.strip())
    return m.group(2) if m and m.group(1) not in NOT_TYPES else None


def with_uses(lines: list[str], removed: set[int]) -> set[int] | None:
    """``removed`` (body line indices) with every statement that names a variable a removed statement declares,
    to a fixed point; None when such a statement cannot go alone (``statement_extent``).

    Taking out ``Register Reg = LanaiMFI->getSRetReturnReg();`` (XCore's function info has no such member) left
    the lines that use ``Reg`` to fail in the next build, and the loop then left XCore's scratch ``LowerReturn``
    out altogether: LLVM's default of it is an ``llvm_unreachable``, where every test stopped."""
    out = set(removed)
    todo = sorted(removed)
    seen: set[str] = set()
    while todo:
        i = todo.pop()
        name = declared_local(_code(lines[i]))
        if name is None or name in seen:
            continue
        seen.add(name)
        uses = re.compile(rf"(?<![.\w>]){re.escape(name)}\b")
        for j, line in enumerate(lines):
            if j in out or not uses.search(_code(line)):
                continue
            extent = statement_extent(lines, j)
            if extent is None:
                return None
            new = set(extent) - out
            out |= new
            todo.extend(sorted(new))
    return out


def _spans(text: str, begin: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the comma-separated parts of ``text[begin:end]`` at bracket depth 0 (0-based columns)."""
    out, depth, start = [], 0, begin
    for i in range(begin, end + 1):
        ch = text[i] if i < end else ","
        if ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth -= 1
        if ch == "," and depth == 0:
            out.append((start, i))
            start = i + 1
    return out


def repaired_head(head: str, cols: set[int], base: str) -> str | None:
    """A constructor head without what the errors at ``cols`` (1-based) point into, or None when an error is
    elsewhere: a failing member initializer is left out (the nearest target initialises members this target's
    classes do not have, or with its own names); a failing argument of the base class's initializer, which the
    class cannot do without, becomes ``{}`` (a value-initialised argument: the base's own default)."""
    sig = parse_signature(head)
    at = head.rfind(sig.inits) if sig.inits else -1
    if at < 0:
        return None
    parts = _spans(head, at + 1, at + len(sig.inits))
    drop: set[int] = set()
    blank: dict[int, set[tuple[int, int]]] = {}
    for col in cols:
        c = col - 1
        n = next((i for i, (a, b) in enumerate(parts) if a <= c < b), None)
        if n is None:
            return None
        a, b = parts[n]
        name = re.match(r"\s*([\w:]+)", head[a:b])
        is_base = bool(name) and base and name.group(1).split("::")[-1] == base.split("::")[-1]
        if not is_base:
            drop.add(n)
            continue
        open_at, close_at = head.find("(", a, b), head.rfind(")", a, b)
        if not (0 <= open_at < c < close_at):
            return None
        arg = next((s for s in _spans(head, open_at + 1, close_at) if s[0] <= c < s[1]), None)
        if arg is None:
            return None
        x, y = arg
        while x < y and head[x].isspace():
            x += 1
        blank.setdefault(n, set()).add((x, y))
    kept = []
    for n, (a, b) in enumerate(parts):
        if n in drop:
            continue
        text = head[a:b]
        for x, y in sorted(blank.get(n, ()), reverse=True):
            text = text[: x - a] + "{}" + text[y - a :]
        kept.append(text.strip())
    before = head[:at].rstrip()
    return before + (f" : {', '.join(kept)}" if kept else "")


def comment_out(f: EmitFunction, lines: set[int]) -> EmitFunction:
    """``f`` with the body lines ``lines`` (indices in its stripped body) turned into comments that say why."""
    if not lines:
        return f
    body = f.body.strip().splitlines()
    for i in sorted(lines):
        if 0 < i < len(body):
            indent = body[i][: len(body[i]) - len(body[i].lstrip())]
            body[i] = f"{indent}// vega: removed, did not compile for this target: {body[i].strip()}"
    return replace(f, body="\n".join(body))


# a function that makes the MC operand of a symbol operand: ``MCOperand LowerSymbolOperand(const MachineOperand &MO,
# MCSymbol *Sym) const`` of Lanai, MSP430, BPF, ARC and AVR's instruction lowering, by whatever name
_SYMBOL_OPERAND = re.compile(r"^\s*(?:llvm\s*::\s*)?MCOperand\s+[\w:]+\s*\(\s*const\s+(?:llvm\s*::\s*)?MachineOperand\s*&"
                             r"\s*(?P<mo>\w+)\s*,\s*(?:const\s+)?(?:llvm\s*::\s*)?MCSymbol\s*\*\s*(?P<sym>\w+)\s*\)")


def stub_function(f: EmitFunction) -> EmitFunction:
    """A body that always compiles and says, when run, that the function is still to be written; for a function
    whose signature says what LLVM's answer is (``_SYMBOL_OPERAND``: the MC operand of a symbol operand), that
    answer without the target's modifiers (the symbol, plus its offset), so that the instructions naming a global
    print where the target's relocation modifiers are still to be written (XCore's scratch printer stopped at this
    stub in 9 lit tests and the ``globals`` smoke program)."""
    m = _SYMBOL_OPERAND.match(f.signature or "")
    if m:
        mo, sym = m["mo"], m["sym"]
        body = (f"{{\n  // vega: {f.name} did not compile; until it is written by hand, the plain symbol (and offset), "
                f"without the target's modifiers\n"
                f"  MCContext &Context = {mo}.getParent()->getMF()->getContext();\n"
                f"  const MCExpr *Expr = MCSymbolRefExpr::create({sym}, Context);\n"
                f"  if (({mo}.isGlobal() || {mo}.isSymbol() || {mo}.isCPI() || {mo}.isBlockAddress()) && {mo}.getOffset())\n"
                f"    Expr = MCBinaryExpr::createAdd(Expr, MCConstantExpr::create({mo}.getOffset(), Context), Context);\n"
                f"  return MCOperand::createExpr(Expr);\n}}")
    else:
        body = f'{{\n  report_fatal_error("vega-llvm: {f.name} did not compile; write it by hand");\n}}'
    return replace(f, body=body, confidence=0.0, source="stub", statements=[])


