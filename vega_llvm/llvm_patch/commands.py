"""CLI: ``vega-llvm llvm patch --target X --llvm-src DIR [--target-dir D] [--dry-run] [--force]``."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer


class Endian(str, Enum):
    little = "little"
    big = "big"


def register(app: typer.Typer) -> None:
    """Add ``patch`` to the ``llvm`` sub-app (registered before this module in ``cli.STAGE_COMMANDS``)."""
    from ..llvm.commands import llvm_app

    @llvm_app.command("patch")
    def patch_cmd(
        target: str = typer.Option(..., "--target", help="The new target's name, as its lib/Target directory (e.g. Vega32)."),
        llvm_src: Path = typer.Option(..., "--llvm-src", help="The llvm-project 16.0.6 checkout to patch (a copy, never the cache)."),
        target_dir: Optional[Path] = typer.Option(None, "--target-dir", help="Generated lib/Target/<X> (or bootstrap's --out) to copy into the tree."),
        td: Optional[Path] = typer.Option(None, "--td", help="The target's .td: its property table gives the pointer width when no data layout does."),
        bits: Optional[int] = typer.Option(None, "--bits", help="Pointer width 16, 32 or 64 (default: data layout, else .td, else 32)."),
        endian: Optional[Endian] = typer.Option(None, "--endian", help="Byte order (default: the data layout of <X>TargetMachine.cpp, else little)."),
        elf_machine: Optional[int] = typer.Option(None, "--elf-machine", help="e_machine value (default 159, in the gABI's reserved 145-159)."),
        relocs: Optional[Path] = typer.Option(None, "--relocs", help="An ELFRelocs .def to use (default: NONE, 32/64 and every ELF::R_<X>_* the target uses)."),
        out: Optional[Path] = typer.Option(None, "--out", help="Where to write the .patch files (default: <cache>/llvm_patches/<X>)."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Check that the patches apply; change nothing."),
        force: bool = typer.Option(False, "--force", help="Replace an existing llvm/lib/Target/<X>."),
        cmake_dirs: bool = typer.Option(False, "--cmake-dirs", help="Also add llvm-project's top-level cmake/ and third-party/ (from the cached Debian tarball) when missing."),
    ) -> None:
        """Register a brand-new architecture (Triple arch, ELF machine, relocations) in an llvm-project 16.0.6 copy."""
        from ..paths import cache_root, default_src_dir
        from . import apply, patches
        from .arch import infer_arch

        root = apply.check_checkout(llvm_src)
        tdir = apply.resolve_target_dir(target_dir, target) if target_dir else None
        table = None
        if td is not None and bits is None:
            from ..describe.describe import describe

            table, _ = describe(td)
        arch = infer_arch(
            target, bits=bits, little_endian=None if endian is None else endian is Endian.little, em_value=elf_machine,
            relocs_def=relocs, target_dir=tdir, table=table,
        )
        # Generate against the checkout's own bytes while it lacks the arch; once it has it (patched before, or half
        # patched), against the pristine cache, so that the dry runs can tell which patches are already in.
        cached = default_src_dir()
        bases = [b for b in (root, cached) if (b / patches.TRIPLE_H).is_file()]
        base = next((b for b in bases if not patches.knows_arch(b, arch)), None)
        if base is None:
            typer.echo(f"{root} already registers arch {arch.arch}: nothing to patch")
        else:
            dest = out or cache_root() / "llvm_patches" / target
            files = patches.write(patches.generate(arch, base), arch, dest)
            typer.echo(
                f"{arch.arch}: {arch.bits}-bit ({arch.sources.get('bits', 'option')}), "
                f"{'little' if arch.little_endian else 'big'} endian ({arch.sources.get('endian', 'option')}), "
                f"{arch.em_name} = {arch.em_value}, {len(arch.relocations)} relocations; {len(files)} patches in {dest}"
            )
            report = apply.apply_patches(root, files, dry_run=dry_run)
            if report.already_patched:
                typer.echo(f"{root} is already patched for {arch.arch}")
            else:
                for name, state in report.states.items():
                    typer.echo(f"  {state:<11} {name}")
        if tdir is not None:
            where = apply.install_target(root, tdir, target, force=force, dry_run=dry_run)
            typer.echo(f"{'would copy' if dry_run else 'copied'} {tdir} -> {where}")
        if cmake_dirs and not dry_run:
            for d in apply.add_common_cmake_dirs(root):
                typer.echo(f"added {d}")
        if not (root / "cmake").is_dir():
            typer.echo(f"note: {root}/cmake is missing and LLVM 16's configure needs it: rerun with --cmake-dirs")
        typer.echo(
            f"next: cmake -G Ninja -S {root}/llvm -B build -DLLVM_TARGETS_TO_BUILD={target} "
            f"-DLLVM_EXPERIMENTAL_TARGETS_TO_BUILD={target} (docs/NEW_TARGET.md)"
        )
