"""describe: the real llvm-tblgen on real targets (XCore, Lanai), and the error paths of a bad description."""

from __future__ import annotations

from pathlib import Path

import pytest

from vega_llvm.cli import main
from vega_llvm.describe.cxx_inputs import parse_fixups, parse_relocs
from vega_llvm.describe.properties import PropertyTable
from vega_llvm.paths import llvm_src_root

pytestmark = [
    pytest.mark.llvm,
    pytest.mark.skipif(
        llvm_src_root(required=False) is None,
        reason="llvm-project sources absent: run `vega-llvm llvm fetch` (CI has them)",
    ),
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the module, so the target-independent baseline is computed once, and never the user's cache."""
    root = tmp_path_factory.mktemp("vega-cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("VEGA_LLVM_SRC", str(llvm_src_root()))  # the sources stay where they are when the cache moves
    mp.setenv("VEGA_LLVM_CACHE", str(root))
    yield root
    mp.undo()


def _target_td(name: str, file: str | None = None) -> Path:
    return llvm_src_root() / "llvm" / "lib" / "Target" / name / (file or f"{name}.td")  # type: ignore[operator]


@pytest.fixture(scope="module")
def xcore(cache: Path) -> PropertyTable:
    from vega_llvm.describe.describe import describe

    table, dest = describe(_target_td("XCore"))
    assert dest == cache / "describe" / "XCore.json"
    return table


@pytest.fixture(scope="module")
def lanai(cache: Path) -> PropertyTable:
    from vega_llvm.describe.describe import describe

    return describe(_target_td("Lanai"))[0]


def test_xcore_names_registers_and_classes(xcore: PropertyTable) -> None:
    assert (xcore.target, xcore.namespace) == ("XCore", "XCore")
    assert {"R0", "R11", "SP", "LR", "CP", "DP"} <= set(xcore.values["register"])
    grregs = next(c for c in xcore.details["register_classes"] if c["name"] == "GRRegs")
    assert grregs["size"] == 32 and grregs["types"] == ["i32"]
    assert grregs["members"] == [f"R{i}" for i in range(12)]
    r0 = next(r for r in xcore.details["registers"] if r["name"] == "R0")
    assert r0["asm"] == "r0" and r0["size"] == 32 and r0["encoding"] == 0


def test_xcore_instructions_operands_and_conventions(xcore: PropertyTable) -> None:
    add = next(i for i in xcore.details["instructions"] if i["name"] == "ADD_3r")
    assert add["mnemonic"] == "add"
    assert add["outs"] == ["GRRegs:dst"] and add["ins"] == ["GRRegs:b", "GRRegs:c"]
    assert "_F3R" in add["formats"]
    # Generic opcodes (TargetOpcode namespace) and LLVM's own operands are not the target's.
    assert "COPY" not in xcore.values["instruction"] and "G_ADD" not in xcore.values["instruction"]
    assert "i32imm" not in xcore.values["operand"] and "brtarget" in xcore.values["operand"]
    assert {"CC_XCore", "RetCC_XCore"} == set(xcore.values["calling_conv"])
    assert "xs1b-generic" in xcore.values["processor"]
    assert "xcore_bitrev" in xcore.values["intrinsic"]
    assert xcore.flags["instr.isCall"] and not xcore.flags["instr.hasDelaySlot"]
    # Read from what the .td declares (decoder methods; no parsing operand classes), not from XCore's folder.
    assert xcore.flags["describes.disassembler"] and not xcore.flags["describes.asm_parser"]
    assert not any(k.startswith("dir.") for k in xcore.flags)


def test_xcore_absent_inputs_and_provenance(xcore: PropertyTable) -> None:
    assert set(xcore.absent) == {"fixups", "relocs"}
    assert xcore.values["fixup"] == [] and not xcore.flags["has.fixup"]
    meta = xcore.meta
    assert meta["llvm_version"].startswith("16.")
    paths = {Path(i["path"]).name for i in meta["inputs"]}
    assert {"XCore.td", "XCoreInstrInfo.td", "Target.td"} <= paths
    assert all(len(i["sha256"]) == 64 for i in meta["inputs"])
    assert meta["tblgen_seconds"] > 0


def test_lanai_fixups_relocs_and_callee_saved(lanai: PropertyTable) -> None:
    assert lanai.target == "Lanai" and not lanai.absent
    assert "FIXUP_LANAI_21" in lanai.values["fixup"] and "NumTargetFixupKinds" in lanai.values["fixup"]
    assert "R_LANAI_21" in lanai.values["relocation"]
    csr = {c["name"]: c["regs"] for c in lanai.details["callee_saved"]}
    assert csr == {"CSR": []}  # Lanai really declares `def CSR: CalleeSavedRegs<(add)>`
    assert lanai.flags["has.fixup"] and lanai.flags["has.relocation"]


def test_cache_hit_and_table_round_trip(cache: Path, xcore: PropertyTable, tmp_path: Path) -> None:
    from vega_llvm.describe.describe import describe

    out = tmp_path / "x.json"
    again, dest = describe(_target_td("XCore"), out=out)
    assert dest == out and again.meta["cache"] == "hit"
    loaded = PropertyTable.load(out)
    assert loaded.values == xcore.values and loaded.flags == xcore.flags


def test_explicit_inputs_override_lookup(cache: Path, tmp_path: Path) -> None:
    llvm = llvm_src_root() / "llvm"  # type: ignore[operator]
    fix = llvm / "lib" / "Target" / "Lanai" / "MCTargetDesc" / "LanaiFixupKinds.h"
    rel = llvm / "include" / "llvm" / "BinaryFormat" / "ELFRelocs" / "Lanai.def"
    out = tmp_path / "xcore.json"
    rc = main(["describe", "--td", str(_target_td("XCore")), "--fixups", str(fix), "--relocs", str(rel), "--out", str(out)])
    assert rc == 0
    table = PropertyTable.load(out)
    assert table.values["fixup"] == [f.name for f in parse_fixups(fix)]
    assert table.values["relocation"] == [r.name for r in parse_relocs(rel)]
    assert not table.absent


def test_register_set_algebra() -> None:
    """MemberList / SaveList dags as TableGen's SetTheory evaluates them."""
    from vega_llvm.describe.properties import RegisterSets

    regs = {f"R{i}" for i in range(8)}

    def d(op: str, *args: object) -> dict:
        return {"kind": "dag", "operator": {"kind": "def", "def": op}, "args": [[a, None] for a in args]}

    def r(n: str) -> dict:
        return {"kind": "def", "def": n}

    sets = RegisterSets({"Low": {"MemberList": d("sequence", "R%u", 0, 3)}}, regs)
    assert sets.expand(d("sequence", "R%u", 0, 7)) == [f"R{i}" for i in range(8)]
    assert sets.expand(d("sub", d("sequence", "R%u", 0, 7), r("Low"))) == ["R4", "R5", "R6", "R7"]
    assert sets.expand(d("rotl", r("Low"), 1)) == ["R1", "R2", "R3", "R0"]
    assert sets.expand(d("decimate", d("sequence", "R%u", 0, 7), 2)) == ["R0", "R2", "R4", "R6"]
    assert sets.expand(d("and", r("Low"), d("add", r("R2"), r("R6")))) == ["R2"]
    assert sets.expand(d("sequence", "R%u", 3, 1)) == ["R3", "R2", "R1"]


def _run_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    rc = main(argv)
    err = capsys.readouterr().err.strip()
    return rc, err


def _assert_nothing_written(folder: Path) -> None:
    assert sorted(p.name for p in folder.iterdir()) == ["in.td"]


def test_syntax_error_is_one_line_and_leaves_nothing(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    td = tmp_path / "in.td"
    td.write_text('include "llvm/Target/Target.td"\ndef Bad : Target {\n  let Nope = ;\n}\n')
    out = tmp_path / "out.json"
    rc, err = _run_error(["describe", "--td", str(td), "--out", str(out), "--no-cache"], capsys)
    assert rc != 0
    assert len(err.splitlines()) == 1
    assert "llvm-tblgen rejected in.td" in err and "in.td:3:" in err and "Value 'Nope' unknown!" in err
    assert not out.exists()
    _assert_nothing_written(tmp_path)


def test_missing_include_is_one_line(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    td = tmp_path / "in.td"
    td.write_text('include "llvm/Target/Target.td"\ninclude "FooRegisterInfo.td"\n')
    out = tmp_path / "out.json"
    rc, err = _run_error(["describe", "--td", str(td), "--out", str(out)], capsys)
    assert rc != 0 and len(err.splitlines()) == 1
    assert "Could not find include file 'FooRegisterInfo.td'" in err
    assert not out.exists()
    _assert_nothing_written(tmp_path)


def test_wrong_path_and_no_target(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, err = _run_error(["describe", "--td", str(tmp_path / "Nope.td")], capsys)
    assert rc == 2 and err == f"error: {tmp_path / 'Nope.td'}: no such .td file"
    td = tmp_path / "in.td"
    td.write_text('include "llvm/Target/Target.td"\n')
    out = tmp_path / "out.json"
    rc, err = _run_error(["describe", "--td", str(td), "--out", str(out)], capsys)
    assert rc == 2 and "defines no record deriving from Target" in err
    assert not out.exists()
    rc, err = _run_error(["describe", "--td", str(_target_td("XCore")), "--fixups", str(tmp_path / "no.h")], capsys)
    assert rc == 2 and "--fixups" in err and "no such file" in err


def test_error_in_an_included_file_names_that_file_and_line(cache: Path, tmp_path: Path) -> None:
    """The real llvm-tblgen on a description whose mistake sits in a file it includes: the one-line error names that
    file and line (not only the top-level .td), and says what is wrong."""
    from vega_llvm.describe import tblgen
    from vega_llvm.errors import TableGenError

    (tmp_path / "FooRegisterInfo.td").write_text(
        'class FooReg<string n> : Register<n>;\n\ndef R0 : FooReg<"r0">;\ndef R1 : FooReg<1>;\n')
    td = tmp_path / "Foo.td"
    td.write_text('include "llvm/Target/Target.td"\ninclude "FooRegisterInfo.td"\n')
    with pytest.raises(TableGenError) as err:
        tblgen.dump_json(td)
    msg = str(err.value)
    assert len(msg.splitlines()) == 1
    assert msg.startswith("llvm-tblgen rejected Foo.td: ")
    assert f"{tmp_path / 'FooRegisterInfo.td'}:4:" in msg and "expected type string" in msg


def test_a_hung_tblgen_is_stopped_at_the_timeout(cache: Path, tmp_path: Path) -> None:
    """The real llvm-tblgen on a description that takes far longer than the limit (two million records)."""
    import time

    from vega_llvm.describe import tblgen
    from vega_llvm.errors import ToolTimeoutError

    td = tmp_path / "Big.td"
    td.write_text("class A<int v> { int V = v; }\nforeach i = 0...2000000 in def X#i : A<i>;\n")
    t0 = time.monotonic()
    with pytest.raises(ToolTimeoutError, match="llvm-tblgen"):
        tblgen.dump_json(td, timeout=1)
    assert time.monotonic() - t0 < 10


@pytest.mark.slow
def test_every_backend_describes(cache: Path) -> None:
    from vega_llvm.describe.describe import describe_all, discover_targets

    outcomes = describe_all()
    assert len(outcomes) == len(discover_targets()) >= 26
    failed = [(o.td, o.reason) for o in outcomes if not o.ok]
    assert not failed
    names = {o.target for o in outcomes}
    assert {"RISCV", "XCore", "AMDGPU", "R600", "PPC", "X86"} <= names


def test_cache_invalidated_by_an_include_change(cache: Path, tmp_path: Path) -> None:
    """An edited include in a subfolder (outside the cache key, but recorded in the table's inputs) forces a fresh
    tblgen run."""
    from vega_llvm.describe.describe import describe

    (tmp_path / "sub").mkdir()
    inc = tmp_path / "sub" / "Regs.td"
    inc.write_text('def R0 : Register<"r0"> { let Namespace = "Toy"; }\n')
    td = tmp_path / "Toy.td"
    td.write_text('include "llvm/Target/Target.td"\ninclude "sub/Regs.td"\n'
                  "def ToyInstrInfo : InstrInfo;\ndef Toy : Target { let InstructionSet = ToyInstrInfo; }\n")
    first, _ = describe(td, out=tmp_path / "a.json")
    assert first.target == "Toy" and first.values["register"] == ["R0"] and first.meta["cache"] == "miss"
    assert describe(td, out=tmp_path / "b.json")[0].meta["cache"] == "hit"
    inc.write_text('def R0 : Register<"r0"> { let Namespace = "Toy"; }\ndef R1 : Register<"r1"> { let Namespace = "Toy"; }\n')
    again, _ = describe(td, out=tmp_path / "c.json")
    assert again.meta["cache"] == "miss" and again.values["register"] == ["R0", "R1"]


_HEADER = b"""
namespace llvm {
class MCInst;
namespace FooISD { enum NodeType : unsigned { FIRST_NUMBER = 1, CALL, RET_GLUE }; }
namespace FooCC { enum class CondCode { EQ, NE }; CondCode getOpposite(CondCode CC); }
const unsigned FooStackAlign = 8;
class LLVM_LIBRARY_VISIBILITY FooFunctionInfo : public MachineFunctionInfo {
  int VarArgsIndex = 0;
public:
  FooFunctionInfo(const Function &F) : VarArgsIndex(onlyInInitialiser()) {}
  int getVarArgsIndex() const { int onlyInBody = helperOnlyInBody(); return VarArgsIndex + onlyInBody; }
  static const unsigned NumSlots = 4;
  enum VariantKind { VK_None, VK_Lo };
};
FunctionPass *createFooISelDag(FooTargetMachine &TM);
inline bool isFooReg(unsigned R) { return R == bodyOnlyConstant; }
}
"""


def test_declarations_are_names_and_signatures_never_bodies(tmp_path: Path) -> None:
    from vega_llvm.describe.declarations import parse_declarations, values_by_kind

    h = tmp_path / "Foo.h"
    h.write_bytes(_HEADER)
    decls = parse_declarations(h)
    v = values_by_kind(decls)
    assert v["decl.enumerator"] == ["FooCC::CondCode::EQ", "FooCC::CondCode::NE", "FooFunctionInfo::VK_Lo",
                                    "FooFunctionInfo::VK_None", "FooISD::CALL", "FooISD::FIRST_NUMBER", "FooISD::RET_GLUE"]
    assert v["decl.enum"] == ["FooCC::CondCode", "FooFunctionInfo::VariantKind", "FooISD::NodeType"]
    assert v["decl.class"] == ["FooFunctionInfo"]  # the export macro is not the class name; `class MCInst;` is not ours
    assert v["decl.function"] == ["FooCC::getOpposite", "createFooISelDag", "isFooReg"]
    assert v["decl.method"] == ["FooFunctionInfo::getVarArgsIndex"]  # the constructor is the class, not a method
    assert v["decl.field"] == ["FooFunctionInfo::VarArgsIndex"]
    assert v["decl.constant"] == ["FooFunctionInfo::NumSlots", "FooStackAlign"]
    every = " ".join(n for names in v.values() for n in names) + " ".join(d.signature for d in decls)
    for body_only in ("onlyInBody", "helperOnlyInBody", "onlyInInitialiser", "bodyOnlyConstant"):
        assert body_only not in every
    sig = {d.name: d.signature for d in decls}
    assert sig["FooFunctionInfo::getVarArgsIndex"] == "int getVarArgsIndex() const"


def _identifiers_inside_and_outside_bodies(files: list[Path]) -> tuple[set[str], set[str]]:
    """Identifiers occurring inside function bodies (and constructor initialiser lists) of ``files``, and those
    occurring anywhere else in them: computed independently of the extractor, from tree-sitter's tree."""
    import re

    from vega_llvm.describe.cxx_inputs import _parser
    from vega_llvm.describe.declarations import _blank_export_macros

    ident = re.compile(rb"[A-Za-z_]\w*")
    inside: set[str] = set()
    outside: set[str] = set()
    for f in files:
        src = _blank_export_macros(f.read_bytes())
        spans = []
        stack = [_parser().parse(src).root_node]
        while stack:
            node = stack.pop()
            if node.type == "function_definition":
                body = node.child_by_field_name("body")
                inits = [c for c in node.named_children if c.type == "field_initializer_list"]
                for part in [body, *inits]:
                    if part is not None:
                        spans.append((part.start_byte, part.end_byte))
                continue
            stack.extend(node.children)
        rest = bytearray(src)
        for a, b in spans:
            inside |= {m.decode() for m in ident.findall(src[a:b])}
            rest[a:b] = b" " * (b - a)
        outside |= {m.decode() for m in ident.findall(bytes(rest))}
    return inside, outside


def test_no_token_only_inside_bodies_reaches_the_description(xcore: PropertyTable) -> None:
    """The leakage test for declarations: a held-out target's function bodies (its .cpp files and inline bodies in
    its headers) must not reach its property table, which is all that its features and generation read."""
    from vega_llvm.features.values import ValueIndex

    folder = _target_td("XCore").parent
    code = sorted([*folder.glob("*.cpp"), *folder.glob("*/*.cpp"), *folder.glob("*.h"), *folder.glob("*/*.h")])
    inside, outside = _identifiers_inside_and_outside_bodies(code)
    td_text = " ".join(p.read_text(errors="replace") for p in folder.glob("*.td"))
    body_only = {t for t in inside - outside if t not in td_text}
    assert len(body_only) > 100  # the check has teeth: XCore's bodies use many names declared nowhere else
    # what tblgen makes of the .td (ADD_2rus from a multiclass) is description by definition; what comes from the
    # headers must come from outside bodies
    td_only = PropertyTable(xcore.target, xcore.namespace,
                            values={k: v for k, v in xcore.values.items() if not k.startswith("decl.")})
    declared = {part for k, names in xcore.values.items() if k.startswith("decl.") for v in names for part in v.split("::")}
    assert not declared & body_only
    assert not (set(ValueIndex.build(xcore).index) - set(ValueIndex.build(td_only).index)) & body_only
    assert xcore.meta["declarations"]["used"] and xcore.values["decl.enumerator"]


def test_xcore_declarations_and_the_td_only_ablation(xcore: PropertyTable, tmp_path: Path) -> None:
    assert "XCoreISD::LADD" in xcore.values["decl.enumerator"]
    assert "XCoreFunctionInfo::getVarArgsFrameIndex" in xcore.values["decl.method"]
    assert "XCoreTargetLowering" in xcore.values["decl.class"]
    assert "XCoreISelLowering.h" in xcore.meta["declarations"]["headers"]
    assert any(Path(i["path"]).name == "XCoreISelLowering.h" for i in xcore.meta["inputs"])
    out = tmp_path / "td-only.json"
    assert main(["describe", "--td", str(_target_td("XCore")), "--no-declarations", "--out", str(out)]) == 0
    td_only = PropertyTable.load(out)
    assert td_only.meta["cache"] == "miss"  # not the table with declarations from the cache
    assert not any(k.startswith("decl.") for k in td_only.values) and not td_only.meta["declarations"]["used"]
    assert {k: v for k, v in xcore.values.items() if not k.startswith("decl.")} == td_only.values
    enumerators = {d["name"]: d.get("signature", "") for d in xcore.details["declarations"] if d["kind"] == "decl.enumerator"}
    assert enumerators["XCoreISD::FIRST_NUMBER"] == "= ISD::BUILTIN_OP_END" and enumerators["XCoreISD::LADD"] == ""
