"""Named enumerations a target's headers declare in namespaces of their own are written into the emitted
MCTargetDesc header: the ``.td``'s code fragments and the generated functions name them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vega_llvm.describe.properties import PropertyTable
from vega_llvm.emit.layout import declared_enums


def _table(decls: list[dict], classes: list[str] = ()) -> PropertyTable:
    return PropertyTable("Foo", "Foo", values={"decl.class": list(classes)}, details={"declarations": decls})


def _enum(name: str, items: list[tuple[str, str]]) -> list[dict]:
    ns = name.split("::")[0]
    return [{"kind": "decl.enum", "name": name}, *({"kind": "decl.enumerator", "name": f"{ns}::{n}", "signature": i}
                                                   for n, i in items)]


def test_namespace_enums_in_order_with_their_initializers() -> None:
    decls = [*_enum("FooCC::CondCode", [("COND_EQ", ""), ("COND_NE", ""), ("COND_INVALID", "")]),
             {"kind": "decl.function", "name": "FooCC::getOppositeBranchCondition"},
             *_enum("FooII::Flags", [("ShiftA", "= 0"), ("MaskA", "= 1ULL << ShiftA"), ("Hex", "= 0x1f")]),
             *_enum("FooOp::OperandType", [("OPERAND_FIRST", "= MCOI::OPERAND_FIRST_TARGET")]),  # needs MCInstrDesc.h
             *_enum("Foo::Kinds", [("K0", "")]),  # the target's namespace: TableGen's
             *_enum("FooISD::NodeType", [("CALL", "")]),  # written with the lowering
             *_enum("FooMCExpr::VariantKind", [("VK_None", "")])]  # nested in a class
    got = declared_enums(_table(decls, ["FooMCExpr"]), set())
    assert got == [("FooCC", "CondCode", ["COND_EQ", "COND_NE", "COND_INVALID"]),
                   ("FooII", "Flags", ["ShiftA = 0", "MaskA = 1ULL << ShiftA", "Hex = 0x1f"])]
    assert declared_enums(_table(decls, ["FooMCExpr"]), {"FooII"}) == got[:1]  # written otherwise already


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_riscvs_condition_codes_are_written_and_the_td_fragment_compiles(llvm_src: Path, tmp_path: Path) -> None:
    from vega_llvm.describe.describe import describe

    table, _ = describe(llvm_src / "lib" / "Target" / "RISCV" / "RISCV.td")
    enums = {f"{ns}::{e}": items for ns, e, items in declared_enums(table, set())}
    assert enums["RISCVCC::CondCode"] == ["COND_EQ", "COND_NE", "COND_LT", "COND_GE", "COND_LTU", "COND_GEU",
                                          "COND_INVALID"]
    text = "".join(f"namespace {k.split('::')[0]} {{\nenum {k.split('::')[1]} {{\n" + "".join(f"  {i},\n" for i in v)
                   + "};\n}\n" for k, v in enums.items())
    # the selector table's fragment (RISC-V's IntCCtoRISCVCC), against a declared stand-in for the helper
    text += "RISCVCC::CondCode getRISCVCCForIntCC(int);\nint f(int CC) { RISCVCC::CondCode BrCC = getRISCVCCForIntCC(CC); " \
            "return BrCC == RISCVCC::COND_EQ; }\n"
    (tmp_path / "t.cpp").write_text(text)
    res = subprocess.run(["g++", "-std=c++17", "-fsyntax-only", "t.cpp"], cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
