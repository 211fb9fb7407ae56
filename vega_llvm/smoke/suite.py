"""Smoke suite for a target with no regression tests of its own: compile ``programs.PROGRAMS`` with the built
``llc`` to assembly and to an object file, and, where the target has an assembler and a disassembler, round-trip
the assembly through ``llvm-mc`` (assemble with ``-show-encoding``, disassemble the bytes, compare the instruction
count). Every tool runs through ``proc.run`` with a timeout; a crash or timeout is a failure of that step.

Result per step: ``pass``, ``fail: <first line of the error>`` or ``skipped: <why>``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import ToolError
from ..proc import run
from .programs import PROGRAMS

_ENC = re.compile(r"encoding:\s*\[([^\]]*)\]")


def registered_arch(tool: Path) -> str:
    """The first target ``tool --version`` lists under "Registered Targets" (the name ``-march`` takes)."""
    res = run([tool, "--version"], timeout=30)
    text = res.stdout + res.stderr
    after = text.split("Registered Targets:", 1)
    if len(after) < 2:
        raise ToolError(f"{tool} --version lists no registered target")
    for line in after[1].splitlines():
        m = re.match(r"\s+(\S+)\s+-\s", line)
        if m:
            return m.group(1)
    raise ToolError(f"{tool} --version lists no registered target")


def _first_error(text: str) -> str:
    for line in text.splitlines():
        if "error" in line.lower() or "Assertion" in line or "LLVM ERROR" in line:
            return line.strip()[:200]
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:200] if lines else "no output"


def _step(argv: list[Any], timeout: float) -> tuple[str, str]:
    try:
        res = run(argv, timeout=timeout)
    except ToolError as exc:
        return f"fail: {exc}", ""
    if res.ok:
        return "pass", res.stdout
    return f"fail: {_first_error(res.stderr or res.stdout)} (exit {res.returncode})", res.stdout


def run_smoke(llc: Path | None, llvm_mc: Path | None, work: Path, *, asm_parser: bool, disassembler: bool, timeout: float = 60) -> dict[str, Any]:
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, str] = {}
    if llc is None:
        return {"arch": "", "results": {f"{p}.{s}": "skipped: llc did not link" for p in PROGRAMS for s in ("asm", "obj")}}
    try:
        arch = registered_arch(llc)
    except ToolError as exc:
        return {"arch": "", "results": {f"{p}.asm": f"fail: {exc}" for p in PROGRAMS}}
    roundtrip = asm_parser and disassembler and llvm_mc is not None
    for name, build in PROGRAMS.items():
        ll = work / f"{name}.ll"
        ll.write_text(str(build()))
        asm = work / f"{name}.s"
        results[f"{name}.asm"], _ = _step([llc, f"-march={arch}", ll, "-o", asm], timeout)
        results[f"{name}.obj"], _ = _step([llc, f"-march={arch}", "-filetype=obj", ll, "-o", work / f"{name}.o"], timeout)
        if not roundtrip:
            why = "no asm parser and disassembler" if not (asm_parser and disassembler) else "llvm-mc did not link"
            results[f"{name}.mc-roundtrip"] = f"skipped: {why}"
            continue
        if results[f"{name}.asm"] != "pass":
            results[f"{name}.mc-roundtrip"] = "skipped: no assembly"
            continue
        status, out = _step([llvm_mc, f"-triple={arch}", "-show-encoding", asm], timeout)
        if status != "pass":
            results[f"{name}.mc-roundtrip"] = f"{status} (assemble)"
            continue
        encs = [m.group(1) for m in _ENC.finditer(out)]
        data = work / f"{name}.bytes"
        # Fixup bits print as letters ("[A,A,0x10,0b0000AAAA]"); zero them: the instruction must still decode.
        data.write_text("\n".join(" ".join(b if re.fullmatch(r"0x[0-9a-fA-F]+", b) else "0x00" for b in e.replace(" ", "").split(",")) for e in encs) + "\n")
        status, dis = _step([llvm_mc, f"-triple={arch}", "--disassemble", data], timeout)
        if status != "pass":
            results[f"{name}.mc-roundtrip"] = f"{status} (disassemble)"
            continue
        n = sum(1 for ln in dis.splitlines() if ln.strip() and not ln.strip().startswith((".", "#")))
        results[f"{name}.mc-roundtrip"] = "pass" if n == len(encs) else f"fail: {len(encs)} instructions assembled, {n} disassembled"
    return {"arch": arch, "results": results}
