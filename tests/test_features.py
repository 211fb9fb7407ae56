"""features: dependencies learned from training targets, feature vectors and value recall, on real property tables
(XCore, Lanai, MSP430, ARC, BPF described by the real llvm-tblgen) and a small template in issue 3's schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vega_llvm.paths import llvm_src_root

pytestmark = [
    pytest.mark.llvm,
    pytest.mark.skipif(
        llvm_src_root(required=False) is None,
        reason="llvm-project sources absent: run `vega-llvm llvm fetch` (CI has them)",
    ),
]

TARGETS = ("XCore", "Lanai", "MSP430", "ARC", "BPF")
# What each target's real code puts in the placeholders (register class, callee-saved list, fixup kind).
REGCLASS = {"XCore": "GRRegs", "Lanai": "GPR", "MSP430": "GR16", "ARC": "GPR32", "BPF": "GPR"}
FIXUP = {"Lanai": "FIXUP_LANAI_21", "MSP430": "fixup_32"}
# A register each target names; XCore's is deliberately not one of its registers, to see a miss reported.
REGISTER = {"XCore": "NotAnXCoreRegister", "Lanai": "RCA", "MSP430": "SP", "ARC": "BLINK", "BPF": "R10"}


def described_cache(root: Path) -> pytest.MonkeyPatch:
    """Point the cache at ``root`` and describe TARGETS there with the real llvm-tblgen; undo the patch after use."""
    from vega_llvm.describe.describe import describe

    mp = pytest.MonkeyPatch()
    mp.setenv("VEGA_LLVM_SRC", str(llvm_src_root()))
    mp.setenv("VEGA_LLVM_CACHE", str(root))
    tdir = llvm_src_root() / "llvm" / "lib" / "Target"  # type: ignore[operator]
    for t in TARGETS:
        describe(tdir / t / f"{t}.td")
    return mp


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("vega-cache")
    mp = described_cache(root)
    templates = root / "templates.jsonl"
    templates.write_text(_template().to_json() + "\n")
    yield {"root": root, "templates": templates, "describe": root / "describe"}
    mp.undo()


def _template():  # type: ignore[no-untyped-def]
    from vega_llvm.templates.schema import Member, Placeholder, Statement, Template

    stmts = [
        Statement(0, None, 0, "function_definition", ["void", "f", "(", ")"], [], "target-independent"),
        Statement(1, 0, 1, "compound_statement", ["{"], ["}"], "target-independent"),
        Statement(2, 1, 2, "expression_statement", ["use", "(", "&", "<T>", "::", "<SV0>", ")", ";"], [],
                  "target-specific", [Placeholder("SV0", "identifier")]),
        Statement(3, 1, 2, "expression_statement", ["fix", "(", "<T>", "::", "<SV1>", ")", ";"], [],
                  "target-specific", [Placeholder("SV1", "identifier")]),
        Statement(4, 1, 2, "return_statement", ["return", "<SV2>", ";"], [], "target-specific",
                  [Placeholder("SV2", "number")]),
        Statement(5, 1, 2, "expression_statement", ["keep", "(", "<T>", "::", "<SV3>", ")", ";"], [],
                  "target-specific", [Placeholder("SV3", "target-enum")]),
    ]
    members = []
    for t in TARGETS:
        has_fix = t in FIXUP
        values = {"SV0": f"{REGCLASS[t]}RegClass", "SV1": FIXUP.get(t, ""), "SV2": "32" if t != "MSP430" else "16",
                  "SV3": REGISTER[t]}
        members.append(Member(t, t, f"{t}/x.cpp:1", t, [0, 1, 2, *([3] if has_fix else []), 4, 5], values))
    return Template("g00000", "X.cpp", "<T>X::f", "EMI", sorted(TARGETS), stmts, members)


def test_value_index_reads_code_spellings(env: dict[str, Path]) -> None:
    from vega_llvm.describe.properties import PropertyTable
    from vega_llvm.features.values import Source, ValueIndex

    idx = ValueIndex.build(PropertyTable.load(env["describe"] / "XCore.json"))
    assert Source("register_class", "{}RegClass") in idx.sources("GRRegsRegClass")
    assert Source("register_class", "{}RegClassID") in idx.sources("<T>::GRRegsRegClassID")
    assert idx.kinds('"xcore"') == {"target.lower"}
    assert "calling_conv" in idx.kinds("CC_<T>")
    assert "intrinsic" in idx.kinds("xcore_bitrev")
    assert not idx.sources("NotAnXCoreThing")


def test_dependencies_are_learned_from_training_targets(env: dict[str, Path]) -> None:
    from vega_llvm.features.data import load_tables, load_templates
    from vega_llvm.features.learn import Vocabulary, learn_flags, learn_slots

    templates = load_templates(env["templates"])
    data = load_tables(env["describe"], set(TARGETS), describe_missing=False)
    train = set(TARGETS) - {"XCore"}
    slots = learn_slots(templates, data, train, Vocabulary.build(templates, data))
    sv0 = slots[("g00000", 2, "SV0")]
    assert (sv0.sources[0][0].kind, sv0.sources[0][0].form) == ("register_class", "{}RegClass")
    assert sv0.members == 4 and sv0.resolved == 1.0
    assert slots[("g00000", 3, "SV1")].sources[0][0].kind == "fixup"
    flags = learn_flags(templates, data, train, slots)
    fix = flags[("g00000", 3)]
    assert fix.flags[0] == ("has.fixup", True, 1.0)  # ties broken towards the placeholder's own kind
    assert flags[("g00000", 2)].flags == []  # present everywhere: depends on no boolean


def test_features_cli_writes_train_and_infer_rows(env: dict[str, Path], tmp_path: Path) -> None:
    from vega_llvm.cli import main

    # XCore's own member is left out of the templates: a held-out target that is a member is refused
    # (tests/test_provenance.py), since its code would reach the features.
    tpl = _template()
    tpl.members = [m for m in tpl.members if m.target != "XCore"]
    templates = tmp_path / "templates.jsonl"
    templates.write_text(tpl.to_json() + "\n")
    out = tmp_path / "feat"
    rc = main(["features", "--templates", str(templates), "--holdout", "XCore",
               "--describe-dir", str(env["describe"]), "--out", str(out)])
    assert rc == 0
    train = [json.loads(line) for line in (out / "train.jsonl").read_text().splitlines()]
    infer = [json.loads(line) for line in (out / "infer.jsonl").read_text().splitlines()]
    assert {r["target"] for r in train} == {"Lanai", "MSP430", "ARC", "BPF"} and len(train) == 4 * 6
    assert {r["target"] for r in infer} == {"XCore"} and len(infer) == 6
    assert all("label" not in r and "present" not in r for r in infer)
    x_use = next(r for r in infer if r["statement"] == 2)
    assert x_use["slots"][0]["sources"] == ["register_class {}RegClass"]
    assert "GRRegsRegClass" in x_use["slots"][0]["values"]
    assert x_use["input"].startswith("use ( & <T> :: <SV0> ) ; </s> <SV0> register_class : ")
    x_fix = next(r for r in infer if r["statement"] == 3)
    assert x_fix["flags"]["has.fixup"] is False and x_fix["slots"][0]["values"] == []
    lanai_fix = next(r for r in train if r["target"] == "Lanai" and r["statement"] == 3)
    assert lanai_fix["present"] and lanai_fix["label"] == "fix ( <T> :: FIXUP_LANAI_21 ) ;"
    assert "FIXUP_LANAI_21" in lanai_fix["slots"][0]["values"]
    arc_fix = next(r for r in train if r["target"] == "ARC" and r["statement"] == 3)
    assert not arc_fix["present"] and arc_fix["label"] == ""
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["train_targets"] == ["ARC", "BPF", "Lanai", "MSP430"] and manifest["infer_targets"] == ["XCore"]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_value_recall_counts_hits_and_lists_misses(env: dict[str, Path]) -> None:
    from vega_llvm.features.build import measure_recall

    res = measure_recall(env["templates"], env["describe"], ["XCore", "Lanai"])
    x = res["XCore"]
    # "32" is in four targets' code and no description names it (numbers are weak evidence): shared, not a value.
    assert x.tokens == 2 and x.hits == 1 and x.recall == 0.5
    assert x.hits_by_kind == {"register_class": 1}
    assert x.misses_by_kind == {"register": 1}  # the kind the other targets' values for <SV3> come from
    assert x.to_json()["miss_examples"] == {"register": ["NotAnXCoreRegister"]}
    lanai = res["Lanai"]
    assert lanai.tokens == 3 and lanai.hits_by_kind == {"register_class": 1, "fixup": 1, "register": 1}


def test_unknown_holdout_is_a_clear_error(env: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    from vega_llvm.cli import main

    rc = main(["features", "--templates", str(env["templates"]), "--holdout", "Nope",
               "--describe-dir", str(env["describe"]), "--out", str(env["root"] / "x")])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and err.startswith("error: no property table for Nope")
    assert not (env["root"] / "x").exists()


def test_local_names_are_what_the_function_declares() -> None:
    from vega_llvm.features.local_names import local_names

    code = """void f(MachineInstr &MI, unsigned Reg) {
      int Adjusted = 0, *P = nullptr;
      for (auto &Op : MI.operands()) { auto [A, B] = g(Op); }
      if (unsigned R = XCore::R0) use(R, Adjusted);
    }"""
    assert local_names(code) == {"MI", "Reg", "Adjusted", "P", "Op", "A", "B", "R"}
