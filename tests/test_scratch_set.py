"""emit/sources.py: which function groups a scratch backend gets, from the training targets and the description."""

from __future__ import annotations

from pathlib import Path

import pytest

from vega_llvm.describe.properties import PropertyTable
from vega_llvm.emit.backends import BackendLayout, ClassEvidence
from vega_llvm.emit.sources import chosen_groups, described_groups, other_role_classes


def _table() -> PropertyTable:
    """A description whose headers declare ``NewFunctionInfo`` (XCore's name for the function-info role), its
    ``getVarArgsFrameIndex``, the lowering's ``LowerBR_JT`` and the streamer ``NewTargetStreamer``."""
    return PropertyTable("New", "New", values={
        "decl.class": ["NewFunctionInfo", "NewTargetLowering", "NewTargetStreamer"],
        "decl.method": ["NewFunctionInfo::getVarArgsFrameIndex", "NewTargetLowering::LowerBR_JT"],
    })


SUPPORT = {
    ("ISelLowering", "<T>TargetLowering::LowerOperation"): {"A", "B", "C"},
    ("ISelLowering", "<T>TargetLowering::LowerBR_JT"): {"C"},
    ("MachineFunctionInfo", "<T>MachineFunctionInfo::<T>MachineFunctionInfo"): {"A", "B"},
    ("MachineFunctionInfo", "<T>MachineFunctionInfo::getVarArgsFrameIndex"): {"A", "B"},
    ("MachineFunctionInfo", "<T>FunctionInfo::<T>FunctionInfo"): {"C"},
    ("MachineFunctionInfo", "<T>FunctionInfo::getVarArgsFrameIndex"): {"C"},
    ("MachineFunction", "<T>FunctionInfo::getVarArgsFrameIndex"): {"D"},
    ("TargetStreamer", "<T>TargetAsmStreamer::emitDirective"): {"A", "B"},
}


def test_the_description_declares_what_the_backend_has_and_which_class_has_a_role() -> None:
    table = _table()
    assert described_groups(table) == {"<T>FunctionInfo::getVarArgsFrameIndex", "<T>TargetLowering::LowerBR_JT"}
    asm = ClassEvidence("<T>TargetAsmStreamer", bases={"A": ("<T>TargetStreamer",)})
    layout = BackendLayout(["A", "B", "C", "D"], [], {"<T>TargetAsmStreamer": asm}, set())
    # <T>MachineFunctionInfo is NewFunctionInfo's role under another name; <T>TargetAsmStreamer derives from the
    # declared <T>TargetStreamer: a class of its own
    assert other_role_classes(table, SUPPORT, layout) == {"<T>MachineFunctionInfo": "<T>FunctionInfo"}


def test_the_chosen_set_takes_the_described_functions_once_and_their_classes_constructors() -> None:
    table = _table()
    chosen = lambda ts: "A" in ts  # noqa: E731  (the nearest target is A)
    got = chosen_groups(SUPPORT, chosen, described_groups(table), {"<T>MachineFunctionInfo": "<T>FunctionInfo"})
    assert got == {
        ("ISelLowering", "<T>TargetLowering::LowerOperation"),
        ("ISelLowering", "<T>TargetLowering::LowerBR_JT"),  # declared, though the nearest lacks it
        ("MachineFunctionInfo", "<T>FunctionInfo::getVarArgsFrameIndex"),  # in the file most targets put it in
        ("MachineFunctionInfo", "<T>FunctionInfo::<T>FunctionInfo"),  # the class's constructor comes with it
        ("TargetStreamer", "<T>TargetAsmStreamer::emitDirective"),
    }


def test_a_role_keeps_its_only_implementation() -> None:
    """Where no training target wrote the declared class's functions, the other name's are the role's only code."""
    support = {g: ts for g, ts in SUPPORT.items() if not g[1].startswith("<T>FunctionInfo")}
    got = chosen_groups(support, lambda ts: "A" in ts, set(), {"<T>MachineFunctionInfo": "<T>FunctionInfo"})
    assert ("MachineFunctionInfo", "<T>MachineFunctionInfo::getVarArgsFrameIndex") in got


