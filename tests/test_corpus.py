"""Corpus stage on the real LLVM 16 backends: parsing, target-name spellings, modules, cache, malformed input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from vega_llvm.corpus.build import build_corpus, discover_targets, source_files
from vega_llvm.corpus.check import block_error, overlapping
from vega_llvm.corpus.modules import module_of
from vega_llvm.corpus.naming import Abstractor, derive_names, target_records
from vega_llvm.corpus.parse import make_parser, parse_source, tree_tokens
from vega_llvm.corpus.records import FunctionRecord

pytestmark = pytest.mark.llvm

FEW = ["Lanai", "Mips", "RISCV", "Sparc", "XCore"]


@pytest.fixture(scope="module")
def few_corpus(llvm_src: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("corpus")
    return build_corpus(llvm_src, out, FEW, jobs=2, progress=False)


@pytest.fixture(scope="module")
def all_names(llvm_src: Path):
    """Spellings of every backend from file names and .td records (namespaces come from parsing; not needed here)."""
    dirs = discover_targets(llvm_src / "lib" / "Target")
    stems = {d.name: [p.name.rsplit(".", 1)[0] for p in source_files(d)] for d in dirs}
    return derive_names(stems, {}, {d.name: target_records(d) for d in dirs})


def test_every_backend_is_found(llvm_src: Path) -> None:
    names = {d.name for d in discover_targets(llvm_src / "lib" / "Target")}
    assert {"RISCV", "XCore", "PowerPC", "AMDGPU", "Hexagon", "X86", "Xtensa"} <= names
    assert len(names) >= 25


def test_spellings_come_from_the_targets_own_files(all_names) -> None:
    assert all_names["PowerPC"].primary == "PPC" and "PowerPC" in all_names["PowerPC"].spellings
    assert {"AMDGPU", "SI", "R600", "GCN"} <= set(all_names["AMDGPU"].spellings)
    assert "HVX" in all_names["Hexagon"].spellings
    assert all_names["RISCV"].spellings == ["RISCV"]
    assert "ELF" not in all_names["ARM"].spellings  # ARMAsmBackendELF: ELF is in every target's file names
    ppc = Abstractor(all_names["PowerPC"])
    assert ppc.abstract("PPCInstrInfo::copyPhysReg") == "<T>InstrInfo::copyPhysReg"
    assert ppc.abstract_file("PPCAsmPrinter.cpp") == "AsmPrinter.cpp"
    ve = Abstractor(all_names["VE"])
    assert ve.abstract("createVEInstrInfo") == "create<T>InstrInfo" and ve.abstract("MOVE") == "MOVE"
    si = Abstractor(all_names["AMDGPU"])
    assert si.abstract_file("SIInstrInfo.cpp") == si.abstract_file("R600InstrInfo.cpp") == "InstrInfo.cpp"


def test_parse_real_file_is_lossless(llvm_src: Path) -> None:
    path = llvm_src / "lib/Target/RISCV/MCTargetDesc/RISCVELFObjectWriter.cpp"
    src = path.read_bytes()
    parsed = parse_source(src, make_parser())
    by_name = {f.name: f for f in parsed.functions}
    fn = by_name["RISCVELFObjectWriter::getRelocType"]
    fixups = parse_source((llvm_src / "lib/Target/RISCV/MCTargetDesc/RISCVFixupKinds.h").read_bytes())
    assert "RISCV" in fixups.namespaces and "llvm" in fixups.namespaces
    kinds = set()

    def walk(n):
        kinds.add(n["k"])
        for c in n.get("c", ()):
            walk(c)

    walk(fn.tree)
    assert {"function_definition", "compound_statement", "switch_statement", "case_statement", "return_statement"} <= kinds
    # every token is kept: the tokens spell the source of the definition minus comments and whitespace
    tree = make_parser().parse(src)
    node = next(n for n in _walk(tree.root_node) if n.type == "function_definition" and n.start_point[0] + 1 == fn.line)
    comments = sorted((c.start_byte, c.end_byte) for c in _walk(node) if c.type == "comment")
    text, pos = b"", node.start_byte
    for a, b in comments:
        text += src[pos:a]
        pos = b
    text += src[pos : node.end_byte]
    assert "".join("".join(tree_tokens(fn.tree)).split()) == "".join(text.decode().split())


def _walk(node):
    yield node
    for c in node.children:
        yield from _walk(c)


@pytest.mark.parametrize(
    "rel_dir,file,module",
    [
        ("Disassembler", "Disassembler.cpp", "DIS"),
        ("AsmParser", "AsmParser.cpp", "ASS"),
        ("MCTargetDesc", "ELFObjectWriter.cpp", "ASS"),
        ("MCTargetDesc", "MCCodeEmitter.cpp", "EMI"),
        ("", "AsmPrinter.cpp", "EMI"),
        ("", "ISelLowering.cpp", "SEL"),
        ("", "RegisterInfo.cpp", "REG"),
        ("", "FrameLowering.cpp", "REG"),
        ("", "InstrInfo.cpp", "SCH"),
        ("", "TargetTransformInfo.h", "OPT"),
        ("", "ExpandPseudoInsts.cpp", "OPT"),
        ("TargetInfo", "TargetInfo.cpp", "other"),
        ("", "<T>.h", "other"),
    ],
)
def test_module_mapping(rel_dir: str, file: str, module: str) -> None:
    assert module_of(rel_dir, file) == module


def test_corpus_records_and_outputs(few_corpus) -> None:
    res = few_corpus
    assert {r.target for r in res.records} == set(FEW)
    rel = [r for r in res.records if r.target == "RISCV" and r.qname == "<T>ELFObjectWriter::getRelocType"]
    assert len(rel) == 1
    r = rel[0]
    assert (r.file, r.module, r.spelling, r.path) == ("ELFObjectWriter.cpp", "ASS", "RISCV", "MCTargetDesc/RISCVELFObjectWriter.cpp")
    assert "switch" in r.body and r.signature.startswith("unsigned RISCVELFObjectWriter::getRelocType(")
    xcore_keys = {x.key for x in res.records if x.target == "XCore"}
    assert ("AsmPrinter.cpp", "<T>AsmPrinter::emitInstruction") in xcore_keys
    meta = json.loads((res.out / "meta.json").read_text())
    assert meta["llvm_version"] == "16.0.6" and meta["functions"] == len(res.records)
    lines = (res.out / "functions.jsonl").read_text().splitlines()
    assert len(lines) == len(res.records) and json.loads(lines[0])["tree"]["k"] == "function_definition"
    stats = json.loads((res.out / "stats.json").read_text())
    assert stats["functions_per_target_module"]["XCore"]["total"] == sum(x.target == "XCore" for x in res.records)
    # RISCVRegisterInfo.cpp:510 ran on to the end of the file before the parse was repaired (see parse_source)
    assert overlapping(res.records) == []
    nfb = next(x for x in res.records if x.name == "RISCVRegisterInfo::needsFrameBaseReg")
    assert nfb.body.rstrip().endswith("return !isFrameOffsetLegal(MI, RISCV::X2, MaxSPOffset);\n}")
    assert any(x.name == "RISCVRegisterInfo::isFrameOffsetLegal" for x in res.records)


def test_rerun_uses_the_cache(llvm_src: Path, few_corpus) -> None:
    again = build_corpus(llvm_src, few_corpus.out, FEW, jobs=1, progress=False)
    assert again.parsed == 0 and again.cached > 0
    assert len(again.records) == len(few_corpus.records)


def test_malformed_files_are_reported_and_skipped(llvm_src: Path, tmp_path: Path) -> None:
    """A fake llvm tree with one good backend file, one garbage file, one non-UTF-8 file and one truncated file."""
    tdir = tmp_path / "llvm" / "lib" / "Target" / "Foo"
    (tdir / "MCTargetDesc").mkdir(parents=True)
    (tdir / "Foo.td").write_text("def Foo : Target {\n}\n")
    (tdir / "CMakeLists.txt").write_text("")
    real = llvm_src / "lib/Target/RISCV/MCTargetDesc/RISCVELFObjectWriter.cpp"
    good = real.read_text().replace("RISCV", "Foo")
    (tdir / "MCTargetDesc" / "FooELFObjectWriter.cpp").write_text(good)
    (tdir / "FooGarbage.cpp").write_text("@@@ ``` $$$ \\\\ @@ `` $ \n" * 30)
    (tdir / "FooBinary.cpp").write_bytes(b"\xff\xfe\x00int f() { return 0; }\n")
    (tdir / "FooTruncated.cpp").write_text(good[: len(good) // 2])
    res = build_corpus(tmp_path / "llvm", tmp_path / "out", jobs=1, progress=False)
    problems = {p["file"]: p for p in res.problems}
    assert problems["Foo/FooGarbage.cpp"]["skipped"].startswith("unparsable")
    assert problems["Foo/FooBinary.cpp"]["skipped"].startswith("unreadable")
    assert problems["Foo/FooTruncated.cpp"]["skipped"] is None and problems["Foo/FooTruncated.cpp"]["error_lines"]
    names = {r.qname for r in res.records if r.path == "MCTargetDesc/FooELFObjectWriter.cpp"}
    assert "<T>ELFObjectWriter::getRelocType" in names
    assert not any(r.path in ("FooGarbage.cpp", "FooBinary.cpp") for r in res.records)
    meta = json.loads((tmp_path / "out" / "meta.json").read_text())
    assert meta["files_skipped"] == 2


def test_cli_corpus(llvm_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from vega_llvm.cli import main

    assert main(["corpus", "--llvm-src", str(llvm_root), "--out", str(tmp_path), "--target", "XCore", "--quiet"]) == 0
    assert "0 overlapping records" in capsys.readouterr().out
    assert (tmp_path / "functions.jsonl").stat().st_size > 0
    assert main(["corpus", "--llvm-src", str(llvm_root), "--out", str(tmp_path), "--target", "NoSuch", "--quiet"]) == 2
    shutil.rmtree(tmp_path / "cache")


# Constructs from LLVM 16 that confuse tree-sitter-cpp's error recovery, cut down. A declaration as a ``for`` condition
# (RISCV/RISCVRegisterInfo.cpp:537) made needsFrameBaseReg run on over every later function of the file; a
# ``#define``/``#include`` inside a braced initializer (PowerPC/PPCGenScalarMASSEntries.cpp:36,
# Hexagon/HexagonSubtarget.cpp:741) ended the function at the initializer's "}", leaving its rest at top level.
RUNS_PAST = b"""bool RegInfo::needsFrameBaseReg(MachineInstr *MI, int64_t Offset) const {
  unsigned CalleeSavedSize = 0;
  for (const MCPhysReg *R = MRI.getCalleeSavedRegs(); MCPhysReg Reg = *R; ++R) {
    if (!ReservedRegs.test(Reg))
      CalleeSavedSize += getSpillSize(*getMinimalPhysRegClass(Reg));
  }
  return Offset > CalleeSavedSize;
}

