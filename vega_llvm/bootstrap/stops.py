"""Where the failing lit tests of a bootstrapped backend stop, and what to write first because of it.

A test stops at one of our functions in five ways that its output shows: at a stub (``report_fatal_error`` with the
message ``repair.stub_function`` or ``emit.required`` wrote, naming the function), at an ``llvm_unreachable`` of our
code (the emitted sources make it print ``UNREACHABLE executed at <file>:<line>!``: in a release build it would be
undefined behaviour, and the run would go on into whatever code follows and crash with no frame of ours), in a crash
whose stack dump (LLVM prints one on a signal and on ``report_fatal_error``, symbolised with ``llvm-symbolizer`` from
the binary's symbol table; the frames it leaves unnamed, GCC's ``.cold`` clones, named here: ``frame_names``) has one
of our functions as its innermost frame of the target's own code, at instruction
selection of a target node one of our functions made (``Cannot select: ... XCoreISD::CRC8``: the least confident
maker is charged), or, for a function the repair ladder left out, in a crash in LLVM's default of it
(``TargetLowering::LowerReturn`` is an ``llvm_unreachable``). ``write_first`` counts the tests per function and
ranks them: most tests first, then the least confident, so that a person starts with the function whose writing
unblocks the most tests, and among equals with the one the model was least sure of.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

_STUB_HIT = re.compile(r"vega-llvm: (\S+) (?:did not compile|is required by LLVM or the description); write it by hand")
_FRAME = re.compile(r"^\s*#\d+ 0x[0-9a-fA-F]+ (?P<symbol>.+)$", re.M)
_UNREACHABLE = re.compile(r"UNREACHABLE executed at (?P<file>\S+?):(?P<line>\d+)!")
_MARKER = re.compile(r"^// vega: (?P<key>\S+) \[")
# a frame LLVM's stack dump printed without a name: the binary and the offset in it
_UNNAMED = re.compile(r"^(?P<head>\s*#\d+ 0x[0-9a-fA-F]+ )\((?P<binary>/[^()+\s]+)\+0x(?P<offset>[0-9a-fA-F]+)\)[ \t]*$",
                      re.M)


def _tests(lit_json: Path) -> list[dict[str, Any]]:
    try:
        return list(json.loads(Path(lit_json).read_text()).get("tests", []))
    except (OSError, ValueError):
        return []


def stubs_hit(lit_json: Path) -> dict[str, int]:
    """How many lit tests stop at each stub (its ``report_fatal_error``), most first: what to write first."""
    counts: dict[str, int] = {}
    for t in _tests(lit_json):
        m = _STUB_HIT.search(t.get("output", ""))
        if m:
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


@dataclass
class FirstRow:
    """One function of the "write these first" list."""

    function: str  # key as the report lists it ("<T>TargetLowering::LowerCall")
    why: str  # "stub" (the test reaches its report_fatal_error), "unreachable" (its llvm_unreachable), "crash"
    # (innermost frame of ours in a stack dump), "cannot select" (it made a target node selection cannot match) or
    # "left out" (LLVM's default of a function left out crashed)
    tests: int  # failing tests that stop there
    confidence: float
    source: str
    status: str


def _shown(key: str, target: str) -> str:
    """How a function's key shows in a demangled frame: ``XCoreTargetLowering::LowerCall``, ``isImmU6``."""
    return key.split("#")[0].replace("<T>", target)


def crash_site(output: str, names: dict[str, str]) -> str | None:
    """The key of the innermost stack frame of ``output`` that is one of ``names`` (shown name -> key): the name
    followed by its parameter list, preceded by nothing, a space, ``llvm::`` or (a static function's file scope)
    nothing else; the longest name that fits a frame wins (``XCoreTargetLowering::LowerCall`` over a free
    ``LowerCall``)."""
    ordered = sorted(names, key=len, reverse=True)
    for m in _FRAME.finditer(output):
        symbol = m.group("symbol")
        for shown in ordered:
            i = symbol.find(shown + "(")
            while i >= 0:
                before = symbol[:i]
                if not before or before.endswith((" ", "llvm::", "(anonymous namespace)::")):
                    return names[shown]
                i = symbol.find(shown + "(", i + 1)
    return None