@pytest.mark.llvm
def test_of_two_generated_versions_of_one_function_the_set_takes_the_surer(llvm_src: Path, scratch_corpus: Path) -> None:
    """Two template groups of one name (a constructor defined in the class by some training targets, in the
    ``.cpp`` by others) give two generated versions: the set takes the one of higher confidence, whatever their
    order, and the first on a tie."""
    from vega_llvm.describe.describe import describe, describe_dir
    from vega_llvm.emit.functions import EmitFunction
    from vega_llvm.emit.sources import scratch_functions

    table, _ = describe(llvm_src / "lib" / "Target" / "XCore" / "XCore.td")
    key = "<T>TargetLowering::LowerOperation"

    def version(body: str, confidence: float) -> EmitFunction:
        return EmitFunction(key=key, file_stem="ISelLowering", module="ISel", confidence=confidence, source="model",
                            signature="SDValue XCoreTargetLowering::LowerOperation(SDValue Op, SelectionDAG &DAG) const",
                            body=body)

    def chosen(*versions: EmitFunction) -> str:
        sel = scratch_functions(table, list(versions), scratch_corpus, describe_dir(), {"XCore", "RISCV"})
        [fn] = [f for f in sel.functions if f.key == key]
        return fn.body

    unsure, sure = version("{ return SDValue(); }", 0.1), version("{ return Op; }", 0.6)
    assert chosen(unsure, sure) == chosen(sure, unsure) == sure.body
    assert chosen(version("{ return Op; }", 0.0), version("{ return SDValue(); }", 0.0)) == "{ return Op; }"


def test_a_donors_code_taken_over_names_the_targets_records_of_the_same_role(llvm_src: Path, scratch_corpus: Path) -> None:
    """LoongArch's real code, taken over for RISC-V, translated through the two descriptions as generated code
    is (``roles.RecordRoles``): its ``LowerFormalArguments`` named LoongArch's ``getGRLenVT`` and ``FeatureBasicF``
    and did not compile; its calling convention switched over LoongArch's ``ABI_ILP32S``; its printer wrote
    LoongArch's ``$`` before every register. Without the donor's description none of that is translated."""
    from vega_llvm.describe.describe import describe
    from vega_llvm.emit.sources import Donor, fallback_functions

    riscv, _ = describe(llvm_src / "lib" / "Target" / "RISCV" / "RISCV.td")
    loongarch, _ = describe(llvm_src / "lib" / "Target" / "LoongArch" / "LoongArch.td")
    wanted = {"<T>TargetLowering::LowerFormalArguments", "CC_<T>", "<T>InstPrinter::printRegName",
              "CC_<T>Assign2GRLen"}

    def taken(table: PropertyTable | None) -> dict[str, str]:
        fns = fallback_functions(Donor("LoongArch", 1.0, ["LoongArch"], table), scratch_corpus, "RISCV",
                                 only=wanted, target_table=riscv)
        heads.update({f.key: f.signature for f in fns})
        return {f.key: f.body for f in fns}

    heads: dict[str, str] = {}

    translated, plain = taken(loongarch), taken(None)
    assert set(translated) == wanted
    lower = translated["<T>TargetLowering::LowerFormalArguments"]
    assert "Subtarget.getXLenVT()" in lower and "RISCV::FeatureStdExtF" in lower and "GRLenVT" not in lower
    assert "RISCVABI::ABI_ILP32:" in translated["CC_<T>"] and "ABI_ILP32S" not in translated["CC_<T>"]
    printer = translated["<T>InstPrinter::printRegName"]
    assert "'$'" not in printer and "getRegisterName(Reg)" in printer
    # its parameter ``GRLen`` stays what the head declares (the subtarget's member of that name would be ``XLen``)
    assert "unsigned GRLen" in heads["CC_<T>Assign2GRLen"] and "GRLen / 8" in translated["CC_<T>Assign2GRLen"]
    assert "getGRLenVT" in plain["<T>TargetLowering::LowerFormalArguments"] and "'$'" in plain["<T>InstPrinter::printRegName"]


