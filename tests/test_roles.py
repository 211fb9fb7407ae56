"""generate/roles.py: a donor's instructions and registers become the new target's of the same role, through the
two descriptions.

The descriptions are small copies of what ``describe`` records for real targets (LoongArch's and RISC-V's stores and
loads, RISC-V's compressed store beside the plain one, as ``details.instructions`` spells them).
"""

from __future__ import annotations

from vega_llvm.describe.properties import PropertyTable
from vega_llvm.generate.adapt import member_candidates
from vega_llvm.generate.roles import RecordRoles, operand_kinds, role
from vega_llvm.templates.schema import Member, Placeholder, Statement, Template


def _instr(name: str, mnemonic: str, outs: list[str], ins: list[str], flags: list[str], size: int = 4) -> dict:
    return {"name": name, "mnemonic": mnemonic, "outs": outs, "ins": ins, "flags": flags, "size": size}


def _table(target: str, instrs: list[dict], classes: list[dict], operands: list[dict],
           registers: list[dict] | None = None) -> PropertyTable:
    return PropertyTable(target, target, values={"instruction": [i["name"] for i in instrs]},
                         details={"instructions": instrs, "register_classes": classes, "operands": operands,
                                  "registers": registers or []})


def _reg(name: str, asm: str, alt: list[str], size: int = 32) -> dict:
    return {"name": name, "asm": asm, "alt_names": alt, "size": size}


_GPR = {"name": "GPR", "size": 32, "types": ["XLenVT"]}
_FPR32 = {"name": "FPR32", "size": 32, "types": ["f32"]}
_FPR64 = {"name": "FPR64", "size": 64, "types": ["f64"]}
_SIMM12 = {"name": "simm12", "kind": "operand", "mi_operands": []}

LOONGARCH = _table("LoongArch", [
    _instr("ST_W", "st.w", [], ["GPR:rd", "GPR:rj", "simm12:imm12"], ["mayStore"]),
    _instr("ST_D", "st.d", [], ["GPR:rd", "GPR:rj", "simm12:imm12"], ["mayStore"]),
    _instr("FST_S", "fst.s", [], ["FPR32:fd", "GPR:rj", "simm12:imm12"], ["mayStore"]),
    _instr("FST_D", "fst.d", [], ["FPR64:fd", "GPR:rj", "simm12:imm12"], ["mayStore"]),
    _instr("LD_W", "ld.w", ["GPR:rd"], ["GPR:rj", "simm12:imm12"], ["mayLoad"]),
    _instr("JIRL", "jirl", ["GPR:rd"], ["GPR:rj", "simm12:imm16"], []),
    _instr("PseudoRET", "", [], [], ["isReturn", "isBarrier", "isTerminator", "isPseudo", "isCodeGenOnly"]),
], [_GPR, _FPR32, _FPR64], [_SIMM12],
    [_reg("R0", "r0", ["zero"]), _reg("R1", "r1", ["ra"]), _reg("R3", "r3", ["sp"]), _reg("R4", "r4", ["a0", "v0"]),
     _reg("R21", "r21", []), _reg("F0", "f0", ["fa0"]), _reg("F0_64", "f0", ["fa0"], 64)])

RISCV = _table("RISCV", [
    _instr("SW", "sw", [], ["GPR:rs2", "GPRMem:rs1", "simm12:imm12"], ["mayStore"]),
    _instr("SD", "sd", [], ["GPR:rs2", "GPRMem:rs1", "simm12:imm12"], ["mayStore"]),
    _instr("C_FSWSP", "c.fswsp", [], ["FPR32:rs2", "SPMem:rs1", "simm12:imm"], ["mayStore"], size=2),
    _instr("FSW", "fsw", [], ["FPR32:rs2", "GPRMem:rs1", "simm12:imm12"], ["mayStore"]),
    _instr("FSD", "fsd", [], ["FPR64:rs2", "GPRMem:rs1", "simm12:imm12"], ["mayStore"]),
    _instr("LD", "ld", ["GPR:rd"], ["GPRMem:rs1", "simm12:imm12"], ["mayLoad"]),
    _instr("LW", "lw", ["GPR:rd"], ["GPRMem:rs1", "simm12:imm12"], ["mayLoad"]),
    _instr("SRLI", "srli", ["GPR:rd"], ["GPR:rs1", "simm12:shamt"], []),
    _instr("PseudoRET", "", [], [], ["isReturn", "isBarrier", "isTerminator", "isPseudo", "isCodeGenOnly"]),
], [_GPR, _FPR32, _FPR64, {"name": "SP", "size": 32, "types": ["XLenVT"]}],
    [_SIMM12, {"name": "GPRMem", "kind": "register", "type": "GPR", "mi_operands": []},
     {"name": "SPMem", "kind": "register", "type": "SP", "mi_operands": []}],
    [_reg("X0", "x0", ["zero"]), _reg("X1", "x1", ["ra"]), _reg("X2", "x2", ["sp"]), _reg("X3", "x3", ["gp"]),
     _reg("X10", "x10", ["a0"]), _reg("F10_F", "f10", ["fa0"]), _reg("F10_D", "f10", ["fa0"], 64)])


def test_an_instructions_role_is_its_flags_and_operand_kinds() -> None:
    kinds = operand_kinds(RISCV)
    # a RegisterOperand is the register class it wraps; a float class keeps its size, an integer one does not
    assert kinds["GPRMem"] == kinds["GPR"] == ("R", "i", None)
    assert kinds["FPR32"] == ("R", "f", 32) != kinds["FPR64"]
    assert kinds["simm12"] == ("I",)
    sw, fsw = (next(i for i in RISCV.details["instructions"] if i["name"] == n) for n in ("SW", "FSW"))
    assert role(sw, kinds) == (frozenset({"mayStore"}), (), (("R", "i", None), ("R", "i", None), ("I",)))
    assert role(sw, kinds) != role(fsw, kinds)
    # flags about how code may be treated are no part of the role
    assert role({**sw, "flags": ["mayStore", "isCommutable"]}, kinds) == role(sw, kinds)


