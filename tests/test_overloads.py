"""A group's further overloads get rows of their own (generate/overloads.py), and a scratch backend keys them apart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from vega_llvm.emit.functions import load_results
from vega_llvm.generate.overloads import donor_of, further_overloads, overload_key, wanted_overloads

# LoongArch's four file-local getTargetNode (LLVM 16), in the new target's spelling, and one body for each
BODY = "\n{\n  return DAG.getTarget{}(N, Ty, 0, Flags);\n}"
HEADS = {
    "GlobalAddress": "static SDValue getTargetNode(GlobalAddressSDNode *N, SDLoc DL, EVT Ty, SelectionDAG &DAG, unsigned Flags)",
    "BlockAddress": "static SDValue getTargetNode(BlockAddressSDNode *N, SDLoc DL, EVT Ty, SelectionDAG &DAG, unsigned Flags)",
    "ConstantPool": "static SDValue getTargetNode(ConstantPoolSDNode *N, SDLoc DL, EVT Ty, SelectionDAG &DAG, unsigned Flags)",
    "JumpTable": "static SDValue getTargetNode(JumpTableSDNode *N, SDLoc DL, EVT Ty, SelectionDAG &DAG, unsigned Flags)",
}


@dataclass
class Member:
    target: str


@dataclass
class Cand:
    source: str
    code: str


def code(kind: str) -> str:
    return HEADS[kind] + BODY.replace("{}", kind, 1)


def test_overload_key_is_the_parameter_types_up_to_spelling() -> None:
    assert overload_key("bool isTruncateFree(EVT SrcVT, EVT DstVT) const override;") == \
        overload_key("bool RISCVTargetLowering::isTruncateFree(const llvm::EVT A, EVT B) const {")
    assert overload_key("bool isTruncateFree(Type *SrcTy, Type *DstTy) const override;") != \
        overload_key("bool isTruncateFree(EVT SrcVT, EVT DstVT) const override;")
    assert overload_key("not a function") is None
    # a scope is spelling too: RISC-V declares ``LowerCall(CallLoweringInfo &, ...)`` in its ``TargetLowering``
    # subclass, LoongArch writes ``TargetLowering::CallLoweringInfo &``; one overload, not two
    assert overload_key("SDValue LowerCall(CallLoweringInfo &CLI, SmallVectorImpl<SDValue> &InVals) const override;") == \
        overload_key("SDValue RISCVTargetLowering::LowerCall(TargetLowering::CallLoweringInfo &CLI, "
                     "SmallVectorImpl<SDValue> &InVals) const {")
    assert donor_of("member:LoongArch") == "LoongArch" and donor_of("model") is None


def test_the_chosen_donors_overloads_each_get_their_candidates() -> None:
    kinds = list(HEADS)
    members = [Member("LoongArch") for _ in kinds] + [Member("Lanai")]
    member_codes = [code(k) for k in kinds] + [code("GlobalAddress")]
    ranked = [Cand("member:LoongArch", code("GlobalAddress")), Cand("member:Lanai", code("GlobalAddress")),
              Cand("member:LoongArch", code("JumpTable")), Cand("member:LoongArch", code("BlockAddress")),
              Cand("model", code("BlockAddress"))]
    got = further_overloads(ranked, lambda c: c.code, lambda c: c.source, members, member_codes, [])
    # the chosen one's own overload makes no further row; ConstantPool has no candidate and is left out; the rest
    # come in the donor's order, each with all its candidates, best first
    assert [[ranked.index(c) for c in found] for found in got] == [[3, 4], [2]]


def test_one_version_per_donor_is_no_overload_but_a_declaration_is() -> None:
    members = [Member("Lanai"), Member("ARC")]
    member_codes = [code("GlobalAddress"), code("JumpTable")]  # two targets, one version each
    ranked = [Cand("member:Lanai", code("GlobalAddress")), Cand("member:ARC", code("JumpTable"))]
    assert wanted_overloads("Lanai", members, member_codes, []) == []
    assert further_overloads(ranked, lambda c: c.code, lambda c: c.source, members, member_codes, []) == []
    declared = [HEADS["GlobalAddress"] + ";", HEADS["JumpTable"] + ";"]  # the description declares both
    got = further_overloads(ranked, lambda c: c.code, lambda c: c.source, members, member_codes, declared)
    assert got == [[ranked[1]]]


def test_a_scratch_backend_keys_further_overloads_as_a_donors(tmp_path: Path) -> None:
    rows = [{"Target": "RISCV", "Module": "ISelLowering", "File": "RISCVISelLowering.cpp", "Func": "getTargetNode",
             "vega_code": code(k), "Confidence": 0.5, **({"overload": True} if i else {})}
            for i, k in enumerate(["GlobalAddress", "BlockAddress", "JumpTable"])]
    rows.append({**rows[0]})  # an unmarked repeat (an older file) keeps the group's key, as before
    path = tmp_path / "result.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    got = load_results(path, "RISCV", ["RISCV"])
    assert [f.key for f in got] == ["getTargetNode", "getTargetNode#1", "getTargetNode#2", "getTargetNode"]
    assert "BlockAddressSDNode" in got[1].signature and "JumpTableSDNode" in got[2].signature


def test_an_overload_no_candidate_defines_comes_from_the_variants_asked_once() -> None:
    """LoongArch's getTargetNode versions have the same statements: they make one candidate, and the other
    overloads are among its variants (the statements as each writer wrote them)."""
    kinds = list(HEADS)
    members = [Member("LoongArch") for _ in kinds]
    ranked = [Cand("member:LoongArch", code("GlobalAddress"))]
    asked = []

    def more() -> list[Cand]:
        asked.append(1)
        return [Cand("member:LoongArch", code(k)) for k in ("BlockAddress", "JumpTable", "GlobalAddress")]

    got = further_overloads(ranked, lambda c: c.code, lambda c: c.source, members, [code(k) for k in kinds], [], more)
    assert [[c.code.split("(")[1].split()[0] for c in found] for found in got] == [["BlockAddressSDNode"], ["JumpTableSDNode"]]
    assert asked == [1]
    assert further_overloads(ranked, lambda c: c.code, lambda c: c.source, members[:1], [code("GlobalAddress")], [],
                             more) == [] and asked == [1]  # nothing wanted: never asked
