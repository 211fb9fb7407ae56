"""generate/prune.py and generation's pruned candidates (``generate._pruned``), on small real templates."""

from __future__ import annotations

from vega_llvm.generate.prune import offending_names, without_statements
from vega_llvm.generate.visible import HeaderScopes
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
    assert without_statements(tpl, [0, 1, 3, 4, 5], {"lowerMUL"}, head) == [0, 1, 5]  # a return inside a case may go


def test_a_return_of_the_body_s_own_level_is_never_pruned() -> None:
    """XCore's ``LowerCCCCallTo`` ends ``return LowerCallResult(...);``: pruned for naming it, the candidate compiled
    and ran off its end in every test that made a call. Such a candidate is not offered; other lines still go."""
    st = [
        Statement(0, None, 0, "function_definition", ["SDValue", "<T>TL", "::", "LowerCall", "(", ")"], [], "TARGET_INDEPENDENT"),
        Statement(1, 0, 1, "compound_statement", ["{"], ["}"], "TARGET_INDEPENDENT"),
        Statement(2, 1, 2, "expression_statement", ["Chain", "=", "start", "(", ")", ";"], [], "TARGET_INDEPENDENT"),
        Statement(3, 1, 2, "expression_statement", ["Chain", "=", "middle", "(", ")", ";"], [], "TARGET_INDEPENDENT"),
        Statement(4, 1, 2, "expression_statement", ["Chain", "=", "end", "(", ")", ";"], [], "TARGET_INDEPENDENT"),
        Statement(5, 1, 2, "return_statement", ["return", "LowerCallResult", "(", "Chain", ")", ";"], [], "TARGET_INDEPENDENT"),
    ]
    tpl = Template("c", "<T>TL.cpp", "<T>TL::LowerCall", "ISel", ["Alpha"], st,
                   [Member("Alpha", "Alpha", "Alpha/TL.cpp:1", "Alpha", [0, 1, 2, 3, 4, 5], {})])
    head = lambda st: " ".join(st.tokens)  # noqa: E731
    assert without_statements(tpl, [0, 1, 2, 3, 4, 5], {"LowerCallResult"}, head) is None
    assert without_statements(tpl, [0, 1, 2, 3, 4, 5], {"middle"}, head) == [0, 1, 2, 4, 5]


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
    vis.headers = HeaderScopes(frozenset(), {}, {})  # no LLVM class to reach members through
    ranked = _parsing_first(tpl, [_written(tpl, a, {}, {}, {}, "New") for a in adapted], vis, None, "New")
    assert ranked[0].source == "member:Alpha-pruned" and ranked[0].statements == [0, 1, 2, 5]
    assert ranked[0].parses and not ranked[0].undeclared and "lowerMUL" not in ranked[0].code
    assert ranked[1].source == "member:Alpha" and ranked[1].undeclared == ["lowerMUL"]


def test_the_same_statements_as_another_target_wrote_them_come_before_pruning() -> None:
    """Alpha and Beta write the same statements; the vote takes Alpha's value (the more similar), which names
    ``lowerMUL``, undeclared for the new target. Beta's own values name only visible things: that variant ranks
    first, ahead of the voted candidate, and no statement is pruned."""
    from vega_llvm.generate.generate import _adapted, _parsing_first, _written
    from vega_llvm.generate.visible import Visibility

    st = [
        Statement(0, None, 0, "function_definition", ["SDValue", "<T>TL", "::", "lowerX", "(", ")", "{"], ["}"], "TARGET_INDEPENDENT"),
        Statement(1, 0, 1, "return_statement", ["return", "<SV0>", "(", ")", ";"], [], "TARGET_SPECIFIC",
                  [Placeholder("SV0", "identifier")]),
    ]
    ms = [Member("Alpha", "Alpha", "Alpha/TL.cpp:1", "Alpha", [0, 1], {"SV0": "lowerMUL"}),
          Member("Beta", "Beta", "Beta/TL.cpp:1", "Beta", [0, 1], {"SV0": "lowerAdd"})]
    tpl = Template("t", "<T>TL.cpp", "<T>TL::lowerX", "ISel", ["Alpha", "Beta"], st, ms)
    adapted = _adapted({"t": tpl}, ["t"], {"t": {}}, {}, {"Alpha": 1.0, "Beta": 0.5}, {}, set(), {})["t"]
    assert [a.source for a in adapted] == ["member:Alpha"] and [v.source for v in adapted[0].variants] == ["member:Beta"]
    vis = object.__new__(Visibility)
    vis.spelling, vis.llvm = "New", frozenset({"SDValue"})
    vis.described, vis.generated = {"lowerAdd"}, {"lowerX", "NewTL"}
    vis.checks_own_names, vis._tblgen, vis.scopes, vis.classes, vis.owned, vis._used = True, None, {}, set(), {}, {}
    vis.headers = HeaderScopes(frozenset(), {}, {})  # no LLVM class to reach members through
    ranked = _parsing_first(tpl, [_written(tpl, a, {}, {}, {}, "New") for a in adapted], vis, None, "New")
    assert [c.source for c in ranked] == ["member:Beta", "member:Alpha"]
    assert "lowerAdd" in ranked[0].code and not ranked[0].undeclared and ranked[1].undeclared == ["lowerMUL"]