def test_a_donors_instruction_becomes_the_targets_of_the_same_role_and_likest_name() -> None:
    roles = RecordRoles(RISCV, {"LoongArch": LOONGARCH})
    assert roles.counterpart("LoongArch", "ST_W") == "SW"
    assert roles.counterpart("LoongArch", "ST_D") == "SD"
    assert roles.counterpart("LoongArch", "FST_D") == "FSD"  # the float class of the same size
    assert roles.counterpart("LoongArch", "FST_S") == "FSW"  # not the 2-byte compressed store alike in name
    assert roles.counterpart("LoongArch", "LD_W") == "LW"  # the width letter decides between ld and lw
    assert roles.counterpart("LoongArch", "JIRL") is None  # same operands, no likeness: no counterpart
    assert roles.counterpart("LoongArch", "PseudoRET") is None  # the target has its own of that name
    assert roles.counterpart("LoongArch", "NOSUCH") is None
    assert roles.counterpart("Unknown", "ST_W") is None


def test_two_donor_instructions_never_become_one_of_the_targets() -> None:
    """LoongArch's atomic pseudos all share one role; RISC-V has only ``PseudoAtomicLoadNand32`` of that role, and
    LoongArch has it too: ``PseudoAtomicSwap32`` is alike enough by name, but the target's pseudo stands better for
    LoongArch's own of the same name, so the swap has no counterpart (taken for it, a dispatch over both would read
    ``case X: ... case X:``, which does not compile)."""
    pseudo = ["isPseudo", "mayLoad", "mayStore"]
    donor = _table("LoongArch", [_instr(n, "", ["GPR:res"], ["GPR:addr", "GPR:incr"], pseudo)
                                 for n in ("PseudoAtomicSwap32", "PseudoAtomicLoadNand32")], [_GPR], [])
    target = _table("RISCV", [_instr("PseudoAtomicLoadNand32", "", ["GPR:res"], ["GPR:addr", "GPR:incr"], pseudo)],
                    [_GPR], [])
    roles = RecordRoles(target, {"LoongArch": donor})
    assert roles.counterpart("LoongArch", "PseudoAtomicSwap32") is None
    assert roles.counterpart("LoongArch", "PseudoAtomicLoadNand32") is None  # the target's own name already
    # ``and`` is as alike as can be to ``nand`` by name (to one decimal), but LoongArch has the target's ``nand``
    # itself, which is that one's counterpart
    donor.details["instructions"].append(_instr("PseudoAtomicLoadAnd32", "", ["GPR:res"], ["GPR:addr", "GPR:incr"],
                                                pseudo))
    assert RecordRoles(target, {"LoongArch": donor}).counterpart("LoongArch", "PseudoAtomicLoadAnd32") is None


def test_a_donors_register_becomes_the_targets_of_the_same_abi_name() -> None:
    roles = RecordRoles(RISCV, {"LoongArch": LOONGARCH})
    assert {n: roles.counterpart("LoongArch", n) for n in ("R0", "R1", "R3", "R4")} == {
        "R0": "X0", "R1": "X1", "R3": "X2", "R4": "X10"}
    assert roles.counterpart("LoongArch", "R21") is None  # a number says nothing of what it is for
    assert roles.counterpart("LoongArch", "F0") == "F10_F" and roles.counterpart("LoongArch", "F0_64") == "F10_D"
    assert roles.translate("LoongArch", "<T> :: R3") == "<T> :: X2"
    # a word for a name is a role too (XCore's SP, LR have no ABI names); a numbered one never is
    from vega_llvm.generate.roles import register_roles
    assert register_roles(_reg("SP", "sp", [])) == ["sp"] and register_roles(_reg("R3", "r3", [])) == []


def test_translate_touches_only_the_donors_instructions_in_the_targets_scope() -> None:
    roles = RecordRoles(RISCV, {"LoongArch": LOONGARCH})
    assert roles.translate("LoongArch", "<T> :: FST_D") == "<T> :: FSD"
    assert roles.translate("LoongArch", "Opcode = <T>::ST_W ;") == "Opcode = <T>::SW ;"
    assert roles.translate("LoongArch", "ST_W") == "SW"
    assert roles.translate("LoongArch", "ISD :: ST_W") == "ISD :: ST_W"  # another scope's name
    assert roles.translate("LoongArch", "<T> :: JIRL") == "<T> :: JIRL"  # no counterpart: left foreign


def _store_template() -> Template:
    """``void <T>X::store() { Opc = <SV0>; }``: the slot names an instruction."""
    stmts = [
        Statement(0, None, 0, "function_definition", ["void", "<T>X", "::", "store", "(", ")", "{"], ["}"],
                  "TARGET_INDEPENDENT"),
        Statement(1, 0, 1, "expression_statement", ["Opc", "=", "<SV0>", ";"], [], "TARGET_SPECIFIC",
                  [Placeholder("SV0", "identifier")]),
    ]
    ms = [Member("LoongArch", "LoongArch", "LoongArch/X.cpp:1", "LoongArch", [0, 1], {"SV0": "<T> :: FST_D"})]
    return Template("t", "<T>X.cpp", "<T>X::store", "ISel", ["LoongArch"], stmts, ms)


