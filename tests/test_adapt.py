"""generate/adapt.py and the single-donor functions of generate.py, on small real templates built by hand."""

from __future__ import annotations

from vega_llvm.generate.adapt import consensus, member_candidates
from vega_llvm.generate.generate import single_donor_templates
from vega_llvm.generate.visible import HeaderScopes
from vega_llvm.templates.schema import Member, Placeholder, Statement, Template


def _template(tid: str, members: list[tuple[str, list[int], dict[str, str]]]) -> Template:
    """``unsigned <T>X::f() { return <SV0>; }`` with an optional second statement ``++ <SV1> ;``."""
    stmts = [
        Statement(0, None, 0, "function_definition", ["unsigned", "<T>X", "::", "f", "(", ")", "{"], ["}"], "TARGET_INDEPENDENT"),
        Statement(1, 0, 1, "return_statement", ["return", "<SV0>", ";"], [], "TARGET_SPECIFIC", [Placeholder("SV0", "identifier")]),
        Statement(2, 0, 1, "expression_statement", ["++", "<SV1>", ";"], [], "TARGET_SPECIFIC", [Placeholder("SV1", "identifier")]),
    ]
    ms = [Member(t, t, f"{t}/X.cpp:1", t, s, v) for t, s, v in members]
    return Template(tid, "<T>X.cpp", "<T>X::f", "ISel", sorted({m.target for m in ms}), stmts, ms)


def test_consensus_counts_the_new_target_as_one_that_may_disagree() -> None:
    tpl = _template("t", [("A", [0, 1], {"SV0": "R0"}), ("B", [0, 1], {"SV0": "R0"}), ("C", [0, 1], {"SV0": "R1"})])
    from vega_llvm.templates import instantiate

    code = instantiate(tpl, {"statements": [0, 1], "values": {"SV0": "R0"}, "spelling": "New"})
    assert consensus(tpl, code, "New") == 2 / 4
    single = _template("s", [("A", [0, 1], {"SV0": "R0"})])
    assert consensus(single, instantiate(single, {"statements": [0, 1], "values": {"SV0": "R0"}, "spelling": "N"}), "N") == 0.5


def test_single_donor_templates_only_of_the_nearest_donors_and_without_rows() -> None:
    tpls = [
        _template("a", [("A", [0, 1], {"SV0": "R0"})]),
        _template("b", [("B", [0, 1], {"SV0": "R0"})]),
        _template("ab", [("A", [0, 1], {"SV0": "R0"}), ("B", [0, 1], {"SV0": "R0"})]),
        _template("a2", [("A", [0, 1], {"SV0": "R0"})]),
    ]
    assert single_donor_templates(tpls, with_rows={"ab", "a2"}, donors=["A"]) == ["a"]
    assert single_donor_templates(tpls, with_rows=set(), donors=["A", "B"]) == ["a", "a2", "b"]
    assert single_donor_templates(tpls, with_rows=set(), donors=[]) == []


def test_a_foreign_value_is_kept_until_the_model_replaces_it_and_a_shared_one_wins_the_vote() -> None:
    # A and B name a register the new target does not describe (their own R_A); C writes R0, which it has
    tpl = _template("t", [("A", [0, 1, 2], {"SV0": "R_A", "SV1": "Cnt"}), ("B", [0, 1, 2], {"SV0": "R_A", "SV1": "Cnt"}),
                          ("C", [0, 1], {"SV0": "R0"})])
    donors = {"A": {"R_A"}, "B": {"R_A"}, "C": {"R0"}}
    sim = {"A": 1.0, "B": 0.5, "C": 0.25}
    cands = member_candidates(tpl, lambda sid: None, donors, {"R0"}, sim)
    # support: {0,1,2} from A and B (1.5 of 1.75) ahead of {0,1} from C
    assert [c.statements for c in cands] == [[0, 1, 2], [0, 1]]
    first, second = cands
    assert first.values["SV0"] == "R0"  # C's value: the only one that names no record the target lacks
    assert first.values["SV1"] == "Cnt" and not first.retranslate
    only_foreign = member_candidates(_template("u", [("A", [0, 1], {"SV0": "R_A"})]), lambda sid: None, donors, {"R0"}, sim)
    assert only_foreign[0].values["SV0"] == "R_A" and only_foreign[0].retranslate == {1}
    assert only_foreign[0].foreign == ["R_A"]


def test_single_donor_templates_of_known_functions_whatever_the_donor_rank() -> None:
    tpls = [_template("a", [("A", [0, 1], {"SV0": "R0"})]), _template("b", [("B", [0, 1], {"SV0": "R0"})])]
    tpls[1].qname = "<T>X::g"
    assert single_donor_templates(tpls, set(), ["A"], {("<T>X.cpp", "<T>X::g")}) == ["a", "b"]
    assert single_donor_templates(tpls, set(), [], {("<T>X.cpp", "<T>X::g")}) == ["b"]


