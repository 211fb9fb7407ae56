"""A call to one of our functions that matches none of its declarations: which of the two to charge.

GCC charges ``no matching function for call to X(...)`` to the line of the call, so the caller is what the repair
ladder moves. When the callee is one of ours too, the two functions were written apart (each from its own template
member or donor) and either may be the one at odds: XCore's ``createXCoreISelDag`` (0.30, Lanai's member) calls
``new XCoreDAGToDAGISel(TM)`` while the constructor the model wrote (0.06) takes ``(TM, OptLevel)``; moving the
caller gave its next candidate, then Lanai's code, which makes the same call, then a stub that stopped every test.
The less confident of the two is the likelier to be wrong, so the charge goes to it: here the constructor, whose
own next rungs (its next candidate, the donor's constructor) agree with the call. A caller that is already the
donor's code (confidence 0 by convention, not the model's judgement) has no rung that could change its call: the
model's callee is charged instead, and its own ladder leads to the same donor's version, which agrees (RISC-V's
``createRISCVAsmBackend``, LoongArch's, against the model's ``RISCVAsmBackend`` constructor).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ..generate.parameters import parameter_types

_NO_MATCH = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+):\d+: error: no matching function for call to ")
_NOTE = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+):\d+: note: +candidate(?: \d+)?: ")


def _where(file: str, line: str, build_dir: Path) -> tuple[str, int]:
    p = Path(file)
    return str((p if p.is_absolute() else build_dir / p).resolve()), int(line)


def mismatched_calls(log_text: str, build_dir: Path) -> list[tuple[tuple[str, int], list[tuple[str, int]], str]]:
    """Each ``no matching function for call`` error of a build log: where the call is, where GCC's candidate notes
    point (the callee's declarations), and the error line."""
    out: list[tuple[tuple[str, int], list[tuple[str, int]], str]] = []
    current: list[tuple[str, int]] | None = None
    for ln in log_text.splitlines():
        m = _NO_MATCH.match(ln)
        if m:
            current = []
            out.append((_where(m["file"], m["line"], build_dir), current, ln))
            continue
        n = _NOTE.match(ln)
        if n and current is not None:
            current.append(_where(n["file"], n["line"], build_dir))
        elif " error: " in ln:
            current = None
    return out


def redirect(blamed: dict[str, str], calls: list[tuple[tuple[str, int], list[tuple[str, int]], str]],
             caller_of: dict[tuple[str, int], str], decl_sites: dict[tuple[str, int], str],
             confidence: dict[str, float], movable: set[str], taken_over: set[str] = frozenset()) -> dict[str, str]:
    """``blamed`` (function key -> its first error) with each caller whose charge is a mismatched call to one
    function of ours (``decl_sites``: its declaration lines) less confident than itself charged in its place;
    ``caller_of``: the function each call line is in; ``movable``: the functions that are still the model's (a
    stub or the donor's code has no rung left that could change its parameters); ``taken_over``: the functions
    that are the donor's code (a call in one charges the model's callee whatever the confidences). Returns the
    moves made (callee -> caller)."""
    moved: dict[str, str] = {}
    for at, candidates, line in calls:
        caller = caller_of.get(at)
        callees = {decl_sites[c] for c in candidates if c in decl_sites} - {caller}
        if caller is None or len(callees) != 1 or "no matching function" not in blamed.get(caller, ""):
            continue
        callee = callees.pop()
        if callee in blamed or callee not in movable:
            continue
        if caller in taken_over:
            why = "which is the nearest target's code"
        elif confidence.get(callee, 0.0) < confidence.get(caller, 0.0):
            why = "which is more confident"
        else:
            continue
        blamed[callee] = f"{blamed.pop(caller)} (the call is in {caller}, {why}: {callee} is charged)"
        moved[callee] = caller
    return moved


def library_callees(calls: list[tuple[tuple[str, int], list[tuple[str, int]], str]], ours: Path,
                    decl_sites: dict[tuple[str, int], str],
                    as_described: Callable[[str], bool] = lambda key: False) -> dict[str, str]:
    """Function of ours -> the error, for each call from outside ``ours`` (LLVM's header code, instantiated for our
    class) that matches none of that function's declarations: LLVM's code is right by definition, so the function
    is charged. XCore's scratch ``XCoreTTIImpl::getArithmeticInstrCost``, declared from the generated signature
    without the base's default arguments, hid ``BasicTTIImplBase``'s and broke its calls with three arguments: no
    line of ours was charged, and ``XCoreTargetMachine.cpp`` never compiled.

    A function whose parameters are those the description declares (``as_described``) is not charged: the target's
    author chose them, so the line of ours that instantiated LLVM's code (the charge the error already has) used the
    wrong one of LLVM's ways. XCore declares ``XCoreMCAsmInfo(const Triple &)``; Lanai's
    ``RegisterMCAsmInfo<XCoreMCAsmInfo>`` constructs it with two arguments, and charging the constructor gave it
    Lanai's two-parameter one, which broke ``createXCoreMCAsmInfo``'s ``new XCoreMCAsmInfo(TT)`` in turn: no
    ``MCAsmInfo`` was registered, and every test stopped in ``initAsmInfo``."""
    root = ours.resolve()
    out: dict[str, str] = {}
    for (file, _line), candidates, line in calls:
        if Path(file).is_relative_to(root):
            continue
        callees = {decl_sites[c] for c in candidates if c in decl_sites}
        if len(callees) == 1 and not as_described(key := callees.pop()):
            out.setdefault(key, line)
    return out


def as_declared(signature: str, declarations: list[str]) -> bool:
    """Whether the definition head ``signature`` takes the parameter types of one of ``declarations`` (the
    description's declarations of the function)."""
    mine = parameter_types(signature)
    return mine is not None and any(parameter_types(d) == mine for d in declarations)


def error_text(line: str) -> str:
    """The message of a compiler error line, without its location (``file:line:col: error: ``)."""
    return line.partition(" error: ")[2].strip()