def test_a_translated_instruction_counts_in_the_vote_and_waits_for_no_model() -> None:
    tpl = _store_template()
    donor, target = {"FST_D", "ST_W"}, {"FSD", "SW"}
    plain = member_candidates(tpl, lambda sid: None, {"LoongArch": donor}, target, {"LoongArch": 1.0})
    assert plain[0].retranslate == {1} and plain[0].foreign == ["FST_D"]  # without roles: foreign, for the model
    roles = RecordRoles(RISCV, {"LoongArch": LOONGARCH})
    cands = member_candidates(tpl, lambda sid: None, {"LoongArch": donor}, target, {"LoongArch": 1.0},
                              roles=roles)
    assert cands[0].values["SV0"] == "<T> :: FSD" and not cands[0].retranslate and not cands[0].foreign


# ARC's constant moves and XCore's instructions of one register result and one immediate, as both descriptions
# give them (LLVM 16): XCore marks none ``isMoveImm``, and no name is alike ``mov``
_ARC = _table("ARC", [
    _instr("MOV_rs12", "mov", ["GPR32:B"], ["immS12:S12"], ["isMoveImm", "isReMaterializable", "isAsCheapAsAMove"]),
    _instr("MOV_rlimm", "mov", ["GPR32:B"], ["i32imm:LImm"], []),
], [{"name": "GPR32", "size": 32, "types": ["i32"]}],
    [{"name": "immS12", "kind": "operand", "mi_operands": []}, {"name": "i32imm", "kind": "operand", "mi_operands": []}])
_XCORE = _table("XCore", [
    _instr("ADD_2rus", "add", ["GRRegs:dst"], ["GRRegs:b", "i32imm:c"], [], size=2),
    _instr("LDC_ru6", "ldc", ["RRegs:a"], ["i32imm:b"], ["isReMaterializable"], size=2),
    _instr("LDWCP_lru6", "ldw", ["RRegs:a"], ["i32imm:b"], ["isReMaterializable", "mayLoad"]),
    _instr("MKMSK_rus", "mkmsk", ["GRRegs:dst"], ["i32imm:size"], ["isReMaterializable"], size=2),
], [{"name": "GRRegs", "size": 32, "types": ["i32"]}, {"name": "RRegs", "size": 32, "types": ["i32"]}],
    [{"name": "i32imm", "kind": "operand", "mi_operands": []}])


def test_a_donor_instruction_without_a_namesake_narrows_the_models_choice_to_its_role() -> None:
    """No XCore instruction is named like ``mov``, so ARC's ``MOV_rs12`` has no counterpart and its slot goes to the
    model; the model then chooses among XCore's instructions of one register result and one immediate that neither
    load nor store (``ldc``, ``mkmsk``), not among all it knows: ``ADD_2rus`` takes two operands, and a node made
    with one crashed every printed function of XCore's scratch backend."""
    roles = RecordRoles(_XCORE, {"ARC": _ARC})
    assert roles.counterpart("ARC", "MOV_rs12") is None
    fits = roles.same_role("ARC", "MOV_rs12")  # isMoveImm is a hint XCore does not give: left out of the match
    assert sorted(fits) == ["LDC_ru6", "MKMSK_rus"]
    assert sorted(roles.same_role("ARC", "MOV_rlimm")) == ["LDC_ru6", "MKMSK_rus"]
    assert roles.same_role("ARC", "NOSUCH") == [] and roles.same_role("ARC", "LDC_ru6") == []

    stmts = [
        Statement(0, None, 0, "function_definition", ["void", "<T>X", "::", "select", "(", ")", "{"], ["}"],
                  "TARGET_INDEPENDENT"),
        Statement(1, 0, 1, "expression_statement", ["Opc", "=", "<T>", "::", "<SV0>", ";"], [], "TARGET_SPECIFIC",
                  [Placeholder("SV0", "identifier")]),
    ]
    tpl = Template("t", "<T>X.cpp", "<T>X::select", "ISel", ["ARC"], stmts,
                   [Member("ARC", "ARC", "ARC/X.cpp:1", "ARC", [0, 1], {"SV0": "MOV_rs12"})])
    cand = member_candidates(tpl, lambda sid: None, {"ARC": {"MOV_rs12", "MOV_rlimm"}}, {"ADD_2rus", "LDC_ru6"},
                             {"ARC": 1.0}, roles=roles)[0]
    assert cand.retranslate == {1} and cand.choices == {"SV0": fits}
    without = member_candidates(tpl, lambda sid: None, {"ARC": {"MOV_rs12"}}, {"ADD_2rus"}, {"ARC": 1.0})[0]
    assert without.retranslate == {1} and without.choices == {}
    # the donor's value scoped as the target's (``<T> :: MOV_rs12``): the choices keep the scope
    scoped = Template("s", "<T>X.cpp", "<T>X::select", "ISel", ["ARC"], stmts[:1] + [
        Statement(1, 0, 1, "expression_statement", ["Opc", "=", "<SV0>", ";"], [], "TARGET_SPECIFIC",
                  [Placeholder("SV0", "identifier")])], [Member("ARC", "ARC", "ARC/X.cpp:1", "ARC", [0, 1],
                                                            {"SV0": "<T> :: MOV_rs12"})])
    assert member_candidates(scoped, lambda sid: None, {"ARC": {"MOV_rs12"}}, {"LDC_ru6"}, {"ARC": 1.0},
                             roles=roles)[0].choices == {"SV0": [f"<T> :: {f}" for f in fits]}
    # after another scope than the target's the name is a node kind (``<T>ISD :: MOV_rs12``), not an instruction
    node = Template("n", "<T>X.cpp", "<T>X::select", "ISel", ["ARC"], stmts[:1] + [
        Statement(1, 0, 1, "expression_statement", ["Opc", "=", "<T>ISD", "::", "<SV0>", ";"], [], "TARGET_SPECIFIC",
                  [Placeholder("SV0", "identifier")])], [Member("ARC", "ARC", "ARC/X.cpp:1", "ARC", [0, 1],
                                                            {"SV0": "MOV_rs12"})])
    assert member_candidates(node, lambda sid: None, {"ARC": {"MOV_rs12"}}, {"LDC_ru6"}, {"ARC": 1.0},
                             roles=roles)[0].choices == {}

    # an instruction the candidate already names where it keeps its donor's value is not offered again: two of the
    # donor's instructions are two of the target's (a dispatch over both would have one case twice)
    both = Template("b", "<T>X.cpp", "<T>X::select", "ISel", ["ARC"], [*stmts, Statement(
        2, 0, 1, "expression_statement", ["Other", "=", "<T>", "::", "<SV1>", ";"], [], "TARGET_SPECIFIC",
        [Placeholder("SV1", "identifier")])], [Member("ARC", "ARC", "ARC/X.cpp:1", "ARC", [0, 1, 2],
                                                      {"SV0": "MOV_rs12", "SV1": "LDC_ru6"})])
    assert member_candidates(both, lambda sid: None, {"ARC": {"MOV_rs12"}}, {"LDC_ru6", "MKMSK_rus"}, {"ARC": 1.0},
                             roles=roles)[0].choices == {"SV0": ["MKMSK_rus"]}

    # generation decodes the narrowed slot as its own job, and the candidate's code takes that job's answer
    from vega_llvm.generate.generate import _narrowing, _written
    slots = [{"name": "SV0", "values": ["ADD_2rus", "LDC_ru6", "MKMSK_rus"]}]
    narrow = _narrowing(cand, slots)
    assert narrow and _narrowing(without, slots) == ""
    row_job = {("t", 1): ("row", "all"), ("t", 1, narrow): ("row", "narrowed")}
    decoded = {("row", "all"): ["ADD_2rus"], ("row", "narrowed"): [fits[0]]}
    code = _written(tpl, cand, {1: {"slots": slots}}, row_job, decoded, "XCore").code
    assert f"XCore :: {fits[0]}" in code and "ADD_2rus" not in code
    assert "ADD_2rus" in _written(tpl, without, {1: {"slots": slots}}, row_job, decoded, "XCore").code


