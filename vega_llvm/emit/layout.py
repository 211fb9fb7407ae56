"""What a generated target directory contains: its file kinds, the classes they declare, the functions in each.

The layout is the same for every target: a list of LLVM backend file kinds, some present only when the description
has the matching property (an ``AsmParser/`` when the description folder has one, fixups and an object writer when
it has fixups or relocations). ``FILE_KINDS`` are the kinds every backend has, each with its own template that
knows what LLVM needs of it; the kinds real backends share beyond those (``MachineFunctionInfo``,
``SelectionDAGInfo``, ``TargetObjectFile``, ``MCTargetDesc/MCExpr``, ``TargetStreamer``...) are read from the
training targets' sources (``emit.backends``) and written through the generic templates of their layer. Functions
are placed by their abstracted file stem (``ISelLowering`` from ``XCoreISelLowering.cpp`` or ``.h``), classes by the
qualifier of their functions; a qualifier the training targets declare as a namespace (``<T>ABI``) places a free
function in that namespace.

Class declarations follow the functions: each member function is declared from its own signature; the data members
a class needs are taken from ``CLASS_SHAPES`` (the members LLVM interface classes usually carry, same for every
target) only when some function of the class mentions them, plus those a constructor initialises from a parameter
(``Subtarget(Subtarget)`` with parameter ``const XSubtarget &Subtarget`` gives ``const XSubtarget &Subtarget;``).
A class ``CLASS_SHAPES`` does not know takes its base class, data members, typedefs and nested enums from the most
similar training target that declares it (``emit.backends``), each line written only when a function mentions it
and only when every name it uses is declared somewhere the target can see; each such line names the function that
needs it (``// vega: declares``), so that a compiler error on it is charged like any other.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Mapping, Sequence

from ..errors import ConfigError
from ..generate.parameters import declared_signatures, parameter_types, parameters
from .backends import KNOWN_DIRECTORIES, MC_DIRECTORIES, BackendLayout, ClassEvidence, Member
from .functions import EmitFunction, Signature, parse_signature, split_top, strip_default


@dataclass(frozen=True)
class FileKind:
    stem: str  # abstracted stem of the functions it holds ("ISelLowering"); "" for no functions (CMake only)
    directory: str  # "" (top level), "MCTargetDesc", "TargetInfo", "AsmParser", "Disassembler"
    cpp: bool = True
    header: bool = True
    requires: str = ""  # "", "asm_parser", "disassembler", "object_emission"
    layer: str = "codegen"  # codegen (links CodeGen) or mc (MC only: llvm-mc links it)
    generic: bool = False  # read from the training targets (``emit.backends``): the layer's generic templates
    includes: tuple[str, ...] = ()  # LLVM headers the training targets' files of this kind include

    def path(self, target: str, ext: str) -> str:
        name = f"{target}{self.stem}.{ext}"
        return f"{self.directory}/{name}" if self.directory else name

    @property
    def template(self) -> str:
        if self.generic:
            return f"_{self.layer}"
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
    # tblgen's asm matcher declares its operand-class bits as SmallBitVector and leaves the include to the parser
    FileKind("AsmParser", "AsmParser", header=False, requires="asm_parser", layer="mc",
             includes=("llvm/ADT/SmallBitVector.h",)),
    FileKind("Disassembler", "Disassembler", header=False, requires="disassembler", layer="mc"),
)


# Libraries a folder of the target builds only when the description has the matching part.
DIRECTORY_REQUIRES = {"AsmParser": "asm_parser", "Disassembler": "disassembler"}
# Folders whose CMake file lists the plan's sources (the others name their one source): derived kinds go there.
_DERIVED_DIRECTORIES = tuple(d for d in KNOWN_DIRECTORIES if d in ("", "MCTargetDesc"))


def layout_kinds(layout: BackendLayout | None) -> list[FileKind]:
    """``FILE_KINDS``, then the kinds ``layout`` read from the training targets that the hand list lacks: with a
    header when most targets have one (or none has a ``.cpp``: its functions are written out of line), in the
    folder most of them use."""
    kinds = list(FILE_KINDS)
    fixed = {k.stem for k in FILE_KINDS}
    for ev in layout.kinds if layout else []:
        if ev.stem in fixed or ev.directory not in _DERIVED_DIRECTORIES:
            continue
        header = 2 * ev.with_header >= ev.targets or ev.with_cpp == 0
        kinds.append(FileKind(ev.stem, ev.directory, cpp=True, header=header, requires=DIRECTORY_REQUIRES.get(ev.directory, ""),
                              layer="mc" if ev.directory in MC_DIRECTORIES else "codegen", generic=True, includes=ev.includes))
    return kinds


def enabled_kinds(props: dict[str, Any], layout: BackendLayout | None = None) -> dict[str, FileKind]:
    """The file kinds of ``layout_kinds`` the target has (``props``: ``target_properties``, with the parts a build
    left out set false), by stem."""
    return {k.stem: k for k in layout_kinds(layout) if _kind_enabled(k, props)}


@dataclass(frozen=True)
class Shape:
    """The usual form of one LLVM interface class: base, data members (emitted when mentioned), extra lines."""

    base: str = ""
    fields: tuple[tuple[str, str], ...] = ()  # (type, name [= default]): "const <T>Subtarget &", "Subtarget"
    body: tuple[str, ...] = ()  # lines inside the class always written (tblgen-generated declarations)
    # (identifiers, declaration): written when a function mentions one of the identifiers ("a|b")
    on_use: tuple[tuple[str, str], ...] = ()


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
         # the same ``PRINT_ALIAS_INSTR`` block of the tblgen printer defines it where the .td's aliases print an
         # operand their own way (RISC-V): declared with ``printAliasInstr``, not only when a function calls it
         ("printAliasInstr|printCustomAliasOperand", "void printCustomAliasOperand(const MCInst *MI, uint64_t Address, unsigned OpIdx, unsigned PrintMethodIdx, {STI}raw_ostream &O);")),
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
    namespace: str = ""  # concrete namespace (inside llvm) of a free function, "" for none
    public: bool = True  # a free function declared for the other files (in llvm); else only in its own file


@dataclass
class ClassDecl:
    name: str  # as the functions qualify it: ``RISCVInstrInfo``, ``yaml::RISCVMachineFunctionInfo``
    abstract: str
    base: str
    fields: list[str]
    decls: list[str]
    body: list[str]

    @property
    def scope(self) -> str:
        """The namespace inside ``llvm`` the class is declared in ("" for ``llvm`` itself)."""
        return self.name.rpartition("::")[0]

    @property
    def short(self) -> str:
        """The name the class is declared under in its namespace."""
        return self.name.rpartition("::")[2]


@dataclass
class PlannedFile:
    kind: FileKind
    functions: list[PlacedFunction] = field(default_factory=list)
    classes: list[ClassDecl] = field(default_factory=list)
    options: list[str] = field(default_factory=list)  # file-scope option declarations its code reads (emit.options)
    constants: list[str] = field(default_factory=list)  # file-scope constants its code reads (emit.constants)
    # LLVM headers its .cpp / .h includes besides the partials: classes a build found incomplete there (``required``)
    includes: list[str] = field(default_factory=list)
    header_includes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """Everything the templates need for one target."""

    target: str
    namespace: str
    props: dict[str, Any]
    files: list[PlannedFile]
    unplaced: list[EmitFunction]  # functions the layout has no place for (no file kind of theirs, or unparsable)
    tablegen: list[tuple[str, str]]  # (output .inc, tblgen flags)
    public_decls: dict[str, list[str]]  # "codegen" | "mc" | "info" -> declarations of non-static free functions
    # Functions of a file kind this target does not have: the description lacks it (no asm parser) or the build
    # left its library out; not "unplaced": the layout has their file, the target has no use for it.
    left_out: list[EmitFunction] = field(default_factory=list)

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
        "isd_opcodes": isd_opcodes(table),
        # the enum's own bookkeeping entries are written by the template, not taken as fixups
        "fixups": [f["name"] for f in details.get("fixups", [])
                   if not f["name"].endswith("_invalid") and "TargetFixupKind" not in f["name"]],
        "processors": values.get("processor", []),
        "operand_types": _operand_types(details.get("operands", [])),
        "lower": (values.get("target.lower") or [table.target.lower()])[0],
        "declared_enums": declared_enums(table, set(_operand_types(details.get("operands", [])))),
    }


_NUMBER_LITERAL = re.compile(r"\b0[xXbB][0-9a-fA-F']+\w*|\b\d[\w']*")


def declared_enums(table: Any, written: set[str]) -> list[tuple[str, str, list[str]]]:
    """The named enumerations the description's headers declare in a namespace of their own (``RISCVCC::CondCode``
    with ``COND_EQ``, ..., ``COND_INVALID``; ``ARCCC::CondCode``; ``RISCVABI::ABI``), as (namespace, name, the
    enumerators in order with their initializers): the ``.td``'s code fragments and generated code name them
    (``RISCVCC::CondCode BrCC = getRISCVCCForIntCC(CC)`` in RISC-V's selector tables), and without them neither
    compiles. Left out: the target's own namespace (TableGen's enums are there), its ``ISD`` nodes and the
    namespaces ``written`` otherwise (operand types), enumerations nested in a class, and one whose initializers
    name anything but numbers and its namespace's enumerators (nothing says the header it needs)."""
    ns_own = getattr(table, "namespace", "") or table.target
    decls = (getattr(table, "details", None) or {}).get("declarations", [])
    classes = {q.rpartition("::")[2] for q in (table.values.get("decl.class") or [])}
    skip = {ns_own, f"{ns_own}ISD", *written}
    out: list[tuple[str, str, list[str]]] = []
    current: tuple[str, str, list[tuple[str, str]]] | None = None
    done: list[tuple[str, str, list[tuple[str, str]]]] = []
    for d in decls:
        kind, name = d.get("kind"), d.get("name", "")
        if kind == "decl.enumerator" and current is not None and name.startswith(current[0] + "::") \
                and name.count("::") == 1:
            current[2].append((name.split("::")[1], (d.get("signature") or "").strip()))
            continue
        if current is not None:
            done.append(current)
            current = None
        if kind == "decl.enum" and name.count("::") == 1:
            ns, enum = name.split("::")
            if ns not in skip and ns not in classes:
                current = (ns, enum, [])
    if current is not None:
        done.append(current)
    names_in: dict[str, set[str]] = {}
    for ns, _e, items in done:
        names_in.setdefault(ns, set()).update(n for n, _ in items)
    for ns, enum, items in done:
        if not items:
            continue
        used = {w for _n, init in items for w in re.findall(r"[A-Za-z_]\w*", _NUMBER_LITERAL.sub(" ", init))}
        if used - names_in[ns]:
            continue
        out.append((ns, enum, [f"{n} {init}" if init else n for n, init in items]))
    return out


