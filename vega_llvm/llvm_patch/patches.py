"""Generate the llvm-project 16.0.6 patches that register a new architecture, as real unified diffs.

Each change is an ``Edit``: a line to insert next to an anchor line that LLVM 16 already has (the ``xtensa`` case of
a ``Triple`` switch, the ``EM_LOONGARCH`` enumerator, ...), found inside a scope (the function that holds it). The
edits are applied to the real 16.0.6 files in memory and ``difflib`` writes the diff, so every hunk's context is the
real source, byte for byte, and ``patch -p1`` applies it without fuzz. Which switch group the arch joins follows its
pointer width and byte order; every ``Triple`` switch without a ``default:`` gets a case, so the patched tree
compiles without ``-Wswitch`` warnings, and the two endianness switches with an ``llvm_unreachable`` default get one
where the arch would otherwise reach it.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import LLVM_VERSION
from ..errors import ConfigError
from .arch import RESERVED_EM_RANGE, NewArch

TRIPLE_H = "llvm/include/llvm/TargetParser/Triple.h"
TRIPLE_CPP = "llvm/lib/TargetParser/Triple.cpp"
ELF_H = "llvm/include/llvm/BinaryFormat/ELF.h"
BINARYFORMAT_ELF_CPP = "llvm/lib/BinaryFormat/ELF.cpp"
OBJECT_ELF_CPP = "llvm/lib/Object/ELF.cpp"
ELF_OBJECT_FILE_H = "llvm/include/llvm/Object/ELFObjectFile.h"

# Patch order: the header that declares the enum first, then its users.
FILES = (TRIPLE_H, TRIPLE_CPP, ELF_H, None, BINARYFORMAT_ELF_CPP, OBJECT_ELF_CPP, ELF_OBJECT_FILE_H)  # None: the .def


@dataclass(frozen=True)
class Edit:
    """Insert ``text`` before/after (or instead of) the first line equal to ``anchor`` that follows the ``scope``
    lines (each matched as a substring, in order)."""

    path: str
    scope: tuple[str, ...]
    anchor: str
    text: str
    where: str = "after"  # after | before | replace


@dataclass
class GeneratedPatch:
    """One ``.patch`` file: the llvm-project path it changes and the diff text."""

    name: str
    path: str
    text: str


def reloc_def_path(arch: NewArch) -> str:
    return f"llvm/include/llvm/BinaryFormat/ELFRelocs/{arch.target}.def"


def _pad(s: str, width: int) -> str:
    return s + " " * max(1, width - len(s))


def edits_for(arch: NewArch) -> list[Edit]:
    """Every edit the arch needs, chosen by its width and byte order."""
    a, em, T = arch.arch, arch.em_name, arch.target
    endian = "little" if arch.little_endian else "big"
    e: list[Edit] = [
        Edit(TRIPLE_H, ("enum ArchType {",), "    LastArchType = ve",
             f"    {_pad(a + ',', 16)}// {T}: {arch.bits}-bit, {endian} endian (vega-llvm)\n    LastArchType = {a}",
             "replace"),
        Edit(TRIPLE_CPP, ("StringRef Triple::getArchTypeName(ArchType Kind) {",),
             '  case xtensa:         return "xtensa";', f'  case {_pad(a + ":", 16)}return "{a}";'),
        Edit(TRIPLE_CPP, ("StringRef Triple::getArchTypePrefix(ArchType Kind) {",),
             '  case xtensa:      return "xtensa";', f'  case {_pad(a + ":", 13)}return "{a}";'),
        Edit(TRIPLE_CPP, ("Triple::ArchType Triple::getArchTypeForLLVMName(StringRef Name) {",),
             '    .Case("xtensa", xtensa)', f'    .Case("{a}", {a})'),
        Edit(TRIPLE_CPP, ("static Triple::ArchType parseArch(StringRef ArchName) {",),
             '    .Case("xtensa", Triple::xtensa)', f'    .Case("{a}", Triple::{a})'),
        Edit(TRIPLE_CPP, ("static Triple::ObjectFormatType getDefaultFormat(const Triple &T) {",),
             "  case Triple::xtensa:", f"  case Triple::{a}:"),
        Edit(TRIPLE_CPP, ("static unsigned getArchPointerBitWidth(llvm::Triple::ArchType Arch) {",),
             {16: "  case llvm::Triple::msp430:", 32: "  case llvm::Triple::xtensa:", 64: "  case llvm::Triple::x86_64:"}[arch.bits],
             f"  case llvm::Triple::{a}:"),
        # get32BitArchVariant: a 32-bit arch is "already 32-bit"; 16- and 64-bit ones have no 32-bit variant.
        Edit(TRIPLE_CPP, ("Triple Triple::get32BitArchVariant() const {",),
             "  case Triple::xtensa:" if arch.bits == 32 else "  case Triple::ve:", f"  case Triple::{a}:"),
        Edit(TRIPLE_CPP, ("Triple Triple::get64BitArchVariant() const {",),
             "  case Triple::x86_64:" if arch.bits == 64 else "  case Triple::xtensa:", f"  case Triple::{a}:"),
    ]
    if arch.little_endian:
        e += [
            # No big-endian variant; without this case the switch's default is llvm_unreachable.
            Edit(TRIPLE_CPP, ("Triple Triple::getBigEndianArchVariant() const {",), "  case Triple::xtensa:",
                 f"  case Triple::{a}:"),
            Edit(TRIPLE_CPP, ("bool Triple::isLittleEndian() const {",), "  case Triple::xtensa:", f"  case Triple::{a}:"),
        ]
    else:
        e.append(Edit(TRIPLE_CPP, ("Triple Triple::getLittleEndianArchVariant() const {",), "  case Triple::m68k:",
                      f"  case Triple::{a}:"))
    reserved = "the gABI reserves 145-159 for future use" if arch.em_value in RESERVED_EM_RANGE else "chosen with --elf-machine"
    e += [
        Edit(ELF_H, ("EM_NONE = 0,",), "  EM_LOONGARCH = 258,     // LoongArch",
             f"  {_pad(f'{em} = {arch.em_value},', 24)}// {T} (vega-llvm private value: {reserved})"),
        Edit(ELF_H, ("// ELF Relocation types for Hexagon",), "// RISCV Specific e_flags",
             f"// ELF Relocation types for {T} (vega-llvm).\nenum {{\n#include \"ELFRelocs/{T}.def\"\n}};\n", "before"),
        Edit(BINARYFORMAT_ELF_CPP, ("uint16_t ELF::convertArchNameToEMachine(StringRef Arch) {",),
             '      .Case("loongarch", EM_LOONGARCH)', f'      .Case("{a}", {em})'),
        Edit(BINARYFORMAT_ELF_CPP, ("StringRef ELF::convertEMachineToArchName(uint16_t EMachine) {",),
             "  case EM_LOONGARCH:", f'  case {em}:\n    return "{a}";', "before"),
        Edit(OBJECT_ELF_CPP, ("StringRef llvm::object::getELFRelocationTypeName(",), "  case ELF::EM_XTENSA:",
             f"  case ELF::{em}:\n    switch (Type) {{\n#include \"llvm/BinaryFormat/ELFRelocs/{T}.def\"\n"
             "    default:\n      break;\n    }\n    break;", "before"),
        Edit(ELF_OBJECT_FILE_H, ("StringRef ELFObjectFile<ELFT>::getFileFormatName() const {",
                                 f"  case ELF::ELFCLASS{arch.elf_class}:"),
             "    default:", f'    case ELF::{em}:\n      return "elf{arch.elf_class}-{a}";', "before"),
        Edit(ELF_OBJECT_FILE_H, ("Triple::ArchType ELFObjectFile<ELFT>::getArch() const {",), "  case ELF::EM_VE:",
             f"  case ELF::{em}:\n    return Triple::{a};", "before"),
    ]
    return e


def reloc_def_text(arch: NewArch) -> str:
    """The new ``ELFRelocs/<X>.def``, in the layout of LLVM's own (Lanai.def)."""
    width = max(len(n) for n, _ in arch.relocations) + 2
    body = "".join(f"ELF_RELOC({_pad(n + ',', width)}{v})\n" for n, v in arch.relocations)
    return (
        f"// ELF relocations of {arch.target}, generated by vega-llvm. Values are private to this target\n"
        f"// ({arch.em_name} = {arch.em_value}); replace them with the psABI's once it has one.\n\n"
        "#ifndef ELF_RELOC\n#error \"ELF_RELOC must be defined\"\n#endif\n\n" + body
    )