def test_a_donors_feature_becomes_the_targets_of_the_same_mattr_string() -> None:
    """LoongArch's feature ``d`` is ``FeatureBasicD`` with attribute ``HasBasicD`` (getter ``hasBasicD``); RISC-V's
    is ``FeatureStdExtD`` / ``HasStdExtD`` / ``hasStdExtD`` (as both descriptions' ``details.features`` give them). A
    feature the target has no string for (``lsx``) has no counterpart; the target's own spellings are left alone."""
    def feat(name: str, string: str, attr: str) -> dict:
        return {"name": name, "string": string, "attribute": attr, "value": "true", "implies": []}

    donor = PropertyTable("LoongArch", "LoongArch", details={"features": [
        feat("FeatureBasicD", "d", "HasBasicD"), feat("Feature64Bit", "64bit", "HasLA64"),
        feat("FeatureExtLSX", "lsx", "HasExtLSX")]})
    target = PropertyTable("RISCV", "RISCV", details={"features": [
        feat("FeatureStdExtD", "d", "HasStdExtD"), feat("Feature64Bit", "64bit", "HasRV64")]})
    roles = RecordRoles(target, {"LoongArch": donor})
    assert [roles.counterpart("LoongArch", n) for n in ("FeatureBasicD", "HasBasicD", "hasBasicD", "hasLA64")] == [
        "FeatureStdExtD", "HasStdExtD", "hasStdExtD", "hasRV64"]
    assert roles.counterpart("LoongArch", "Feature64Bit") is None  # the same record name: the target's own
    assert roles.counterpart("LoongArch", "hasExtLSX") is None
    assert roles.translate("LoongArch", "Subtarget . hasBasicD ( )") == "Subtarget . hasStdExtD ( )"
    assert roles.translate("LoongArch", "<T> :: FeatureBasicD") == "<T> :: FeatureStdExtD"


def _decls(target: str, members: list[tuple[str, str, str]]) -> PropertyTable:
    """A description with only its headers' class members: (class, name, signature; "" for a field)."""
    decls = [{"name": f"{c}::{n}", "kind": "decl.method" if sig else "decl.field", "file": f"{c}.h",
              **({"signature": sig} if sig else {})} for c, n, sig in members]
    values = {k: [d["name"] for d in decls if d["kind"] == k] for k in ("decl.method", "decl.field")}
    return PropertyTable(target, target, values=values, details={"declarations": decls})


