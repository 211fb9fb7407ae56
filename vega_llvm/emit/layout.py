"""What a generated target directory contains: its file kinds, the classes they declare, the functions in each.

The layout is the same for every target: a fixed list of LLVM backend file kinds (``FILE_KINDS``), some present
only when the description has the matching property (an ``AsmParser/`` when the description folder has one, fixups
and an object writer when it has fixups or relocations). Functions are placed by their abstracted file stem
(``ISelLowering`` from ``XCoreISelLowering.cpp`` or ``.h``), classes by the qualifier of their functions.

Class declarations follow the functions: each member function is declared from its own signature; the data members
a class needs are taken from ``CLASS_SHAPES`` (the members LLVM interface classes usually carry, same for every
target) only when some function of the class mentions them, plus those a constructor initialises from a parameter
(``Subtarget(Subtarget)`` with parameter ``const XSubtarget &Subtarget`` gives ``const XSubtarget &Subtarget;``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from .functions import EmitFunction, Signature, parse_signature, split_top


@dataclass(frozen=True)
class FileKind:
    stem: str  # abstracted stem of the functions it holds ("ISelLowering"); "" for no functions (CMake only)
    directory: str  # "" (top level), "MCTargetDesc", "TargetInfo", "AsmParser", "Disassembler"
    cpp: bool = True
    header: bool = True
    requires: str = ""  # "", "asm_parser", "disassembler", "object_emission"
    layer: str = "codegen"  # codegen (links CodeGen) or mc (MC only: llvm-mc links it)

    def path(self, target: str, ext: str) -> str:
        name = f"{target}{self.stem}.{ext}"
        return f"{self.directory}/{name}" if self.directory else name

    @property
    def template(self) -> str:
        return f"{self.directory}/{self.stem}" if self.directory else self.stem


FILE_KINDS: tuple[FileKind, ...] = (
    FileKind("TargetInfo", "TargetInfo", layer="mc"),
    FileKind("MCTargetDesc", "MCTargetDesc", layer="mc"),
    FileKind("MCAsmInfo", "MCTargetDesc", layer="mc"),
    FileKind("InstPrinter", "MCTargetDesc", layer="mc"),
    FileKind("FixupKinds", "MCTargetDesc", cpp=False, requires="object_emission", layer="mc"),
    FileKind("AsmBackend", "MCTargetDesc", header=False, requires="object_emission", layer="mc"),
    FileKind("ELFObjectWriter", "MCTargetDesc", header=False, requires="object_emission", layer="mc"),
    FileKind("MCCodeEmitter", "MCTargetDesc", header=False, requires="object_emission", layer="mc"),
    FileKind("TargetMachine", ""),
    FileKind("Subtarget", ""),
    FileKind("RegisterInfo", ""),
    FileKind("InstrInfo", ""),
    FileKind("FrameLowering", ""),
    FileKind("ISelDAGToDAG", "", header=False),
    FileKind("ISelLowering", ""),
    FileKind("AsmPrinter", "", header=False),
    FileKind("MCInstLower", ""),
    FileKind("AsmParser", "AsmParser", header=False, requires="asm_parser", layer="mc"),
    FileKind("Disassembler", "Disassembler", header=False, requires="disassembler", layer="mc"),
)


@dataclass(frozen=True)
class Shape:
    """The usual form of one LLVM interface class: base, data members (emitted when mentioned), extra lines."""

    base: str = ""
    fields: tuple[tuple[str, str], ...] = ()  # (type, name [= default]): "const <T>Subtarget &", "Subtarget"
    body: tuple[str, ...] = ()  # lines inside the class always written (tblgen-generated declarations)
    on_use: tuple[tuple[str, str], ...] = ()  # (identifier, declaration): written when a function mentions it


CLASS_SHAPES: dict[str, Shape] = {
    "<T>TargetMachine": Shape(
        "LLVMTargetMachine",
        # ELF object file lowering unless the constructor sets the target's own: llc asks every target for one
        (("std::unique_ptr<TargetLoweringObjectFile>", "TLOF = std::make_unique<TargetLoweringObjectFileELF>()"),
         ("<T>Subtarget", "Subtarget"),
         ("mutable StringMap<std::unique_ptr<<T>Subtarget>>", "SubtargetMap")),
    ),
    "<T>PassConfig": Shape("TargetPassConfig"),
    "<T>Subtarget": Shape(
        "<T>GenSubtargetInfo",
        (("<T>InstrInfo", "InstrInfo"), ("<T>FrameLowering", "FrameLowering"), ("<T>TargetLowering", "TLInfo"),
         ("SelectionDAGTargetInfo", "TSInfo"), ("<T>RegisterInfo", "RegInfo"), ("Triple", "TargetTriple")),
        ("void ParseSubtargetFeatures(StringRef CPU, StringRef TuneCPU, StringRef FS);",),
    ),
    "<T>RegisterInfo": Shape("<T>GenRegisterInfo"),
    "<T>InstrInfo": Shape(
        "<T>GenInstrInfo",
        (("const <T>RegisterInfo", "RI"), ("const <T>Subtarget &", "STI"), ("<T>Subtarget &", "Subtarget")),
    ),
    "<T>FrameLowering": Shape("TargetFrameLowering", (("const <T>Subtarget &", "STI"),)),
    "<T>TargetLowering": Shape(
        "TargetLowering", (("const <T>Subtarget &", "Subtarget"), ("const TargetMachine &", "TM"))
    ),
    "<T>DAGToDAGISel": Shape(
        "SelectionDAGISel",
        (("const <T>Subtarget *", "Subtarget"),),
        ("#include \"<T>GenDAGISel.inc\"",),
        (("ID", "static char ID;"),),
    ),
    "<T>AsmPrinter": Shape(
        "AsmPrinter",
        (("<T>MCInstLower", "MCInstLowering"), ("const <T>Subtarget *", "Subtarget"), ("const MCSubtargetInfo *", "STI")),
        (),
        (("emitPseudoExpansionLowering", "bool emitPseudoExpansionLowering(MCStreamer &OutStreamer, const MachineInstr *MI);"),
         ("lowerOperand", "bool lowerOperand(const MachineOperand &MO, MCOperand &MCOp) const;")),
    ),
    "<T>MCInstLower": Shape("", (("MCContext *", "Ctx"), ("AsmPrinter &", "Printer"))),
    "<T>MCAsmInfo": Shape("MCAsmInfoELF"),
    "<T>InstPrinter": Shape(
        "MCInstPrinter",
        (),
        ("std::pair<const char *, uint64_t> getMnemonic(const MCInst *MI) override;",
         "void printInstruction(const MCInst *MI, uint64_t Address, {STI}raw_ostream &O);",
         "static const char *getRegisterName(MCRegister Reg{ALT});"),
        (("printAliasInstr", "bool printAliasInstr(const MCInst *MI, uint64_t Address, {STI}raw_ostream &O);"),
         ("printCustomAliasOperand", "void printCustomAliasOperand(const MCInst *MI, uint64_t Address, unsigned OpIdx, unsigned PrintMethodIdx, {STI}raw_ostream &O);")),
    ),
    "<T>AsmBackend": Shape(
        "MCAsmBackend",
        (("uint8_t", "OSABI"), ("bool", "Is64Bit"), ("const MCSubtargetInfo &", "STI"), ("Triple::OSType", "OSType"),
         ("const MCTargetOptions &", "TargetOptions")),
    ),
    "<T>ELFObjectWriter": Shape("MCELFObjectTargetWriter"),
    "<T>MCCodeEmitter": Shape(
        "MCCodeEmitter",
        (("MCContext &", "Ctx"), ("MCInstrInfo const &", "MCII")),
        ("uint64_t getBinaryCodeForInstr(const MCInst &MI, SmallVectorImpl<MCFixup> &Fixups, const MCSubtargetInfo &STI) const;",),
    ),
    "<T>AsmParser": Shape(
        "MCTargetAsmParser",
        (("MCAsmParser &", "Parser"),),
        ("#define GET_ASSEMBLER_HEADER", "#include \"<T>GenAsmMatcher.inc\""),
    ),
    "<T>Disassembler": Shape("MCDisassembler", (("std::unique_ptr<MCInstrInfo const> const", "MCII"),)),
}


@dataclass
class PlacedFunction:
    fn: EmitFunction
    sig: Signature
    cls: str  # concrete class it belongs to, "" for a free function


@dataclass
class ClassDecl:
    name: str
    abstract: str
    base: str
    fields: list[str]
    decls: list[str]
    body: list[str]


@dataclass
class PlannedFile:
    kind: FileKind
    functions: list[PlacedFunction] = field(default_factory=list)
    classes: list[ClassDecl] = field(default_factory=list)


@dataclass
class Plan:
    """Everything the templates need for one target."""

    target: str
    namespace: str
    props: dict[str, Any]
    files: list[PlannedFile]
    unplaced: list[EmitFunction]  # functions of a file kind the layout has no template for
    tablegen: list[tuple[str, str]]  # (output .inc, tblgen flags)
    public_decls: dict[str, list[str]]  # "codegen" | "mc" | "info" -> declarations of non-static free functions

    def file(self, stem: str) -> PlannedFile | None:
        return next((f for f in self.files if f.kind.stem == stem), None)

    @property
    def functions(self) -> list[PlacedFunction]:
        return [p for f in self.files for p in f.functions]


def target_properties(table: Any) -> dict[str, Any]:
    """The properties the templates read, derived from a ``describe`` property table."""
    flags, values, details = table.flags, table.values, table.details
    writer = next((a for a in details.get("asm", []) if a.get("role") == "writer"), {})
    return {
        "asm_parser": bool(flags.get("describes.asm_parser")),
        "disassembler": bool(flags.get("describes.disassembler")),
        "object_emission": bool(flags.get("has.fixup") or flags.get("has.relocation")),
        "calling_conv": bool(flags.get("has.calling_conv")),
        "searchable_tables": bool(flags.get("has.generic_table") or flags.get("has.searchable_index")),
        "compress_patterns": bool(flags.get("compress_patterns")),
        "features": bool(flags.get("has.feature.attribute")),
        "pass_subtarget": bool(writer.get("PassSubtarget")),
        "alt_names": bool(flags.get("has.reg_alt_name_index")),
        "isd_opcodes": sorted({v.split("::", 1)[-1] for v in values.get("isd_opcode", [])}),
        # the enum's own bookkeeping entries are written by the template, not taken as fixups
        "fixups": [f["name"] for f in details.get("fixups", [])
                   if not f["name"].endswith("_invalid") and "TargetFixupKind" not in f["name"]],
        "processors": values.get("processor", []),
        "operand_types": _operand_types(details.get("operands", [])),
        "lower": (values.get("target.lower") or [table.target.lower()])[0],
    }


def _operand_types(operands: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The target's own operand types by C++ namespace (``RISCVOp`` -> ``OPERAND_UIMM2``, ...): the instruction
    tables name them, so the target must declare them (those of ``MCOI`` are LLVM's)."""
    out: dict[str, list[str]] = {}
    for o in operands:
        ns, ty = o.get("operand_namespace", ""), o.get("operand_type", "")
        if ns and ns != "MCOI" and ty and ty not in out.setdefault(ns, []):
            out[ns].append(ty)
    return out


