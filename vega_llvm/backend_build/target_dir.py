"""Recognises a target directory, so that every stage refuses a wrong path with one clear line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .. import LLVM_VERSION
from ..errors import ConfigError


@dataclass(frozen=True)
class TargetDir:
    path: Path
    name: str

    @property
    def has_asm_parser(self) -> bool:
        return (self.path / "AsmParser" / "CMakeLists.txt").is_file()

    @property
    def has_disassembler(self) -> bool:
        return (self.path / "Disassembler" / "CMakeLists.txt").is_file()


def resolve(path: Path | str) -> TargetDir:
    """A ``lib/Target/<X>`` directory: a CMakeLists.txt declaring the component group, and ``<X>.td``."""
    p = Path(path).expanduser()
    if not p.is_dir():
        raise ConfigError(f"{p}: no such directory (expected lib/Target/<X>)")
    cml = p / "CMakeLists.txt"
    if not cml.is_file():
        raise ConfigError(f"{p}: not a target directory (no CMakeLists.txt)")
    m = re.search(r"add_llvm_component_group\(\s*(\w+)", cml.read_text(errors="replace"))
    if not m:
        raise ConfigError(f"{cml}: not a target directory (no add_llvm_component_group(<X>))")
    name = m.group(1)
    if not (p / f"{name}.td").is_file():
        raise ConfigError(f"{p}: target {name} has no {name}.td")
    return TargetDir(path=p.resolve(), name=name)


def llvm_targets() -> list[str]:
    """The backends of the fetched llvm-project (directories of lib/Target that declare a component group)."""
    from ..paths import targets_dir

    return sorted(p.name for p in targets_dir().iterdir() if (p / "CMakeLists.txt").is_file() and (p / f"{p.name}.td").is_file())


def from_options(target_dir: Path | None, target: str | None) -> TargetDir:
    """``--target-dir DIR`` or ``--target NAME`` (a backend of the fetched llvm-project), exactly one of them."""
    from ..paths import targets_dir

    if (target_dir is None) == (target is None):
        raise ConfigError("give exactly one of --target-dir DIR or --target NAME")
    if target_dir is not None:
        return resolve(target_dir)
    known = llvm_targets()
    match = next((t for t in known if t.lower() == str(target).lower()), None)
    if match is None:
        raise ConfigError(f"unknown target {target!r}; llvm-project {LLVM_VERSION} has: {', '.join(known)}")
    return resolve(targets_dir() / match)