def isd_opcodes(table: Any) -> list[str]:
    """The enumerators of the target's ``<NS>ISD::NodeType``, as the enum's body writes them: those its headers
    declare, in their order and with their initializers (``LA = ISD::FIRST_TARGET_MEMORY_OPCODE``), then the ones
    only the ``.td`` names (``SDNode<"XCoreISD::RETSP", ...>``), before the first enumerator with an initializer
    (a node after ``FIRST_TARGET_MEMORY_OPCODE`` counts as a memory node). ``FIRST_NUMBER`` is the template's.

    The ``.td`` names only the nodes its patterns match; XCore's header also declares ``CRC8``, ``LADD``, ``LMUL``, ...
    which its lowering creates, and generation, which reads the declarations, writes them."""
    ns = f"{getattr(table, 'namespace', '') or table.target}ISD::"
    declared = [(d["name"][len(ns):], d.get("signature", "").strip())
                for d in (table.details or {}).get("declarations", [])
                if d.get("kind") == "decl.enumerator" and d.get("name", "").startswith(ns)]
    declared = [(n, init) for n, init in declared if n != "FIRST_NUMBER"]
    names = {n for n, _ in declared}
    from_td = sorted({v.split("::", 1)[-1] for v in table.values.get("isd_opcode", [])} - names)
    at = next((i for i, (_n, init) in enumerate(declared) if init), len(declared))
    written = [f"{n} {init}" if init else n for n, init in declared]
    return written[:at] + from_td + written[at:]


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


