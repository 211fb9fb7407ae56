"""emit/coherence.py: a Custom operation the lowering has no case for is expanded instead."""

from __future__ import annotations

from vega_llvm.emit.coherence import creators_registered, custom_lowering_agrees, handled_operations, registry_kinds
from vega_llvm.emit.functions import EmitFunction
from vega_llvm.llvm.toolchain import find_toolchain


def _fn(key: str, body: str) -> EmitFunction:
    return EmitFunction(key, "ISelLowering", "SEL", "", body, 0.0, "model")


CTOR = _fn("<T>TargetLowering::<T>TargetLowering", """{
  setOperationAction(ISD::GlobalAddress, MVT::i32, Custom);
  setOperationAction(ISD::BR_CC, MVT::i32, Custom);  // vega: confidence 0.40
  setOperationAction(ISD::ADD, MVT::i64, Custom);
  setOperationAction(ISD::SDIV, MVT::i32, Expand);
  // vega: removed, did not compile for this target: setOperationAction(ISD::VASTART, MVT::Other, Custom);
}""")
LOWER = _fn("<T>TargetLowering::LowerOperation", """{
  switch (Op.getOpcode()) {
  case ISD::GlobalAddress: return LowerGlobalAddress(Op, DAG);
  default: llvm_unreachable("unimplemented operand");
  }
}""")
REPLACE = _fn("<T>TargetLowering::ReplaceNodeResults", "{ switch (N->getOpcode()) { case ISD::ADD: return; } }")


def test_a_custom_operation_no_dispatcher_handles_is_expanded() -> None:
    assert handled_operations({f.key: f for f in (LOWER, REPLACE)}) == {"GlobalAddress", "ADD"}
    fns, changed = custom_lowering_agrees([CTOR, LOWER, REPLACE])
    assert changed == ["BR_CC"]
    body = fns[0].body.split("\n")
    assert body[1] == "  setOperationAction(ISD::GlobalAddress, MVT::i32, Custom);"
    assert body[2] == ("  setOperationAction(ISD::BR_CC, MVT::i32, Expand); // vega: Custom, but LowerOperation has no "
                       "case for it  // vega: confidence 0.40")
    assert body[3] == "  setOperationAction(ISD::ADD, MVT::i64, Custom);"  # ReplaceNodeResults has it
    assert fns[1:] == [LOWER, REPLACE]


def test_an_operation_expanded_into_its_expanded_twin_is_made_legal_where_the_td_selects_it() -> None:
    """Lanai's constructor lowers ``BR_CC`` itself and expands ``BRCOND``; with no ``BR_CC`` case in XCore's
    ``LowerOperation`` both became ``Expand``, and LLVM expands each into the other: 6 of XCore's lit tests and a
    smoke program ran out of time in the legalizer. XCore's ``.td`` selects ``brcond``: that one is made ``Legal``.
    Where the patterns select neither, or one of the pair is not expanded, nothing changes."""
    ctor = _fn("<T>TargetLowering::<T>TargetLowering", """{
  setOperationAction(ISD::BR_CC, MVT::i32, Custom);
  setOperationAction(ISD::BRCOND, MVT::Other, Expand);
  setOperationAction(ISD::SELECT, MVT::i32, Expand);
  setOperationAction(ISD::SELECT_CC, MVT::i32, Custom);
}""")
    fns, changed = custom_lowering_agrees([ctor, LOWER], {"BRCOND", "SETCC"})
    body = fns[0].body.split("\n")
    assert body[1].startswith("  setOperationAction(ISD::BR_CC, MVT::i32, Expand);")
    assert body[2] == ("  setOperationAction(ISD::BRCOND, MVT::Other, Legal); // vega: Expand, but ISD::BR_CC is expanded "
                       "into it; the .td selects it")
    assert body[3] == "  setOperationAction(ISD::SELECT, MVT::i32, Expand);"  # the .td selects neither of the pair
    assert changed == ["BR_CC", "SELECT_CC", "BRCOND"]
    # the patterns select neither of the branches: which should stay cannot be told
    fns, changed = custom_lowering_agrees([ctor, LOWER], {"SETCC"})
    assert "BRCOND, MVT::Other, Expand);" in fns[0].body and changed == ["BR_CC", "SELECT_CC"]


def test_nothing_changes_where_nothing_can_be_said() -> None:
    # no LowerOperation, or one that dispatches some other way
    assert custom_lowering_agrees([CTOR]) == ([CTOR], [])
    other = _fn("<T>TargetLowering::LowerOperation", "{ return lowerTable[Op.getOpcode()](Op, DAG); }")
    assert custom_lowering_agrees([CTOR, other]) == ([CTOR, other], [])


def _mc(key: str, signature: str, body: str) -> EmitFunction:
    return EmitFunction(key, "MCTargetDesc", "EMI", signature, body, 0.0, "model")


INIT = _mc("LLVMInitialize<T>TargetMC", "LLVM_EXTERNAL_VISIBILITY void LLVMInitializeXCoreTargetMC()", """{
  // vega: removed, did not compile for this target: RegisterMCAsmInfo<XCoreMCAsmInfo> X(getTheXCoreTarget());
  TargetRegistry::RegisterMCInstrInfo(getTheXCoreTarget(), createXCoreMCInstrInfo);
  TargetRegistry::RegisterMCRegInfo(getTheXCoreTarget(),
                                    createXCoreMCRegisterInfo);
}""")
ASM_INFO = _mc("create<T>MCAsmInfo", "static MCAsmInfo * createXCoreMCAsmInfo ( const MCRegisterInfo & MRI , "
               "const Triple & TT , const MCTargetOptions & Options )", "{ return new XCoreMCAsmInfo(TT); }")


