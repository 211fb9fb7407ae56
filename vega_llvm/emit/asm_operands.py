"""What an asm operand class accepts, read from the ``.td``: the bodies of the asm matcher's operand predicates.

TableGen's asm matcher asks the parser's operand class whether a parsed operand fits each operand of an
instruction, through the ``PredicateMethod`` of the operand's ``AsmOperandClass`` (RISC-V's ``isUImm5``,
``isSImm12``). No template group holds those methods (every target names its own classes), so a scratch backend
had only ``emit.required``'s default, which matches nothing: every instruction with an immediate operand then
failed to assemble (``invalid operand for instruction``) and no MC test of an instruction set with immediates could
pass.

The description says what most of these classes accept. The operands that use a class (its ``ParserMatchClass``
users) carry C++ the ``.td`` embeds for the same question at other layers: an ``MCOperandPredicate`` (the MC
verifier's check of an ``MCOperand MCOp``: ``int64_t Imm; if (MCOp.evaluateAsConstantImm(Imm)) return
isInt<12>(Imm); return MCOp.isBareSymbolRef();``) and an ``ImmLeaf``'s ``ImmediateCode`` (the selector's check of
an ``int64_t Imm``: ``return isUInt<5>(Imm);``). The predicate is written from them, the MC one first (it also
answers for symbols); code that names anything besides its own variable and LLVM's headers (the subtarget, a
TableGen template argument, the target's own namespaces) cannot be used outside its layer and is skipped. An
immediate class (rendered as one) whose users say nothing (RISC-V's ``uimm3``) accepts any immediate; a class with a
custom parser or renderer, or of registers, is left to the default.

The operand's value is taken through the class's ``getImm()``, whichever the donor's class returns it as (an
``MCExpr`` or a number): ``VALUE_AS_MCOPERAND`` makes an ``MCOperand`` of either. A predicate that does not compile
(the class has no ``getImm``) falls back to the default on the repair ladder (``bootstrap.repair.donor_code``).

A target's checks are read with ``llvm-tblgen --dump-json`` and cached under ``<cache>/asm-operands/``, keyed by
the bytes of its ``.td`` files and this module's code.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, TableGenError
from ..paths import cache_root
from .patterns import td_cache_key

# a value of the operand class's getImm(), an MCExpr or a number, as the MCOperand the .td's MC predicates test
VALUE_AS_MCOPERAND = """  auto AsMCOperand = [](const auto &V) -> MCOperand {
    if constexpr (std::is_convertible_v<decltype(V), const MCExpr *>) {
      int64_t C;
      if (V && V->evaluateAsAbsolute(C))
        return MCOperand::createImm(C);
      return MCOperand::createExpr(V);
    } else {
      return MCOperand::createImm(static_cast<int64_t>(V));
    }
  };"""

_IDENT = re.compile(r"(?<![\w.])[A-Za-z_]\w*")
_MEMBER = re.compile(r"(?:\.|->)\s*([A-Za-z_]\w*)")
_OBJECT = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\s*(?:\.|->)")
_LOCAL = re.compile(r"\b(?:u?int64_t|int|unsigned|bool|auto)\s+([A-Za-z_]\w*)\s*[;=]")  # int64_t Imm;
_KEYWORDS = frozenset("if else return int64_t uint64_t int unsigned bool true false const auto static_cast".split())


@dataclass(frozen=True)
class OperandCheck:
    """What one asm operand class's predicate method accepts."""

    method: str  # isUImm5
    operand: str  # the operand whose code it is (uimm5); "" for any immediate
    kind: str  # "mc": an MCOperandPredicate of MCOp; "imm": an ImmediateCode of Imm; "any": any immediate
    code: str = ""

    def body(self) -> str:
        """The predicate's body: the ``.td``'s code applied to the parsed operand."""
        why = (f"// vega: {self.method} from the description: {self.operand}'s "
               f"{'MCOperandPredicate' if self.kind == 'mc' else 'ImmediateCode'}" if self.kind != "any" else
               f"// vega: {self.method}: an immediate class whose range the description does not state")
        head = f"{{\n  {why}\n  if (!isImm())\n    return false;\n"
        if self.kind == "any":
            return head + "  return true;\n}"
        code = textwrap.indent(textwrap.dedent(self.code.strip("\n")).strip(), "    ")
        if self.kind == "mc":
            return (head + VALUE_AS_MCOPERAND + "\n  const MCOperand MCOp = AsMCOperand(getImm());\n"
                    f"  return [&]() -> bool {{\n{code}\n    return false;\n  }}();\n}}")
        return (head + VALUE_AS_MCOPERAND + "\n  int64_t Imm;\n  if (!AsMCOperand(getImm()).evaluateAsConstantImm(Imm))\n"
                f"    return false;\n  return [&]() -> bool {{\n{code}\n    return false;\n  }}();\n}}")


