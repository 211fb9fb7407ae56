"""Functions a scratch target must define that no chosen function provides, read off a failed build.

Two kinds of requirement only show up once the target is compiled, and neither is a function of any training
target that could be generated or taken over:

* **hooks the tblgen tables call**: the description names C++ functions (an operand's ``PrintMethod``, a
  ``ComplexPattern``'s select function, a ``DecoderMethod``, a ``PatLeaf``'s helper) that the generated
  ``<T>Gen*.inc`` files call from inside the target's classes. A missing one is an undeclared identifier in an
  ``.inc`` file (or a call no overload matches, when the function chosen has other parameters), which no function
  of ours can be charged with.
* **pure virtual functions of an LLVM base class** whose override was dropped or never chosen: the class becomes
  abstract and every place that holds one fails.

For both, the compiler's own output gives what is needed to declare the function: the call in the ``.inc`` line
(its arguments follow tblgen's fixed naming, which gives their types), or GCC's note listing each pure virtual
function with its full signature. The function is then added as a stub (source ``stub:required``, confidence 0),
so that the backend links and the report names what is still to be written. A call whose arguments do not follow
the conventions gets a variadic member template of the right return type.

A stub's body calls ``report_fatal_error``, except for the hooks where LLVM has a behaviour that is always safe
(``TableKind.default``): a selection predicate or ``ComplexPattern`` function that is not written does not match
(the selector tries the other patterns, as for a pattern whose predicate fails); an operand's ``PrintMethod``
prints the operand as TableGen's default ``printOperand`` does (register name, immediate, expression); a
``DecoderMethod`` reports the encoding invalid; the pseudo-lowering's ``lowerOperand`` lowers a register or an
immediate as every target does and stops on anything else (a symbol needs the target's own lowering). Each of these
is one hook of a table that a whole suite goes through (XCore's ``immMskBitp`` guards one pattern of ``and``, yet
every selection of an ``and`` with a constant reached the stub and stopped): with the default the tests that do not
need the hook go on, and those that do fail on their output, not on the first function they compile. The encoder
hooks have no safe answer (a wrong encoding would pass unseen) and stay fatal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .asm_operands import VALUE_AS_MCOPERAND, OperandCheck
from .functions import EmitFunction, split_top

SOURCE = "stub:required"


@dataclass(frozen=True)
class TableKind:
    """How one tblgen output calls the target's code: the class it is included in and the argument types."""

    cls: str  # "<T>InstPrinter"; "" for a static free function of the file
    file_stem: str
    returns: str
    const: bool
    args: tuple[tuple[str, str], ...]  # (regex of the argument text, parameter declaration)
    typed_when: str = ""  # a call is typed only when one argument matches this (else: a variadic template)
    default: str = ""  # a stub's body when not fatal (module docstring); it names the typed parameters (MI, OpNo, O)
    default_untyped: bool = False  # ``default`` names no parameter, so it fits the variadic template too
    names: str = ""  # where one table calls functions of several kinds: the names (a regex) this kind is for