def test_llvms_registry_tells_which_call_registers_a_creator() -> None:
    kinds = registry_kinds(find_toolchain().includedir)
    assert kinds["MCAsmInfo"] == ("RegisterMCAsmInfo", 3)
    assert kinds["MCInstPrinter"] == ("RegisterMCInstPrinter", 5)
    assert "MCStreamer" not in kinds  # ELF, COFF, MachO, ... streamers: the type does not tell the kind


def test_a_creator_nothing_registers_is_registered_by_its_files_initializer() -> None:
    include = find_toolchain().includedir
    fns, added = creators_registered([INIT, ASM_INFO], include)
    assert added == ["createXCoreMCAsmInfo"]
    body = fns[0].body.split("\n")
    assert body[-2] == ("  TargetRegistry::RegisterMCAsmInfo(getTheXCoreTarget(), createXCoreMCAsmInfo);  "
                        "// vega: createXCoreMCAsmInfo was registered nowhere")
    assert body[-1] == "}" and body[:-2] == INIT.body.split("\n")[:-1]
    assert fns[1] == ASM_INFO
    # registered already (a live template registration, or the creator passed elsewhere): nothing is added
    live = _mc(INIT.key, INIT.signature, INIT.body.replace("// vega: removed, did not compile for this target: ", ""))
    assert creators_registered([live, ASM_INFO], include) == ([live, ASM_INFO], [])
    named = _mc(INIT.key, INIT.signature, INIT.body.replace("createXCoreMCInstrInfo", "createXCoreMCAsmInfo"))
    assert creators_registered([named, ASM_INFO], include)[1] == []
    # a loop over targets: no target object to name at the body's end
    loop = _mc(INIT.key, INIT.signature, "{ for (Target *T : {&getTheA(), &getTheB()}) "
               "TargetRegistry::RegisterMCInstrInfo(*T, createXCoreMCInstrInfo); }")
    assert creators_registered([loop, ASM_INFO], include)[1] == []
    # not the kind's parameter count: not a creator of that kind
    odd = _mc(ASM_INFO.key, "static MCAsmInfo *createXCoreMCAsmInfo(const Triple &TT)", ASM_INFO.body)
    assert creators_registered([INIT, odd], include)[1] == []


def test_get_target_node_name_names_every_node_of_the_enumeration() -> None:
    from vega_llvm.emit.coherence import node_names_agree

    sig = "const char * XCoreTargetLowering::getTargetNodeName(unsigned Opcode) const"
    model = EmitFunction("<T>TargetLowering::getTargetNodeName", "ISelLowering", "SEL", sig,
                         '{\n  switch ( Opcode ) {\n    case XCoreISD :: BL :\n      return "XCoreISD::BL" ;\n'
                         '    case XCoreISD :: BR_JT :\n      return "XCoreISD::DeclareParam" ;\n  }\n  return nullptr ;\n}',
                         0.0, "model")
    fns, wrong = node_names_agree([CTOR, model], ["BL", "BR_JT", "LA = ISD::FIRST_TARGET_MEMORY_OPCODE"], "XCore")
    assert wrong == 2  # BR_JT misnamed, LA missing
    body = fns[1].body
    assert 'case XCoreISD::BR_JT        : return "XCoreISD::BR_JT";' in body
    assert 'case XCoreISD::LA           : return "XCoreISD::LA";' in body
    assert fns[1].signature == sig and fns[0] == CTOR
    # one that names every node is kept; so is one that dispatches otherwise
    assert node_names_agree(fns, ["BL", "BR_JT", "LA"], "XCore") == (fns, 0)
    other = EmitFunction(model.key, "ISelLowering", "SEL", sig, "{\n  return Names[Opcode];\n}", 0.0, "model")
    assert node_names_agree([other], ["BL"], "XCore") == ([other], 0)
    # the head's own name of the parameter is the one switched on
    opc = EmitFunction(model.key, "ISelLowering", "SEL", sig.replace("Opcode", "Opc"), model.body, 0.0, "model")
    assert "switch ((XCoreISD::NodeType)Opc) {" in node_names_agree([opc], ["BL", "BR_JT"], "XCore")[0][0].body


def test_a_custom_operation_the_td_selects_is_made_legal_not_expanded() -> None:
    """Expanding an operation the target's own patterns select can loop the legalizer (XCore: SETCC and SELECT_CC
    expanded into each other until lit's timeout)."""
    fns, changed = custom_lowering_agrees([CTOR, LOWER, REPLACE], selected={"BR_CC", "ADD"})
    assert changed == ["BR_CC"]
    assert fns[0].body.split("\n")[2] == (
        "  setOperationAction(ISD::BR_CC, MVT::i32, Legal); // vega: Custom, but LowerOperation has no case for it;"
        " the .td selects it  // vega: confidence 0.40")
    fns, _ = custom_lowering_agrees([CTOR, LOWER, REPLACE], selected={"ADD"})
    assert ", Expand);" in fns[0].body.split("\n")[2]


def test_the_operations_a_real_td_selects(llvm_src) -> None:
    """XCore's patterns: ``setcc`` through the ``seteq`` fragment, ``select`` of its SELECT_CC pseudo, loads and
    stores through ``ComplexPattern`` and fragments; no ``select_cc`` (XCore expands it) and no target node."""
    from vega_llvm.emit.selectable import td_selected_operations

    ops = td_selected_operations(llvm_src / "lib" / "Target" / "XCore" / "XCore.td")
    assert ops is not None
    assert {"SETCC", "SELECT", "LOAD", "STORE", "ADD", "BRCOND", "FrameIndex"} <= ops
    assert "SELECT_CC" not in ops and not any("XCoreISD" in o for o in ops)
    assert td_selected_operations(llvm_src / "lib" / "Target" / "XCore" / "Missing.td") is None