def test_the_first_clean_candidate_is_taken_whatever_its_rank() -> None:
    """Three training targets write the function with a helper the new target cannot see, the fourth (least similar)
    without: generation must reach the fourth, not stop at the ``--candidates`` best (on XCore 6 of 24 functions whose
    chosen code named an undeclared identifier had a clean candidate further down)."""
    from vega_llvm.generate.generate import _adapted, _parsing_first, _written
    from vega_llvm.generate.visible import Visibility

    head = Statement(0, None, 0, "function_definition", ["unsigned", "<T>X", "::", "f", "(", ")", "{"], ["}"], "TARGET_INDEPENDENT")
    ret = Statement(1, 0, 1, "return_statement", ["return", "<SV0>", ";"], [], "TARGET_SPECIFIC", [Placeholder("SV0", "identifier")])
    calls = [Statement(i, 0, 1, "expression_statement", [f"helper{i}", "(", ")", ";"], [], "TARGET_SPECIFIC") for i in (2, 3, 4)]
    members = [("A", [0, 2, 1]), ("B", [0, 3, 1]), ("C", [0, 4, 1]), ("D", [0, 1])]
    ms = [Member(t, t, f"{t}/X.cpp:1", t, s, {"SV0": "Zero"}) for t, s in members]
    tpl = Template("t", "<T>X.cpp", "<T>X::f", "ISel", sorted({m.target for m in ms}), [head, ret, *calls], ms)
    sim = {"A": 1.0, "B": 0.5, "C": 0.33, "D": 0.25}
    adapted = _adapted({"t": tpl}, ["t"], {"t": {}}, {}, sim, {}, set(), {})["t"]
    assert [a.source for a in adapted] == ["member:A", "member:B", "member:C", "member:D"]
    vis = object.__new__(Visibility)  # the real check, against a small set of visible names
    vis.spelling, vis.llvm, vis.described, vis.generated = "New", frozenset(), {"Zero"}, {"f"}  # generated: own name
    vis.checks_own_names, vis._tblgen, vis.scopes, vis.classes, vis.owned, vis._used = True, None, {}, set(), {}, {}
    vis.headers = HeaderScopes(frozenset(), {}, {})  # no LLVM class to reach members through
    ranked = _parsing_first(tpl, [_written(tpl, a, {}, {}, {}, "New") for a in adapted], vis)
    assert ranked[0].source == "member:D" and not ranked[0].undeclared
    assert [c.undeclared for c in ranked[1:]] == [["helper2"], ["helper3"], ["helper4"]]


def test_a_local_of_every_version_is_undeclared_where_the_candidate_drops_its_declaration() -> None:
    """LLVM's headers, read as words, contain ``Result`` (a parameter name somewhere); a candidate that uses the
    ``Result`` every version declares, without the statement that declares it, does not compile (XCore: ``'Result'
    was not declared``), so it must not pass as visible. A name some version uses undeclared (a member it inherits)
    is not a local."""
    from vega_llvm.generate.adapt import member_candidates
    from vega_llvm.generate.generate import _parsing_first, _written
    from vega_llvm.generate.visible import Visibility, plain_names

    head = Statement(0, None, 0, "function_definition", ["unsigned", "<T>X", "::", "f", "(", ")", "{"], ["}"], "TARGET_INDEPENDENT")
    decl = Statement(1, 0, 1, "declaration", ["unsigned", "Result", "=", "Out", ";"], [], "TARGET_SPECIFIC")
    ret = Statement(2, 0, 1, "return_statement", ["return", "Result", ";"], [], "TARGET_SPECIFIC")
    ms = [Member("A", "A", "A/X.cpp:1", "A", [0, 1, 2], {}), Member("B", "B", "B/X.cpp:1", "B", [0, 1, 2], {}),
          Member("C", "C", "C/X.cpp:1", "C", [0, 2], {})]
    tpl = Template("t", "<T>X.cpp", "<T>X::f", "ISel", ["A", "B", "C"], [head, decl, ret], ms)
    vis = object.__new__(Visibility)
    vis.spelling, vis.llvm, vis.described, vis.generated = "New", frozenset({"Result", "Out"}), set(), {"f", "NewX"}
    vis.checks_own_names, vis._tblgen, vis.scopes, vis.classes, vis.owned, vis._used = True, None, {}, set(), {}, {}
    vis.headers = HeaderScopes(frozenset(), {}, {})  # no LLVM class to reach members through
    # C uses Result undeclared (a member of its class there): not a local of this function
    assert vis.template_locals(tpl) == set()
    ms[2] = Member("C", "C", "C/X.cpp:1", "C", [0, 1, 2], {})
    vis._used.clear()  # the members read once per run are cached by template id; this one changed under its id
    assert vis.template_locals(tpl) == {"Result"}
    cands = [_written(tpl, a, {}, {}, {}, "New") for a in member_candidates(tpl, lambda sid: None, {}, set(), {"A": 1.0})]
    # a candidate whose statement set keeps the return but not the declaration
    only_return = Template("u", "<T>X.cpp", "<T>X::f", "ISel", ["D"], [head, decl, ret],
                           [Member("D", "D", "D/X.cpp:1", "D", [0, 2], {})])
    dropped = _written(tpl, member_candidates(only_return, lambda sid: None, {}, set(), {"D": 1.0})[0], {}, {}, {}, "New")
    assert vis.unknown(dropped.code, set(), vis.template_locals(tpl)) == ["Result"]
    assert vis.unknown(cands[0].code, set(), vis.template_locals(tpl)) == []
    assert vis.unknown(dropped.code, set()) == []  # what the bag of LLVM's words alone let through
    assert plain_names("a . Result + b -> c + X :: d") == {"a", "b", "X"}
    ranked = _parsing_first(tpl, [dropped, *cands], vis)
    assert ranked[0] is cands[0] and ranked[-1] is dropped


def test_a_donor_name_in_any_case_is_respelled_for_the_new_target() -> None:
    """Templates abstract a target's spelling (``Lanai`` -> ``<T>``) but not its lower- and upper-case forms:
    Lanai's ``RegisterTarget<Triple::lanai> X(..., "lanai", ...)`` kept them, and XCore's scratch backend registered
    itself as ``lanai`` (every lit test: ``invalid target 'xcore'``)."""
    from vega_llvm.generate.adapt import consensus, member_candidates
    from vega_llvm.generate.generate import _written

    tpl = _template("t", [("Lanai", [0, 1, 2], {"SV0": "Triple :: lanai", "SV1": "R_LANAI_32"}),
                          ("Sparc", [0, 1, 2], {"SV0": "Triple :: sparc", "SV1": "R_SPARC_32"})])
    cands = member_candidates(tpl, lambda sid: None, {}, set(), {"Lanai": 1.0, "Sparc": 0.5})
    code = _written(tpl, cands[0], {}, {}, {}, "XCore").code
    assert "Triple :: xcore" in code and "R_XCORE_32" in code
    assert "lanai" not in code.lower() and "sparc" not in code.lower()
    assert consensus(tpl, code, "XCore") == 2 / 3  # each target's own version, respelled, is this code


