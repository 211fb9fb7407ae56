"""The judge: a real out-of-tree build of a real target and LLVM's own lit tests against it.

Everything here runs the real CMake, Ninja, gcc, llvm-tblgen and lit on a copy of lib/Target/XCore.
"""

from __future__ import annotations

import re
import shutil
import stat
from pathlib import Path

import pytest

from vega_llvm import cli
from vega_llvm.backend_build.cmake import build, configure, parse_compiler_errors
from vega_llvm.backend_build.target_dir import resolve
from vega_llvm.errors import BuildError, LitRunError
from vega_llvm.littest.runner import run_tests

pytestmark = pytest.mark.llvm


def test_built_tools_contain_only_the_target(xcore_build) -> None:
    from vega_llvm.proc import run

    out = run([xcore_build.llc, "--version"], timeout=30).stdout
    targets = re.findall(r"^\s+(\S+)\s+- ", out.split("Registered Targets:")[1], re.M)
    assert targets == ["xcore"]
    ldd = run(["ldd", xcore_build.llc], timeout=30).stdout
    assert "libLLVM" not in ldd  # static: never the installed copy of the target


def test_unmodified_xcore_passes_the_same_tests_as_installed_llc(xcore_build, tmp_path: Path) -> None:
    ours = run_tests("XCore", llc=Path(xcore_build.llc), llvm_mc=Path(xcore_build.llvm_mc), run_dir=tmp_path / "ours")
    ref = run_tests("XCore", run_dir=tmp_path / "ref")
    assert ours.tests == ref.tests
    assert len(ours.tests) >= 60 and ours.failed == []
    assert ours.summary.get("PASS", 0) == ref.summary.get("PASS", 0) > 0
    assert ours.tools.startswith("ours:") and ref.tools == "installed"
    assert (tmp_path / "ours" / "results.json").is_file()


def test_renamed_mnemonic_makes_tests_fail(xcore_build, xcore_copy: Path, tmp_path: Path) -> None:
    """A .td change goes through tblgen into our llc, and LLVM's tests see it."""
    td = xcore_copy / "XCoreInstrInfo.td"
    original = td.read_text()
    assert 'F3R_2RUS<0b00010, 0b10010, "add", add>' in original
    td.write_text(original.replace('F3R_2RUS<0b00010, 0b10010, "add", add>', 'F3R_2RUS<0b00010, 0b10010, "addx", add>'))
    try:
        res = build(xcore_copy, Path(xcore_build.build_dir))
        report = run_tests("XCore", llc=Path(res.llc), llvm_mc=Path(res.llvm_mc), run_dir=tmp_path / "broken")
        assert report.failed, "renaming `add` broke no test: the tests are not seeing our build"
        assert any("CodeGen/XCore" in t for t in report.failed)
    finally:
        td.write_text(original)
        build(xcore_copy, Path(xcore_build.build_dir))


def test_cxx_syntax_error_names_the_file(xcore_build, xcore_copy: Path) -> None:
    src = xcore_copy / "XCoreMachineFunctionInfo.cpp"
    original = src.read_text()
    src.write_text(original + "\nint vega_broken( {\n")
    try:
        with pytest.raises(BuildError) as info:
            build(xcore_copy, Path(xcore_build.build_dir))
        msg = str(info.value)
        assert "XCoreMachineFunctionInfo.cpp" in msg and "error" in msg.lower()
        assert info.value.errors and info.value.errors[0].startswith(str(src) + ":")
        assert len(msg.splitlines()) == 1
    finally:
        src.write_text(original)
    build(xcore_copy, Path(xcore_build.build_dir))


def test_cmake_failure_is_reported(xcore_copy: Path, tmp_path: Path) -> None:
    bad = tmp_path / "XCore"
    shutil.copytree(xcore_copy, bad)
    cml = bad / "CMakeLists.txt"
    cml.write_text(cml.read_text() + "\nvega_no_such_cmake_command()\n")
    with pytest.raises(BuildError, match=r"CMake configure of XCore failed: CMake Error"):
        build(bad, tmp_path / "build")