_COMMENT = re.compile(r"//[^\n]*")


def code_of(text: str) -> str:
    """``text`` without its line comments: what the repair loop commented out names nothing the code needs."""
    return _COMMENT.sub("", text)


def _needs_field(functions: list[PlacedFunction], name: str) -> bool:
    """Whether a function's code names ``name`` without declaring it as its own parameter or local
    (``declares_local``)."""
    rx = re.compile(rf"\b{re.escape(name)}\b")
    for p in functions:
        code = code_of(p.fn.signature + "\n" + p.fn.body)
        if rx.search(code) and not declares_local(code, name):
            return True
    return False


def _ctor_fields(cls: str, members: list[PlacedFunction], known: set[str]) -> list[str]:
    """Data members a constructor initialises straight from a parameter of the same spelling."""
    out: list[str] = []
    for p in members:
        if p.sig.name != cls.rpartition("::")[2] or not p.sig.inits:
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


def with_declared_defaults(sig: Signature, declared: Sequence[str]) -> Signature:
    """``sig`` with the default arguments of the description's declaration that takes the same parameter types.

    A definition cannot repeat its defaults, so a generated head has none; declared without them in the class,
    RISC-V's ``getCastInstrCost(..., const Instruction *I)`` hid ``BasicTTIImplBase``'s and broke LLVM's calls of
    it with five arguments, and the target-machine source did not compile."""
    mine = parameter_types(f"f({sig.params})")
    if not mine or not declared:
        return sig
    ours = split_top(sig.params, ",")
    for d in declared:
        try:
            theirs_sig = parse_signature(d.strip().rstrip(";"))
        except ConfigError:
            continue
        theirs = split_top(theirs_sig.params, ",")
        if len(theirs) != len(ours) or mine != parameter_types(f"f({theirs_sig.params})"):
            continue
        out = []
        for o, t in zip(ours, theirs):
            default = t.strip()[len(strip_default(t)):].strip()
            out.append(f"{strip_default(o)} {default}" if default.startswith("=") else o.strip())
        return replace(sig, params=", ".join(out)) if out != [o.strip() for o in ours] else sig
    return sig


