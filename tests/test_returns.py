"""generate/returns.py: candidates that promise a value and return none, and how generation ranks them."""

from __future__ import annotations

import pytest

from vega_llvm.generate.returns import falls_off
from vega_llvm.generate.visible import HeaderScopes
from vega_llvm.templates.schema import Member, Statement, Template


@pytest.mark.parametrize("code", [
    "SDValue XTL::lowerX(SDValue Op) const\n{\n}",
    "const XSubtarget * XTM::getSubtargetImpl(const Function &F) const\n{ }",
    "bool isUImm5 ( ) const\n  {\n  }",
    "void * f() { g(); }",  # void made a pointer
    "template <typename T> bool f() { g(); }",
    "unsigned f(int x) { if (x) { g(); } }",
])
def test_a_value_never_returned_falls_off(code: str) -> None:
    assert falls_off(code)


@pytest.mark.parametrize("code", [
    "void f() { }",
    "static void f() { }",
    "LLVM_EXTERNAL_VISIBILITY void LLVMInitializeXTarget() { }",  # the macro hides void from tree-sitter's type
    'extern "C" LLVM_EXTERNAL_VISIBILITY void LLVMInitializeXTargetMC()\n{\n}',
    "XTL::XTL(int a) : B(a) { }",
    "XTL::~XTL() { }",
    "static MCAsmInfo * createX(const MCRegisterInfo &MRI)\n{\n return nullptr; }",
    "bool f() { if (x) { return true; } }",  # some path returns: left to the build and the tests
    'unsigned f(int x) { switch (x) { default: llvm_unreachable("no"); } }',
    'unsigned f(int x) { report_fatal_error("no"); }',
])
def test_void_constructors_returns_and_calls_that_never_return_do_not(code: str) -> None:
    assert not falls_off(code)


def _lower() -> Template:
    """``SDValue <T>TL::lowerX() { [ADD] return lowerMUL(); }``: Alpha (the more similar) wrote only the ``ADD``
    node, Beta the return too."""
    st = [
        Statement(0, None, 0, "function_definition", ["SDValue", "<T>TL", "::", "lowerX", "(", ")", "{"], ["}"], "TARGET_INDEPENDENT"),
        Statement(1, 0, 1, "expression_statement", ["ADD", "(", ")", ";"], [], "TARGET_INDEPENDENT"),
        Statement(2, 0, 1, "return_statement", ["return", "lowerMUL", "(", ")", ";"], [], "TARGET_SPECIFIC"),
    ]
    ms = [Member("Alpha", "Alpha", "Alpha/TL.cpp:1", "Alpha", [0, 1], {}),
          Member("Beta", "Beta", "Beta/TL.cpp:1", "Beta", [0, 1, 2], {})]
    return Template("t", "<T>TL.cpp", "<T>TL::lowerX", "ISel", ["Alpha", "Beta"], st, ms)


def _visibility(names: set[str]) -> object:
    from vega_llvm.generate.visible import Visibility

    vis = object.__new__(Visibility)  # the real check, against a small set of visible names
    vis.spelling, vis.llvm = "New", frozenset({"SDValue", *names})
    vis.described, vis.generated = set(), {"lowerX", "NewTL"}
    vis.checks_own_names, vis._tblgen, vis.scopes, vis.classes, vis.owned, vis._used = True, None, {}, set(), {}, {}
    vis.headers = HeaderScopes(frozenset(), {}, {})  # no LLVM class to reach members through
    return vis


def _ranked(names: set[str]) -> list:
    from vega_llvm.generate.generate import _adapted, _parsing_first, _written

    tpl = _lower()
    adapted = _adapted({"t": tpl}, ["t"], {"t": {}}, {}, {"Alpha": 1.0, "Beta": 0.5}, {}, set(), {})["t"]
    return _parsing_first(tpl, [_written(tpl, a, {}, {}, {}, "New") for a in adapted], _visibility(names), None, "New")


def test_a_candidate_that_returns_ranks_ahead_of_a_more_similar_one_that_falls_off() -> None:
    ranked = _ranked({"ADD", "lowerMUL"})
    assert [c.source for c in ranked] == ["member:Beta", "member:Alpha"]
    assert not ranked[0].falls_off and ranked[1].falls_off and not ranked[1].undeclared


def test_pruning_never_offers_a_body_whose_return_it_took() -> None:
    """``lowerMUL`` is undeclared: Beta's version without its return would fall off, so it is not offered; Alpha's
    (no return at all) still ranks below Beta's, which a build can charge."""
    ranked = _ranked({"ADD"})
    assert all(not c.source.endswith("-pruned") for c in ranked)
    assert [c.source for c in ranked] == ["member:Beta", "member:Alpha"]
    assert ranked[0].undeclared == ["lowerMUL"] and ranked[1].falls_off


