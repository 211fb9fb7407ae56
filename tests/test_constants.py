"""File-scope constants of taken-over code (emit/constants.py): read from the training targets' real sources,
translated to the new target's records, declared in each emitted file that reads them, before their readers."""

from __future__ import annotations

import pytest

from vega_llvm.emit.constants import ConstantDecl, constants_in, declares, needed_constants, training_constants


def test_namespace_scope_constants_are_read_and_nothing_else() -> None:
    code = '''#include "x.h"
const MCPhysReg ArgGPRs[] = {LoongArch::R4, LoongArch::R5};
static constexpr unsigned NumFixups = 4;
namespace {
static const uint16_t Table[][2] = {{1, 2}, {3, 4}};
}
static cl::opt<bool> NoAliases("lanai-no-aliases", cl::init(false));
static unsigned Counter = 0;
const MCPhysReg *getRegs(unsigned N);
int f() { const unsigned Local[] = {1}; return Local[0]; }
'''
    assert [n for n, _ in constants_in(code)] == ["ArgGPRs", "NumFixups", "Table"]
    assert dict(constants_in(code))["ArgGPRs"] == "const MCPhysReg ArgGPRs[] = {LoongArch::R4, LoongArch::R5};"


def test_a_local_of_the_same_name_is_the_codes_own() -> None:
    assert declares("{\n  const MCPhysReg ArgGPRs[] = {RISCV::X10};\n  use(ArgGPRs);\n}", "ArgGPRs")
    assert not declares("{\n  unsigned Reg = State.AllocateReg(ArgGPRs);\n}", "ArgGPRs")
    assert not declares("{\n  X.ArgGPRs = 1;\n}", "ArgGPRs")


def _lookup(decls: list[ConstantDecl]):
    return lambda donor, name: [d for d in decls if d.target == donor and d.name == name]


def test_each_file_gets_what_it_reads_translated_dependencies_first() -> None:
    decls = [
        ConstantDecl("Far", "Far/FarISelLowering.cpp", "ArgGPRs", "const MCPhysReg ArgGPRs[] = {Far::A0};"),
        ConstantDecl("Near", "Near/NearISelLowering.cpp", "ArgGPRs",
                     "const MCPhysReg ArgGPRs[] = {Near::R4, Near::R5};"),
        ConstantDecl("Near", "Near/NearISelLowering.cpp", "NumArgGPRs",
                     "const unsigned NumArgGPRs = std::size(ArgGPRs);"),
        # a register the new target has no counterpart of stays the donor's: never declared (an error at file
        # scope would be charged to no function)
        ConstantDecl("Near", "Near/NearInstrInfo.cpp", "Odd", "const MCPhysReg Odd[] = {Near::R99};"),
    ]
    regs = {"R4": "X10", "R5": "X11"}

    def translate(d: ConstantDecl) -> str:
        text = d.text.replace(f"{d.target}::", "New::")
        for a, b in regs.items():
            text = text.replace(f"::{a}", f"::{b}")
        return text

    defined = {"New", "X10", "X11", "MCPhysReg", "unsigned", "const", "std", "size", "State", "AllocateReg",
               "Reg", "use", "return"}.__contains__
    code = {
        "ISelLowering": "{\n  unsigned Reg = State.AllocateReg(ArgGPRs);\n  return NumArgGPRs;\n}",
        "InstrInfo": "{\n  return Odd[0];\n}",
        "FrameLowering": "{\n  const MCPhysReg ArgGPRs[] = {New::X10};\n  use(ArgGPRs);\n}",
    }
    found = needed_constants(code, "New", ["Near", "Far"], _lookup(decls), translate, defined)
    assert found == {"ISelLowering": ["const MCPhysReg ArgGPRs[] = {New::X10, New::X11};",
                                      "const unsigned NumArgGPRs = std::size(ArgGPRs);"]}
    # code written by Far reads Far's table, not the nearer Near's of the same name
    far = needed_constants({"ISelLowering": code["ISelLowering"]}, "New", ["Near", "Far"], _lookup(decls),
                           lambda d: translate(d).replace("New::A0", "New::X10"), defined,
                           lambda file, name: ["Far"] if name == "ArgGPRs" else [])
    assert far == {"ISelLowering": ["const MCPhysReg ArgGPRs[] = {New::X10};",
                                    "const unsigned NumArgGPRs = std::size(ArgGPRs);"]}