def class_decl(cls: str, abstract: str, members: list[PlacedFunction], target: str, props: dict[str, Any],
               derived: "DerivedShape | None" = None, statics: set[str] | None = None,
               drafts: Sequence[str] | None = None, needs_arguments: Callable[[str], bool] | None = None,
               declared: Callable[[str], list[str]] | None = None) -> ClassDecl:
    """The declaration of class ``cls`` (``abstract``: its name with ``<T>``) from its member functions: the shape
    ``CLASS_SHAPES`` gives it, else ``derived`` (``derive_shape``); ``statics``: the member functions the training
    targets declare ``static``.

    ``drafts``: every text the repair ladder may write for the class's constructor (generate's candidates, the
    donor's code); with ``needs_arguments`` (``constructed_with_arguments``), a shape's field held by value whose
    class cannot be built without arguments is left out when neither the constructor nor any of its drafts
    initialises it. RISC-V declares ``RISCVRegisterInfo(unsigned HwMode)`` alone; the shape's ``RI``, named by a
    candidate of one ``RISCVInstrInfo`` function, made every ``RISCVInstrInfo`` constructor ill-formed, and with it
    the subtarget's and every CodeGen test. The drafts, not the round's constructor, decide: they do not change
    from round to round, while the constructor does (see ``derive_shape`` on XCore's ``Subtarget``)."""
    shape = CLASS_SHAPES.get(abstract, Shape())
    sti = "const MCSubtargetInfo &STI, " if props.get("pass_subtarget") else ""
    alt = ", unsigned AltIdx" if props.get("alt_names") else ""

    def fill(text: str) -> str:
        return text.replace("<T>", target).replace("{STI}", sti).replace("{ALT}", alt)

    short = cls.rpartition("::")[2]
    fields, known = [], set()
    if derived is not None:  # what the derived lines declare (and, unless shaped, the bases)
        known |= derived.names | (_words(derived.base) if abstract not in CLASS_SHAPES else set())
    ctor_inits = " ".join(p.sig.inits for p in members if p.sig.name == short)
    for ty, spec in shape.fields:
        name = spec.split("=")[0].strip()  # "TLOF = <default>": a default member initializer
        # A reference member that the constructor does not initialise would make the constructor ill-formed.
        if ty.rstrip().endswith("&") and not re.search(rf"\b{re.escape(name)}\s*[({{]", ctor_inits):
            continue
        if drafts is not None and needs_arguments is not None \
                and needs_arguments(_held_class(f"{fill(ty)} {name};", name)) \
                and not re.search(rf"\b{re.escape(name)}\s*[({{]", " ".join([ctor_inits, *drafts])):
            continue
        if _needs_field(members, name):
            fields.append(f"{fill(ty)} {spec};".replace("& ", "&").replace(" &", " &"))
            known.add(name)
    known.add(fill(shape.base))  # a base-class initializer is not a data member
    fields += _ctor_fields(cls, members, known)
    decls, seen = [], set()
    statics = statics or set()
    for p in members:
        sig = with_declared_defaults(p.sig, declared(f"{cls}::{p.sig.name}")) if declared is not None else p.sig
        d = sig.declaration()
        if p.sig.name in statics and "static" not in p.sig.prefix.split():
            d = f"static {d}"  # the training targets declare it static; its out-of-line definition cannot say so
        if d not in seen:
            seen.add(d)
            decls.append(declares(d, p.fn.key))
    body = [fill(b) for b in shape.body]
    # a member function that declares the same (a required stub of the hook) is not declared twice; one declared
    # otherwise (a variadic stub of a hook the tblgen table defines itself) leaves the shape's, which the table's
    # definition matches
    own = {" ".join(d.split(DECLARES)[0].split()) for d in decls}
    body += [fill(d) for idents, d in shape.on_use
             if any(_mentions(members, i) for i in idents.split("|")) and " ".join(fill(d).split()) not in own]
    if derived is not None and abstract not in CLASS_SHAPES:  # the training targets' lines first: types, then fields
        return ClassDecl(cls, abstract, derived.base, [], decls, derived.lines + ["  " + f for f in fields] + body)
    if derived is not None:  # a shaped class: the members its functions name that the shape does not declare,
        # before the shape's fields: members are built in declaration order, and the shape's objects (a subtarget's
        # lowering, built from the subtarget) read the data the training targets declare first: RISC-V's
        # ``TLInfo``, built before the ``XLenVT`` it reads, crashed every CodeGen test
        fields = [ln[2:] if ln.startswith("  ") else ln for ln in derived.lines] + fields
    if abstract == "<T>AsmParser":
        body = with_operand_diagnostics(body, target)
    if abstract == "<T>Subtarget" and props.get("features"):
        # LLVM 16 declares subtarget feature bits and their getters through this macro of the tblgen output.
        inc = f'#include "{target}GenSubtargetInfo.inc"'
        body += ["#define GET_SUBTARGETINFO_MACRO(ATTRIBUTE, DEFAULT, GETTER) bool ATTRIBUTE = DEFAULT;", inc,
                 "#define GET_SUBTARGETINFO_MACRO(ATTRIBUTE, DEFAULT, GETTER) bool GETTER() const { return ATTRIBUTE; }", inc]
    return ClassDecl(cls, abstract, fill(shape.base), fields, decls, body)


DECLARES = "// vega: declares "


@dataclass
class DerivedShape:
    """What the training targets' declaration of a class gives the emitted one (``derive_shape``)."""

    base: str  # concrete base clause ("MachineFunctionInfo", "BasicTTIImplBase<XCoreTTIImpl>"), "" for none
    lines: list[str]  # member lines, each naming the function that needs it
    names: set[str] = field(default_factory=set)  # what the lines declare


_WORD = re.compile(r"(?<![\w.])[A-Za-z_]\w*")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text))


def _member_choice(options: dict[str, Member], prefer: Sequence[str]) -> Member:
    """The declaration of the most similar training target that has the member, else the most common one."""
    for t in prefer:
        if t in options:
            return options[t]
    texts = Counter(m.text for m in options.values())
    best = texts.most_common(1)[0][0]
    return next(m for m in options.values() if m.text == best)


def shape_names(shape: Shape | None) -> set[str]:
    """What a hand-written shape declares itself: its fields, its always-written and on-use lines."""
    if shape is None:
        return set()
    names = {spec.split("=")[0].strip() for _ty, spec in shape.fields}
    names |= {i for idents, _d in shape.on_use for i in idents.split("|")}
    for line in shape.body:
        names |= _words(line)
    return names