def test_a_member_the_nearest_target_names_its_own_way_takes_the_name_the_description_declares(
        llvm_src: Path, scratch_corpus: Path) -> None:
    """RISC-V's set takes LoongArch's groups ``<T>Subtarget::getGRLenVT`` and ``getGRLen``: declared so, they hid
    the ``getXLenVT`` RISC-V's header declares and that translated code calls. Each becomes the declared member of
    the same role, its candidates too; not where the set has that member already, nor a member the description
    declares, nor one of a class it does not declare, nor where no donor's description is known."""
    from vega_llvm.describe.describe import describe
    from vega_llvm.emit.functions import Candidate, EmitFunction
    from vega_llvm.emit.sources import Donor, _named, described_names

    riscv, _ = describe(llvm_src / "lib" / "Target" / "RISCV" / "RISCV.td")
    loongarch, _ = describe(llvm_src / "lib" / "Target" / "LoongArch" / "LoongArch.td")

    def fn(key: str, sig: str) -> EmitFunction:
        return EmitFunction(key, "Subtarget", "", sig, "{ return GRLenVT; }", 0.5, "model",
                            alternatives=[Candidate(f"{sig}\n{{ return MVT::i64; }}", "member:LoongArch", 0.2)])

    fns = [fn("<T>Subtarget::getGRLenVT", "MVT RISCVSubtarget::getGRLenVT() const"),
           fn("<T>Subtarget::getGRLen", "unsigned RISCVSubtarget::getGRLen() const"),
           fn("<T>Subtarget::getXLen", "unsigned RISCVSubtarget::getXLen() const"),
           fn("<T>Subtarget::is64Bit", "bool RISCVSubtarget::is64Bit() const"),
           fn("<T>Foo::getGRLenVT", "MVT RISCVFoo::getGRLenVT() const")]
    donors = [Donor("LoongArch", 1.0, ["LoongArch"], loongarch)]
    assert described_names(fns, riscv, donors) == {"<T>Subtarget::getGRLenVT": "<T>Subtarget::getXLenVT"}
    assert described_names(fns, riscv, [Donor("LoongArch", 1.0, ["LoongArch"], None)]) == {}
    named = _named(fns[0], "<T>Subtarget::getXLenVT")
    assert named.signature == "MVT RISCVSubtarget::getXLenVT() const"
    assert named.alternatives[0].code.splitlines()[0] == "MVT RISCVSubtarget::getXLenVT() const"


def test_a_call_gets_no_register_mask_where_the_description_has_no_callee_saved_registers() -> None:
    """XCore's description declares no callee-saved register set, so nothing defines a call-preserved mask and
    LLVM's ``getCallPreservedMask`` returns null; Lanai's call lowering, taken over, put that null mask on every call
    (its ``assert`` compiled out) and the passes after selection crashed. The statement goes where the description
    has no such set, and stays where it has one."""
    from vega_llvm.emit.sources import without_register_masks

    code = ("{\n  const uint32_t *Mask = TRI->getCallPreservedMask(MF, CallConv);\n"
            "  Ops.push_back(DAG.getRegisterMask(Mask));\n  Ops.push_back(Chain);\n}")
    xcore = PropertyTable("XCore", "XCore", values={"callee_saved": []})
    riscv = PropertyTable("RISCV", "RISCV", values={"callee_saved": ["CSR_ILP32_LP64"]})
    assert without_register_masks(code, xcore).splitlines()[2] == \
        "  // vega: removed, the description has no callee-saved registers: Ops.push_back(DAG.getRegisterMask(Mask));"
    assert "Ops.push_back(Chain);" in without_register_masks(code, xcore)
    assert without_register_masks(code, riscv) == code