def frame_names(outputs: Iterable[str]) -> dict[tuple[str, str], str]:
    """Names for the frames the stack dumps of ``outputs`` leave unnamed, from the binaries' symbol tables
    (binutils' ``addr2line``, once per binary): GCC moves the unlikely paths of a function (a failed ``std::get``
    of LLVM 16's ``CCValAssign``, which aborts) into a ``[clone .cold]`` of it that LLVM's own symbolizer leaves
    unnamed; 277 of RISC-V's CodeGen tests stopped in ``RISCVTargetLowering::LowerReturn`` so, charged to none.
    (binary, offset) -> the demangled name; none where ``addr2line`` is missing or knows nothing."""
    wanted: dict[str, set[str]] = {}
    for out in outputs:
        for m in _UNNAMED.finditer(out):
            if not m["binary"].endswith(".so") and ".so." not in m["binary"]:
                wanted.setdefault(m["binary"], set()).add(m["offset"])
    tool = shutil.which("addr2line")
    names: dict[tuple[str, str], str] = {}
    for binary, offsets in sorted(wanted.items()):
        if tool is None or not Path(binary).is_file():
            continue
        ordered = sorted(offsets)
        try:
            run = subprocess.run([tool, "-f", "-C", "-e", binary, *(f"0x{o}" for o in ordered)], capture_output=True,
                                 text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired):
            continue
        lines = run.stdout.splitlines()
        for i, offset in enumerate(ordered):
            name = lines[2 * i].strip() if 2 * i < len(lines) else "??"
            if name and name != "??":
                names[(binary, offset)] = name
    return names


def with_frame_names(output: str, names: dict[tuple[str, str], str]) -> str:
    """``output`` with each unnamed frame that ``names`` (``frame_names``) knows given its name."""
    def named(m: re.Match[str]) -> str:
        name = names.get((m["binary"], m["offset"]))
        return f"{m['head']}{name} ({m['binary']}+0x{m['offset']})" if name else m.group(0)

    return _UNNAMED.sub(named, output) if names else output


def unreachable_site(output: str, target_dir: Path | None, files: dict[Path, list[str]]) -> str | None:
    """The key of the function of ours whose ``llvm_unreachable`` a test reached: the ``// vega: <key> [...]``
    marker the emitted file has last before the line (``files``: the files read so far)."""
    m = _UNREACHABLE.search(output)
    if m is None:
        return None
    path = Path(m["file"])
    if not path.is_absolute():  # as the build named it, relative to the build folder (``../lib/Target/X/X.cpp``)
        if target_dir is None:
            return None
        parts = path.parts
        path = next((target_dir.joinpath(*parts[k:]) for k in range(len(parts))
                     if target_dir.joinpath(*parts[k:]).is_file()), target_dir / path)
    if path not in files:
        try:
            files[path] = path.read_text(errors="replace").splitlines()
        except OSError:
            files[path] = []
    lines = files[path]
    for i in range(min(int(m["line"]), len(lines)) - 1, -1, -1):
        marker = _MARKER.match(lines[i])
        if marker:
            return marker["key"]
    return None


_CANNOT_SELECT = re.compile(r"Cannot select: [^\n]*?= (?P<node>[A-Za-z_]\w*ISD::[A-Za-z_]\w*)\b")
_NODE_NAMES = re.compile(r"\bcase\b|getTargetNodeName")


def _marked_functions(target_dir: Path, files: dict[Path, list[str]]) -> dict[str, str]:
    """Key -> the code (comments dropped) of each function of the emitted sources, by their ``// vega:`` markers."""
    out: dict[str, str] = {}
    for path in sorted(target_dir.rglob("*.cpp")):
        if path not in files:
            try:
                files[path] = path.read_text(errors="replace").splitlines()
            except OSError:
                files[path] = []
        key = None
        for line in files[path]:
            marker = _MARKER.match(line)
            if marker:
                key = marker["key"]
                continue
            if key is not None:
                out[key] = out.get(key, "") + line.split("//")[0] + "\n"
    return out