def apply_edits(text: str, edits: list[Edit], path: str) -> str:
    """The file with the edits applied; each anchor must exist exactly where LLVM 16.0.6 has it."""
    lines = text.split("\n")
    for ed in edits:
        i = 0
        for s in ed.scope:
            i = next((k for k in range(i, len(lines)) if s in lines[k]), -1)
            if i < 0:
                raise ConfigError(f"{path}: no line containing {s!r}: is this llvm-project {LLVM_VERSION}?")
        j = next((k for k in range(i, len(lines)) if lines[k].rstrip() == ed.anchor), -1)
        if j < 0:
            raise ConfigError(f"{path}: no line {ed.anchor.strip()!r} after {ed.scope[-1]!r}: is this llvm-project {LLVM_VERSION}?")
        new = ed.text.split("\n")
        if ed.where == "after":
            lines[j + 1:j + 1] = new
        elif ed.where == "before":
            lines[j:j] = new
        else:
            lines[j:j + 1] = new
    return "\n".join(lines)


def knows_arch(root: Path, arch: NewArch) -> bool:
    """Whether the tree's ``Triple::ArchType`` enum already has the arch (an LLVM target, or patched already)."""
    enum = (root / TRIPLE_H).read_text().split("enum ArchType {", 1)[1].split("};", 1)[0]
    return re.search(rf"^\s*{re.escape(arch.arch)}\s*[,=]", enum, re.M) is not None


