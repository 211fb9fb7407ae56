"""The two description inputs that are not TableGen: a target's fixup kinds (C++ header) and ELF relocations (.def).

VEGA reads fixup kinds from ``<T>FixupKinds.h`` because they are an "update site" of the target that no ``.td``
records. The header is parsed with tree-sitter-cpp (enumerators of every ``enum`` in it, so that differently named
enums such as SystemZ's ``SystemZMCFixups.h`` work unchanged); the ``ELFRelocs/<X>.def`` file is a list of
``ELF_RELOC(name, value)`` macro calls and is read line by line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import ConfigError


@dataclass(frozen=True)
class Fixup:
    name: str
    enum: str
    value: str  # the initialiser as written ('' when implicit)


@dataclass(frozen=True)
class Reloc:
    name: str
    value: int
    file: str


@lru_cache(maxsize=1)
def _parser():  # type: ignore[no-untyped-def]
    import tree_sitter_cpp
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_cpp.language()))


def parse_fixups(path: Path) -> list[Fixup]:
    """Every enumerator of every enum in the header, in order (sentinels like ``NumTargetFixupKinds`` included:
    target code names them too, e.g. ``MCFixupKindInfo Infos[<T>::NumTargetFixupKinds]``)."""
    try:
        src = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read fixup header ({exc.strerror})") from exc
    tree = _parser().parse(src)
    out: list[Fixup] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "enum_specifier":
            name_node = node.child_by_field_name("name")
            enum_name = name_node.text.decode() if name_node is not None and name_node.text else ""
            body = node.child_by_field_name("body")
            for child in body.named_children if body is not None else []:
                if child.type != "enumerator":
                    continue
                ident = child.child_by_field_name("name")
                value = child.child_by_field_name("value")
                if ident is None or ident.text is None:
                    continue
                out.append(
                    Fixup(
                        name=ident.text.decode(),
                        enum=enum_name,
                        value=value.text.decode() if value is not None and value.text else "",
                    )
                )
            continue
        stack.extend(reversed(node.children))
    return out


_ELF_RELOC = re.compile(r"^\s*ELF_RELOC\s*\(\s*(\w+)\s*,\s*(0[xX][0-9a-fA-F]+|\d+)\s*\)")


def parse_relocs(path: Path) -> list[Reloc]:
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read relocation list ({exc.strerror})") from exc
    out = []
    for line in text.splitlines():
        m = _ELF_RELOC.match(line)
        if m:
            out.append(Reloc(name=m.group(1), value=int(m.group(2), 0), file=Path(path).name))
    return out


def _stems(*names: str) -> set[str]:
    return {n.lower() for n in names if n}


def find_fixup_headers(td_dir: Path, names: tuple[str, ...], llvm_target_dirs: list[Path]) -> list[Path]:
    """``MCTargetDesc/*Fixup*.h`` beside the ``.td``, else in the LLVM tree's directory for the same target.

    Several files can match (none in LLVM 16 today); all are read.
    """
    for base in [td_dir, *llvm_target_dirs]:
        found = sorted(
            p
            for sub in ("MCTargetDesc", ".")
            for p in (base / sub).glob("*Fixup*.h")
            if p.is_file() and any(p.name.lower().startswith(s) for s in _stems(*names))
        )
        if found:
            return found
    return []


def find_reloc_defs(names: tuple[str, ...], include_roots: list[Path]) -> list[Path]:
    """``llvm/BinaryFormat/ELFRelocs/<X>.def`` whose stem starts with the target name, namespace or folder name
    (``PowerPC.def`` and ``PowerPC64.def`` for PPC, ``x86_64.def`` and ``i386.def`` do not match X86 and are
    therefore reported absent unless given with ``--relocs``)."""
    stems = _stems(*names)
    for root in include_roots:
        folder = root / "llvm" / "BinaryFormat" / "ELFRelocs"
        if not folder.is_dir():
            continue
        found = sorted(p for p in folder.glob("*.def") if any(p.stem.lower().startswith(s) for s in stems))
        if found:
            return found
    return []