def _kind_enabled(kind: FileKind, props: dict[str, Any]) -> bool:
    return not kind.requires or bool(props.get(kind.requires))


def _mentions(functions: list[PlacedFunction], ident: str) -> bool:
    rx = re.compile(rf"\b{re.escape(ident)}\b")
    return any(rx.search(p.fn.body) or rx.search(p.fn.signature) for p in functions)


def _ctor_fields(cls: str, members: list[PlacedFunction], known: set[str]) -> list[str]:
    """Data members a constructor initialises straight from a parameter of the same spelling."""
    out: list[str] = []
    for p in members:
        if p.sig.name != cls or not p.sig.inits:
            continue
        params = {}
        for prm in split_top(p.sig.params, ","):
            m = re.match(r"(.*?)([A-Za-z_]\w*)\s*(=.*)?$", prm.strip())
            if m:
                params[m.group(2)] = m.group(1).strip()
        for init in split_top(p.sig.inits.lstrip(":"), ","):
            m = re.match(r"([A-Za-z_]\w*)\s*[({]\s*([A-Za-z_]\w*)\s*[)}]$", init.strip())
            if m and m.group(1) not in known and m.group(2) in params:
                ty = params[m.group(2)]
                out.append(f"{ty} {m.group(1)};".replace("& ", "&").replace(" &", " &"))
                known.add(m.group(1))
    return out