def check_new(arch: NewArch, root: Path) -> None:
    """Refuse a name or ELF machine LLVM already has: the patched tree would not compile, or would misread objects."""
    if knows_arch(root, arch):
        raise ConfigError(f"LLVM already has an arch named {arch.arch!r} (in {TRIPLE_H}): pick another target name")
    elf_h = (root / ELF_H).read_text()
    machines = {m.group(1): int(m.group(2), 0) for m in re.finditer(r"^\s*(EM_\w+)\s*=\s*(0x[0-9A-Fa-f]+|\d+)", elf_h, re.M)}
    if arch.em_name in machines:
        raise ConfigError(f"{ELF_H} already defines {arch.em_name}: pick another target name")
    taken = [n for n, v in machines.items() if v == arch.em_value]
    if taken:
        raise ConfigError(f"ELF machine {arch.em_value} is {taken[0]} already: pass --elf-machine with a free value (145-159 are reserved)")


def generate(arch: NewArch, base: Path) -> list[GeneratedPatch]:
    """The patches, computed against the files of ``base`` (an unpatched llvm-project 16.0.6 root)."""
    check_new(arch, base)
    by_file: dict[str, list[Edit]] = {}
    for ed in edits_for(arch):
        by_file.setdefault(ed.path, []).append(ed)
    out: list[GeneratedPatch] = []
    for path in FILES:
        if path is None:
            old, new, path = [], reloc_def_text(arch).splitlines(keepends=True), reloc_def_path(arch)
            from_name = "/dev/null"
        else:
            text = (base / path).read_text()
            old = text.splitlines(keepends=True)
            new = apply_edits(text, by_file[path], path).splitlines(keepends=True)
            from_name = f"a/{path}"
        diff = "".join(difflib.unified_diff(old, new, fromfile=from_name, tofile=f"b/{path}"))
        name = f"{len(out) + 1:02d}-{Path(path).name}.patch"
        header = f"vega-llvm: register arch {arch.arch} ({arch.target}) in llvm-project {LLVM_VERSION}: {path}\n\n"
        out.append(GeneratedPatch(name=name, path=path, text=header + diff))
    return out


def write(patches: list[GeneratedPatch], arch: NewArch, out_dir: Path) -> list[Path]:
    """Write the ``.patch`` files, a ``series`` file (the order to apply them) and ``arch.json`` (what they encode)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.patch"):
        stale.unlink()
    paths = []
    for p in patches:
        dest = out_dir / p.name
        dest.write_text(p.text)
        paths.append(dest)
    (out_dir / "series").write_text("".join(p.name + "\n" for p in patches))
    info = {**asdict(arch), "arch": arch.arch, "em_name": arch.em_name, "llvm_version": LLVM_VERSION}
    (out_dir / "arch.json").write_text(json.dumps(info, indent=1) + "\n")
    return paths