_NUMBER = r"\d+"
TABLE_KINDS: dict[str, TableKind | tuple[TableKind, ...]] = {
    "GenAsmWriter.inc": TableKind(
        "<T>InstPrinter", "InstPrinter", "void", False,
        (("MI", "const MCInst *MI"), ("Address", "uint64_t Address"), (_NUMBER, "unsigned OpNo"),
         ("STI", "const MCSubtargetInfo &STI"), ("O", "raw_ostream &O")),
        # printRegName is MCInstPrinter's own virtual function: it compiles whatever the printer declares
        default=("  const MCOperand &Op = MI->getOperand(OpNo);\n  if (Op.isReg())\n    printRegName(O, Op.getReg());\n"
                 "  else if (Op.isImm())\n    O << Op.getImm();\n  else if (Op.isExpr())\n    Op.getExpr()->print(O, &MAI);"),
    ),
    "GenMCCodeEmitter.inc": TableKind(
        "<T>MCCodeEmitter", "MCCodeEmitter", "uint64_t", True,
        (("MI", "const MCInst &MI"), (_NUMBER, "unsigned OpNo"), ("Fixups", "SmallVectorImpl<MCFixup> &Fixups"),
         ("STI", "const MCSubtargetInfo &STI")),
    ),
    "GenDisassemblerTables.inc": TableKind(
        "", "Disassembler", "DecodeStatus", False,
        (("MI", "MCInst &Inst"), ("Address", "uint64_t Address"), ("Decoder", "const MCDisassembler *Decoder"),
         (r"\w+", "uint64_t Insn")),
        default="  return MCDisassembler::Fail;",
    ),
    "GenMCPseudoLowering.inc": TableKind(
        "<T>AsmPrinter", "AsmPrinter", "bool", True,
        ((r"MI->getOperand\(.*\)", "const MachineOperand &MO"), ("MCOp", "MCOperand &MCOp")),
        # what every target's lowerOperand does with a register or an immediate; anything else (a symbol, a block)
        # needs the target's own lowering and stops
        default=("  switch (MO.getType()) {\n  case MachineOperand::MO_Register:\n    if (MO.isImplicit())\n"
                 "      return false;\n    MCOp = MCOperand::createReg(MO.getReg());\n    return true;\n"
                 "  case MachineOperand::MO_Immediate:\n    MCOp = MCOperand::createImm(MO.getImm());\n    return true;\n"
                 "  case MachineOperand::MO_RegisterMask:\n    return false;\n  default:\n"
                 '    report_fatal_error("vega-llvm: lowerOperand is required by LLVM or the description; write it by hand");\n  }'),
    ),
    # the asm matcher's custom operand parsers (an ``AsmOperandClass``'s ``ParserMethod``: RISC-V's
    # ``parseBareSymbol``): one not written matches nothing, and the matcher goes on as for an operand class without
    # one; and an optional operand's default (``DefaultMethod``: ``defaultMaskRegOp``), which has no default to give
    "GenAsmMatcher.inc": (
        TableKind("<T>AsmParser", "AsmParser", "std::unique_ptr<<T>Operand>", True, (), names=r"default\w+"),
        TableKind("<T>AsmParser", "AsmParser", "OperandMatchResultTy", False, (("Operands", "OperandVector &Operands"),),
                  default="  return MatchOperand_NoMatch;"),
    ),
    "GenDAGISel.inc": TableKind(
        "<T>DAGToDAGISel", "ISelDAGToDAG", "bool", False,
        (("N", "SDValue N"), (r"Root|Parent", "SDNode *Parent"), (r"Result\[.*\]\.first", "SDValue &Op")),
        typed_when=r"Result\[.*\]\.first",  # a ComplexPattern's select function; a PatLeaf helper is anything
        default="  return false;", default_untyped=True,
    ),
}

_UNDECLARED = re.compile(
    r"^(?P<file>\S+?\.inc):(?P<line>\d+):(?:\d+:)? error: (?:"
    r"(?:there are no arguments to )?‘(?P<name>\w+)’ (?:was not declared in this scope|that depend on a template parameter)"
    # a function of that name exists but not with the parameters the table passes: the table's overload is added
    r"|no matching function for call to ‘(?:\w+::)*(?P<other>\w+)\()"
)
# A tblgen table calls a method of one of our classes that nothing declares: the asm matcher the parser's operand
# class (``Operand.isUImm5()``, an ``AsmOperandClass``'s ``PredicateMethod``, and
# ``static_cast<<T>Operand &>(*Operands[i]).addFRMArgOperands(Inst, 1)``, its ``RenderMethod``), the selector a
# ``Predicate``'s C++ condition (``Subtarget->hasVInstructions()``).
_INC_NO_MEMBER = re.compile(
    r"^(?P<file>\S+?\.inc):(?P<line>\d+):(?:\d+:)? error: ‘(?:const )?(?:class |struct )?(?:llvm::)?"
    r"(?P<cls>\w+)’ has no member named ‘(?P<name>\w+)’")
# A predicate that is not written matches nothing: the matcher tries the instruction's other forms and, failing
# them all, reports the operand invalid, as for an operand out of range. A render method is only reached once its
# predicate matched; the one case it can do for any class is a register.
_OPERAND_PREDICATE = "  return false;"


