"""generate/prune.py and generation's pruned candidates (``generate._pruned``), on small real templates."""

from __future__ import annotations

from vega_llvm.generate.prune import offending_names, without_statements
from vega_llvm.templates.schema import Member, Placeholder, Statement, Template


def _switch() -> Template:
    """``SDValue <T>TL::LowerOperation(...) { switch (Op) { case ADD: return lowerAdd(); case MUL: return lowerMUL(); }
    return SDValue(); }``: statement 3 (``case MUL``) encloses 4."""
    st = [
        Statement(0, None, 0, "function_definition", ["SDValue", "<T>TL", "::", "LowerOperation", "(", ")", "{"], ["}"], "TARGET_INDEPENDENT"),
        Statement(1, 0, 1, "switch_statement", ["switch", "(", "Op", ")", "{"], ["}"], "TARGET_INDEPENDENT"),
        Statement(2, 1, 2, "case_statement", ["case", "ADD", ":", "return", "<SV0>", "(", ")", ";"], [], "TARGET_SPECIFIC",
                  [Placeholder("SV0", "identifier")]),
        Statement(3, 1, 2, "case_statement", ["case", "MUL", ":"], [], "TARGET_INDEPENDENT"),
        Statement(4, 3, 3, "return_statement", ["return", "lowerMUL", "(", ")", ";"], [], "TARGET_SPECIFIC"),
        Statement(5, 0, 1, "return_statement", ["return", "SDValue", "(", ")", ";"], [], "TARGET_INDEPENDENT"),
    ]
    ms = [Member(t, t, f"{t}/TL.cpp:1", t, [0, 1, 2, 3, 4, 5], {"SV0": "lowerAdd"}) for t in ("Alpha", "Beta")]
    return Template("t", "<T>TL.cpp", "<T>TL::LowerOperation", "ISel", ["Alpha", "Beta"], st, ms)


def test_offending_names_are_the_identifiers_the_check_reported() -> None:
    assert offending_names(["XCoreISD::BARRIER", "createFoo/2", "lowerMUL", ""]) == {"BARRIER", "createFoo", "lowerMUL"}


def test_a_statement_naming_an_undeclared_name_goes_with_what_it_encloses() -> None:
    tpl = _switch()
    head = lambda st: " ".join(st.tokens)  # noqa: E731
    assert without_statements(tpl, [0, 1, 2, 3, 4, 5], {"lowerMUL"}, head) == [0, 1, 2, 5]
    assert without_statements(tpl, [0, 1, 2, 3, 4, 5], {"MUL"}, head) == [0, 1, 2, 5]  # the case, and its return
    assert without_statements(tpl, [0, 1, 2, 3, 4, 5], {"nothingHere"}, head) is None
    assert without_statements(tpl, [0, 1, 2, 3, 4, 5], {"LowerOperation"}, head) is None  # the definition itself
    assert without_statements(tpl, [0, 1, 2, 3, 4, 5], {"Op"}, head) is None  # most of the function would go


def test_generation_offers_the_pruned_candidate_where_every_candidate_names_something_undeclared() -> None:
    """Both training targets dispatch ``case MUL`` to ``lowerMUL``, which the new target does not have: the candidate
    without that case parses and names only visible things, so it ranks first; the original stays behind it."""
    from vega_llvm.generate.generate import _adapted, _parsing_first, _written
    from vega_llvm.generate.visible import Visibility

    tpl = _switch()
    adapted = _adapted({"t": tpl}, ["t"], {"t": {}}, {}, {"Alpha": 1.0, "Beta": 0.5}, {}, set(), {})["t"]
    vis = object.__new__(Visibility)  # the real check, against a small set of visible names
    vis.spelling, vis.llvm = "New", frozenset({"SDValue", "Op", "ADD", "MUL"})
    vis.described, vis.generated = {"lowerAdd"}, {"LowerOperation", "NewTL"}
    vis.checks_own_names, vis._tblgen, vis.scopes, vis.classes, vis.owned, vis._used = True, None, {}, set(), {}, {}
    ranked = _parsing_first(tpl, [_written(tpl, a, {}, {}, {}, "New") for a in adapted], vis, None, "New")
    assert ranked[0].source == "member:Alpha-pruned" and ranked[0].statements == [0, 1, 2, 5]
    assert ranked[0].parses and not ranked[0].undeclared and "lowerMUL" not in ranked[0].code
    assert ranked[1].source == "member:Alpha" and ranked[1].undeclared == ["lowerMUL"]