_MATCH_RESULT_ENUM = re.compile(r"^(?P<head>\s*enum\b[^{;]*\{[^{}]*\bFIRST_TARGET_MATCH_RESULT_TY\b[^{}]*?)\s*(?P<tail>\}\s*;.*)$")


def with_operand_diagnostics(body: list[str], target: str) -> list[str]:
    """The asm parser's class lines with its match-result enumeration extended by the operand diagnostics of the
    asm matcher (``GET_OPERAND_DIAGNOSTIC_TYPES``: ``Match_InvalidUImm5`` for each ``DiagnosticType`` of the
    ``.td``), which the matcher returns as ``<T>AsmParser::Match_InvalidUImm5``.

    Every target's parser includes them inside its ``<T>MatchResultTy``; a training target's enumeration comes
    through ``derive_shape`` as one line, the ``#include`` lost with the other preprocessor lines, so it is put
    back before the closing brace. Without such an enumeration (no function names one) the class gets its own."""
    inc = ["#define GET_OPERAND_DIAGNOSTIC_TYPES", f'#include "{target}GenAsmMatcher.inc"']
    if any("GET_OPERAND_DIAGNOSTIC_TYPES" in line for line in body):
        return body
    out = list(body)
    for i, line in enumerate(out):
        m = _MATCH_RESULT_ENUM.match(line)
        if m:
            head = m["head"].rstrip()
            out[i] = "\n".join([head if head.endswith((",", "{")) else head + ",", *inc, "  " + m["tail"]])
            return out
    return [f"  enum {target}MatchResultTy {{", "    Match_Dummy = FIRST_TARGET_MATCH_RESULT_TY,", *inc, "  };", *out]


def derive_shape(cls: str, ev: ClassEvidence, members: list[PlacedFunction], placed: list[PlacedFunction],
                 target: str, known: Callable[[str], bool], prefer: Sequence[str],
                 exclude: set[str] | None = None,
                 needs_arguments: Callable[[str], bool] | None = None,
                 declared_fields: Iterable[str] = ()) -> DerivedShape:
    """The base and member lines of class ``cls`` from its training-target declarations ``ev``; ``exclude``: names
    the class's hand-written shape declares itself (a shaped class takes only the other members from here: the
    ``TRI`` field a taken-over ``<T>TargetLowering`` constructor sets) and those a member must not hide
    (``description_scopes``); ``needs_arguments``: whether every
    constructor the description declares for a class takes arguments (``constructed_with_arguments``);
    ``declared_fields``: the data members the description declares for ``cls`` (``decl.field``, names only).

    A declared field no training target has is taken from the one data member of theirs whose name is alike
    (``roles.members_alike``), renamed: RISC-V declares ``XLenVT``, its nearest target LoongArch ``GRLenVT``; code
    translated through the descriptions returns ``XLenVT``, which no shape declared.

    A data member held by value whose class cannot be built without arguments is written only where a constructor
    of ``cls`` initialises it: Lanai's ``const <T>RegisterInfo RI;`` is default-built there, but RISC-V declares
    ``RISCVRegisterInfo(unsigned HwMode)`` alone, so such an ``RI`` that no constructor builds leaves the class
    with no constructor that compiles, and whatever holds one neither. (The hand-written shapes' fields,
    ``CLASS_SHAPES``, are not held to this: there the constructor is still being repaired while the rule would
    decide, and holding back XCore's ``XCoreTargetMachine::Subtarget`` for one round's constructor lost
    ``getSubtargetImpl``; see docs/RESULTS.md.)

    The base is the first of the declared ones (most similar target first, then the most common) whose names are
    all visible (``known``: LLVM's headers, the plan's classes); a type member (typedef, alias, nested enum) is
    written when any placed function mentions it, a data member when a function of the class does (a reference
    member only when a constructor sets it), and either when a written member needs it; a member that names
    anything not visible is left out (the functions that need it then fail alone, and are charged)."""
    fill = lambda text: text.replace("<T>", target)  # noqa: E731
    short = cls.rpartition("::")[2]  # a constructor's name (``yaml::RISCVMachineFunctionInfo``'s is the last part)
    options = [ev.bases[t] for t in prefer if t in ev.bases] + [c for c, _ in Counter(ev.bases.values()).most_common()]
    base = ""
    for clause in options:
        if all(known(n) for n in _words(" ".join(fill(b) for b in clause)) - {cls, short}):
            base = ", public ".join(fill(b) for b in clause)  # the template writes "class C : public <base>"
            break
    ctor_inits = " ".join(p.sig.inits + " " + p.fn.body for p in members if p.sig.name == short)
    bodies = {p.fn.key: code_of(p.fn.signature + "\n" + p.fn.body) for p in members}
    texts = {k: _words(code) for k, code in bodies.items()}
    own_keys = [p.fn.key for p in members]
    chosen = {}
    for name, opts in ev.members.items():
        m = _member_choice(opts, prefer)
        if exclude and {fill(n) for n in (*m.names, *_declared_types(m.text))} & exclude:
            continue
        chosen[fill(name)] = Member(tuple(fill(n) for n in m.names), fill(m.text), m.kind)
    _declared_counterparts(chosen, set(declared_fields) - (exclude or set()))  # not what the shape declares itself
    member_names = {n for m in chosen.values() for n in m.names}

    others = [p.fn for p in placed if p.cls != cls]

    def needed_by(m: Member) -> str:
        """The first function of the class that names the member, else (a type) the first other function that
        names it qualified by the class (``XCoreMCExpr::VK_XCore_LO``)."""
        if m.kind == "using":  # the class declares a function of the name: the base's others stay visible
            return next((p.fn.key for p in members if p.sig.name in m.names), "")
        if m.kind != "type":  # a function that declares a local (or parameter) of the name does not need the field
            return next((k for k in own_keys if any(n in texts[k] and not declares_local(bodies[k], n)
                                                    for n in m.names)), "")
        key = next((k for k in own_keys if set(m.names) & texts[k]), "")
        if key:
            return key
        qualified = re.compile(rf"\b{re.escape(cls)}::({'|'.join(map(re.escape, m.names))})\b")
        return next((f.key for f in others if qualified.search(f.body) or qualified.search(f.signature)), "")

    wanted: dict[str, tuple[Member, str]] = {}
    for name, m in chosen.items():
        key = needed_by(m)
        if not key:
            continue
        set_by_ctor = re.search(rf"\b{re.escape(m.names[0])}\s*[({{]", ctor_inits)
        if m.kind == "reference" and not set_by_ctor:
            continue
        if m.kind == "field" and needs_arguments is not None and not set_by_ctor \
                and needs_arguments(_held_class(m.text, m.names[0])):
            continue
        wanted[name] = (m, key)
    order = lambda kv: (kv[1][0].kind != "type", list(chosen).index(kv[0]))  # noqa: E731  (types first)
    taken: set[str] = set()
    for name, (m, _key) in sorted(wanted.items(), key=order):  # of two members of one name, the first is written
        if taken & set(m.names):  # (``KindTy ... Kind`` and ``OperandKind Kind``; two targets' unions of ``Tok``)
            del wanted[name]
        else:
            taken |= set(m.names)
    changed = True
    while changed:  # members the written ones name (a field of a nested enum's type, a union's struct types)
        changed = False
        for name, (m, key) in list(wanted.items()):
            for other in (_words(m.text) & member_names) - set(m.names):
                owner = next((n for n, c in chosen.items() if other in c.names), None)
                if owner and owner not in wanted and not taken & set(chosen[owner].names):
                    wanted[owner] = (chosen[owner], key)
                    taken |= set(chosen[owner].names)
                    changed = True
    lines: list[str] = []
    names: set[str] = set()
    for name, (m, key) in sorted(wanted.items(), key=order):
        text = m.text
        foreign = _words(text) - member_names - {cls, short} - set(m.names)
        if not all(known(n) for n in foreign):
            continue
        if names & set(m.names):  # two targets' members of one name (``KindTy ... Kind`` and ``OperandKind Kind``)
            continue
        lines += ["  " + declares(line, key) for line in text.splitlines()]
        names |= set(m.names)
    return DerivedShape(base, lines, names)