def test_a_donors_enumerator_becomes_the_targets_of_the_same_scope_and_role() -> None:
    """LoongArch's ``LoongArchISD::RET`` (abstracted ``<T>ISD :: RET``) is RISC-V's ``RISCVISD::RET_FLAG``: the
    target's enumerator in that scope sharing the most name parts; one sharing none is left for the model."""
    from types import SimpleNamespace

    from vega_llvm.generate.adapt import own_enumerators, scoped_enumerators

    riscv = SimpleNamespace(target="RISCV", namespace="RISCV", values={
        "decl.enumerator": ["RISCVISD::RET_FLAG", "RISCVISD::BR_CC", "RISCVISD::FIRST_NUMBER", "RISCVCC::COND_EQ"],
        "isd_opcode": ["RISCVISD::CALL"]})
    enums = scoped_enumerators(riscv)
    assert enums == {"<T>ISD": ["BR_CC", "CALL", "FIRST_NUMBER", "RET_FLAG"], "<T>CC": ["COND_EQ"]}
    donor, target = {"RET", "CALL", "BSTRINS", "COND_E"}, {"RET_FLAG", "BR_CC", "CALL", "COND_EQ"}
    assert own_enumerators("<T>ISD :: RET", donor, target, enums) == "<T>ISD :: RET_FLAG"
    assert own_enumerators("<T>ISD::CALL", donor, target, enums) == "<T>ISD::CALL"  # the target's own already
    assert own_enumerators("<T>ISD :: BSTRINS", donor, target, enums) == "<T>ISD :: BSTRINS"  # nothing alike
    assert own_enumerators("<T>CC :: COND_E", donor, target, enums) == "<T>CC :: COND_EQ"
    assert own_enumerators("Other :: RET", donor, target, enums) == "Other :: RET"  # not a target scope
    # taken-over code, respelled for the target, uses the scopes as the target spells them
    concrete = scoped_enumerators(riscv, abstract=False)
    assert sorted(concrete) == ["RISCVCC", "RISCVISD"]
    assert (own_enumerators("return DAG.getNode(RISCVISD::RET, DL, MVT::Other, RetOps);", donor, target, concrete)
            == "return DAG.getNode(RISCVISD::RET_FLAG, DL, MVT::Other, RetOps);")
    # in the vote: the translated value names the target's record, so it counts and no longer waits for the model
    tpl = _template("t", [("A", [0, 1], {"SV0": "<T>ISD :: RET"}), ("B", [0, 1], {"SV0": "Opc"})])
    cands = member_candidates(tpl, lambda sid: None, {"A": {"RET"}, "B": set()}, target, {"A": 1.0, "B": 0.5},
                              enumerators=enums)
    assert cands[0].values["SV0"] == "<T>ISD :: RET_FLAG" and not cands[0].retranslate


def test_a_name_in_the_targets_own_scope_that_it_does_not_declare_is_undeclared() -> None:
    """``XCore::J`` (Lanai's branch, respelled) and ``XCoreISD::BARRIER``: each name alone is a word of LLVM's
    headers, so only its scope says that XCore has no such record; both failed to compile in XCore's evaluation."""
    from vega_llvm.describe.properties import PropertyTable
    from vega_llvm.generate.visible import Visibility, target_opcodes
    from vega_llvm.llvm.toolchain import find_toolchain

    include = find_toolchain().includedir
    table = PropertyTable("New", "New", values={
        "instruction": ["New::BR"], "decl.enumerator": ["NewISD::RET", "NewISD::CALL"], "decl.class": ["NewFunctionInfo"],
        "decl.method": ["NewFunctionInfo::getVarArgsFrameIndex"]}, meta={"declarations": {"used": True}})
    vis = Visibility(table, "New", include, ["<T>InstrInfo::insertBranch"])
    assert {"PHI", "COPY", "DBG_VALUE"} <= target_opcodes(str(include))
    code = ("void f ( ) { g ( New :: BR , New :: J , New :: COPY , NewISD :: RET , NewISD :: BARRIER , ISD :: ADD ) ;\n"
            "  NewFunctionInfo :: getVarArgsFrameIndex ( ) ; NewFunctionInfo :: create ( ) ; New :: Sched :: X ; }")
    # an inherited static (``create`` of LLVM's MachineFunctionInfo) and LLVM's scopes are not the target's to check
    assert vis.foreign_members(code) == ["New::J", "NewISD::BARRIER"]
    assert {"New::J", "NewISD::BARRIER"} <= set(vis.unknown(code))
    # without its headers' declarations the target's scopes are not known well enough to judge
    table.meta = {}
    assert Visibility(table, "New", include, []).foreign_members(code) == []


