"""LLVM's own implementation as the last resort of a hook no candidate can write (``generate/defaults.py``)."""

from __future__ import annotations

from pathlib import Path

from vega_llvm.generate.defaults import declaring_base, forwarding_code, llvm_hooks
from vega_llvm.generate.visible import HeaderScopes
from vega_llvm.templates.schema import Member, Placeholder, Statement, Template


def test_the_forwarding_call_passes_the_functions_own_arguments() -> None:
    head = "bool XCoreInstrInfo :: isAsCheapAsAMove ( const MachineInstr & MI , int & N ) const"
    code = forwarding_code(head, "XCoreInstrInfo :: isAsCheapAsAMove", "TargetInstrInfo", "XCore")
    assert code == f"{head}\n  {{\n    return TargetInstrInfo :: isAsCheapAsAMove ( MI , N ) ;\n  }}"
    void = "void XCoreFrameLowering :: f ( MachineFunction & MF ) const"
    assert "    TargetFrameLowering :: f ( MF ) ;" in forwarding_code(void, "XCoreFrameLowering :: f", "TargetFrameLowering")
    # nothing to forward: an unnamed parameter, a static function, a constructor, a covariant return
    assert forwarding_code("bool X :: f ( const MachineInstr & ) const", "X :: f", "B") is None
    assert forwarding_code("static bool X :: f ( int A )", "X :: f", "B") is None
    assert forwarding_code("X :: X ( int A )", "X :: X", "B") is None
    assert forwarding_code("const XCoreSubtarget * XCoreTargetMachine :: getSubtargetImpl ( const Function & F ) const",
                           "XCoreTargetMachine :: getSubtargetImpl", "TargetMachine", "XCore") is None


def test_hooks_without_a_default_to_call_are_told_apart(tmp_path: Path) -> None:
    (tmp_path / "llvm" / "CodeGen").mkdir(parents=True)
    (tmp_path / "llvm" / "CodeGen" / "Hooks.h").write_text(
        "class TargetThing {\n"
        "  virtual bool hasDefault(const MachineInstr &MI) const { return false; }\n"
        "  virtual bool outOfLine(int A,\n                         int B) const;\n"
        "  virtual void mustWrite(MachineFunction &MF) = 0;\n"
        "  virtual outliner::OutlinedFunction stops(\n      std::vector<int> &Seq) const {\n"
        "    llvm_unreachable(\"Target didn't implement TargetThing::stops!\");\n  }\n"
        "  bool notVirtual(int A);\n};\n")
    virtual, pure = llvm_hooks(str(tmp_path))
    assert {"hasDefault", "outOfLine", "mustWrite", "stops"} <= virtual and "notVirtual" not in virtual
    assert pure == {"mustWrite", "stops"}


class _Bases:
    """The two things ``declaring_base`` asks of ``visible.Visibility``: the LLVM classes the function's class is
    read to derive from, and LLVM's header scopes."""

    def __init__(self, bases: set[str], headers: HeaderScopes):
        self._bases, self.headers = bases, headers

    def llvm_bases(self, template: object) -> set[str]:
        return self._bases


def _hook(qname: str) -> Template:
    head = Statement(0, None, 0, "function_definition", ["void", *qname.split("::")[:1], "::", "f", "(", ")", "{"],
                     ["}"], "TARGET_INDEPENDENT")
    return Template("t", "<T>X.cpp", qname, "ISel", ["A"], [head], [Member("A", "A", "A/X.cpp:1", "A", [0], {})])


