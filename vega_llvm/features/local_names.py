"""Names a function declares itself (parameters, local variables, structured bindings, lambda parameters).

A placeholder of a template often spans code that differs between targets; the names a target's function declares
there (``RemainingAdj``, ``copy0MBB``) are choices of that function, not properties any description could hold, so
value recall keeps them apart. Read with tree-sitter-cpp from the corpus record of the function.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

_DECLARING = {
    "init_declarator", "parameter_declaration", "optional_parameter_declaration", "variadic_parameter_declaration",
    "declaration", "for_range_loop", "condition_clause", "field_declaration",
}


@lru_cache(maxsize=1)
def _parser():  # type: ignore[no-untyped-def]
    import tree_sitter_cpp
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_cpp.language()))


def _declared(node: Any) -> Iterable[str]:
    """The identifier a declarator introduces (``*p``, ``a[3]``, ``&r``, ``x = 1`` all declare their identifier)."""
    while node is not None:
        if node.type in ("identifier", "field_identifier"):
            yield node.text.decode()
            return
        if node.type == "structured_binding_declarator":
            for c in node.named_children:
                if c.type == "identifier":
                    yield c.text.decode()
            return
        # ``&r`` (reference_declarator) keeps its identifier as an unnamed child.
        nxt = node.child_by_field_name("declarator")
        if nxt is None and node.type == "reference_declarator" and node.named_children:
            nxt = node.named_children[-1]
        node = nxt


def local_names(code: str) -> set[str]:
    tree = _parser().parse(code.encode())
    out: set[str] = set()
    stack = [tree.root_node]
    while stack:
        n = stack.pop()
        if n.type in _DECLARING:
            for c in n.children_by_field_name("declarator"):
                out.update(_declared(c))
        stack.extend(n.children)
    return out


def corpus_path_of(templates_path: Path) -> Path | None:
    """The corpus a templates folder was built from (its ``meta.json``), when it is still there."""
    meta = Path(templates_path) / "meta.json" if Path(templates_path).is_dir() else Path(templates_path).with_name("meta.json")
    if not meta.exists():
        return None
    corpus = json.loads(meta.read_text()).get("corpus")
    return Path(corpus) if corpus and Path(corpus).exists() else None


def locals_by_function(corpus: Path, targets: set[str]) -> dict[str, set[str]]:
    """Function record id -> names it declares, for the functions of ``targets``."""
    out: dict[str, set[str]] = {}
    with open(corpus, encoding="utf-8") as fh:
        for line in fh:
            # Cheap pre-filter on the target field before parsing the whole record.
            head = line[:200]
            if not any(f'"target":"{t}"' in head for t in targets):
                continue
            rec = json.loads(line)
            if rec["target"] in targets:
                out[rec["id"]] = local_names(f"{rec['signature']} {rec['body']}")
    return out