def _declared_counterparts(chosen: dict[str, Member], declared_fields: Iterable[str]) -> None:
    """``derive_shape``'s members, with each declared field that none of them is (``declared_fields``) added as
    the one single-name data member whose name is alike (``members_alike``), renamed, right after it: members are
    built in the order they are declared, and a subtarget's lowering object built before the ``XLenVT`` it reads
    saw garbage (every CodeGen test crashed in ``computeRegisterProperties``). None where two are alike."""
    from ..generate.roles import members_alike

    have = {n for m in chosen.values() for n in m.names}
    after: dict[str, list[tuple[str, Member]]] = {}
    for field_name in sorted(set(declared_fields) - have):
        alike = [k for k, m in chosen.items() if m.kind in ("field", "reference") and len(m.names) == 1
                 and m.names[0] not in declared_fields and members_alike(m.names[0], field_name)]
        if len(alike) == 1:
            m = chosen[alike[0]]
            text = re.sub(rf"\b{re.escape(m.names[0])}\b", field_name, m.text, count=1)
            after.setdefault(alike[0], []).append((field_name, Member((field_name,), text, m.kind)))
    if after:
        items = list(chosen.items())
        chosen.clear()
        for k, m in items:
            chosen[k] = m
            chosen.update(after.get(k, []))


_TYPE_HEAD = re.compile(r"^\s*(?:(?:enum(?:\s+class|\s+struct)?|struct|class|union)\s+([\w<>]+)\s*[:{]"
                        r"|using\s+([A-Za-z_]\w*)\s*=)")


def _declared_types(text: str) -> set[str]:
    """The type a member declaration declares besides its names: ``<T>ABI`` of ``enum <T>ABI { ... } TargetABI;``."""
    m = _TYPE_HEAD.match(text)
    return {m.group(1) or m.group(2)} if m else set()


def _held_class(declaration: str, name: str) -> str:
    """The class a data member holds by value (``RISCVRegisterInfo`` of ``const RISCVRegisterInfo RI;``); empty for
    a pointer, a reference, a template or anything else."""
    m = re.match(rf"^\s*(?:(?:const|mutable)\s+)*([A-Za-z_][\w:]*)\s+{re.escape(name)}\s*;", declaration)
    return m.group(1).rpartition("::")[2] if m else ""