def _def(value: Any) -> str:
    return value.get("def", "") if isinstance(value, dict) else ""


def usable(code: str, own: str, visible: frozenset[str] | None) -> bool:
    """Whether ``code`` names only its own variable (``own``), its locals, C++ words and, with ``visible``, LLVM's
    identifiers; a member (``MCOp.isBareSymbolRef``) is judged by its name alone, and no other object may be named."""
    if not code.strip():
        return False
    if set(_OBJECT.findall(code)) - {own}:
        return False  # an object of another layer (the subtarget ``STI``, ``Subtarget->``)
    names = set(_IDENT.findall(code)) | set(_MEMBER.findall(code))
    names -= _KEYWORDS | {own} | set(_LOCAL.findall(code))
    if visible is None:
        return not names
    return names <= visible


def checks_of(records: dict[str, Any], instanceof: dict[str, list[str]],
              visible: frozenset[str] | None = None) -> dict[str, OperandCheck]:
    """The predicate of each asm operand class the description says something of, by method name."""
    users: dict[str, list[str]] = {}
    for o in instanceof.get("Operand", []):
        cls = _def((records.get(o) or {}).get("ParserMatchClass"))
        if cls:
            users.setdefault(cls, []).append(o)
    out: dict[str, OperandCheck] = {}
    for cls in instanceof.get("AsmOperandClass", []):
        r = records.get(cls) or {}
        name = r.get("Name")
        if not isinstance(name, str) or not name or name in ("Imm", "Reg", "Mem"):
            continue  # the base classes' own predicates (isImm, isReg) are the operand class's
        method = r.get("PredicateMethod") if isinstance(r.get("PredicateMethod"), str) else f"is{name}"
        if isinstance(r.get("ParserMethod"), str) or not users.get(cls):
            continue  # a custom parser decides what it makes; an unused class is never asked
        if any(u in instanceof.get("RegisterOperand", []) for u in users[cls]):
            continue
        found: list[OperandCheck] = []
        for u in sorted(users[cls]):
            ur = records.get(u) or {}
            mc, imm = ur.get("MCOperandPredicate"), ur.get("ImmediateCode")
            if isinstance(mc, str) and usable(mc, "MCOp", visible):
                found.append(OperandCheck(method, u, "mc", mc))
            elif isinstance(imm, str) and usable(imm, "Imm", visible):
                found.append(OperandCheck(method, u, "imm", imm))
        if found and len({(c.kind, c.code) for c in found}) == 1:
            out[method] = found[0]
        elif not found and r.get("RenderMethod", "addImmOperands") == "addImmOperands" and not any(isinstance((records.get(u) or {}).get(f), str)
                                   and (records.get(u) or {}).get(f, "").strip()
                                   for u in users[cls] for f in ("MCOperandPredicate", "ImmediateCode")):
            out[method] = OperandCheck(method, "", "any")
        # several users that disagree, or code that cannot be used here: the default
    return out


def target_checks(td: Path, include_dir: Path | None = None, cache: Path | None = None) -> dict[str, OperandCheck]:
    """``checks_of`` the ``.td`` (cached), names judged against LLVM's installed headers; {} where ``llvm-tblgen``
    cannot read it."""
    from ..describe.properties import write_json_atomic
    from ..describe.tblgen import dump_json
    from ..generate.visible import llvm_identifiers
    from ..llvm.toolchain import find_toolchain

    td = Path(td)
    if not td.is_file():
        return {}
    folder = (cache or cache_root()) / "asm-operands"
    path = folder / f"{td.stem}-{td_cache_key(td, td.parent.rglob('*.td'), __file__)}.json"
    if path.is_file():
        try:
            return {k: OperandCheck(**v) for k, v in json.loads(path.read_text()).items()}
        except (ValueError, TypeError):
            pass  # unreadable: made again below
    try:
        dump = dump_json(td)
    except (ConfigError, TableGenError, OSError):
        return {}
    visible = llvm_identifiers(str(include_dir or find_toolchain().includedir))
    found = checks_of(dump.records, dump.instanceof, visible)
    folder.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, {k: asdict(v) for k, v in found.items()})
    return found
