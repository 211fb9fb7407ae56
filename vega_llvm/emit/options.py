"""Command-line options that taken-over code names, declared as the training target it came from declares them.

A backend's functions read file-scope ``cl::opt`` variables of their own file: Lanai's ``LowerMUL`` compares with
``LanaiLowerConstantMulThreshold`` (``-lanai-constant-mul-threshold``), CSKY's ``printInst`` asks ``NoAliases``
(``-csky-no-aliases``). The corpus keeps function bodies only, so a function taken from such a donor, renamed for the
new target (``XCoreLowerConstantMulThreshold``), named a variable nothing declared: the file did not compile, the
function climbed the repair ladder to a stub or out, and a round of the build was spent on it. And the options are
part of how the target is used: LLVM's tests for a printer pass its no-aliases option (``-riscv-no-aliases``), which
``llc`` and ``llvm-mc`` reject as unknown unless some file declares it.

Each training target's option declarations are read (tree-sitter) from its LLVM sources; an emitted file whose code
names the variable of one of them, as respelled for the new target, gets that declaration, respelled the same way
(``Lanai`` -> ``XCore`` in the names, ``lanai-`` -> ``xcore-`` in the option string). Only an option whose string
starts with its target's name is taken: respelled, it names the new target and cannot collide with an option the
installed LLVM libraries register (two registrations of one name stop every tool at start-up). A declaration that
names anything but the option API and LLVM's identifiers (an enumeration of the donor's) is not taken, nor a
variable two files of the new target name (each would register it). Of several donors declaring the same respelled
variable, the nearest to the new target wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from .constants import file_scope_declarations, names_in

_OPTION_TYPE = re.compile(r"\bcl\s*::\s*(?:opt|list|bits)\s*<")


@dataclass(frozen=True)
class OptionDecl:
    """One file-scope option declaration of a training target."""

    target: str  # Lanai
    path: str  # Lanai/LanaiISelLowering.cpp, under lib/Target
    var: str  # LanaiLowerConstantMulThreshold
    option: str  # lanai-constant-mul-threshold
    text: str  # the declaration as written


def options_in(code: str) -> list[tuple[str, str, str]]:
    """(variable, option string, declaration text) of each file-scope ``cl::opt`` / ``cl::list`` / ``cl::bits``
    declaration of a C++ file whose first argument is the option's name."""
    out = []
    for decl, text in file_scope_declarations(code):
        type_node = decl.child_by_field_name("type")
        type_text = type_node.text.decode("utf-8", "replace") if type_node is not None else ""
        if not _OPTION_TYPE.search(type_text + "<"):
            continue
        m = re.search(r">\s*(?P<var>[A-Za-z_]\w*)\s*\(\s*(?P<opt>\"(?:[^\"\\]|\\.)*\")", text)
        if m:
            out.append((m["var"], m["opt"][1:-1], text))
    return out


@lru_cache(maxsize=4)
def training_options(target_root: str, targets: tuple[str, ...]) -> tuple[OptionDecl, ...]:
    """Every option declaration of the given targets' sources under ``target_root`` (``lib/Target``)."""
    out = []
    for t in targets:
        for path in sorted((Path(target_root) / t).rglob("*.cpp")):
            text = path.read_text(encoding="utf-8", errors="replace")
            if "cl::" not in text:
                continue
            rel = str(path.relative_to(target_root))
            out += [OptionDecl(t, rel, var, opt, decl) for var, opt, decl in options_in(text)]
    return tuple(out)


def respelled(decl: OptionDecl, target: str) -> OptionDecl | None:
    """``decl`` as the new target would declare it: the donor's name respelled in the variable (any case:
    ``ArcKillAddrMode``) and the option string; None for an option whose string does not start with the donor's
    name."""
    donor_lower = decl.target.lower()
    if not decl.option.lower().startswith(donor_lower + "-"):
        return None
    option = target.lower() + decl.option[len(donor_lower):]
    var = decl.var
    if var.lower().startswith(donor_lower) and len(var) > len(donor_lower) and (
            var[len(donor_lower)].isupper() or var[len(donor_lower)] == "_"):
        var = target + var[len(donor_lower):]
    text = decl.text.replace(f'"{decl.option}"', f'"{option}"', 1)
    text = re.sub(rf"\b{re.escape(decl.var)}\b", var, text, count=1)
    if not re.match(r"\s*static\b", text):
        text = "static " + text.lstrip()  # one file's variable (``needed_options`` declares it in one file only)
    return OptionDecl(target, decl.path, var, option, text)


def needed_options(code_by_file: dict[str, str], target: str, donors: Iterable[str],
                   options: Iterable[OptionDecl], known: Callable[[str], bool]) -> dict[str, list[str]]:
    """For each emitted file (its code, ``code_by_file``), the respelled declarations of the options its code names
    and does not declare; ``donors`` nearest first; ``known``: a name the installed LLVM (or C++) declares."""
    rank = {d: i for i, d in enumerate(donors)}
    best: dict[str, OptionDecl] = {}
    for decl in sorted(options, key=lambda d: (rank.get(d.target, len(rank)), d.path)):
        if decl.target not in rank:
            continue
        mine = respelled(decl, target)
        if mine is None or mine.var in best or any(b.option == mine.option for b in best.values()):
            continue  # one variable per name and one per option string (a second registration stops the tools)
        if all(n == mine.var or known(n) for n in names_in(mine.text)):
            best[mine.var] = mine
    users: dict[str, list[str]] = {}
    for file, code in code_by_file.items():
        names = names_in(code)
        for var in best.keys() & names:
            if not re.search(rf"\bcl\s*::\s*\w+\s*<[^;]*>\s*{re.escape(var)}\s*\(", code):
                users.setdefault(var, []).append(file)
    out: dict[str, list[str]] = {}
    for var, files in sorted(users.items()):
        if len(files) == 1:
            out.setdefault(files[0], []).append(best[var].text)
    return out
