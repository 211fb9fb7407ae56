"""Turn a template back into code for one target: keep its statements, fill its placeholders, spell ``<T>``."""

from __future__ import annotations

import re
from typing import Mapping

from ..corpus.naming import T
from .schema import Member, Template

_PH = re.compile(r"^<(SV\d+)>$")


def _render(tokens: list[str], values: Mapping[str, str], spelling: str, where: str) -> list[str]:
    out: list[str] = []
    for tok in tokens:
        m = _PH.match(tok)
        if m:
            if m.group(1) not in values:
                from ..errors import TemplateRenderError

                raise TemplateRenderError(f"{where}: no value for placeholder <{m.group(1)}>")
            val = values[m.group(1)]
            if val:
                out.append(val.replace(T, spelling))
        else:
            out.append(tok.replace(T, spelling))
    return out


def instantiate(template: Template, target_values: Member | Mapping, indent: str = "  ") -> str:
    """Code of the template for one target: one line per statement head/close, tokens separated by spaces.

    ``target_values`` is a ``Member`` of the template (a training target's own values) or a mapping with the same
    fields: ``statements`` (ids to keep), ``values`` (placeholder -> text) and ``spelling`` (what ``<T>`` becomes).
    """
    if isinstance(target_values, Member):
        keep, values, spelling = set(target_values.statements), target_values.values, target_values.spelling
    else:
        keep = set(target_values["statements"])
        values = target_values.get("values", {})
        spelling = target_values.get("spelling", "")
    children: dict[int | None, list[int]] = {}
    for s in template.statements:
        children.setdefault(s.parent, []).append(s.id)
    lines: list[str] = []

    def line(tokens: list[str], depth: int, where: str) -> None:
        rendered = _render(tokens, values, spelling, where)
        if rendered:
            lines.append(indent * depth + " ".join(rendered))

    def emit(sid: int) -> None:
        s = template.statements[sid]
        where = f"template {template.id} statement {sid}"
        line(s.tokens, s.depth, where)
        for c in children.get(sid, ()):
            if c in keep:
                emit(c)
        line(s.close, s.depth, where)

    for root in children.get(None, ()):
        if root in keep:
            emit(root)
    return "\n".join(lines)


def normalise(code: str) -> str:
    """Whitespace-normalised code, the form the round trip compares."""
    return " ".join(code.split())
