"""The repair ladder (``vega_llvm.bootstrap.repair``): each step on its own, on what the real g++ says about small
functions written the way ``emit`` renders them, then the ladders climbed round by round and what the report says.

The compiler lines are g++ 12's own: the files are compiled here (``-fsyntax-only``), or, where noted, copied from
such a run."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from vega_llvm.backend_build.cmake import parse_compiler_errors
from vega_llvm.bootstrap.repair import (
    LAST, RUNTIME, SCRATCH, SWAP, Charged, RepairState, climb, donor_code, fix_arguments, leave_out, missing_names,
    next_candidate, real_body, remove_statements, repair_head, repair_round, stub, uses_missing,
)
from vega_llvm.bootstrap.arguments import argument_fixes, indirection
from vega_llvm.emit.functions import Candidate, EmitFunction, load_results

needs_gxx = pytest.mark.skipif(not shutil.which("g++"), reason="needs g++")

# g++ 12 (LC_ALL=C g++ -std=c++17 -fsyntax-only XCoreInstrInfo.cpp) on a copyPhysReg whose lines 7-9 are the model's
# first candidate, its second, the nearest target's code and a stub without its header, as the build loop keeps them
# (``str(CompilerError)``: file, line, message)
GXX = """\
XCoreInstrInfo.cpp:7:3: error: 'emitLanaiCopy' was not declared in this scope
XCoreInstrInfo.cpp:8:3: error: 'copyLanai' was not declared in this scope
XCoreInstrInfo.cpp:8:45: error: 'ADD_R' is not a member of 'XCore'
XCoreInstrInfo.cpp:9:3: error: 'report_fatal_error' was not declared in this scope
"""
ERRORS = [str(e) for e in parse_compiler_errors(GXX)]
UNDECLARED = ERRORS[0]


def _compile(path: Path, text: str) -> tuple[list[tuple[tuple[str, int], str]], dict[int, set[int]]]:
    """The errors g++ reports for ``text`` (as the build loop keeps them: (file, line), message) and their columns
    by line."""
    path.write_text(text)
    res = subprocess.run(["g++", "-std=c++17", "-fsyntax-only", path.name], cwd=path.parent, capture_output=True,
                         text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"})
    assert res.returncode != 0
    errors = parse_compiler_errors(res.stderr, cwd=path.parent)
    assert errors, res.stderr
    cols: dict[int, set[int]] = {}
    for e in errors:
        cols.setdefault(e.line, set()).add(e.col)
    return [((e.file, e.line), str(e)) for e in errors], cols


def _model(key: str = "<T>InstrInfo::copyPhysReg", body: str = "{\n  emitLanaiCopy(DestReg, SrcReg);\n}",
           alternatives: list[Candidate] | None = None) -> EmitFunction:
    return EmitFunction(key, "InstrInfo", "", "void XCoreInstrInfo::copyPhysReg(unsigned DestReg, unsigned SrcReg) const",
                        body, 0.7, "model", alternatives=alternatives or [])


SIG = "void XCoreInstrInfo::copyPhysReg(unsigned DestReg, unsigned SrcReg) const"


def test_the_ladders_and_their_order() -> None:
    assert [s.__name__ for s in SCRATCH] == ["fix_arguments", "next_candidate", "remove_statements", "repair_head",
                                             "donor_code", "stub", "leave_out"]
    assert [s.__name__ for s in SWAP] == ["next_candidate", "real_body"]
    assert [s.__name__ for s in RUNTIME] == ["next_candidate", "drop_fatal_checks", "donor_code", "bypass_stub",
                                             "llvm_default"]
    assert [s.__name__ for s in LAST] == ["stub", "leave_out"]
    # out of rounds, the model's function goes straight to a stub (an LLVM interface function: out) whatever
    # candidates and donor code it still has
    fn = _model(alternatives=[Candidate(SIG + "\n{\n  (void)DestReg;\n}", "member:MSP430", 0.5)])
    donor = EmitFunction(fn.key, "InstrInfo", "", SIG, "{\n  return XCore::ADD_R;\n}", 0.0, "fallback:Lanai")
    assert climb(LAST, fn, Charged(fn.key, UNDECLARED), RepairState(alternates={fn.key: donor})).step == "stub"
    assert climb(LAST, fn, Charged(fn.key, UNDECLARED), RepairState(overrides_llvm=lambda k: True)).step == "leave_out"


def test_a_function_the_tests_stop_at_gets_other_code_and_never_a_stub() -> None:
    """After lit: the model's next candidate, then the nearest target's code, then nothing (a stub would stop the
    same tests); a stub that tests reach stays as it is."""
    fn = _model(alternatives=[Candidate(SIG + "\n{\n  (void)DestReg;\n}", "member:MSP430", 0.5)])
    donor = EmitFunction(fn.key, "InstrInfo", "", SIG, "{\n  return XCore::ADD_R;\n}", 0.0, "fallback:Lanai")
    state = RepairState(alternates={fn.key: donor})
    fns = {fn.key: fn}
    why = "3 lit tests stop here (crash)"
    steps = []
    for n in (1, 2, 3):
        reps = repair_round(RUNTIME, [Charged(fn.key, why)], fns, state, f"lit {n}")
        steps.append(reps[fn.key].step if fn.key in reps else None)
        if fn.key in reps:
            fns[fn.key] = reps[fn.key].fn
    assert steps == ["next_candidate", "donor_code", None]
    assert [m["round"] for m in state.moves] == ["lit 1", "lit 2"] and state.moves[0]["error"] == why
    # an override of an LLVM interface function has one more: LLVM's default (RISC-V's
    # getNumRegistersForCallingConv crashed in every test with a call, generated and as Mips wrote it)
    state, fns, steps = RepairState(alternates={fn.key: donor}, overrides_llvm=lambda k: True), {fn.key: fn}, []
    for n in (1, 2, 3, 4):
        reps = repair_round(RUNTIME, [Charged(fn.key, why)], fns, state, f"lit {n}")
        steps.append(reps[fn.key].step if fn.key in reps else None)
        if fn.key in reps and reps[fn.key].fn is not None:
            fns[fn.key] = reps[fn.key].fn
    assert steps == ["next_candidate", "donor_code", "llvm_default", None]
    assert state.dropped == {fn.key: why} and state.moves[-1]["to"] == "left out (LLVM's default)"
    # not where LLVM's default is what crashed (the function already left out)
    assert climb(RUNTIME, fn, Charged(fn.key, "5 lit tests stop here (left out)"),
                 RepairState(overrides_llvm=lambda k: True, candidate={fn.key: 1}, fell_back={fn.key: "e"})) is None
    stubbed = RepairState(replaced={fn.key: "e"})
    assert repair_round(RUNTIME, [Charged(fn.key, why)], {fn.key: _model()}, stubbed, "lit 1") == {}
    # a candidate that stops on a check of its own has the check made empty before the donor's code comes in
    checked = _model(body='{\n  report_fatal_error("Unimplemented ABI");\n}',
                     alternatives=[Candidate(SIG + "\n{\n  (void)DestReg;\n}", "member:MSP430", 0.5)])
    state, fns, steps = RepairState(alternates={fn.key: donor}), {fn.key: checked}, []
    for n in (1, 2, 3):
        reps = repair_round(RUNTIME, [Charged(fn.key, why)], fns, state, f"lit {n}")
        steps.append(reps[fn.key].step if fn.key in reps else None)
        if fn.key in reps:
            fns[fn.key] = reps[fn.key].fn
            if reps[fn.key].step == "next_candidate":  # the next candidate has the check too
                fns[fn.key] = replace(fns[fn.key], body=checked.body)
    assert steps == ["next_candidate", "drop_fatal_checks", "donor_code"]


def test_load_results_keeps_the_later_candidates(tmp_path: Path) -> None:
    first = SIG.replace("XCore", "<T>") + "\n{\n  emitLanaiCopy(DestReg, SrcReg);\n}"
    second = SIG.replace("XCore", "<T>") + "\n{\n  (void)DestReg;\n}"
    row = {"Target": "XCore", "Module": "InstrInfo", "File": "XCoreInstrInfo.cpp", "Func": "XCoreInstrInfo::copyPhysReg",
           "vega_code": first, "Confidence": 0.7,
           "candidates": [{"source": "member:Lanai", "code": first, "confidence": 0.7, "parses": True, "undeclared": ["emitLanaiCopy"]},
                          {"source": "member:MSP430", "code": second, "confidence": 0.5, "parses": True, "undeclared": []}]}
    path = tmp_path / "result.jsonl"
    path.write_text(json.dumps(row) + "\n" + json.dumps({**row, "candidates": []}) + "\n")
    with_alts, without = load_results(path, "XCore", ["XCore"])
    assert with_alts.alternatives == [Candidate(second.replace("<T>", "XCore"), "member:MSP430", 0.5)]
    assert without.alternatives == []


def test_load_results_names_each_candidate_as_its_group(tmp_path: Path) -> None:
    """The model writes a function's name as tokens like any other and can get it wrong (RISC-V's
    ``createRISCVISelDag`` came out ``createRISCVAsmBackend``, another group's name): every candidate is named as the
    row's function; an operator is left alone."""
    from vega_llvm.emit.functions import named_as

    wrong = "FunctionPass * create<T>AsmBackend ( <T>TargetMachine & TM )\n{\n  return nullptr ;\n}"
    right = "FunctionPass * create<T>ISelDag ( <T>TargetMachine & TM , CodeGenOpt :: Level OptLevel )\n{\n  return nullptr ;\n}"
    row = {"Target": "XCore", "Module": "SEL", "File": "XCoreISelDAGToDAG.cpp", "Func": "createXCoreISelDag",
           "vega_code": wrong, "Confidence": 0.4,
           "candidates": [{"source": "model", "code": wrong, "confidence": 0.4},
                          {"source": "member:Lanai", "code": right, "confidence": 0.3}]}
    path = tmp_path / "result.jsonl"
    path.write_text(json.dumps(row) + "\n")
    (fn,) = load_results(path, "XCore", ["XCore"])
    assert fn.signature == "FunctionPass * createXCoreISelDag ( XCoreTargetMachine & TM )"
    assert [c.code.splitlines()[0] for c in fn.alternatives] == [
        "FunctionPass * createXCoreISelDag ( XCoreTargetMachine & TM , CodeGenOpt :: Level OptLevel )"]
    assert named_as("bool XCoreX :: operator== ( int A ) const", "operator==") == "bool XCoreX :: operator== ( int A ) const"
    # a destructor in tokens is named right already (it came out ``~ XCoreX :: ~XCoreX ( )``, which does not
    # compile: RISC-V's asm backend, object writer and code emitter lost their destructors)
    assert named_as("XCoreX :: ~ XCoreX ( )", "~XCoreX") == "XCoreX :: ~ XCoreX ( )"
    assert named_as("~ XCoreX ( ) override", "~XCoreX") == "~ XCoreX ( ) override"
    assert named_as("~ XCoreY ( ) override", "~XCoreX") == "~XCoreX ( ) override"


