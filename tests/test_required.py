"""Stubs for what a scratch target must define: read off the real g++'s output, then compiled to show they fit."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vega_llvm.emit.functions import parse_signature
from vega_llvm.emit.required import SOURCE, hook_stubs, pure_virtual_stubs

pytestmark = pytest.mark.skipif(not shutil.which("g++"), reason="needs g++")

# The shapes LLVM uses, small enough to compile in a test: a base class with pure virtual functions, and a class
# that includes a tblgen-style table calling functions of the class by name.
PRELUDE = """#include <cstdint>
namespace llvm {
struct MachineFunction {};
struct Register { unsigned R = 0; };
struct MCInst {};
struct raw_ostream {};
struct TargetRegisterInfo {
  virtual ~TargetRegisterInfo() = default;
  virtual Register getFrameRegister(const MachineFunction &MF) const = 0;
  virtual bool isConstantPhysReg(unsigned R) const { return false; }
};
[[noreturn]] void report_fatal_error(const char *);
"""


def _gxx(src: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["g++", "-std=c++17", "-fsyntax-only", src.name], cwd=cwd, capture_output=True, text=True)


def _with_stub(head_cls: str, decl: str, definition: str, extra: str = "") -> str:
    return PRELUDE + f"{head_cls} {{\npublic:\n{extra}  {decl}\n}};\n{definition}\n}}\n"


def test_pure_virtual_functions_of_an_abstract_class_get_overrides(tmp_path: Path) -> None:
    (tmp_path / "abstract.cpp").write_text(
        PRELUDE + "class FooRegisterInfo : public TargetRegisterInfo {};\nstruct Holder { FooRegisterInfo RI; };\n}\n")
    res = _gxx(tmp_path / "abstract.cpp", tmp_path)
    assert res.returncode != 0 and "pure within" in res.stderr
    stubs = pure_virtual_stubs(res.stderr, "Foo", {"FooRegisterInfo": "RegisterInfo"})
    assert [s.key for s in stubs] == ["<T>RegisterInfo::getFrameRegister#required"]
    stub = stubs[0]
    assert stub.source == SOURCE and stub.confidence == 0.0 and stub.file_stem == "RegisterInfo"
    sig = parse_signature(stub.signature)
    assert sig.qualifier == "FooRegisterInfo" and "override" in sig.suffix and "const" in sig.suffix
    # The override it declares makes the class concrete again.
    (tmp_path / "fixed.cpp").write_text(
        _with_stub("class FooRegisterInfo : public TargetRegisterInfo", sig.declaration(),
                   f"{sig.definition_head('FooRegisterInfo')}\n{stub.body}") + "namespace llvm { FooRegisterInfo RI; }\n")
    assert _gxx(tmp_path / "fixed.cpp", tmp_path).returncode == 0, _gxx(tmp_path / "fixed.cpp", tmp_path).stderr


@pytest.mark.parametrize(
    "inc, call, owner",
    [
        # (an operand's PrintMethod: test_hooks_with_a_safe_answer_get_it_and_compile_in_the_real_classes)
        # a PatLeaf's own C++ helper: arguments tblgen did not name, so a variadic template of the right type
        ("FooGenDAGISel.inc", "return immSmall(N);", "FooDAGToDAGISel"),
    ],
)
def test_functions_the_tables_call_get_stubs_that_fit_the_call(tmp_path: Path, inc: str, call: str, owner: str) -> None:
    args = {"FooGenAsmWriter.inc": "const MCInst *MI, raw_ostream &O", "FooGenDAGISel.inc": "const MCInst *N"}[inc]
    # as in LLVM: printInstruction is not const, CheckNodePredicate is
    ret, const = ("void", "") if "Writer" in inc else ("bool", " const")
    (tmp_path / inc).write_text(f"{ret} tableEntry({args}){const} {{\n  {call}\n}}\n")
    (tmp_path / "unit.cpp").write_text(PRELUDE + f'class {owner} {{\npublic:\n#include "{inc}"\n}};\n}}\n')
    res = _gxx(tmp_path / "unit.cpp", tmp_path)
    assert res.returncode != 0
    stubs = hook_stubs(res.stderr, tmp_path, "Foo")
    assert len(stubs) == 1, res.stderr
    sig = parse_signature(stubs[0].signature)
    assert sig.qualifier == owner and stubs[0].source == SOURCE
    if "Writer" in inc:
        assert sig.params == "const MCInst *MI, unsigned OpNo, raw_ostream &O"
    else:
        assert sig.prefix.startswith("template")
    (tmp_path / "fixed.cpp").write_text(
        PRELUDE + f'class {owner} {{\npublic:\n#include "{inc}"\n  {sig.declaration()}\n}};\n'
        f"{sig.definition_head(owner)}\n{stubs[0].body}\n}}\n")
    res = _gxx(tmp_path / "fixed.cpp", tmp_path)
    assert res.returncode == 0, res.stderr


def test_subtarget_fields_the_feature_parser_sets_are_declared(tmp_path: Path) -> None:
    from vega_llvm.emit.required import subtarget_fields

    # What SubtargetEmitter writes for non-boolean features (RISCV's ZvlLen, UserReservedRegister, tuning family).
    inc = ("void ParseSubtargetFeatures(const unsigned *Bits) {\n"
           "  if (Bits[1] && VecLen < 64) VecLen = 64;\n"
           "  if (Bits[2]) Reserved[Foo::R1] = true;\n"
           "  if (Bits[3] && Family != FastCore) Family = FastCore;\n}\n")
    (tmp_path / "FooGenSubtargetInfo.inc").write_text(inc)
    body = 'class FooSubtarget {{\npublic:\n{members}\n#include "FooGenSubtargetInfo.inc"\n}};\n'
    prelude = ("#include <vector>\nnamespace Foo { enum { R0, R1, NUM_TARGET_REGS }; }\n"
               "struct BitVector { explicit BitVector(unsigned N) : B(N) {} std::vector<bool>::reference operator[](unsigned I) { return B[I]; }"
               " std::vector<bool> B; };\n")
    (tmp_path / "unit.cpp").write_text(prelude + body.format(members=""))
    res = _gxx(tmp_path / "unit.cpp", tmp_path)
    assert res.returncode != 0
    fields = subtarget_fields(res.stderr, tmp_path, "Foo")
    assert fields == ["enum FamilyEnum { Others, FastCore };\n  FamilyEnum Family = Others;",
                      "BitVector Reserved = BitVector(Foo::NUM_TARGET_REGS);", "unsigned VecLen = 0;"]
    (tmp_path / "fixed.cpp").write_text(prelude + body.format(members="\n".join(fields)))
    res = _gxx(tmp_path / "fixed.cpp", tmp_path)
    assert res.returncode == 0, res.stderr


@pytest.mark.llvm
def test_llvm_interface_functions_are_read_from_the_installed_headers() -> None:
    from vega_llvm.emit.required import llvm_virtual_names
    from vega_llvm.llvm.toolchain import find_toolchain

    names = llvm_virtual_names(find_toolchain().includedir)
    # hooks with a default (TargetMachine, TargetLowering) and pure ones (TargetFrameLowering, MCDisassembler)
    assert {"getTargetTransformInfo", "LowerOperation", "emitPrologue", "getInstruction", "printInst"} <= names
    # a target's own helpers, called by its tblgen tables, are not LLVM interface functions
    assert "lowerOperand" not in names and "SelectADDRspii" not in names


# The hooks with a safe answer, compiled against LLVM's installed headers inside the real base classes: the stub
# must fit the table's call and the class as LLVM declares it (MAI and printRegName of MCInstPrinter, the
# selector's const predicate context, MCDisassembler's DecodeStatus).
_REAL_HOOKS = {
    "FooGenAsmWriter.inc": (
        '#include "llvm/MC/MCExpr.h"\n#include "llvm/MC/MCInst.h"\n#include "llvm/MC/MCInstPrinter.h"\n'
        '#include "llvm/MC/MCRegister.h"\n#include "llvm/Support/raw_ostream.h"\n',
        "class FooInstPrinter : public MCInstPrinter {\npublic:\n"
        "  void printInst(const MCInst *, uint64_t, StringRef, const MCSubtargetInfo &, raw_ostream &) override {}\n"
        "  std::pair<const char *, uint64_t> getMnemonic(const MCInst *) override { return {nullptr, 0}; }\n",
        "void printInstruction(const MCInst *MI, raw_ostream &O) {\n  printMemOperand(MI, 2, O);\n}\n",
        "printRegName(O, Op.getReg())",
    ),
    # a custom operand parser (an AsmOperandClass's ParserMethod) and an optional operand's default (DefaultMethod)
    "FooGenAsmMatcher.inc": (
        '#include <memory>\n#include "llvm/MC/MCInst.h"\n#include "llvm/MC/MCParser/MCParsedAsmOperand.h"\n'
        '#include "llvm/MC/MCParser/MCTargetAsmParser.h"\n#include "llvm/Support/ErrorHandling.h"\n'
        "namespace llvm {\nstruct FooOperand : public MCParsedAsmOperand {\n"
        "  void addRegOperands(MCInst &Inst, unsigned N) const;\n};\n}\n",
        "class FooAsmParser : public MCTargetAsmParser {\npublic:\n",
        "OperandMatchResultTy tryCustomParseOperand(OperandVector &Operands, unsigned MCK) {\n"
        "  switch (MCK) {\n  case 1:\n    return parseBareSymbol(Operands);\n  default:\n"
        "    return MatchOperand_NoMatch;\n  }\n}\n"
        "void convert(MCInst &Inst) {\n  defaultMaskRegOp()->addRegOperands(Inst, 1);\n}\n",
        "return MatchOperand_NoMatch;",
    ),
    "FooGenDAGISel.inc": (
        '#include "llvm/CodeGen/SelectionDAGISel.h"\n',
        "class FooDAGToDAGISel : public SelectionDAGISel {\npublic:\n",
        "bool CheckNodePredicate(SDNode *N, unsigned PredNo) const override {\n  return immSmall(N);\n}\n"
        "bool CheckComplexPattern(SDNode *Root, SDNode *Parent, SDValue N, unsigned PatternNo,\n"
        "                         SmallVectorImpl<std::pair<SDValue, SDNode *>> &Result) override {\n"
        "  Result.resize(2);\n  if (PatternNo == 1)\n    return selectRVVSimm5<16>(N, Result[0].first);\n"
        "  if (PatternNo == 2)\n    return selectRVVSimm5<32>(N, Result[0].first);\n"
        "  return SelectAddrSpii(N, Result[0].first, Result[1].first);\n}\n",
        "return false;",
    ),
    "FooGenMCPseudoLowering.inc": (
        '#include "llvm/CodeGen/AsmPrinter.h"\n#include "llvm/CodeGen/MachineInstr.h"\n#include "llvm/MC/MCInst.h"\n',
        "class FooAsmPrinter : public AsmPrinter {\npublic:\n",
        "bool emitPseudoExpansionLowering(const MachineInstr *MI) {\n  MCOperand MCOp;\n"
        "  lowerOperand(MI->getOperand(1), MCOp);\n  return true;\n}\n",
        "MCOperand::createReg(MO.getReg())",
    ),
    "FooGenDisassemblerTables.inc": (
        '#include "llvm/MC/MCDisassembler/MCDisassembler.h"\n#include "llvm/MC/MCInst.h"\n'
        "using namespace llvm;\nusing DecodeStatus = MCDisassembler::DecodeStatus;\n",
        "",
        "static DecodeStatus decodeToMCInst(MCInst &MI, unsigned insn, uint64_t Address, const MCDisassembler *Decoder) {\n"
        "  return DecodeBitpOperand(MI, insn, Address, Decoder);\n}\n",
        "return MCDisassembler::Fail;",
    ),
}


@pytest.mark.llvm
@pytest.mark.parametrize("inc", sorted(_REAL_HOOKS))
def test_hooks_with_a_safe_answer_get_it_and_compile_in_the_real_classes(tmp_path: Path, inc: str) -> None:
    from vega_llvm.llvm.toolchain import find_toolchain

    includes, owner_open, table, expect = _REAL_HOOKS[inc]
    flags = ["g++", "-std=c++17", "-fsyntax-only", f"-I{find_toolchain().includedir}", "unit.cpp"]
    (tmp_path / inc).write_text(table)

    def unit(extra: str) -> str:
        if owner_open:  # the table is included inside the class, as tblgen's outputs are
            return f"{includes}namespace llvm {{\n{owner_open}#include \"{inc}\"\n{extra}}};\n}}\n"
        return f"{includes}namespace llvm {{\n{extra}#include \"{inc}\"\n}}\n"

    (tmp_path / "unit.cpp").write_text(unit(""))
    res = subprocess.run(flags, cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode != 0
    stubs = hook_stubs(res.stderr, tmp_path, "Foo")
    assert stubs, res.stderr[-2000:]
    owner = owner_open.split()[1] if owner_open else ""
    decls, defs = [], []
    for stub in stubs:
        # a safe answer, fatal at most for what has none (the pseudo-lowering's symbol operands)
        # (and an optional operand's default, which only the target can make)
        assert stub.source == SOURCE and ("report_fatal_error" not in stub.body or "Pseudo" in inc
                                          or "::default" in stub.key)
        sig = parse_signature(stub.signature)
        if owner:
            decls.append(f"  {sig.declaration()}\n")
            defs.append(f"{sig.definition_head(owner)}\n{stub.body}\n")
        else:
            defs.append(f"{stub.signature}\n{stub.body}\n")
    assert all(expect in s.body for s in stubs if "::default" not in s.key), [s.body for s in stubs]
    if "AsmMatcher" in inc:  # each call's own kind: an operand parser, and the default of an optional operand
        sigs = {s.key: s.signature for s in stubs}
        assert sigs == {
            "<T>AsmParser::parseBareSymbol#required":
                "OperandMatchResultTy FooAsmParser::parseBareSymbol(OperandVector &Operands)",
            "<T>AsmParser::defaultMaskRegOp#required": "std::unique_ptr<FooOperand> FooAsmParser::defaultMaskRegOp() const",
        }
    if "Writer" in inc:  # the table's arguments give the parameters their LLVM types and the names the body uses
        assert parse_signature(stubs[0].signature).params == "const MCInst *MI, unsigned OpNo, raw_ostream &O"
    if "DAGISel" in inc:  # a ComplexPattern naming a function template of a number (RISC-V's): one template for all
        (simm5,) = [s for s in stubs if "selectRVVSimm5" in s.key]
        assert simm5.signature == "template <int V0> bool FooDAGToDAGISel::selectRVVSimm5(SDValue N, SDValue &Op1)"
    if owner:
        text = unit("".join(decls)).rstrip().removesuffix("}") + "".join(defs) + "}\n"
    else:
        text = unit("".join(defs))
    (tmp_path / "unit.cpp").write_text(text)
    res = subprocess.run(flags, cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-3000:]


def test_encoder_hooks_stay_fatal(tmp_path: Path) -> None:
    """A missing encoder has no safe answer: a wrong encoding would pass unseen, so its stub stops the run."""
    log = "build/FooGenMCCodeEmitter.inc:12:7: error: ‘getImmOpValue’ was not declared in this scope\n"
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "FooGenMCCodeEmitter.inc").write_text(
        "\n" * 11 + "      op = getImmOpValue(MI, 1, Fixups, STI);\n")
    stubs = hook_stubs(log, tmp_path, "Foo")
    assert [s.key for s in stubs] == ["<T>MCCodeEmitter::getImmOpValue#required"]
    assert "report_fatal_error" in stubs[0].body


_OPERAND_CLASS = """#include "llvm/MC/MCExpr.h"
#include "llvm/MC/MCInst.h"
#include "llvm/MC/MCParser/MCParsedAsmOperand.h"
#include "llvm/MC/MCParser/MCTargetAsmParser.h"
#include "llvm/Support/ErrorHandling.h"
namespace llvm {
class FooOperand : public MCParsedAsmOperand {
public:
  bool isToken() const override { return false; }
  bool isImm() const override { return false; }
  bool isReg() const override { return true; }
  bool isMem() const override { return false; }
  unsigned getReg() const override { return 1; }
  SMLoc getStartLoc() const override { return {}; }
  SMLoc getEndLoc() const override { return {}; }
  void print(raw_ostream &) const override {}
%s};
%s
#include "FooGenAsmMatcher.inc"
}
"""
# What tblgen's asm matcher does with the operand class: an AsmOperandClass's predicate and render methods.
_MATCHER = """static unsigned validateOperandClass(MCParsedAsmOperand &GOp, unsigned Kind) {
  FooOperand &Operand = (FooOperand &)GOp;
  if (Kind == 3 && Operand.isUImm5())
    return 0;
  return 1;
}
static void convertToMCInst(MCInst &Inst, const OperandVector &Operands) {
  static_cast<FooOperand &>(*Operands[1]).addFRMArgOperands(Inst, 1);
}
"""


@pytest.mark.llvm
def test_operand_methods_the_asm_matcher_calls_get_defaults_that_compile(tmp_path: Path) -> None:
    """A predicate the matcher calls and no function writes (and the description says nothing of) matches nothing;
    a render method adds a register or an immediate operand and stops on anything else; both compile inside a real
    ``MCParsedAsmOperand``."""
    from vega_llvm.emit.required import operand_stubs, plain_operand_method
    from vega_llvm.llvm.toolchain import find_toolchain

    flags = ["g++", "-std=c++17", "-fsyntax-only", f"-I{find_toolchain().includedir}", "unit.cpp"]
    (tmp_path / "FooGenAsmMatcher.inc").write_text(_MATCHER)
    (tmp_path / "unit.cpp").write_text(_OPERAND_CLASS % ("", ""))
    res = subprocess.run(flags, cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode != 0
    stubs = operand_stubs(res.stderr, "Foo")
    assert sorted(s.key for s in stubs) == ["<T>Operand::addFRMArgOperands#required", "<T>Operand::isUImm5#required"], res.stderr[-2000:]
    by_name = {s.key.split("::")[1].split("#")[0]: s for s in stubs}
    assert "return false;" in by_name["isUImm5"].body and "report_fatal_error" not in by_name["isUImm5"].body
    assert "MCOperand::createReg(getReg())" in by_name["addFRMArgOperands"].body
    assert "AsMCOperand(getImm())" in by_name["addFRMArgOperands"].body  # an immediate as the MCOperand it is
    assert all(s.file_stem == "AsmParser" and s.source == SOURCE for s in stubs)
    # in a class with getImm() (of an MCExpr, as most targets' operand classes have it) the render method compiles;
    # in one without, its fallback does (bootstrap.trees puts it behind it on the repair ladder)
    fallback = [plain_operand_method("Foo", "addFRMArgOperands"), by_name["isUImm5"]]
    for extra, fns in (("  const MCExpr *getImm() const { return nullptr; }\n", stubs), ("", fallback)):
        decls = extra + "".join(f"  {parse_signature(s.signature).declaration()}\n" for s in fns)
        defs = "".join(f"{parse_signature(s.signature).definition_head('FooOperand')}\n{s.body}\n" for s in fns)
        (tmp_path / "unit.cpp").write_text(_OPERAND_CLASS % (decls, defs))
        res = subprocess.run(flags, cwd=tmp_path, capture_output=True, text=True)
        assert res.returncode == 0, res.stderr[-3000:]


_DIAGNOSTICS = """#ifdef GET_OPERAND_DIAGNOSTIC_TYPES
#undef GET_OPERAND_DIAGNOSTIC_TYPES
  Match_InvalidUImm5,
#endif
"""


@pytest.mark.parametrize("derived", [
    [],  # no function names the enumeration: the class gets its own
    # a training target's enumeration, one line as derive_shape writes it, ending with or without a comma
    ["  enum FooMatchResultTy { Match_Dummy = FIRST_TARGET_MATCH_RESULT_TY, Match_RequiresEvenGPRs, };  // vega: declares <T>AsmParser::f"],
    ["  enum FooMatchResultTy { Match_Dummy = FIRST_TARGET_MATCH_RESULT_TY, Match_RequiresEvenGPRs };"],
])
def test_the_parser_class_declares_the_matchers_operand_diagnostics(tmp_path: Path, derived: list[str]) -> None:
    """The asm matcher returns ``<T>AsmParser::Match_InvalidUImm5``: the parser's match-result enumeration
    includes the matcher's operand diagnostics, whether a training target's enumeration came with the class or not."""
    from vega_llvm.emit.layout import with_operand_diagnostics

    lines = with_operand_diagnostics(derived + ["  int Other;"], "Foo")
    assert sum("GET_OPERAND_DIAGNOSTIC_TYPES" in ln for ln in lines) == 1
    assert with_operand_diagnostics(lines, "Foo") == lines  # once only
    (tmp_path / "FooGenAsmMatcher.inc").write_text(_DIAGNOSTICS)
    body = "\n".join(lines)
    (tmp_path / "unit.cpp").write_text(
        "struct Base { enum { FIRST_TARGET_MATCH_RESULT_TY = 7 }; };\n"
        f"struct FooAsmParser : Base {{\n{body}\n}};\n"
        "static_assert(FooAsmParser::Match_InvalidUImm5 > FooAsmParser::Match_Dummy, \"\");\n")
    res = _gxx(tmp_path / "unit.cpp", tmp_path)
    assert res.returncode == 0, res.stderr


def test_methods_a_table_calls_get_the_descriptions_signature(tmp_path: Path) -> None:
    """The selector's ``Predicate`` conditions call subtarget methods (``Subtarget->hasVInstructions()``) that only
    the target's header declares: the stub takes that declaration's signature; a ``bool`` one answers false (the
    feature is absent: the patterns it guards stay out), another one stops with the stub message."""
    from vega_llvm.emit.required import declared_member_stubs

    (tmp_path / "FooGenDAGISel.inc").write_text(
        "bool checkPredicate(unsigned N) const {\n  if (N == 1) return Subtarget->hasVInstructions();\n"
        "  return Subtarget->getXLen() == 32 && !Subtarget->notDeclared();\n}\n")
    prelude = "namespace llvm {\n[[noreturn]] void report_fatal_error(const char *);\nclass FooSubtarget {\npublic:\n%s};\n%s"
    isel = "struct FooDAGToDAGISel {\n  const FooSubtarget *Subtarget;\n#include \"FooGenDAGISel.inc\"\n};\n}\n"
    (tmp_path / "unit.cpp").write_text(prelude % ("", "") + isel)
    res = _gxx(tmp_path / "unit.cpp", tmp_path)
    assert res.returncode != 0
    declarations = [
        {"name": "FooSubtarget::hasVInstructions", "kind": "decl.method", "file": "FooSubtarget.h", "signature": "bool hasVInstructions() const"},
        {"name": "FooSubtarget::getXLen", "kind": "decl.method", "file": "FooSubtarget.h", "signature": "unsigned getXLen() const"},
    ]
    stubs = declared_member_stubs(res.stderr, "Foo", declarations, {"FooSubtarget": "Subtarget"})
    assert sorted(s.key for s in stubs) == ["<T>Subtarget::getXLen#required", "<T>Subtarget::hasVInstructions#required"]
    by = {s.key.split("::")[1].split("#")[0]: s for s in stubs}
    assert by["hasVInstructions"].signature == "bool FooSubtarget::hasVInstructions() const"
    assert "return false;" in by["hasVInstructions"].body and "report_fatal_error" in by["getXLen"].body
    assert all(s.file_stem == "Subtarget" and s.source == SOURCE for s in stubs)
    decls = "".join(f"  {parse_signature(s.signature).declaration()}\n" for s in stubs) + "  bool notDeclared() const;\n"
    defs = "".join(f"{s.signature}\n{s.body}\n" for s in stubs)
    (tmp_path / "unit.cpp").write_text(prelude % (decls, defs) + isel)
    res = _gxx(tmp_path / "unit.cpp", tmp_path)
    assert res.returncode == 0, res.stderr


def test_a_required_hook_the_class_shape_declares_on_use_is_declared_once() -> None:
    """``<T>AsmPrinter``'s shape declares ``lowerOperand`` when a function names it; the required stub of that name
    declares the same, and a second declaration would not compile ("cannot be overloaded")."""
    from vega_llvm.emit.functions import EmitFunction
    from vega_llvm.emit.layout import PlacedFunction, class_decl

    fn = EmitFunction("<T>AsmPrinter::lowerOperand#required", "AsmPrinter", "",
                      "bool RISCVAsmPrinter::lowerOperand(const MachineOperand &MO, MCOperand &MCOp) const",
                      "{\n  return false;\n}", 0.0, SOURCE)
    decl = class_decl("RISCVAsmPrinter", "<T>AsmPrinter", [PlacedFunction(fn, parse_signature(fn.signature), "RISCVAsmPrinter")],
                      "RISCV", {})
    lines = decl.decls + decl.body
    assert sum("lowerOperand(" in ln for ln in lines) == 1, lines
    # a variadic stub of a hook the table defines itself (``printCustomAliasOperand`` of the asm writer) leaves the
    # shape's typed declaration, which the table's definition matches
    alias = EmitFunction("<T>InstPrinter::printCustomAliasOperand#required", "InstPrinter", "",
                         "template <typename... ArgTs> void RISCVInstPrinter::printCustomAliasOperand(ArgTs &&...) const",
                         "{\n}", 0.0, SOURCE)
    decl = class_decl("RISCVInstPrinter", "<T>InstPrinter",
                      [PlacedFunction(alias, parse_signature(alias.signature), "RISCVInstPrinter")], "RISCV", {})
    lines = decl.decls + decl.body
    assert sum("printCustomAliasOperand(" in ln for ln in lines) == 2, lines
    assert any("unsigned PrintMethodIdx" in ln for ln in lines)


def _selector_call(tmp_path: Path, line: str, name: str, declared: str) -> tuple[str, list[dict]]:
    """A selector table whose third line is ``line``, GCC's error that ``name`` is undeclared there, and the
    description's declaration of it in the selector class (``declared``)."""
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "FooGenDAGISel.inc").write_text(f"\n\n{line}\n")
    log = f"build/FooGenDAGISel.inc:3:{line.index(name) + 1}: error: ‘{name}’ was not declared in this scope\n"
    return log, [{"name": f"FooDAGToDAGISel::{name}", "kind": "decl.method", "file": "FooISelDAGToDAG.h",
                  "signature": declared}]


