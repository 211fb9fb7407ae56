"""The patches that register a brand-new architecture in llvm-project 16.0.6 (``vega-llvm llvm patch``).

The made-up target is ``Vega32``: the real ``lib/Target/Lanai`` with every Lanai/LANAI/lanai renamed, so it is a
32-bit big-endian target whose sources use ``Triple::vega32``, ``ELF::EM_VEGA32`` and ``ELF::R_VEGA32_*``. The
patches are applied with the real ``patch`` to a hard-linked copy of just the files they touch (plus the headers
those include), and the patched sources are compiled with ``-Werror=switch``. The full in-tree CMake configure
(about 30 s) runs too. The committed example patches in ``llvm_patches/Vega32`` are goldens:
``VEGA_UPDATE_GOLDENS=1 pytest tests/test_llvm_patch.py -k golden`` regenerates them.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from vega_llvm import proc
from vega_llvm.cli import main
from vega_llvm.errors import ConfigError
from vega_llvm.llvm_patch import apply, patches
from vega_llvm.llvm_patch.arch import NewArch, infer_arch
from vega_llvm.paths import cache_root, default_src_dir

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "llvm_patches" / "Vega32"
# What the patches touch, plus the headers ELF.h includes; everything else comes from the installed LLVM 16 headers.
NEEDED = ["llvm/CMakeLists.txt", "llvm/include/llvm/BinaryFormat", *(f for f in patches.FILES if f)]


def hardlink_copy(src_root: Path, dest_root: Path, rels: list[str]) -> Path:
    """A copy made of hard links: instant, and safe because patch(1) renames a new file over the one it changes."""
    for rel in rels:
        src, dest = src_root / rel, dest_root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dest, copy_function=os.link)
        elif not dest.exists():
            os.link(src, dest)
    return dest_root


def renamed_lanai(llvm_src: Path, dest: Path) -> Path:
    """lib/Target/Lanai as a new target Vega32: names replaced in paths and contents."""
    subs = (("Lanai", "Vega32"), ("LANAI", "VEGA32"), ("lanai", "vega32"))
    for f in sorted((llvm_src / "lib" / "Target" / "Lanai").rglob("*")):
        rel = str(f.relative_to(llvm_src / "lib" / "Target" / "Lanai"))
        for a, b in subs:
            rel = rel.replace(a, b)
        out = dest / rel
        if f.is_dir():
            out.mkdir(parents=True, exist_ok=True)
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        text = f.read_text()
        for a, b in subs:
            text = text.replace(a, b)
        out.write_text(text)
    return dest


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def vega32_dir(llvm_src: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return renamed_lanai(llvm_src, tmp_path_factory.mktemp("target") / "Vega32")


@pytest.fixture(scope="module")
def vega32_arch(vega32_dir: Path) -> NewArch:
    return infer_arch("Vega32", target_dir=vega32_dir)


def test_arch_comes_from_the_data_layout_and_relocations_from_the_sources(vega32_arch: NewArch) -> None:
    assert (vega32_arch.arch, vega32_arch.bits, vega32_arch.little_endian) == ("vega32", 32, False)
    assert vega32_arch.sources["endian"].startswith("data layout 'E-m:e-p:32:32")
    names = [n for n, _ in vega32_arch.relocations]
    # Every ELF::R_VEGA32_* the renamed Lanai sources use is defined, after the defaults.
    assert names[:2] == ["R_VEGA32_NONE", "R_VEGA32_32"]
    assert {"R_VEGA32_21", "R_VEGA32_21_F", "R_VEGA32_25", "R_VEGA32_HI16", "R_VEGA32_LO16"} <= set(names)
    assert len({v for _, v in vega32_arch.relocations}) == len(names)


def test_patches_apply_compile_and_are_idempotent(llvm_root: Path, vega32_arch: NewArch, tmp_path: Path) -> None:
    tree = hardlink_copy(llvm_root, tmp_path / "llvm-project", NEEDED)
    cached = {f: sha(llvm_root / f) for f in patches.FILES if f}
    files = patches.write(patches.generate(vega32_arch, tree), vega32_arch, tmp_path / "patches")
    assert [f.name for f in files] == (tmp_path / "patches" / "series").read_text().split()

    report = apply.apply_patches(tree, files)
    assert set(report.states.values()) == {"applied"}, report.states
    assert not list(tree.rglob("*.orig")) and not list(tree.rglob("*.rej"))
    # The cache was not written through the hard links.
    assert {f: sha(llvm_root / f) for f in cached} == cached
    assert (tree / patches.TRIPLE_CPP).stat().st_ino != (llvm_root / patches.TRIPLE_CPP).stat().st_ino

    triple_h = (tree / patches.TRIPLE_H).read_text()
    assert re.search(r"^\s+vega32,\s+// Vega32: 32-bit, big endian", triple_h, re.M)
    assert "LastArchType = vega32" in triple_h
    cpp = (tree / patches.TRIPLE_CPP).read_text()
    for func in ("getArchTypeName", "getArchPointerBitWidth", "get32BitArchVariant", "get64BitArchVariant",
                 "getLittleEndianArchVariant", "getDefaultFormat", "parseArch", "getArchTypeForLLVMName"):
        body = cpp[cpp.index(func + "("):]
        body = body[:body.index("\n}\n")]
        assert "vega32" in body, func
    assert "vega32" not in cpp[cpp.index("bool Triple::isLittleEndian"):].split("\n}\n")[0]
    assert "  EM_VEGA32 = 159," in (tree / patches.ELF_H).read_text()
    assert "ELF_RELOC(R_VEGA32_HI16," in (tree / patches.reloc_def_path(vega32_arch)).read_text()

    again = apply.apply_patches(tree, files)
    assert again.already_patched
    assert (tree / patches.OBJECT_ELF_CPP).read_text().count("EM_VEGA32") == 1

    # Compile-level check: every switch over ArchType stays complete (-Werror=switch), the ELF names resolve.
    inst = tmp_path / "elf_object_file.cpp"
    inst.write_text('#include "llvm/Object/ELFObjectFile.h"\n'
                    "template class llvm::object::ELFObjectFile<llvm::object::ELF32BE>;\n"
                    "template class llvm::object::ELFObjectFile<llvm::object::ELF64LE>;\n")
    srcs = [tree / patches.TRIPLE_CPP, tree / patches.BINARYFORMAT_ELF_CPP, tree / patches.OBJECT_ELF_CPP, inst]
    for src in srcs:
        res = proc.run(["g++", "-std=c++17", "-fsyntax-only", "-Wswitch", "-Werror=switch", "-I", tree / "llvm" / "include",
                        "-I", "/usr/lib/llvm-16/include", src], timeout=300)
        assert res.ok, f"{src.name}: {res.stderr[-2000:]}"


def test_64bit_little_endian_arch_joins_the_right_switch_groups(llvm_root: Path) -> None:
    arch = NewArch("Vega64", bits=64, little_endian=True, em_value=150)
    by_file: dict[str, list[patches.Edit]] = {}
    for ed in patches.edits_for(arch):
        by_file.setdefault(ed.path, []).append(ed)
    cpp = patches.apply_edits((llvm_root / patches.TRIPLE_CPP).read_text(), by_file[patches.TRIPLE_CPP], patches.TRIPLE_CPP)
    width = cpp[cpp.index("static unsigned getArchPointerBitWidth"):]
    assert width.index("case llvm::Triple::vega64:") > width.index("return 32;")
    assert width.index("case llvm::Triple::vega64:") < width.index("return 64;")
    v32 = cpp[cpp.index("Triple Triple::get32BitArchVariant"):]
    assert v32.index("case Triple::vega64:") < v32.index("T.setArch(UnknownArch);")
    for func in ("Triple Triple::getBigEndianArchVariant", "bool Triple::isLittleEndian"):
        assert "case Triple::vega64:" in cpp[cpp.index(func):].split("\n}\n")[0], func
    efo = patches.apply_edits((llvm_root / patches.ELF_OBJECT_FILE_H).read_text(), by_file[patches.ELF_OBJECT_FILE_H],
                              patches.ELF_OBJECT_FILE_H)
    assert 'return "elf64-vega64";' in efo
    assert ("R_VEGA64_64", 2) in arch.relocations


def test_refuses_known_names_taken_machines_and_the_cache(llvm_root: Path) -> None:
    with pytest.raises(ConfigError, match="already has an arch named 'lanai'"):
        patches.generate(NewArch("Lanai"), llvm_root)
    with pytest.raises(ConfigError, match="EM_LANAI already"):
        patches.generate(NewArch("Vega32", em_value=244), llvm_root)
    with pytest.raises(ConfigError, match="capital letter"):
        NewArch("vega32")
    if default_src_dir().is_dir():
        with pytest.raises(ConfigError, match="refusing to patch the cached pristine tree"):
            apply.check_checkout(default_src_dir())


def test_cli_dry_run_then_patch_then_target_copy(llvm_root: Path, vega32_dir: Path, tmp_path: Path, capsys) -> None:
    tree = hardlink_copy(llvm_root, tmp_path / "llvm-project", NEEDED)
    before = sha(tree / patches.TRIPLE_H)
    args = ["llvm", "patch", "--target", "Vega32", "--llvm-src", str(tree), "--target-dir", str(vega32_dir),
            "--out", str(tmp_path / "patches")]
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.count("would apply") == 7 and "would copy" in out
    assert sha(tree / patches.TRIPLE_H) == before and not (tree / "llvm/lib/Target/Vega32").exists()

    assert main(args) == 0
    assert "copied" in capsys.readouterr().out
    assert (tree / "llvm/lib/Target/Vega32/Vega32.td").is_file()
    assert main(args) == 2  # the target directory exists now
    assert "pass --force" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0
    assert "already patched for vega32" in capsys.readouterr().out


def test_golden_example_patches(llvm_root: Path, vega32_arch: NewArch, tmp_path: Path) -> None:
    got = tmp_path / "Vega32"
    patches.write(patches.generate(vega32_arch, llvm_root), vega32_arch, got)
    if os.environ.get("VEGA_UPDATE_GOLDENS"):
        patches.write(patches.generate(vega32_arch, llvm_root), vega32_arch, GOLDEN)
    for f in sorted(got.iterdir()):
        assert (GOLDEN / f.name).read_text() == f.read_text(), f"{f.name} differs (VEGA_UPDATE_GOLDENS=1 to regenerate, then review)"


def test_in_tree_cmake_configure_with_the_new_target(llvm_root: Path, vega32_dir: Path, tmp_path: Path) -> None:
    """The whole flow of docs/NEW_TARGET.md: hard-linked llvm/, cmake/ + third-party/, patches, target, configure.

    About 30 s on 2 busy cores (cp -al 1 s, tar 10 s, configure 17 s), so it runs in the default suite.
    """
    if not (llvm_root / "cmake").is_dir() and not (cache_root() / "dl" / apply.TARBALL).is_file():
        pytest.skip(f"no top-level cmake/ for LLVM 16's configure and no {apply.TARBALL} in the cache")
    tree = tmp_path / "llvm-project"
    tree.mkdir()
    proc.run(["cp", "-al", llvm_root / "llvm", tree / "llvm"], timeout=600, check=True)
    for d in ("cmake", "third-party"):
        if (llvm_root / d).is_dir():
            shutil.copytree(llvm_root / d, tree / d)
    assert main(["llvm", "patch", "--target", "Vega32", "--llvm-src", str(tree), "--target-dir", str(vega32_dir),
                 "--out", str(tmp_path / "patches"), "--cmake-dirs"]) == 0
    build = tmp_path / "build"
    start = time.monotonic()
    res = proc.run(
        ["cmake", "-G", "Ninja", "-S", tree / "llvm", "-B", build, "-DCMAKE_BUILD_TYPE=Release",
         "-DLLVM_TARGETS_TO_BUILD=Vega32", "-DLLVM_EXPERIMENTAL_TARGETS_TO_BUILD=Vega32",
         "-DLLVM_INCLUDE_TESTS=OFF", "-DLLVM_INCLUDE_BENCHMARKS=OFF", "-DLLVM_INCLUDE_EXAMPLES=OFF"],
        timeout=900, log=tmp_path / "configure.log",
    )
    log = (tmp_path / "configure.log").read_text()
    assert res.ok, log[-3000:]
    print(f"configure: {time.monotonic() - start:.0f} s")
    assert "LLVM_TARGET(Vega32)" in (build / "include/llvm/Config/Targets.def").read_text()
    assert "LLVMVega32CodeGen" in (build / "build.ninja").read_text()