def test_next_candidate_skips_what_cannot_compile_and_then_passes() -> None:
    alts = [Candidate(SIG + "\n{\n  if (DestReg {\n}", "member:Lanai", 0.6),  # brackets do not pair up
            Candidate("no signature here\n{\n}", "member:ARC", 0.55),
            Candidate(SIG + "\n{\n  (void)DestReg;\n}", "member:MSP430", 0.5)]
    fn = _model(alternatives=alts)
    state = RepairState()
    rep = next_candidate(fn, Charged(fn.key, UNDECLARED), state)
    assert rep is not None and rep.candidate == 3 and rep.to == "candidate 3 (member:MSP430)"
    assert rep.fn is not None and rep.fn.body == "{\n  (void)DestReg;\n}" and rep.fn.confidence == 0.5
    assert rep.fn.source == "model" and rep.fn.alternatives == alts  # still the model's, with its candidates
    state.record(fn.key, fn.key, rep, UNDECLARED, 1)
    assert next_candidate(rep.fn, Charged(fn.key, UNDECLARED), state) is None  # none left
    assert next_candidate(_model(), Charged(fn.key, UNDECLARED), RepairState()) is None  # none at all
    donor = EmitFunction(fn.key, "InstrInfo", "", SIG, "{}", 0.0, "fallback:Lanai", alternatives=alts)
    assert next_candidate(donor, Charged(fn.key, UNDECLARED), RepairState()) is None  # not the model's any more


def test_next_candidate_skips_candidates_using_a_name_the_build_said_is_missing() -> None:
    """Of XCore's scratch run at 8b0d298, 16 of 70 later candidates failed on the name the one before them had."""
    alts = [Candidate(SIG + "\n{\n  emitLanaiCopy(SrcReg, DestReg);\n}", "member:Lanai", 0.6),  # the same name
            Candidate(SIG + "\n{\n  BuildMI(XCore::ADD_R, DestReg);\n}", "member:ARC", 0.55),  # another missing
            Candidate(SIG + "\n{\n  auto emitLanaiCopy = [&](unsigned A, unsigned B) {};\n"
                      "  emitLanaiCopy(DestReg, SrcReg);\n}", "member:MSP430", 0.5)]  # its own local of that name
    fn = _model(alternatives=alts)
    body_at = (str(Path("XCoreInstrInfo.cpp").resolve()), 6, 10, [])
    located = [(("XCoreInstrInfo.cpp", 7), ERRORS[0]), (("XCoreInstrInfo.cpp", 8), ERRORS[2]),
               (("Other.cpp", 8), "Other.cpp:8: error: 'DestReg' was not declared in this scope")]  # not its body
    charged = Charged(fn.key, UNDECLARED, located=located, body_at=body_at)
    assert missing_names(charged) == {"emitLanaiCopy", "ADD_R"}
    rep = next_candidate(fn, charged, RepairState())
    assert rep is not None and rep.candidate == 3
    assert uses_missing("void f(unsigned Str) {\n  g(Str);\n}", {"Str"}) is False  # a parameter of its own
    assert uses_missing("{\n  return Str;\n}", {"Str"}) is True
    assert uses_missing("{\n  MFI->getFoo();\n}", {"getFoo"}) is True


@needs_gxx
def test_remove_statements_on_real_errors(tmp_path: Path) -> None:
    text = ("namespace XCore { enum { R0, R1, LR }; }\n"
            "// vega: <T>InstrInfo::copyPhysReg [fallback:Lanai, confidence 0.00]\n"
            "void copyPhysReg(unsigned DestReg, unsigned SrcReg)\n"
            "{\n  unsigned Opc = 0;\n  emitLanaiCopy(DestReg, SrcReg);\n  Opc = XCore::ADD_R;\n  (void)Opc;\n}\n")
    src = tmp_path / "XCoreInstrInfo.cpp"
    located, _ = _compile(src, text)
    assert [line for (_f, line), _m in located] == [6, 7]  # 'emitLanaiCopy' was not declared; 'ADD_R' is not a member
    assert "'emitLanaiCopy' was not declared in this scope" in located[0][1]
    body = text.splitlines()[3:9]
    donor = EmitFunction("<T>InstrInfo::copyPhysReg", "InstrInfo", "", "void copyPhysReg(unsigned DestReg, unsigned SrcReg)",
                         "\n".join(body), 0.0, "fallback:Lanai")
    charged = Charged(donor.key, located[0][1], located=located, body_at=(str(src.resolve()), 4, 9, body))
    rep = remove_statements(donor, charged, RepairState())
    assert rep is not None and rep.lines == {2, 3} and rep.fn is None
    # the model's own code is not cut down (its next candidate, the donor's code or a stub come first)
    assert remove_statements(_model(), charged, RepairState()) is None
    # an error on a line that cannot go alone (the return) leaves the function to the next steps
    text2 = text.replace("void copyPhysReg", "int copyPhysReg").replace("(void)Opc;", "return Opc + XCore::ADD_R;")
    located2, _ = _compile(src, text2)
    charged2 = Charged(donor.key, located2[0][1], located=located2, body_at=(str(src.resolve()), 4, 9, text2.splitlines()[3:9]))
    assert remove_statements(donor, charged2, RepairState()) is None
    assert climb(SCRATCH, donor, charged2, RepairState(overrides_llvm=lambda k: False)).step == "stub"