def test_a_table_call_the_description_declares_gets_that_signature(tmp_path: Path) -> None:
    """RISC-V's ``.td`` fragment (an ``SDNodeXForm``) calls ``getRISCVCCForIntCC(CC)`` inside the selector; its
    ``RISCVISelDAGToDAG.h`` declares ``static RISCVCC::CondCode getRISCVCCForIntCC(ISD::CondCode CC)``. The stub takes
    that signature (a guess from the call would return ``bool``): ``static`` where the class declares it, not where
    it is defined; not a ``bool``, so it stops when reached."""
    log, decls = _selector_call(tmp_path, "  FooCC::CondCode BrCC = getFooCCForIntCC(CC);", "getFooCCForIntCC",
                                "static FooCC::CondCode getFooCCForIntCC(ISD::CondCode CC)")
    (stub,) = hook_stubs(log, tmp_path, "Foo", decls)
    assert stub.key == "<T>DAGToDAGISel::getFooCCForIntCC#required"
    assert stub.signature == "static FooCC::CondCode FooDAGToDAGISel::getFooCCForIntCC(ISD::CondCode CC)"
    sig = parse_signature(stub.signature)
    assert sig.declaration() == "static FooCC::CondCode getFooCCForIntCC(ISD::CondCode CC);"
    assert sig.definition_head("FooDAGToDAGISel") == "FooCC::CondCode FooDAGToDAGISel::getFooCCForIntCC(ISD::CondCode CC)"
    assert "report_fatal_error" in stub.body
    # undeclared by the description: the guess from the call, as before
    assert hook_stubs(log, tmp_path, "Foo", []) != [stub]