def class_decl(cls: str, abstract: str, members: list[PlacedFunction], target: str, props: dict[str, Any]) -> ClassDecl:
    shape = CLASS_SHAPES.get(abstract, Shape())
    sti = "const MCSubtargetInfo &STI, " if props.get("pass_subtarget") else ""
    alt = ", unsigned AltIdx" if props.get("alt_names") else ""

    def fill(text: str) -> str:
        return text.replace("<T>", target).replace("{STI}", sti).replace("{ALT}", alt)

    fields, known = [], set()
    ctor_inits = " ".join(p.sig.inits for p in members if p.sig.name == cls)
    for ty, spec in shape.fields:
        name = spec.split("=")[0].strip()  # "TLOF = <default>": a default member initializer
        # A reference member that the constructor does not initialise would make the constructor ill-formed.
        if ty.rstrip().endswith("&") and not re.search(rf"\b{re.escape(name)}\s*[({{]", ctor_inits):
            continue
        if _mentions(members, name):
            fields.append(f"{fill(ty)} {spec};".replace("& ", "&").replace(" &", " &"))
            known.add(name)
    known.add(fill(shape.base))  # a base-class initializer is not a data member
    fields += _ctor_fields(cls, members, known)
    decls, seen = [], set()
    for p in members:
        d = p.sig.declaration()
        if d not in seen:
            seen.add(d)
            decls.append(declares(d, p.fn.key))
    body = [fill(b) for b in shape.body]
    body += [fill(d) for ident, d in shape.on_use if _mentions(members, ident)]
    if abstract == "<T>Subtarget" and props.get("features"):
        # LLVM 16 declares subtarget feature bits and their getters through this macro of the tblgen output.
        inc = f'#include "{target}GenSubtargetInfo.inc"'
        body += ["#define GET_SUBTARGETINFO_MACRO(ATTRIBUTE, DEFAULT, GETTER) bool ATTRIBUTE = DEFAULT;", inc,
                 "#define GET_SUBTARGETINFO_MACRO(ATTRIBUTE, DEFAULT, GETTER) bool GETTER() const { return ATTRIBUTE; }", inc]
    return ClassDecl(cls, abstract, fill(shape.base), fields, decls, body)