def test_a_class_name_the_description_does_not_declare_becomes_the_declared_one_of_the_same_role() -> None:
    """Lanai's ``<T>MachineFunctionInfo`` is XCore's ``XCoreFunctionInfo`` (its header declares that one)."""
    from vega_llvm.describe.properties import PropertyTable
    from vega_llvm.generate.adapt import camel_parts, own_classes

    assert camel_parts("MCInstLowerFunctionInfo") == {"MC", "Inst", "Lower", "Function", "Info"}
    table = PropertyTable("New", "New", values={"decl.class": ["NewFunctionInfo", "NewInstrInfo", "NewSubtarget"],
                                                "decl.method": ["NewInstrInfo::NewInstrInfo"]})
    code = ("NewMachineFunctionInfo * FI = MF . getInfo < NewMachineFunctionInfo > ( ) ; "
            "NewGenInstrInfo X ; NewAsmPrinter P ;")
    assert own_classes(code, table, "New") == (
        "NewFunctionInfo * FI = MF . getInfo < NewFunctionInfo > ( ) ; "
        "NewGenInstrInfo X ; NewAsmPrinter P ;")
    # the function's own class stays: its group says it
    assert own_classes(code, table, "New", ["NewMachineFunctionInfo", "clone"]) == code
    # two declared classes fit alike: no choice is made
    table.values["decl.class"].append("NewMachineInfo")
    assert own_classes("NewMachineFunctionInfo", table, "New") == "NewMachineFunctionInfo"


def test_a_local_of_one_version_is_undeclared_in_a_candidate_without_its_declaration() -> None:
    """Only A declares ``Position``; B's statement set does not name it. A candidate that keeps A's use of it but not
    its declaration does not compile (XCore's ``loadRegFromStackSlot``)."""
    from vega_llvm.generate.visible import Visibility

    head = Statement(0, None, 0, "function_definition", ["unsigned", "<T>X", "::", "f", "(", ")", "{"], ["}"], "TARGET_INDEPENDENT")
    decl = Statement(1, 0, 1, "declaration", ["unsigned", "Position", "=", "Out", ";"], [], "TARGET_SPECIFIC")
    ret = Statement(2, 0, 1, "return_statement", ["return", "Position", ";"], [], "TARGET_SPECIFIC")
    other = Statement(3, 0, 1, "return_statement", ["return", "Out", ";"], [], "TARGET_SPECIFIC")
    ms = [Member("A", "A", "A/X.cpp:1", "A", [0, 1, 2], {}), Member("B", "B", "B/X.cpp:1", "B", [0, 3], {})]
    tpl = Template("t", "<T>X.cpp", "<T>X::f", "ISel", ["A", "B"], [head, decl, ret, other], ms)
    vis = object.__new__(Visibility)
    vis.spelling, vis.llvm, vis.described, vis.generated = "New", frozenset({"Position", "Out"}), set(), {"f", "NewX"}
    vis.checks_own_names, vis._tblgen, vis.scopes, vis.classes, vis.owned, vis._used = True, None, {}, set(), {}, {}
    vis.headers = HeaderScopes(frozenset(), {}, {})  # no LLVM class to reach members through
    assert vis.template_locals(tpl) == {"Position"}
    assert vis.unknown("unsigned NewX :: f ( ) {\n  return Position ;\n}", set(), vis.template_locals(tpl)) == ["Position"]
    assert vis.unknown("unsigned NewX :: f ( ) {\n  unsigned Position = Out ;\n  return Position ;\n}", set(),
                       vis.template_locals(tpl)) == []


def test_a_method_the_targets_class_does_not_declare_is_undeclared_through_a_typed_local() -> None:
    """XCore's ``LowerReturn`` took a donor's ``XFI->getSRetReturnReg()`` on ``XCoreFunctionInfo``, which declares
    no such method: the name is a word of LLVM's headers, only the local's type tells."""
    from vega_llvm.describe.properties import PropertyTable
    from vega_llvm.generate.visible import Visibility, local_classes
    from vega_llvm.llvm.toolchain import find_toolchain

    table = PropertyTable("New", "New", values={
        "decl.class": ["NewFunctionInfo", "NewSubtarget"], "feature.attribute": ["HasStdExtZbs"],
        "decl.method": ["NewFunctionInfo::getVarArgsFrameIndex", "NewSubtarget::getInstrInfo"]},
        meta={"declarations": {"used": True}})
    vis = Visibility(table, "New", find_toolchain().includedir, [])
    code = ("void f ( const NewSubtarget & STI )\n{ NewFunctionInfo * XFI = MF . getInfo < NewFunctionInfo > ( ) ;\n"
            "  auto * FI = MF . getInfo < NewFunctionInfo > ( ) ;\n  XFI -> getSRetReturnReg ( ) ; FI -> getVarArgsFrameIndex ( ) ;\n"
            "  FI -> anchor ( ) ; STI . hasStdExtZbs ( ) ; STI . isThumb1OnlyX ( ) ; Other -> getSRetReturnReg ( ) ; }")
    assert local_classes(code, {"NewFunctionInfo", "NewSubtarget"}) == {
        "STI": "NewSubtarget", "XFI": "NewFunctionInfo", "FI": "NewFunctionInfo"}
    # anchor: LLVM's MachineFunctionInfo has it (a base); hasStdExtZbs: tblgen's getter of a feature attribute
    assert vis.foreign_methods(code) == ["NewFunctionInfo::getSRetReturnReg", "NewSubtarget::isThumb1OnlyX"]
    assert "NewFunctionInfo::getSRetReturnReg" in vis.unknown(code)


