"""File-scope constants that taken-over and generated code reads, declared as the training target it came from does.

A backend's functions read constant tables of their own file: LoongArch's calling convention
``CC_LoongArchAssign2GRLen`` takes its argument registers from ``ArgGPRs``, a ``const MCPhysReg`` array written
above it in ``LoongArchISelLowering.cpp``, as RISC-V's does from its own. The corpus keeps function bodies only, so
the same function written for a new target named a table nothing declared: the file did not compile, the function
was stubbed, and RISC-V's scratch backend stopped 61 CodeGen tests at that stub.

For each emitted file, the names its code reads that nothing declares (not LLVM, not the description, not the
code itself) are looked up among the file-scope constants of the training targets, nearest first (tree-sitter, over
the target's own ``.cpp`` files that name them); the nearest one declaring a ``const``/``constexpr`` variable of
that name gives its declaration, translated to the new target's records the way its taken-over code is
(``sources.DonorCode``: LoongArch's ``R4`` .. ``R11`` become RISC-V's argument registers). A declaration that still
names something the new target does not have is not taken: an error at file scope is charged to no function, and
would keep the whole file from compiling round after round. A constant has internal linkage, so each file that
reads it gets its own copy; one that reads another constant brings that one too, declared before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

_IDENT = re.compile(r"(?<![\w.])[A-Za-z_]\w*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_CONSTANT = re.compile(r"\b(?:const|constexpr)\b")


@dataclass(frozen=True)
class ConstantDecl:
    """One file-scope constant of a training target, as written there."""

    target: str  # LoongArch
    path: str  # LoongArch/LoongArchISelLowering.cpp, under lib/Target
    name: str  # ArgGPRs
    text: str  # const MCPhysReg ArgGPRs[] = {LoongArch::R4, ...};


def names_in(text: str) -> set[str]:
    """The identifiers of C++ ``text`` outside comments and string literals."""
    return set(_IDENT.findall(_STRING.sub('""', re.sub(r"//[^\n]*", "", text))))


def file_scope_declarations(code: str) -> Iterator[tuple[Any, str]]:
    """Each declaration of a C++ file at namespace scope (in named and anonymous namespaces too), with its text;
    tree-sitter reads the file."""
    from ..generate.visible import syntax_tree

    data = code.encode("utf-8")
    stack = [syntax_tree(code)]
    while stack:
        node = stack.pop()
        for child in node.children:
            if child.type in ("namespace_definition", "declaration_list", "linkage_specification"):
                stack.append(child)
            elif child.type == "declaration":
                yield child, data[child.start_byte : child.end_byte].decode("utf-8", "replace")


def constants_in(code: str) -> list[tuple[str, str]]:
    """(name, declaration text) of each namespace-scope ``const``/``constexpr`` variable of a C++ file that is
    initialised where it is declared (``const MCPhysReg ArgGPRs[] = {...};``); not functions, not options."""
    out = []
    for decl, text in file_scope_declarations(code):
        declarators = decl.children_by_field_name("declarator")
        if decl.has_error or len(declarators) != 1 or declarators[0].type != "init_declarator":
            continue
        head = decl.text[: declarators[0].start_byte - decl.start_byte].decode("utf-8", "replace")
        if not _CONSTANT.search(head) or "cl::" in head:
            continue
        name = declarators[0].child_by_field_name("declarator")
        while name is not None and name.type in ("array_declarator", "pointer_declarator", "reference_declarator"):
            name = name.child_by_field_name("declarator")
        if name is not None and name.type == "identifier":
            out.append((name.text.decode("utf-8", "replace"), text))
    return out


# LLVM's sources are clang-formatted: a namespace-scope declaration starts its line, so a file without such a line
# declares no constant and is not parsed
_AT_LINE_START = re.compile(r"^(?:static\s+)?(?:const|constexpr)\b[^;(]*?=", re.M)


@lru_cache(maxsize=64)
def training_constants(target_root: str, target: str) -> dict[str, tuple[ConstantDecl, ...]]:
    """The file-scope constants of one training target's sources under ``target_root`` (``lib/Target``), by name."""
    out: dict[str, list[ConstantDecl]] = {}
    for path in sorted((Path(target_root) / target).rglob("*.cpp")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if not _AT_LINE_START.search(text):
            continue
        rel = str(path.relative_to(target_root))
        for n, decl in constants_in(text):
            out.setdefault(n, []).append(ConstantDecl(target, rel, n, decl))
    return {k: tuple(v) for k, v in out.items()}


def declares(code: str, name: str) -> bool:
    """Whether ``code`` declares ``name`` itself (a local table of the same name: ``const MCPhysReg ArgGPRs[] =``)."""
    return re.search(rf"[\w>*&]\s+{re.escape(name)}\s*(?:\[[^\]]*\]\s*)*(?:=|\{{)", code) is not None


def needed_constants(code_by_file: dict[str, str], target: str, donors: Sequence[str],
                     lookup: Callable[[str, str], Iterable[ConstantDecl]], translate: Callable[[ConstantDecl], str],
                     defined: Callable[[str], bool],
                     writers: Callable[[str, str], Sequence[str]] | None = None) -> dict[str, list[str]]:
    """For each emitted file (its code, ``code_by_file``), the translated declarations of the constants its code
    reads, dependencies first. ``donors``: training targets, nearest first; ``lookup(donor, name)``: that donor's
    constants of the name (from ``training_constants``); ``translate``: a declaration as the new target's code;
    ``defined(name)``: whether LLVM, C++, the description or the new target's records already give the name;
    ``writers(file, name)``: the training targets whose code in that file reads the name (a taken-over body's
    donor, the target a generated candidate's statements are), of which the nearest declaring it gives the constant,
    as that code was written against it (Lanai's disassembler indexes its own ``GPRDecoderTable`` with Lanai's
    register numbers; BPF's table of that name has twelve entries); none known: any donor, nearest first."""
    found: dict[tuple[str, tuple[str, ...]], str | None] = {}  # (name, donors) -> its declaration (None: none fits)

    def resolve(name: str, pool: tuple[str, ...], seen: frozenset[str]) -> str | None:
        if (name, pool) in found:
            return found[(name, pool)]
        found[(name, pool)] = None  # a constant that reads itself through others is not taken
        for donor in pool:
            for spelled in dict.fromkeys([name, *(name.replace(target, donor, 1) for _ in [0] if target in name)]):
                for decl in lookup(donor, spelled):
                    text = translate(decl)
                    if name not in names_in(text):
                        continue  # respelled, it declares another name
                    more = names_in(text) - {name} - seen
                    if all(defined(n) or resolve(n, pool, seen | {name}) is not None for n in more):
                        found[(name, pool)] = text
                        return text
        return None

    def with_deps(name: str, pool: tuple[str, ...], into: list[str], done: set[str]) -> None:
        if name in done:
            return
        done.add(name)
        text = found[(name, pool)]
        assert text is not None
        for n in sorted(names_in(text) - {name}):
            if found.get((n, pool)):
                with_deps(n, pool, into, done)
        into.append(text)

    out: dict[str, list[str]] = {}
    for file, code in code_by_file.items():
        wanted = sorted(n for n in names_in(code) if not defined(n) and not declares(code, n))
        decls: list[str] = []
        done: set[str] = set()
        for n in wanted:
            mine = set(writers(file, n)) if writers is not None else set()
            pool = tuple(d for d in donors if d in mine) if mine else tuple(donors)
            if resolve(n, pool, frozenset()) is not None:
                with_deps(n, pool, decls, done)
        if decls:
            out[file] = decls
    return out