def test_a_local_whose_declaration_was_pruned_takes_its_users_with_it() -> None:
    """``MachineFunction &MF = getMF(Op);`` names ``getMF``, which the new target lacks, and goes; ``use(MF);``
    would stay and not compile (``'MF' was not declared``), though LLVM's headers, read as words, declare ``MF``
    (and a training version that uses ``MF`` as a member keeps it out of the template's locals). The candidate
    itself declared it: the statement using it goes too, and the pruned candidate ends at ``return``."""
    from vega_llvm.generate.generate import _adapted, _parsing_first, _written
    from vega_llvm.generate.visible import Visibility

    st = [
        Statement(0, None, 0, "function_definition", ["void", "<T>TL", "::", "lowerX", "(", "int", "Op", ")", "{"],
                  ["}"], "TARGET_INDEPENDENT"),
        Statement(1, 0, 1, "declaration", ["MachineFunction", "&", "MF", "=", "getMF", "(", "Op", ")", ";"], [],
                  "TARGET_SPECIFIC"),
        Statement(2, 0, 1, "expression_statement", ["use", "(", "MF", ")", ";"], [], "TARGET_INDEPENDENT"),
        Statement(3, 0, 1, "return_statement", ["return", ";"], [], "TARGET_INDEPENDENT"),
    ]
    ms = [Member("Alpha", "Alpha", "Alpha/TL.cpp:1", "Alpha", [0, 1, 2, 3], {}),
          Member("Beta", "Beta", "Beta/TL.cpp:1", "Beta", [0, 2, 3], {})]  # Beta's MF is a member of its class
    tpl = Template("t", "<T>TL.cpp", "<T>TL::lowerX", "ISel", ["Alpha", "Beta"], st, ms)
    adapted = _adapted({"t": tpl}, ["t"], {"t": {}}, {}, {"Alpha": 1.0, "Beta": 0.5}, {}, set(), {})["t"]
    vis = object.__new__(Visibility)
    vis.spelling, vis.llvm = "New", frozenset({"MachineFunction", "MF", "use"})
    vis.described, vis.generated = set(), {"lowerX", "NewTL"}
    vis.checks_own_names, vis._tblgen, vis.scopes, vis.classes, vis.owned, vis._used = True, None, {}, set(), {}, {}
    vis.headers = HeaderScopes(frozenset(), {}, {})  # no LLVM class to reach members through
    assert "MF" not in vis.template_locals(tpl)  # Beta uses MF undeclared: no local of every version
    alpha = [a for a in adapted if a.source == "member:Alpha"]
    ranked = _parsing_first(tpl, [_written(tpl, a, {}, {}, {}, "New") for a in alpha], vis, None, "New")
    assert ranked[0].source == "member:Alpha-pruned" and ranked[0].statements == [0, 3]
    assert not ranked[0].undeclared and "MF" not in ranked[0].code


