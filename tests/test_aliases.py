"""evaluate/aliases.py: a candidate's own parameter names, under the real head, as references to the real ones."""

from __future__ import annotations

from vega_llvm.evaluate.aliases import aliases, head_of, judged_body
from vega_llvm.evaluate.metrics import extract_body

REAL = ("void RISCVInstrInfo::storeRegToStackSlot(MachineBasicBlock &MBB, MachineBasicBlock::iterator I, "
        "Register SrcReg, bool IsKill, int FI, const TargetRegisterClass *RC, const TargetRegisterInfo *TRI, "
        "Register VReg) const")


def test_the_header_names_a_candidate_uses_become_references_to_the_real_parameters() -> None:
    # as RISC-V's header declares it (MBBI, FrameIndex), where its .cpp says I and FI
    head = ("void RISCVInstrInfo::storeRegToStackSlot(MachineBasicBlock &MBB, MachineBasicBlock::iterator MBBI, "
            "Register SrcReg, bool IsKill, int FrameIndex, const TargetRegisterClass *RC, "
            "const TargetRegisterInfo *TRI, Register VReg) const")
    body = "{\n  DebugLoc DL;\n  if (MBBI != MBB.end())\n    DL = MBBI->getDebugLoc();\n  use(FrameIndex, SrcReg);\n}"
    text = f"{head}\n{body}"
    assert extract_body(text) == body
    assert aliases(head, REAL, body) == [("MBBI", "I"), ("FrameIndex", "FI")]
    assert head_of(text, body) == head + "\n"
    judged = judged_body(head_of(text, body), body, REAL)
    assert judged == "{ auto &&MBBI = I; auto &&FrameIndex = FI;" + body[1:]
    assert judged.count("\n") == body.count("\n")


def test_nothing_is_added_where_it_cannot_or_need_not_be() -> None:
    body = "{\n  return A + B;\n}"
    # the same names: nothing to add
    assert judged_body("int f(int A, int B)", body, "int f(int A, int B)") == body
    # another arity is another overload: its body stays as written, and fails to compile where it should
    assert aliases("int f(int A, int B)", "int f(int A)", body) == []
    # a name the real head gives another parameter would shadow it: left alone (the body means that parameter)
    assert aliases("int f(int B, int A)", "int f(int A, int B)", body) == []
    # an unnamed real parameter cannot be referred to
    assert aliases("int f(int A, int B)", "int f(int, int B)", body) == []
    # a parameter the body never names needs no reference
    assert aliases("int f(int A, int Unused)", "int f(int A, int B)", body) == []
    # a bare body (no head of its own) or a text that is not one function is judged as it is
    assert head_of(body, body) == "" and judged_body("", body, "int f(int X, int Y)") == body
    whole = "int x; int f(int A, int B) " + body
    assert judged_body(head_of(whole, whole), whole, "int f(int X, int Y)") == whole
    # a copied body is judged with its donor's signature as its head
    from vega_llvm.evaluate.run import Candidate
    copied = Candidate(body, head="int f(int A, int B)")
    assert copied.judged("int f(int X, int Y)") == "{ auto &&A = X; auto &&B = Y;" + body[1:]
    assert Candidate(f"int f(int A, int B) {body}").judged("int f(int X, int Y)") == copied.judged("int f(int X, int Y)")
