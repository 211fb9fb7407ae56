"""A function template's ``template <...>`` clause, which the corpus drops, is read from its LLVM source and written
back where the function is emitted: declared with its default arguments, defined without them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vega_llvm.emit.functions import Candidate, EmitFunction, parse_signature
from vega_llvm.emit.layout import FileKind, PlacedFunction, PlannedFile
from vega_llvm.emit.render import definition, static_prototypes
from vega_llvm.template_clauses import clause_before, fits, parameter_names, without_defaults


def test_the_clause_is_read_from_the_lines_before_the_definition(llvm_src: Path) -> None:
    root = llvm_src / "lib" / "Target"
    # ``template <unsigned N, unsigned S = 0>`` on the line before ``static DecodeStatus decodeSImmOperand(``
    assert clause_before("LoongArch/Disassembler/LoongArchDisassembler.cpp:113", root) == \
        "template <unsigned N, unsigned S = 0>"
    assert clause_before("PowerPC/Disassembler/PPCDisassembler.cpp:248", root) == "template <unsigned N>"
    assert clause_before("XCore/XCoreISelLowering.cpp:1", root) == ""
    assert clause_before("NoSuchTarget/X.cpp:3", root) == "" and clause_before("garbage", root) == ""


def test_parameters_use_and_defaults() -> None:
    clause = "template <unsigned N, typename T = std::pair<int, int>, int S = 0>"
    assert parameter_names(clause) == ["N", "T", "S"]
    assert without_defaults(clause + " static bool") == "template <unsigned N, typename T, int S> static bool"
    assert fits("template <unsigned N>", "static bool f ( int X ) { return isUInt < N > ( X ) ; }")
    # a candidate that no longer names N is no longer that template
    assert not fits("template <unsigned N>", "static bool f ( int X ) { return X > 0 ; }")
    assert not fits("", "anything")


def test_a_later_candidate_keeps_its_clause() -> None:
    c = Candidate("static int f ( int X )\n{\n  return X << S ;\n}", "member:LoongArch", 0.1, "template <unsigned S>")
    sig, body = c.signature_and_body()
    assert sig == "template <unsigned S> static int f ( int X )" and body.startswith("{")


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_the_emitted_template_compiles_and_tablegens_call_of_it_too(tmp_path: Path) -> None:
    """The decoder tables call ``decodeSImmOperand<6>(...)``: without the clause that reads as comparisons."""
    sig = "template <unsigned N, unsigned S = 0> static int decodeSImmOperand(long Imm)"
    fn = EmitFunction("decodeSImmOperand", "Disassembler", "DIS", sig, "{\n  return (int)((Imm << S) & ((1L << N) - 1));\n}",
                      0.0, "fallback:LoongArch")
    placed = PlacedFunction(fn, parse_signature(sig), "", public=False)
    protos = static_prototypes(PlannedFile(FileKind("Disassembler", "Disassembler"), [placed]))
    text = "\n".join([*protos, "int use() { return decodeSImmOperand<6>(5); }", definition(placed), ""])
    assert "S = 0" in text.split("int use")[0] and "unsigned S>" in text.split("int use")[1]
    src = tmp_path / "t.cpp"
    src.write_text(text)
    res = subprocess.run(["g++", "-std=c++17", "-fsyntax-only", str(src)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_results_rows_carry_the_clause_to_the_emitted_signature_and_its_candidates(tmp_path: Path) -> None:
    import json

    from vega_llvm.emit.functions import load_results

    row = {"Target": "RISCV", "Module": "DIS", "File": "RISCVDisassembler.cpp", "Func": "decodeSImmOperand",
           "vega_code": "static DecodeStatus decodeSImmOperand ( MCInst & Inst , uint64_t Imm )\n{\n  return f < N > ( Imm ) ;\n}",
           "Confidence": 0.2, "template_clause": "template <unsigned N>",
           "candidates": [{"source": "member:PowerPC", "code": "static DecodeStatus decodeSImmOperand ( MCInst & Inst , "
                           "uint64_t Imm )\n{\n  return g < N > ( Imm ) ;\n}", "confidence": 0.1,
                           "template_clause": "template <unsigned N>"}]}
    path = tmp_path / "result.jsonl"
    path.write_text(json.dumps(row) + "\n")
    fn = load_results(path, "RISCV", ["RISCV"])[0]
    assert fn.signature.startswith("template <unsigned N> static DecodeStatus decodeSImmOperand")
    assert fn.alternatives[0].signature_and_body()[0].startswith("template <unsigned N> static")


def test_generate_finds_the_clause_of_each_candidates_donor_and_lends_it_to_the_models(llvm_src: Path) -> None:
    from vega_llvm.generate.generate import _template_clauses, _Written
    from vega_llvm.templates.schema import Member, Template

    members = [Member("LoongArch", "LoongArch", "LoongArch/Disassembler/LoongArchDisassembler.cpp:113", "LoongArch",
                      [0], {}),
               Member("PowerPC", "PowerPC", "PowerPC/Disassembler/PPCDisassembler.cpp:248", "PPC", [0], {})]
    tpl = Template("t", "<T>Disassembler.cpp", "decodeSImmOperand", "DIS", ["LoongArch", "PowerPC"], [], members)
    head = "static DecodeStatus decodeSImmOperand ( MCInst & Inst , uint64_t Imm )\n"
    loong = _Written("member:LoongArch", [0], {}, head + "{\n  f ( SignExtend64 < N + S > ( Imm << S ) ) ;\n}", 0.2)
    ppc = _Written("member:PowerPC-pruned", [0], {}, head + "{\n  f ( SignExtend64 < N > ( Imm ) ) ;\n}", 0.1)
    model = _Written("model", [0], {}, head + "{\n  f ( SignExtend64 < N > ( Imm ) ) ;\n}", 0.0)
    plain = _Written("member:PowerPC", [0], {}, head + "{\n  f ( Imm ) ;\n}", 0.0)
    got = _template_clauses(tpl, [loong, ppc, model, plain])
    assert got[id(loong)] == "template <unsigned N, unsigned S = 0>"
    assert got[id(ppc)] == "template <unsigned N>"
    assert got[id(model)] == "template <unsigned N>"  # the first donor clause whose parameters it all uses
    assert id(plain) not in got  # names no N: not that template any more
