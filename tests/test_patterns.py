"""emit/patterns.py: a ComplexPattern's select function that the new target's tables call, taken from the training
target whose pattern has the same shape, read from the real ``.td`` files with ``llvm-tblgen`` and the real corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vega_llvm.emit.patterns import Pattern, best_pattern, donor_selector, target_patterns
from vega_llvm.emit.required import _make
from vega_llvm.emit.sources import Donor

ADDRSPII = Pattern("ADDRspii", "SelectADDRspii", "i32", 2, ("add", "frameindex"))


@pytest.fixture(scope="module")
def arc_corpus(llvm_src: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from vega_llvm.corpus.build import build_corpus

    out = tmp_path_factory.mktemp("arc-corpus")
    build_corpus(llvm_src, out, targets=["ARC"], progress=False)
    return out


def _stub(params: str = "SDValue N, SDValue &Op0, SDValue &Op1"):
    return _make("XCore", "<T>DAGToDAGISel", "ISelDAGToDAG", f"bool <T>DAGToDAGISel::SelectADDRspii({params})",
                 "SelectADDRspii", "  return false;")


def test_a_targets_patterns_are_read_from_its_td_and_cached(llvm_src: Path, tmp_path: Path) -> None:
    td = llvm_src / "lib" / "Target" / "XCore" / "XCore.td"
    assert target_patterns(td, tmp_path) == [ADDRSPII]
    (cached,) = (tmp_path / "patterns").glob("XCore-*.json")
    assert json.loads(cached.read_text())[0]["select"] == "SelectADDRspii"
    assert target_patterns(td, tmp_path) == [ADDRSPII]  # read back
    cached.write_text("{not json")
    assert target_patterns(td, tmp_path) == [ADDRSPII]  # unreadable: made again
    assert target_patterns(tmp_path / "Missing.td", tmp_path) == []


def test_likeness_needs_the_operands_the_type_and_shared_roots() -> None:
    arc = Pattern("FrameADDR_ri", "SelectFrameADDR_ri", "i32", 2, ("add", "frameindex"))
    assert ADDRSPII.likeness(arc) == 1.0
    assert ADDRSPII.likeness(Pattern("ADDRri", "SelectADDRri", "iPTR", 2, ("frameindex",))) == 0.5  # iPTR agrees
    assert ADDRSPII.likeness(Pattern("ADDRri", "selectAddrRi", "i32", 3, ("frameindex",))) == 0.0  # 3 operands
    assert ADDRSPII.likeness(Pattern("AddrModeS9", "SelectAddrModeS9", "i32", 2, ())) == 0.0  # matches anything
    assert ADDRSPII.likeness(Pattern("X", "selectX", "i64", 2, ("add", "frameindex"))) == 0.0


def test_the_donor_with_a_pattern_of_the_same_shape_gives_the_function(llvm_src: Path, arc_corpus: Path) -> None:
    """XCore's ``SelectADDRspii`` is ARC's ``SelectFrameADDR_ri`` (both ``[add, frameindex]`` into base and
    offset); Lanai's patterns take three operands and are passed over although Lanai is the nearer donor."""
    donors = [Donor("Lanai", 0.9, ["Lanai"]), Donor("ARC", 0.5, ["ARC"])]
    donor, theirs = best_pattern(ADDRSPII, donors)
    assert donor.target == "ARC" and theirs.select == "SelectFrameADDR_ri"
    f = donor_selector(_stub(), [ADDRSPII], donors, arc_corpus, "XCore", None)
    assert f is not None and f.key == "<T>DAGToDAGISel::SelectADDRspii#required"
    assert f.signature == "bool XCoreDAGToDAGISel::SelectADDRspii(SDValue Addr, SDValue &Base, SDValue &Offset)"
    assert "getTargetFrameIndex" in f.body and "ARC" not in f.body
    assert f.source.startswith("fallback:ARC") and f.file_stem == "ISelDAGToDAG"
    # the tables pass another number of arguments, or no pattern names the function: the stub stays
    assert donor_selector(_stub("SDNode *P, SDValue N, SDValue &Op0, SDValue &Op1"), [ADDRSPII], donors, arc_corpus,
                          "XCore", None) is None
    assert donor_selector(_stub(), [], donors, arc_corpus, "XCore", None) is None
