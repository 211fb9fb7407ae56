"""The functions that go into an emitted target: generated ones (``vega-llvm generate`` JSONL) and fallbacks.

``generate`` writes one row per template (``vega_llvm.generate.generate`` documents the schema): ``Target``,
``Module``, ``File``, ``Func``, ``vega_code`` (line 1 the signature, then the body, one statement per line),
``ans_code``, ``Confidence`` and ``statements`` (``id``, ``code``, ``confidence``, ``kept``). VEGA's own
``result.jsonl`` spells some fields differently; ``load_results`` accepts both, so a file from either works.

A signature is split into its parts (``Signature``) because emission needs two spellings of every member function:
the in-class declaration (defaults, ``static``, ``override`` kept) and the out-of-line definition (qualified name,
none of those), whichever form the function had in the training backend it was learned from.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..corpus.naming import abstract_spellings as abstract_name, respell  # noqa: F401 (re-exported)
from ..errors import ConfigError
from ..template_clauses import without_defaults

# Statements whose confidence is below this get a ``// vega: confidence`` comment.
DEFAULT_THRESHOLD = 0.9

_FIELD_ALIASES = {
    "target": ("Target", "target"),
    "module": ("Module", "module"),
    "file": ("File", "file"),
    "func": ("Func", "func", "Function", "qname"),
    "code": ("vega_code", "Code", "code", "generated", "Generated", "pred"),
    "truth": ("ans_code", "Ground_Truth", "ground_truth", "GroundTruth"),
    "confidence": ("Confidence", "confidence", "Conf"),
}


def _get(row: dict[str, Any], key: str, default: Any = None) -> Any:
    for k in _FIELD_ALIASES[key]:
        if k in row:
            return row[k]
    return default


@dataclass
class Signature:
    """``prefix qualifier::name(params) suffix inits`` of one function definition."""

    prefix: str  # return type and specifiers ("static bool", "const char *", "" for a constructor)
    qualifier: str  # enclosing class path as written ("XCoreTargetLowering"), "llvm" for llvm::f, "" for none
    name: str  # local name ("LowerOperation", "~Foo", "XCoreTargetLowering" for a constructor)
    params: str  # text between the parentheses
    suffix: str  # after the parameters, without an initializer list ("const", "const override")
    inits: str  # the constructor initializer list with its leading colon, or ""

    _STRIP_DEF = {"static", "virtual", "explicit", "inline", "friend", "constexpr"}
    _STRIP_SUFFIX = {"override", "final"}

    def declaration(self) -> str:
        """The in-class declaration (as written, minus any qualifier and initializer list)."""
        suffix = re.sub(r"=\s*(default|delete|0)\s*$", "", self.suffix).strip()
        return _join(self.prefix, f"{self.name}({self.params})", suffix) + ";"

    def definition_head(self, cls: str) -> str:
        """The out-of-line definition head ``T Cls::name(params) const : inits`` (a template's clause without its
        default arguments, which the declaration in the class has)."""
        prefix = " ".join(w for w in without_defaults(self.prefix).split() if w not in self._STRIP_DEF)
        suffix = " ".join(w for w in self.suffix.split() if w not in self._STRIP_SUFFIX)
        params = ", ".join(strip_default(p) for p in split_top(self.params, ","))
        head = _join(prefix, f"{cls}::{self.name}({params})" if cls else f"{self.name}({params})", suffix)
        return head + (f" {self.inits}" if self.inits else "")

    def free_head(self) -> str:
        """A free function's head, as written."""
        q = f"{self.qualifier}::" if self.qualifier else ""
        return _join(self.prefix, f"{q}{self.name}({self.params})", self.suffix)