def test_a_case_value_twice_in_one_switch_is_reported_and_both_cases_go() -> None:
    """LoongArch's atomic expansion dispatches over ``PseudoAtomicLoadAnd32`` and ``PseudoAtomicLoadNand32``; with
    both taken for RISC-V's ``PseudoAtomicLoadNand32`` the switch has one value twice ("duplicate case value"). The
    check reports it (nested switches are separate), and the pruned candidate keeps the other cases."""
    from vega_llvm.generate.generate import _adapted, _parsing_first, _written
    from vega_llvm.generate.prune import duplicate_cases
    from vega_llvm.generate.visible import Visibility

    assert duplicate_cases("void f(int x) { switch (x) { case A :: B : return; case C : { switch (y) { case C : "
                           "break; } } case A::B: break; default: break; } }") == ["A::B"]
    assert duplicate_cases("void f(int x) { switch (x) { case 1: case 2: break; } }") == []
    st = [
        Statement(0, None, 0, "function_definition", ["bool", "<T>X", "::", "expand", "(", "int", "Op", ")", "{"],
                  ["}"], "TARGET_INDEPENDENT"),
        Statement(1, 0, 1, "switch_statement", ["switch", "(", "Op", ")", "{"], ["}"], "TARGET_INDEPENDENT"),
        Statement(2, 1, 2, "case_statement", ["case", "<T>", "::", "<SV0>", ":"], [], "TARGET_SPECIFIC",
                  [Placeholder("SV0", "identifier")]),
        Statement(3, 2, 3, "return_statement", ["return", "true", ";"], [], "TARGET_INDEPENDENT"),
        Statement(4, 1, 2, "case_statement", ["case", "<T>", "::", "<SV1>", ":"], [], "TARGET_SPECIFIC",
                  [Placeholder("SV1", "identifier")]),
        Statement(5, 4, 3, "return_statement", ["return", "true", ";"], [], "TARGET_INDEPENDENT"),
        Statement(6, 1, 2, "case_statement", ["case", "<T>", "::", "<SV2>", ":"], [], "TARGET_SPECIFIC",
                  [Placeholder("SV2", "identifier")]),
        Statement(7, 6, 3, "return_statement", ["return", "true", ";"], [], "TARGET_INDEPENDENT"),
        Statement(8, 0, 1, "return_statement", ["return", "false", ";"], [], "TARGET_INDEPENDENT"),
    ]
    ms = [Member("Alpha", "Alpha", "Alpha/X.cpp:1", "Alpha", list(range(9)),
                 {"SV0": "NAND", "SV1": "SWAP", "SV2": "NAND"})]
    tpl = Template("t", "<T>X.cpp", "<T>X::expand", "ISel", ["Alpha"], st, ms)
    adapted = _adapted({"t": tpl}, ["t"], {"t": {}}, {}, {"Alpha": 1.0}, {}, set(), {})["t"]
    vis = object.__new__(Visibility)
    vis.spelling, vis.llvm = "New", frozenset({"Op", "NAND", "SWAP"})
    vis.described, vis.generated = set(), {"expand", "NewX"}
    vis.checks_own_names, vis._tblgen, vis.scopes, vis.classes, vis.owned, vis._used = True, None, {}, set(), {}, {}
    vis.headers = HeaderScopes(frozenset(), {}, {})  # no LLVM class to reach members through
    ranked = _parsing_first(tpl, [_written(tpl, a, {}, {}, {}, "New") for a in adapted], vis, None, "New")
    assert ranked[0].source == "member:Alpha-pruned" and ranked[0].statements == [0, 1, 4, 5, 8]
    assert not ranked[0].undeclared and "NAND" not in ranked[0].code and "SWAP" in ranked[0].code
    assert ranked[1].undeclared == ["New::NAND/case"]