def test_renamed_link_components_map_to_their_libraries(llvm_src: Path, tmp_path: Path) -> None:
    """BPF links component ``Scalar`` (LLVMScalarOpts' COMPONENT_NAME); the installed config alone maps it to
    ``-lLLVMScalar``, which does not exist, so every BPF build failed to link before the renames were read."""
    bpf = tmp_path / "BPF"
    shutil.copytree(llvm_src / "lib" / "Target" / "BPF", bpf)
    assert re.search(r"LINK_COMPONENTS[^)]*\bScalar\b", (bpf / "CMakeLists.txt").read_text())
    configure(resolve(bpf), tmp_path / "build")
    ninja = (tmp_path / "build" / "build.ninja").read_text()
    llc_link = next(line for line in ninja.splitlines() if line.startswith("build bin/llc:"))
    llc_libs = ninja[ninja.index(llc_link):].split("\nbuild ", 1)[0]
    assert "libLLVMScalarOpts.a" in llc_libs and "libLLVMipo.a" in llc_libs
    assert "-lLLVMScalar " not in ninja and "-lLLVMScalar\n" not in ninja


def test_build_dir_configured_from_a_gone_checkout_is_reconfigured(
    xcore_build, xcore_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached build directory outlives the worktree or install whose cmake/ configured it; building it again
    must not regenerate from the gone project (``The source directory ... does not exist``)."""
    from vega_llvm.backend_build import cmake

    old_project = tmp_path / "old-checkout" / "cmake"
    shutil.copytree(cmake.CMAKE_PROJECT, old_project)
    build_dir = tmp_path / "build"
    with monkeypatch.context() as m:
        m.setattr(cmake, "CMAKE_PROJECT", old_project)
        configure(resolve(xcore_copy), build_dir)
    assert f"CMAKE_HOME_DIRECTORY:INTERNAL={old_project}" in (build_dir / "CMakeCache.txt").read_text()
    shutil.rmtree(old_project.parent)
    result = build(xcore_copy, build_dir)
    assert Path(result.llc).is_file() and result.configured
    assert f"CMAKE_HOME_DIRECTORY:INTERNAL={cmake.CMAKE_PROJECT.resolve()}" in (build_dir / "CMakeCache.txt").read_text()


def test_hung_test_times_out(tmp_path: Path) -> None:
    """A backend that hangs is reported as TIMEOUT per test, not as a hung run."""
    hang = tmp_path / "llc"
    hang.write_text("#!/bin/sh\nexec sleep 600\n")
    hang.chmod(hang.stat().st_mode | stat.S_IXUSR)
    report = run_tests(
        "XCore", llc=hang, llvm_mc=hang, run_dir=tmp_path / "run", filter_regex=r"CodeGen/XCore/addsub64\.ll",
        test_timeout=2,
    )
    assert report.tests == {"CodeGen/XCore/addsub64.ll": "TIMEOUT"}
    assert report.failed == ["CodeGen/XCore/addsub64.ll"]


def test_lit_total_timeout_is_an_error(tmp_path: Path) -> None:
    hang = tmp_path / "llc"
    hang.write_text("#!/bin/sh\nexec sleep 600\n")
    hang.chmod(hang.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(LitRunError, match="exceeded"):
        run_tests("XCore", llc=hang, llvm_mc=hang, run_dir=tmp_path / "run", filter_regex="addsub64",
                  test_timeout=300, total_timeout=3)


def test_cli_test_command_end_to_end(xcore_build, xcore_copy: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "results.json"
    code = cli.main([
        "test", "--target-dir", str(xcore_copy), "--build-dir", xcore_build.build_dir, "--suite", "disassembler",
        "--out", str(out),
    ])
    text = capsys.readouterr().out
    assert code == 0, text
    assert re.search(r"XCore: \d+ passed, 0 failed", text)
    assert out.is_file()


def test_parse_compiler_errors() -> None:
    log = (
        "FAILED: target/CMakeFiles/x.o\n"
        "/t/XCore/XCoreFoo.cpp:12:5: error: expected ';' before '}' token\n"
        "/t/XCore/XCoreFoo.cpp:12:5: error: expected ';' before '}' token\n"
        "In file included from /t/XCore/XCore.h:3:\n"
        "/t/XCore/XCoreBar.h:4: error: bad\n"
    )
    errs = parse_compiler_errors(log)
    assert [(e.file, e.line) for e in errs] == [("/t/XCore/XCoreFoo.cpp", 12), ("/t/XCore/XCoreBar.h", 4)]