def _join(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def split_top(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside (), <>, [], {} (template arguments included); empty text gives []."""
    out, depth, cur = [], 0, []
    for ch in text:
        if ch in "([{<":
            depth += 1
        elif ch in ")]}>" and depth > 0:
            depth -= 1
        if ch == sep and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    last = "".join(cur).strip()
    if last or out:
        out.append(last)
    return [p for p in out if p]


def _top_level(text: str, ch_wanted: str, neighbours: tuple[str, ...], after: str) -> int:
    """Index of the first ``ch_wanted`` outside brackets whose neighbours do not make it part of a longer operator
    (previous char not in ``neighbours``, next char not ``after``); -1 when there is none."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([{<":
            depth += 1
        elif ch in ")]}>" and depth > 0:
            depth -= 1
        elif ch == ch_wanted and depth == 0 and text[i - 1 : i] not in neighbours and text[i + 1 : i + 2] != after:
            return i
    return -1


def strip_default(param: str) -> str:
    """``int x = 0`` -> ``int x`` (a top-level ``=`` that is not part of ``==``/``<=``/``>=``/``!=``)."""
    eq = _top_level(param, "=", ("=", "<", ">", "!"), "=")
    return param[:eq].strip() if eq >= 0 else param.strip()


_NAME_AT_END = re.compile(r"((?:~?[A-Za-z_]\w*\s*::\s*)*(?:~?[A-Za-z_]\w*|operator\s*\S+))\s*$")


def parse_signature(sig: str) -> Signature:
    """Split a whitespace-normalised definition head (the corpus ``signature`` or generate's first line)."""
    sig = " ".join(sig.split())
    sig = re.sub(r"\s*::\s*", "::", sig)
    open_at = sig.find("(")
    if open_at < 0:
        raise ConfigError(f"not a function signature (no parameter list): {sig[:80]!r}")
    m = _NAME_AT_END.search(sig[:open_at])
    if not m:
        raise ConfigError(f"no function name before the parameter list: {sig[:80]!r}")
    path = m.group(1).replace(" ", "")
    prefix = sig[: m.start(1)].strip()
    qualifier, _, name = path.rpartition("::")
    if qualifier.startswith("llvm::"):
        qualifier = qualifier[len("llvm::"):]
    depth, close = 0, -1
    for i in range(open_at, len(sig)):
        if sig[i] == "(":
            depth += 1
        elif sig[i] == ")":
            depth -= 1
            if depth == 0:
                close = i
                break
    if close < 0:
        raise ConfigError(f"unbalanced parameter list: {sig[:80]!r}")
    params = sig[open_at + 1 : close].strip()
    rest = sig[close + 1 :].strip()
    inits = ""
    colon = _top_colon(rest)
    if colon >= 0:
        rest, inits = rest[:colon].strip(), rest[colon:].strip()
    return Signature(prefix, qualifier, name, params, rest, inits)


def _top_colon(text: str) -> int:
    """The ``:`` that starts a constructor's member-initializer list (not part of ``::``)."""
    return _top_level(text, ":", (":",), ":")


@dataclass
class StatementConfidence:
    code: str
    confidence: float


@dataclass
class Candidate:
    """One of generate's later candidates for a function (``candidates`` after the first, best first): what the
    repair loop tries when the code before it does not compile."""

    code: str  # line 1 the signature, then the body
    source: str = ""
    confidence: float = 0.0
    template_clause: str = ""  # ``template <...>`` before the signature, where the function is a template

    def signature_and_body(self) -> tuple[str, str]:
        """``split_code`` of the code, the template clause put before the signature."""
        sig, body = split_code(self.code)
        return (f"{self.template_clause} {sig}" if self.template_clause else sig), body


@dataclass
class EmitFunction:
    """One function as it will be written: where from, how sure, and its two halves."""

    key: str  # abstracted qualified name, "<T>TargetLowering::LowerOperation": what templates and fallbacks share
    file_stem: str  # abstracted file stem, "ISelLowering"
    module: str
    signature: str  # concrete, for the new target
    body: str  # "{ ... }", low-confidence statements already commented
    confidence: float
    source: str  # "model" or "fallback:<Target>" (nearest training target, renamed) or "ground-truth"
    order: int = 0  # position in its file (the training implementation's line)
    template: str = ""
    statements: list[StatementConfidence] = field(default_factory=list)
    record_id: str = ""  # corpus record of the target's own function when known (swap mode)
    alternatives: list[Candidate] = field(default_factory=list)  # generate's later candidates, best first
    in_header: bool = False  # defined in a header by the training targets (a ``static inline`` helper is public)
    origin: str = ""  # generate's source of the first candidate ("member:LoongArch", "member:LoongArch-pruned")

    @property
    def name(self) -> str:
        return self.key.replace("<T>", "")

    def low_statements(self, threshold: float) -> list[StatementConfidence]:
        return [s for s in self.statements if s.confidence < threshold]


def split_code(code: str) -> tuple[str, str]:
    """``vega_code`` -> (signature, body): the body starts at the first line that opens with ``{``."""
    lines = code.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("{"):
            return " ".join(" ".join(lines[:i]).split()), "\n".join(lines[i:])
    return " ".join(code.split()), ""


def annotate(body: str, statements: list[StatementConfidence], threshold: float) -> str:
    """Append ``// vega: confidence 0.42`` to each body line whose statement came out below ``threshold``.

    Lines and statements are matched in order on whitespace-normalised text (generate writes one statement head per
    line), so a statement is annotated wherever it appears, once."""
    if not statements:
        return body
    norm = [(" ".join(s.code.split()), s.confidence) for s in statements]
    out, j = [], 0
    for line in body.splitlines():
        key = " ".join(line.split())
        k = j
        while k < len(norm) and norm[k][0] != key:
            k += 1
        if k < len(norm) and key:
            conf = norm[k][1]
            j = k + 1
            if conf < threshold and not key.startswith("#"):
                line = f"{line}  // vega: confidence {conf:.2f}"
        out.append(line)
    return "\n".join(out)


def load_results(path: Path, target: str, spellings: Iterable[str], threshold: float = DEFAULT_THRESHOLD) -> list[EmitFunction]:
    """Generated functions of ``path`` (a ``result.jsonl``), with low-confidence statements annotated.

    Rows whose code is empty (the model dropped every statement: the target does not have the function) are
    skipped; rows of other targets too. A row marked ``overload`` (a group's further overload) is keyed as
    ``fallback_functions`` keys a donor's: ``<T>::getTargetNode#1``, ``#2``, ... after the group's own row."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such results file (run `vega-llvm generate` first)")
    spellings = list(spellings)
    out: list[EmitFunction] = []
    overloads: dict[str, int] = {}
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ConfigError(f"{path}:{n}: not UTF-8 (byte {raw[exc.start]:#04x} at column {exc.start + 1}); "
                                  "result.jsonl is UTF-8 JSON, one function a line") from None
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise ConfigError(f"{path}:{n}: not JSON ({exc})") from exc
            if _get(row, "target") not in (None, target):
                continue
            func = str(_get(row, "func", "")).replace("<T>", target)
            code = named_code((_get(row, "code") or "").replace("<T>", target), func.rpartition("::")[2])
            sig, body = split_code(code)
            if not body.strip() or "(" not in sig:
                continue
            if row.get("template_clause"):  # a function template (generate: ``template_clauses``)
                sig = f"{row['template_clause']} {sig}"
            stmts = [
                StatementConfidence(str(s.get("code", "")).replace("<T>", target), float(s.get("confidence", 1.0)))
                for s in row.get("statements", [])
                if s.get("kept", True)
            ]
            stem = Path(str(_get(row, "file", ""))).stem
            key = abstract_name(func, spellings)
            if row.get("overload"):  # a further overload of the group (generate/overloads.py): numbered as a donor's
                overloads[key] = overloads.get(key, 0) + 1
                key = f"{key}#{overloads[key]}"
            out.append(
                EmitFunction(
                    key=key,
                    file_stem=abstract_name(stem, spellings).replace("<T>", "") or "<T>",
                    module=str(_get(row, "module", "")),
                    signature=sig,
                    body=annotate(body, stmts, threshold),
                    confidence=float(_get(row, "confidence", 0.0) or 0.0),
                    source="model",
                    order=n,
                    template=str(row.get("template", "")),
                    statements=stmts,
                    alternatives=_alternatives(row, code, target),
                    in_header=str(_get(row, "file", "")).endswith(".h"),
                    origin=str(row.get("source", "")),
                )
            )
    return out


def named_as(signature: str, name: str) -> str:
    """``signature`` with its function's name ``name``, the group's (``func`` of the row): the model writes the name
    as tokens like any other, and wrote ``createRISCVAsmBackend`` for RISC-V's ``createRISCVISelDag`` (the pass
    config's call then named nothing, and the name was another group's) and ``RISCVSubtarget`` for a
    ``getSubtargetImpl``. Operators, conversion functions and a name already right are left as they are."""
    if not re.fullmatch(r"~?[A-Za-z_]\w*", name):
        return signature
    try:
        sig = parse_signature(signature)
    except ConfigError:
        return signature
    if sig.name == name or not re.fullmatch(r"~?[A-Za-z_]\w*", sig.name):
        return signature
    at = signature.find("(")
    head = signature[:at].rstrip()
    if not head.endswith(sig.name):
        return signature
    before, current = head[: len(head) - len(sig.name)], sig.name
    if before.rstrip().endswith("~") and not current.startswith("~"):  # a destructor in tokens: ``~ RISCVAsmBackend``
        before, current = before.rstrip()[:-1], "~" + current
    if current == name:
        return signature
    return before + name + signature[len(head):]


def named_code(code: str, name: str) -> str:
    """A candidate's code (line 1 its signature) with the function named ``name`` (``named_as``)."""
    first, nl, rest = code.partition("\n")
    return named_as(first, name) + nl + rest if first and name else code


def _alternatives(row: dict[str, Any], chosen: str, target: str) -> list[Candidate]:
    """A row's ``candidates`` after the chosen code (generate writes it first: ``alternatives[i]`` is then the
    row's candidate ``i + 1``)."""
    cands = [c for c in row.get("candidates") or [] if isinstance(c, dict)]
    name = str(_get(row, "func", "")).replace("<T>", target).rpartition("::")[2]
    codes = [named_code(str(c.get("code") or "").replace("<T>", target), name) for c in cands]
    start = 1 if codes[:1] == [chosen] else 0
    return [Candidate(code, str(c.get("source", "")), float(c.get("confidence") or 0.0),
                      str(c.get("template_clause") or ""))
            for c, code in zip(cands[start:], codes[start:])]