def test_only_versions_of_the_same_overload_vote_on_a_candidates_values() -> None:
    """A (the most similar) wrote a helper overload ``f(int Alias)`` in the same group as the ``f(unsigned Address)``
    B and C wrote; B's statement set must not take A's ``Alias`` for its placeholder."""
    from vega_llvm.generate.adapt import overloads

    head = Statement(0, None, 0, "function_definition", ["void", "<T>P", "::", "f", "(", "<SV0>", "<SV1>", ")", "{"], ["}"],
                     "TARGET_SPECIFIC", [Placeholder("SV0", "type"), Placeholder("SV1", "identifier")])
    call = Statement(1, 0, 1, "expression_statement", ["g", "(", "<SV2>", ")", ";"], [], "TARGET_SPECIFIC",
                     [Placeholder("SV2", "identifier")])
    extra = Statement(2, 0, 1, "expression_statement", ["h", "(", ")", ";"], [], "TARGET_SPECIFIC")
    ms = [Member("A", "A", "A/P.cpp:1", "A", [0, 1, 2], {"SV0": "int", "SV1": "Alias", "SV2": "Alias"}),
          Member("B", "B", "B/P.cpp:1", "B", [0, 1], {"SV0": "unsigned", "SV1": "Address", "SV2": "Address"}),
          Member("C", "C", "C/P.cpp:1", "C", [0, 1], {"SV0": "unsigned", "SV1": "Address", "SV2": "Address"})]
    tpl = Template("t", "<T>P.cpp", "<T>P::f", "EMI", ["A", "B", "C"], [head, call, extra], ms)
    assert overloads(tpl) == {"A": ("int",), "B": ("unsigned",), "C": ("unsigned",)}
    cands = member_candidates(tpl, lambda sid: None, {}, set(), {"A": 1.0, "B": 0.3, "C": 0.3})
    mine = next(c for c in cands if c.statements == [0, 1])
    assert mine.values == {"SV0": "unsigned", "SV1": "Address", "SV2": "Address"}


def test_another_targets_method_of_a_class_the_description_declares_is_not_visible() -> None:
    """The groups hold PowerPC's ``<T>Subtarget::isAIXABI``; XCore's header declares ``XCoreSubtarget`` without it,
    so a candidate calling ``Subtarget.isAIXABI()`` names something XCore does not have. A class the description
    does not declare (an ``AsmPrinter`` defined in its ``.cpp``) keeps every method of its groups."""
    from vega_llvm.describe.properties import PropertyTable
    from vega_llvm.generate.generate import _visibility

    table = PropertyTable("New", "New", values={"decl.class": ["NewSubtarget"], "decl.method": ["NewSubtarget::getFoo"]},
                          meta={"declarations": {"used": True}})
    vis = _visibility(table, "New", ["<T>Subtarget::isAIXABIX", "<T>Subtarget::getFoo", "<T>AsmPrinter::emitFooX"])
    assert {"NewSubtarget", "getFoo", "NewAsmPrinter", "emitFooX"} <= vis.generated and "isAIXABIX" not in vis.generated
    assert vis.unknown("void f ( ) { Subtarget . isAIXABIX ( ) ; emitFooX ( ) ; }") == ["isAIXABIX"]


def test_only_the_targets_known_functions_are_there_to_call() -> None:
    """In an evaluation each function goes into the target's real backend: a group of the templates that the target
    does not have (another target's ``create<T>MCCodeEmitter``) is no function it can call. Without that knowledge
    (a new target) every generated function is written beside the others."""
    from vega_llvm.describe.properties import PropertyTable
    from vega_llvm.generate.generate import _visibility

    table = PropertyTable("New", "New", values={}, meta={"declarations": {"used": True}})
    groups = ["create<T>MCCodeEmitterX", "<T>InstrInfo::copyPhysRegX"]
    code = "void f ( ) { createNewMCCodeEmitterX ( ) ; }"
    assert _visibility(table, "New", groups).unknown(code) == []
    known = _visibility(table, "New", groups, {"<T>InstrInfo::copyPhysRegX"})
    assert "copyPhysRegX" in known.generated and known.unknown(code) == ["createNewMCCodeEmitterX"]


def test_a_class_scope_name_of_llvms_headers_is_visible_only_where_the_class_derives_from_it() -> None:
    """LLVM's headers hold ``ConstraintCode`` only as a parameter name and ``OutStreamer`` only as a member of
    ``AsmPrinter``: a bag of their words would let both pass anywhere. Two training targets' ``AsmPrinter`` methods
    use ``OutStreamer`` and ``OutContext`` on their own, so the new target's may too, and every other member of
    ``AsmPrinter`` and its bases (``emitSpecialLLVMGlobal``); a name only one donor's version uses
    (``InitializeWasm``) is no evidence, and a free function draws on no class at all."""
    from vega_llvm.describe.properties import PropertyTable
    from vega_llvm.generate.visible import Visibility, llvm_header_scopes
    from vega_llvm.llvm.toolchain import find_toolchain

    include = find_toolchain().includedir
    scopes = llvm_header_scopes(str(include))
    assert {"ConstraintCode", "OutStreamer", "emitSpecialLLVMGlobal", "InitializeWasm"} <= scopes.scoped
    assert not {"BuildMI", "ISD", "MVT", "report_fatal_error", "Opcode"} & scopes.scoped  # namespace scope or .def
    assert "AsmPrinter" in scopes.bases.get("X86AsmPrinter", set()) or "MachineFunctionPass" in scopes.bases["AsmPrinter"]

    def printer(tid: str, qname: str, uses: dict[str, str]) -> Template:
        head = Statement(0, None, 0, "function_definition", ["void", *qname.split("::")[:-1], "::",
                                                             qname.split("::")[-1], "(", ")", "{"], ["}"], "TARGET_INDEPENDENT")
        body = Statement(1, 0, 1, "expression_statement", ["<SV0>", "(", ")", ";"], [], "TARGET_SPECIFIC",
                         [Placeholder("SV0", "identifier")])
        ms = [Member(t, t, f"{t}/P.cpp:1", t, [0, 1], {"SV0": v}) for t, v in uses.items()]
        return Template(tid, "<T>P.cpp", qname, "EMI", sorted(uses), [head, body], ms)

    emit = printer("e", "<T>AsmPrinter::emitX", {"A": "OutStreamer -> emit", "B": "OutStreamer -> emit"})
    other = printer("o", "<T>AsmPrinter::emitY", {"A": "OutContext . reset", "B": "OutContext . reset"})
    init = printer("i", "<T>ObjFile::Initialize", {"A": "InitializeWasm", "B": "InitializeELF"})
    free = printer("f", "helperX", {"A": "OutStreamer -> emit", "B": "OutStreamer -> emit"})
    free.qname, free.statements[0].tokens[1:4] = "helperX", ["", "", "helperX"]
    table = PropertyTable("New", "New", values={}, meta={"declarations": {"used": True}})
    vis = Visibility(table, "New", include, ["<T>AsmPrinter", "emitX", "<T>ObjFile", "Initialize", "helperX"],
                     [emit, other, init, free])
    assert {"OutStreamer", "OutContext", "emitSpecialLLVMGlobal"} <= vis.in_scope(emit)
    code = "void NewAsmPrinter :: emitX ( ) {\n  OutStreamer -> emit ( ) ; emitSpecialLLVMGlobal ( ) ; f ( ConstraintCode ) ;\n}"
    assert vis.unknown(code, set(), set(), vis.in_scope(emit)) == ["ConstraintCode"]
    assert vis.unknown(code, set(), set()) == []  # the bag of words alone lets it pass
    assert "InitializeWasm" in vis.unknown("void NewObjFile :: Initialize ( ) { InitializeWasm ( ) ; }", set(), set(),
                                           vis.in_scope(init))
    assert vis.unknown("void helperX ( ) { OutStreamer -> emit ( ) ; emitSpecialLLVMGlobal ( ) ; }", set(), set(),
                       vis.in_scope(free)) == ["emitSpecialLLVMGlobal"]