def unselectable_site(output: str, code: Callable[[], dict[str, str]], confidence: dict[str, float]) -> str | None:
    """The function of ours that made the target node instruction selection could not match (``LLVM ERROR: Cannot
    select: t7: ch = XCoreISD::CRC8 ...``): of the functions whose code creates that node kind (names it outside
    a ``case`` label and ``getTargetNodeName``), the least confident. The crash has no frame of ours (selection
    runs long after the lowering that made the node); XCore's scratch ``LowerReturn`` returned a ``CRC8`` node
    where its ``.td`` selects ``RETSP``. ``code``: the emitted functions' code by key (``_marked_functions``), read
    once for all the tests that need it."""
    m = _CANNOT_SELECT.search(output)
    if m is None:
        return None
    node = re.compile(r"\b" + re.escape(m["node"]).replace("::", r"\s*::\s*") + r"\b")
    makers = [k for k, text in code().items() if "getTargetNodeName" not in k
              and any(node.search(ln) and not _NODE_NAMES.search(ln) for ln in text.splitlines())]
    return min(makers, key=lambda k: (confidence.get(k, 0.0), k), default=None)


def write_first(lit_json: Path, functions: Iterable[Any], target: str, target_dir: Path | None = None) -> list[dict[str, Any]]:
    """The stubs and functions the failing tests of ``lit_json`` stop at, ranked (see the module docstring);
    ``functions``: the report's rows (``FunctionRow``); ``target_dir``: where the emitted sources are (the
    ``llvm_unreachable`` sites are found in them)."""
    rows = {f.key: f for f in functions}
    shown: dict[str, str] = {}
    for k in rows:
        shown.setdefault(_shown(k, target), k)
    # Stub messages name the function without the target (``TargetLowering::LowerCall``); a required stub's, by
    # its name alone (``printMemOperand``).
    by_name = {k.split("#")[0].replace("<T>", ""): k for k in rows}
    # a further overload's stub names it with its number (``InstrInfo::isLoadFromStackSlot#1``)
    by_name.update({k.replace("<T>", ""): k for k in rows if "#" in k})
    for k in rows:
        by_name.setdefault(k.split("#")[0].split("::")[-1], k)
    # A function the ladder left out runs as LLVM's default, which for some hooks is an ``llvm_unreachable`` (UB in
    # the release libraries: ``TargetLowering::LowerReturn``): a crash in the LLVM class's frame of that name is
    # charged to the function left out. LLVM's base of ``<T>InstrInfo`` is ``TargetInstrInfo``, of ``<T>InstPrinter``
    # ``MCInstPrinter``, of ``<T>TargetLowering`` itself.
    left_out: dict[str, str] = {}
    for k, f in rows.items():
        cls, _, method = k.split("#")[0].rpartition("::")
        if f.status == "dropped" and cls.startswith("<T>") and method:
            for base in (cls[3:], f"Target{cls[3:]}", f"MC{cls[3:]}"):
                left_out.setdefault(f"{base}::{method}", k)
    counts: dict[tuple[str, str], int] = {}
    files: dict[Path, list[str]] = {}
    confidence = {k: f.confidence for k, f in rows.items()}
    marked: dict[str, str] | None = None

    def code() -> dict[str, str]:
        nonlocal marked
        if marked is None:
            marked = _marked_functions(target_dir, files) if target_dir is not None else {}
        return marked

    failing = [t for t in _tests(lit_json) if t.get("code") in ("FAIL", "TIMEOUT", "UNRESOLVED")]
    names = frame_names(t.get("output", "") for t in failing)
    for t in failing:
        out = with_frame_names(t.get("output", ""), names)
        m = _STUB_HIT.search(out)
        if m:
            key, why = by_name.get(m.group(1), m.group(1)), "stub"
        elif (site := unreachable_site(out, target_dir, files)) is not None:
            key, why = site, "unreachable"
        elif (key := crash_site(out, shown)) is not None:
            why = "crash"
        elif (key := unselectable_site(out, code, confidence)) is not None:
            why = "cannot select"
        elif (key := crash_site(out, left_out)) is not None:
            why = "left out"
        else:
            continue
        counts[(key, why)] = counts.get((key, why), 0) + 1
    out_rows = []
    for (key, why), n in counts.items():
        f = rows.get(key)
        out_rows.append(FirstRow(key, why, n, f.confidence if f else 0.0, f.source if f else "stub:required",
                                 f.status if f else "stubbed"))
    out_rows.sort(key=lambda r: (-r.tests, r.confidence, r.function))
    return [asdict(r) for r in out_rows]