def test_a_donors_class_member_becomes_the_targets_of_the_same_shape_and_a_like_name() -> None:
    """LoongArch's and RISC-V's subtargets as their headers declare them (LLVM 16): ``GRLen``/``getGRLen()``/
    ``getGRLenVT()`` are ``XLen``/``getXLen()``/``getXLenVT()``. ``getFLen()`` has the shape and as like a name as
    ``getXLen()``; the field ``GRLen`` -> ``XLen`` decides. A member of the same shape that merely shares a beginning
    (``LowerBR_CC`` / ``LowerBR_JT``) or one word more (``lowerFABS`` / ``lowerABS``) is no counterpart; case alone
    is no difference (``LowerVASTART`` / ``lowerVASTART``)."""
    donor = _decls("LoongArch", [
        ("LoongArchSubtarget", "GRLen", ""), ("LoongArchSubtarget", "GRLenVT", ""),
        ("LoongArchSubtarget", "getGRLenVT", "MVT getGRLenVT() const"),
        ("LoongArchSubtarget", "getGRLen", "unsigned getGRLen() const"),
        ("LoongArchTargetLowering", "LowerBR_CC", "SDValue LowerBR_CC(SDValue Op, SelectionDAG &DAG) const;"),
        ("LoongArchTargetLowering", "lowerFABS", "SDValue lowerFABS(SDValue Op, SelectionDAG &DAG) const;"),
        ("LoongArchTargetLowering", "LowerVASTART", "SDValue LowerVASTART(SDValue Op, SelectionDAG &DAG) const;"),
    ])
    target = _decls("RISCV", [
        ("RISCVSubtarget", "XLen", ""), ("RISCVSubtarget", "XLenVT", ""),
        ("RISCVSubtarget", "getFLen", "unsigned getFLen() const"),  # declared first: order decides nothing
        ("RISCVSubtarget", "getXLenVT", "MVT getXLenVT() const"),
        ("RISCVSubtarget", "getXLen", "unsigned getXLen() const"),
        ("RISCVTargetLowering", "LowerBR_JT", "SDValue LowerBR_JT(SDValue Op, SelectionDAG &DAG) const;"),
        ("RISCVTargetLowering", "lowerABS", "SDValue lowerABS(SDValue Op, SelectionDAG &DAG) const;"),
        ("RISCVTargetLowering", "lowerVASTART", "SDValue lowerVASTART(SDValue Op, SelectionDAG &DAG) const;"),
    ])
    roles = RecordRoles(target, {"LoongArch": donor})
    got = {n: roles.counterpart("LoongArch", n) for n in
           ("GRLen", "GRLenVT", "getGRLen", "getGRLenVT", "LowerBR_CC", "lowerFABS", "LowerVASTART", "getXLen")}
    assert got == {"GRLen": "XLen", "GRLenVT": "XLenVT", "getGRLen": "getXLen", "getGRLenVT": "getXLenVT",
                   "LowerBR_CC": None, "lowerFABS": None, "LowerVASTART": "lowerVASTART", "getXLen": None}
    assert roles.translate("LoongArch", "Subtarget . getGRLen ( ) - 1") == "Subtarget . getXLen ( ) - 1"
    # a parameter or local of that name is the function's own (``CC_LoongArchAssign2GRLen(unsigned GRLen, ...)``,
    # its body translated alone); a member access of the name is still the member
    body = "unsigned GRLenInBytes = GRLen / 8 ; return STI . GRLen + this -> GRLen ;"
    assert roles.translate("LoongArch", body, {"GRLen", "GRLenInBytes"}) == \
        "unsigned GRLenInBytes = GRLen / 8 ; return STI . XLen + this -> XLen ;"
    assert roles.translate("LoongArch", body) == "unsigned GRLenInBytes = XLen / 8 ; return STI . XLen + this -> XLen ;"
    # another shape (a parameter more) is no counterpart
    other = _decls("RISCV", [("RISCVSubtarget", "getXLen", "unsigned getXLen(bool Is64) const")])
    assert RecordRoles(other, {"LoongArch": donor}).counterpart("LoongArch", "getGRLen") is None


def test_a_statement_only_the_donor_writes_is_translated_in_its_own_tokens() -> None:
    """A statement no other training target writes has no placeholder: its donor's names are in its fixed tokens
    (LoongArch's ``lowerShiftLeftParts``, ``Subtarget.getGRLen()``, which RISC-V failed to compile on); the
    written candidate translates them from its donor, under the target's scope spelled as well (``RISCV :: SD``)."""
    from vega_llvm.generate.generate import _written

    donor = _decls("LoongArch", [("LoongArchSubtarget", "getGRLen", "unsigned getGRLen() const")])
    donor.details.update(LOONGARCH.details)
    target = _decls("RISCV", [("RISCVSubtarget", "getXLen", "unsigned getXLen() const")])
    target.details.update(RISCV.details)
    roles = RecordRoles(target, {"LoongArch": donor})
    stmts = [
        Statement(0, None, 0, "function_definition", ["unsigned", "<T>TL", "::", "width", "(", ")", "{"], ["}"],
                  "TARGET_INDEPENDENT"),
        Statement(1, 0, 1, "expression_statement", ["f", "(", "<T>", "::", "ST_D", ")", ";"], [], "TARGET_SPECIFIC"),
        Statement(2, 0, 1, "return_statement", ["return", "Subtarget", ".", "getGRLen", "(", ")", ";"], [],
                  "TARGET_SPECIFIC"),
    ]
    tpl = Template("t", "<T>TL.cpp", "<T>TL::width", "ISel", ["LoongArch"], stmts,
                   [Member("LoongArch", "LoongArch", "LoongArch/TL.cpp:1", "LoongArch", [0, 1, 2], {})])
    cand = member_candidates(tpl, lambda sid: None, {"LoongArch": {"ST_D"}}, {"SD"}, {"LoongArch": 1.0},
                             roles=roles)[0]
    code = _written(tpl, cand, {}, {}, {}, "RISCV", roles).code
    assert "Subtarget . getXLen ( )" in code and "RISCV :: SD" in code
    assert "getGRLen" in _written(tpl, cand, {}, {}, {}, "RISCV").code  # without roles: as the donor wrote it


def _enums(target: str, enumerators: list[str]) -> PropertyTable:
    return PropertyTable(target, target, values={"decl.enumerator": enumerators})


