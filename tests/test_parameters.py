"""generate/parameters.py: one name per parameter in a generated function, the description's where it declares it."""

from __future__ import annotations

from vega_llvm.describe.properties import PropertyTable
from vega_llvm.generate.adapt import member_candidates
from vega_llvm.generate.generate import _parsing_first, _Written, _written
from vega_llvm.generate.parameters import (
    coherent_parameters,
    declared_parameters,
    majority_parameter_names,
    member_parameter_positions,
    parameter_names,
    same_type,
)
from vega_llvm.templates import instantiate
from vega_llvm.templates.schema import Member, Placeholder, Statement, Template


def test_parameter_names_of_definitions_declarations_and_a_cut_declaration() -> None:
    assert parameter_names("void <T>P :: printInst ( const MCInst * MI , raw_ostream & O )") == ["MI", "O"]
    assert parameter_names("bool f(int, char *p = nullptr) const override;") == ["", "p"]
    assert parameter_names("SDValue LowerCall(SDValue Chain, const SDLoc &dl, SmallVectorImpl<SDVal") == ["Chain", "dl"]
    assert parameter_names("unsigned Count = 3;") is None
    # a lambda's parameters in the body are not the function's
    assert parameter_names("void f ( int A )\n{ auto g = [ ] ( int B ) { return B ; } ; }") == ["A"]


def _printer() -> Template:
    """``void <T>P::print(const MCInst *MI, raw_ostream &<SV0>) { emit(MI, <SV1>); <SV2> << "x"; }``: the signature's
    stream name and the body's are separate placeholders, as alignment makes them when targets name it differently."""
    head = Statement(0, None, 0, "function_definition",
                     ["void", "<T>P", "::", "print", "(", "const", "MCInst", "*", "MI", ",", "raw_ostream", "&", "<SV0>", ")", "{"],
                     ["}"], "TARGET_SPECIFIC", [Placeholder("SV0", "identifier")])
    emit = Statement(1, 0, 1, "expression_statement", ["emit", "(", "MI", ",", "<SV1>", ")", ";"], [], "TARGET_SPECIFIC",
                     [Placeholder("SV1", "identifier")])
    out = Statement(2, 0, 1, "expression_statement", ["<SV2>", "<<", '"x"', ";"], [], "TARGET_SPECIFIC",
                    [Placeholder("SV2", "identifier")])
    ms = [Member("A", "A", "A/P.cpp:1", "A", [0, 2], {"SV0": "O", "SV2": "O"}),
          Member("B", "B", "B/P.cpp:1", "B", [0, 2], {"SV0": "O", "SV2": "O"}),
          Member("C", "C", "C/P.cpp:1", "C", [0, 1], {"SV0": "OS", "SV1": "OS"})]
    return Template("t", "<T>P.cpp", "<T>P::print", "EMI", ["A", "B", "C"], [head, emit, out], ms)


def test_a_body_written_with_another_versions_parameter_name_uses_the_signatures() -> None:
    """A candidate with C's statement set whose signature's name is A's and B's ``O`` and whose body's is C's alone
    (``OS``): XCore's ``printInst`` failed to compile that way when every target that writes a statement voted on its
    values. Since a candidate's own writers fill its slots first, C's set is C's throughout; a mix can still come
    from a slot whose writers' value names what the target lacks, and the body then follows the signature."""
    from vega_llvm.generate.adapt import Adapted

    tpl = _printer()
    own = next(c for c in member_candidates(tpl, lambda sid: None, {}, set(), {"A": 1.0, "B": 0.9, "C": 0.8})
               if c.statements == [0, 1])
    assert own.values["SV0"] == "OS" and own.values["SV1"] == "OS"
    mixed = Adapted("member:C", [0, 1], {**own.values, "SV0": "O"}, own.score)
    code = _written(tpl, mixed, {}, {}, {}, "New").code
    assert "emit ( MI , OS )" in code
    positions = member_parameter_positions([instantiate(tpl, m) for m in tpl.members], ["const MCInst *", "raw_ostream &"])
    assert positions == {"MI": 0, "O": 1, "OS": 1}
    assert "emit ( MI , O )" in coherent_parameters(code, positions)


