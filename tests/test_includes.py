"""Which of the target's own headers a generated source includes (``vega_llvm.emit.includes``)."""

from __future__ import annotations

from pathlib import Path

from vega_llvm.emit.includes import declared_names, description_words, named, needed_headers

HEADER = """\
#ifndef LLVM_LIB_TARGET_FOO_FOOMCEXPR_H
#define LLVM_LIB_TARGET_FOO_FOOMCEXPR_H
#define FOO_FLAG 3
namespace llvm {
class FooSubtarget;  // a forward declaration declares nothing here
class FooMCExpr : public MCTargetExpr {
public:
  enum VariantKind { VK_Foo_None, VK_Foo_LO = 2 };
  static const FooMCExpr *create(VariantKind K, MCContext &Ctx);  // vega: declares <T>MCExpr::create
  void printImpl(raw_ostream &OS, const MCAsmInfo *MAI) const override { OS << "lo"; }
};
namespace FooII {
enum TOF { MO_NO_FLAG, MO_LO };
inline bool isLo(unsigned Flags) { return Flags == MO_LO; }
}
using FooExprList = SmallVector<const FooMCExpr *, 4>;
extern const unsigned FooTable[4];
unsigned getFooRegisterNumbering(unsigned Reg);
} // end namespace llvm
#endif
"""


def test_a_header_declares_its_classes_enumerators_and_namespace_scope_names_not_members() -> None:
    names = declared_names(HEADER)
    assert {"FooMCExpr", "VK_Foo_None", "VK_Foo_LO", "FooII", "TOF", "MO_NO_FLAG", "MO_LO", "isLo", "FooExprList",
            "FooTable", "getFooRegisterNumbering", "FOO_FLAG"} <= names
    assert not names & {"FooSubtarget", "create", "printImpl", "llvm", "OS", "Flags"}


def test_a_source_names_code_not_comments_strings_includes_or_forward_declarations() -> None:
    text = '#include "FooMCExpr.h"\nclass FooMCExpr;\n// FooII::MO_LO\nvoid f() { g("FooTable"); FooSubtarget *S; }\n'
    assert named(text) == {"void", "f", "g", "FooSubtarget", "S"}


def test_a_source_includes_its_own_header_those_it_names_and_what_they_name() -> None:
    headers = {
        "MCTargetDesc/FooMCExpr.h": HEADER,
        "FooMachineFunctionInfo.h": "namespace llvm {\nclass FooFunctionInfo : public MachineFunctionInfo {\n"
                                    "  FooExprList Exprs;\n};\n}\n",
        "FooTargetObjectFile.h": "namespace llvm {\nclass FooTargetObjectFile : public TargetLoweringObjectFileELF {};\n}\n",
    }
    optional = list(headers)
    lowering = "void FooTargetLowering::f(MachineFunction &MF) const { MF.getInfo<FooFunctionInfo>(); }\n"
    # FooFunctionInfo's header, and the MCExpr header whose alias that header's class holds
    assert needed_headers(lowering, "FooISelLowering.h", optional, headers, None) == optional[:2]
    own = "FooTargetObjectFile::~FooTargetObjectFile() {}\n"
    assert needed_headers(own, "FooTargetObjectFile.h", optional, headers, None) == ["FooTargetObjectFile.h"]
    assert needed_headers("int x;\n", "", optional, headers, None) == []


def test_a_source_with_tablegens_output_counts_the_descriptions_words(tmp_path: Path) -> None:
    headers = {"MCTargetDesc/FooMCExpr.h": HEADER, "FooTargetObjectFile.h": "namespace llvm {\nclass FooTargetObjectFile {};\n}\n"}
    optional = list(headers)
    source = '#include "FooGenDAGISel.inc"\nvoid f() {}\n'
    assert needed_headers(source, "", optional, headers, None) == optional  # nothing to read the .inc's names from
    (tmp_path / "Foo.td").write_text('def : Pat<(foo), [{ return FooII::isLo(N->getFlags()); }]>;\n')
    words = description_words(str(tmp_path))
    assert "FooII" in words
    assert needed_headers(source, "", optional, headers, words) == ["MCTargetDesc/FooMCExpr.h"]