def _operand_render(name: str, immediates: bool) -> str:
    """A render method's body: a register operand as it is and, with ``immediates`` (the operand class has a
    ``getImm()`` of an MCExpr or a number), an immediate as the MCOperand it is (``plain_operand_method`` is the
    fallback without); anything else stops with the stub message."""
    reg = "    Inst.addOperand(MCOperand::createReg(getReg()));\n"
    stop = f'  report_fatal_error("vega-llvm: {name} is required by LLVM or the description; write it by hand");'
    if not immediates:
        return f"  if (isReg())\n{reg}  else\n  {stop}"
    lambda_ = "\n".join("  " + ln for ln in VALUE_AS_MCOPERAND.splitlines())
    return (f"  if (isReg()) {{\n{reg}    return;\n  }}\n  if (isImm()) {{\n{lambda_}\n"
            f"    Inst.addOperand(AsMCOperand(getImm()));\n    return;\n  }}\n{stop}")


_PURE_WITHIN = re.compile(r"because the following virtual functions are pure within ‘(?:llvm::)?(?P<cls>\w+)’")
_PURE_FN = re.compile(r"note:\s+‘virtual (?P<ret>.+?) (?:llvm::)?(?P<base>[\w:]+)::(?P<name>\w+)\((?P<params>.*)\)(?P<const> const)?’$")


def _lines(cache: dict[Path, list[str]], build_dir: Path, file: str) -> list[str]:
    """The lines of a tblgen output a log names (relative to the build directory), each file read once: a DAGISel
    table can be a million lines."""
    path = Path(file) if Path(file).is_absolute() else build_dir / file
    if path not in cache:
        try:
            cache[path] = path.read_text(errors="replace").splitlines()
        except OSError:
            cache[path] = []
    return cache[path]


def _stub_body(name: str) -> str:
    return f'{{\n  report_fatal_error("vega-llvm: {name} is required by LLVM or the description; write it by hand");\n}}'


def _default_body(name: str, code: str) -> str:
    return (f"{{\n  // vega: {name} is required by the description and not written yet; until it is, it does what "
            f"LLVM does without it\n{code}\n}}")


def _kind_for(kinds: TableKind | tuple[TableKind, ...], name: str) -> TableKind | None:
    """Of a table's kinds, the first whose ``names`` the function's name matches (or that takes any name)."""
    for k in kinds if isinstance(kinds, tuple) else (kinds,):
        if not k.names or re.fullmatch(k.names, name):
            return k
    return None


def _make(target: str, cls: str, file_stem: str, head: str, name: str, default: str = "") -> EmitFunction:
    key = f"{cls}::{name}" if cls else name
    return EmitFunction(
        key=f"{key}#required", file_stem=file_stem, module="", signature=head.replace("<T>", target),
        body=_default_body(name, default) if default else _stub_body(name), confidence=0.0, source=SOURCE,
    )


def _call_args(line: str, name: str) -> tuple[list[str], list[str]] | None:
    """The template arguments and the arguments of the call of ``name`` on ``line``: a ``ComplexPattern`` may name
    a function template (RISC-V's ``selectRVVSimm5<16>``)."""
    m = re.search(rf"\b{re.escape(name)}\s*(?:<(?P<targs>[^<>()]*)>)?\s*\(", line)
    if not m:
        return None
    targs = split_top(m["targs"], ",") if m["targs"] else []
    depth, start = 0, m.end() - 1
    for i in range(start, len(line)):
        depth += line[i] == "("
        depth -= line[i] == ")"
        if depth == 0:
            return targs, split_top(line[start + 1 : i], ",")
    return None


def _params(kind: TableKind, args: list[str]) -> list[str] | None:
    if kind.typed_when and not any(re.fullmatch(kind.typed_when, a.strip()) for a in args):
        return None
    out = []
    for n, arg in enumerate(args):
        decl = next((d for rx, d in kind.args if re.fullmatch(rx, arg.strip())), None)
        if decl is None:
            return None
        out.append(decl + (str(n) if decl.endswith("&Op") else ""))
    return out