def test_the_descriptions_parameter_names_win_and_nothing_is_renamed_onto_a_name_in_use() -> None:
    tpl = _printer()
    decl = {"name": "NewP::print", "kind": "decl.method", "file": "NewP.h",
            "signature": "void print(const MCInst *Inst, raw_ostream &Out);"}
    table = PropertyTable("New", "New", details={"declarations": [decl]})
    assert declared_parameters(table, "NewP::print", 2) == (["Inst", "Out"], True)
    assert declared_parameters(table, "NewP::print", 3) is None  # another overload
    assert declared_parameters(table, "NewP::other", 2) is None
    cands = [_written(tpl, a, {}, {}, {}, "New")
             for a in member_candidates(tpl, lambda sid: None, {}, set(), {"A": 1.0, "B": 0.9, "C": 0.8})]
    ranked = _parsing_first(tpl, cands, None, table, "New")
    assert [c.code.splitlines() for c in ranked] == [
        ["void NewP :: print ( const MCInst * Inst , raw_ostream & Out ) {", '  Out << "x" ;', "}"],
        ["void NewP :: print ( const MCInst * Inst , raw_ostream & Out ) {", "  emit ( Inst , Out ) ;", "}"]]
    # a declared name the body already uses for something else (a member ``Out``) is not taken
    code = "void NewP :: print ( const MCInst * MI , raw_ostream & O )\n{ emit ( MI , O ) ; Out . flush ( ) ; }"
    assert coherent_parameters(code, {}, ["Inst", "Out"]) == code.replace("MI", "Inst")
    # nor one the declaration gives to two parameters (not this function's declaration)
    assert coherent_parameters(code, {}, ["X", "X"]) == code


def test_a_name_some_version_uses_without_declaring_is_not_a_parameter_name() -> None:
    """``Subtarget`` is C's parameter but A's class member: renaming it in a body of A's would break A's code."""
    codes = ["void f ( int Subtarget )\n{ g ( Subtarget ) ; }", "void f ( int STI )\n{ g ( Subtarget ) ; }"]
    assert member_parameter_positions(codes, ["int"]) == {"STI": 0}
    code = "void f ( int STI )\n{ g ( Subtarget ) ; h ( \"Subtarget\" ) ; }"
    assert coherent_parameters(code, member_parameter_positions(codes, ["int"])) == code
    # an overload of another arity in the same group does not make a name ambiguous
    overloads = ["void f ( int A , int OS )\n{ g ( OS ) ; }", "void f ( int OS )\n{ g ( OS ) ; }"]
    assert member_parameter_positions(overloads, ["int", "int"]) == {"A": 0, "OS": 1}
    assert member_parameter_positions(overloads, ["int"]) == {"OS": 0}
    # and literals and members of other things are never renamed
    code = "void f ( int P )\n{ g ( Q ) ; x . Q = \"Q\" ; // Q\n}"
    assert coherent_parameters(code, {"Q": 0}) == "void f ( int P )\n{ g ( P ) ; x . Q = \"Q\" ; // Q\n}"


