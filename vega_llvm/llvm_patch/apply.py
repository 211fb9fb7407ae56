"""Apply the generated patches to a user's llvm-project checkout with ``patch -p1``, and put the target in it.

Every patch is tried with ``--dry-run`` first, forward and reversed, so that nothing is written unless all of them
either apply cleanly or are already in: a half-patched tree is finished, a fully patched one is left alone (and
said so), and a tree that is neither (another LLVM version, hand edits) is refused before any file changes.
GNU patch writes each result to a new file and renames it into place, so a ``cp -al`` hard-linked copy of the
cached tree is safe to patch: the cache's inodes are never written (``tests/test_llvm_patch.py`` checks this).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .. import LLVM_VERSION, proc
from ..errors import ConfigError, LLVMNotFoundError
from ..paths import cache_root, default_src_dir
from . import PatchApplyError

PATCH_TIMEOUT = 60.0
TARBALL = f"llvm-toolchain-16_{LLVM_VERSION}.orig.tar.xz"


@dataclass
class ApplyReport:
    """What happened to each patch: ``applied`` now, ``already`` in the tree, or (dry run) ``would apply``."""

    root: Path
    states: dict[str, str] = field(default_factory=dict)
    target_dir: Path | None = None
    dry_run: bool = False

    @property
    def already_patched(self) -> bool:
        return bool(self.states) and all(s == "already" for s in self.states.values())


def check_checkout(root: Path) -> Path:
    """The llvm-project root to patch: never the cached pristine tree (every stage reads it as ground truth)."""
    root = root.expanduser().resolve()
    if not (root / "llvm" / "include" / "llvm" / "TargetParser" / "Triple.h").is_file():
        raise ConfigError(f"{root} is not an llvm-project {LLVM_VERSION} checkout (no llvm/include/llvm/TargetParser/Triple.h)")
    cml = (root / "llvm" / "CMakeLists.txt").read_text(errors="replace")
    major = re.search(r"set\(LLVM_VERSION_MAJOR (\d+)\)", cml)
    if not major or major.group(1) != LLVM_VERSION.split(".")[0]:
        raise ConfigError(f"{root} is LLVM {major.group(1) if major else '?'}, the patches are for {LLVM_VERSION}")
    if root == default_src_dir().resolve():
        raise ConfigError(
            f"refusing to patch the cached pristine tree {root}: patch a copy (cp -al {root} DIR; hard links are safe)"
        )
    return root


def _patch(root: Path, patch_file: Path, *args: str) -> proc.Completed:
    return proc.run(
        ["patch", "-p1", "--batch", "--fuzz=0", "--no-backup-if-mismatch", "-i", str(patch_file), *args], timeout=PATCH_TIMEOUT, cwd=root
    )


def patch_state(root: Path, patch_file: Path) -> str:
    """``already`` when its reverse applies (it is in), ``apply`` when it applies cleanly, else ``conflict``.

    The reverse is tried first: an inserted ``case`` block repeats the lines around it, so the forward patch can
    apply a second time at an offset, while the reverse needs the inserted lines and fails on an unpatched file.
    """
    if _patch(root, patch_file, "--dry-run", "--reverse", "--force", "--silent").ok:
        return "already"
    if _patch(root, patch_file, "--dry-run", "--forward", "--silent").ok:
        return "apply"
    return "conflict"


def apply_patches(root: Path, patch_files: list[Path], dry_run: bool = False) -> ApplyReport:
    """Dry-run all, then apply those not yet in; a conflicting patch stops everything before any file changes."""
    report = ApplyReport(root=root, dry_run=dry_run)
    states = {p.name: patch_state(root, p) for p in patch_files}
    bad = [n for n, s in states.items() if s == "conflict"]
    if bad:
        res = _patch(root, next(p for p in patch_files if p.name == bad[0]), "--dry-run", "--forward")
        first = next((ln for ln in (res.stdout + res.stderr).splitlines() if "FAILED" in ln or "fail" in ln.lower()), "")
        raise PatchApplyError(
            f"{bad[0]} does not apply to {root} ({first.strip() or 'hunks do not match'}): "
            f"is it an unmodified llvm-project {LLVM_VERSION}?"
        )
    for p in patch_files:
        state = states[p.name]
        if state == "apply" and not dry_run:
            res = _patch(root, p, "--forward", "--silent")
            if not res.ok:
                raise PatchApplyError(f"patch -p1 -i {p} failed in {root}: {(res.stdout + res.stderr).strip()[:300]}")
            state = "applied"
        elif state == "apply":
            state = "would apply"
        report.states[p.name] = state
    return report


def resolve_target_dir(target_dir: Path, target: str) -> Path:
    """Accept the target directory itself or a folder holding ``<X>/`` or ``lib/Target/<X>/`` (bootstrap's --out)."""
    for cand in (target_dir, target_dir / target, target_dir / "lib" / "Target" / target):
        if (cand / f"{target}.td").is_file():
            return cand
    raise ConfigError(f"{target_dir} holds no {target}.td (give the generated lib/Target/{target} directory)")


def install_target(root: Path, target_dir: Path, target: str, force: bool = False, dry_run: bool = False) -> Path:
    """Copy the target directory to ``llvm/lib/Target/<X>``; an existing one is replaced only with ``force``."""
    src = resolve_target_dir(target_dir, target)
    dest = root / "llvm" / "lib" / "Target" / target
    if dest.resolve() == src.resolve():
        return dest
    if dest.exists() and not force:
        raise ConfigError(f"{dest} exists: pass --force to replace it")
    if not dry_run:
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns("build", "*.pyc", "__pycache__"))
    return dest


def add_common_cmake_dirs(root: Path, timeout: float = 300) -> list[Path]:
    """Extract llvm-project's top-level ``cmake/`` and ``third-party/`` (3 MB) from the cached Debian tarball.

    LLVM 16's ``llvm/CMakeLists.txt`` includes ``../cmake/Modules`` (``LLVM_COMMON_CMAKE_UTILS``), so an ``llvm/``
    subtree alone does not configure; ``llvm fetch`` from Debian keeps only ``llvm/``.
    """
    wanted = [d for d in ("cmake", "third-party") if not (root / d).is_dir()]
    if not wanted:
        return []
    tarball = cache_root() / "dl" / TARBALL
    if not tarball.is_file():
        raise LLVMNotFoundError(f"{root} lacks {', '.join(wanted)}/ and {tarball} is missing: copy them from an llvm-project {LLVM_VERSION} checkout")
    top = f"llvm-toolchain-16_{LLVM_VERSION}"
    proc.run(["tar", "-xf", tarball, "-C", root, "--strip-components=1", *[f"{top}/{d}" for d in wanted]],
             timeout=timeout, check=True)
    return [root / d for d in wanted]