def hook_stubs(log_text: str, build_dir: Path, target: str,
               declarations: list[dict[str, Any]] | None = None) -> list[EmitFunction]:
    """Stubs for the functions the tblgen tables call and nothing declares. Where the description declares the
    method in the class the table is included in (``declarations``: RISC-V's ``.td`` fragment calls
    ``getRISCVCCForIntCC``, which its ``RISCVISelDAGToDAG.h`` declares ``static RISCVCC::CondCode
    getRISCVCCForIntCC(ISD::CondCode CC)``), that signature, not one guessed from the call."""
    signature = {d["name"]: d.get("signature", "") for d in declarations or []
                 if d.get("kind") == "decl.method" and d.get("signature")}
    out: dict[str, EmitFunction] = {}
    lines_of: dict[Path, list[str]] = {}
    for ln in log_text.splitlines():
        m = _UNDECLARED.match(ln)
        if not m:
            continue
        suffix = next((s for s in TABLE_KINDS if m["file"].endswith(s)), None)
        if suffix is None:
            continue
        name = m["name"] or m["other"]
        kind = _kind_for(TABLE_KINDS[suffix], name)
        if kind is None:
            continue
        key = f"{kind.cls}::{name}" if kind.cls else name
        if f"{key}#required" in out:
            continue
        lines = _lines(lines_of, build_dir, m["file"])
        n = int(m["line"]) - 1
        line = lines[n] if n < len(lines) else ""
        called = _call_args(line, name)
        # the description's declaration, for a plain call: one with template arguments (``selectZExtBits<16>``)
        # calls a template whose clause the declarations do not keep (RISC-V's header declares a plain overload too)
        cls = kind.cls.replace("<T>", target)
        declared = _declared_stub(target, cls, name, signature.get(f"{cls}::{name}", ""), kind.file_stem,
                                  allow_static=True) if cls and not (called and called[0]) else None
        if declared is not None:
            out[f"{key}#required"] = declared
            continue
        if called is None and line:  # not called here (a variable of a fragment whose declaration failed, a template)
            continue
        targs, args = called if called is not None else ([], None)
        if targs and not all(re.fullmatch(r"-?\d+", t.strip()) for t in targs):
            continue  # a template of types: nothing says which
        # a template of numbers (each instantiation's literal): one stub for them all
        template = f"template <{', '.join(f'int V{i}' for i in range(len(targs)))}> " if targs else ""
        params = _params(kind, args) if args is not None else None
        qual = f"{kind.cls}::" if kind.cls else ""
        const = " const" if kind.const else ""
        if params is not None:
            static = "" if kind.cls else "static "
            head = f"{template}{static}{kind.returns} {qual}{name}({', '.join(params)}){const}"
            default = kind.default
        elif kind.cls and not template:  # arguments tblgen did not name the usual way (a PatLeaf's own C++): take any
            head = f"template <typename... ArgTs> {kind.returns} {qual}{name}(ArgTs &&...) const"
            default = kind.default if kind.default_untyped else ""
        else:
            continue
        out[f"{key}#required"] = _make(target, kind.cls, kind.file_stem, head, name, default)
    return list(out.values())


def operand_stubs(log_text: str, target: str, checks: dict[str, OperandCheck] | None = None) -> list[EmitFunction]:
    """The asm parser's operand-class methods the asm matcher calls and nothing declares (``_INC_NO_MEMBER``): a
    predicate ``bool isX() const`` that matches nothing, a render method ``void addXOperands(MCInst &Inst, unsigned
    N) const`` that adds a register operand and stops on anything else. A predicate the description says something
    of (``checks``, ``emit.asm_operands``) is written from it; ``plain_operand_method`` is what it falls back to."""
    cls = f"{target}Operand"
    out: dict[str, EmitFunction] = {}
    checks = checks or {}
    for ln in log_text.splitlines():
        m = _INC_NO_MEMBER.match(ln)
        if not m or m["cls"] != cls or not m["file"].endswith("GenAsmMatcher.inc"):
            continue
        name = m["name"]
        if re.fullmatch(r"is\w+", name) and name in checks:
            head = f"bool <T>Operand::{name}() const"
            fn = replace(_make(target, "<T>Operand", "AsmParser", head, name), body=checks[name].body())
            out.setdefault(fn.key, fn)
            continue
        if re.fullmatch(r"is\w+", name):
            head, default = f"bool <T>Operand::{name}() const", _OPERAND_PREDICATE
        elif re.fullmatch(r"add\w+Operands", name):
            head, default = f"void <T>Operand::{name}(MCInst &Inst, unsigned N) const", _operand_render(name, immediates=True)
        else:
            continue
        fn = _make(target, "<T>Operand", "AsmParser", head, name, default)
        out.setdefault(fn.key, fn)
    return list(out.values())


