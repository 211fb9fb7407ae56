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