def test_a_candidate_whose_brackets_do_not_pair_up_does_not_parse() -> None:
    """An unmatched ``)`` that tree-sitter recovers from (RISC-V's ``lowerINSERT_VECTOR_ELT`` was charged "the
    body's brackets: unmatched ')'") ranks after a candidate that pairs up, even a less similar one."""
    from vega_llvm.generate.generate import _errors, _parsing_first, _Written

    tpl = _lower()
    # a member tree-sitter finds one error in (a macro it cannot expand, in real code): one error is allowed
    tpl.statements.append(Statement(3, 0, 1, "declaration", ["int", "x", "=", ";"], [], "TARGET_INDEPENDENT"))
    for m in tpl.members:
        m.statements.append(3)
    bad = _Written("member:Alpha", [0, 1, 2], {}, "SDValue NewTL::lowerX()\n{\n  ADD());\n  return lowerMUL();\n}", 0.6)
    good = _Written("member:Beta", [0, 1, 2], {}, "SDValue NewTL::lowerX()\n{\n  ADD();\n  return lowerMUL();\n}", 0.4)
    assert _errors(bad.code) == 1
    ranked = _parsing_first(tpl, [bad, good], None, None, "New")
    assert [c.source for c in ranked] == ["member:Beta", "member:Alpha"]
    assert ranked[0].parses and not ranked[1].parses


def test_a_value_type_no_register_holds_is_flagged_where_the_description_tells() -> None:
    """XCore's only registers hold ``i32``: Hexagon's ``getSetCCResultType`` (``MVT::i1``) made the type legalizer
    loop; LoongArch's (``MVT::i32`` for a scalar) does not. A comparison inside the return is no returned type, a
    function of another type is not checked, and a description whose classes hold a type by hardware mode
    (RISC-V's ``XLenVT``) cannot tell."""
    from vega_llvm.describe.properties import PropertyTable
    from vega_llvm.generate.returns import illegal_returned_types, legal_types

    xcore = PropertyTable("XCore", "XCore", details={"register_classes": [{"name": "GRRegs", "types": ["i32"]},
                                                                        {"name": "RRegs", "types": ["i32"]}]})
    riscv = PropertyTable("RISCV", "RISCV", details={"register_classes": [{"name": "GPR", "types": ["XLenVT"]}]})
    assert legal_types(xcore) == {"i32"} and legal_types(riscv) is None and legal_types(PropertyTable("N", "N")) is None
    hexagon = ("EVT XCoreTargetLowering :: getSetCCResultType ( const DataLayout & , LLVMContext & C , EVT VT ) const\n"
               "  {\n    if ( ! VT . isVector ( ) )\n      return MVT :: i1 ;\n"
               "    return EVT :: getVectorVT ( C , MVT :: i1 , VT . getVectorNumElements ( ) ) ;\n  }")
    loongarch = ("EVT XCoreTargetLowering :: getSetCCResultType ( const DataLayout & DL , LLVMContext & , EVT VT ) const\n"
                 "  {\n    if ( ! VT . isVector ( ) )\n      return MVT :: i32 ;\n"
                 "    return VT . changeVectorElementTypeToInteger ( ) ;\n  }")
    bpf = ("MVT getScalarShiftAmountTy ( const DataLayout & DL , EVT VT ) const override\n"
           "  {\n    return ( VT == MVT :: i16 ) ? MVT :: i32 : MVT :: i64 ;\n  }")
    legal = legal_types(xcore)
    assert illegal_returned_types(hexagon, legal) == ["MVT::i1/illegal"]  # the vector's element type is no return
    assert illegal_returned_types(loongarch, legal) == []
    assert illegal_returned_types(bpf, legal) == ["MVT::i64/illegal"]  # the compared i16 is not returned
    assert illegal_returned_types("bool isZExtFree ( EVT A , EVT B ) const\n  {\n    return MVT :: i1 ;\n  }", legal) == []
    assert illegal_returned_types(hexagon, None) == []

    # generation ranks the candidate returning an illegal type behind the one that does not
    from vega_llvm.generate.generate import _parsing_first, _Written

    tpl = _lower()
    bad, good = (_Written(s, [0, 1, 2], {}, code, 0.5) for s, code in (("member:Alpha", hexagon),
                                                                        ("member:Beta", loongarch)))
    ranked = _parsing_first(tpl, [bad, good], None, xcore, "XCore")
    assert ranked[0] is good and ranked[1].undeclared == ["MVT::i1/illegal"]