def test_a_donors_enumerator_the_target_lacks_becomes_its_likest_named_one_of_the_same_scope() -> None:
    """LLVM 16's ``LoongArchABI`` and ``RISCVABI`` as their headers declare them: LoongArch's calling convention
    switches over ``ABI_ILP32S`` and ``ABI_LP64S``, which RISC-V calls ``ABI_ILP32`` and ``ABI_LP64``; the
    enumerators both have stay, in any spelling of the scope (``<T>ABI``, the donor's, the target's, under
    ``llvm ::``). An enumerator with no like enough name left (``ABI_Custom``), two donor names as like one
    target name (no evidence which), and names of the target's own scope (instructions) or of another scope are
    left alone."""
    donor = _enums("LoongArch", [f"LoongArchABI::ABI_{n}" for n in
                                 ("ILP32S", "ILP32F", "ILP32D", "LP64S", "LP64F", "LP64D", "Unknown", "Custom")]
                   + ["LoongArchMCExpr::VK_LoongArch_CALL", "LoongArchFoo::MO_HI_A", "LoongArchFoo::MO_HI_B"])
    target = _enums("RISCV", [f"RISCVABI::ABI_{n}" for n in
                              ("ILP32", "ILP32F", "ILP32D", "ILP32E", "LP64", "LP64F", "LP64D", "Unknown")]
                    + ["RISCVMCExpr::VK_RISCV_CALL", "RISCVFoo::MO_HI"])
    roles = RecordRoles(target, {"LoongArch": donor})
    code = ("case <T>ABI :: ABI_ILP32S : case LoongArchABI :: ABI_LP64S : case RISCVABI :: ABI_ILP32F : "
            "case llvm :: <T>ABI :: ABI_LP64S : case <T>ABI :: ABI_Custom : return <T>MCExpr :: VK_LoongArch_CALL ;")
    assert roles.translate("LoongArch", code) == (
        "case <T>ABI :: ABI_ILP32 : case LoongArchABI :: ABI_LP64 : case RISCVABI :: ABI_ILP32F : "
        "case llvm :: <T>ABI :: ABI_LP64 : case <T>ABI :: ABI_Custom : return <T>MCExpr :: VK_LoongArch_CALL ;")
    assert roles.enumerator("LoongArch", "<T>Foo", "MO_HI_A") is None  # MO_HI_B is as like MO_HI
    assert roles.translate("LoongArch", "Other :: ABI_ILP32S + <T> :: ABI_LP64S") == \
        "Other :: ABI_ILP32S + <T> :: ABI_LP64S"


def test_a_donors_register_prefix_becomes_the_one_the_targets_description_sets(tmp_path) -> None:
    """LoongArch's printer writes ``O << '$' << getRegisterName(Reg)`` because LoongArch.td's ``AsmParserVariant``
    sets ``RegisterPrefix = "$"``; RISC-V's sets none, and a printer taken from LoongArch wrote ``$a0``. The
    prefix before a register's name goes (or becomes the target's own); other ``'$'`` stay, and nothing changes
    where a description sets two prefixes (X86's variants) or says nothing of its files."""
    from vega_llvm.generate.roles import register_prefix

    def described(name: str, td_text: str, extra: str = "") -> PropertyTable:
        folder = tmp_path / name
        folder.mkdir()
        (folder / f"{name}.td").write_text(td_text)
        inputs = [{"path": str(folder / f"{name}.td")}]
        if extra:
            (folder / "Extra.td").write_text(extra)
            inputs.append({"path": str(folder / "Extra.td")})
        # LLVM's own Target.td declares the field's default; it is not the target's
        (tmp_path / "Target.td").write_text('class AsmParserVariant { string RegisterPrefix = ""; }')
        inputs.append({"path": str(tmp_path / "Target.td")})
        return PropertyTable(name, name, meta={"td": str(folder / f"{name}.td"), "inputs": inputs})

    loongarch = described("LoongArch", 'def LoongArchAsmParserVariant : AsmParserVariant {\n  string RegisterPrefix = "$";\n}')
    riscv = described("RISCV", "def RISCVAsmParser : AsmParser { let ShouldEmitMatchRegisterAltName = 1; }")
    ppc = described("PPC", 'def PPCAsmParserVariant : AsmParserVariant {\n  string RegisterPrefix = "%";\n}')
    x86 = described("X86", 'def ATT : AsmParserVariant { string RegisterPrefix = "%"; }',
                    'def Intel : AsmParserVariant { string RegisterPrefix = ""; }')
    assert [register_prefix(t) for t in (loongarch, riscv, ppc, x86)] == ["$", "", "%", None]
    assert register_prefix(PropertyTable("Foo", "Foo")) is None
    code = "O << '$' << getRegisterName ( Reg ) ; OS << \"$\" << StringRef ( getRegisterName ( Reg ) ) ; O << '$' << Imm ;"
    assert RecordRoles(riscv, {"LoongArch": loongarch}).translate("LoongArch", code) == \
        "O << getRegisterName ( Reg ) ; OS << StringRef ( getRegisterName ( Reg ) ) ; O << '$' << Imm ;"
    assert RecordRoles(ppc, {"LoongArch": loongarch}).translate("LoongArch", code).startswith(
        "O << '%' << getRegisterName ( Reg ) ; OS << \"%\" << StringRef")
    assert RecordRoles(x86, {"LoongArch": loongarch}).translate("LoongArch", code) == code
    assert RecordRoles(loongarch, {"RISCV": riscv}).translate("RISCV", "O << getRegisterName ( Reg ) ;") == \
        "O << getRegisterName ( Reg ) ;"  # the target's prefix is not added where the donor wrote none