def test_another_overload_of_a_declared_function_counts_as_undeclared() -> None:
    """XCore declares ``createXCoreISelDag(XCoreTargetMachine &TM, CodeGenOpt::Level OptLevel)``; Lanai's one-
    parameter factory and a pass configuration calling it with one argument do not compile against it."""
    from vega_llvm.generate.parameters import (
        arity_mismatch,
        callable_arities,
        declared_arities,
        declared_function_arities,
        mismatched_calls,
    )

    decls = [{"name": "createNewISelDag", "kind": "decl.function", "file": "New.h",
              "signature": "FunctionPass *createNewISelDag(NewTargetMachine &TM, CodeGenOpt::Level OptLevel);"},
             {"name": "printIt", "kind": "decl.function", "file": "New.h",
              "signature": "void printIt(const char *Fmt, int Width = 0, ...);"}]
    table = PropertyTable("New", "New", details={"declarations": decls})
    assert declared_arities(table, "createNewISelDag") == [(2, 2.0)]
    assert declared_arities(table, "printIt") == [(1, float("inf"))]
    one = "FunctionPass * createNewISelDag ( NewTargetMachine & TM )\n{ return new NewDAGToDAGISel ( TM ) ; }"
    assert arity_mismatch(one, declared_arities(table, "createNewISelDag"))
    assert not arity_mismatch(one.replace("& TM )", "& TM , CodeGenOpt :: Level OL )"), declared_arities(table, "createNewISelDag"))
    assert not arity_mismatch(one, [])  # not declared: nothing to hold it to
    calls = declared_function_arities(table)
    code = ("bool NewPassConfig :: addInstSelector ( )\n{ addPass ( createNewISelDag ( getNewTargetMachine ( ) ) ) ;"
            " addPass ( llvm :: createNewISelDag ( TM , getOptLevel ( ) ) ) ; printIt ( \"x\" , 1 , 2 , 3 ) ; printIt ( ) ; }")
    assert mismatched_calls(code, calls) == ["createNewISelDag/1", "printIt/0"]
    # a method of the function's own class hides a free function of its name; another class's methods are not reached
    decls.append({"name": "NewInstPrinter::printIt", "kind": "decl.method", "file": "NewInstPrinter.h",
                  "signature": "void printIt(raw_ostream &OS, MCRegister Reg);"})
    arities = declared_function_arities(table)
    assert callable_arities(arities, "NewInstPrinter::printOperand")["printIt"] == [(2, 2.0)]
    assert callable_arities(arities, "NewAsmPrinter::printOperand")["printIt"] == [(1, float("inf"))]
    assert mismatched_calls("void f ( )\n{ printIt ( Reg ) ; }", callable_arities(arities, "NewInstPrinter::f")) == ["printIt/1"]
    # a constructor with two arguments or more, however it is called (RISC-V's ``RISCVSubtarget`` built with a
    # donor's five); none, or one (a copy), is never judged: a defaulted or inline constructor is not recorded
    decls.append({"name": "NewSubtarget::NewSubtarget", "kind": "decl.method", "file": "NewSubtarget.h",
                  "signature": "NewSubtarget(const Triple &TT, StringRef CPU, StringRef FS, const TargetMachine &TM);"})
    calls = callable_arities(declared_function_arities(table), "NewTargetMachine::getSubtargetImpl")
    built = ("void f ( )\n{ auto A = std :: make_unique < NewSubtarget > ( TT , CPU , FS , * this , 1 ) ;"
             " auto * B = new NewSubtarget ( TT , CPU ) ; NewSubtarget C = NewSubtarget ( TT , CPU , FS , * this ) ;"
             " auto D = NewSubtarget ( ) ; auto E = NewSubtarget ( * A ) ; }")
    assert mismatched_calls(built, calls) == ["NewSubtarget::NewSubtarget/2", "NewSubtarget::NewSubtarget/5"]
    # through generation's ranking: the matching overload first, the other marked
    head = Statement(0, None, 0, "function_definition",
                     ["FunctionPass", "*", "create<T>ISelDag", "(", "<T>TargetMachine", "&", "TM", "<SV0>", ")", "{"], ["}"],
                     "TARGET_SPECIFIC", [Placeholder("SV0", "expression")])
    ret = Statement(1, 0, 1, "return_statement", ["return", "new", "<T>DAGToDAGISel", "(", "TM", "<SV1>", ")", ";"], [],
                    "TARGET_SPECIFIC", [Placeholder("SV1", "expression")])
    ms = [Member("A", "A", "A/I.cpp:1", "A", [0, 1], {"SV0": "", "SV1": ""}),
          Member("B", "B", "B/I.cpp:1", "B", [0, 1], {"SV0": ", CodeGenOpt :: Level OL", "SV1": ", OL"})]
    tpl = Template("t", "<T>ISelDAGToDAG.cpp", "create<T>ISelDag", "SEL", ["A", "B"], [head, ret], ms)
    cands = [_Written(f"member:{m.target}", m.statements, m.values,
                      instantiate(tpl, {"statements": m.statements, "values": m.values, "spelling": "New"}), 0.5)
             for m in ms]
    ranked = _parsing_first(tpl, cands, None, table, "New")
    assert [(c.source, c.undeclared) for c in ranked] == [("member:B", []), ("member:A", ["createNewISelDag/1"])]