def _argument_registers():
    """LoongArch's and RISC-V's argument registers as ``describe`` records them: the same ABI names a0 .. a7."""
    from vega_llvm.describe.properties import PropertyTable

    def table(target: str, regs: list[tuple[str, str, str]]) -> PropertyTable:
        registers = [{"name": n, "asm": asm, "alt_names": [abi], "size": 32} for n, asm, abi in regs]
        return PropertyTable(target, target, values={"register": [r["name"] for r in registers]},
                             details={"instructions": [], "register_classes": [], "operands": [],
                                      "registers": registers})

    return (table("LoongArch", [(f"R{4 + i}", f"r{4 + i}", f"a{i}") for i in range(8)]),
            table("RISCV", [(f"X{10 + i}", f"x{10 + i}", f"a{i}") for i in range(8)]))


@pytest.mark.llvm
def test_loongarchs_argument_registers_become_riscvs() -> None:
    from vega_llvm.emit.sources import Donor, DonorCode
    from vega_llvm.paths import llvm_dir

    loongarch, riscv = _argument_registers()
    root = str(llvm_dir() / "lib" / "Target")
    decl = training_constants(root, "LoongArch")["ArgGPRs"][0]
    assert decl.path == "LoongArch/LoongArchISelLowering.cpp"
    text = DonorCode(Donor("LoongArch", 1.0, ["LoongArch"], loongarch), "RISCV", riscv).code(decl.text)
    assert " ".join(text.split()) == ("const MCPhysReg ArgGPRs[] = {RISCV::X10, RISCV::X11, RISCV::X12, RISCV::X13, "
                                      "RISCV::X14, RISCV::X15, RISCV::X16, RISCV::X17};")


@pytest.mark.llvm
def test_a_pruned_candidate_gives_way_to_its_whole_twin_once_its_constants_are_carried(tmp_path) -> None:
    """RISC-V's scratch ``CC_RISCV`` was LoongArch's calling convention pruned of every statement naming
    ``ArgGPRs`` (declared nowhere generation can see): with no register to give, every value went to the stack and
    277 CodeGen tests stopped in ``LowerReturn``. The backend now declares the donor's ``ArgGPRs``, so the tree
    charges the pruned candidate before any build with the whole one, and the ladder's first step moves to it;
    nothing is charged where the whole candidate names something no donor declares."""
    from vega_llvm.bootstrap.repair import SCRATCH, RepairState, repair_round
    from vega_llvm.bootstrap.trees import ScratchTree
    from vega_llvm.emit.functions import Candidate, EmitFunction
    from vega_llvm.emit.sources import Donor

    loongarch, riscv = _argument_registers()
    sig = "static bool CC_RISCV(unsigned ValNo, MVT ValVT, CCState &State)"
    pruned = "{\n  Register Reg;\n  if (Reg)\n    return false;\n  return true;\n}"
    whole = "{\n  Register Reg;\n  Reg = State.AllocateReg(ArgGPRs);\n  if (Reg)\n    return false;\n  return true;\n}"
    alien = "{\n  Register Reg = State.AllocateReg(NoDonorDeclaresThis);\n  return !Reg;\n}"

    def fn(key: str, alternative: str) -> EmitFunction:
        return EmitFunction(key, "ISelLowering", "ISL", sig, pruned, 0.0, "model",
                            alternatives=[Candidate(f"{sig}\n{alternative}", "member:LoongArch", 0.0)],
                            origin="member:LoongArch-pruned")

    tree = ScratchTree(riscv, tmp_path / "RISCV.td", tmp_path, [fn("CC_<T>", whole), fn("CC_<T>Other", alien)])
    tree.donors = [Donor("LoongArch", 1.0, ["LoongArch"], loongarch)]
    charged = tree.declared_twins()
    assert [(c.key, c.candidate) for c in charged] == [("CC_<T>", 1)] and "ArgGPRs" in charged[0].error
    state = RepairState()
    reps = repair_round(SCRATCH, charged, tree.functions(), state, 0)
    assert reps["CC_<T>"].step == "next_candidate" and "AllocateReg(ArgGPRs)" in reps["CC_<T>"].fn.body
    assert state.candidate == {"CC_<T>": 1}
    # and once in place, the backend declares the constant it reads
    found = tree._constants({"ISelLowering": reps["CC_<T>"].fn.body}, set())
    assert [" ".join(t.split()) for t in found["ISelLowering"]] == [
        "const MCPhysReg ArgGPRs[] = {RISCV::X10, RISCV::X11, RISCV::X12, RISCV::X13, RISCV::X14, RISCV::X15, "
        "RISCV::X16, RISCV::X17};"]