def test_another_targets_intrinsic_is_undeclared_and_the_targets_own_is_not() -> None:
    """Each target's intrinsics are declared in its own ``llvm/IR/Intrinsics<T>.h``, which only its files include:
    WebAssembly's ``Intrinsic::wasm_bitmask`` in an XCore function does not compile (XCore's
    ``computeKnownBitsForTargetNode`` failed on it), though the bag of LLVM's words has it. The description lists
    the target's own (``intrinsic``: ``xcore_bitrev``); the common ones (``memcpy``) are everyone's."""
    from vega_llvm.describe.properties import PropertyTable
    from vega_llvm.generate.visible import Visibility, foreign_intrinsics
    from vega_llvm.llvm.toolchain import find_toolchain

    include = find_toolchain().includedir
    foreign = foreign_intrinsics(str(include), ["xcore_bitrev"])
    assert "wasm_bitmask" in foreign and "xcore_bitrev" not in foreign and "memcpy" not in foreign
    assert "xcore_crc8" in foreign  # not in the given list: the description is what says which are the target's
    table = PropertyTable("XCore", "XCore", values={"intrinsic": ["xcore_bitrev"]})
    vis = Visibility(table, "XCore", include, [])
    code = "void f ( unsigned ID ) { g ( Intrinsic :: xcore_bitrev , Intrinsic :: memcpy , Intrinsic :: wasm_bitmask ) ; }"
    assert vis.unknown(code) == ["wasm_bitmask"]


def test_a_member_of_another_of_the_targets_classes_is_undeclared_unless_the_donors_inherit_it() -> None:
    """``Subtarget`` in a frame lowering method: the new target declares it as its target lowering's member only
    (RISC-V's frame lowering holds ``STI``), and the training targets that use it there declare it in their own
    frame lowering, so the new target's class would have to as well: it does not compile (RISC-V's
    ``restoreCalleeSavedRegisters``). ``getFrameLowering`` is also only another class's member in the description,
    but the training targets use it in classes that do not declare it (tblgen's ``<T>GenRegisterInfo`` holds it):
    inherited, so visible. Without header declarations nothing is judged."""
    from vega_llvm.describe.properties import PropertyTable
    from vega_llvm.generate.visible import Visibility
    from vega_llvm.llvm.toolchain import find_toolchain
    from vega_llvm.templates.schema import Member, Statement, Template

    def template(qname: str, use: str) -> Template:
        stmts = [Statement(0, None, 0, "function_definition", ["void", *qname.split("::")[:1], "::",
                                                               qname.split("::")[1], "(", ")", "{"], ["}"],
                           "TARGET_INDEPENDENT"),
                 Statement(1, 0, 1, "expression_statement", ["f", "(", use, ")", ";"], [], "TARGET_INDEPENDENT")]
        ms = [Member(t, t, f"{t}/X.cpp:1", t, [0, 1], {}) for t in ("A", "B")]
        return Template(qname, "<T>X.cpp", qname, "REG", ["A", "B"], stmts, ms)

    frame = template("<T>FrameLowering::emitEpilogue", "Subtarget")
    regs = template("<T>RegisterInfo::getFrameRegister", "getFrameLowering")
    new = PropertyTable("New", "New", values={
        "decl.class": ["NewFrameLowering", "NewTargetLowering", "NewRegisterInfo", "NewSubtarget"],
        # a const reference member is recorded as a constant of the class (``const NewSubtarget &Subtarget;``),
        # and the ``.td``'s C++ fragments use the selector's ``Subtarget``: neither declares it outside a class
        "decl.field": ["NewFrameLowering::STI"], "decl.constant": ["NewTargetLowering::Subtarget"],
        "td_code": ["Subtarget"],
        "decl.method": ["NewSubtarget::getFrameLowering", "NewRegisterInfo::getFrameRegister"]},
        meta={"declarations": {"used": True}})
    # B's C++ namespace is not its classes' spelling (Sparc's ``SP``): its classes are read as its versions spell them
    donors = {t: PropertyTable(t, ns, values={"decl.field": [f"{t}FrameLowering::Subtarget"],
                                              "decl.method": [f"{t}Subtarget::getFrameLowering"]})
              for t, ns in (("A", "A"), ("B", "NS"))}
    vis = Visibility(new, "New", find_toolchain().includedir, [frame.qname, regs.qname], [frame, regs], donors)
    assert vis.other_class_members("void NewFrameLowering::emitEpilogue() {\n  f(Subtarget);\n}", frame) == ["Subtarget"]
    assert vis.other_class_members("void NewFrameLowering::emitEpilogue() {\n  f(STI);\n}", frame) == []
    assert vis.other_class_members("void NewRegisterInfo::getFrameRegister() {\n  f(getFrameLowering);\n}", regs) == []
    new.meta = {}
    assert Visibility(new, "New", find_toolchain().includedir, [], [frame], donors).other_class_members(
        "void NewFrameLowering::emitEpilogue() {\n  f(Subtarget);\n}", frame) == []


