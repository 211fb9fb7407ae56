"""A donor's instructions and registers translated to the new target's of the same role, through the descriptions.

A training target's code names its own instructions (LoongArch's ``storeRegToStackSlot`` picks ``LoongArch::ST_W``,
``ST_D``, ``FST_S``, ``FST_D``); the new target has none of them, so the code cannot compile as it stands, and
generation fell back to another target's version or to the model's value for the slot, both further from what the
target needs. Both descriptions say what each instruction is (``describe`` ``details.instructions``): its flags
(a load, a store, a branch, a return, a pseudo), its result and source operands (registers of which kind, immediates,
memory operands). An instruction of the new target with the same flags and the same operand kinds, in order, plays the
same role; of those, the one whose mnemonic (or name, for pseudos) is most alike is taken (``st.w`` -> ``sw``,
``fst.d`` -> ``fsd``, LoongArch ``PseudoRET`` -> RISC-V ``PseudoRET``). A donor instruction with no such counterpart
stays foreign and is left to the model, as before. Registers go by the names that say what they are for (``sp``,
``ra``, ``a0``, ``zero``: the ABI names a description gives, ``register_roles``), subtarget features by their
``-mattr`` string (LoongArch's ``hasBasicD()``, feature ``d``, is RISC-V's ``hasStdExtD()``).

Only the descriptions are read (flags, operand lists, register classes, mnemonics), never any target's code.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import cached_property
from pathlib import Path
from typing import Any

from .nodes import Node, counterpart, instruction_sources, target_nodes

# The flags that say what an instruction does (LLVM's MCID flags of control flow and memory), and so must agree for
# two instructions to play the same role; the others (commutable, rematerializable, predicable, ...) are about how
# the code generator may treat it and differ freely between targets' equivalents.
ROLE_FLAGS = frozenset({
    "isReturn", "isBranch", "isIndirectBranch", "isCall", "isBarrier", "isTerminator", "isPseudo", "mayLoad",
    "mayStore", "isCompare", "isMoveImm", "isMoveReg", "isSelect", "isTrap",
})
# the role flags every target sets where they hold (the scheduler, the branch folder and the memory model depend on
# them); the others are hints some targets give and others omit (``roles.RecordRoles.same_role``)
HARD_FLAGS = ROLE_FLAGS - {"isMoveImm", "isMoveReg", "isCompare", "isSelect"}
# below this similarity of mnemonics (or names) two instructions of one role are not taken for each other
MIN_SIMILARITY = 0.6
_IDENT = re.compile(r"[A-Za-z_]\w*")
# an identifier in another scope than the target's own (``ISD :: ADD``, ``TargetOpcode :: COPY``) is no instruction
_OTHER_SCOPE = re.compile(r"(?:[A-Za-z_]\w*|>)\s*::\s*$")
# the scope an identifier is named in, as emitted or template code writes it (``<T>ABI ::``, ``RISCVII :: VLMUL ::``)
_SCOPE_BEFORE = re.compile(r"(?:(?:<T>)?[A-Za-z_]\w*\s*::\s*|<T>\s*::\s*)+$")
# below this alikeness of two processors' names (``generic-la32`` and ``generic-rv32``: 0.82) neither stands for the other
MIN_PROCESSOR_ALIKENESS = 0.8
_STRING_LITERAL = re.compile(r'"([A-Za-z0-9_.+-]+)"')
# below this alikeness of two enumerators' names (``ABI_ILP32S`` and ``ABI_ILP32``: 0.94) neither stands for the other
MIN_ENUMERATOR_ALIKENESS = 0.85
# an enumerator named in a scope of the target's spelling or a template's (``<T>II :: MO_NO_FLAG``, ``XCoreII ::``)
_SCOPED_NAME = re.compile(r"(?<![\w:>])(?P<scope>(?:<T>)?[A-Za-z_]\w*)\s*::\s*(?P<name>[A-Za-z_]\w*)\b(?!\s*::)")


def _register_kind(rc: dict[str, Any]) -> tuple[str, int | None]:
    """A register class as what it holds: floating point (with its size: ``FPR32`` is not ``FPR64``), vector or
    integer (any size: a 32- and a 64-bit target's general registers hold the same values)."""
    types = [str(t) for t in rc.get("types") or []]
    if any(t.startswith("f") for t in types):
        return "f", rc.get("size")
    if any(t.startswith(("v", "nxv")) for t in types):
        return "v", None
    return "i", None


def operand_kinds(table: Any) -> dict[str, tuple[Any, ...]]:
    """Each register class and operand of a description, by name, as the kind of operand it is."""
    details = getattr(table, "details", None) or {}
    regs = {rc["name"]: ("R", *_register_kind(rc)) for rc in details.get("register_classes") or []}
    out: dict[str, tuple[Any, ...]] = dict(regs)
    for op in details.get("operands") or []:
        if op.get("kind") == "register" and op.get("type") in regs:  # a RegisterOperand of a class
            out[op["name"]] = regs[op["type"]]
        elif op.get("mi_operands"):  # a memory operand made of several
            out[op["name"]] = ("M", len(op["mi_operands"]))
        else:
            out[op["name"]] = ("I",)
    return out


def role(instr: dict[str, Any], kinds: dict[str, tuple[Any, ...]]) -> tuple[Any, ...]:
    """What an instruction does, as far as its description says: its role flags and its operands' kinds."""
    def of(ops: list[str]) -> tuple[Any, ...]:
        return tuple(kinds.get(o.split(":")[0], ("I",)) for o in ops)

    return frozenset(instr.get("flags") or []) & ROLE_FLAGS, of(instr.get("outs") or []), of(instr.get("ins") or [])


def _letters(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def _spelled(instr: dict[str, Any]) -> str:
    """An instruction's mnemonic, or for one without (a pseudo) its record name less LLVM's ``Pseudo`` prefix,
    which every target's pseudos share and which would make any two of them look alike."""
    return _letters(instr.get("mnemonic") or "") or _letters(re.sub(r"^Pseudo", "", instr["name"]))


def likeness(a: dict[str, Any], b: dict[str, Any]) -> float:
    """How alike two instructions are named (``_spelled``)."""
    return SequenceMatcher(None, _spelled(a), _spelled(b)).ratio()


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def preference(donor: dict[str, Any], own: dict[str, Any]) -> tuple[float, bool, int]:
    """How well ``own`` stands for ``donor`` among instructions of the same role: the more alike their names (to
    one decimal: a letter more or less in common is no evidence), then the same encoded size (a 4-byte store is not
    the 2-byte compressed one with the same operands: ``fst.s`` is ``fsw``, not ``c.fswsp``), then the longer shared
    ending (the width letter: ``ld.w`` is ``lw``, not ``ld``)."""
    return (round(likeness(donor, own), 1), donor.get("size") == own.get("size"),
            _common_suffix(_spelled(donor), _spelled(own)))


def _best(instr: dict[str, Any], among: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The instruction of ``among`` (all of one role) that best stands for ``instr`` (``preference``), if alike
    enough; ties go to the first in the description's order."""
    best = max(among, key=lambda t: preference(instr, t), default=None)
    return best if best is not None and preference(instr, best)[0] >= MIN_SIMILARITY else None


def _feature_spellings(feature: dict[str, Any]) -> dict[str, str]:
    """How code names a subtarget feature: its record, its attribute and the attribute's getter that TableGen's
    subtarget emitter writes (``hasBasicD`` for ``HasBasicD``)."""
    attr = feature.get("attribute") or ""
    out = {"record": feature.get("name") or "", "attribute": attr, "getter": attr[:1].lower() + attr[1:]}
    return {k: v for k, v in out.items() if v}


def feature_names(table: Any) -> set[str]:
    """Every spelling of every feature of a description (``_feature_spellings``)."""
    feats = (getattr(table, "details", None) or {}).get("features") or []
    return {v for f in feats for v in _feature_spellings(f).values()}


def register_roles(reg: dict[str, Any]) -> list[str]:
    """The names that say what a register is for, in order: its ABI names (``alt_names``: ``ra``, ``sp``, ``a0``),
    then its record and assembly names where they are words rather than numbers (XCore's ``SP``, ``LR``). A
    numbered name (``R3``, ``x2``) says nothing of its role: LoongArch's ``R3`` is the stack pointer, XCore's an
    argument register."""
    out = [_letters(n) for n in reg.get("alt_names") or []]
    out += [_letters(n) for n in (reg.get("name") or "", reg.get("asm") or "") if n and not re.search(r"\d", n)]
    return [n for i, n in enumerate(out) if n and n not in out[:i]]


def register_sizes(table: Any) -> dict[str, int]:
    """Each register's size in bits as its register classes give it: the size of the fewest-membered class that
    holds it (RISC-V's ``F10_D`` is in ``FPR64C``; ``AnyReg`` holds every register at one size). The size a
    register record carries is not always its own (``describe`` gives RISC-V's 64-bit ``F10_D`` the 32 bits of its
    ``F10_F`` sub-register), while the class it is allocated from says what it holds."""
    best: dict[str, tuple[int, int]] = {}
    for rc in (getattr(table, "details", None) or {}).get("register_classes") or []:
        size, members = rc.get("size"), rc.get("members") or []
        if not isinstance(size, int) or size <= 0:
            continue
        for m in members:
            best[m] = min(best.get(m, (len(members), size)), (len(members), size))
    return {m: size for m, (_, size) in best.items()}


_SHAPED_KINDS = ("decl.method", "decl.field")
_SHAPE_NOISE = re.compile(r"\b(?:virtual|override|final|static|inline|LLVM_\w+)\b|;")


def _shape(decl: dict[str, Any], name: str, spelling: str) -> str:
    """What a member is, names aside: a field, or a method's declaration with its own name, its parameters' names
    and the target's spelling taken out (``unsigned #() const`` for LoongArch's ``getGRLen`` and RISC-V's
    ``getXLen``; ``MVT #() const`` for ``getGRLenVT``)."""
    if decl.get("kind") != "decl.method":
        return "field"
    from .overloads import overload_key

    sig = decl.get("signature") or ""
    head, paren, _ = sig.partition("(")
    key = overload_key(sig) if paren else None
    ret = re.sub(rf"\b{re.escape(name)}\s*$", "", head.strip())
    ret = _SHAPE_NOISE.sub(" ", ret.replace(spelling, "<T>") if spelling else ret)
    tail = sig[sig.rfind(")") + 1:] if ")" in sig else ""
    quals = " ".join(w for w in re.findall(r"\w+|&&|&", _SHAPE_NOISE.sub(" ", tail)) if w in ("const", "&", "&&"))
    params = tuple(tuple(w.replace(spelling, "<T>") if spelling else w for w in t) for t in key) \
        if key is not None else None
    return f"{' '.join(ret.split())} #{params} {quals}"


def member_shapes(table: Any) -> dict[str, list[tuple[str, str]]]:
    """The members of each class the description's headers declare (its last name component), in declaration
    order, each as (name, ``_shape``)."""
    out: dict[str, list[tuple[str, str]]] = {}
    spelling = getattr(table, "namespace", "") or ""
    details = getattr(table, "details", None) or {}
    for d in details.get("declarations") or []:
        if d.get("kind") not in _SHAPED_KINDS:
            continue
        cls, _, name = d["name"].rpartition("::")
        if cls and name and not name.startswith("~") and name != cls.rpartition("::")[2]:
            out.setdefault(cls.rpartition("::")[2], []).append((name, _shape(d, name, spelling)))
    return out


# Two members' names stand for each other only where they differ in one short run of letters (a register width's or
# an extension's name: ``getGRLen``/``getXLen``, ``useSVEForFixedLengthVectors``/``useRVVForFixedLengthVectors``)
# before a shared ending, and the shared beginning and ending are most of the longer name; two members that share
# a beginning only (``LowerBR_CC``, ``LowerBR_JT``; ``LowerVACOPY``, ``lowerVPExtMaskOp``) are not.
MEMBER_MIDDLE = 4
MEMBER_SHARED = 0.6
MEMBER_ENDING = 2


def members_alike(a: str, b: str) -> bool:
    """Whether member names ``a`` and ``b`` are the same but for case and underscores, or each has a run of letters
    the other has not, at most ``MEMBER_MIDDLE`` long, before a shared ending of at least ``MEMBER_ENDING``, the
    shared beginning and ending ``MEMBER_SHARED`` of the longer name or more."""
    la, lb = _letters(a), _letters(b)
    p = 0
    while p < min(len(la), len(lb)) and la[p] == lb[p]:
        p += 1
    if p == len(la) == len(lb):
        return True
    s = _common_suffix(la[p:], lb[p:])
    longer = max(len(la), len(lb))
    # a run left out of one name is a word of it (``lowerFABS``, ``lowerABS``), not the other's spelling of it
    replaced = min(len(la), len(lb)) - p - s > 0
    return replaced and s >= MEMBER_ENDING and (p + s) / longer >= MEMBER_SHARED and longer - p - s <= MEMBER_MIDDLE


_REGISTER_PREFIX = re.compile(r'\bRegisterPrefix\s*=\s*"((?:[^"\\]|\\.)*)"')


def register_prefix(table: Any) -> str | None:
    """What the description writes before a register's name in assembly: the ``RegisterPrefix`` its
    ``AsmParserVariant`` sets in the target's own ``.td`` files (LoongArch and Mips ``$``, PowerPC ``%``), ""
    where none sets one (LLVM's default); None where the table does not say which files it was read from, or its
    variants set two (X86's AT&T ``%`` and Intel none)."""
    meta = getattr(table, "meta", None) or {}
    td = meta.get("td")
    if not td:
        return None
    key = (str(td), tuple(sorted(str(i.get("path", "")) for i in meta.get("inputs") or [])))
    if key not in _PREFIX_MEMO:
        own_dir = Path(td).parent
        found: set[str] = set()
        for path in {Path(td), *(Path(i.get("path", "")) for i in meta.get("inputs") or [])}:
            if path.suffix != ".td" or own_dir not in path.parents:
                continue
            try:
                found |= set(_REGISTER_PREFIX.findall(path.read_text(encoding="utf-8", errors="replace")))
            except OSError:
                continue
        _PREFIX_MEMO[key] = (found.pop() if found else "") if len(found) <= 1 else None
    return _PREFIX_MEMO[key]


_PREFIX_MEMO: dict[tuple[str, tuple[str, ...]], str | None] = {}


def own_register_prefix(code: str, donor: Any, target: Any) -> str:
    """``code`` with the donor's register prefix, where it writes one before a register's name
    (``O << '$' << getRegisterName(Reg)``) or an assembly parser checks for it (``own_prefix_check``), as the
    target's description spells it (``register_prefix``): none for RISC-V, whose printer, taken from LoongArch,
    wrote ``$a0`` where every assembler and test reads ``a0``. Left as it is where either description says nothing
    or two things."""
    theirs, mine = register_prefix(donor), register_prefix(target)
    if not theirs or mine is None or theirs == mine:
        return code
    literal = re.compile(rf"""(['"]){re.escape(theirs)}\1\s*<<\s*(?=(?:StringRef\s*\(\s*)?getRegisterName\b)""")
    code = literal.sub(lambda m: f"{m.group(1)}{mine}{m.group(1)} << " if mine else "", code)
    return own_prefix_check(code, theirs, mine)


# The token an assembly lexer makes of each character a register prefix can be (LLVM's ``AsmToken::TokenKind``)
PREFIX_TOKENS = {"$": "Dollar", "%": "Percent", "#": "Hash", "@": "At", "!": "Exclaim", "&": "Amp", "^": "Caret",
                 "~": "Tilde", "*": "Star"}
# ``if (<token>.isNot(AsmToken::Dollar)) return <no match>;`` (or ``getKind() != AsmToken::Dollar``), and the
# statement right after it that eats the prefix (``getLexer().Lex();``), comments between
_PREFIX_CHECK = re.compile(
    r"\bif\s*\((?P<cond>[^;{}]*?(?:\.\s*isNot\s*\(\s*|!=\s*)AsmToken\s*::\s*(?P<kind>\w+)\s*\)?)\s*\)\s*"
    r"(?P<open>\{\s*)?return\b[^;{}]*;\s*(?(open)\}\s*)"
    r"(?P<eat>(?://[^\n]*\n\s*)*[\w\s().>-]*?\.\s*Lex\s*\(\s*\)\s*;)?")


def own_prefix_check(code: str, theirs: str, mine: str) -> str:
    """``code`` with an assembly parser's check for the donor's register prefix ``theirs`` (and the ``Lex()`` that
    eats it) made the target's: the target's prefix token where it has one, nothing where it has none. LoongArch's
    ``parseRegister`` returns "no match" unless the token is ``AsmToken::Dollar`` and then eats the ``$``; taken
    over for RISC-V, which writes ``a0``, no register operand parsed and the matcher said "invalid operand" for
    every instruction with one. Any other test of a token stays."""
    kind = PREFIX_TOKENS.get(theirs)
    if not kind or "AsmToken" not in code:
        return code

    def own(m: re.Match[str]) -> str:
        if m["kind"] != kind:
            return m.group(0)
        if not mine:
            return ""
        if mine not in PREFIX_TOKENS:
            return m.group(0)
        return re.sub(rf"(AsmToken\s*::\s*){kind}\b", rf"\g<1>{PREFIX_TOKENS[mine]}", m.group(0), count=1)

    return _PREFIX_CHECK.sub(own, code)


def enumerators_by_scope(table: Any) -> dict[str, set[str]]:
    """The enumerators a description declares (``decl.enumerator``), by the scope code names them in
    (``RISCVABI``: ``ABI_ILP32``, ...; a scoped enumeration's own name is part of its scope)."""
    out: dict[str, set[str]] = {}
    for q in (getattr(table, "values", None) or {}).get("decl.enumerator", []):
        scope, _, name = q.rpartition("::")
        if scope:
            out.setdefault(scope, set()).add(name)
    return out


def zero_enumerators(table: Any) -> set[str]:
    """The enumerators (qualified as code names them) a description's headers declare as the zero of their
    enumeration: ``= 0``, or the first of a named enumeration without an initialiser (``LanaiII::MO_NO_FLAG``). The
    first of an unnamed enumeration is not told apart from the last of the one before it, so it is not among them."""
    out: set[str] = set()
    previous: dict[str, Any] = {}
    for row in (getattr(table, "details", None) or {}).get("declarations") or []:
        if row.get("kind") == "decl.enumerator":
            sig = " ".join(str(row.get("signature") or "").split())
            if sig == "= 0" or (not sig and previous.get("kind") == "decl.enum" and previous.get("file") == row.get("file")):
                out.add(row["name"])
        previous = row
    return out


def _unique_best(name: str, among: list[str], key: Any) -> str | None:
    """The one member of ``among`` that ``key`` ranks highest for ``name``; None where two tie (no evidence which)."""
    ranked = sorted(among, key=lambda n: key(name, n), reverse=True)
    if not ranked or (len(ranked) > 1 and key(name, ranked[0]) == key(name, ranked[1])):
        return None
    return ranked[0]


def _alikeness(a: str, b: str) -> float:
    return SequenceMatcher(None, _letters(a), _letters(b)).ratio()


class RecordRoles:
    """Translates a donor's instructions, registers and subtarget features to the new target's of the same role,
    one donor's table at a time, each answer computed once."""

    def __init__(self, target: Any, donors: dict[str, Any]):
        details = getattr(target, "details", None) or {}
        self.target_kinds = operand_kinds(target)
        instrs = details.get("instructions") or []
        self.own = {i["name"] for i in instrs}
        self.by_role: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for i in instrs:
            self.by_role.setdefault(role(i, self.target_kinds), []).append(i)
        regs = details.get("registers") or []
        self.own_regs = {r["name"] for r in regs}
        self.own_sizes = register_sizes(target)
        self._donor_sizes: dict[str, dict[str, int]] = {}
        self.reg_by_role: dict[str, list[dict[str, Any]]] = {}
        for r in regs:
            for n in register_roles(r):
                self.reg_by_role.setdefault(n, []).append(r)
        self.own_features = feature_names(target)
        self.by_string = {f["string"]: f for f in details.get("features") or [] if f.get("string")}
        self.donors = donors
        self.spelling = getattr(target, "namespace", "") or ""
        self.own_members = member_shapes(target)
        # every name the target's headers declare, in any scope: a donor's name among them is the target's own
        self.own_declared = {q.rpartition("::")[2] for kind in (getattr(target, "values", None) or {})
                             if kind.startswith("decl.") for q in target.values[kind]}
        self._donor_members: dict[str, dict[str, list[tuple[str, str]]]] = {}
        # the target's own scope, as a template writes it (``<T> ::``) or spelled (``RISCV ::``)
        self.own_scope = re.compile(rf"(?:<T>{'|' + re.escape(self.spelling) if self.spelling else ''})\s*::\s*$")
        self._donor: dict[str, tuple[dict[str, dict[str, Any]], dict[str, tuple[Any, ...]], dict[str, Any]]] = {}
        self._donor_features: dict[str, dict[str, tuple[str, str]]] = {}
        self._donor_roles: dict[str, dict[tuple[Any, ...], list[dict[str, Any]]]] = {}
        self._memo: dict[tuple[str, str], str | None] = {}
        self.target = target
        self._nodes: dict[str, dict[str, Node]] = {}
        self._sources: dict[str, dict[str, frozenset[str]]] = {}
        self._donor_node_names: dict[str, set[str]] = {}  # the enumerators of each donor's own nodes
        self._node_memo: dict[tuple[str, str], str | None] = {}
        self._node_scope: re.Pattern[str] | None = None
        self.own_enumerators = enumerators_by_scope(target)
        self._donor_enumerators: dict[str, dict[str, set[str]]] = {}
        self._enum_memo: dict[tuple[str, str, str], str | None] = {}
        self._zeros: dict[str, set[str]] = {}  # each donor's ``zero_enumerators``, read once

    def _of(self, donor: str) -> tuple[dict[str, dict[str, Any]], dict[str, tuple[Any, ...]], dict[str, Any]]:
        if donor not in self._donor:
            table = self.donors.get(donor)
            details = (getattr(table, "details", None) or {}) if table is not None else {}
            self._donor[donor] = ({i["name"]: i for i in details.get("instructions") or []},
                                  operand_kinds(table) if table is not None else {},
                                  {r["name"]: r for r in details.get("registers") or []})
        return self._donor[donor]

    def instruction(self, donor: str, name: str) -> str | None:
        """The new target's instruction in the role ``donor``'s instruction ``name`` plays, or None.

        The match must be mutual: the donor must not have the one found itself, and no instruction of the donor's
        of the same role may stand better for it than ``name`` does. Two donor instructions taken for one of the
        target's (LoongArch's atomic ``and`` and ``nand`` pseudos for RISC-V's ``nand``) make ``case X: ... case X:``
        of a dispatch, which does not compile."""
        instrs, kinds, _ = self._of(donor)
        d = instrs.get(name)
        if d is None or name in self.own:
            return None
        r = role(d, kinds)
        found = _best(d, self.by_role.get(r, []))
        if found is None or found["name"] in instrs:  # the donor has that one itself: it is its own counterpart
            return None
        if donor not in self._donor_roles:
            by_role: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
            for i in instrs.values():
                by_role.setdefault(role(i, kinds), []).append(i)
            self._donor_roles[donor] = by_role
        back = _best(found, self._donor_roles[donor].get(r, []))
        # mutual as far as the evidence goes: a donor instruction as alike and of the same size (``ld.w`` and
        # ``ll.w`` for ``lw``) ties, and only a better one rules ``name`` out
        return found["name"] if back is not None and preference(found, back)[:2] <= preference(found, d)[:2] else None

    def same_role(self, donor: str, name: str) -> list[str]:
        """Every instruction of the new target that could stand for ``donor``'s instruction ``name`` whatever it is
        called: the same role (``role``) or, where none has it, the same operand kinds and the same flags of control
        flow and memory (``HARD_FLAGS``: a target need not mark its move or compare instructions as such; XCore
        marks none ``isMoveImm``, ARC's ``MOV_rs12`` is). Most alike named first; empty where ``name`` is no
        instruction of the donor's, or none of the target's fits.

        ``instruction`` asks for one counterpart named alike; where there is none (ARC's ``mov`` beside XCore's
        ``ldc``), the value is left to the model, which without this list picks among whatever instructions the
        slot offers, of any operand count (XCore's two-operand ``ADD_2rus`` for ARC's one-operand constant move:
        a node with too few operands, which crashes the printer)."""
        instrs, kinds, registers = self._of(donor)
        d = instrs.get(name)
        if d is None or name in self.own or name in registers:  # a register of that name too: which is meant?
            return []
        flags, outs, ins = role(d, kinds)
        found = self.by_role.get((flags, outs, ins)) or [
            i for (f, o, n), group in self.by_role.items() if (o, n) == (outs, ins) and f & HARD_FLAGS == flags & HARD_FLAGS
            for i in group]
        # of those, the ones selected from the node the donor's is, where any is (``nodes.selected_from``): ARC's
        # constant move ``MOV_rs12`` (``imm``) is XCore's ``LDC_ru6`` (``imm``), not ``MKMSK_rus`` (a mask width)
        theirs = self.sources(donor).get(name)
        if theirs:
            own = self.sources(None)
            found = [i for i in found if own.get(i["name"], frozenset()) & theirs] or found
        return [i["name"] for i in sorted(found, key=lambda t: preference(d, t), reverse=True)]

    def sources(self, donor: str | None) -> dict[str, frozenset[str]]:
        """The selection sources of the new target's (``donor`` None) or a donor's instructions
        (``nodes.instruction_sources``), read once."""
        key = donor or ""
        if key not in self._sources:
            table = self.target if donor is None else self.donors.get(donor)
            self._sources[key] = instruction_sources(table) if table is not None else {}
        return self._sources[key]

    def register(self, donor: str, name: str) -> str | None:
        """The new target's register with a role name of ``donor``'s register ``name`` (LoongArch's ``R3``, ``sp``,
        is RISC-V's ``X2``), the earliest of the donor's role names deciding, and of the registers with it one of the
        same size first (``register_sizes``: a 32-bit ``fa0`` before a 64-bit one); None where none shares one."""
        d = self._of(donor)[2].get(name)
        if d is None or name in self.own_regs:
            return None
        if donor not in self._donor_sizes:
            self._donor_sizes[donor] = register_sizes(self.donors.get(donor))
        size = self._donor_sizes[donor].get(name, d.get("size"))
        for n in register_roles(d):
            found = self.reg_by_role.get(n)
            if found:
                return next((r for r in found if self.own_sizes.get(r["name"], r.get("size")) == size), found[0])["name"]
        return None

    def feature(self, donor: str, name: str) -> str | None:
        """The new target's spelling of the subtarget feature that ``donor``'s ``name`` spells, as a record
        (``FeatureBasicD``), its attribute (``HasBasicD``) or the attribute's getter (``hasBasicD``), for the feature
        of the same ``-mattr`` string (``d``: RISC-V's ``FeatureStdExtD``, ``HasStdExtD``, ``hasStdExtD``)."""
        if donor not in self._donor_features:
            table = self.donors.get(donor)
            feats = ((getattr(table, "details", None) or {}).get("features") or []) if table is not None else []
            out: dict[str, tuple[str, str]] = {}
            for f in feats:
                for kind, spelled in _feature_spellings(f).items():
                    out.setdefault(spelled, (f.get("string") or "", kind))
            self._donor_features[donor] = out
        found = self._donor_features[donor].get(name)
        if found is None or name in self.own_features or found[0] not in self.by_string:
            return None
        return _feature_spellings(self.by_string[found[0]]).get(found[1])

    def member(self, donor: str, name: str) -> str | None:
        """The new target's member in the role of ``donor``'s class member ``name``: in the target's class of the
        same role (the donor's class in the target's spelling: ``LoongArchSubtarget`` is ``RISCVSubtarget``), the
        one member of the same shape (a field; a method's return type, parameter types and qualifiers, ``_shape``)
        whose name differs from it in one short run (``members_alike``; LoongArch's ``GRLen``, ``getGRLen()`` and
        ``getGRLenVT()`` are RISC-V's ``XLen``, ``getXLen()`` and ``getXLenVT()``), where the match is mutual (no
        other member of the donor's class of that shape is as alike to it). A method named after a field goes to
        the method named after that field's counterpart (``getGRLen`` -> ``getXLen``, not ``getFLen``). A name
        the target's headers declare anywhere is its own and stays."""
        if not self.own_members or name in self.own_declared or donor not in self.donors:
            return None
        if donor not in self._donor_members:
            self._donor_members[donor] = member_shapes(self.donors[donor])
        donor_spelling = getattr(self.donors[donor], "namespace", "") or donor
        found = None
        for cls, members in self._donor_members[donor].items():
            shape = next((s for n, s in members if n == name), None)
            own = self.own_members.get(cls.replace(donor_spelling, self.spelling, 1)) if donor_spelling in cls else None
            if shape is None or not own:
                continue
            best = self._class_member(name, shape, members, own)
            if best is None or (found is not None and found != best):  # two classes of the donor's say two things
                return None
            found = best
        return found

    def _class_member(self, name: str, shape: str, members: list[tuple[str, str]],
                      own: list[tuple[str, str]]) -> str | None:
        """``member`` within one pair of classes (the donor's ``members``, the target's ``own``)."""
        donor_names, own_names = {n for n, _ in members}, {n for n, _ in own}
        fields = {} if shape == "field" else {
            f: t for f, s in members if s == "field" and f in name
            for t in [self._class_member(f, "field", members, own)] if t}

        def key(a: str, b: str) -> tuple[bool, float]:
            consistent = any(a.replace(f, t) == b for f, t in fields.items())
            return consistent, round(_alikeness(a, b), 2)

        mine = [n for n, s in own if s == shape and n not in donor_names and members_alike(name, n)]
        best = _unique_best(name, mine, key)
        if best is None:
            return None
        theirs = [n for n, s in members if s == shape and n not in own_names and members_alike(best, n)]
        return best if _unique_best(best, theirs, lambda a, b: round(_alikeness(a, b), 2)) == name else None

    def nodes(self, donor: str | None) -> dict[str, Node]:
        """The SelectionDAG nodes of the new target (``donor`` None) or of a donor, read from its ``.td`` once."""
        key = donor or ""
        if key not in self._nodes:
            table = self.target if donor is None else self.donors.get(donor)
            self._nodes[key] = target_nodes(table) if table is not None else {}
        return self._nodes[key]

    def node(self, donor: str, name: str) -> str | None:
        """The new target's node in the role of ``donor``'s node ``name`` (``nodes.counterpart``: Lanai's
        ``RET_FLAG`` is XCore's ``RETSP``), where the match is mutual (RISC-V's ``MRET_FLAG``, ``SRET_FLAG`` and
        ``URET_FLAG`` all look like XCore's ``EH_RETURN``, which then stands for none of them); None otherwise."""
        key = (donor, name)
        if key not in self._node_memo:
            self._node_memo[key] = self._node(donor, name)
        return self._node_memo[key]

    def _node(self, donor: str, name: str) -> str | None:
        own = self.nodes(None)
        if not own or name in own:
            return None
        if donor not in self._donor_node_names:
            table = self.donors.get(donor)
            self._donor_node_names[donor] = {q.rpartition("::")[2] for q in table.values.get("isd_opcode", [])} \
                if table is not None else set()
        if name not in self._donor_node_names[donor]:
            return None  # not one of the donor's nodes: no need to read its .td
        theirs = self.nodes(donor)
        d = theirs.get(name)
        found = counterpart(d, own) if d is not None else None
        if found is None or found.name in theirs:
            return None
        back = counterpart(found, theirs)
        return found.name if back is not None and back.name == name else None

    def stood_for(self, donor: str) -> dict[str, Node]:
        """The donor's nodes that ``node`` translates, by the name of the target's node each becomes."""
        return {t: d for d in self.nodes(donor).values() for t in [self.node(donor, d.name)] if t}

    def node_scope(self) -> re.Pattern[str]:
        """What comes before a node's enumerator: its scope, abstracted (``<T>ISD ::``) or spelled (``XCoreISD ::``)."""
        if self._node_scope is None:
            scopes = {n.scope for n in self.nodes(None).values()}
            forms = {re.escape(s) for s in scopes} | {
                re.escape(s.replace(self.spelling, "<T>", 1)) for s in scopes if self.spelling and self.spelling in s}
            self._node_scope = re.compile(rf"(?<![\w:])(?:{'|'.join(sorted(forms))})\s*::\s*$") if forms \
                else re.compile(r"(?!x)x")
        return self._node_scope

    def enumerator(self, donor: str, scope: str, name: str) -> str | None:
        """The new target's enumerator in the role of ``donor``'s enumerator ``name`` of ``scope`` (as code names it:
        ``<T>ABI``, ``LoongArchABI`` or ``RISCVABI``), where both descriptions declare that scope (in their own
        spellings) and the target lacks ``name`` there: of the scope's enumerators that the donor does not have,
        the one most alike in name, where the match is mutual and the names are alike enough
        (``MIN_ENUMERATOR_ALIKENESS``). LoongArch's calling convention switches over ``ABI_ILP32S``, ``ABI_LP64S``,
        ``ABI_ILP32F``... of ``LoongArchABI``; RISC-V's ``RISCVABI`` has ``ABI_ILP32F`` too, and ``ABI_ILP32``
        and ``ABI_LP64`` for the two it lacks, and without them RISC-V's default ABI reached the ``default:``."""
        if donor not in self.donors or not self.spelling:
            return None
        donor_spelling = getattr(self.donors[donor], "namespace", "") or donor
        own_scope = "".join(scope.split()).rstrip(":").replace("<T>", self.spelling).removeprefix("llvm::")
        if own_scope.startswith(donor_spelling):
            own_scope = self.spelling + own_scope[len(donor_spelling):]
        key = (donor, own_scope, name)
        if key not in self._enum_memo:
            self._enum_memo[key] = self._enumerator(donor, donor_spelling, own_scope, name)
        return self._enum_memo[key]

    def _enumerator(self, donor: str, donor_spelling: str, scope: str, name: str) -> str | None:
        mine = self.own_enumerators.get(scope)
        if not mine or name in mine:
            return None
        if donor not in self._donor_enumerators:
            self._donor_enumerators[donor] = {
                (self.spelling + s[len(donor_spelling):] if s.startswith(donor_spelling) else s): names
                for s, names in enumerators_by_scope(self.donors[donor]).items()}
        theirs = self._donor_enumerators[donor].get(scope)
        if not theirs or name not in theirs:
            return None
        spelled = name.replace(donor_spelling, self.spelling)  # ``VK_LoongArch_CALL``: respelling finds it
        if spelled != name and spelled in mine:
            return None
        own_left, their_left = sorted(mine - theirs), sorted(theirs - mine)

        def key(a: str, b: str) -> float:
            return round(_alikeness(a.replace(donor_spelling, self.spelling), b.replace(donor_spelling, self.spelling)), 2)

        best = _unique_best(name, own_left, key)
        if best is None or key(name, best) < MIN_ENUMERATOR_ALIKENESS:
            return None
        return best if _unique_best(best, their_left, key) == name else None

    def alt_name_index(self, donor: str, name: str) -> str | None:
        """The target's register alternative-name index for ``donor``'s, where each description has one
        (``reg_alt_name_index``: the assembly names registers go by): LoongArch's ``RegAliasName`` is RISC-V's
        ``ABIRegAltName``. LoongArch's ``getRegisterName(Reg)`` calls ``getRegisterName(Reg, RegAliasName)``; taken
        over as it was it did not compile, and its stub stopped the tests that print a register."""
        if donor not in self.donors:
            return None
        mine = list((getattr(self.target, "values", None) or {}).get("reg_alt_name_index", []))
        theirs = list((getattr(self.donors[donor], "values", None) or {}).get("reg_alt_name_index", []))
        if len(mine) == 1 and theirs == [name] and name not in mine:
            return mine[0]
        return None

    def counterpart(self, donor: str, name: str) -> str | None:
        """The new target's record in the role of ``donor``'s instruction, register, feature or class member
        ``name``, or None."""
        key = (donor, name)
        if key not in self._memo:
            self._memo[key] = self.instruction(donor, name) or self.register(donor, name) \
                or self.feature(donor, name) or self.member(donor, name) or self.alt_name_index(donor, name)
        return self._memo[key]

    def translate(self, donor: str, value: str, keep: frozenset[str] | set[str] = frozenset()) -> str:
        """``value`` with each of ``donor``'s instructions, registers, features and class members the target lacks,
        named bare, under the target's own scope (``<T> :: FST_D``, or spelled: ``RISCV :: FST_D``) or as a member
        (``STI . hasBasicD``), replaced by its counterpart where it has one. Names in ``keep`` (the parameters of a
        function whose body alone is translated) stay bare: LoongArch's ``CC_LoongArchAssign2GRLen``
        has a parameter ``GRLen``, and its body, taken over for RISC-V, read ``XLen`` (the subtarget member of that
        role) where the head still declared ``GRLen``."""
        own_scope = self.own_scope

        def swap(m: re.Match[str]) -> str:
            if m.group(0) in keep:
                before = value[max(0, m.start() - 3):m.start()]
                if not re.search(r"(?:::|\.|->)\s*$", before):  # the name itself, not a member or scoped name
                    return m.group(0)
            before = value[max(0, m.start() - 120):m.start()]  # a scope's name and ``::`` end there
            if before.rstrip().endswith("::") and self.node_scope().search(before):
                return self.node(donor, m.group(0)) or m.group(0)
            if _OTHER_SCOPE.search(before) and not own_scope.search(before):
                scope = _SCOPE_BEFORE.search(before)
                found = self.enumerator(donor, scope.group(0), m.group(0)) if scope else None
                return found or m.group(0)
            return self.counterpart(donor, m.group(0)) or m.group(0)

        if _IDENT.fullmatch(value.strip()):  # a slot of an enumerator alone (``<T>ISD :: $0``): a node, if any
            found = self.counterpart(donor, value.strip()) or self.node(donor, value.strip())
            return found or value
        code = self.own_processors(donor, self.own_register_prefix(donor, _IDENT.sub(swap, value)))
        return self.absent_zeros(donor, code)

    @cached_property
    def _own_scopes(self) -> set[str]:
        """Every scope and name the target's headers declare (``XCoreISD``, ``XCoreISD::NodeType``, ...)."""
        parts = [q.split("::") for kind, names in (getattr(self.target, "values", None) or {}).items()
                 if kind.startswith("decl.") for q in names]
        return {"::".join(p[:i]) for p in parts for i in range(1, len(p) + 1)}

    def absent_zeros(self, donor: str, code: str) -> str:
        """``code`` with each of ``donor``'s enumerators that is the zero of its enumeration (``zero_enumerators``),
        named in a scope of the donor's own that the new target's headers do not declare at all, as ``0``.

        Lanai's call lowering makes its callee a target symbol with ``LanaiII::MO_NO_FLAG``, the "no operand flag"
        of Lanai's own flag enumeration; XCore declares no ``XCoreII`` scope (its operands carry no target flags),
        so the statement did not compile, was taken out, and every call to a library routine stopped at
        "Cannot select: ExternalSymbol". Where the target has nothing of the scope, its zero is what the donor's
        code means for it: the value an LLVM API takes when there is no flag (``TargetFlags = 0``). A non-zero
        enumerator means something of the donor's and stays (it will not compile, and the repair ladder sees it);
        nothing changes where the target has no header declarations (absence is then no evidence)."""
        if donor not in self.donors or "::" not in code or not self.spelling:
            return code
        if not self._own_scopes:
            return code
        if donor not in self._zeros:
            self._zeros[donor] = zero_enumerators(self.donors[donor])
        zeros = self._zeros[donor]
        if not zeros:
            return code
        donor_spelling = getattr(self.donors[donor], "namespace", "") or donor

        def zero(m: re.Match[str]) -> str:
            scope = m["scope"]
            if code[max(0, m.start() - 8):m.start()].rstrip().endswith("::"):  # ``Outer :: LanaiII :: MO_NO_FLAG``
                return m.group(0)
            for spelled in ("<T>", self.spelling, donor_spelling):
                if scope.startswith(spelled) and len(scope) > len(spelled):
                    suffix = scope[len(spelled):]
                    break
            else:
                return m.group(0)
            theirs, mine = donor_spelling + suffix, self.spelling + suffix
            if f"{theirs}::{m['name']}" not in zeros or mine in self._own_scopes:
                return m.group(0)
            return "0"

        return _SCOPED_NAME.sub(zero, code)

    def processor(self, donor: str, name: str) -> str | None:
        """The new target's processor in the role of ``donor``'s processor ``name`` (a ``-mcpu`` name the target
        lacks): of the target's processors the donor does not have, the one most alike in name, where the match is
        mutual and alike enough (``MIN_PROCESSOR_ALIKENESS``), else the one of the same features
        (``_processor_by_features``). LoongArch's MC layer defaults to ``generic-la32``,
        which for RISC-V is ``generic-rv32``; taken over as it was, every RISC-V tool warned that
        ``'generic-la32' is not a recognized processor`` and ran without the target's scheduling model."""
        if donor not in self.donors:
            return None
        mine = set((getattr(self.target, "values", None) or {}).get("processor", []))
        theirs = set((getattr(self.donors[donor], "values", None) or {}).get("processor", []))
        if name in mine or name not in theirs:
            return None

        def key(a: str, b: str) -> float:
            return round(_alikeness(a, b), 2)

        best = _unique_best(name, sorted(mine - theirs), key)
        if best is not None and key(name, best) >= MIN_PROCESSOR_ALIKENESS \
                and _unique_best(best, sorted(theirs - mine), key) == name:
            return best
        return self._processor_by_features(donor, name, mine - theirs)

    def _processor_by_features(self, donor: str, name: str, candidates: set[str]) -> str | None:
        """The one processor of ``candidates`` (the target's that the donor lacks) with the donor processor's
        features as far as the target has them (each translated by its ``-mattr`` string) and, like it, with or
        without a scheduling model; None where none or several are. LoongArch's MC layer makes ``la464`` the
        64-bit default (``Feature64Bit`` and vector and virtualisation extensions RISC-V does not have, no
        scheduling model): for RISC-V that is ``generic-rv64``, not ``rocket-rv64`` (a scheduling model), which no
        name says; taken as it was, every 64-bit RISC-V tool ran with no processor and no 64-bit feature."""
        def processors(table: Any) -> dict[str, dict[str, Any]]:
            return {p["name"]: p for p in (getattr(table, "details", None) or {}).get("processors") or []
                    if p.get("name")}

        def scheduled(p: dict[str, Any]) -> bool:
            return str(p.get("sched_model") or "NoSchedModel") != "NoSchedModel"

        theirs = processors(self.donors[donor]).get(name)
        if theirs is None:
            return None
        wanted = {f if f in self.own_features else self.feature(donor, f) for f in theirs.get("features") or []}
        wanted.discard(None)
        mine = processors(self.target)
        found = [n for n in sorted(candidates) if n in mine and set(mine[n].get("features") or []) == wanted
                 and scheduled(mine[n]) == scheduled(theirs)]
        return found[0] if len(found) == 1 else None

    def own_processors(self, donor: str, code: str) -> str:
        """``code`` with each string literal that names one of ``donor``'s processors as the target's (``processor``)."""
        if '"' not in code:
            return code
        return _STRING_LITERAL.sub(lambda m: f'"{self.processor(donor, m.group(1)) or m.group(1)}"', code)

    def own_register_prefix(self, donor: str, code: str) -> str:
        """``code`` with ``donor``'s register prefix in the target's spelling (``own_register_prefix``)."""
        return own_register_prefix(code, self.donors[donor], self.target) if donor in self.donors else code