_INCOMPLETE = re.compile(
    # "invalid use of incomplete type ‘class llvm::X’", "field ‘F’ has incomplete type ‘llvm::X’",
    # "return type ‘class llvm::X’ is incomplete"
    r"^(?P<file>\S+?):\d+:(?:\d+:)? error: (?:invalid use of incomplete type|.*?has incomplete type|return type) "
    r"‘(?:const )?(?:class |struct )?(?:llvm::)?(?P<cls>\w+)’")


def incomplete_classes(log_text: str) -> dict[str, set[str]]:
    """The LLVM classes a build found incomplete (``invalid use of incomplete type ‘class llvm::IRBuilderBase’``),
    by the file the error is in: a donor's code calls methods of a class its own file included the header of, and
    the include partials do not list every such header."""
    out: dict[str, set[str]] = {}
    for ln in log_text.splitlines():
        m = _INCOMPLETE.match(ln)
        if m:
            out.setdefault(m["file"], set()).add(m["cls"])
    return out


def plain_operand_method(target: str, name: str) -> EmitFunction | None:
    """What an operand method of ``operand_stubs`` falls back to should it not compile (the operand class has no
    ``getImm``): a predicate that matches nothing, a render method of registers only."""
    if re.fullmatch(r"is\w+", name):
        return _make(target, "<T>Operand", "AsmParser", f"bool <T>Operand::{name}() const", name, _OPERAND_PREDICATE)
    if re.fullmatch(r"add\w+Operands", name):
        return _make(target, "<T>Operand", "AsmParser", f"void <T>Operand::{name}(MCInst &Inst, unsigned N) const",
                     name, _operand_render(name, immediates=False))
    return None


def declared_member_stubs(log_text: str, target: str, declarations: list[dict[str, Any]],
                          file_stems: dict[str, str]) -> list[EmitFunction]:
    """Methods of our classes (``file_stems``: class name -> the file stem that holds it) that a tblgen table calls
    and nothing defines, defined with the signature the description's header declarations give
    (``describe.declarations``: ``RISCVSubtarget::hasVInstructions`` -> ``bool hasVInstructions() const``): a
    ``bool`` one (a feature predicate) answers false, as for a feature the subtarget does not have, so the patterns
    it guards stay out; any other stops with the stub message."""
    signature = {d["name"]: d.get("signature", "") for d in declarations
                 if d.get("kind") == "decl.method" and d.get("signature")}
    out: dict[str, EmitFunction] = {}
    for ln in log_text.splitlines():
        m = _INC_NO_MEMBER.match(ln)
        if not m or m["cls"] not in file_stems:
            continue
        cls, name = m["cls"], m["name"]
        made = _declared_stub(target, cls, name, signature.get(f"{cls}::{name}", ""), file_stems[cls])
        if made is not None:
            out.setdefault(made.key, made)
    return list(out.values())


def _declared_stub(target: str, cls: str, name: str, decl: str, file_stem: str,
                   allow_static: bool = False) -> EmitFunction | None:
    """A stub of method ``cls::name`` with the signature its description declares (``decl``, as the header writes
    it): a ``bool`` one answers false, any other stops with the stub message. A ``static`` one keeps the word for
    its declaration in the class (``Signature.definition_head`` drops it where it is defined) when
    ``allow_static``; templates and operators are left to the build's answer."""
    words = re.sub(r"\(.*", "", decl).split()
    if not decl or ("static" in words and not allow_static) or "template" in words or "operator" in decl:
        return None
    head = re.sub(r"\s*(?:override|final|= 0|= default|= delete)?\s*;?\s*$", "", decl)
    head = re.sub(r"^\s*(?:virtual|inline|constexpr|LLVM_\w+)\s+", "", head)
    head = re.sub(rf"\b{re.escape(name)}\s*\(", f"{cls}::{name}(", head, count=1)
    abstract = cls.replace(target, "<T>", 1) if cls.startswith(target) else cls
    returns = [w for w in re.split(rf"\b{re.escape(cls)}::", head, maxsplit=1)[0].split() if w != "static"]
    default = "  return false;" if returns == ["bool"] else ""
    return _make(target, abstract, file_stem, head.replace(cls + "::", abstract + "::", 1), name, default)