def test_a_member_that_no_llvm_class_of_the_variable_declares_is_undeclared() -> None:
    """``VT.getSimpleVT()`` where ``VT`` is an ``MVT`` (a donor's ``EVT``'s member) and ``Val.isVector()`` where
    ``Val`` is an ``SDValue``: RISC-V's ``getContainerForFixedLengthVector`` and ``isZExtFree`` failed to compile on
    them. Members of the class or of a base (``MachineFunction`` is declared with an export macro between ``class``
    and its name) pass; a name declared with two types in two scopes, and a class the headers' parse gives no
    members of (``SelectionDAG``'s body defeats tree-sitter), are not judged."""
    from vega_llvm.describe.properties import PropertyTable
    from vega_llvm.generate.visible import Visibility
    from vega_llvm.llvm.toolchain import find_toolchain

    table = PropertyTable("New", "New", values={}, meta={"declarations": {"used": True}})
    vis = Visibility(table, "New", find_toolchain().includedir, [])
    code = ("static MVT f(MVT VT, SDValue Val, MachineFunction &MF, SelectionDAG &DAG) {\n"
            "  if (Val.isVector() || DAG.isBeforeLegalize()) return VT.getSimpleVT();\n"
            "  MF.getSubtarget(); MF.getFrameInfo(); Val.getValueType(); VT.getSizeInBits();\n"
            "  return VT.getVectorElementType();\n}")
    assert vis.foreign_llvm_members(code) == ["MVT::getSimpleVT", "SDValue::isVector"]
    assert {"MVT::getSimpleVT", "SDValue::isVector"} <= set(vis.unknown(code))
    twice = "void f() {\n  { SDValue V; V.getNode(); }\n  { MVT V; V.getSimpleVT(); }\n}"
    assert vis.foreign_llvm_members(twice) == []


def test_a_name_every_training_target_declares_in_its_headers_is_no_convention_the_target_lacks() -> None:
    """``create<T>MCCodeEmitter`` is written by every training target's ``LLVMInitialize<T>TargetMC`` and declared
    in each one's headers: each author writes it, and XCore has none (its registration did not compile).
    ``Init<T>MCInstrInfo`` is tblgen's, declared in no target's headers: a convention still."""
    from vega_llvm.describe.properties import PropertyTable
    from vega_llvm.generate.visible import Visibility
    from vega_llvm.llvm.toolchain import find_toolchain

    stmts = [Statement(0, None, 0, "function_definition", ["void", "LLVMInitialize<T>TargetMC", "(", ")", "{"], ["}"],
                       "TARGET_INDEPENDENT"),
             Statement(1, 0, 1, "expression_statement", ["f", "(", "create<T>MCCodeEmitter", ",",
                                                          "Init<T>MCInstrInfo", ")", ";"], [], "TARGET_INDEPENDENT")]
    tpl = Template("t", "<T>MCTargetDesc.cpp", "LLVMInitialize<T>TargetMC", "MC", ["A", "B"], stmts,
                   [Member(t, t, f"{t}/X.cpp:1", t, [0, 1], {}) for t in ("A", "B")])
    donors = {t: PropertyTable(t, t, values={"decl.function": [f"create{t}MCCodeEmitter"]}) for t in ("A", "B")}
    new = PropertyTable("New", "New", values={"decl.class": ["NewInstrInfo"]}, meta={"declarations": {"used": True}})
    vis = Visibility(new, "New", find_toolchain().includedir, [tpl.qname], [tpl], donors)
    assert vis.conventions(tpl) == {"LLVMInitializeNewTargetMC", "InitNewMCInstrInfo"}
    code = "void LLVMInitializeNewTargetMC()\n{\n  f(createNewMCCodeEmitter, InitNewMCInstrInfo);\n}"
    assert vis.unknown(code, vis.conventions(tpl)) == ["createNewMCCodeEmitter"]
    new.values["decl.function"] = ["createNewMCCodeEmitter"]  # the target declares it: its own
    vis = Visibility(new, "New", find_toolchain().includedir, [tpl.qname], [tpl], donors)
    assert vis.conventions(tpl) == {"LLVMInitializeNewTargetMC", "InitNewMCInstrInfo", "createNewMCCodeEmitter"}


def test_a_candidates_own_writers_fill_its_slots_before_the_other_statement_sets() -> None:
    """ARC aligns the function and returns ``AsmPrinter::runOnMachineFunction(MF)``; the targets that print the body
    themselves return ``false`` after it. ARC's statement set keeps ARC's value (XCore's scratch printed no function
    with the majority's); where its writers' value names what the target lacks, the vote of all stands."""
    tpl = _template("t", [("A", [0, 1], {"SV0": "false"}), ("B", [0, 1], {"SV0": "false"}),
                          ("C", [0, 1, 2], {"SV0": "Base", "SV1": "Cnt"}), ("D", [0, 1, 2], {"SV0": "R_D", "SV1": "Cnt"})])
    sim = {"A": 1.0, "B": 0.9, "C": 0.5, "D": 0.4}
    cands = {tuple(c.statements): c for c in member_candidates(tpl, lambda sid: None, {"D": {"R_D"}}, set(), sim)}
    assert cands[(0, 1)].values["SV0"] == "false"
    assert cands[(0, 1, 2)].values["SV0"] == "Base"  # C's own, not the majority's ``false``
    foreign = _template("u", [("A", [0, 1], {"SV0": "false"}), ("D", [0, 1, 2], {"SV0": "R_D", "SV1": "Cnt"})])
    only = {tuple(c.statements): c for c in member_candidates(foreign, lambda sid: None, {"D": {"R_D"}}, set(), sim)}
    assert only[(0, 1, 2)].values["SV0"] == "false" and not only[(0, 1, 2)].retranslate