bool RegInfo::isFrameOffsetLegal(const MachineInstr *MI, int64_t Offset) const {
  return isInt<12>(Offset);
}
"""

MACRO_IN_INITIALIZER = b"""class GenEntries : public ModulePass {
public:
  GenEntries() : ModulePass(ID) {
    ScalarMASSFuncs = {
#define TLI_DEFINE_SCALAR_MASS_FUNCS
#include "llvm/Analysis/ScalarFuncs.def"
    };
  }

  bool runOnModule(Module &M) override;

  StringRef getPassName() const override { return "Generate Entries"; }
};

int lookup(unsigned Opc) {
  static Scalar ScalarInts[] = {
#define GET_SCALAR_INTRINSICS
#include "DepInstrIntrinsics.inc"
#undef GET_SCALAR_INTRINSICS
  };
  return find(ScalarInts, Opc);
}

unsigned next(unsigned Opc) { return Opc + 1; }
"""


def _record(fn, path: str = "X.cpp") -> FunctionRecord:
    return FunctionRecord(id=f"T/{path}:{fn.line}", target="T", path=path, file=path, qname=fn.name, name=fn.name,
                          module="other", spelling="T", line=fn.line, signature=fn.signature, body=fn.body,
                          has_error=fn.has_error, tree=fn.tree)


def _source_without_comments(fn) -> str:
    return "".join(fn.signature.split()) + "".join(fn.body.split())


def test_a_body_that_ran_past_its_function_is_cut_at_its_brace() -> None:
    fns = parse_source(RUNS_PAST).functions
    assert [(f.name, f.line) for f in fns] == [("RegInfo::needsFrameBaseReg", 1), ("RegInfo::isFrameOffsetLegal", 10)]
    first, second = fns
    assert first.body.endswith("return Offset > CalleeSavedSize;\n}") and first.has_error
    assert second.body == "{\n  return isInt<12>(Offset);\n}" and not second.has_error
    for f in fns:
        assert "".join(tree_tokens(f.tree)).replace(" ", "") == _source_without_comments(f).replace(" ", "")
    assert overlapping([_record(f) for f in fns]) == []


def test_a_body_cut_short_by_a_macro_gets_its_rest_back() -> None:
    fns = {f.name: f for f in parse_source(MACRO_IN_INITIALIZER).functions}
    assert set(fns) == {"GenEntries::GenEntries", "GenEntries::getPassName", "lookup", "next"}
    assert fns["GenEntries::GenEntries"].body.endswith('ScalarFuncs.def"\n    };\n  }')
    assert fns["lookup"].body.endswith("return find(ScalarInts, Opc);\n}")
    for f in fns.values():
        assert "".join(tree_tokens(f.tree)).replace(" ", "") == _source_without_comments(f).replace(" ", "")
    assert overlapping([_record(f) for f in fns.values()]) == []


def test_overlapping_finds_bodies_that_are_not_their_function() -> None:
    good = parse_source(b"int f() {\n  return 1;\n}\nint g() try { h(); } catch (...) { }\n").functions
    assert [block_error(_record(f)) for f in good] == [None, None]
    # a body that runs on over the next definition, and one whose closing brace never comes
    past = parse_source(b"int f() {\n  return 1;\n}\n").functions[0]
    past.tree["c"][0]["c"].append({"k": "tokens", "h": ["}", "int", "g", "(", ")", "{"], "ht": "pyi" + "ppp"})
    past.body += "\nint g() {"
    short = parse_source(b"int k() {\n  if (x) {\n    y();\n  }\n}\n").functions[0]
    short.tree["c"][0].pop("t")  # the final "}"
    records = [_record(past), _record(good[1], "Y.cpp"), _record(short, "Z.cpp")]
    # and two records of one file whose line spans overlap: one starts inside the other's body
    outer = parse_source(b"int a() {\n  int x = 0;\n  x++;\n  x++;\n  return x;\n}\n").functions[0]
    inner = parse_source(b"\n\nint b() { return 2; }\n").functions[0]
    records += [_record(outer, "W.cpp"), _record(inner, "W.cpp")]
    found = {o.id: o.reason for o in overlapping(records)}
    assert set(found) == {"T/X.cpp:1", "T/Z.cpp:1", "T/W.cpp:1"}
    assert "runs past" in found["T/X.cpp:1"] and "never closed" in found["T/Z.cpp:1"]
    assert "T/W.cpp:3" in found["T/W.cpp:1"]