DECLARES = "// vega: declares "


def declares(declaration: str, key: str) -> str:
    """A declaration line that names its function, so that a compiler error on it is charged to that function."""
    return f"{declaration}  {DECLARES}{key}"


def tablegen_steps(target: str, props: dict[str, Any], functions: list[PlacedFunction]) -> list[tuple[str, str]]:
    steps = [
        (f"{target}GenRegisterInfo.inc", "-gen-register-info"),
        (f"{target}GenInstrInfo.inc", "-gen-instr-info"),
        (f"{target}GenAsmWriter.inc", "-gen-asm-writer"),
        (f"{target}GenDAGISel.inc", "-gen-dag-isel"),
        (f"{target}GenSubtargetInfo.inc", "-gen-subtarget"),
    ]
    if props["calling_conv"]:
        steps.append((f"{target}GenCallingConv.inc", "-gen-callingconv"))
    if props["object_emission"]:
        steps.append((f"{target}GenMCCodeEmitter.inc", "-gen-emitter"))
    if props["asm_parser"]:
        steps.append((f"{target}GenAsmMatcher.inc", "-gen-asm-matcher"))
    if props["disassembler"]:
        steps.append((f"{target}GenDisassemblerTables.inc", "-gen-disassembler"))
    if props["searchable_tables"]:
        steps.append((f"{target}GenSearchableTables.inc", "-gen-searchable-tables"))
    if props["compress_patterns"]:
        steps.append((f"{target}GenCompressInstEmitter.inc", "-gen-compress-inst-emitter"))
    if _mentions(functions, "emitPseudoExpansionLowering") or _mentions(functions, "lowerPseudoInstExpansion"):
        steps.append((f"{target}GenMCPseudoLowering.inc", "-gen-pseudo-lowering"))
    return steps