# XCore's scratch AsmPrinter as rendered: Lanai's way of constructing the instruction lowering (an MCContext by
# reference) against the set's constructor (ARC's, an MCContext pointer); a call with a pointer for a reference, an
# overload with two arguments off, a member reached with '.' through the pointer XCore's header declares, and a
# donor's getter returning the object for a pointer
ARGS_TEXT = """\
namespace llvm {
struct MCContext { int sym(int) const; }; struct MCInst {}; struct AsmPrinter { MCContext OutContext; };
struct XCoreMCInstLower { XCoreMCInstLower(MCContext *C, AsmPrinter &P); void Lower(const int *MI, MCInst &O) const; };
void emitTo(MCContext &Ctx, MCInst &I);
int make(MCContext &A, MCInst &B, int C); int make(MCContext &A, MCInst &B, int C, int D);
struct XCoreAsmPrinter : AsmPrinter { void customEmitInstruction(const int *MI); MCContext *context(); MCContext *Ctx; };
// vega: <T>AsmPrinter::customEmitInstruction [model, confidence 0.50]
void XCoreAsmPrinter::customEmitInstruction(const int *MI)
{  // vega: confidence 0.50
    XCoreMCInstLower MCInstLowering ( OutContext , * this ) ;  // vega: confidence 0.50
    MCInst TmpInst ;
    MCInstLowering . Lower ( * MI , TmpInst ) ;
    MCContext *P = &OutContext;
    emitTo ( P , TmpInst ) ;
    MCInst *Q = &TmpInst;
    int S = make ( Ctx , Q , 1 ) ;
    int R = Ctx . sym ( S ) ;
    (void)R;
  }
// vega: <T>AsmPrinter::context [fallback:Lanai, confidence 0.00]
MCContext *XCoreAsmPrinter::context()
{
    return OutContext ;
  }
}
"""