def test_the_alias_printers_custom_operand_is_declared_with_the_alias_printer() -> None:
    """The asm writer's ``PRINT_ALIAS_INSTR`` block defines ``printCustomAliasOperand`` where the ``.td``'s aliases
    print an operand their own way (RISC-V): a printer whose ``printInst`` calls ``printAliasInstr`` declares both,
    though no function calls the second (its definition had matched no declaration)."""
    from vega_llvm.emit.functions import EmitFunction
    from vega_llvm.emit.layout import PlacedFunction, class_decl

    fn = EmitFunction("<T>InstPrinter::printInst", "InstPrinter", "",
                      "void RISCVInstPrinter::printInst(const MCInst *MI, uint64_t Address, StringRef Annot, "
                      "const MCSubtargetInfo &STI, raw_ostream &O)",
                      "{\n  if (!printAliasInstr(MI, Address, STI, O))\n    printInstruction(MI, Address, STI, O);\n}",
                      0.5, "model")
    decl = class_decl("RISCVInstPrinter", "<T>InstPrinter",
                      [PlacedFunction(fn, parse_signature(fn.signature), "RISCVInstPrinter")], "RISCV",
                      {"pass_subtarget": True})
    lines = decl.decls + decl.body
    assert sum("printAliasInstr(" in ln for ln in lines) == 1
    assert sum("printCustomAliasOperand(" in ln for ln in lines) == 1, lines


