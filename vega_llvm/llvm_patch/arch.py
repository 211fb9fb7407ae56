"""What LLVM must know about a new architecture: its names, pointer width, byte order, ELF machine and relocations.

Pointer width and byte order decide which ``Triple`` switch groups the new arch joins; they come from the target's own
sources where those say it (the data-layout string of ``<X>TargetMachine.cpp``), else from its description (the widest
integer type of its allocatable register classes), else from the options.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError

# The gABI lists e_machine 145-159 as "reserved for future use": no toolchain assigns them, so a private backend can
# use one without colliding with a real object file. 159 is the top of that range (the gABI fills gaps from the low
# end). Pass --elf-machine to pick another when two private targets must coexist.
DEFAULT_EM_VALUE = 159
RESERVED_EM_RANGE = range(145, 160)

_NAME_RE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_DATALAYOUT_RE = re.compile(r'"([eE](?:-[A-Za-z][^"\s]*)*)"')


@dataclass
class NewArch:
    """One new architecture. ``target`` is the ``lib/Target`` directory name (``Vega32``); ``arch`` is the triple's
    arch name and enum entry (``vega32``); ``em_name`` the ELF machine enumerator (``EM_VEGA32``)."""

    target: str
    bits: int = 32
    little_endian: bool = True
    em_value: int = DEFAULT_EM_VALUE
    relocations: list[tuple[str, int]] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # property -> where its value came from

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.target):
            raise ConfigError(f"target name {self.target!r} must be an identifier starting with a capital letter (e.g. Vega32)")
        if self.bits not in (16, 32, 64):
            raise ConfigError(f"pointer width {self.bits} not supported: use --bits 16, 32 or 64")
        if not 0 < self.em_value < 0x10000:
            raise ConfigError(f"ELF machine {self.em_value} out of range: e_machine is a 16-bit value")
        if not self.relocations:
            self.relocations = default_relocations(self.target, self.bits)

    @property
    def arch(self) -> str:
        return self.target.lower()

    @property
    def upper(self) -> str:
        return self.target.upper()

    @property
    def em_name(self) -> str:
        return f"EM_{self.upper}"

    @property
    def elf_class(self) -> int:
        """ELF objects of 16-bit targets (AVR, MSP430) are ELFCLASS32 too."""
        return 64 if self.bits == 64 else 32


def default_relocations(target: str, bits: int) -> list[tuple[str, int]]:
    """The minimum every ELF target has: NONE and a data relocation of pointer size."""
    up = target.upper()
    rels = [(f"R_{up}_NONE", 0), (f"R_{up}_32", 1)]
    if bits == 64:
        rels.append((f"R_{up}_64", 2))
    if bits == 16:
        rels.append((f"R_{up}_16", 2))
    return rels


def read_reloc_def(path: Path) -> list[tuple[str, int]]:
    """``ELF_RELOC(R_X_NAME, value)`` lines of an ``ELFRelocs/<X>.def`` file."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"cannot read relocations from {path}: {exc.strerror}") from exc
    rels = [(m.group(1), int(m.group(2), 0)) for m in re.finditer(r"ELF_RELOC\(\s*(\w+)\s*,\s*(\w+)\s*\)", text)]
    if not rels:
        raise ConfigError(f"{path} has no ELF_RELOC(name, value) lines")
    return rels


def relocations_used(target_dir: Path, target: str) -> list[str]:
    """``ELF::R_<X>_*`` names the target's sources use: the generated ``.def`` must define each or the build fails."""
    pat = re.compile(rf"\bELF::(R_{target.upper()}_\w+)")
    names: list[str] = []
    for f in sorted(target_dir.rglob("*")):
        if f.suffix in (".cpp", ".h", ".inc", ".def") and f.is_file():
            for m in pat.finditer(f.read_text(errors="replace")):
                if m.group(1) not in names:
                    names.append(m.group(1))
    return names


def datalayout_of(target_dir: Path, target: str) -> str | None:
    """The data-layout string literal of ``<X>TargetMachine.cpp`` (LLVM's own record of width and byte order)."""
    tm = target_dir / f"{target}TargetMachine.cpp"
    if not tm.is_file():
        return None
    # Join adjacent literals ("E" "-m:e" ...), as Lanai writes its layout, after dropping // comments between them.
    text = re.sub(r'"\s+"', "", re.sub(r"//[^\n]*", "", tm.read_text(errors="replace")))
    for m in _DATALAYOUT_RE.finditer(text):
        if re.search(r"-(p\d*:|m:|i\d+:|n\d)", m.group(1)):
            return m.group(1)
    return None


def bits_from_properties(table: Any) -> int | None:
    """Widest integer value type held by an allocatable register class of the property table: i64 means 64-bit."""
    widths = [
        int(t[1:])
        for c in table.details.get("register_classes", [])
        if c.get("allocatable")
        for t in c.get("types", [])
        if t and re.fullmatch(r"i(16|32|64)", t)
    ]
    return max(widths) if widths else None


def infer_arch(
    target: str,
    *,
    bits: int | None = None,
    little_endian: bool | None = None,
    em_value: int | None = None,
    relocs_def: Path | None = None,
    target_dir: Path | None = None,
    table: Any = None,
) -> NewArch:
    """Options win, then the target's data layout, then its property table, then 32-bit little-endian."""
    sources: dict[str, str] = {}
    layout = datalayout_of(target_dir, target) if target_dir else None
    if bits is not None:
        sources["bits"] = "option"
    elif layout and (m := re.search(r"(?:^|-)p(?:0)?:(\d+)", layout)):
        bits, sources["bits"] = int(m.group(1)), f"data layout {layout!r}"
    elif table is not None and (b := bits_from_properties(table)):
        bits, sources["bits"] = b, "widest integer register class type"
    else:
        bits, sources["bits"] = 32, "default"
    if little_endian is not None:
        sources["endian"] = "option"
    elif layout:
        little_endian, sources["endian"] = layout.startswith("e"), f"data layout {layout!r}"
    else:
        little_endian, sources["endian"] = True, "default"
    rels = read_reloc_def(relocs_def) if relocs_def else default_relocations(target, bits)
    if target_dir is not None:
        known = {n for n, _ in rels}
        nxt = max(v for _, v in rels) + 1
        for name in relocations_used(target_dir, target):
            if name not in known:
                rels.append((name, nxt))
                nxt += 1
    return NewArch(
        target=target,
        bits=bits,
        little_endian=little_endian,
        em_value=DEFAULT_EM_VALUE if em_value is None else em_value,
        relocations=rels,
        sources=sources,
    )
