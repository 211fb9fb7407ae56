"""The property table: what a target's description says, in VEGA's two kinds of properties.

- ``values[kind]``: target-specific properties, "what is this target's X" (its register names, instruction names,
  fixup kinds, ...). Each kind is a flat list of strings so that the feature stage and the value-recall measurement
  can ask "which kind holds this value?" without knowing the record structure.
- ``flags[name]``: target-independent properties, "does this target define/override X" (has an asm parser, has
  delay-slot instructions, uses PC-relative operands, ...). Booleans only.
- ``details[kind]``: the structured records behind the values (register sizes and aliases, instruction operands and
  flags, ...), kept small enough to store (RISCV: ~13k instructions) but never the raw tblgen JSON.

Only records that the target itself defines are kept: a record counts as the target's when it is not in the
"baseline", the records of a description made of LLVM's target-independent ``.td`` files alone (see
``tblgen.baseline_td_text``). This is what makes one extractor serve every backend with nothing per target.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..atomic import publish

SCHEMA_VERSION = 3

# Instruction bits worth a boolean "does any instruction of the target set it" and worth listing per instruction.
INSTR_FLAGS = (
    "isReturn", "isBranch", "isIndirectBranch", "isCompare", "isMoveImm", "isMoveReg", "isBitcast", "isSelect",
    "isBarrier", "isCall", "isAdd", "isTrap", "isTerminator", "isPseudo", "isCodeGenOnly", "isAsmParserOnly",
    "isPredicable", "isCommutable", "isConvertibleToThreeAddress", "isReMaterializable", "isAsCheapAsAMove",
    "hasDelaySlot", "usesCustomInserter", "hasPostISelHook", "hasSideEffects", "mayLoad", "mayStore",
    "mayRaiseFPException", "isNotDuplicable", "hasCtrlDep", "isConvergent", "isExtractSubreg", "isInsertSubreg",
    "isRegSequence", "hasExtraSrcRegAllocReq", "hasExtraDefRegAllocReq", "canFoldAsLoad", "isUnpredicable",
)


@dataclass
class PropertyTable:
    """One target's description, ready for feature vectors. ``meta`` records provenance (LLVM version, inputs and
    their hashes, timings) so a stored table says what it was made from."""

    target: str
    namespace: str
    values: dict[str, list[str]] = field(default_factory=dict)
    flags: dict[str, bool] = field(default_factory=dict)
    details: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    absent: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"schema": SCHEMA_VERSION, **asdict(self)}

    def fingerprint(self) -> str:
        """sha256 (24 hex) of what the table says (not where or when it was made): equal on any machine for the
        same description and describe code, so features and checkpoints can name the tables they were built from."""
        import hashlib
        import json

        body = {"target": self.target, "namespace": self.namespace, "values": self.values, "flags": self.flags,
                "details": self.details, "absent": sorted(self.absent)}
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:24]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "PropertyTable":
        if data.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"property table schema {data.get('schema')!r}, expected {SCHEMA_VERSION}")
        return cls(
            target=data["target"],
            namespace=data["namespace"],
            values=data.get("values", {}),
            flags=data.get("flags", {}),
            details=data.get("details", {}),
            absent=data.get("absent", {}),
            meta=data.get("meta", {}),
        )

    def save(self, path: Path) -> Path:
        """Write atomically (temp file in the same folder, then rename): a reader never sees half a table."""
        return write_json_atomic(path, self.to_json())

    @classmethod
    def load(cls, path: Path) -> "PropertyTable":
        with open(path) as fh:
            return cls.from_json(json.load(fh))


def write_json_atomic(path: Path, data: Any, indent: int | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=indent, separators=(",", ":") if indent is None else None)
        publish(tmp)  # the umask's mode, not mkstemp's 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# --------------------------------------------------------------------------------------------------------------
# Reading tblgen's JSON values

def _ref(v: Any) -> str | None:
    """The record name of a ``{"kind": "def", "def": NAME}`` value."""
    if isinstance(v, dict) and v.get("kind") == "def":
        return v.get("def")
    return None


def _int_bits(v: Any) -> int | None:
    """A ``bits<n>`` field (list of 0/1, LSB first) or an int as an int; None when any bit is unset."""
    if isinstance(v, int):
        return v
    if isinstance(v, list) and v and all(b in (0, 1) for b in v):
        return sum(b << i for i, b in enumerate(v))
    return None


def _dag_args(v: Any) -> list[tuple[Any, str | None]]:
    if isinstance(v, dict) and v.get("kind") == "dag":
        return [(a[0], a[1]) for a in v.get("args", [])]
    return []


def _operands(v: Any) -> list[str]:
    """``(ins GPR:$rs1, simm12:$imm)`` as ``["GPR:rs1", "simm12:imm"]``."""
    out = []
    for arg, name in _dag_args(v):
        ty = _ref(arg) or (arg.get("printable") if isinstance(arg, dict) else str(arg))
        out.append(f"{ty}:{name}" if name else str(ty))
    return out


class RegisterSets:
    """TableGen's set algebra for ``RegisterClass.MemberList`` (llvm/lib/TableGen/SetTheory.cpp), enough of it to
    know which registers each class holds, so register sizes and class membership come from the description."""

    def __init__(self, records: dict[str, Any], registers: set[str]):
        self.records = records
        self.registers = registers
        self.memo: dict[str, list[str]] = {}

    def of_class(self, name: str) -> list[str]:
        if name not in self.memo:
            self.memo[name] = []  # cycle guard
            self.memo[name] = self.expand(self.records[name].get("MemberList"))
        return self.memo[name]

    def expand(self, v: Any) -> list[str]:
        name = _ref(v)
        if name is not None:
            if name in self.registers:
                return [name]
            rec = self.records.get(name, {})
            if "MemberList" in rec:
                return self.of_class(name)
            return []
        if isinstance(v, list):
            return [r for x in v for r in self.expand(x)]
        if not (isinstance(v, dict) and v.get("kind") == "dag"):
            return []
        op = _ref(v.get("operator")) or ""
        args = [a for a, _ in _dag_args(v)]
        ints = [a for a in args if isinstance(a, int)]
        sets = [self.expand(a) for a in args if not isinstance(a, int)]
        first = sets[0] if sets else []
        if op == "add":
            return _uniq(r for s in sets for r in s)
        if op == "sub":
            drop = {r for s in sets[1:] for r in s}
            return [r for r in first if r not in drop]
        if op == "and":
            keep = {r for r in sets[1]} if len(sets) > 1 else set()
            return [r for r in first if r in keep]
        if op == "shl" and ints:
            return first[ints[0]:]
        if op == "trunc" and ints:
            return first[: ints[0]]
        if op in ("rotl", "rotr") and ints and first:
            k = ints[0] % len(first)
            k = k if op == "rotl" else -k
            return first[k:] + first[:k]
        if op == "decimate" and ints and ints[0] > 0:
            return first[:: ints[0]]
        if op == "interleave":
            out: list[str] = []
            for i in range(max((len(s) for s in sets), default=0)):
                out.extend(s[i] for s in sets if i < len(s))
            return _uniq(out)
        if op == "sequence":
            fmt = next((a for a in args if isinstance(a, str)), None)
            if fmt is not None and len(ints) >= 2:
                lo, hi = ints[0], ints[1]
                step = ints[2] if len(ints) > 2 else 1
                rng = range(lo, hi + 1, step) if lo <= hi else range(lo, hi - 1, -step)
                names = [_c_format(fmt, i) for i in rng]
                return [n for n in names if n in self.registers]
        return _uniq(r for s in sets for r in s)


def _c_format(fmt: str, i: int) -> str:
    return re.sub(r"%\d*[ud]", lambda m: f"{i:{m.group(0)[1:-1] or ''}d}".replace(" ", "0"), fmt, count=1)


def _uniq(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for x in items:
        seen.setdefault(x, None)
    return list(seen)


# --------------------------------------------------------------------------------------------------------------
# Extraction


@dataclass
class Baseline:
    """Names of the records and classes that LLVM's target-independent ``.td`` files define."""

    records: frozenset[str]
    classes: frozenset[str]


