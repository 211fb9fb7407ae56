"""How real backends lay out their files and declare their classes, read from the training targets' sources.

A scratch target gets the function groups of the nearest training target and of most targets (``emit.sources``);
each group lives in a file kind (``MachineFunctionInfo``, ``MCTargetDesc/MCExpr``, ...) and most belong to a class
whose declaration no function carries (its base class, its data members, its nested enums). The hand-written part
of the layout (``layout.FILE_KINDS``, ``layout.CLASS_SHAPES``) covers the classes every backend has and shapes them
the way LLVM's interfaces need; everything else is read here from what the training targets themselves write, so
that no target's list is kept by hand:

* **file kinds** (``derive_kinds``): every abstracted file stem (``<T>TargetObjectFile.cpp`` -> ``TargetObjectFile``)
  that at least ``KIND_SHARE`` of the training targets have, in the folder most of them put it in, with a header
  when most of them have one (or when none has a ``.cpp``: a header-only kind's functions are written out of line),
  and the LLVM headers most of them include (``#include "llvm/..."``), which declare the kind's base classes;
* **class shapes** (``read_classes``): for every class declared in those files, its base classes, its data members,
  typedefs and nested enums, abstracted (``LanaiMCExpr::VK_Lanai_LO`` -> ``<T>MCExpr::VK_<T>_LO``); the emitted
  class takes them from the most similar training target that declares them, as the function bodies it falls back
  on come from that target;
* **namespaces** the targets declare (``RISCVABI``, ``LPAC``), so that ``<T>ABI::computeTargetABI`` is written as
  a function in a namespace, not a member of a class of that name.

Reading is a text scan (comments and literals blanked, braces matched), not a parse: it runs once per scratch
bootstrap, over the training targets' sources, in a few seconds, and what it gets wrong shows up as a compiler error charged
to a function (every line it contributes names one), which the repair ladder handles like any other.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ..corpus.naming import abstract_spellings
from .functions import split_top

# A file kind is part of every scratch layout when at least this share of the training targets have it: the files
# that are an interface of the backend (MachineFunctionInfo 19 of 24, SelectionDAGInfo 9, MCTargetDesc/BaseInfo 8),
# not one target's own passes (Lanai's MemAluCombiner, LoongArch's ExpandAtomicPseudoInsts: 1 to 3).
KIND_SHARE = 1 / 3
# Folders the emitted target has CMake files for (``templates/target/<dir>/CMakeLists.txt.j2``).
KNOWN_DIRECTORIES = ("", "MCTargetDesc", "TargetInfo", "AsmParser", "Disassembler")
MC_DIRECTORIES = ("MCTargetDesc", "TargetInfo", "AsmParser", "Disassembler")
_SOURCE_SUFFIXES = (".cpp", ".h")


@dataclass(frozen=True)
class KindEvidence:
    """One abstracted file stem across the training targets."""

    stem: str
    directory: str  # the folder most targets put it in
    targets: int  # how many training targets have a file of this stem
    with_header: int
    with_cpp: int
    includes: tuple[str, ...]  # LLVM headers at least half of them include, in first-seen order


@dataclass
class ClassEvidence:
    """One abstracted class as the training targets declare it (``<T>MachineFunctionInfo``)."""

    name: str
    bases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # target -> base clauses ("public X" -> "X")
    members: dict[str, dict[str, "Member"]] = field(default_factory=dict)  # member name -> target -> declaration
    statics: dict[str, set[str]] = field(default_factory=dict)  # static member function -> targets declaring it so
    methods: dict[str, set[str]] = field(default_factory=dict)  # member function -> targets declaring it (either way)

    def static_methods(self) -> set[str]:
        """The member functions that more than half of the targets declaring them declare ``static``: one
        target's own way is not the class's (Xtensa's ``static void printOperand`` made every scratch
        ``printOperand`` static, and its body could not call the printer's members)."""
        return {m for m, ts in self.statics.items() if 2 * len(ts) > len(self.methods.get(m, set()) | ts)}


@dataclass(frozen=True)
class Member:
    """A data member, typedef, alias or nested enum of a class, as one target declares it."""

    names: tuple[str, ...]  # what a function mentions when it needs this line (an enum: its name and enumerators)
    text: str  # the declaration, abstracted ("Register SRetReturnReg;")
    kind: str  # "field", "reference" (a reference member: needs a constructor that sets it), "type", "using" (a
    # using-declaration of a base's function: ``using BaseT::getVectorInstrCost;``)


@dataclass
class BackendLayout:
    """What the training targets' sources say about the layout of a backend (see the module docstring)."""

    targets: list[str]
    kinds: list[KindEvidence]
    classes: dict[str, ClassEvidence]
    namespaces: set[str]


def _abstract_name(name: str, spellings: list[str]) -> str:
    return abstract_spellings(name, spellings)


def _file_stem(rel: Path, spellings: list[str]) -> str:
    return _abstract_name(rel.stem, spellings).replace("<T>", "") or "<T>"


_INCLUDE = re.compile(r'^\s*#\s*include\s+[<"](llvm/[^">]+)[">]', re.M)


def _sources(target_root: Path, targets: dict[str, list[str]]) -> dict[str, list[tuple[Path, str]]]:
    """Each training target's source files with their abstracted stems."""
    out: dict[str, list[tuple[Path, str]]] = {}
    for t, spellings in sorted(targets.items()):
        root = target_root / t
        if root.is_dir():
            out[t] = [(p, _file_stem(p.relative_to(root), spellings)) for p in sorted(root.rglob("*"))
                      if p.suffix in _SOURCE_SUFFIXES and p.is_file()]
    return out


def derive_kinds(target_root: Path, targets: dict[str, list[str]], share: float = KIND_SHARE,
                 files: dict[str, list[tuple[Path, str]]] | None = None) -> list[KindEvidence]:
    """The file kinds at least ``share`` of ``targets`` (folder name under ``target_root`` -> spellings) have.

    The stem named after the target alone (``XCore.h``) is not a kind: the layout writes ``<T>.h`` itself."""
    files = _sources(target_root, targets) if files is None else files
    seen: dict[str, dict[str, set[str]]] = {}  # stem -> {"targets", "h", "cpp"} -> targets
    dirs: dict[str, Counter[str]] = {}
    for t, paths in files.items():
        root = target_root / t
        for p, stem in paths:
            entry = seen.setdefault(stem, {"targets": set(), "h": set(), "cpp": set()})
            entry["targets"].add(t)
            entry["h" if p.suffix == ".h" else "cpp"].add(t)
            rel = p.relative_to(root)
            dirs.setdefault(stem, Counter())[str(rel.parent) if str(rel.parent) != "." else ""] += 1
    n = len(files) or 1
    kept = {stem for stem, e in seen.items() if len(e["targets"]) >= share * n and stem != "<T>"}
    incs: dict[str, dict[str, set[str]]] = {}  # stem -> include -> targets, in first-seen order
    for t, paths in files.items():
        for p, stem in paths:
            if stem in kept:
                for inc in _INCLUDE.findall(p.read_text(encoding="utf-8", errors="replace")):
                    incs.setdefault(stem, {}).setdefault(inc, set()).add(t)
    out = []
    for stem in sorted(kept):
        e, have = seen[stem], len(seen[stem]["targets"])
        common = tuple(i for i, ts in incs.get(stem, {}).items() if 2 * len(ts) >= have)
        out.append(KindEvidence(stem, dirs[stem].most_common(1)[0][0], have, len(e["h"]), len(e["cpp"]), common))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Class declarations

_BLANK = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|//[^\n]*|/\*.*?\*/|^\s*#[^\n]*(?:\\\n[^\n]*)*', re.S | re.M)


def blank(text: str) -> str:
    """Comments, literals and preprocessor lines replaced by spaces (offsets and line breaks kept): what is left
    has only the braces of the code."""
    return _BLANK.sub(_spaces, text)


def _spaces(m: re.Match[str]) -> str:
    t = m.group(0)
    return " " * len(t) if "\n" not in t else "".join("\n" if c == "\n" else " " for c in t)


_CLASS_HEAD = re.compile(
    r"(?<![\w:])(?P<kw>class|struct)\s+(?:(?:LLVM_\w+|alignas\([^)]*\))\s+)*(?P<name>[A-Za-z_]\w*)\s*(?:final\s*)?"
    r"(?::(?P<bases>[^;{}]*))?\{")
_NAMESPACE = re.compile(r"\bnamespace\s+([A-Za-z_]\w*)\s*\{")
_TEMPLATE_BEFORE = re.compile(r"template\s*<[^;{}]*>\s*$")
_LABEL = re.compile(r"^\s*(?:(?:public|private|protected)\s*:\s*)+")
_IDENT = re.compile(r"[A-Za-z_]\w*")
_KEYWORDS = frozenset("const constexpr static mutable volatile unsigned signed inline int long short char bool".split())
# Words a confused statement can end with that are never a member's name.
_RESERVED = _KEYWORDS | frozenset("operator struct class enum union return typename template public private protected "
                                  "virtual override final default delete void auto".split())


def match_brace(text: str, at: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``at`` (the end of the text when it does not close)."""
    depth = 0
    for i in range(at, len(text)):
        c = text[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(text) - 1


def _strip_angles(text: str) -> str:
    """Template argument lists removed (``std::function<void(int)> F`` -> ``std::function F``)."""
    prev = None
    while prev != text:
        prev = text
        text = re.sub(r"<[^<>;{}]*>", "", text)
    return text


def _is_type_head(head: str) -> bool:
    return bool(re.match(r"\s*(?:enum|struct|class|union)\b", _LABEL.sub("", head)))


def top_level_statements(body: str) -> list[str]:
    """The declarations of a class body at its own level, each ending with ``;``: data members, typedefs, nested
    types (with their braces); member function definitions (a head with parameters and a braced body, constructor
    initializer lists included) are skipped."""
    out: list[str] = []
    i, start, depth, n = 0, 0, 0, len(body)
    while i < n:
        c = body[i]
        if c in "([":
            depth += 1
        elif c in ")]":
            depth = max(0, depth - 1)
        elif c == "{" and depth == 0:
            head = body[start:i]
            j = match_brace(body, i)
            if _is_type_head(head):
                k = body.find(";", j)
                k = n - 1 if k < 0 else k
                out.append(body[start:k + 1])
                i = start = k + 1
                continue
            if "(" in _strip_angles(head.split("=")[0]):  # a function definition: its body, after any initializers
                out.append(head.split(")")[0] + ");")  # its head, as a declaration (whether it is static)
                while True:
                    rest = body[j + 1:]
                    m = re.match(r"\s*(?:,[^{;]*?\{|\{)", rest)  # ", Next{...}" or "{" after "Member{...}"
                    if not m:
                        break
                    j = match_brace(body, j + 1 + m.end() - 1)
                k = j + 1
                m2 = re.match(r"\s*;", body[k:])
                i = start = k + (m2.end() if m2 else 0)
                continue
            i = j + 1  # a braced initializer of a data member: part of the statement
            continue
        elif c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        elif c == ";" and depth == 0:
            out.append(body[start:i + 1])
            start = i + 1
        i += 1
    return [s for s in (" ".join(_LABEL.sub("", x).split()) for x in out) if s and s != ";"]


def _declarator_name(decl: str) -> str:
    """The declared name of ``Type Name = init`` / ``Name[4]`` / ``Name : 1``."""
    head = re.split(r"\s*(?:=|\{|\[|(?<!:):(?!:))", decl, maxsplit=1)[0]
    names = [w for w in _IDENT.findall(_strip_angles(head)) if w not in _KEYWORDS]
    return names[-1] if names else ""


def _typedef_name(decl: str) -> str:
    """The name a ``typedef`` declares: of a function type (``bool LoongArchCCAssignFn(const DataLayout &DL, ...,
    Type *OrigTy)``: not the last parameter's name) or a pointer to one (``bool (*Fn)(...)``) the name before the
    parameters, else ``_declarator_name``'s."""
    flat = _strip_angles(decl)
    pointer = re.search(r"\(\s*(?:[\w:]+::)?\*\s*([A-Za-z_]\w*)\s*\)\s*\(", flat)
    if pointer:
        return pointer.group(1)
    if "(" in flat:
        names = [w for w in _IDENT.findall(flat[: flat.find("(")]) if w not in _KEYWORDS]
        return names[-1] if names else ""
    return _declarator_name(decl)


def members_of(statement: str) -> Member | None:
    """The member a class-level statement declares, or None (functions, friends, using-declarations, statics that
    need a definition elsewhere)."""
    m = _member(statement.strip())
    return m if m is not None and m.names and all(n and n not in _RESERVED for n in m.names) else None


def _member(s: str) -> Member | None:
    """``members_of`` before the check of the names it found."""
    m = re.match(r"using\s+(?:typename\s+)?(?:[\w:<>, ]+::)?(\w+)::([A-Za-z_]\w*)\s*;$", s)
    if m and not s.startswith("using namespace") and m.group(1) != m.group(2):  # not an inheriting constructor
        # ``using BaseT::getVectorInstrCost;``: a function of the class of that name hides the base's overloads,
        # which LLVM's templates (the TTI model) call
        return Member((m.group(2),), s, "using")
    if re.match(r"(?:(?:friend|static_assert|template|virtual)\b|using\s+namespace\b|using\s+[\w:]+\s*;)", s):
        return None
    if re.match(r"(?:struct|class|union)\b", s):
        return _nested_type(s)
    if re.match(r"enum\b", s):
        if "{" not in s:
            return None  # a forward declaration
        m = re.match(r"enum\s+(?:class\s+|struct\s+)?([A-Za-z_]\w*)?", s)
        body = s[s.find("{") + 1: s.rfind("}")]
        enumerators = [e.split("=")[0].strip() for e in body.split(",") if e.strip()]
        # ``enum class KindTy { Token, Register } Kind;`` declares the field ``Kind`` too
        fields = [d.strip() for d in s[s.rfind("}") + 1:].rstrip().rstrip(";").split(",") if d.strip()]
        names = tuple(x for x in ([m.group(1)] if m and m.group(1) else []) + enumerators + fields if _IDENT.fullmatch(x))
        return Member(names, s, "type") if names else None
    if s.startswith("typedef"):
        name = _typedef_name(s[len("typedef"):].rstrip(";"))
        return Member((name,), s, "type") if name else None
    m = re.match(r"using\s+([A-Za-z_]\w*)\s*=", s)
    if m:
        return Member((m.group(1),), s, "type")
    if "(" in _strip_angles(s.split("=")[0].split("{")[0]):
        return None  # a member function declaration
    words = s.split()
    if "static" in words and not ({"constexpr", "const"} & set(words) and "=" in s):
        return None  # a static data member needs a definition outside the class
    # a default initializer that was only a literal is blank here (``StringValue ScratchRSrcReg = "...";``):
    # the member is declared without it, not as ``= ;``
    s = re.sub(r"\s*=\s*;$", ";", s)
    decls = split_top(s.rstrip(";"), ",")
    if not decls:
        return None
    first = _declarator_name(decls[0])
    if not first:
        return None
    if len(decls) > 1:  # "int A, B;": one line each
        type_text = decls[0][: decls[0].rfind(first)].strip()
        texts = [f"{decls[0]};"] + [f"{type_text} {d.strip()};" for d in decls[1:]]
        names = (first,) + tuple(_declarator_name(d) for d in decls[1:])
        return Member(names, "\n".join(texts), "field")
    kind = "reference" if re.search(r"&\s*" + re.escape(first) + r"\b", s) else "field"
    return Member((first,), s, kind)


def _defines_its_methods(body: str) -> bool:
    """Whether a class body (the text between its braces) declares no member function without defining it there:
    with the insides of every nested brace pair left out, no parameter list is followed by ``;`` (``= default``
    and ``= delete`` define one)."""
    flat, depth = [], 0
    for c in blank(body):
        if c == "}":
            depth -= 1
        if depth == 0:
            flat.append(c)
        if c == "{":
            depth += 1
    text = re.sub(r"=\s*(?:default|delete)\s*;", "{};", "".join(flat))
    return not re.search(r"\)\s*(?:(?:const|override|final|noexcept|volatile|&)\s*)*(?:=\s*0\s*)?;", text)


def _nested_type(s: str) -> Member | None:
    """A class-level ``struct``/``class``/``union`` with a body: an anonymous union's members are the class's own
    fields (LoongArch's and Lanai's operand classes keep ``Tok``, ``Reg`` and ``Imm`` in one), a named nested type
    is a type member (``struct ImmOp { const MCExpr *Val; };``, which such a field's type is), and a declarator after
    the braces is a field as well. Written out only where a function or a written member names them
    (``layout.derive_shape``): without them every method of such an operand class failed on ``'Tok' was not
    declared``, the model's and the donor's alike, and the asm parser's ``getToken`` was a stub."""
    if "{" not in s:  # ``struct RegOp Reg;`` is a field; ``class Foo;`` a forward declaration
        m = re.fullmatch(r"(?:struct|class|union)\s+[\w:]+(?:\s+|\s*[*&]+\s*)([A-Za-z_]\w*)\s*;", s)
        return Member((m.group(1),), s, "field") if m else None
    m = re.match(r"(?:struct|class|union)\s+([A-Za-z_]\w*)?", s)
    tag = m.group(1) if m else None
    inside = top_level_statements(s[s.find("{") + 1: s.rfind("}")])
    if ":" in _strip_angles(s[m.end():s.find("{")]).replace("::", "") or \
            (any("(" in _strip_angles(x.split("=")[0].split("{")[0]) for x in inside)
             and not _defines_its_methods(s[s.find("{") + 1: s.rfind("}")])):
        return None  # a nested class with a base, or with methods it only declares (Hexagon's ``struct
        # UsrOverflowMutation : public ScheduleDAGMutation { void apply(...) override; }``): its methods are defined
        # elsewhere, never written. One whose methods are all defined in it is whole (LoongArch's asm parser's
        # ``struct Inst { unsigned Opc; ...; Inst(unsigned Opc, ...) : Opc(Opc), VK(VK) {} };``)
    declarators = [d for d in (_declarator_name(x) for x in split_top(s[s.rfind("}") + 1:].rstrip().rstrip(";"), ","))
                   if d]
    if not tag and not declarators:
        if not s.startswith("union"):
            return None
        inner = [members_of(x) for x in inside]
        names = tuple(n for x in inner if x is not None and x.kind != "type" for n in x.names)
        return Member(names, s, "field") if names else None
    names = tuple(x for x in ([tag] if tag else []) + declarators if _IDENT.fullmatch(x))
    return Member(names, s, "field" if declarators else "type") if names else None


@dataclass(frozen=True)
class DeclaredClass:
    name: str
    bases: tuple[str, ...]
    members: tuple[Member, ...]
    statics: tuple[str, ...] = ()  # its static member functions (an out-of-line definition does not say so)
    methods: tuple[str, ...] = ()  # every member function it declares
    # the named namespaces around it inside ``llvm`` ("yaml" for ``namespace llvm { namespace yaml { struct ...``)
    scope: str = ""


def static_method(statement: str) -> str:
    """The name of the static member function a class-level statement declares, else ""."""
    head = _strip_angles(statement.split("=")[0])
    if not re.match(r"(?:\w+\s+)*static\b", head):
        return ""
    return declared_method(statement)


def declared_method(statement: str) -> str:
    """The name of the member function a class-level statement declares, else ""."""
    head = _strip_angles(statement.split("=")[0])
    if "(" not in head:
        return ""
    names = _IDENT.findall(head[: head.find("(")])
    return names[-1] if names else ""


def declared_classes(text: str) -> tuple[list[DeclaredClass], set[str]]:
    """The classes (with a body) and the namespaces a C++ file declares."""
    clean = blank(text)
    spans = [(m.end() - 1, match_brace(clean, m.end() - 1), m.group(1)) for m in _NAMESPACE.finditer(clean)]
    classes = []
    for m in _CLASS_HEAD.finditer(clean):
        if _TEMPLATE_BEFORE.search(clean[max(0, m.start() - 200): m.start()]):
            continue
        open_at = m.end() - 1
        body = clean[open_at + 1: match_brace(clean, open_at)]
        bases = tuple(b for b in (re.sub(r"^\s*(?:(?:public|private|protected|virtual)\s+)*", "", x).strip()
                                  for x in split_top(m.group("bases") or "", ",")) if b)
        statements = top_level_statements(body)
        members = tuple(mb for st in statements if (mb := members_of(st)) is not None)
        statics = tuple(n for st in statements if (n := static_method(st)))
        methods = tuple(n for st in statements if (n := declared_method(st)))
        scope = "::".join(n for a, b, n in spans if a < m.start() < b and n != "llvm")
        classes.append(DeclaredClass(m.group("name"), bases, members, statics, methods, scope))
    return classes, set(_NAMESPACE.findall(clean))


def read_classes(target_root: Path, targets: dict[str, list[str]], stems: set[str],
                 files: dict[str, list[tuple[Path, str]]] | None = None) -> tuple[dict[str, ClassEvidence], set[str]]:
    """Classes and namespaces the files of ``stems`` declare, abstracted, per training target."""
    files = _sources(target_root, targets) if files is None else files
    classes: dict[str, ClassEvidence] = {}
    namespaces: set[str] = set()
    for t, paths in files.items():
        spellings = targets[t]
        for p, stem in paths:
            if stem not in stems:
                continue
            found, spaces = declared_classes(p.read_text(encoding="utf-8", errors="replace"))
            namespaces |= {_abstract_name(s, spellings) for s in spaces}
            for c in found:
                name = _abstract_name(c.name, spellings)
                scope = _abstract_name(c.scope, spellings)
                # A class of a namespace not named for its target (LLVM's ``yaml``) is also read under its
                # qualified name: a new target's class of that namespace is shaped from these alone (the plain name
                # mixes AMDGPU's ``yaml::SIMachineFunctionInfo`` with ``llvm::SIMachineFunctionInfo``). A class
                # of a target's own namespace (``<T>II``) is read under its plain name only, as before.
                names = [name] + ([f"{scope}::{name}"] if scope and "<T>" not in scope else [])
                for n in names:
                    _add_class(classes.setdefault(n, ClassEvidence(n)), t, c, spellings)
    return classes, namespaces


def _add_class(ev: ClassEvidence, t: str, c: DeclaredClass, spellings: list[str]) -> None:
    """Adds what target ``t`` declares of class ``c`` to ``ev``, abstracted; the first declaration of a target
    gives its bases (a class declared again in a header and a ``.cpp`` is read once)."""
    if c.bases and t not in ev.bases:
        ev.bases[t] = tuple(_abstract_name(b, spellings) for b in c.bases)
    for method in c.statics:
        ev.statics.setdefault(method, set()).add(t)
    for method in c.methods:
        ev.methods.setdefault(method, set()).add(t)
    for mb in c.members:
        ab = Member(tuple(_abstract_name(x, spellings) for x in mb.names), _abstract_name(mb.text, spellings), mb.kind)
        ev.members.setdefault(ab.names[0], {}).setdefault(t, ab)


@lru_cache(maxsize=8)
def _read(target_root: str, targets: tuple[tuple[str, tuple[str, ...]], ...], share: float) -> BackendLayout:
    tmap = {t: list(s) for t, s in targets}
    files = _sources(Path(target_root), tmap)
    kinds = derive_kinds(Path(target_root), tmap, share, files)
    from .layout import FILE_KINDS  # the hand-shaped kinds' classes are read too (their nested types, helpers)

    stems = {k.stem for k in kinds} | {k.stem for k in FILE_KINDS}
    classes, namespaces = read_classes(Path(target_root), tmap, stems, files)
    return BackendLayout(sorted(tmap), kinds, classes, namespaces)


def read_layout(target_root: Path, targets: dict[str, list[str]], share: float = KIND_SHARE) -> BackendLayout:
    """The layout of ``targets`` (folder under ``target_root`` -> spellings), read once per process."""
    key = tuple(sorted((t, tuple(s)) for t, s in targets.items()))
    return _read(str(Path(target_root).resolve()), key, share)


def training_layout(corpus_dir: Path, exclude: Iterable[str], share: float = KIND_SHARE) -> BackendLayout:
    """The layout of the corpus's targets less ``exclude`` (the new target), from the llvm sources the corpus was
    built from (its ``meta.json``), else the configured llvm-project."""
    import json

    from ..paths import llvm_src_root

    corpus_dir = Path(corpus_dir)
    names = json.loads((corpus_dir / "targets.json").read_text()) if (corpus_dir / "targets.json").is_file() else {}
    meta = json.loads((corpus_dir / "meta.json").read_text()) if (corpus_dir / "meta.json").is_file() else {}
    root = Path(meta["source_root"]) / "lib" / "Target" if meta.get("source_root") else None
    if root is None or not root.is_dir():
        src = llvm_src_root(required=True)
        root = Path(src) / "llvm" / "lib" / "Target"  # type: ignore[operator]
    skip = set(exclude)
    targets = {t: v.get("spellings", [t]) for t, v in names.items() if t not in skip}
    return read_layout(root, targets, share)