def test_a_donors_processor_named_in_a_string_becomes_the_targets_likest_named_one() -> None:
    """LoongArch's MC layer defaults to ``"generic-la32"`` / ``"generic-la64"`` (LLVM 16's processor names), which
    RISC-V calls ``generic-rv32`` / ``generic-rv64``; ``la464`` has no like name, a processor both have stays, and a
    string that names no processor of the donor's is left alone."""
    donor = PropertyTable("LoongArch", "LoongArch", values={"processor": ["generic", "generic-la32", "generic-la64", "la464"]})
    target = PropertyTable("RISCV", "RISCV", values={
        "processor": ["generic", "generic-rv32", "generic-rv64", "rocket", "sifive-e20"]})
    roles = RecordRoles(target, {"LoongArch": donor})
    code = 'CPU = TT . isArch64Bit ( ) ? "la464" : "generic-la32" ; if ( CPU == "generic" ) CPU = "generic-la64" ; S = "x" ;'
    assert roles.translate("LoongArch", code) == \
        'CPU = TT . isArch64Bit ( ) ? "la464" : "generic-rv32" ; if ( CPU == "generic" ) CPU = "generic-rv64" ; S = "x" ;'


def test_a_donors_processor_with_no_like_name_is_the_targets_of_its_features() -> None:
    """LoongArch's 64-bit default ``la464`` (``Feature64Bit`` and extensions RISC-V lacks, no scheduling model) is
    RISC-V's ``generic-rv64``, the one processor with the same features as far as RISC-V has them and, like it, no
    scheduling model (``rocket-rv64`` has one); where two would do, or none, the string stays."""
    def proc(name: str, features: list[str], sched: str = "NoSchedModel") -> dict:
        return {"name": name, "features": features, "sched_model": sched}

    def feat(record: str, string: str) -> dict:
        return {"name": record, "string": string}

    donor = PropertyTable("LoongArch", "LoongArch", values={"processor": ["generic-la32", "la464", "la-twin"]}, details={
        "processors": [proc("generic-la32", ["Feature32Bit"]), proc("la464", ["Feature64Bit", "FeatureExtLASX"]),
                       proc("la-twin", ["Feature32Bit", "FeatureBasicD"])],
        "features": [feat("Feature32Bit", "32bit"), feat("Feature64Bit", "64bit"), feat("FeatureExtLASX", "lasx"),
                     feat("FeatureBasicD", "d")]})
    target = PropertyTable("RISCV", "RISCV", values={"processor": ["generic-rv32", "generic-rv64", "rocket-rv64",
                                                                   "rv32d-a", "rv32d-b"]}, details={
        "processors": [proc("generic-rv32", ["Feature32Bit"]), proc("generic-rv64", ["Feature64Bit"]),
                       proc("rocket-rv64", ["Feature64Bit"], "RocketModel"),
                       proc("rv32d-a", ["Feature32Bit", "FeatureStdExtD"]), proc("rv32d-b", ["Feature32Bit", "FeatureStdExtD"])],
        "features": [feat("Feature32Bit", "32bit"), feat("Feature64Bit", "64bit"), feat("FeatureStdExtD", "d")]})
    roles = RecordRoles(target, {"LoongArch": donor})
    assert roles.processor("LoongArch", "la464") == "generic-rv64"
    assert roles.processor("LoongArch", "generic-la32") == "generic-rv32"  # by its name, as before
    assert roles.processor("LoongArch", "la-twin") is None  # rv32d-a and rv32d-b: no evidence which
    assert roles.translate("LoongArch", 'CPU = TT . isArch64Bit ( ) ? "la464" : "generic-la32" ;') == \
        'CPU = TT . isArch64Bit ( ) ? "generic-rv64" : "generic-rv32" ;'


def test_a_donors_register_name_index_is_the_targets_only_one() -> None:
    """LoongArch's ``getRegisterName(Reg)`` calls ``getRegisterName(Reg, LoongArch::RegAliasName)``; RISC-V's one
    alternative-name index is ``ABIRegAltName``. Nothing where either has more than one (AArch64's ``vreg`` and
    ``vlist1``: which?) or the name is the target's own."""
    donor = PropertyTable("LoongArch", "LoongArch", values={"reg_alt_name_index": ["RegAliasName"]})
    target = PropertyTable("RISCV", "RISCV", values={"reg_alt_name_index": ["ABIRegAltName"]})
    roles = RecordRoles(target, {"LoongArch": donor, "AArch64": PropertyTable(
        "AArch64", "AArch64", values={"reg_alt_name_index": ["vlist1", "vreg"]})})
    assert roles.translate("LoongArch", "return getRegisterName ( Reg , <T> :: RegAliasName ) ;") == \
        "return getRegisterName ( Reg , <T> :: ABIRegAltName ) ;"
    assert roles.alt_name_index("AArch64", "vreg") is None
    assert roles.alt_name_index("LoongArch", "ABIRegAltName") is None


