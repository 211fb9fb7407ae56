"""emit/coherence.py: a Custom operation the lowering has no case for is expanded instead."""

from __future__ import annotations

from vega_llvm.emit.coherence import custom_lowering_agrees, handled_operations
from vega_llvm.emit.functions import EmitFunction


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


def test_nothing_changes_where_nothing_can_be_said() -> None:
    # no LowerOperation, or one that dispatches some other way
    assert custom_lowering_agrees([CTOR]) == ([CTOR], [])
    other = _fn("<T>TargetLowering::LowerOperation", "{ return lowerTable[Op.getOpcode()](Op, DAG); }")
    assert custom_lowering_agrees([CTOR, other]) == ([CTOR, other], [])
