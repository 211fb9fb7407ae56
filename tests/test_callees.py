"""A mismatched call between two functions of ours is charged to the less confident one (``bootstrap.callees``),
read off the real g++'s messages."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vega_llvm.bootstrap.callees import mismatched_calls, redirect

pytestmark = pytest.mark.skipif(not shutil.which("g++"), reason="needs g++")

# XCore's case: the factory (Lanai's member) constructs the selector with one argument, the constructor the model
# wrote takes two.
UNIT = """\
struct TargetMachine {};
class DAGToDAGISel {
public:
  DAGToDAGISel(TargetMachine &TM, int OptLevel);  // line 4: the constructor's declaration
};
DAGToDAGISel *createISelDag(TargetMachine &TM) {
  return new DAGToDAGISel(TM);  // line 7: the call
}
"""


def _log(tmp_path: Path) -> str:
    (tmp_path / "unit.cpp").write_text(UNIT)
    res = subprocess.run(["g++", "-std=c++17", "-fsyntax-only", "unit.cpp"], cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode != 0
    return res.stderr


def test_the_call_and_the_callees_declarations_are_read_from_gcc(tmp_path: Path) -> None:
    calls = mismatched_calls(_log(tmp_path), tmp_path)
    unit = str((tmp_path / "unit.cpp").resolve())
    assert len(calls) == 1
    at, candidates, line = calls[0]
    assert at == (unit, 7) and "no matching function for call to" in line
    assert (unit, 4) in candidates  # the declaration (GCC also lists the implicit copy and move constructors)


def test_the_less_confident_of_caller_and_callee_is_charged(tmp_path: Path) -> None:
    calls = mismatched_calls(_log(tmp_path), tmp_path)
    unit = str((tmp_path / "unit.cpp").resolve())
    caller_of = {(unit, 7): "create<T>ISelDag"}
    decl_sites = {(unit, 4): "<T>DAGToDAGISel::<T>DAGToDAGISel"}
    error = calls[0][2]
    ctor, factory = "<T>DAGToDAGISel::<T>DAGToDAGISel", "create<T>ISelDag"

    blamed = {factory: error}
    moved = redirect(blamed, calls, caller_of, decl_sites, {factory: 0.30, ctor: 0.06}, movable={factory, ctor})
    assert moved == {ctor: factory} and list(blamed) == [ctor] and "the call is in create<T>ISelDag" in blamed[ctor]

    # the caller is the less confident, or the callee is no longer the model's (a stub, the donor's code): as GCC said
    for confidence, movable in (({factory: 0.06, ctor: 0.30}, {factory, ctor}), ({factory: 0.30, ctor: 0.0}, {factory})):
        blamed = {factory: error}
        assert redirect(blamed, calls, caller_of, decl_sites, confidence, movable) == {} and list(blamed) == [factory]
    # a caller charged with another error first keeps it
    blamed = {factory: "unit.cpp:6:3: error: 'Foo' was not declared in this scope"}
    assert redirect(blamed, calls, caller_of, decl_sites, {factory: 0.30, ctor: 0.06}, {factory, ctor}) == {}


def test_a_call_in_the_donors_code_charges_the_models_callee(tmp_path: Path) -> None:
    """The donor's factory (confidence 0 by convention) calls the model's constructor with the donor's parameters:
    the constructor is charged, whose ladder leads to the donor's own version; a donor callee stays as GCC said."""
    calls = mismatched_calls(_log(tmp_path), tmp_path)
    unit = str((tmp_path / "unit.cpp").resolve())
    ctor, factory = "<T>DAGToDAGISel::<T>DAGToDAGISel", "create<T>ISelDag"
    args = ({(unit, 7): factory}, {(unit, 4): ctor})
    blamed = {factory: calls[0][2]}
    moved = redirect(blamed, calls, *args, {factory: 0.0, ctor: 0.06}, movable={ctor}, taken_over={factory})
    assert moved == {ctor: factory} and "which is the nearest target's code" in blamed[ctor]
    blamed = {factory: calls[0][2]}
    assert redirect(blamed, calls, *args, {factory: 0.0, ctor: 0.0}, movable=set(), taken_over={factory, ctor}) == {}


