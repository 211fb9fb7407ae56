"""Replacing function bodies in C++ source text, and finding which replaced body a compiler error points into."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError

# A body that compiles for any return type and crashes when run: used to find functions no test exercises.
TRAP_BODY = "{\n  __builtin_trap();\n}"


_CLOSERS = {")": "(", "]": "[", "}": "{"}


def bracket_error(body: str) -> str | None:
    """Why ``body`` cannot be a function body by its brackets alone (unbalanced or not one ``{ ... }`` block), or
    None. Strings, character literals and comments are skipped.

    A generated body with a missing ``)`` would swallow the schema's ``else`` and the code after it, so the compiler
    error would point outside the body; such a body can never compile as a function body, and is charged directly.
    """
    stack: list[tuple[str, int]] = []
    i, n, line = 0, len(body), 1
    closed_at = -1
    while i < n:
        ch = body[i]
        if ch == "\n":
            line += 1
        elif body.startswith("//", i):
            j = body.find("\n", i)
            i = n if j < 0 else j
            continue
        elif body.startswith("/*", i):
            j = body.find("*/", i + 2)
            line += body.count("\n", i, n if j < 0 else j)
            i = n if j < 0 else j + 2
            continue
        elif ch in "\"'" and not (ch == "'" and i > 0 and body[i - 1].isalnum()):  # 1'000 is a digit separator
            j = i + 1
            while j < n and body[j] != ch and body[j] != "\n":
                j += 2 if body[j] == "\\" else 1
            i = j + 1
            continue
        elif ch in "([{":
            if closed_at >= 0:
                return f"line {line}: code after the closing brace of the body"
            stack.append((ch, line))
        elif ch in ")]}":
            if not stack or stack[-1][0] != _CLOSERS[ch]:
                return f"line {line}: unmatched '{ch}'"
            stack.pop()
            if not stack:
                closed_at = i
        elif not ch.isspace() and closed_at >= 0:
            return f"line {line}: code after the closing brace of the body"
        elif not ch.isspace() and not stack:
            return f"line {line}: the body does not start with '{{'"
        i += 1
    if stack:
        return f"line {stack[-1][1]}: '{stack[-1][0]}' is never closed"
    return None if closed_at >= 0 else "empty body"


@dataclass(frozen=True)
class FunctionEdit:
    """Put ``new_body`` (a compound statement, ``{ ... }``) in place of the body of one function definition."""

    id: str  # the corpus record id, "<target>/<path>:<line>"
    path: str  # file relative to the target directory
    line: int  # 1-based line where the definition starts
    original_body: str  # the body as it is in the real file (to find it, and to check the file is the expected one)
    new_body: str


@dataclass(frozen=True)
class AppliedEdit:
    edit: FunctionEdit
    first_line: int  # line range of the new body in the edited file, for attributing compiler errors
    last_line: int


def locate(text: str, edit: FunctionEdit) -> int:
    lines = text.splitlines(keepends=True)
    if edit.line < 1 or edit.line > len(lines):
        raise ConfigError(f"{edit.path}:{edit.line}: line out of range for function {edit.id}")
    start = sum(len(ln) for ln in lines[: edit.line - 1])
    pos = text.find(edit.original_body, start)
    if pos < 0:
        raise ConfigError(f"{edit.path}:{edit.line}: the body of {edit.id} is not where the corpus says; rebuild the corpus")
    return pos


def apply_to_text(text: str, edits: list[FunctionEdit]) -> tuple[str, list[AppliedEdit]]:
    """Apply edits of one file, bottom-up so earlier offsets stay valid; returns the new text and line ranges."""
    located = sorted(((locate(text, e), e) for e in edits), key=lambda x: x[0])
    for (p1, e1), (p2, _e2) in zip(located, located[1:]):
        if p1 + len(e1.original_body) > p2:
            raise ConfigError(f"{e1.path}: overlapping function edits at {e1.id}")
    out = text
    for pos, e in reversed(located):
        out = out[:pos] + e.new_body + out[pos + len(e.original_body) :]
    applied = []
    shift = 0
    for pos, e in located:
        new_pos = pos + shift
        first = out.count("\n", 0, new_pos) + 1
        last = first + e.new_body.count("\n")
        applied.append(AppliedEdit(e, first, last))
        shift += len(e.new_body) - len(e.original_body)
    return out, applied


def apply_edits(target_dir: Path, edits: list[FunctionEdit]) -> tuple[dict[Path, str], list[AppliedEdit]]:
    """Edit files under ``target_dir`` in place; returns the original texts (to restore) and the applied edits."""
    by_file: dict[str, list[FunctionEdit]] = defaultdict(list)
    for e in edits:
        by_file[e.path].append(e)
    originals: dict[Path, str] = {}
    applied: list[AppliedEdit] = []
    try:
        for rel, file_edits in by_file.items():
            path = target_dir / rel
            text = path.read_text(encoding="utf-8")
            new_text, done = apply_to_text(text, file_edits)
            originals[path] = text
            path.write_text(new_text, encoding="utf-8")
            applied.extend(done)
    except BaseException:
        restore(originals)
        raise
    return originals, applied


def restore(originals: dict[Path, str]) -> None:
    for path, text in originals.items():
        path.write_text(text, encoding="utf-8")


def attribute_errors(
    target_dir: Path, applied: list[AppliedEdit], errors: list[tuple[str, int]]
) -> tuple[dict[str, int], bool]:
    """Which edits the compiler errors ``(file, line)`` point into, each with the index of its first error; the flag
    says every error was attributed.

    An error elsewhere in a file that has exactly one edit is charged to that edit (e.g. a use of the edited
    function's changed behaviour in a template instantiation); anything else is left to bisection.
    """
    blamed: dict[str, int] = {}
    all_attributed = True
    by_file: dict[Path, list[AppliedEdit]] = defaultdict(list)
    for a in applied:
        by_file[(target_dir / a.edit.path).resolve()].append(a)
    for index, (file, line) in enumerate(errors):
        candidates = by_file.get(Path(file).resolve(), [])
        hit = [a for a in candidates if a.first_line <= line <= a.last_line]
        if not hit and len(candidates) == 1:
            hit = candidates
        if hit:
            for a in hit:
                blamed.setdefault(a.edit.id, index)
        else:
            all_attributed = False
    return blamed, all_attributed