# Libraries of a target that nothing else in it links against: their free functions stay in their own file.
PRIVATE_DIRECTORIES = ("AsmParser", "Disassembler")


def is_public(kind: FileKind, sig: Signature, cls: str) -> bool:
    """Whether a free function is declared for the other files of the target (in ``<T>.h`` or an MC header)."""
    return not cls and "static" not in sig.prefix.split() and not sig.name.startswith("LLVMInitialize") and (
        kind.directory not in PRIVATE_DIRECTORIES
    )


def _unique_declarations(lines: list[str]) -> list[str]:
    """One line per declaration (overloads of one group share a key; the same declaration twice is one)."""
    seen: dict[str, str] = {}
    for line in lines:
        seen.setdefault(line.partition(DECLARES)[0], line)
    return list(seen.values())


def make_plan(
    table: Any, functions: list[EmitFunction], target: str | None = None, without: Iterable[str] = (),
    members: dict[str, list[str]] | None = None,
) -> Plan:
    """Place ``functions`` (generated and fallbacks, one per key) into the file kinds the description enables
    (less the optional parts named in ``without``: "asm_parser", "disassembler"); ``members`` adds declarations
    to classes (abstract name, "<T>Subtarget" -> lines)."""
    target = target or table.target
    props = target_properties(table)
    props.update({k: False for k in without})
    kinds = {k.stem: k for k in FILE_KINDS if _kind_enabled(k, props)}
    files = {stem: PlannedFile(k) for stem, k in kinds.items()}
    unplaced: list[EmitFunction] = []
    public: dict[str, list[str]] = defaultdict(list)
    for fn in sorted(functions, key=lambda f: (f.file_stem, f.order)):
        pf = files.get(fn.file_stem)
        if pf is None or not pf.kind.cpp:
            unplaced.append(fn)
            continue
        try:
            sig = parse_signature(fn.signature)
        except Exception:
            unplaced.append(fn)
            continue
        cls = sig.qualifier if sig.qualifier not in ("", "llvm") else ""
        if not cls:
            owner = fn.key.rpartition("::")[0]
            if owner and "::" not in owner and not owner.startswith("llvm"):
                cls = owner.replace("<T>", target)
        if "::" in cls:
            unplaced.append(fn)  # nested classes: no template declares them
            continue
        pf.functions.append(PlacedFunction(fn, sig, cls))
        if is_public(pf.kind, sig, cls):
            layer = "info" if pf.kind.directory == "TargetInfo" else pf.kind.layer
            public[layer].append(declares(Signature(sig.prefix, "", sig.name, sig.params, sig.suffix, "").declaration(), fn.key))
    for pf in files.values():
        by_cls: dict[str, list[PlacedFunction]] = defaultdict(list)
        for p in pf.functions:
            if p.cls:
                by_cls[p.cls].append(p)
        pf.classes = [
            class_decl(c, c.replace(target, "<T>", 1) if c.startswith(target) else c, ms, target, props)
            for c, ms in by_cls.items()
        ]
        for c in pf.classes:
            c.body += (members or {}).get(c.abstract, [])
    all_placed = [p for f in files.values() for p in f.functions]
    return Plan(
        target=target, namespace=table.namespace or target, props=props, files=list(files.values()),
        unplaced=unplaced, tablegen=tablegen_steps(target, props, all_placed),
        public_decls={k: _unique_declarations(v) for k, v in public.items()},
    )