def pure_virtual_stubs(log_text: str, target: str, file_stems: dict[str, str]) -> list[EmitFunction]:
    """Overrides of the pure virtual functions GCC lists for an abstract class of ours (``file_stems``: concrete
    class name -> the file stem that holds it)."""
    out: dict[str, EmitFunction] = {}
    cls = ""  # the abstract class of the last "pure within" note: the functions GCC lists next are its
    for ln in log_text.splitlines():
        m = _PURE_WITHIN.search(ln)
        if m:
            cls = m["cls"]
            continue
        f = _PURE_FN.search(ln)
        if f and cls in file_stems:
            head = f"{_unqualify(f['ret'])} {cls}::{f['name']}({_unqualify(f['params'])}){f['const'] or ''} override"
            fn = _make(target, cls.replace(target, "<T>", 1), file_stems[cls], head, f["name"])
            out.setdefault(fn.key, fn)
    return list(out.values())


def _unqualify(text: str) -> str:
    """GCC spells types fully qualified (``llvm::MachineFunction&``); the generated code is inside ``llvm``."""
    return re.sub(r"\bllvm::", "", text).replace("&", " &").replace("*", " *").replace("  ", " ").strip()


_SUBTARGET_UNDECLARED = re.compile(
    r"^(?P<file>\S+?GenSubtargetInfo\.inc):(?P<line>\d+):(?:\d+:)? error: ‘(?P<name>\w+)’ was not declared in this scope")


def subtarget_fields(log_text: str, build_dir: Path, namespace: str) -> list[str]:
    """Data members of the subtarget class that the tblgen feature parser sets and nothing declares.

    ``ParseSubtargetFeatures`` assigns every ``SubtargetFeature``'s field; boolean ones are declared through
    ``GET_SUBTARGETINFO_MACRO``, the others (a register set, a number, an enumerated tuning family) only appear as
    assignments. Their type follows from the assignment: ``F[Reg] = true`` a bit per register, ``F < 64`` /
    ``F = 64`` a number, ``F = Name`` an enumeration of every name assigned to it."""
    lines_of: dict[Path, list[str]] = {}
    fields: dict[str, str] = {}
    enums: dict[str, list[str]] = {}
    undeclared = set()
    for ln in log_text.splitlines():
        m = _SUBTARGET_UNDECLARED.match(ln)
        if not m:
            continue
        _lines(lines_of, build_dir, m["file"])
        undeclared.add(m["name"])
    for lines in lines_of.values():
        for text in lines:
            for name in sorted(undeclared):
                if re.search(rf"\b{name}\s*\[[^\]]*\]\s*=", text):
                    fields.setdefault(name, f"BitVector {name} = BitVector({namespace}::NUM_TARGET_REGS);")
                elif re.search(rf"\b{name}\s*(?:[<>]=?|=)\s*\d", text):
                    fields.setdefault(name, f"unsigned {name} = 0;")
                else:
                    v = re.search(rf"\b{name}\s*=\s*([A-Za-z_]\w*)\s*;", text)
                    if v and v.group(1) not in ("true", "false"):
                        values = enums.setdefault(name, [])
                        if v.group(1) not in values:
                            values.append(v.group(1))
    for name, values in enums.items():
        fields.setdefault(name, f"enum {name}Enum {{ Others, {', '.join(values)} }};\n  {name}Enum {name} = Others;")
    return [fields[n] for n in sorted(fields)]


_INTERFACE_DIRS = ("CodeGen", "MC", "Target")


@lru_cache(maxsize=4)
def llvm_virtual_names(include_dir: Path) -> frozenset[str]:
    """Names of the virtual member functions LLVM's backend interfaces declare (``include/llvm/{CodeGen,MC,Target}``,
    read by ``generate.defaults.llvm_hooks``).

    A function of a scratch target with one of these names most likely overrides LLVM's: when it does not compile,
    leaving it out lets LLVM's default (or, for a pure virtual function, a stub from GCC's list) take its place,
    where a stub would stop every caller of an optional hook."""
    from ..generate.defaults import llvm_hooks

    return frozenset(n for n in llvm_hooks(str(include_dir), _INTERFACE_DIRS)[0] if not n.startswith("~"))
