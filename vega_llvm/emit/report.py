"""The bootstrap report: what compiled, what linked, which tests pass, and every function ranked by confidence.

``report.json`` is the machine-readable record (with the command, commit, LLVM version and model it came from);
``report.md`` the same for a person: failing functions first, then the confidence ranking.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import staged_text
from ..generate.defaults import LLVM_DEFAULT

BLAMED = ("error", "reverted", "stubbed", "dropped", "fallback", "later-candidate")  # statuses of functions a compiler error was charged to


# How the "write these first" table says where a test stops in a function (``bootstrap.stops``).
_STOPS_AT = {"stub": "its stub", "unreachable": "its llvm_unreachable", "crash": "a crash in it",
             "left out": "LLVM's default in its place (left out), which crashed"}


@dataclass
class FunctionRow:
    key: str
    file: str  # path in the target directory
    source: str  # model | fallback:<Target>
    confidence: float
    # compiled | error (a compiler error points into it) | reverted / stubbed (it did, and the repair loop put the
    # real body back (swap) or a stub in its place (scratch)) | dropped (scratch: left out, because its declaration
    # or head did not compile, or because it overrides an LLVM interface function whose default then applies) | fallback (scratch: the generated body did not compile; the nearest
    # training target's implementation, renamed, is in its place and compiled) | later-candidate (the model's first
    # candidate did not compile; a later one is in place and compiled) | file-failed (its file failed elsewhere) | not-built
    status: str
    low_statements: int = 0
    error: str = ""
    removed_statements: int = 0  # scratch: statements of a taken-over body that did not compile, commented out
    candidate: int = 0  # which of generate's candidates is in place (0: its first)
    origin: str = ""  # generate's source of the code: member:<Target>, model, llvm-default (generate/defaults.py)


@dataclass
class BootstrapReport:
    target: str
    mode: str
    out: str
    target_dir: str
    provenance: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)  # source file -> compiled | failed
    functions: list[FunctionRow] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)  # functions the layout has no file for ("no file template")
    # Functions of a library the description does not have or the build left out (asm parser, disassembler): the
    # layout has their file, the target does without it.
    without_library: list[str] = field(default_factory=list)
    donors: list[list[Any]] = field(default_factory=list)
    build: dict[str, Any] = field(default_factory=dict)  # ok, seconds, llc, llvm_mc, first_errors
    lit: dict[str, Any] = field(default_factory=dict)
    smoke: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    repair_rounds: int = 0  # rebuilds after replacing blamed functions
    selection: dict[str, Any] = field(default_factory=dict)  # scratch: how the function set was chosen
    # Every step of the repair ladder taken, in order: round (0: before the first build), function, step, to (what it
    # moved to: "candidate 1 (member:Lanai)", "fallback:Lanai", "stub", ...), error (the compiler line that caused it)
    repairs: list[dict[str, Any]] = field(default_factory=list)
    # The stubs and functions the failing lit tests stop at, most tests first, then the least confident
    # (``bootstrap.stops.write_first``): function, why ("stub" | "unreachable" | "crash"), tests, confidence, source, status
    write_first: list[dict[str, Any]] = field(default_factory=list)
    # Rounds driven by the lit tests (``bootstrap.pipeline._test_rounds``): round, moved (key -> what it became),
    # passed_before, passed_after, kept (a round that made more tests fail is undone)
    test_rounds: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        st = [f.status for f in self.functions]
        srcs = [f.source for f in self.functions if f.status != "dropped"]
        return {
            "files_compiled": sum(1 for v in self.files.values() if v == "compiled"),
            "files": len(self.files),
            "functions_compiled": st.count("compiled"),
            "functions": len(st) - st.count("dropped"),
            # a hook written as a call of LLVM's default is counted apart, not as generated in place
            "generated_compiled": sum(1 for f in self.functions if f.source == "model" and f.status == "compiled"
                                      and f.origin != LLVM_DEFAULT),
            "llvm_default_compiled": sum(1 for f in self.functions if f.source == "model" and f.status == "compiled"
                                         and f.origin == LLVM_DEFAULT),
            "generated_later_candidate": st.count("later-candidate"),
            "functions_blamed": sum(st.count(x) for x in BLAMED),
            "functions_replaced": st.count("reverted") + st.count("stubbed") + st.count("fallback"),
            "functions_fell_back": st.count("fallback"),
            "functions_dropped": st.count("dropped"),
            "statements_removed": sum(f.removed_statements for f in self.functions),
            "repair_rounds": self.repair_rounds,
            "generated": srcs.count("model"),
            "fallback": sum(1 for s in srcs if s.startswith("fallback")),
            "llc_linked": bool(self.build.get("llc")),
            "llvm_mc_linked": bool(self.build.get("llvm_mc")),
            "lit_passed": self.lit.get("passed", 0),
            "lit_tests": self.lit.get("tests", 0),
            "smoke_passed": sum(1 for v in self.smoke.get("results", {}).values() if v == "pass"),
            "smoke": len(self.smoke.get("results", {})),
            "no_file_template": len(self.unplaced),
            "without_library": len(self.without_library),
        }

    def summary_line(self) -> str:
        s = self.summary()
        return (
            f"{self.target} ({self.mode}): files {s['files_compiled']}/{s['files']} compiled, functions "
            f"{s['functions_compiled']}/{s['functions']} compiled ({s['generated']} generated, {s['fallback']} fallback, "
            f"{s['functions_blamed']} blamed, {s['functions_replaced']} replaced ({s['functions_fell_back']} by the nearest "
            f"target's), {s['functions_dropped']} dropped in "
            f"{s['repair_rounds']} repair rounds, {s['statements_removed']} statements removed; {s['generated_compiled']} "
            f"generated in place" + (f" and {s['generated_later_candidate']} on a later candidate"
                                     if s["generated_later_candidate"] else "")
            + (f", {s['llvm_default_compiled']} calling LLVM's default" if s["llvm_default_compiled"] else "")
            + f"), llc {'linked' if s['llc_linked'] else 'not linked'}, llvm-mc "
            f"{'linked' if s['llvm_mc_linked'] else 'not linked'}, lit {s['lit_passed']}/{s['lit_tests']} pass, "
            f"smoke {s['smoke_passed']}/{s['smoke']} pass"
        )

    def save(self, out_dir: Path) -> tuple[Path, Path]:
        data = asdict(self)
        data["summary"] = self.summary()
        js, md = Path(out_dir) / "report.json", Path(out_dir) / "report.md"
        _atomic(js, json.dumps(data, indent=1) + "\n")
        _atomic(md, self.markdown())
        return js, md

    def markdown(self) -> str:
        s = self.summary()
        lines = [f"# bootstrap {self.target} ({self.mode})", "", self.summary_line(), ""]
        lines += ["| key | value |", "|---|---|"]
        for k, v in {**self.provenance, **self.selection, **s}.items():
            lines.append(f"| {k} | {v} |")
        if self.build.get("first_errors"):
            lines += ["", "## First compiler errors", ""] + [f"- `{e}`" for e in self.build["first_errors"][:15]]
        blamed = [f for f in self.functions if f.status in BLAMED]
        if blamed:
            lines += ["", "## Functions the compiler errors point into (lowest confidence first)", "",
                      "| function | file | source | confidence | now | error |", "|---|---|---|---|---|---|"]
            for f in sorted(blamed, key=lambda f: f.confidence):
                lines.append(f"| `{f.key}` | {f.file} | {f.source} | {f.confidence:.2f} | {f.status} | `{f.error[:120]}` |")
        if self.repairs:
            lines += ["", "## Repair rounds (each step a charged function took, and the compiler line that caused it)", "",
                      "| round | function | step | now | compiler line |", "|---|---|---|---|---|"]
            for r in self.repairs:
                when = f"{r['round']} (last run)" if r.get("earlier") else r["round"]
                lines.append(f"| {when} | `{r['function']}` | {r['step']} | {r['to']} | `{r['error'][:160]}` |")
        failed_files = [k for k, v in self.files.items() if v != "compiled"]
        if failed_files:
            lines += ["", "## Files that did not compile", ""] + [f"- {f}" for f in failed_files]
        if self.lit:
            lines += ["", "## lit", "", f"{self.lit.get('summary_line', '')}"]
            if self.write_first:
                lines += ["", "Write these first: the stubs and functions the failing tests stop at (most tests first, "
                          "then the least confident):", "",
                          "| function | stops tests at | tests | confidence | source | now |", "|---|---|---|---|---|---|"]
                lines += [f"| `{r['function']}` | {_STOPS_AT.get(r['why'], 'a crash in it')} | {r['tests']} | "
                          f"{r['confidence']:.2f} | {r['source']} | {r['status']} |" for r in self.write_first]
            elif self.lit.get("stopped_at"):
                lines += ["", "Tests that stop at a stub (write these first):", "", "| stub | tests |", "|---|---|"]
                lines += [f"| `{k}` | {v} |" for k, v in self.lit["stopped_at"].items()]
        if self.test_rounds:
            lines += ["", "## Rounds driven by the lit tests (the functions the failing tests stopped at, moved)", "",
                      "| round | moved | tests passing before | after | kept |", "|---|---|---|---|---|"]
            for r in self.test_rounds:
                moved = ", ".join(f"`{k}` -> {v}" for k, v in r["moved"].items())
                lines.append(f"| {r['round']} | {moved} | {r['passed_before']} | {r['passed_after']} | "
                             f"{'yes' if r['kept'] else 'no: undone'} |")
        if self.smoke:
            lines += ["", "## Smoke suite", "", "| program | result |", "|---|---|"]
            for k, v in self.smoke.get("results", {}).items():
                lines.append(f"| {k} | {v} |")
        if self.unplaced:
            lines += ["", f"## Functions with no file template ({len(self.unplaced)}, not emitted)", ""]
            lines += [f"- `{u}`" for u in self.unplaced[:50]]
        if self.without_library:
            lines += ["", f"## Functions of a library this target does without ({len(self.without_library)}, not "
                      "emitted: the description lacks it, or it was left out because it did not compile)", ""]
            lines += [f"- `{u}`" for u in self.without_library[:50]]
        lines += ["", "## Functions by confidence (lowest first)", "",
                  "| confidence | function | source | status | low statements |", "|---|---|---|---|---|"]
        for f in sorted(self.functions, key=lambda f: (f.confidence, f.key)):
            lines.append(f"| {f.confidence:.2f} | `{f.key}` | {f.source} | {f.status} | {f.low_statements} |")
        return "\n".join(lines) + "\n"


def _atomic(path: Path, text: str) -> None:
    with staged_text(path) as fh:
        fh.write(text)