# XCore's scratch TTI: a library template calls the target's method with the base's default arguments, which the
# target's declaration (written from the generated signature) does not have.
LIBRARY = """\
template <typename T> struct BasicTTIImplBase {
  int cost(int Opcode, int Kind = 0) { return 1; }
  int total() { return static_cast<T *>(this)->cost(3); }  // line 3: LLVM's call
};
"""
TARGET = """\
#include "lib/Basic.h"
struct NewTTIImpl : BasicTTIImplBase<NewTTIImpl> {
  int cost(int Opcode, int Kind);  // line 3: our declaration, no default argument
};
int use() { NewTTIImpl T; return T.total(); }  // line 5: the instantiation
"""


def _compile_tti(tmp_path: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """``TARGET`` (our TTI class, in ``target/``) compiled against ``LIBRARY``: the target folder and g++'s answer."""
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "Basic.h").write_text(LIBRARY)
    ours = tmp_path / "target"
    ours.mkdir()
    (ours / "tti.cpp").write_text(TARGET)
    res = subprocess.run(["g++", "-std=c++17", "-fsyntax-only", "-I", str(tmp_path), "target/tti.cpp"], cwd=tmp_path,
                         capture_output=True, text=True)
    return ours, res


def test_a_call_from_llvms_header_code_charges_our_callee(tmp_path: Path) -> None:
    from vega_llvm.bootstrap.callees import error_text, library_callees

    ours, res = _compile_tti(tmp_path)
    assert res.returncode != 0
    calls = mismatched_calls(res.stderr, tmp_path)
    decl = str((ours / "tti.cpp").resolve())
    charged = library_callees(calls, ours, {(decl, 3): "<T>TTIImpl::cost"})
    assert list(charged) == ["<T>TTIImpl::cost"]
    assert error_text(charged["<T>TTIImpl::cost"]).startswith("no matching function for call to")
    assert library_callees(calls, tmp_path, {(decl, 3): "<T>TTIImpl::cost"}) == {}  # a call of ours: not this rule
    # the description declares the callee as it is: the instantiating line of ours keeps the charge
    assert library_callees(calls, ours, {(decl, 3): "<T>TTIImpl::cost"}, lambda key: True) == {}


def test_a_head_as_the_description_declares_it() -> None:
    from vega_llvm.bootstrap.callees import as_declared

    declared = ["explicit XCoreMCAsmInfo(const Triple &TT);"]
    assert as_declared("XCoreMCAsmInfo :: XCoreMCAsmInfo ( const Triple & TheTriple )", declared)
    assert not as_declared("XCoreMCAsmInfo::XCoreMCAsmInfo(const Triple &TT, const MCTargetOptions &Options)", declared)
    assert not as_declared("XCoreMCAsmInfo::XCoreMCAsmInfo(const Triple &TT)", [])  # not declared: nothing to follow
    overloads = ["const XCoreSubtarget *getSubtargetImpl() const",
                 "const XCoreSubtarget *getSubtargetImpl(const Function &) const override"]
    assert as_declared("const XCoreSubtarget * XCoreTargetMachine::getSubtargetImpl(const Function&F) const", overloads)


def test_a_described_callee_is_charged_when_nothing_else_is(tmp_path: Path) -> None:
    """LLVM's template instantiated from the precompiled header names no line of ours: where the callee's head is
    as the description declares it and nothing else was charged, the callee is charged all the same, so that the
    ladder goes on instead of the loop stopping with nothing linked (RISC-V's ``getVectorInstrCost``, hiding the
    overloads LLVM's TTI model calls). With another charge, the described callee is left alone."""
    from types import SimpleNamespace

    from vega_llvm.bootstrap.pipeline import Charge, _charge_callees
    from vega_llvm.bootstrap.trees import Emitted
    from vega_llvm.emit.functions import EmitFunction

    ours, res = _compile_tti(tmp_path)
    key = "<T>TTIImpl::cost"
    em = Emitted({}, [], {}, {}, {(str((ours / "tti.cpp").resolve()), 3): key})
    fns = {key: EmitFunction(key, "TargetTransformInfo", "", "int NewTTIImpl::cost(int Opcode, int Kind)", "{}", 0.5, "model")}
    table = SimpleNamespace(details={"declarations": [
        {"name": "NewTTIImpl::cost", "kind": "decl.method", "signature": "int cost(int Opcode, int Kind);"}]})
    alone = Charge(False, 0.0, log_text=res.stderr)
    _charge_callees(alone, em, fns, ours, tmp_path, lambda _m: None, table)
    assert list(alone.blamed) == [key]
    other = Charge(False, 0.0, blamed={"<T>Other::f": "x.cpp:1: error: something"}, log_text=res.stderr)
    _charge_callees(other, em, fns, ours, tmp_path, lambda _m: None, table)
    assert list(other.blamed) == ["<T>Other::f"]