def constructed_with_arguments(table: Any, cls: str) -> bool:
    """Whether every constructor the description declares for ``cls`` takes arguments (none can build it by
    default); False where it declares none (the compiler's implicit one may do)."""
    if not cls:
        return False
    from ..generate.parameters import declared_arities

    arities = declared_arities(table, f"{cls}::{cls}")
    return bool(arities) and all(lo > 0 for lo, _ in arities)


def description_scopes(table: Any) -> frozenset[str]:
    """The names the description declares at namespace scope: its namespaces (``RISCVABI`` of ``RISCVABI::ABI``),
    classes, free functions and constants. A training target's class member of such a name would hide it inside
    the class: ARM's ``enum ARMABI`` member, respelled ``RISCVABI``, made ``RISCVABI::getTargetABI`` in RISC-V's
    ``getSubtargetImpl`` name the enumeration, and the function that builds every subtarget was left out."""
    decls = (getattr(table, "details", None) or {}).get("declarations", [])
    return frozenset(str(d.get("name", "")).split("::")[0] for d in decls if d.get("name"))


def described_types(table: Any) -> frozenset[str]:
    """The names of the description's enumerations, enumerators, classes and constants and of the namespaces that
    hold them (``RISCVABI``, ``ABI``, ``ABI_Unknown``), which the emitted headers declare: a training target's member
    naming them (LoongArch's ``LoongArchABI::ABI TargetABI``, as ``RISCVABI::ABI TargetABI``) names what exists."""
    out: set[str] = set()
    for d in (getattr(table, "details", None) or {}).get("declarations", []):
        if d.get("kind") in ("decl.enum", "decl.enumerator", "decl.class", "decl.constant") and d.get("name"):
            parts = str(d["name"]).split("::")
            out.update(parts if d["kind"] != "decl.enumerator" else parts[:1] + parts[-1:])
    return frozenset(out)


# words that can stand where a declaration's type would, before a name, and are no type
NOT_TYPES = frozenset({"return", "else", "throw", "case", "new", "delete", "goto", "sizeof", "co_return", "do"})


def declares_local(code: str, name: str) -> bool:
    """Whether ``code`` (a function's head and body) declares a parameter or local variable ``name``: a parameter
    of the head, or a statement that starts with a type (or template) right before the name and goes on with ``(``,
    ``{``, ``=``, ``;`` or ``[``.

    Lanai's ``customEmitInstruction`` names ``MCInstLowering`` as a local (``LanaiMCInstLower
    MCInstLowering(OutContext, *this)``); declaring ARC's field of that name for it gave XCore's scratch
    ``XCoreAsmPrinter`` a member with no default constructor that no constructor of the class set: the class could
    not be built, and no asm printer was registered."""
    head = code.split("\n", 1)[0]
    if any(n == name for _t, n in parameters(head) or []):
        return True
    rx = re.compile(rf"(?:^|[;{{}}(])\s*(?:(?:const|static)\s+)*([\w:]+(?:\s*<[^;{{}}]*?>)?)\s*[&*]*\s*"
                    rf"\b{re.escape(name)}\s*[({{=;\[]", re.M)
    return any(m.group(1) not in NOT_TYPES for m in rx.finditer(code))


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
    members: dict[str, list[str]] | None = None, layout: BackendLayout | None = None, prefer: Sequence[str] = (),
    known: Callable[[str], bool] | None = None, drafts: Mapping[str, Sequence[str]] | None = None,
) -> Plan:
    """Place ``functions`` (generated and fallbacks, one per key) into the file kinds the description enables
    (less the optional parts named in ``without``: "asm_parser", "disassembler"); ``members`` adds declarations
    to classes (abstract name, "<T>Subtarget" -> lines). With ``layout`` (the training targets' sources, read by
    ``emit.backends``) the kinds and class shapes it gives are used too, from the targets in ``prefer`` first (most
    similar first); ``known`` says which names LLVM's headers declare (default: the installed LLVM's); ``drafts``:
    by function key, every text the repair ladder may write for it (``class_decl``)."""
    target = target or table.target
    props = target_properties(table)
    props.update({k: False for k in without})
    every = {k.stem: k for k in layout_kinds(layout)}
    kinds = enabled_kinds(props, layout)
    files = {stem: PlannedFile(k) for stem, k in kinds.items()}
    unplaced: list[EmitFunction] = []
    left_out: list[EmitFunction] = []
    public: dict[str, list[str]] = defaultdict(list)
    for fn in sorted(functions, key=lambda f: (f.file_stem, f.order)):
        pf = files.get(fn.file_stem)
        if pf is None or not pf.kind.cpp:
            kind = every.get(fn.file_stem)
            (left_out if kind is not None and kind.cpp and kind.stem not in kinds else unplaced).append(fn)
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
        namespace = ""
        if cls and _is_namespace(cls.replace(target, "<T>"), layout):
            namespace, cls = cls, ""
        if namespace or (not cls and fn.in_header and pf.kind.directory not in PRIVATE_DIRECTORIES):
            # A function of a header (``static inline`` in ``LanaiBaseInfo.h``) is there for every file that
            # includes it; written out of line here, it is declared for them instead. So is one of a namespace.
            sig = Signature(" ".join(w for w in sig.prefix.split() if w not in ("static", "inline")), "", sig.name,
                            sig.params, sig.suffix, "")
        if "::" in namespace or ("::" in cls and not _namespace_class(cls, target, layout, table)):
            unplaced.append(fn)  # classes nested in classes: no template declares them
            continue
        pf.functions.append(PlacedFunction(fn, sig, cls, namespace, is_public(pf.kind, sig, cls)))
        if is_public(pf.kind, sig, cls):
            layer = "info" if pf.kind.directory == "TargetInfo" else pf.kind.layer
            decl = Signature(sig.prefix, "", sig.name, sig.params, sig.suffix, "").declaration()
            if namespace:
                decl = f"namespace {namespace} {{ {decl} }}"
            public[layer].append(declares(decl, fn.key))
    placed = [p for f in files.values() for p in f.functions]
    class_names = {p.cls for p in placed if p.cls}
    if layout is not None and known is None:
        known = llvm_knows()
    scopes = description_scopes(table)
    types = described_types(table)
    visible = (lambda n: n in class_names or n in types or known(n)) if known is not None else (lambda n: False)  # noqa: E731
    declared = lambda q: declared_signatures(table, q)  # noqa: E731
    needs_arguments = lambda k: constructed_with_arguments(table, k)  # noqa: E731
    fields: dict[str, set[str]] = defaultdict(set)  # the description's data members, by class
    for q in (getattr(table, "values", None) or {}).get("decl.field", []):
        owner, _, name = q.rpartition("::")
        if owner:
            fields[owner].add(name)
    for pf in files.values():
        by_cls: dict[str, list[PlacedFunction]] = defaultdict(list)
        for p in pf.functions:
            if p.cls:
                by_cls[p.cls].append(p)
        pf.classes = []
        for c, ms in by_cls.items():
            scope, _, short = c.rpartition("::")  # "yaml", "RISCVMachineFunctionInfo"
            abstract = (f"{scope}::" if scope else "") + (short.replace(target, "<T>", 1) if short.startswith(target)
                                                           else short)
            ev = layout.classes.get(abstract) if layout is not None else None
            shape = CLASS_SHAPES.get(abstract)
            derived = (derive_shape(c, ev, ms, placed, target, visible, prefer,
                                    exclude=shape_names(shape) | (scopes - {c}), needs_arguments=needs_arguments,
                                    declared_fields=fields.get(c, ()))
                       if ev is not None else None)
            ctor = f"{abstract}::{abstract.rpartition('::')[2]}"
            pf.classes.append(class_decl(c, abstract, ms, target, props, derived, ev.static_methods() if ev else None,
                                         drafts=None if drafts is None else drafts.get(ctor, ()),
                                         needs_arguments=needs_arguments, declared=declared))
        pf.classes = _bases_first(pf.classes)
        for c in pf.classes:
            c.body += (members or {}).get(c.abstract, [])
    plan_files = [f for f in files.values() if not f.kind.generic or f.functions]
    return Plan(
        target=target, namespace=table.namespace or target, props=props, files=plan_files,
        unplaced=unplaced, tablegen=tablegen_steps(target, props, placed),
        public_decls={k: _unique_declarations(v) for k, v in public.items()}, left_out=left_out,
    )


