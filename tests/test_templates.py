"""Templates on real LLVM code: GumTree matching, the getRelocType template, round trip, holdout, instantiation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vega_llvm.corpus.build import build_corpus
from vega_llvm.corpus.parse import tree_tokens
from vega_llvm.templates import instantiate, load_templates, normalise
from vega_llvm.templates.align import build_template
from vega_llvm.templates.build import build_templates, make_groups
from vega_llvm.templates.gumtree import Matcher, Node
from vega_llvm.templates.schema import TARGET_INDEPENDENT, TARGET_SPECIFIC

pytestmark = pytest.mark.llvm

RELOC_TARGETS = ["ARM", "Mips", "RISCV", "Sparc"]
FEW = ["Lanai", "Mips", "RISCV", "Sparc", "XCore"]


@pytest.fixture(scope="module")
def corpus_dir(llvm_src: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    build_corpus(llvm_src, out, sorted(set(FEW) | set(RELOC_TARGETS)), jobs=2, progress=False)
    return out


@pytest.fixture(scope="module")
def reloc_template(corpus_dir: Path):
    from vega_llvm.corpus.records import load_corpus

    recs = [r for r in load_corpus(corpus_dir) if r.target in RELOC_TARGETS and r.qname == "<T>ELFObjectWriter::getRelocType"]
    assert sorted(r.target for r in recs) == RELOC_TARGETS
    (group,) = make_groups(recs)
    return build_template(*group), {m.member: m.tree for m in group[4]}


def _tree(spec) -> Node:
    kind, label, *kids = spec
    n = Node(kind, tuple(label.split()))
    for k in kids:
        n.add(_tree(k))
    return n


def test_gumtree_matches_isomorphic_subtrees_then_containers() -> None:
    a = _tree(("fn", "f", ("block", "{", ("expr", "x = 1 ;"), ("if", "if ( a )", ("ret", "return A ;"), ("ret", "return 0 ;")), ("ret", "return y ;"))))
    b = _tree(("fn", "f", ("block", "{", ("decl", "int z ;"), ("expr", "x = 1 ;"), ("if", "if ( b )", ("ret", "return B ;"), ("ret", "return 0 ;")), ("ret", "return y ;"))))
    m = Matcher().match(a, b)
    pairs = {(x.kind, " ".join(x.label), " ".join(y.label)) for x, y in m.items()}
    assert ("expr", "x = 1 ;", "x = 1 ;") in pairs  # top-down isomorphic
    assert ("if", "if ( a )", "if ( b )") in pairs  # container, by its matched descendants
    assert ("ret", "return A ;", "return B ;") in pairs  # recovered under the matched container
    assert not any(y.kind == "decl" for y in m.values())  # inserted statement stays unmatched
    # order preserved, parents consistent
    for x, y in m.items():
        if x.parent is not None:
            assert m[x.parent] is y.parent


def test_getreloctype_template_marks_cases_target_specific(reloc_template) -> None:
    tpl, _trees = reloc_template
    assert tpl.targets == RELOC_TARGETS and tpl.module == "ASS" and tpl.file == "ELFObjectWriter.cpp"
    by_kind: dict[str, list] = {}
    for s in tpl.statements:
        by_kind.setdefault(s.kind, []).append(s)
    cases = by_kind["case_statement"]
    assert len(cases) > 20
    assert all(s.label == TARGET_SPECIFIC for s in cases + by_kind["switch_statement"])
    labelled = [s for s in cases if s.tokens[0] == "case"]
    assert labelled and all(s.tokens == ["case", f"<{s.placeholders[0].name}>", ":"] for s in labelled)
    assert {p.type for s in labelled for p in s.placeholders} & {"target-enum", "identifier", "enum-member"}
    shared = [s for s in tpl.statements if s.label == TARGET_INDEPENDENT]
    assert shared and all(s.presence == len(RELOC_TARGETS) and not s.placeholders for s in shared)
    root = tpl.statements[0]
    assert root.kind == "function_definition" and root.label == TARGET_INDEPENDENT
    assert "<T>ELFObjectWriter" in root.text
    # returns of relocation names are values, not text: ELF :: <SVn>
    rets = [s for s in by_kind["return_statement"] if "ELF" in s.tokens]
    assert rets and all(s.tokens[s.tokens.index("ELF") + 2].startswith("<SV") for s in rets)


def test_getreloctype_round_trip_and_new_target(reloc_template) -> None:
    tpl, trees = reloc_template
    for mem in tpl.members:
        assert normalise(instantiate(tpl, mem)) == normalise(" ".join(tree_tokens(trees[mem.member])))
    riscv = tpl.member("RISCV")
    code = instantiate(tpl, {"statements": riscv.statements, "values": riscv.values, "spelling": "Foo"})
    assert "unsigned FooELFObjectWriter :: getRelocType" in code and "RISCV" not in code.replace("R_RISCV", "")


def test_templates_round_trip_per_target(corpus_dir: Path, tmp_path: Path) -> None:
    res = build_templates(corpus_dir, tmp_path, jobs=2, progress=False, targets=FEW)
    rt = res.roundtrip["per_target"]
    assert set(FEW) <= set(rt)
    for t, row in rt.items():
        assert row["checked"] > 0 and row["percent"] >= 95.0, (t, row["misses"][:5])
    tpls = load_templates(tmp_path)
    assert len(tpls) == res.meta["templates"]
    g = json.loads((tmp_path / "stats.json").read_text())["groups_by_number_of_targets"]
    assert sum(g.values()) == len(tpls) and int(max(g, key=int)) == len(FEW)
    again = build_templates(corpus_dir, tmp_path, progress=False, targets=FEW)
    assert again.reused


def test_holdout_is_excluded_but_covered(corpus_dir: Path, tmp_path: Path) -> None:
    res = build_templates(corpus_dir, tmp_path, holdout="XCore", jobs=2, progress=False, targets=FEW)
    tpls = load_templates(tmp_path)
    assert all("XCore" not in t.targets and all(m.target != "XCore" for m in t.members) for t in tpls)
    cov = res.stats["holdout_coverage"]
    assert cov["functions"] > 200 and 0 < cov["covered"] < cov["functions"]
    assert res.stats["leave_one_out_coverage"]["XCore"]["covered"] == cov["covered"]
    assert "XCore" not in res.stats["functions_per_target_module"]


def test_cli_templates(corpus_dir: Path, tmp_path: Path) -> None:
    from vega_llvm.cli import main

    assert main(["templates", "--corpus", str(corpus_dir), "--out", str(tmp_path), "--target", "XCore", "--target", "Lanai", "--quiet"]) == 0
    assert (tmp_path / "templates.jsonl").exists() and (tmp_path / "meta.json").exists()
    assert main(["templates", "--corpus", str(corpus_dir), "--out", str(tmp_path), "--holdout", "NoSuch", "--quiet"]) == 2


def test_cli_templates_with_two_holdouts(corpus_dir: Path, tmp_path: Path) -> None:
    """Repeating --holdout leaves every named target out, not only the last one."""
    from vega_llvm.cli import main
    from vega_llvm.templates import load_templates

    assert main(["templates", "--corpus", str(corpus_dir), "--out", str(tmp_path), "--holdout", "XCore",
                 "--holdout", "Sparc", "--quiet"]) == 0
    members = {m.target for t in load_templates(tmp_path) for m in t.members}
    assert members and not members & {"XCore", "Sparc"}


@pytest.mark.slow
def test_full_llvm_round_trip(llvm_src: Path, tmp_path: Path) -> None:
    """All backends: the figures of docs/RESULTS.md (a few minutes on 2 cores)."""
    build_corpus(llvm_src, tmp_path / "corpus", progress=False)
    res = build_templates(tmp_path / "corpus", tmp_path / "templates", holdout="RISCV", progress=False)
    for t, row in res.roundtrip["per_target"].items():
        assert row["percent"] >= 95.0, (t, row["misses"][:5])
    assert res.stats["holdout_coverage"]["percent"] > 30
