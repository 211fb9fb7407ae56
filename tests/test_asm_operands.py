"""Asm operand predicates written from the description: read from the real RISC-V ``.td``, then compiled into a
real ``MCParsedAsmOperand``, linked with the installed LLVM and run on parsed values."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vega_llvm.emit.asm_operands import OperandCheck, checks_of, target_checks, usable
from vega_llvm.emit.functions import parse_signature
from vega_llvm.emit.required import operand_stubs, plain_operand_method

pytestmark = pytest.mark.skipif(not shutil.which("g++"), reason="needs g++")


def test_code_of_another_layer_is_not_used() -> None:
    visible = frozenset({"isInt", "isUInt", "evaluateAsConstantImm", "isBareSymbolRef", "STI", "getTargetTriple"})
    assert usable("return isInt<12>(Imm);", "Imm", visible)
    assert usable("int64_t Imm; if (MCOp.evaluateAsConstantImm(Imm)) return isInt<12>(Imm); "
                  "return MCOp.isBareSymbolRef();", "MCOp", visible)
    # the subtarget is an object of the MC verifier's layer, not the parsed operand's, however visible its name
    assert not usable("if (STI.getTargetTriple().isArch64Bit()) return isUInt<6>(Imm);", "MCOp", visible)
    assert not usable("return isUInt<VTypeINum>(Imm);", "Imm", visible)  # a TableGen template argument
    assert not usable("  ", "Imm", visible)


def test_checks_of_asm_operand_classes() -> None:
    """An operand class's predicate comes from its users' MC predicate, else their immediate leaf; users that
    say nothing make an immediate class accept any immediate; a custom parser or renderer is left alone."""
    records = {
        "SImm12": {"Name": "SImm12", "RenderMethod": "addImmOperands"},
        "UImm5": {"Name": "UImm5", "RenderMethod": "addImmOperands"},
        "UImm3": {"Name": "UImm3", "RenderMethod": "addImmOperands"},
        "FRM": {"Name": "FRMArg", "RenderMethod": "addFRMArgOperands"},
        "Sym": {"Name": "BareSymbol", "ParserMethod": "parseBareSymbol"},
        "simm12": {"ParserMatchClass": {"def": "SImm12"}, "ImmediateCode": "return isInt<12>(Imm);",
                   "MCOperandPredicate": "int64_t Imm; if (MCOp.evaluateAsConstantImm(Imm)) return isInt<12>(Imm);"},
        "uimm5": {"ParserMatchClass": {"def": "UImm5"}, "ImmediateCode": "return isUInt<5>(Imm);"},
        "uimm3": {"ParserMatchClass": {"def": "UImm3"}},
        "frm": {"ParserMatchClass": {"def": "FRM"}},
        "sym": {"ParserMatchClass": {"def": "Sym"}},
    }
    instanceof = {"AsmOperandClass": ["SImm12", "UImm5", "UImm3", "FRM", "Sym"],
                  "Operand": ["simm12", "uimm5", "uimm3", "frm", "sym"]}
    got = checks_of(records, instanceof, frozenset({"isInt", "isUInt", "evaluateAsConstantImm"}))
    assert {k: (v.kind, v.operand) for k, v in got.items()} == {
        "isSImm12": ("mc", "simm12"), "isUImm5": ("imm", "uimm5"), "isUImm3": ("any", "")}


_OPERAND_CLASS = """#include "llvm/MC/MCAsmInfo.h"
#include "llvm/MC/MCContext.h"
#include "llvm/MC/MCExpr.h"
#include "llvm/MC/MCInst.h"
#include "llvm/MC/MCParser/MCParsedAsmOperand.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/MathExtras.h"
#include <cstdio>
namespace llvm {
class FooOperand : public MCParsedAsmOperand {
  const MCExpr *Val;
public:
  FooOperand(const MCExpr *V) : Val(V) {}
  bool isToken() const override { return false; }
  bool isImm() const override { return Val != nullptr; }
  bool isReg() const override { return false; }
  bool isMem() const override { return false; }
  unsigned getReg() const override { return 0; }
  const MCExpr *getImm() const { return Val; }
  SMLoc getStartLoc() const override { return {}; }
  SMLoc getEndLoc() const override { return {}; }
  void print(raw_ostream &) const override {}
%s};
%s
}
using namespace llvm;
int main() {
  MCAsmInfo MAI;
  MCContext Ctx(Triple("riscv32"), &MAI, nullptr, nullptr);
  const MCExpr *Sym = MCSymbolRefExpr::create(Ctx.getOrCreateSymbol("foo"), Ctx);
  const MCExpr *Sum = MCBinaryExpr::createAdd(MCConstantExpr::create(2040, Ctx), MCConstantExpr::create(7, Ctx), Ctx);
  int64_t Values[] = {0, 31, 32, 2047, 2048, -2048, -2049};
  for (int64_t V : Values) {
    FooOperand Op(MCConstantExpr::create(V, Ctx));
    std::printf("%%lld %%d %%d\\n", (long long)V, Op.isSImm12(), Op.isUImm5());
  }
  FooOperand S(Sym), E(Sum);
  std::printf("sym %%d %%d\\nsum %%d %%d\\n", S.isSImm12(), S.isUImm5(), E.isSImm12(), E.isUImm5());
  MCInst Inst;
  E.addImmOperands(Inst, 1);
  std::printf("render %%d %%lld\\n", Inst.getOperand(0).isImm(), (long long)Inst.getOperand(0).getImm());
}
"""


@pytest.mark.llvm
def test_riscv_predicates_from_its_td_accept_what_the_td_says(tmp_path: Path) -> None:
    """RISC-V's ``isSImm12`` (``simm12``'s MC predicate: 12-bit constants or a bare symbol) and ``isUImm5``
    (``uimm5``'s immediate leaf), as ``operand_stubs`` writes them from the real ``.td``, run on parsed values; the
    render method adds a constant expression as an immediate. ``isUImmLog2XLen`` asks the subtarget: left out."""
    from vega_llvm.llvm.toolchain import find_toolchain
    from vega_llvm import LLVM_MAJOR
    from vega_llvm.paths import llvm_dir

    td = llvm_dir() / "lib" / "Target" / "RISCV" / "RISCV.td"
    checks = target_checks(td, cache=tmp_path / "cache")
    assert checks["isSImm12"].kind == "mc" and checks["isUImm5"].kind == "imm"
    assert "isUImmLog2XLen" not in checks and "isFRMArg" not in checks and "isBareSymbol" not in checks
    assert target_checks(td, cache=tmp_path / "cache") == checks  # read back from the cache
    log = "".join(f"FooGenAsmMatcher.inc:1:1: error: ‘class llvm::FooOperand’ has no member named ‘{n}’\n"
                  for n in ("isSImm12", "isUImm5", "addImmOperands"))
    stubs = {s.key.split("#")[0].split("::")[-1]: s for s in operand_stubs(log, "Foo", checks)}
    assert "MCOp.isBareSymbolRef()" in stubs["isSImm12"].body and "isUInt<5>(Imm)" in stubs["isUImm5"].body
    decls = "".join(f"  {parse_signature(s.signature).declaration()}\n" for s in stubs.values())
    defs = "".join(f"{parse_signature(s.signature).definition_head('FooOperand')}\n{s.body}\n" for s in stubs.values())
    (tmp_path / "unit.cpp").write_text(_OPERAND_CLASS % (decls, defs))
    tc = find_toolchain()
    build = subprocess.run(["g++", "-std=c++17", f"-I{tc.includedir}", "unit.cpp", "-o", "unit",
                            f"-L{tc.libdir}", f"-Wl,-rpath,{tc.libdir}", f"-lLLVM-{LLVM_MAJOR}"],
                           cwd=tmp_path, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-3000:]
    out = subprocess.run(["./unit"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["0 1 1", "31 1 1", "32 1 0", "2047 1 0", "2048 0 0", "-2048 1 0", "-2049 0 0",
                   "sym 1 0", "sum 1 0", "render 1 2047"]


def test_a_predicate_from_the_description_falls_back_to_matching_nothing() -> None:
    check = OperandCheck("isUImm5", "uimm5", "imm", "return isUInt<5>(Imm);")
    assert "getImm()" in check.body()
    plain = plain_operand_method("Foo", "isUImm5")
    assert plain is not None and "return false;" in plain.body and "getImm" not in plain.body
    render = plain_operand_method("Foo", "addFRMArgOperands")
    assert render is not None and "getImm" not in render.body and "createReg(getReg())" in render.body
    assert plain_operand_method("Foo", "parseFoo") is None