def test_a_name_tablegen_writes_into_every_backend_is_visible_where_most_training_versions_use_it() -> None:
    """``SelectCode`` is printed by LLVM's TableGen (``<T>GenDAGISel.inc``) into every backend's selector: no LLVM
    header has the word, no target's header declares it, and every training ``Select`` ends with it, so the new
    target's may call it too. A word TableGen does not print (``SelectOther``), one a training target's header
    declares, or one of too few writers stays undeclared."""
    from vega_llvm.describe.properties import PropertyTable
    from vega_llvm.generate.visible import Visibility, tblgen_words
    from vega_llvm.llvm.toolchain import find_toolchain
    from vega_llvm.paths import llvm_src_root

    assert {"SelectCode", "MatchInstructionImpl", "decodeInstruction"} <= tblgen_words(str(llvm_src_root()))

    def select(tid: str, writers: dict[str, str]) -> Template:
        head = Statement(0, None, 0, "function_definition", ["void", "<T>DAGToDAGISel", "::", "Select", "(", "SDNode",
                                                             "*", "N", ")", "{"], ["}"], "TARGET_INDEPENDENT")
        body = Statement(1, 0, 1, "expression_statement", ["<SV0>", "(", "N", ")", ";"], [], "TARGET_SPECIFIC",
                         [Placeholder("SV0", "identifier")])
        ms = [Member(t, t, f"{t}/S.cpp:1", t, [0, 1], {"SV0": v}) for t, v in writers.items()]
        return Template(tid, "<T>ISelDAGToDAG.cpp", "<T>DAGToDAGISel::Select", "SEL", sorted(writers), [head, body], ms)

    code = "void NewDAGToDAGISel :: Select ( SDNode * N ) {\n  {} ( N ) ;\n}"
    donors = {t: PropertyTable(t, t, values={"decl.method": [f"{t}DAGToDAGISel::runOnMachineFunction"]})
              for t in "ABCD"}
    table = PropertyTable("New", "New", values={}, meta={"declarations": {"used": True}})

    def unknown(tpl: Template, name: str, donor_tables: dict[str, PropertyTable] = donors) -> list[str]:
        vis = Visibility(table, "New", find_toolchain().includedir, [], [tpl], donor_tables)
        return vis.unknown(code.replace("{}", name), vis.conventions(tpl), set(), vis.in_scope(tpl))

    most = {"A": "SelectCode", "B": "SelectCode", "C": "SelectCode", "D": "SelectOther"}
    assert unknown(select("s", most), "SelectCode") == []
    assert unknown(select("s", {t: "SelectOther" for t in "ABC"}), "SelectOther") == ["SelectOther"]
    assert unknown(select("s", {"A": "SelectCode", "B": "SelectCode"}), "SelectCode") == ["SelectCode"]
    declaring = {**donors, "A": PropertyTable("A", "A", values={"decl.method": ["ADAGToDAGISel::SelectCode"]})}
    assert unknown(select("s", most), "SelectCode", declaring) == ["SelectCode"]


def test_virtual_registers_are_made_of_an_allocatable_class_of_the_same_type() -> None:
    """XCore's ``RRegs`` (its reserved ``CP``, ``DP``, ``SP``, ``LR``) is not allocatable: a virtual register of it
    never gets a register. Passed to ``createVirtualRegister`` or ``addLiveIn`` it becomes the allocatable class of
    the same type (``GRRegs``); elsewhere (a constraint's class, a membership test) it stays; a class that shares no
    value type with any allocatable one stays too."""
    from vega_llvm.describe.properties import PropertyTable
    from vega_llvm.generate.adapt import own_allocatable

    regs = [{"name": "GRRegs", "types": ["i32"], "size": 32, "allocatable": True, "members": [f"R{i}" for i in range(12)]},
            {"name": "RRegs", "types": ["i32"], "size": 32, "allocatable": False, "members": ["CP", "DP", "SP", "LR"]},
            {"name": "Flags", "types": ["f80"], "size": 80, "allocatable": False, "members": ["F"]}]
    table = PropertyTable("XCore", "XCore", values={}, details={"register_classes": regs})
    code = ("{ Register V = RegInfo.createVirtualRegister(&XCore::RRegsRegClass);\n"
            "  MF.addLiveIn(XCore::LR, &XCore::RRegsRegClass);\n"
            "  if (XCore::RRegsRegClass.contains(Reg)) return std::make_pair(0U, &XCore::RRegsRegClass);\n"
            "  Register F = RegInfo.createVirtualRegister(&XCore::FlagsRegClass); }")
    out = own_allocatable(code, table)
    assert "createVirtualRegister(&XCore::GRRegsRegClass)" in out and "addLiveIn(XCore::LR, &XCore::GRRegsRegClass)" in out
    assert "XCore::RRegsRegClass.contains(Reg)" in out and "make_pair(0U, &XCore::RRegsRegClass)" in out
    assert "createVirtualRegister(&XCore::FlagsRegClass)" in out
    assert own_allocatable("{ return 0; }", table) == "{ return 0; }"
