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


def test_round_trip_and_holdout_coverage_are_what_the_docs_say(corpus_dir: Path, tmp_path: Path) -> None:
    """What docs/RESULTS.md claims of every template build, checked on five real backends with RISCV held out (the
    docs' holdout): the round trip reproduces every member of every group with 2+ targets (no misses); RISCV is in
    no template; its coverage is the share of its functions whose (abstracted file, qualified name) some built
    template implements. Counts are recomputed here from the corpus file and templates.jsonl."""
    from collections import defaultdict

    res = build_templates(corpus_dir, tmp_path, holdout="RISCV", jobs=2, progress=False, targets=FEW)
    rows = [json.loads(line) for line in (corpus_dir / "functions.jsonl").read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r["target"] in FEW]
    key = lambda r: (r["file"], r["qname"])  # noqa: E731
    trained = [r for r in rows if r["target"] != "RISCV"]
    targets_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in trained:
        targets_of[key(r)].add(r["target"])

    assert res.stats["failed_groups"] == []
    rt = res.roundtrip["per_target"]
    for t in sorted(set(FEW) - {"RISCV"}):
        checked = sum(1 for r in trained if r["target"] == t and len(targets_of[key(r)]) >= 2)
        assert (rt[t]["checked"], rt[t]["reproduced"], rt[t]["misses"]) == (checked, checked, []), t
    assert "RISCV" not in rt and res.roundtrip["overall"]["percent"] == 100.0

    tpls = load_templates(tmp_path)
    assert all("RISCV" not in t.targets and all(m.target != "RISCV" for m in t.members) for t in tpls)
    built = {(t.file, t.qname): set(t.targets) for t in tpls}
    assert built == targets_of  # one template per group of the other targets
    held = [r for r in rows if r["target"] == "RISCV"]
    cov = res.stats["holdout_coverage"]
    assert cov["functions"] == len(held) > 1000
    assert cov["covered"] == sum(1 for r in held if key(r) in built) > 0
    assert cov["covered_by_2plus_targets"] == sum(1 for r in held if len(built.get(key(r), ())) >= 2)
    assert cov["percent"] == round(100.0 * cov["covered"] / cov["functions"], 1)