"""Command-line options of taken-over code: read from the real training targets' sources, respelled, and declared
in the one emitted file that reads them (compiled against the installed LLVM)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vega_llvm.emit.options import OptionDecl, needed_options, options_in, respelled, training_options


def test_file_scope_option_declarations_are_read() -> None:
    code = '''#include "x.h"
static cl::opt<int> LanaiLowerConstantMulThreshold(
    "lanai-constant-mul-threshold", cl::Hidden, cl::init(14));
namespace llvm { cl::opt<bool> Shared("lanai-shared", cl::init(false)); }
static bool ArchRegNames;
int f() { static cl::opt<int> Local("not-file-scope"); return 0; }
'''
    got = [(v, o) for v, o, _ in options_in(code)]
    assert got == [("LanaiLowerConstantMulThreshold", "lanai-constant-mul-threshold"), ("Shared", "lanai-shared")]


def test_respelling_renames_the_donor_in_variable_and_option() -> None:
    decl = OptionDecl("ARC", "ARC/ARCOptAddrMode.cpp", "ArcKillAddrMode",
                      "arc-kill-addr-mode", 'cl::opt<unsigned> ArcKillAddrMode("arc-kill-addr-mode", cl::init(0));')
    mine = respelled(decl, "XCore")
    assert mine is not None and (mine.var, mine.option) == ("XCoreKillAddrMode", "xcore-kill-addr-mode")
    assert mine.text == 'static cl::opt<unsigned> XCoreKillAddrMode("xcore-kill-addr-mode", cl::init(0));'
    # an option not named after its target could be one the installed LLVM registers too: not taken
    other = OptionDecl("Lanai", "p", "DisableMemAluCombiner", "disable-lanai-mem-alu-combiner", "...")
    assert respelled(other, "XCore") is None


@pytest.mark.llvm
def test_the_nearest_donors_options_go_to_the_one_file_reading_them(tmp_path: Path) -> None:
    from vega_llvm.emit.layout import llvm_knows
    from vega_llvm.llvm.toolchain import find_toolchain
    from vega_llvm.paths import llvm_dir

    root = str(llvm_dir() / "lib" / "Target")
    declared = training_options(root, ("Lanai", "CSKY", "Sparc"))
    code = {
        "ISelLowering": "SDValue f() {\n  if (InstrRequired > XCoreLowerConstantMulThreshold)\n    return SDValue();\n}",
        "InstPrinter": "void p() {\n  if (!NoAliases && printAliasInstr())\n    return;\n}",
        "AsmPrinter": "void q() {}",
    }
    found = needed_options(code, "XCore", ["Lanai", "CSKY", "Sparc"], declared, llvm_knows())
    assert sorted(found) == ["ISelLowering", "InstPrinter"]
    assert '"xcore-constant-mul-threshold"' in found["ISelLowering"][0]
    assert len(found["InstPrinter"]) == 1 and 'NoAliases("xcore-no-aliases"' in found["InstPrinter"][0]
    # two files reading one variable: neither declares it (each would register the option)
    both = needed_options({**code, "AsmPrinter": "void q() { (void)NoAliases; }"}, "XCore", ["Lanai", "CSKY"],
                          declared, llvm_knows())
    assert "InstPrinter" not in both and "AsmPrinter" not in both
    # two donors' options respelled to one option string: only the nearer one's variable is declared
    twice = [OptionDecl("Lanai", "a", "LanaiFoo", "lanai-foo", 'cl::opt<bool> LanaiFoo("lanai-foo");'),
             OptionDecl("CSKY", "b", "FooFlag", "csky-foo", 'cl::opt<bool> FooFlag("csky-foo");')]
    one = needed_options({"ISelLowering": "int f() { return XCoreFoo + FooFlag; }"}, "XCore", ["Lanai", "CSKY"],
                         twice, llvm_knows())
    assert one == {"ISelLowering": ['static cl::opt<bool> XCoreFoo("xcore-foo");']}
    if not shutil.which("g++"):
        pytest.skip("needs g++")
    unit = tmp_path / "unit.cpp"
    unit.write_text('#include "llvm/Support/CommandLine.h"\nusing namespace llvm;\n'
                    + "\n".join(found["ISelLowering"] + found["InstPrinter"])
                    + "\nint main(int argc, char **argv) {\n  cl::ParseCommandLineOptions(argc, argv);\n"
                    "  return XCoreLowerConstantMulThreshold * 10 + NoAliases;\n}\n")
    tc = find_toolchain()
    from vega_llvm import LLVM_MAJOR

    build = subprocess.run(["g++", "-std=c++17", f"-I{tc.includedir}", "unit.cpp", "-o", "unit", f"-L{tc.libdir}",
                            f"-Wl,-rpath,{tc.libdir}", f"-lLLVM-{LLVM_MAJOR}"], cwd=tmp_path, capture_output=True,
                           text=True)
    assert build.returncode == 0, build.stderr[-3000:]
    run = subprocess.run(["./unit", "-xcore-no-aliases", "-xcore-constant-mul-threshold=3"], cwd=tmp_path)
    assert run.returncode == 31