def test_a_donors_zero_enumerator_of_a_scope_the_target_lacks_becomes_zero() -> None:
    """Lanai's call lowering writes its callee as a target symbol with ``LanaiII::MO_NO_FLAG``, the first (zero)
    enumerator of ``LanaiII::TOF`` (LLVM 16's ``LanaiBaseInfo.h``); XCore's headers declare no ``XCoreII`` at all,
    so for XCore the flag is 0, in any spelling of the scope. A non-zero enumerator stays, so do a zero one of a
    scope not spelled after the donor (``LPCC``), one named inside another scope, one of a scope the target
    declares (its own enumerators mean something else), and everything where the target's headers were not read."""
    def declared(target: str, rows: list[tuple[str, str, str]]) -> PropertyTable:
        decls = [{"name": n, "kind": k, "file": f"{target}BaseInfo.h", **({"signature": sig} if sig else {})}
                 for n, k, sig in rows]
        values: dict[str, list[str]] = {}
        for d in decls:
            values.setdefault(d["kind"], []).append(d["name"])
        return PropertyTable(target, target, values=values, details={"declarations": decls})

    lanai = declared("Lanai", [
        ("LanaiII::TOF", "decl.enum", ""), ("LanaiII::MO_NO_FLAG", "decl.enumerator", ""),
        ("LanaiII::MO_ABS_HI", "decl.enumerator", ""), ("LPCC::CondCode", "decl.enum", ""),
        ("LPCC::ICC_T", "decl.enumerator", "= 0"), ("LPCC::ICC_F", "decl.enumerator", "= 1")])
    xcore = declared("XCore", [("XCoreISD::NodeType", "decl.enum", ""), ("XCoreISD::PCRelativeWrapper",
                                                                         "decl.enumerator", "")])
    roles = RecordRoles(xcore, {"Lanai": lanai})
    code = ("uint8_t OpFlag = LanaiII :: MO_NO_FLAG ; f ( <T>II :: MO_NO_FLAG , XCoreII::MO_NO_FLAG ) ; "
            "g ( <T>II :: MO_ABS_HI , LPCC :: ICC_T , Other :: LanaiII :: MO_NO_FLAG ) ;")
    assert roles.translate("Lanai", code) == (
        "uint8_t OpFlag = 0 ; f ( 0 , 0 ) ; g ( <T>II :: MO_ABS_HI , LPCC :: ICC_T , Other :: LanaiII :: MO_NO_FLAG ) ;")
    with_cc = declared("XCore", [("XCoreII::Other", "decl.enumerator", "= 3")])
    assert RecordRoles(with_cc, {"Lanai": lanai}).translate("Lanai", "f ( <T>II :: MO_NO_FLAG ) ;") == \
        "f ( <T>II :: MO_NO_FLAG ) ;"
    undescribed = PropertyTable("XCore", "XCore")
    assert RecordRoles(undescribed, {"Lanai": lanai}).translate("Lanai", "f ( <T>II :: MO_NO_FLAG ) ;") == \
        "f ( <T>II :: MO_NO_FLAG ) ;"


def test_a_parsers_check_for_the_donors_register_prefix_becomes_the_targets() -> None:
    """LoongArch's ``parseRegister`` (LLVM 16) returns "no match" unless the token is ``$`` and then eats it; RISC-V
    registers have no prefix, so both statements go (a register operand is then parsed at all); a target whose
    prefix is ``%`` checks for ``AsmToken::Percent``. Checks of other tokens, and everything where the donor's
    prefix is not one the lexer has a token for, stay."""
    from vega_llvm.generate.roles import own_prefix_check

    loongarch = ("  if (getLexer().getTok().isNot(AsmToken::Dollar))\n    return MatchOperand_NoMatch;\n\n"
                 "  // Eat the $ prefix.\n  getLexer().Lex();\n"
                 "  if (getLexer().getKind() != AsmToken::Identifier)\n    return MatchOperand_NoMatch;\n")
    rest = "  if (getLexer().getKind() != AsmToken::Identifier)\n    return MatchOperand_NoMatch;\n"
    assert own_prefix_check(loongarch, "$", "").strip() == rest.strip()
    assert own_prefix_check(loongarch, "$", "%") == loongarch.replace("Dollar", "Percent")
    spaced = ("if ( Tok . getKind ( ) != AsmToken :: Dollar ) { return true ; }\n Parser . Lex ( ) ;\n"
              "StringRef Name = Tok . getIdentifier ( ) ;")
    assert own_prefix_check(spaced, "$", "").strip() == "StringRef Name = Tok . getIdentifier ( ) ;"
    assert own_prefix_check(rest, "$", "") == rest
    assert own_prefix_check(loongarch, "<", "") == loongarch


def test_a_registers_size_is_its_classes_not_its_records() -> None:
    """``describe`` records RISC-V's 64-bit ``F10_D`` with the 32 bits of its ``F10_F`` (the record's size is its
    sub-register's), so LoongArch's ``F0`` and ``F0_64`` both became ``F10_D`` and its ``ArgFPR32s`` table passed
    floats in double registers. The fewest-membered class that holds a register gives its size (``AnyReg`` holds
    every register at one size)."""
    from vega_llvm.generate.roles import register_sizes

    regs = [_reg("F10_F", "f10", ["fa0"]), _reg("F10_D", "f10", ["fa0"]), _reg("X10", "x10", ["a0"])]
    classes = [{"name": "AnyReg", "size": 32, "types": [], "members": ["F10_F", "F10_D", "X10", "X11"]},
               {"name": "FPR32", "size": 32, "types": ["f32"], "members": ["F10_F"]},
               {"name": "FPR64", "size": 64, "types": ["f64"], "members": ["F10_D"]}]
    target = PropertyTable("RISCV", "RISCV", values={}, details={"instructions": [], "register_classes": classes,
                                                                 "operands": [], "registers": regs})
    assert register_sizes(target) == {"F10_F": 32, "F10_D": 64, "X10": 32, "X11": 32}
    donor = PropertyTable("LoongArch", "LoongArch", values={}, details={
        "instructions": [], "operands": [], "registers": [_reg("F0", "f0", ["fa0"]), _reg("F0_64", "f0", ["fa0"])],
        "register_classes": [{"name": "FPR32", "size": 32, "types": ["f32"], "members": ["F0"]},
                             {"name": "FPR64", "size": 64, "types": ["f64"], "members": ["F0_64"]}]})
    roles = RecordRoles(target, {"LoongArch": donor})
    assert roles.counterpart("LoongArch", "F0") == "F10_F" and roles.counterpart("LoongArch", "F0_64") == "F10_D"