def _namespace_class(cls: str, target: str, layout: BackendLayout | None, table: Any) -> bool:
    """Whether ``cls`` (``yaml::RISCVMachineFunctionInfo``) is a class of a namespace inside ``llvm``, not of a
    class: the description declares it a class and its scope no class, and the training targets declare the scope
    a namespace (RISC-V's MIR serialisation of its function info, ``yaml::RISCVMachineFunctionInfo``, is written
    in LLVM's ``yaml`` namespace, as AArch64, AMDGPU and WebAssembly write theirs)."""
    scope = cls.rpartition("::")[0]
    if layout is None or not scope or "::" in scope or target in scope or scope not in layout.namespaces:
        return False  # a target's own namespace (``RISCVMatInt``) holds the types its constants need (``constants``)
    classes = set((getattr(table, "values", None) or {}).get("decl.class", []))
    return cls in classes and scope not in classes


def _is_namespace(abstract: str, layout: BackendLayout | None) -> bool:
    """Whether the training targets declare ``abstract`` (``<T>ABI``) as a namespace and never as a class."""
    return layout is not None and abstract in layout.namespaces and abstract not in layout.classes and abstract not in CLASS_SHAPES


def llvm_knows() -> Callable[[str], bool]:
    """Names written in the installed LLVM's headers (``generate.visible``), C++'s own words, and ``std``."""
    from ..generate.visible import _CXX, llvm_identifiers  # the one list of LLVM's names and C++'s keywords
    from ..llvm.toolchain import find_toolchain

    names = llvm_identifiers(str(find_toolchain().includedir))
    return lambda n: n in names or n in _CXX


def _bases_first(classes: list[ClassDecl]) -> list[ClassDecl]:
    """Classes of one file ordered so that a base declared in the same file comes before the classes it bases."""
    names = {c.name for c in classes}
    out: list[ClassDecl] = []
    placing: set[str] = set()

    def place(c: ClassDecl) -> None:
        if c in out or c.name in placing:
            return
        placing.add(c.name)
        for other in classes:
            if other.name != c.name and other.name in _words(c.base) and other.name in names:
                place(other)
        out.append(c)

    for c in classes:
        place(c)
    return out
