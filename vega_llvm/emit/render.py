"""Render a ``Plan`` through the Jinja templates in ``templates/target`` and write the target directory.

Templates get the target's name and properties, the planned files (classes, functions) and a ``definition``
filter that turns a placed function into its out-of-line definition. Every function is preceded by a
``// vega: <group> [source, confidence c]`` line; ``function_ranges`` finds those lines again in the rendered text,
which is how a compiler error at ``file:line`` is charged to a function.

Writing is atomic: a new directory is staged beside the destination and renamed into place; an existing one
(``force``) is synchronised file by file, each changed file replaced by rename, unchanged files untouched, so Ninja
rebuilds only what changed.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from functools import lru_cache
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2

from ..atomic import publish
from ..errors import ConfigError, TemplateRenderError
from ..template_clauses import without_defaults
from .functions import Signature
from .includes import needed_headers
from .layout import DECLARES, Plan, PlacedFunction, PlannedFile, _mentions, _unique_declarations, declares, is_public

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIR = REPO_ROOT / "templates" / "target"
MARKER = re.compile(r"^// vega: (\S+) \[([^,\]]+), confidence ([0-9.]+)\]$")
END_MARKER = "// vega: end of functions"

# Headers a codegen header needs complete (classes held by value), in dependency order.
_HEADER_DEPS = {
    "InstrInfo": ["RegisterInfo"],
    "Subtarget": ["RegisterInfo", "InstrInfo", "FrameLowering", "ISelLowering"],
    "TargetMachine": ["Subtarget"],
}
_CODEGEN_HEADER_ORDER = ["RegisterInfo", "InstrInfo", "FrameLowering", "ISelLowering", "Subtarget", "TargetMachine", "MCInstLower"]


def _core_headers(T: str) -> set[str]:
    """The headers every codegen source includes: the classes a subtarget and target machine hold (the rest only
    where a source names what they declare, ``emit.includes``)."""
    return {f"{T}{s}.h" for s in _CODEGEN_HEADER_ORDER if s != "MCInstLower"}


def definition(p: PlacedFunction) -> str:
    """The out-of-line definition of a placed function (member, public free function, or static helper)."""
    sig, body = p.sig, p.fn.body.strip() or "{}"
    if p.cls:
        return f"{sig.definition_head(p.cls)}\n{body}"
    # every free function is declared before it is defined (``static_prototypes``, the public headers): a template's
    # default arguments stay with that declaration
    sig = replace(sig, prefix=without_defaults(sig.prefix))
    params = ", ".join(_strip(sig.params))
    if sig.name.startswith("LLVMInitialize"):
        prefix = sig.prefix if "extern" in sig.prefix else f'extern "C" {sig.prefix}'.strip()
        return f"{prefix} {sig.name}({params}){(' ' + sig.suffix) if sig.suffix else ''}\n{body}"
    words = sig.prefix.split()
    if "static" in words:
        return f"{Signature(sig.prefix, '', sig.name, ', '.join(_strip(sig.params)), sig.suffix, '').free_head()}\n{body}"
    prefix = " ".join(w for w in words if w != "inline")
    if not p.public and not p.namespace:  # declared in its own file only (``static_prototypes``), at file scope
        return f"{Signature(prefix, '', sig.name, params, sig.suffix, '').free_head()}\n{body}"
    scope = f"llvm::{p.namespace}" if p.namespace else "llvm"
    if p.namespace and prefix and not prefix.startswith("template") and "auto" not in prefix.split():
        # a return type written before ``llvm::NS::name`` is looked up outside the namespace (LoongArch's
        # ``ABI getTargetABI(StringRef)``, written inside its ``namespace LoongArchABI``, named no type there); one
        # after the name is looked up inside it, as in the namespace's own declaration
        specs = [w for w in prefix.split() if w in ("constexpr", "[[nodiscard]]")]
        returns = " ".join(w for w in prefix.split() if w not in specs)
        head = Signature(" ".join([*specs, "auto"]), scope, sig.name, params, sig.suffix, "").free_head()
        return f"{head} -> {returns}\n{body}"
    return f"{Signature(prefix, scope, sig.name, params, sig.suffix, '').free_head()}\n{body}"


def _strip(params: str) -> list[str]:
    from .functions import split_top, strip_default

    return [strip_default(x) for x in split_top(params, ",")]


def static_prototypes(file: PlannedFile) -> list[str]:
    """Prototypes of the file's own free functions (static ones, and all of a private library's)."""
    out = []
    for p in file.functions:
        if not p.cls and not p.sig.name.startswith("LLVMInitialize") and not is_public(file.kind, p.sig, p.cls):
            decl = Signature(p.sig.prefix, "", p.sig.name, p.sig.params, p.sig.suffix, "").declaration()
            if p.namespace:
                decl = f"namespace llvm {{ namespace {p.namespace} {{ {decl} }} }}"
            out.append(declares(decl, p.fn.key))
    return _unique_declarations(out)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["definition"] = definition
    env.filters["static_prototypes"] = static_prototypes
    return env


def partial_includes(name: str) -> list[str]:
    """The LLVM headers an include partial of the templates lists (``_codegen_includes.j2``), in its order: what each
    source of its layer includes first, so what its library precompiles (``_precompiled.j2``)."""
    text = (TEMPLATE_DIR / name).read_text()
    return re.findall(r'^#include "(llvm/[^"]+)"', text, re.M)


@dataclass
class Rendered:
    files: dict[str, str]  # path relative to the target directory -> text


def render_plan(plan: Plan, td_name: str, words: frozenset[str] | None = None) -> Rendered:
    """Every file of the target directory except the ``.td`` description itself. Each source includes the core
    headers and those others of ours it names something of (``emit.includes``); ``words``: the description's
    identifiers (``includes.description_words``), which TableGen's output may name (None: a source including such
    output includes every header)."""
    env = environment()
    T = plan.target
    files: dict[str, str] = {}
    present = {f.kind.stem: f for f in plan.files}
    codegen_headers = [f"{T}{s}.h" for s in _CODEGEN_HEADER_ORDER if s in present and present[s].kind.header]
    mc_headers = [f.kind.path(T, "h") for f in plan.files if f.kind.layer == "mc" and f.kind.header and f.kind.directory == "MCTargetDesc" and f.kind.stem != "MCTargetDesc"]
    # The kinds read from the training targets (emit.backends): their headers are the codegen files' too, as the
    # real backends' AsmPrinter includes MCTargetDesc/<T>MCExpr.h and their lowering <T>MachineFunctionInfo.h.
    codegen_headers += [f.kind.path(T, "h") for f in _headers_in_order(plan.files) if f.kind.generic and f.kind.header]
    class_file = {c.name: f for f in plan.files for c in f.classes}
    placed = plan.functions
    mentioned = {w for w in ("printAliasInstr",) if _mentions(placed, w)}
    base = {
        "T": T, "NS": plan.namespace, "lower": plan.props["lower"], "props": plan.props, "plan": plan, "td_name": td_name,
        "codegen_headers": codegen_headers, "mc_headers": mc_headers, "mentioned": mentioned,
        "pseudo_lowering": any(flag == "-gen-pseudo-lowering" for _, flag in plan.tablegen),
        "pch_codegen": partial_includes("_codegen_includes.j2"), "pch_mc": partial_includes("_mc_includes.j2"),
    }

    def render(template: str, path: str, **extra: object) -> None:
        try:
            text = env.get_template(template).render({"path": path, **base, **extra})
        except jinja2.TemplateError as exc:
            raise TemplateRenderError(f"{template}: {exc} (while rendering {path} for {T})") from exc
        files[path] = text

    deps_of: dict[int, list[str]] = {}
    for f in plan.files:  # the headers first: which of them a source needs is read from their text
        deps = [f"{T}{d}.h" for d in _HEADER_DEPS.get(f.kind.stem, []) if d in present]
        deps += [h for h in _base_headers(f, class_file, T) if h not in deps]
        deps += [h for h in owned_headers(f, class_file) + llvm_base_headers(f, class_file) + f.header_includes
                 if h not in deps]
        deps_of[id(f)] = deps
        if f.kind.header:
            render(f"{f.kind.template}.h.j2", f.kind.path(T, "h"), file=f, deps=deps)
    optional = {"codegen_headers": [h for h in codegen_headers if h not in _core_headers(T)],
                "mc_headers": list(mc_headers)}
    for f in plan.files:
        if not f.kind.cpp:
            continue
        path = f.kind.path(T, "cpp")
        render(f"{f.kind.template}.cpp.j2", path, file=f, deps=deps_of[id(f)])
        own = f.kind.path(T, "h") if f.kind.header else ""
        narrowed = {}
        for key, opt in optional.items():
            need = set(needed_headers(files[path], own, opt, files, words))
            narrowed[key] = [h for h in base[key] if h not in opt or h in need]
        if any(narrowed[key] != base[key] for key in narrowed):
            render(f"{f.kind.template}.cpp.j2", path, file=f, deps=deps_of[id(f)], **narrowed)
    render("Target.h.j2", f"{T}.h")
    top = [f for f in plan.files if not f.kind.directory and f.kind.cpp]
    subdirs = sorted({f.kind.directory for f in plan.files if f.kind.directory})
    render(
        "CMakeLists.txt.j2", "CMakeLists.txt", codegen_sources=[f.kind.path(T, "cpp") for f in top], subdirs=subdirs,
        has_asm_printer="AsmPrinter" in present,
    )
    mc_sources = [Path(f.kind.path(T, "cpp")).name for f in plan.files if f.kind.directory == "MCTargetDesc" and f.kind.cpp]
    for d in subdirs:
        render(f"{d}/CMakeLists.txt.j2", f"{d}/CMakeLists.txt", mc_sources=mc_sources)
    return Rendered(files)


def _base_files(file: PlannedFile, class_file: dict[str, PlannedFile]) -> list[PlannedFile]:
    """The other files that declare the base classes of this file's classes (a class needs its base complete:
    ``<T>TargetELFStreamer`` derives from ``<T>TargetStreamer``)."""
    out: list[PlannedFile] = []
    for c in file.classes:
        for name in re.findall(r"[A-Za-z_]\w*", c.base):
            other = class_file.get(name)
            if other is not None and other is not file and other not in out:
                out.append(other)
    return out


def _base_headers(file: PlannedFile, class_file: dict[str, PlannedFile], T: str) -> list[str]:
    """The headers a file's header includes for its classes' bases."""
    return [g.kind.path(T, "h") for g in _base_files(file, class_file) if g.kind.header]


# a data member owning an object through a smart pointer: its class must be complete where the owner is destroyed
_OWNED = re.compile(r"\b(?:std::)?(?:unique_ptr|shared_ptr)\s*<\s*(?:const\s+)?(?:llvm::)?([A-Za-z_]\w*)\s*>")
_CLASS_DEF = re.compile(rb"^\s*(?:class|struct)\s+(?:LLVM_[A-Z_]+\s+)?([A-Za-z_]\w*)\s*(?:final\s*)?[:{]", re.M)


@lru_cache(maxsize=2)
def llvm_class_headers(include_dir: str) -> dict[str, str]:
    """Each class LLVM's installed headers define (not merely declare), by name: the header defining it, as an
    include path (``InstructionSelector`` -> ``llvm/CodeGen/GlobalISel/InstructionSelector.h``); the first found
    where several define one name."""
    root = Path(include_dir)
    out: dict[str, str] = {}
    for sub in ("llvm",):
        for path in sorted((root / sub).rglob("*.h")):
            try:
                data = path.read_bytes()
            except OSError:
                continue
            for m in _CLASS_DEF.finditer(data):
                out.setdefault(m.group(1).decode(), str(path.relative_to(root)))
    return out


def owned_headers(file: PlannedFile, class_file: dict[str, PlannedFile]) -> list[str]:
    """The LLVM headers defining the classes this file's classes own through a ``std::unique_ptr`` data member
    (RISC-V's subtarget holds ``std::unique_ptr<InstructionSelector>``, a type its description declares and only
    GlobalISel's headers define: the destructor of a pointer to an incomplete class does not compile). A class of
    the target's own is included as a base is (``_base_headers``), not here."""
    # a member's declaration may be a field of the class's shape or one the description declares beside a function
    # (``// vega: declares <T>Subtarget::getInstructionSelector``)
    names = {n for c in file.classes for text in (*c.fields, *c.decls, *c.body) for n in _OWNED.findall(text)}
    return defining_headers(names - set(class_file))


_BASE_WORDS = frozenset({"public", "protected", "private", "virtual", "llvm"})


def llvm_base_headers(file: PlannedFile, class_file: dict[str, PlannedFile]) -> list[str]:
    """The LLVM headers defining the base classes of this file's classes: a class derives only from a complete one,
    and the include partials do not list every base the training targets use (XCore's ``MCInstrAnalysis``, taken
    from a donor's ``MCTargetDesc.h``, was incomplete there, and the repair ladder stubbed the class's functions)."""
    names = {n for c in file.classes for n in re.findall(r"[A-Za-z_]\w*", c.base)} - _BASE_WORDS - set(class_file)
    return defining_headers(names)


def defining_headers(names: set[str]) -> list[str]:
    """The installed LLVM headers defining ``names`` (``llvm_class_headers``), sorted; [] without an LLVM to read."""
    if not names:
        return []
    try:
        from ..llvm.toolchain import find_toolchain

        index = llvm_class_headers(str(find_toolchain().includedir))
    except (ConfigError, OSError):  # no installed LLVM to read: the build will say what is missing
        return []
    return sorted({index[n] for n in names if n in index})


def _headers_in_order(files: list[PlannedFile]) -> list[PlannedFile]:
    """Files ordered so that one whose classes derive from another file's classes comes after it."""
    class_file = {c.name: f for f in files for c in f.classes}
    out: list[PlannedFile] = []

    def place(f: PlannedFile, seen: set[int]) -> None:
        if f in out or id(f) in seen:
            return
        seen.add(id(f))
        for other in _base_files(f, class_file):
            place(other, seen)
        out.append(f)

    for f in files:
        place(f, set())
    return out


def function_ranges(text: str) -> list[tuple[str, int, int]]:
    """``(group key, first line, last line)`` of each function block in a rendered file (1-based lines)."""
    out: list[tuple[str, int, int]] = []
    current: tuple[str, int] | None = None
    lines = text.splitlines()
    for i, line in enumerate(lines, 1):
        m = MARKER.match(line)
        if m or line == END_MARKER:
            if current:
                out.append((current[0], current[1], i - 1))
            current = (m.group(1), i) if m else None
    if current:
        out.append((current[0], current[1], len(lines)))
    return out


def declaration_lines(text: str) -> list[tuple[str, int]]:
    """``(group key, line)`` of each declaration line ``declares`` wrote in a rendered file (1-based)."""
    return [(line.rpartition(DECLARES)[2].strip(), i) for i, line in enumerate(text.splitlines(), 1) if DECLARES in line]


def copy_description(td: Path) -> dict[str, bytes]:
    """The description: every ``.td`` under the folder of the top-level ``.td``, relative paths kept."""
    root = td.parent
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.td")) if p.is_file()}


def write_tree(dest: Path, files: dict[str, str | bytes], *, force: bool, changed: list[str] | None = None) -> dict[str, int]:
    """Write ``files`` as the whole content of ``dest``; returns counts of written/unchanged/removed files
    (``changed``, when given, gets the paths rewritten in an existing ``dest``: what the next build recompiles)."""
    dest = Path(dest)
    if dest.exists() and not force:
        raise ConfigError(f"{dest} exists; pass --force to update it (only changed files are rewritten)")
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        try:
            publish(stage)  # mkdtemp's 0700 would become the target directory's mode
            for rel, data in files.items():
                p = stage / rel
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_bytes(data.encode() if isinstance(data, str) else data)
            os.replace(stage, dest)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        return {"written": len(files), "unchanged": 0, "removed": 0}
    counts = {"written": 0, "unchanged": 0, "removed": 0}
    for rel, data in files.items():
        raw = data.encode() if isinstance(data, str) else data
        p = dest / rel
        if p.is_file() and p.read_bytes() == raw:
            counts["unchanged"] += 1
            continue
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                publish(fh.fileno())  # not mkstemp's 0600
                fh.write(raw)
            os.replace(tmp, p)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        counts["written"] += 1
        if changed is not None:
            changed.append(rel)
    wanted = {str(Path(r)) for r in files}
    for p in sorted(dest.rglob("*"), reverse=True):
        rel = str(p.relative_to(dest))
        if p.is_file() and rel not in wanted:
            p.unlink()
            counts["removed"] += 1
        elif p.is_dir() and not any(p.iterdir()):
            p.rmdir()
    return counts
