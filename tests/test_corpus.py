"""Corpus stage on the real LLVM 16 backends: parsing, target-name spellings, modules, cache, malformed input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from vega_llvm.corpus.build import build_corpus, discover_targets, source_files
from vega_llvm.corpus.modules import module_of
from vega_llvm.corpus.naming import Abstractor, derive_names, target_records
from vega_llvm.corpus.parse import make_parser, parse_source, tree_tokens

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


def test_cli_corpus(llvm_root: Path, tmp_path: Path) -> None:
    from vega_llvm.cli import main

    assert main(["corpus", "--llvm-src", str(llvm_root), "--out", str(tmp_path), "--target", "XCore", "--quiet"]) == 0
    assert (tmp_path / "functions.jsonl").stat().st_size > 0
    assert main(["corpus", "--llvm-src", str(llvm_root), "--out", str(tmp_path), "--target", "NoSuch", "--quiet"]) == 2
    shutil.rmtree(tmp_path / "cache")
