"""Template dataclasses and their JSONL form (the schema is documented in ``vega_llvm.templates``)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

TARGET_INDEPENDENT = "target-independent"
TARGET_SPECIFIC = "target-specific"


@dataclass
class Placeholder:
    name: str  # "SV3": appears as "<SV3>" in statement tokens
    type: str  # see PLACEHOLDER_TYPES in align.py


@dataclass
class Statement:
    id: int  # index in Template.statements (preorder)
    parent: int | None  # enclosing statement, None for the function itself
    depth: int
    kind: str  # tree-sitter node type: if_statement, case_statement, return_statement, ...
    tokens: list[str]  # head tokens, "<T>" for the target spelling and "<SVn>" for placeholders
    close: list[str]  # tail tokens after the children ("}" of a block), same conventions
    label: str  # TARGET_INDEPENDENT or TARGET_SPECIFIC
    placeholders: list[Placeholder] = field(default_factory=list)
    presence: int = 0  # number of members that have this statement

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    @property
    def target_specific(self) -> bool:
        return self.label == TARGET_SPECIFIC


@dataclass
class Member:
    """One training implementation of the group: which statements it has and what fills the placeholders."""

    member: str  # the target, with "#2", "#3" for further implementations in the same target (SI and R600)
    target: str
    function: str  # corpus record id
    spelling: str  # what "<T>" stands for in this implementation (PPC for PowerPC)
    statements: list[int]  # ids of the statements this implementation has, in order
    values: dict[str, str]  # placeholder name -> tokens joined by one space ("" where the span is empty)


@dataclass
class Template:
    id: str
    file: str
    qname: str
    module: str
    targets: list[str]  # distinct training targets, sorted
    statements: list[Statement]
    members: list[Member]

    def member(self, name: str) -> Member:
        for m in self.members:
            if m.member == name:
                return m
        raise KeyError(f"{name} is not a member of template {self.id} ({self.qname}); members: {[m.member for m in self.members]}")

    def to_json(self) -> str:
        d = asdict(self)
        for s, sd in zip(self.statements, d["statements"]):
            sd["text"] = s.text
        return json.dumps(d, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Template":
        stmts = []
        for s in d["statements"]:
            s = dict(s)
            s.pop("text", None)
            s["placeholders"] = [Placeholder(**p) for p in s.get("placeholders", [])]
            stmts.append(Statement(**s))
        return cls(
            id=d["id"],
            file=d["file"],
            qname=d["qname"],
            module=d["module"],
            targets=list(d["targets"]),
            statements=stmts,
            members=[Member(**m) for m in d["members"]],
        )


def load_templates(path: str | Path) -> list[Template]:
    """Read ``templates.jsonl`` (or a templates directory holding it)."""
    path = Path(path)
    if path.is_dir():
        path = path / "templates.jsonl"
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.append(Template.from_dict(json.loads(line)))
    return out


def dump_templates(templates: Iterable[Template]) -> Iterable[str]:
    return (t.to_json() for t in templates)