def test_a_name_of_another_overload_in_the_group_is_not_renamed_into_the_candidates() -> None:
    """Lanai's ``printInst(MI, OS, Alias, OpNo0, OpNo1)`` helper shares the group with the ``printInst(MI, Address,
    Annot, STI, O)`` every target has: only versions with the candidate's parameter types say which name is which
    parameter, so the helper's body keeps its names (and is found undeclared) instead of being renamed into code
    that compiles and means nothing."""
    from vega_llvm.generate.parameters import parameters

    assert parameters("bool f(int, char *p = nullptr, const SmallVectorImpl<ISD::InputArg> &Ins) const;") == [
        ("int", ""), ("char *", "p"), ("const SmallVectorImpl < ISD :: InputArg > &", "Ins")]
    codes = ["void f ( const MCInst * MI , uint64_t Address , StringRef Annot , unsigned Op , raw_ostream & OS )\n{ g ( OS ) ; }",
             "bool f ( const MCInst * MI , raw_ostream & OS , StringRef Alias , unsigned A , unsigned B )\n{ OS << Alias ; }",
             "void f ( const MCInst * MI , uint64_t Address , StringRef Annot , unsigned Op , raw_ostream & O )\n{ g ( O ) ; }"]
    standard = ["const MCInst *", "uint64_t", "StringRef", "unsigned", "raw_ostream &"]
    positions = member_parameter_positions(codes, standard)
    assert positions["OS"] == 4 and "Alias" not in positions
    mixed = "void f ( const MCInst * MI , uint64_t Address , StringRef Annot , unsigned Op , raw_ostream & O )\n{ g ( OS ) ; }"
    assert coherent_parameters(mixed, positions) == mixed.replace("g ( OS )", "g ( O )")
    helper = "void f ( const MCInst * MI , uint64_t Address , StringRef Annot , unsigned Op , raw_ostream & O )\n{ OS << Alias ; }"
    assert coherent_parameters(helper, positions) == helper.replace("OS <<", "O <<")  # Alias stays: undeclared


def test_without_a_declaration_a_parameter_takes_the_name_most_versions_give_it() -> None:
    """Three of four versions of ``getI32Imm(unsigned, const SDLoc &)`` call the location ``dl``; the nearest
    target's ``DL`` loses, a tie keeps the candidate's own name, and another overload's versions do not vote."""
    codes = ["SDValue f ( unsigned Imm , const SDLoc & dl )\n{ return g ( Imm , dl ) ; }",
             "SDValue f ( unsigned Imm , const SDLoc & dl )\n{ return g ( Imm , dl ) ; }",
             "SDValue f ( unsigned Val , const SDLoc & dl )\n{ return g ( Val , dl ) ; }",
             "SDValue f ( unsigned Val , const SDLoc & DL )\n{ return g ( Val , DL ) ; }",
             "SDValue f ( int Other , const SDLoc & Loc )\n{ return g ( Other , Loc ) ; }"]
    types = ["unsigned", "const SDLoc &"]
    assert majority_parameter_names(codes, types) == ["", "dl"]
    assert majority_parameter_names(codes, ["char"]) is None
    mine = codes[3]
    assert coherent_parameters(mine, member_parameter_positions(codes, types), majority_parameter_names(codes, types)) \
        == "SDValue f ( unsigned Val , const SDLoc & dl )\n{ return g ( Val , dl ) ; }"


def test_a_parameter_named_like_a_scope_is_renamed_where_it_is_the_parameter_only() -> None:
    """Lanai names its code-model parameter ``CodeModel``; XCore's declaration calls it ``CM``. The scope
    ``CodeModel::Model`` and ``CodeModel::Medium`` stay: renamed, they named nothing (XCore's scratch constructor)."""
    code = ("XTM :: XTM ( const Target & T , std :: optional < CodeModel :: Model > CodeModel , bool JIT ) : "
            "B ( T , getEffectiveCodeModel ( CodeModel , CodeModel :: Medium ) )\n{ initAsmInfo ( ) ; }")
    assert coherent_parameters(code, {}, ["T", "CM", "JIT"]) == (
        "XTM :: XTM ( const Target & T , std :: optional < CodeModel :: Model > CM , bool JIT ) : "
        "B ( T , getEffectiveCodeModel ( CM , CodeModel :: Medium ) )\n{ initAsmInfo ( ) ; }")