def test_the_base_is_the_most_derived_llvm_class_that_declares_the_hook() -> None:
    headers = HeaderScopes(frozenset(), {"Pass": frozenset({"getAnalysisUsage"}),
                                         "MachineFunctionPass": frozenset({"getAnalysisUsage", "runOnMachineFunction"}),
                                         "TargetLoweringBase": frozenset({"getTgtMemIntrinsic"}),
                                         "TargetLowering": frozenset({"EmitInstrWithCustomInserter"})},
                           {"MachineFunctionPass": frozenset({"FunctionPass"}), "FunctionPass": frozenset({"Pass"}),
                            "TargetLowering": frozenset({"TargetLoweringBase"})})
    passes = _Bases({"MachineFunctionPass", "FunctionPass", "Pass"}, headers)
    assert declaring_base(passes, _hook("<T>ExpandPseudo::getAnalysisUsage"), "getAnalysisUsage") == "MachineFunctionPass"
    assert declaring_base(passes, _hook("<T>ExpandPseudo::f"), "f") is None
    # the training versions draw on TargetLoweringBase; LLVM's class of the role (``TargetLowering``) derives from it
    lowering = _Bases({"TargetLoweringBase"}, headers)
    hook = _hook("<T>TargetLowering::EmitInstrWithCustomInserter")
    assert declaring_base(lowering, hook, "EmitInstrWithCustomInserter") == "TargetLowering"
    assert declaring_base(lowering, hook, "getTgtMemIntrinsic") == "TargetLoweringBase"


def test_a_hook_no_candidate_can_write_calls_llvms_default() -> None:
    """Every training version calls a helper of its own target, which the new target does not declare: the best of
    them was emitted, a certain compile error (51 of RISC-V's 517 tested functions). The hook of an LLVM class with a
    default comes first as a call of that default; the candidates follow it."""
    from vega_llvm.generate.adapt import member_candidates
    from vega_llvm.generate.generate import _parsing_first, _written
    from vega_llvm.generate.visible import Visibility

    head = Statement(0, None, 0, "function_definition",
                     ["bool", "<T>InstrInfo", "::", "isAsCheapAsAMove", "(", "const", "MachineInstr", "&", "MI", ")",
                      "const", "{"], ["}"], "TARGET_INDEPENDENT")
    ret = Statement(1, 0, 1, "return_statement", ["return", "<SV0>", "(", "MI", ")", "&&", "get", "(", "MI", ")", "&&",
                                                      "getRegisterInfo", "(", ")", ";"],
                    [], "TARGET_SPECIFIC", [Placeholder("SV0", "identifier")])
    ms = [Member(t, t, f"{t}/X.cpp:1", t, [0, 1], {"SV0": v}) for t, v in (("Foo", "lookUp"), ("Bar", "findIt"))]
    tpl = Template("t", "<T>InstrInfo.cpp", "<T>InstrInfo::isAsCheapAsAMove", "ISel", ["Bar", "Foo"], [head, ret], ms)
    vis = object.__new__(Visibility)
    vis.spelling, vis.described, vis.generated = "New", set(), {"isAsCheapAsAMove", "NewInstrInfo"}
    vis.llvm = frozenset({"get", "getRegisterInfo", "MachineInstr", "TargetInstrInfo", "isAsCheapAsAMove"})
    vis.checks_own_names, vis._tblgen, vis.scopes, vis.classes, vis._used = True, None, {}, set(), {}
    vis.owned, vis._in_class, vis._inherited = {"<T>InstrInfo": [tpl]}, {}, {}
    # the training versions use ``get`` and ``getRegisterInfo`` of TargetInstrInfo without declaring them
    inherited = frozenset({"get", "getRegisterInfo"})
    vis.headers = HeaderScopes(inherited, {"TargetInstrInfo": inherited | {"isAsCheapAsAMove"}}, {})
    cands = [_written(tpl, a, {}, {}, {}, "New") for a in member_candidates(tpl, lambda sid: None, {}, set(), {"Foo": 1.0, "Bar": 0.5})]
    assert vis.llvm_bases(tpl) == {"TargetInstrInfo"}
    ranked = _parsing_first(tpl, cands, vis)
    assert ranked[0].source == "llvm-default" and not ranked[0].undeclared
    assert "return TargetInstrInfo :: isAsCheapAsAMove ( MI ) ;" in ranked[0].code
    assert ranked[1:] and all(c.undeclared for c in ranked[1:])
    # a function that is no LLVM hook keeps its candidates
    other = Template("u", "<T>InstrInfo.cpp", "<T>InstrInfo::isCheapish", "ISel", ["Bar", "Foo"], [head, ret], ms)
    assert _parsing_first(other, cands, vis)[0].source != "llvm-default"