def _gxx_log(path: Path, text: str) -> str:
    path.write_text(text)
    res = subprocess.run(["g++", "-std=c++17", "-fsyntax-only", path.name], cwd=path.parent, capture_output=True,
                         text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"})
    return res.stderr


def test_indirection_between_an_argument_and_its_parameter() -> None:
    assert indirection("llvm::MCContext", "llvm::MCContext*") == "&"
    assert indirection("llvm::XCoreAsmPrinter", "llvm::AsmPrinter*") == "&"  # <T>AsmPrinter derives AsmPrinter
    assert indirection("llvm::MCContext*", "llvm::MCContext&") == "*"
    assert indirection("llvm::MCContext* const", "llvm::MCContext&") == "*"
    assert indirection("const llvm::MachineInstr*", "const llvm::MachineInstr&") == "*"
    assert indirection("llvm::MCContext", "llvm::MCInst*") is None  # another class: not an indirection
    assert indirection("llvm::MCContext**", "llvm::MCContext") is None
    assert indirection("unsigned int", "llvm::Register") is None


@needs_gxx
def test_fix_arguments_on_real_errors(tmp_path: Path) -> None:
    """Each place g++ says is one ``&``, ``*`` or ``->`` off is fixed in the function's body, and the file then
    compiles; the same fix is not made twice, and a function whose first error is another passes to the next step."""
    src = tmp_path / "XCoreAsmPrinter.cpp"
    log = _gxx_log(src, ARGS_TEXT)
    fixes = argument_fixes(log, tmp_path)
    assert [(f.line, f.arg, f.fix, f.at_call) for f in fixes] == [
        (10, 1, "&", True),  # XCoreMCInstLower(OutContext, ...): the declaration's ')'
        (12, 1, "&", False),  # Lower(*MI, ...): the argument
        (14, 1, "*", False),  # emitTo(P, ...)
        (16, 1, "*", True), (16, 2, "*", True),  # make(Ctx, Q, 1): both, from the candidates' parameter types
        (17, -1, "->", False),  # Ctx . sym: through the pointer
        (23, 0, "&", False),  # return OutContext: in return
    ]
    lines = ARGS_TEXT.splitlines()
    body = "\n".join(ln.split("  // vega:")[0] for ln in lines[8:19])
    fn = EmitFunction("<T>AsmPrinter::customEmitInstruction", "AsmPrinter", "", lines[7], body, 0.5, "model")
    first_error = next(ln for ln in log.splitlines() if " error: " in ln)
    charged = Charged(fn.key, first_error, body_at=(str(src.resolve()), 9, 19, lines[8:19]), argument_fixes=fixes)
    state = RepairState()
    rep = climb(SCRATCH, fn, charged, state)
    assert rep is not None and rep.step == "fix_arguments" and rep.fn is not None
    new = [ln.strip() for ln in rep.fn.body.splitlines()]
    assert new[1] == "XCoreMCInstLower MCInstLowering ( &OutContext , * this ) ;"
    assert new[3] == "MCInstLowering . Lower ( MI , TmpInst ) ;"
    assert new[5] == "emitTo ( *P , TmpInst ) ;"
    assert new[7] == "int S = make ( *Ctx , *Q , 1 ) ;"
    assert new[8] == "int R = Ctx -> sym ( S ) ;"
    # a return one indirection from the function's type, in the donor's code
    ret = EmitFunction("<T>AsmPrinter::context", "AsmPrinter", "", lines[20], "\n".join(lines[21:24]), 0.0,
                       "fallback:Lanai")
    ret_error = next(ln for ln in log.splitlines() if "in return" in ln)
    ret_fix = fix_arguments(ret, Charged(ret.key, ret_error, body_at=(str(src.resolve()), 22, 24, lines[21:24]),
                                         argument_fixes=fixes), RepairState())
    assert ret_fix is not None and ret_fix.fn is not None
    assert ret_fix.fn.body.splitlines()[1].strip() == "return &OutContext ;"
    fixed = "\n".join(lines[:8] + [rep.fn.body] + lines[19:21] + [ret_fix.fn.body] + lines[24:])
    assert _gxx_log(src, fixed) == ""  # and now it compiles
    assert fix_arguments(fn, charged, state) is None  # not twice to the same text
    # a first error that is not one indirection: the function goes on down the ladder
    assert fix_arguments(fn, Charged(fn.key, UNDECLARED, body_at=charged.body_at, argument_fixes=fixes),
                         RepairState()) is None


@needs_gxx
def test_repair_head_on_real_errors(tmp_path: Path) -> None:
    head = ("XCoreInstrInfo::XCoreInstrInfo(int STI) : XCoreGenInstrInfo(XCore::ADJCALLSTACKDOWN, XCore::ADJCALLSTACKUP), "
            "Subtarget(STI), RegisterInfo(STI)")
    text = ("struct XCoreGenInstrInfo { XCoreGenInstrInfo(int, int) {} };\n"
            "namespace XCore { enum { ADJCALLSTACKDOWN = 1 }; }\n"
            "struct XCoreInstrInfo : XCoreGenInstrInfo { XCoreInstrInfo(int STI); int Subtarget; };\n"
            f"// vega: <T>InstrInfo::<T>InstrInfo [fallback:Lanai, confidence 0.00]\n{head}\n{{}}\n")
    src = tmp_path / "XCoreInstrInfo.cpp"
    located, cols = _compile(src, text)
    assert sorted(cols) == [5] and len(cols[5]) == 2  # 'ADJCALLSTACKUP' is not a member; no field named 'RegisterInfo'
    ctor = EmitFunction("<T>InstrInfo::<T>InstrInfo", "InstrInfo", "", head, "{}", 0.0, "fallback:Lanai")
    charged = Charged(ctor.key, located[0][1], at_head=True, located=located, head_at=(str(src.resolve()), 5, head),
                      head_columns=cols[5], base="XCoreGenInstrInfo")
    rep = repair_head(ctor, charged, RepairState())
    assert rep is not None and rep.fn is not None
    assert rep.fn.signature == ("XCoreInstrInfo::XCoreInstrInfo(int STI) : XCoreGenInstrInfo(XCore::ADJCALLSTACKDOWN, {}), "
                                "Subtarget(STI)")
    src.write_text(text.replace(head, rep.fn.signature))
    assert subprocess.run(["g++", "-std=c++17", "-fsyntax-only", src.name], cwd=tmp_path, capture_output=True,
                          timeout=60).returncode == 0  # and now it compiles
    # a repair that left the same error where it was is not made again: the ladder goes on
    done = RepairState()
    done.record(ctor.key, ctor.key, rep, charged.error, 10)
    assert repair_head(ctor, charged, done) is None
    assert climb(SCRATCH, ctor, charged, done).step == "leave_out"
    # an error in the parameters is not the initializer list's: no repair, and a head error is not stubbed
    charged.head_columns = {head.index("int STI") + 1}
    assert repair_head(ctor, charged, RepairState()) is None
    assert stub(ctor, charged, RepairState()) is None
    assert climb(SCRATCH, ctor, charged, RepairState()).step == "leave_out"


def test_a_charged_function_climbs_the_scratch_ladder_round_by_round() -> None:
    """First the model's next candidate, then the nearest target's code, then a stub, then out; every step with the
    compiler line that caused it."""
    fn = _model(alternatives=[Candidate(SIG + "\n{\n  copyLanai(DestReg);\n}", "member:MSP430", 0.5)])
    donor = EmitFunction(fn.key, "InstrInfo", "", SIG, "{\n  return XCore::ADD_R;\n}", 0.0, "fallback:Lanai")
    state = RepairState(alternates={fn.key: donor})
    fns = {fn.key: fn}
    steps = []
    for round_, err in enumerate(ERRORS, 1):
        reps = repair_round(SCRATCH, [Charged(fn.key, err)], fns, state, round_)
        steps.append(reps[fn.key].step)
        if reps[fn.key].fn is not None:
            fns[fn.key] = reps[fn.key].fn
    assert steps == ["next_candidate", "donor_code", "stub", "leave_out"]
    assert state.candidate == {fn.key: 1} and state.moved == {fn.key: UNDECLARED}
    assert state.fell_back == {fn.key: ERRORS[1]} and state.replaced == {fn.key: ERRORS[2]}
    assert state.dropped == {fn.key: ERRORS[3]}
    assert state.moves[0] == {"round": 1, "function": fn.key, "key": fn.key, "step": "next_candidate",
                              "to": "candidate 1 (member:MSP430)", "error": UNDECLARED}
    assert [m["to"] for m in state.moves] == ["candidate 1 (member:MSP430)", "fallback:Lanai", "stub", "left out"]


def test_an_llvm_interface_function_is_left_out_rather_than_stubbed() -> None:
    fn = _model()
    charged = Charged(fn.key, UNDECLARED)
    assert stub(fn, charged, RepairState(overrides_llvm=lambda k: k == fn.key)) is None
    assert climb(SCRATCH, fn, charged, RepairState(overrides_llvm=lambda k: k == fn.key)).step == "leave_out"
    assert donor_code(fn, charged, RepairState()) is None  # no nearest-target version of it
    assert leave_out(fn, charged, RepairState()).fn is None


def test_swap_tries_the_next_candidate_then_puts_the_real_body_back() -> None:
    fn = _model(alternatives=[Candidate(SIG + "\n{\n  (void)DestReg;\n}", "member:MSP430", 0.5)])
    state = RepairState()
    first = repair_round(SWAP, [Charged("XCore/XCoreInstrInfo.cpp:40", UNDECLARED)], {"XCore/XCoreInstrInfo.cpp:40": fn}, state, 1)
    rep = first["XCore/XCoreInstrInfo.cpp:40"]
    assert rep.step == "next_candidate" and rep.fn is not None
    second = repair_round(SWAP, [Charged("XCore/XCoreInstrInfo.cpp:40", "e2")], {"XCore/XCoreInstrInfo.cpp:40": rep.fn}, state, 2)
    assert second["XCore/XCoreInstrInfo.cpp:40"].step == "real_body"
    assert state.replaced == {"XCore/XCoreInstrInfo.cpp:40": "e2"} and state.moves[1]["function"] == fn.key
    assert real_body(fn, Charged("k", "e"), state).to == "the real body"


def test_before_any_build_text_that_cannot_compile_is_charged(tmp_path: Path) -> None:
    from vega_llvm.bootstrap.trees import ScratchTree, SwapTree
    from vega_llvm.evaluate.swap import FunctionEdit

    broken = _model(body="{\n  if (DestReg {\n}")
    nosig = EmitFunction("<T>InstrInfo::f", "InstrInfo", "", "int", "{}", 0.5, "model")
    donor = EmitFunction("<T>InstrInfo::g", "InstrInfo", "", "int", "{", 0.0, "fallback:Lanai")
    # a member function named as a class of the target hides that class inside its own
    named = EmitFunction("<T>TargetMachine::getSubtargetImpl#1", "TargetMachine", "",
                         "const XCoreSubtarget * XCoreTargetMachine :: XCoreSubtarget ( ) const", "{}", 0.5, "model")
    sub = EmitFunction("<T>Subtarget::<T>Subtarget", "Subtarget", "", "XCoreSubtarget::XCoreSubtarget()", "{}", 0.5, "model")
    tree = ScratchTree(None, tmp_path / "XCore.td", tmp_path, [broken, nosig, donor, _model("<T>InstrInfo::ok"), named, sub])
    got = {c.key: c for c in tree.unbuildable()}
    assert sorted(got) == ["<T>InstrInfo::copyPhysReg", "<T>InstrInfo::f", "<T>TargetMachine::getSubtargetImpl#1"]
    assert got["<T>InstrInfo::copyPhysReg"].error.startswith("the body's brackets")
    assert got["<T>InstrInfo::f"].error.startswith("the signature")
    assert got["<T>TargetMachine::getSubtargetImpl#1"].at_head  # the head is at fault: no stub keeps it
    edits = [FunctionEdit("XCore/X.cpp:3", "X.cpp", 3, "{\n}", "{\n  if (a {\n}"), FunctionEdit("XCore/X.cpp:9", "X.cpp", 9, "{}", "{}")]
    assert [c.key for c in SwapTree(tmp_path, edits, {}, []).unbuildable()] == ["XCore/X.cpp:3"]


def test_a_step_is_put_in_place_in_either_tree(tmp_path: Path) -> None:
    """The ladder's replacement goes where the next writing takes it from: the chosen functions (scratch), the
    generated function and the edit of the real file's body (swap)."""
    from vega_llvm.bootstrap.pipeline import repair
    from vega_llvm.bootstrap.trees import ScratchTree, SwapTree
    from vega_llvm.evaluate.swap import FunctionEdit

    fn = _model(alternatives=[Candidate(SIG + "\n{\n  (void)DestReg;\n}", "member:MSP430", 0.5)])
    said: list[str] = []
    scratch = ScratchTree(None, tmp_path / "XCore.td", tmp_path, [fn])
    reps = repair(scratch, RepairState(), [Charged(fn.key, UNDECLARED)], 1, said.append)
    assert reps[fn.key].step == "next_candidate" and scratch.chosen[0].body == "{\n  (void)DestReg;\n}"
    assert said == ["repair round 1: next_candidate 1"]
    edit = FunctionEdit("XCore/XCoreInstrInfo.cpp:40", "XCoreInstrInfo.cpp", 40, "{\n  real();\n}", fn.body)
    swap = SwapTree(tmp_path, [edit], {edit.id: fn}, [])
    repair(swap, RepairState(), [Charged(edit.id, UNDECLARED)], 1, said.append)
    assert swap.edits[0].new_body == "{\n  (void)DestReg;\n}" and swap.by_record[edit.id].confidence == 0.5


def test_the_report_lists_each_step_with_its_compiler_line(tmp_path: Path) -> None:
    from vega_llvm.emit.report import BootstrapReport, FunctionRow

    rep = BootstrapReport("XCore", "scratch", str(tmp_path), str(tmp_path / "lib"), {"model": "m"})
    rep.functions = [FunctionRow("<T>InstrInfo::copyPhysReg", "XCoreInstrInfo.cpp", "model", 0.5, "later-candidate",
                                 error=UNDECLARED, candidate=1),
                     FunctionRow("<T>InstrInfo::f", "XCoreInstrInfo.cpp", "model", 0.9, "compiled")]
    rep.repairs = [{"round": 1, "function": "<T>InstrInfo::copyPhysReg", "step": "next_candidate",
                    "to": "candidate 1 (member:MSP430)", "error": UNDECLARED}]
    rep.save(tmp_path)
    s = json.loads((tmp_path / "report.json").read_text())
    assert s["repairs"] == rep.repairs and s["functions"][0]["candidate"] == 1
    assert s["summary"]["generated_later_candidate"] == 1 and s["summary"]["generated_compiled"] == 1
    assert "1 generated in place and 1 on a later candidate" in rep.summary_line()
    md = (tmp_path / "report.md").read_text()
    assert ("| 1 | `<T>InstrInfo::copyPhysReg` | next_candidate | candidate 1 (member:MSP430) | "
            f"`{UNDECLARED}` |") in md


def test_a_hook_that_calls_llvms_default_is_not_counted_as_generated_in_place(tmp_path: Path) -> None:
    """generate's last resort for a hook no candidate could write (``generate/defaults.py``) compiles, but what it
    runs is LLVM's code: the report counts it apart from the functions generated in place."""
    from vega_llvm.emit.report import BootstrapReport, FunctionRow
    from vega_llvm.generate.defaults import LLVM_DEFAULT

    rep = BootstrapReport("XCore", "scratch", str(tmp_path), str(tmp_path / "lib"), {"model": "m"})
    rep.functions = [FunctionRow("<T>InstrInfo::isAsCheapAsAMove", "XCoreInstrInfo.cpp", "model", 0.0, "compiled",
                                 origin=LLVM_DEFAULT),
                     FunctionRow("<T>InstrInfo::f", "XCoreInstrInfo.cpp", "model", 0.9, "compiled",
                                 origin="member:Lanai")]
    s = rep.summary()
    assert (s["generated_compiled"], s["llvm_default_compiled"]) == (1, 1)
    assert "1 generated in place, 1 calling LLVM's default" in rep.summary_line()


def test_the_report_shows_the_rounds_the_tests_drove(tmp_path: Path) -> None:
    from vega_llvm.emit.report import BootstrapReport

    rep = BootstrapReport("XCore", "scratch", str(tmp_path), str(tmp_path / "lib"), {"model": "m"})
    rep.lit = {"passed": 3, "tests": 66, "summary_line": "3 of 66"}
    rep.test_rounds = [
        {"round": 1, "moved": {"<T>TargetLowering::LowerOperation": "candidate 2 (member:Lanai)"}, "passed_before": 0,
         "passed_after": 3, "kept": True},
        {"round": 2, "moved": {"<T>InstrInfo::f": "fallback:Lanai"}, "passed_before": 3, "passed_after": 1, "kept": False},
    ]
    rep.save(tmp_path)
    assert json.loads((tmp_path / "report.json").read_text())["test_rounds"] == rep.test_rounds
    md = (tmp_path / "report.md").read_text()
    assert "| 1 | `<T>TargetLowering::LowerOperation` -> candidate 2 (member:Lanai) | 0 | 3 | yes |" in md
    assert "| 2 | `<T>InstrInfo::f` -> fallback:Lanai | 3 | 1 | no: undone |" in md


def test_a_caller_waits_while_the_function_its_error_calls_takes_a_step() -> None:
    """XCore's scratch target machine was charged ``no matching function for call to
    XCoreSubtarget::XCoreSubtarget(...)`` while the subtarget's constructor was itself being replaced; it went down
    its ladder to a candidate without ``initAsmInfo()``. Now it waits that round; charged alone, it climbs."""
    from vega_llvm.bootstrap.repair import callee

    tm_sig = "XCoreTargetMachine::XCoreTargetMachine(const Triple &TT)"
    tm = EmitFunction("<T>TargetMachine::<T>TargetMachine", "TargetMachine", "", tm_sig,
                      "{\n  initAsmInfo();\n}", 0.5, "model",
                      alternatives=[Candidate(tm_sig + "\n{\n}", "member:Xtensa", 0.2)])
    st_sig = "XCoreSubtarget::XCoreSubtarget(const Triple &TT)"
    st = EmitFunction("<T>Subtarget::<T>Subtarget", "Subtarget", "", st_sig, "{\n  f(TT);\n}", 0.5, "model",
                      alternatives=[Candidate(st_sig + "\n{\n}", "member:M68k", 0.2)])
    called = ("XCoreTargetMachine.cpp:138: error: no matching function for call to "
              "‘llvm::XCoreSubtarget::XCoreSubtarget(const llvm::Triple&, llvm::StringRef&)’")
    assert callee(called, {st.key}) == st.key and callee(UNDECLARED, {st.key}) is None
    fns, state = {tm.key: tm, st.key: st}, RepairState()
    first = repair_round(SCRATCH, [Charged(tm.key, called), Charged(st.key, UNDECLARED)], fns, state, 1)
    assert set(first) == {st.key} and first[st.key].step == "next_candidate"
    second = repair_round(SCRATCH, [Charged(tm.key, called)], fns, state, 2)
    assert second[tm.key].step == "next_candidate"


@needs_gxx
def test_a_symbol_operand_stub_lowers_the_plain_symbol_and_compiles(tmp_path: Path) -> None:
    """A stub of a function with the signature of a symbol operand's lowering (``MCOperand f(const MachineOperand &,
    MCSymbol *)``, any name) returns the plain symbol plus its offset, which compiles against LLVM's real headers
    inside the class that declares it; any other function's stub stays fatal."""
    from vega_llvm.bootstrap.repair import stub_function
    from vega_llvm.emit.functions import EmitFunction
    from vega_llvm.llvm.toolchain import find_toolchain

    head = "MCOperand XCoreMCInstLower::LowerSymbolOperand(const MachineOperand &MO, MCSymbol *Sym) const"
    f = stub_function(EmitFunction("<T>MCInstLower::LowerSymbolOperand", "MCInstLower", "EMI", head, "{ }", 0.4,
                                   "model"))
    assert f.source == "stub" and "report_fatal_error" not in f.body and "MCSymbolRefExpr::create(Sym" in f.body
    other = stub_function(EmitFunction("<T>MCInstLower::Lower", "MCInstLower", "EMI",
                                       "void XCoreMCInstLower::Lower(const MachineInstr *MI, MCInst &OutMI) const",
                                       "{ }", 0.4, "model"))
    assert "report_fatal_error" in other.body
    src = tmp_path / "XCoreMCInstLower.cpp"
    src.write_text("\n".join([
        *(f"#include \"llvm/{h}\"" for h in ("CodeGen/MachineFunction.h", "CodeGen/MachineInstr.h",
                                             "CodeGen/MachineOperand.h", "MC/MCContext.h", "MC/MCExpr.h",
                                             "MC/MCInst.h")),
        "namespace llvm {",
        "class XCoreMCInstLower { public: MCOperand LowerSymbolOperand(const MachineOperand &MO, MCSymbol *Sym) const; };",
        head, f.body, "}", ""]))
    res = subprocess.run(["g++", "-std=c++17", "-fsyntax-only", f"-I{find_toolchain().includedir}", src.name],
                         cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]


def test_probe_copies_write_later_candidates_as_members_of_their_own_that_a_build_checks(tmp_path: Path) -> None:
    """One build of every later candidate, each under a name of its own, says which compile; ``next_candidate``
    then passes over the ones that did not (XCore's loop used to learn it one build round per candidate)."""
    from vega_llvm.bootstrap.trees import PROBE, probe_copies
    from vega_llvm.emit.functions import parse_signature

    sig = "bool XCoreInstrInfo::isStore(unsigned Opcode) const override"
    alts = [Candidate(sig + "\n{\n  return Opcode == vega_missing;\n}", "member:Lanai", 0.6),
            Candidate(sig + "\n{\n  if (Opcode {\n}", "member:ARC", 0.55),  # cannot compile as text: not written
            Candidate(sig + "\n{\n  return Opcode == 3;\n}", "member:MSP430", 0.5)]
    fn = EmitFunction("<T>InstrInfo::isStore", "InstrInfo", "", sig, "{\n  return Opcode == 1;\n}", 0.7, "model",
                      alternatives=alts)
    ctor = EmitFunction("<T>InstrInfo::<T>InstrInfo", "InstrInfo", "", "XCoreInstrInfo::XCoreInstrInfo(int A)", "{}",
                        0.7, "model", alternatives=[Candidate("XCoreInstrInfo::XCoreInstrInfo(int A)\n{\n  (void)A;\n}", "", 0.5)])
    probes = probe_copies([fn, ctor], RepairState())
    assert [p.key for p in probes] == [f"{fn.key}{PROBE}1", f"{fn.key}{PROBE}3"]  # no constructor, no bad text
    assert probes[0].signature == "bool XCoreInstrInfo::isStore__vega_candidate1(unsigned Opcode) const"
    assert all(p.source == "probe" and not p.alternatives for p in probes)
    decls = "\n".join("  " + parse_signature(p.signature).declaration() for p in probes)
    defs = "\n".join(f"{p.signature}\n{p.body}" for p in probes)
    cpp = tmp_path / "probe.cpp"
    cpp.write_text(f"struct Base {{ virtual bool isStore(unsigned) const = 0; }};\n"
                   f"struct XCoreInstrInfo : Base {{\n  bool isStore(unsigned Opcode) const override;\n{decls}\n}};\n{defs}\n")
    if shutil.which("g++"):
        res = subprocess.run(["g++", "-std=c++17", "-fsyntax-only", cpp.name], cwd=tmp_path, capture_output=True,
                             text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"})
        errors = parse_compiler_errors(res.stderr, cwd=tmp_path)
        assert [e.line for e in errors] == [9] and "vega_missing" in str(errors[0])  # the first probe's body only
    state = RepairState(probe_failed={fn.key: {1}})
    rep = next_candidate(fn, Charged(fn.key, UNDECLARED), state)
    assert rep is not None and rep.candidate == 3  # the first failed its probe, the second cannot compile as text
    assert probe_copies([fn], RepairState(candidate={fn.key: 3})) == []  # none left after the one in place


def test_a_probe_builds_charges_go_to_the_state_and_leave_the_functions_in_place_alone() -> None:
    from vega_llvm.bootstrap.pipeline import Charge, _read_probes
    from vega_llvm.bootstrap.trees import Emitted

    charge = Charge(False, 0.0, blamed={"k@candidate2": "a.cpp:9: error: 'X' was not declared", "k": "a.cpp:3: error",
                                        "k@candidate4": "a.cpp:20: error: no matching function for call to 'f(int)'"},
                    at_decl={"j@candidate1": "b.h:4: error: 'Y' has not been declared"})
    em = Emitted({}, [], {}, {"k": "a.cpp", "k@candidate2": "a.cpp", "k@candidate3": "a.cpp", "k@candidate4": "a.cpp",
                              "j@candidate1": "b.h"})
    state, said = RepairState(), []
    _read_probes(charge, em, state, said.append)
    # a call that does not match one of ours may match it later: only names that do not exist fail a candidate
    assert state.probe_failed == {"k": {2}, "j": {1}}
    assert charge.blamed == {"k": "a.cpp:3: error"} and charge.at_decl == {}
    assert said == ["probed 4 later candidates of 2 functions: 1 compile, 2 name what does not exist"]


ARITY_TEXT = """\
#include <memory>
#include <string>
struct StringRef { StringRef(const std::string &); StringRef(const char *); };
struct TargetMachine {};
struct FooTargetMachine : TargetMachine {};
struct FooSubtarget {
  FooSubtarget(const int &TT, StringRef CPU, StringRef ABIName, unsigned RVVVectorBitsMin, unsigned RVVVectorLMULMax, const TargetMachine &TM);  // vega: declares <T>Subtarget::<T>Subtarget
};
int createFooISelDag(FooTargetMachine &TM, int OptLevel);  // vega: declares create<T>ISelDag
int llvmOwn(int A, const FooTargetMachine &TM);
struct FooPassConfig { FooTargetMachine *T; int getOptLevel() const; bool addInstSelector(); };
// vega: <T>PassConfig::addInstSelector [fallback:LoongArch, confidence 0.00]
bool FooPassConfig::addInstSelector()
{
  createFooISelDag ( * T ) ;
  return llvmOwn ( 1 ) ;
}
// vega: <T>TargetMachine::getSubtargetImpl [model, confidence 0.50]
std::unique_ptr<FooSubtarget> getSubtargetImpl(const FooTargetMachine &M)
{
  std :: string CPU ; StringRef ABIName ( "x" ) ; int TT = 0 ;
  auto I = std :: make_unique < FooSubtarget > ( TT , CPU , ABIName , M ) ;
  return I ;
}
"""


@needs_gxx
def test_fix_arguments_supplies_left_out_arguments(tmp_path: Path) -> None:
    """A call with fewer arguments than the declaration of ours it calls (the donor's ``createLoongArchISelDag(TM)``
    where RISC-V declares ``(TM, OptLevel)``; ``std::make_unique<RISCVSubtarget>`` with six of the eight parameters
    RISC-V's subtarget constructor is declared with) gets the missing ones where the others line up by type: the
    variable of the parameter's name, else LLVM's getter of it (``getOptLevel()``), else the type's zero. The statement used
    to be removed, which left RISC-V's ``getSubtargetImpl`` returning null and ``addInstSelector`` adding no
    selector."""
    src = tmp_path / "FooTargetMachine.cpp"
    log = _gxx_log(src, ARITY_TEXT)
    fixes = argument_fixes(log, tmp_path)
    assert sorted((f.line, f.arg, f.fix) for f in fixes) == [
        (15, 1, "++TM|FooTargetMachine&"), (15, 2, "++OptLevel|int"),  # too few arguments: the declaration's names, the first ones given
        (22, 4, "+RVVVectorBitsMin|unsigned int"), (22, 5, "+RVVVectorLMULMax|unsigned int"),  # at make_unique's line: lined up by type
    ]  # and none for llvmOwn(1): a function that is not ours (no "vega: declares"), whose declaration is the right one
    lines = ARITY_TEXT.splitlines()
    path = str(src.resolve())
    sel = EmitFunction("<T>PassConfig::addInstSelector", "PassConfig", "", lines[12], "\n".join(lines[13:17]), 0.0,
                       "fallback:LoongArch")
    sel_error = next(ln for ln in log.splitlines() if "too few arguments" in ln and "createFooISelDag" in ln)
    rep = fix_arguments(sel, Charged(sel.key, sel_error, body_at=(path, 14, 17, lines[13:17]), argument_fixes=fixes),
                        RepairState())
    assert rep is not None and rep.fn is not None
    assert rep.fn.body.splitlines()[1].strip() == "createFooISelDag (* T, getOptLevel()) ;"
    sub = EmitFunction("<T>TargetMachine::getSubtargetImpl", "TargetMachine", "", lines[18], "\n".join(lines[19:24]),
                       0.5, "model")
    # the build charges the site with the library's error (``unique_ptr.h``), as ``Charge.located`` keeps it
    sub_error = next(ln for ln in log.splitlines() if "no matching function" in ln)
    sub_rep = fix_arguments(sub, Charged(sub.key, sub_error, body_at=(path, 20, 24, lines[19:24]), argument_fixes=fixes),
                            RepairState())
    assert sub_rep is not None and sub_rep.fn is not None
    assert sub_rep.fn.body.splitlines()[2].strip() == \
        "auto I = std :: make_unique < FooSubtarget > (TT, CPU, ABIName, 0, 0, M) ;"
    fixed = "\n".join(lines[:13] + [rep.fn.body] + lines[17:19] + [sub_rep.fn.body] + lines[24:]) + "\n"
    left = [ln for ln in _gxx_log(src, fixed).splitlines() if " error: " in ln]
    assert len(left) == 1 and "llvmOwn" in left[0]  # the two calls of ours compile; LLVM's is the caller's to fix


def test_a_donors_own_fatal_check_the_tests_crash_on_is_made_empty() -> None:
    """LoongArch's ``initializeSubtargetDependencies``, taken over for RISC-V, stops every CodeGen test on its check
    of LoongArch's 32/64-bit features; at runtime, after the next candidate (and before the donor's code), the
    code's own ``report_fatal_error`` checks become empty statements (the ``if`` stays well-formed). A stub, or a
    charge that is not a crash, is left to the other rungs."""
    from vega_llvm.bootstrap.repair import RUNTIME, drop_fatal_checks

    body = ('{\n  if (HasLA32 == HasLA64)\n    report_fatal_error("Please use one feature of 32bit and 64bit.");\n'
            '  return *this;\n}')
    fn = EmitFunction("<T>Subtarget::initializeSubtargetDependencies", "Subtarget", "",
                      "RISCVSubtarget &RISCVSubtarget::initializeSubtargetDependencies()", body, 0.0, "fallback:LoongArch")
    state = RepairState(fell_back={fn.key: "taken over"})
    crash = Charged(fn.key, "163 lit tests stop here (crash)")
    rep = climb(RUNTIME, fn, crash, state)
    assert rep is not None and rep.step == "drop_fatal_checks" and rep.fn is not None
    assert rep.fn.body.splitlines()[2].strip() == \
        "/* vega: the donor's check stopped the tests: Please use one feature of 32bit and 64bit. */ ;"
    assert drop_fatal_checks(fn, Charged(fn.key, "3 lit tests stop here (stub)"), state) is None
    stubbed = EmitFunction(fn.key, "Subtarget", "", fn.signature,
                           '{\n  report_fatal_error("vega-llvm: Subtarget::f did not compile; write it by hand");\n}', 0.0, "stub")
    assert drop_fatal_checks(stubbed, crash, state) is None


@needs_gxx
def test_the_default_unreachable_of_a_donors_switch_runs_on_into_the_next_case(tmp_path: Path) -> None:
    """LoongArch's calling convention, generated for RISC-V, switches over LoongArch's ABIs; RISC-V's default
    ``ABI_LP64`` is none of its cases and every CodeGen test stopped at ``default: llvm_unreachable``. The step
    empties the ``default:``'s unreachable and the case's fatal check (comments of the emitted code between them),
    leaves an ``llvm_unreachable`` elsewhere alone, and the result compiles and runs into the next case's code."""
    from vega_llvm.bootstrap.repair import RUNTIME

    body = ('{\n  bool UseGPR = false ;\n  switch ( ABI )  // vega: confidence 0.00\n    {\n'
            '      default :  // vega: confidence 0.00\n        llvm_unreachable ( "Unexpected ABI" ) ;\n'
            '      case ABI_ILP32F :\n        report_fatal_error ( "Unimplemented ABI" ) ;\n        break ;\n'
            '      case ABI_ILP32D :\n        UseGPR = true ;\n        break ;\n    }\n'
            '  if ( UseGPR )\n    llvm_unreachable ( "not here" ) ;\n  return UseGPR ;\n}')
    fn = EmitFunction("CC_<T>", "ISelLowering", "", "static bool CC_Foo(ABI ABI)", body, 0.0, "model")
    state = RepairState()
    rep = climb(RUNTIME, fn, Charged(fn.key, "768 lit tests stop here (unreachable)"), state)
    assert rep is not None and rep.step == "drop_fatal_checks" and rep.fn is not None
    assert rep.to == "2 check(s) made empty"
    assert rep.fn.body.count("llvm_unreachable") == 1 and "not here" in rep.fn.body
    src = tmp_path / "cc.cpp"
    prelude = ('#include <cstdio>\n#include <cstdlib>\n'
               '#define llvm_unreachable(m) (std::puts(m), std::abort())\n'
               'static void report_fatal_error(const char *m) { std::puts(m); std::exit(1); }\n'
               'enum ABI { ABI_ILP32F, ABI_ILP32D, ABI_LP64 };\n')
    text = f"{prelude}static bool CC_Foo(ABI ABI)\n{rep.fn.body}\nint main() {{ return CC_Foo(ABI_LP64) ? 2 : 0; }}\n"
    assert " error: " not in _gxx_log(src, text)
    exe = tmp_path / "cc"
    subprocess.run(["g++", "-std=c++17", "-o", str(exe), str(src)], check=True, capture_output=True, timeout=60)
    assert subprocess.run([str(exe)], capture_output=True, timeout=10).returncode == 0  # past the switch, no GPR


# Lanai's ``emitInstruction`` as generated for XCore (the emitted text, confidence comments and all): every call goes
# to Lanai's own ``emitCallInstruction``, which names Lanai's instructions and is a stub in XCore's backend
EMIT_INSTRUCTION = (
    "{  // vega: confidence 0.59\n"
    "    const int * I = Begin ;\n"
    "    do  // vega: confidence 0.52\n"
    "      {  // vega: confidence 0.52\n"
    "        if ( isCall ( * I ) )  // vega: confidence 0.78\n"
    "          {  // vega: confidence 0.59\n"
    "            emitCallInstruction ( I ) ;  // vega: confidence 0.56\n"
    "            continue ;  // vega: confidence 0.54\n"
    "          }\n"
    "        customEmitInstruction ( I ) ;  // vega: confidence 0.22\n"
    "      }\n"
    "    while ( ++ I != End ) ;\n"
    "  }")


def _emitters() -> tuple[EmitFunction, EmitFunction]:
    caller = EmitFunction("<T>AsmPrinter::emitInstruction", "AsmPrinter", "", "void emitInstruction(const int *Begin, "
                          "const int *End)", EMIT_INSTRUCTION, 0.0, "model")
    stubbed = EmitFunction("<T>AsmPrinter::emitCallInstruction", "AsmPrinter", "",
                           "void emitCallInstruction(const int *MI)", "{\n  lanaiCall(MI);\n}", 0.0, "fallback:Lanai")
    return caller, stubbed


def test_a_stub_the_tests_reach_has_its_callers_branches_to_it_taken_out(tmp_path: Path) -> None:
    """XCore's scratch backend at 73c9d32: 16 lit tests and the calls smoke program stopped at the stub of Lanai's
    ``emitCallInstruction``. The last runtime rung takes the branch that only calls it out of ``emitInstruction``
    (as many lines as before), so calls are emitted the general way; the result compiles and, run, emits every
    instruction without reaching the stub. The stub itself stays; nothing happens for a stub no branch calls that
    way, for an LLVM interface function's stub, or for a function that is no stub."""
    from vega_llvm.bootstrap.repair import bypass_stub, stub_branches

    caller, stubbed = _emitters()
    state = RepairState(replaced={stubbed.key: "'lanaiCall' was not declared"})
    why = "16 lit tests stop here (stub)"
    fns = {caller.key: caller, stubbed.key: stubbed}
    reps = repair_round(RUNTIME, [Charged(stubbed.key, why)], fns, state, "lit 1")
    rep = reps[stubbed.key]
    assert rep.step == "bypass_stub" and rep.fn is None and list(rep.callers) == [caller.key]
    body = rep.callers[caller.key].body
    assert "emitCallInstruction" in body and "emitCallInstruction (" not in body  # only the note names it
    assert body.count("\n") == EMIT_INSTRUCTION.count("\n") and "customEmitInstruction ( I ) ;" in body
    assert state.moves[-1]["step"] == "bypass_stub" and state.moves[-1]["error"] == why
    src = tmp_path / "emit.cpp"
    text = ("#include <cstdlib>\nstatic int Emitted = 0;\nstatic bool isCall(int X) { return X == 1; }\n"
            "static void emitCallInstruction(const int *) { std::abort(); }\n"
            "static void customEmitInstruction(const int *) { ++Emitted; }\n"
            f"static void emitInstruction(const int *Begin, const int *End)\n{body}\n"
            "int main() { int Code[] = {0, 1, 0, 1}; emitInstruction(Code, Code + 4); return Emitted == 4 ? 0 : 1; }\n")
    assert " error: " not in _gxx_log(src, text)
    exe = tmp_path / "emit"
    subprocess.run(["g++", "-std=c++17", "-o", str(exe), str(src)], check=True, capture_output=True, timeout=60)
    assert subprocess.run([str(exe)], capture_output=True, timeout=10).returncode == 0
    # what is not bypassed
    assert stub_branches("{\n  if (x) { emitCallInstruction(I); } else { f(); }\n}", "emitCallInstruction") == []
    assert stub_branches("{\n  if (x) { emitCallInstruction(I); f(); }\n}", "emitCallInstruction") == []
    assert stub_branches("{\n  if (x) return emitCallInstruction(I);\n}", "emitCallInstruction") == []
    assert len(stub_branches("{\n  if (x)\n    this->emitCallInstruction(I);\n}", "emitCallInstruction")) == 1
    assert bypass_stub(stubbed, Charged(stubbed.key, why), RepairState(
        replaced={stubbed.key: "e"}, overrides_llvm=lambda k: True, functions=fns)) is None
    assert bypass_stub(stubbed, Charged(stubbed.key, "3 lit tests stop here (crash)"), RepairState(
        replaced={stubbed.key: "e"}, functions=fns)) is None
    assert bypass_stub(stubbed, Charged(stubbed.key, why), RepairState(functions=fns)) is None  # no stub
    assert bypass_stub(stubbed, Charged(stubbed.key, why), RepairState(
        replaced={stubbed.key: "e"}, functions={stubbed.key: stubbed})) is None  # no caller


def test_a_bypassed_stubs_callers_are_put_in_place(tmp_path: Path) -> None:
    """The pipeline's ``repair`` puts the callers a step changed into the tree and leaves the stub as it is."""
    from vega_llvm.bootstrap.pipeline import repair
    from vega_llvm.bootstrap.trees import ScratchTree

    caller, stubbed = _emitters()
    tree = ScratchTree(None, tmp_path / "XCore.td", tmp_path, [caller, stubbed])
    state = RepairState(replaced={stubbed.key: "e"})
    said: list[str] = []
    reps = repair(tree, state, [Charged(stubbed.key, "16 lit tests stop here (stub)")], "lit 1", said.append, RUNTIME)
    assert reps[stubbed.key].step == "bypass_stub" and said == ["repair round lit 1: bypass_stub 1"]
    now = {f.key: f for f in tree.chosen}
    assert "emitCallInstruction (" not in now[caller.key].body and now[stubbed.key].body == stubbed.body


def test_a_switch_case_that_only_returns_a_reached_stub_is_taken_out(tmp_path: Path) -> None:
    """RISC-V's scratch ``PerformDAGCombine`` (LoongArch's) sends ``ISD::AND`` and ``ISD::OR`` to LoongArch's own
    combines, stubbed for RISC-V (they make ``BSTRPICK``/``BSTRINS`` nodes it has not): 18 CodeGen tests stopped
    there. Without the ``case`` (and the empty labels falling into it), those nodes take the switch's general way,
    no combine; the other cases stay, and so does a case another case falls into, or ``default:``."""
    from vega_llvm.bootstrap.repair import stub_branches

    body = ("{\n  switch (Op) {\n  default:\n    break;\n  case 1:\n  case 2:\n    return performANDCombine(Op);\n"
            "  case 3:\n    return 7;\n  case 4:\n    performANDCombine(Op);\n    break;\n  }\n  return 0;\n}")
    spans = stub_branches(body, "performANDCombine")
    assert [body[a:b].split(":")[0] for a, b in spans] == ["case 1", "case 4"]
    out = body
    for a, b in reversed(spans):
        out = out[:a] + "/* taken out */" + "\n" * body[a:b].count("\n") + out[b:]
    assert "performANDCombine" not in out and out.count("\n") == body.count("\n") and "return 7;" in out
    src = tmp_path / "combine.cpp"
    src.write_text("#include <cstdlib>\nstatic int performANDCombine(int) { std::abort(); }\n"
                   f"static int combine(int Op)\n{out}\n"
                   "int main() { return combine(1) + combine(2) + combine(4) == 0 && combine(3) == 7 ? 0 : 1; }\n")
    exe = tmp_path / "combine"
    subprocess.run(["g++", "-std=c++17", "-o", str(exe), str(src)], check=True, capture_output=True, timeout=60)
    assert subprocess.run([str(exe)], capture_output=True, timeout=10).returncode == 0
    # what is not taken out: a case another falls into, the default, a case doing more than the call
    assert stub_branches("{\n  switch (Op) {\n  case 1:\n    f();\n  case 2:\n    return performANDCombine(Op);\n  }\n}",
                         "performANDCombine") == []
    assert stub_branches("{\n  switch (Op) {\n  default:\n    return performANDCombine(Op);\n  }\n}",
                         "performANDCombine") == []
    assert stub_branches("{\n  switch (Op) {\n  case 1:\n    f();\n    return performANDCombine(Op);\n  }\n}",
                         "performANDCombine") == []


def test_an_interface_function_that_only_forwards_to_a_reached_stub_is_left_out() -> None:
    """RISC-V's scratch ``isLoadFromStackSlot(MI, FrameIndex)`` (generated: it returns the three-argument
    overload's answer) and ``findCommutedOpIndices(MI, ...)`` (it returns an ``MCInstrDesc`` overload's) forward to
    overloads stubbed for compile errors: 53 CodeGen tests stopped at the two stubs. Each caller overrides an LLVM
    interface function with a default of its own, so the caller is left out and LLVM's default answers; a caller
    doing more than forwarding, or one that is no LLVM interface function, is not."""
    from vega_llvm.bootstrap.repair import bypass_stub, forwards_to

    sig = "unsigned RISCVInstrInfo::isLoadFromStackSlot(const MachineInstr & MI, int & FrameIndex) const"
    caller = EmitFunction("<T>InstrInfo::isLoadFromStackSlot", "InstrInfo", "", sig,
                          "{\n  unsigned Dummy ;  // vega: confidence 0.44\n"
                          "  return RISCVInstrInfo :: isLoadFromStackSlot ( MI , FrameIndex , Dummy ) ;\n}",
                          0.08, "model")
    stub3 = EmitFunction("<T>InstrInfo::isLoadFromStackSlot#1", "InstrInfo", "",
                         sig.replace("FrameIndex)", "FrameIndex, unsigned & MemBytes)"),
                         '{\n  report_fatal_error("vega-llvm: InstrInfo::isLoadFromStackSlot#1 did not compile");\n}',
                         0.0, "model")
    busy = EmitFunction("<T>InstrInfo::isStoreToStackSlot", "InstrInfo", "", sig,
                        "{\n  unsigned Dummy = 0;\n  foo ( ) ;\n  return isLoadFromStackSlot ( MI , FrameIndex , Dummy ) ;\n}",
                        0.1, "model")
    fns = {f.key: f for f in (caller, stub3, busy)}
    why = "27 lit tests stop here (stub)"
    state = RepairState(replaced={stub3.key: "e"}, functions=fns,
                        overrides_llvm=lambda k: "#" not in k and k.startswith("<T>InstrInfo::"))
    rep = bypass_stub(stub3, Charged(stub3.key, why), state)
    assert rep is not None and rep.left_out == [caller.key] and rep.callers == {}
    state.record(stub3.key, stub3.key, rep, why, "lit 1")
    assert state.dropped == {caller.key: why} and "left out (LLVM's default)" in state.moves[-1]["to"]
    assert forwards_to("{\n  return this->findCommutedOpIndices(MI.getDesc(), SrcOpIdx1, SrcOpIdx2);\n}",
                       "findCommutedOpIndices")
    assert not forwards_to("{\n  unsigned D = size(MI);\n  return findCommutedOpIndices(MI, D);\n}",
                           "findCommutedOpIndices")
    assert not forwards_to("{\n  if (X)\n    return f(MI);\n  return false;\n}", "f")
    # no LLVM interface function: nothing to fall back on, nothing left out
    state = RepairState(replaced={stub3.key: "e"}, functions=fns, overrides_llvm=lambda k: False)
    assert bypass_stub(stub3, Charged(stub3.key, why), state) is None