def test_a_table_call_with_template_arguments_keeps_the_template_stub(tmp_path: Path) -> None:
    """RISC-V's header declares ``bool selectZExtBits(SDValue N, unsigned Bits, SDValue &Val)`` and the template
    ``selectZExtBits<Bits>(SDValue N, SDValue &Val)`` the tables call as ``selectZExtBits<16>(...)``; the
    declarations keep no template clause, so a call with template arguments gets the template stub."""
    log, decls = _selector_call(tmp_path, "    return selectZExtBits<16>(N, Result[NextRes+0].first);",
                                "selectZExtBits", "bool selectZExtBits(SDValue N, SDValue &Val)")
    (stub,) = hook_stubs(log, tmp_path, "Foo", decls)
    assert stub.signature.startswith("template <int V0> bool FooDAGToDAGISel::selectZExtBits(")


def test_a_factory_of_a_class_the_rounds_overrides_complete_is_not_charged(tmp_path: Path) -> None:
    """A class of ours whose pure virtual override was left out is abstract, and g++ charges the factory that makes
    it (RISC-V's ``createRISCVELFObjectWriter`` after its ``getRelocType`` went): the round's required override
    completes the class, so the factory keeps its place on the ladder."""
    from vega_llvm.bootstrap.trees import waits_for_completion

    (tmp_path / "unit.cpp").write_text(PRELUDE + """struct FooRegisterInfo : TargetRegisterInfo {
  FooRegisterInfo(int) {}
};
TargetRegisterInfo *createFoo() { return new FooRegisterInfo(1); }
}
""")
    res = _gxx(tmp_path / "unit.cpp", tmp_path)
    assert res.returncode != 0
    stubs = pure_virtual_stubs(res.stderr, "Foo", {"FooRegisterInfo": "RegisterInfo"})
    completed = {parse_signature(s.signature).qualifier for s in stubs}
    assert completed == {"FooRegisterInfo"}, res.stderr[-2000:]
    error = next(ln for ln in res.stderr.splitlines() if "abstract" in ln and "error:" in ln)
    assert waits_for_completion(error, completed)
    assert not waits_for_completion(error, set())  # a class no override completes: the factory's own fault
    assert not waits_for_completion("unit.cpp:3: error: ‘x’ was not declared in this scope", completed)