def test_where_every_candidate_is_another_overload_the_declared_parameter_list_is_taken() -> None:
    """XCore declares ``explicit XCoreMCAsmInfo(const Triple &TT)``; every training version also takes
    ``MCTargetOptions``, which its body does not use: the definition takes the declared list. A parameter the body
    uses is matched by name, else by the one declared parameter of its type (renamed), else the declaration is
    not this function's."""
    from vega_llvm.generate.parameters import declared_head

    two = "NewMCAsmInfo :: NewMCAsmInfo ( const Triple & , const MCTargetOptions & Options )\n{ IsLittleEndian = false ; }"
    assert declared_head(two, ["explicit NewMCAsmInfo(const Triple &TT);"]) == (
        "NewMCAsmInfo :: NewMCAsmInfo (const Triple &TT)\n{ IsLittleEndian = false ; }")
    printer = "void printOperand ( const MCInst * MI , uint64_t , unsigned Op , raw_ostream & O )\n{ print ( MI , Op , O ) ; }"
    assert declared_head(printer, ["void printOperand(const MCInst *MI, int N, raw_ostream &O, const char *M = nullptr);",
                                   "void printOperand(const MCInst *MI, unsigned OpNo, raw_ostream &O);"]) == (
        "void printOperand (const MCInst *MI, unsigned OpNo, raw_ostream &O)\n{ print ( MI , OpNo , O ) ; }")
    assert declared_head("int f ( int A , int B )\n{ return A + B ; }", ["int f(int X);"]) is None
    # through generation: both versions are another overload, so both take the declaration
    decls = [{"name": "NewMCAsmInfo::NewMCAsmInfo", "kind": "decl.method", "file": "NewMCAsmInfo.h",
              "signature": "explicit NewMCAsmInfo(const Triple &TT);"}]
    table = PropertyTable("New", "New", details={"declarations": decls})
    head = Statement(0, None, 0, "function_definition",
                     ["<T>MCAsmInfo", "::", "<T>MCAsmInfo", "(", "const", "Triple", "&", "<SV0>", ",", "const",
                      "MCTargetOptions", "&", "Options", ")", "{"], ["}"], "TARGET_SPECIFIC", [Placeholder("SV0", "identifier")])
    body = Statement(1, 0, 1, "expression_statement", ["IsLittleEndian", "=", "false", ";"], [], "TARGET_INDEPENDENT")
    ms = [Member("A", "A", "A/M.cpp:1", "A", [0, 1], {"SV0": "TT"}), Member("B", "B", "B/M.cpp:1", "B", [0], {"SV0": ""})]
    tpl = Template("t", "<T>MCAsmInfo.cpp", "<T>MCAsmInfo::<T>MCAsmInfo", "EMI", ["A", "B"], [head, body], ms)
    cands = [_Written(f"member:{m.target}", m.statements, m.values,
                      instantiate(tpl, {"statements": m.statements, "values": m.values, "spelling": "New"}), 0.5)
             for m in ms]
    ranked = _parsing_first(tpl, cands, None, table, "New")
    assert [c.code.partition("\n")[0] for c in ranked] == ["NewMCAsmInfo :: NewMCAsmInfo (const Triple &TT) {"] * 2
    assert all(not c.undeclared for c in ranked)


def test_a_declaration_with_defaults_and_one_of_two_overloads_give_their_names() -> None:
    """RISC-V declares ``printOperand`` with a defaulted modifier and two ``isTruncateFree`` of two parameters:
    versions without the modifier, and the ``EVT`` overload, take the names of the declaration they define."""
    decls = [
        {"name": "R::isTruncateFree", "kind": "decl.method", "file": "R.h",
         "signature": "bool isTruncateFree(Type *SrcTy, Type *DstTy) const override;"},
        {"name": "R::isTruncateFree", "kind": "decl.method", "file": "R.h",
         "signature": "bool isTruncateFree(EVT SrcVT, EVT DstVT) const override;"},
        {"name": "R::printOperand", "kind": "decl.method", "file": "R.h",
         "signature": "void printOperand(const MCInst *MI, unsigned OpNo, const MCSubtargetInfo &STI, raw_ostream &O,"
                      " const char *Modifier = nullptr);"},
    ]
    table = PropertyTable("R", "R", details={"declarations": decls})
    assert declared_parameters(table, "R::isTruncateFree", 2, ["EVT", "EVT"]) == (["SrcVT", "DstVT"], True)
    assert declared_parameters(table, "R::isTruncateFree", 2, ["Type *", "Type *"]) == (["SrcTy", "DstTy"], True)
    assert declared_parameters(table, "R::isTruncateFree", 2) is None  # which one: nothing says
    four = ["const MCInst *", "int", "const MCSubtargetInfo &", "raw_ostream &"]
    assert declared_parameters(table, "R::printOperand", 4, four) == (["MI", "OpNo", "STI", "O"], True)
    assert declared_parameters(table, "R::printOperand", 5) == (["MI", "OpNo", "STI", "O", "Modifier"], True)
    assert declared_parameters(table, "R::printOperand", 3) is None  # the modifier is the only default
    # defaults left out, the others must be the same types: not another overload's parameters renamed by position
    assert declared_parameters(table, "R::printOperand", 4, ["const MCInst *", "raw_ostream &", "int", "int"]) is None
    assert same_type("unsigned int", "unsigned") and same_type("const llvm::MCInst *", "MCInst *")
    assert not same_type("MCInst &", "MCInst *") and not same_type("EVT", "Type *")