def _main_target(records: dict[str, Any], instanceof: dict[str, list[str]], source: str) -> str:
    from ..errors import ConfigError

    targets = [t for t in instanceof.get("Target", []) if not records.get(t, {}).get("!anonymous")]
    if not targets:
        raise ConfigError(f"{source} defines no record deriving from Target: give the target's top-level .td file")
    if len(targets) > 1:
        raise ConfigError(f"{source} defines several Target records ({', '.join(targets)}): give one target's .td")
    return targets[0]


def extract(
    records: dict[str, Any],
    instanceof: dict[str, list[str]],
    baseline: Baseline,
    source: str = "the .td file",
) -> PropertyTable:
    """Turn tblgen's records into a property table. Pure: no files, no tools (the caller adds C++ inputs + meta)."""
    target = _main_target(records, instanceof, source)

    def own(cls: str) -> list[str]:
        return [n for n in instanceof.get(cls, []) if n not in baseline.records]

    def rec(name: str) -> dict[str, Any]:
        return records[name]

    regs = own("Register")
    reg_set = set(regs)
    ns_counter = Counter(rec(r).get("Namespace") for r in regs)
    ns_counter.update(
        rec(i).get("Namespace") for i in own("Instruction") if rec(i).get("Namespace") not in (None, "TargetOpcode")
    )
    ns_counter.pop(None, None)
    ns_counter.pop("", None)
    namespace = ns_counter.most_common(1)[0][0] if ns_counter else target

    values: dict[str, list[str]] = {}
    details: dict[str, list[dict[str, Any]]] = {}
    flags: dict[str, bool] = {}

    def put(kind: str, items: Iterable[Any]) -> None:
        values[kind] = _uniq(str(x) for x in items if x not in (None, ""))

    put("target", [target])
    put("namespace", [namespace])
    put("target.lower", _uniq([target.lower(), namespace.lower()]))

    # Registers and register classes ------------------------------------------------------------------------
    sets = RegisterSets(records, reg_set)
    vt_size = {n: rec(n).get("Size") for n in instanceof.get("ValueType", [])}
    classes = own("RegisterClass")
    class_rows = []
    reg_size: dict[str, int] = {}
    for c in classes:
        r = rec(c)
        types = [_ref(t) for t in r.get("RegTypes", [])]
        size = r.get("Size") or 0
        infos = _ref(r.get("RegInfos"))
        if not size and infos and infos in records:
            objs = [_ref(o) for o in rec(infos).get("Objects", [])]
            sizes = [rec(o).get("RegSize") for o in objs if o in records]
            size = min((s for s in sizes if isinstance(s, int)), default=0)
        if not size:
            size = max((vt_size.get(t) or 0 for t in types if t), default=0)
        members = sets.of_class(c)
        for m in members:
            if size and (m not in reg_size or size < reg_size[m]):
                reg_size[m] = size
        class_rows.append(
            {
                "name": c,
                "size": size,
                "alignment": r.get("Alignment"),
                "types": types,
                "allocatable": bool(r.get("isAllocatable")),
                "members": members,
            }
        )
    reg_rows = []
    for n in regs:
        r = rec(n)
        reg_rows.append(
            {
                "name": n,
                "asm": r.get("AsmName", ""),
                "alt_names": r.get("AltNames", []),
                "aliases": [_ref(a) for a in r.get("Aliases", [])],
                "sub_regs": [_ref(a) for a in r.get("SubRegs", [])],
                "sub_reg_indices": [_ref(a) for a in r.get("SubRegIndices", [])],
                "dwarf": r.get("DwarfNumbers", []),
                "encoding": _int_bits(r.get("HWEncoding")),
                "size": reg_size.get(n, 0),
            }
        )
    details["registers"] = reg_rows
    details["register_classes"] = class_rows
    put("register", regs)
    put("register.asm_name", [r["asm"] for r in reg_rows] + [a for r in reg_rows for a in r["alt_names"]])
    put("register_class", classes)
    put("sub_reg_index", own("SubRegIndex"))
    put("reg_alt_name_index", [n for n in own("RegAltNameIndex")])
    put("register_bank", own("RegisterBank"))
    put("hw_mode", own("HwMode"))
    put("value_type", _uniq(vt for t in _value_types(records, row_types(class_rows), instanceof) for vt in t))
    # Every value type the target's own records mention (patterns, calling conventions, operands, profiles).
    vt_names = set(instanceof.get("ValueType", []))
    values["value_type"] = _uniq(
        values["value_type"] + sorted(_referenced(records, (n for n in records if n not in baseline.records), vt_names))
    )

    # Operands -----------------------------------------------------------------------------------------------
    op_rows = []
    for o in own("Operand") + own("RegisterOperand"):
        r = rec(o)
        op_rows.append(
            {
                "name": o,
                "kind": "register" if "RegisterOperand" in r.get("!superclasses", []) else "operand",
                "type": _ref(r.get("Type")) or _ref(r.get("RegClass")),
                "operand_type": r.get("OperandType", ""),
                "operand_namespace": r.get("OperandNamespace", ""),
                "print_method": r.get("PrintMethod", ""),
                "encoder_method": r.get("EncoderMethod", ""),
                "decoder_method": r.get("DecoderMethod", ""),
                "parser_match_class": _ref(r.get("ParserMatchClass")),
                "mi_operands": _operands(r.get("MIOperandInfo")),
            }
        )
    details["operands"] = op_rows
    put("operand", [r["name"] for r in op_rows])
    put(
        "operand_type",
        [
            r["operand_type"] if r["operand_namespace"] in ("", "MCOI") else f"{r['operand_namespace']}::{r['operand_type']}"
            for r in op_rows
            if r["operand_type"]
        ],
    )
    aoc = own("AsmOperandClass")
    put("asm_operand_class", [rec(a).get("Name") for a in aoc])
    method_fields = ("PredicateMethod", "RenderMethod", "ParserMethod", "DefaultMethod")
    put(
        "method",
        [r[k] for r in op_rows for k in ("print_method", "encoder_method", "decoder_method")]
        + [rec(a).get(k) for a in aoc for k in method_fields if isinstance(rec(a).get(k), str)]
        + [rec(c).get("DecoderMethod") for c in classes],
    )
    put("diagnostic_type", [rec(a).get("DiagnosticType") for a in aoc])

    # Instructions ---------------------------------------------------------------------------------------------
    instrs = [i for i in own("Instruction") if rec(i).get("Namespace") != "TargetOpcode"]
    instr_rows = []
    flag_any: Counter[str] = Counter()
    for i in instrs:
        r = rec(i)
        asm = r.get("AsmString") or ""
        true_flags = [f for f in INSTR_FLAGS if r.get(f) == 1]
        flag_any.update(true_flags)
        instr_rows.append(
            {
                "name": i,
                "mnemonic": _mnemonic(asm),
                "asm": asm,
                "formats": [c for c in r.get("!superclasses", []) if c not in baseline.classes],
                "outs": _operands(r.get("OutOperandList")),
                "ins": _operands(r.get("InOperandList")),
                "flags": true_flags,
                "size": r.get("Size", 0),
                "decoder_namespace": r.get("DecoderNamespace", ""),
                "decoder_method": r.get("DecoderMethod", ""),
                "predicates": [_ref(p) for p in r.get("Predicates", [])],
                "defs": [_ref(p) for p in r.get("Defs", [])],
                "uses": [_ref(p) for p in r.get("Uses", [])],
                "tsflags": _int_bits(r.get("TSFlags")) or 0,
            }
        )
    details["instructions"] = instr_rows
    put("instruction", instrs)
    put("instruction.mnemonic", [r["mnemonic"] for r in instr_rows])
    put("instruction.format", sorted({f for r in instr_rows for f in r["formats"]}))
    put("decoder_namespace", [r["decoder_namespace"] for r in instr_rows])
    values["method"] = _uniq(values["method"] + [r["decoder_method"] for r in instr_rows if r["decoder_method"]])
    put("instr_mapping", own("InstrMapping"))
    put("generic_table", own("GenericTable"))
    put(
        "searchable_index",
        [f"lookup{rec(t).get('CppTypeName') or t}By{''.join(rec(t).get('PrimaryKey') or [])}"
         for t in own("GenericTable") if rec(t).get("PrimaryKeyName")]
        + [rec(t).get("PrimaryKeyName") for t in own("GenericTable")]
        + [rec(t).get("CppTypeName") for t in own("GenericTable")],
    )

    # Selection DAG ------------------------------------------------------------------------------------------
    sdnodes = own("SDNode")
    opcodes = [rec(s).get("Opcode", "") for s in sdnodes]
    put("sdnode", sdnodes)
    put("isd_opcode", [o for o in opcodes if "::" in o and not o.startswith("ISD::")])
    put("complex_pattern", own("ComplexPattern"))
    put("select_func", [rec(c).get("SelectFunc") for c in own("ComplexPattern")])
    preds = own("Predicate")
    put("predicate", preds)
    put("predicate.cond", [rec(p).get("CondString") for p in preds])
    prefixes = {target.lower(), namespace.lower()}
    intr = [n for n in instanceof.get("Intrinsic", []) if rec(n).get("TargetPrefix") in prefixes]
    put("intrinsic", [n[len("int_"):] if n.startswith("int_") else n for n in intr])

    # Calling conventions ----------------------------------------------------------------------------------
    ccs = own("CallingConv")
    put("calling_conv", ccs)
    csrs = own("CalleeSavedRegs")
    put("callee_saved", csrs)
    csr_rows = [{"name": c, "regs": sets.expand(rec(c).get("SaveList"))} for c in csrs]
    details["callee_saved"] = csr_rows
    details["calling_conventions"] = [{"name": c, "custom": bool(rec(c).get("Custom")), "entry": bool(rec(c).get("Entry"))} for c in ccs]
    put("callee_saved.register", _uniq(r for row in csr_rows for r in row["regs"]))
    put("cc_custom", [_ref(a) and rec(_ref(a)).get("FuncName") for c in ccs for a in _walk_actions(records, rec(c))])

    # Subtarget ----------------------------------------------------------------------------------------------
    feats = own("SubtargetFeature")
    details["features"] = [
        {
            "name": f,
            "string": rec(f).get("Name", ""),
            "attribute": rec(f).get("Attribute", ""),
            "value": rec(f).get("Value", ""),
            "implies": [_ref(x) for x in rec(f).get("Implies", [])],
        }
        for f in feats
    ]
    put("feature", feats)
    put("feature.string", [rec(f).get("Name") for f in feats])
    put("feature.attribute", [rec(f).get("Attribute") for f in feats])
    put("feature.value", [v for f in feats if not str(v := rec(f).get("Value", "")) in ("true", "false")])
    procs = own("Processor")
    details["processors"] = [
        {
            "name": rec(p).get("Name", ""),
            "sched_model": _ref(rec(p).get("SchedModel")),
            "itineraries": _ref(rec(p).get("ProcItin")),
            "features": [_ref(x) for x in rec(p).get("Features", [])],
            "tune_features": [_ref(x) for x in rec(p).get("TuneFeatures", [])],
        }
        for p in procs
    ]
    put("processor", [rec(p).get("Name") for p in procs])
    models = own("SchedMachineModel")
    put("sched_model", models)
    details["sched_models"] = [
        {k: rec(m).get(k) for k in ("IssueWidth", "MicroOpBufferSize", "LoadLatency", "MispredictPenalty",
                                     "CompleteModel", "PostRAScheduler")} | {"name": m}
        for m in models
    ]
    put("proc_resource", own("ProcResourceUnits"))
    put("sched_rw", own("SchedWrite") + own("SchedRead"))
    put("itinerary", own("ProcessorItineraries") + own("InstrItinClass"))
    put("func_unit", own("FuncUnit"))

    # Target / InstrInfo / asm records -------------------------------------------------------------------------
    trec = rec(target)
    iinfo = _ref(trec.get("InstructionSet"))
    ii = rec(iinfo) if iinfo in records else {}
    details["instr_info"] = [{"name": iinfo, **{k: v for k, v in ii.items() if not k.startswith("!")}}]
    parsers = [_ref(p) for p in trec.get("AssemblyParsers", [])]
    writers = [_ref(p) for p in trec.get("AssemblyWriters", [])]
    details["asm"] = [
        {"name": p, "role": role, **{k: v for k, v in rec(p).items() if not k.startswith("!")}}
        for role, names in (("parser", parsers), ("writer", writers))
        for p in names
        if p in records
    ]
    put("asm_class", [d.get("AsmParserClassName") or d.get("AsmWriterClassName") for d in details["asm"]])

    # C++ the description embeds -------------------------------------------------------------------------
    own_names = [n for n in records if n not in baseline.records]
    code_idents, code_numbers = _code_tokens(records, own_names)
    put("td_code", code_idents)
    put("searchable_index", values["searchable_index"] + own("SearchIndex"))

    # Numbers that code spells out (sizes, encodings, DWARF numbers, counts) ---------------------------------
    numbers: set[int] = {len(regs), len(classes), len(instrs), *code_numbers}
    for row in class_rows:
        infos = _ref(rec(row["name"]).get("RegInfos"))
        for o in rec(infos).get("Objects", []) if infos in records else []:
            ri = records.get(_ref(o) or "", {})
            numbers.update(v for k in ("RegSize", "SpillSize", "SpillAlignment") if isinstance(v := ri.get(k), int))
    numbers.update(r["size"] for r in reg_rows if r["size"])
    numbers.update(r["size"] for r in class_rows if r["size"])
    numbers.update(r["size"] // 8 for r in class_rows if r["size"])
    numbers.update(r["encoding"] for r in reg_rows if r["encoding"] is not None)
    numbers.update(d for r in reg_rows for d in r["dwarf"] if isinstance(d, int))
    numbers.update(r["size"] for r in instr_rows if isinstance(r["size"], int))
    numbers.update(r["size"] * 8 for r in instr_rows if isinstance(r["size"], int))
    values["number"] = [str(n) for n in sorted(numbers)]

    # Target-independent properties: booleans ---------------------------------------------------------------
    for f in INSTR_FLAGS:
        flags[f"instr.{f}"] = flag_any[f] > 0
    for k in ("isLittleEndianEncoding", "guessInstructionProperties", "decodePositionallyEncodedOperands",
              "noNamedPositionallyEncodedOperands", "useDeprecatedPositionallyEncodedOperands"):
        flags[f"instr_info.{k}"] = bool(ii.get(k))
    flags["target.AllowRegisterRenaming"] = bool(trec.get("AllowRegisterRenaming"))
    for d in details["asm"]:
        for k, v in d.items():
            if isinstance(v, int) and k not in ("Variant",):
                flags[f"asm_{d['role']}.{k}"] = bool(v)
    op_types = Counter(r["operand_type"] for r in op_rows)
    for t in ("OPERAND_PCREL", "OPERAND_MEMORY", "OPERAND_IMMEDIATE", "OPERAND_REGISTER"):
        flags[f"operand.uses_{t}"] = op_types[t] > 0
    flags["operand.target_operand_types"] = any(r["operand_namespace"] not in ("", "MCOI") for r in op_rows)
    flags["operand.custom_encoder"] = any(r["encoder_method"] for r in op_rows)
    flags["operand.custom_decoder"] = any(r["decoder_method"] for r in op_rows)
    # Whether the description is written for an assembly parser / a disassembler: what its author declared for
    # them (own AsmParser records or operand classes that parse; decoder methods or namespaces), never whether
    # the target's folder happens to hold AsmParser/ or Disassembler/.
    flags["describes.asm_parser"] = bool(aoc) or any(p not in baseline.records for p in parsers)
    flags["describes.disassembler"] = (
        any(r["decoder_method"] for r in op_rows)
        or any(r["decoder_method"] or r["decoder_namespace"] for r in instr_rows)
    )
    flags["instr.tsflags"] = any(r["tsflags"] for r in instr_rows)
    flags["instr.variable_size"] = len({r["size"] for r in instr_rows if r["size"]}) > 1
    flags["instr.decoder_namespaces"] = len(values["decoder_namespace"]) > 0
    flags["regclass.float"] = any(t and t.startswith("f") for r in class_rows for t in r["types"])
    flags["regclass.vector"] = any(t and t.startswith(("v", "nxv")) for r in class_rows for t in r["types"])
    flags["regclass.i64"] = any(t == "i64" for r in class_rows for t in r["types"])
    flags["regclass.hw_mode_sizes"] = any(_ref(rec(c).get("RegInfos")) for c in classes)
    flags["register.aliases"] = any(r["aliases"] for r in reg_rows)
    flags["register.sub_regs"] = any(r["sub_regs"] for r in reg_rows)
    flags["register.alt_names"] = any(r["alt_names"] for r in reg_rows)
    flags["sched.has_model"] = any(not rec(m).get("NoModel") for m in models)
    flags["sched.itineraries"] = any(n != "NoItineraries" for n in values["itinerary"])
    flags["cc.custom"] = bool(values["cc_custom"])
    flags["gisel.combiner"] = bool(own("GICombiner"))
    flags["compress_patterns"] = bool(own("CompressPat"))
    flags["asm_operand_classes"] = bool(aoc)
    for kind, vals in values.items():
        if kind not in ("target", "namespace", "target.lower", "number"):
            flags[f"has.{kind}"] = bool(vals)
    return PropertyTable(target=target, namespace=namespace, values=values, flags=flags, details=details)


def _referenced(records: dict[str, Any], names: Iterable[str], wanted: set[str]) -> set[str]:
    """Which of the ``wanted`` record names the given records refer to anywhere in their fields (dags included)."""
    found: set[str] = set()
    for n in names:
        stack: list[Any] = [v for k, v in records[n].items() if not k.startswith("!")]
        while stack:
            v = stack.pop()
            if isinstance(v, dict):
                ref = v.get("def") if v.get("kind") == "def" else None
                if ref is not None:
                    if ref in wanted:
                        found.add(ref)
                    continue
                stack.extend(v.get("args", ()))
                if "operator" in v:
                    stack.append(v["operator"])
            elif isinstance(v, list):
                stack.extend(v)
    return found


def row_types(class_rows: list[dict[str, Any]]) -> list[str]:
    return [t for row in class_rows for t in row["types"] if t]


def _value_types(records: dict[str, Any], names: list[str], instanceof: dict[str, list[str]]) -> list[list[str]]:
    """A register class's types, with ``ValueTypeByHwMode`` (RISCV's XLenVT) expanded to each mode's type."""
    by_mode = set(instanceof.get("ValueTypeByHwMode", []))
    out = []
    for n in names:
        if n in by_mode:
            out.append([n, *(_ref(o) or "" for o in records[n].get("Objects", []))])
        else:
            out.append([n])
    return out


# Fields whose string value is C++ that the description embeds (immediate predicates, transforms, conditions).
CODE_FIELDS = ("ImmediateCode", "PredicateCode", "MCOperandPredicate", "XFormFunction", "CondString",
               "GISelPredicateCode", "AssemblerCondString")
_IDENT = re.compile(r"\b[A-Za-z_]\w*\b")
_NUMBER = re.compile(r"\b(?:0[xX][0-9a-fA-F]+|\d+)\b")
_CXX_WORDS = frozenset("""if else return int unsigned bool true false const auto uint64_t int64_t uint32_t int32_t
    uint16_t uint8_t int8_t int16_t static_cast cast dyn_cast isa nullptr this sizeof switch case default break
    for while do void char float double long short signed""".split())


def _code_tokens(records: dict[str, Any], names: Iterable[str]) -> tuple[list[str], list[int]]:
    """Identifiers and integers of the C++ fragments in the target's own records (``isInt<12>(Imm)``,
    ``Subtarget->hasStdExtM()``): names the description itself makes the target's code use."""
    idents: dict[str, None] = {}
    numbers: set[int] = set()
    for n in names:
        r = records[n]
        for f in CODE_FIELDS:
            code = r.get(f)
            if isinstance(code, str) and code:
                for m in _IDENT.findall(code):
                    if m not in _CXX_WORDS:
                        idents.setdefault(m, None)
                numbers.update(int(x, 0) for x in _NUMBER.findall(code))
    return list(idents), sorted(numbers)


def _walk_actions(records: dict[str, Any], cc: dict[str, Any]) -> list[Any]:
    """Every ``CCCustom`` action reachable from a calling convention (their ``FuncName`` is hand-written C++)."""
    out, stack, seen = [], list(cc.get("Actions", [])), set()
    while stack:
        a = stack.pop()
        name = _ref(a)
        if name is None or name in seen or name not in records:
            continue
        seen.add(name)
        r = records[name]
        if "CCCustom" in r.get("!superclasses", []):
            out.append(a)
        sub = r.get("SubAction")
        if sub is not None:
            stack.append(sub)
    return out


def _mnemonic(asm: str) -> str:
    """First word of an AsmString (``"add $dst, $b"`` -> ``add``; variants ``{a|b}`` keep the first)."""
    s = re.sub(r"\{([^|}]*)(\|[^}]*)?\}", r"\1", asm).strip()
    word = re.split(r"[\s$,]", s, maxsplit=1)[0] if s else ""
    return word.strip("\t")