def _helper() -> Template:
    """RISC-V's ``matchRegisterNameHelper`` as a template: ``RegNo = MatchRegisterName(Name); if (RegNo == 0)
    RegNo = MatchRegisterAltName(Name); else if (Name == "fp") RegNo = FP; return RegNo == 0;``."""
    st = [
        Statement(0, None, 0, "function_definition", ["static", "bool", "match", "(", ")"], [], "TARGET_INDEPENDENT"),
        Statement(1, 0, 1, "compound_statement", ["{"], ["}"], "TARGET_INDEPENDENT"),
        Statement(2, 1, 2, "expression_statement", ["RegNo", "=", "MatchRegisterName", "(", "Name", ")", ";"], [], "TARGET_INDEPENDENT"),
        Statement(3, 1, 2, "if_statement", ["if", "(", "RegNo", "==", "0", ")"], [], "TARGET_INDEPENDENT"),
        Statement(4, 3, 3, "expression_statement", ["RegNo", "=", "MatchRegisterAltName", "(", "Name", ")", ";"], [], "TARGET_INDEPENDENT"),
        Statement(5, 3, 3, "else_clause", ["else"], [], "TARGET_INDEPENDENT"),
        Statement(6, 5, 4, "if_statement", ["if", "(", "Name", "==", "\"fp\"", ")"], [], "TARGET_INDEPENDENT"),
        Statement(7, 6, 5, "expression_statement", ["RegNo", "=", "FP", ";"], [], "TARGET_INDEPENDENT"),
        Statement(8, 1, 2, "return_statement", ["return", "RegNo", "==", "0", ";"], [], "TARGET_INDEPENDENT"),
    ]
    ms = [Member("Alpha", "Alpha", "Alpha/P.cpp:1", "Alpha", list(range(9)), {})]
    return Template("h", "AsmParser.cpp", "match", "ASM", ["Alpha"], st, ms)


def test_a_kept_if_without_any_of_its_body_goes() -> None:
    """The model kept ``if (RegNo == 0)`` and not the line under it: written so, the ``return`` would be the if's
    body and the function would fall off its end whenever a register matched. Without the bare head, it reads as
    the kept lines say; a head keeps its place while any of its own body is kept."""
    from vega_llvm.generate.prune import with_bodies
    from vega_llvm.templates import instantiate

    tpl = _helper()
    assert with_bodies(tpl, list(range(9))) == list(range(9))
    assert with_bodies(tpl, [0, 1, 2, 3, 8]) == [0, 1, 2, 8]
    code = instantiate(tpl, {"statements": with_bodies(tpl, [0, 1, 2, 3, 8]), "values": {}, "spelling": "New"})
    assert "if" not in code and code.splitlines()[-2].strip() == "return RegNo == 0 ;"
    # only the else branch left: ``if (c) else ...`` is no statement; the if goes with its else
    assert with_bodies(tpl, [0, 1, 2, 3, 5, 6, 7, 8]) == [0, 1, 2, 8]
    # the inner if bare: it goes, which leaves the else bare, which goes; the outer if keeps its own body
    assert with_bodies(tpl, [0, 1, 2, 3, 4, 5, 6, 8]) == [0, 1, 2, 3, 4, 8]


def test_generation_writes_no_bare_head_for_the_model_or_a_pruned_candidate() -> None:
    """``_written`` (every adapted candidate and its variants) and the model's own statement set go through it."""
    from vega_llvm.generate.generate import _written

    tpl = _helper()
    a = type("A", (), {"values": {}, "retranslate": set(), "statements": [0, 1, 2, 3, 8], "source": "member:Alpha",
                       "score": 0.0})()
    w = _written(tpl, a, {}, {}, {}, "New")
    assert w.statements == [0, 1, 2, 8] and "if" not in w.code


def test_functions_tablegen_writes_only_where_the_description_asks_are_visible_to_that_target(llvm_src) -> None:
    """The real LLVM 16 ``.td`` files through the real ``llvm-tblgen``: RISC-V's ``AsmParser`` sets
    ``ShouldEmitMatchRegisterAltName``, so its asm matcher defines ``MatchRegisterAltName`` (how ``a0`` is parsed)
    and a candidate of ``matchRegisterNameHelper`` that calls it names nothing undeclared; XCore has no asm parser,
    so neither the matcher's functions nor the compression tables' are among its own, while the printer's are."""
    from vega_llvm.generate.visible import emitted_functions

    riscv = emitted_functions(str(llvm_src / "lib" / "Target" / "RISCV" / "RISCV.td"))
    xcore = emitted_functions(str(llvm_src / "lib" / "Target" / "XCore" / "XCore.td"))
    assert {"MatchRegisterAltName", "MatchRegisterName", "printAliasInstr", "compressInst", "decodeInstruction"} <= riscv
    assert {"printInstruction", "decodeInstruction"} <= xcore
    assert not {"MatchRegisterAltName", "MatchRegisterName", "compressInst"} & xcore
    assert emitted_functions(str(llvm_src / "lib" / "Target" / "XCore" / "NoSuch.td")) == frozenset()
