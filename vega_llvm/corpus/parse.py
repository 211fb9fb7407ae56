"""tree-sitter-cpp front end: one C++ file in, its function definitions out as statement trees of typed tokens.

Why tokens and not text: the templates stage aligns statements across targets and puts typed placeholders where they
differ; the token type (identifier, number, string, ...) is what gives a placeholder its type, and a token list is what
lets a template be instantiated back into exactly the original code (modulo whitespace and comments).

A statement node is a plain dict (JSON-ready, cheap to pickle between worker processes)::

    {"k": kind,            # tree-sitter node type, e.g. "if_statement", "case_statement", "function_definition"
     "h": [tok, ...],      # head: the tokens before the first child statement ("if ( x )", "case A :", "{")
     "ht": "ipd",          # one type code per head token (see TOKEN_CODES)
     "c": [node, ...],     # child statements, in order (omitted when empty)
     "t": [tok, ...],      # tail: tokens after the last child ("}", "while ( c ) ;") (omitted when empty)
     "tt": "p"}

The root of every function is a ``function_definition`` node whose head is the signature and whose only child is the
body. Comments are dropped; everything else is kept, so joining the tokens of a tree in order gives the function back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import tree_sitter_cpp
from tree_sitter import Language, Node, Parser

# Token type codes, one character each so that a node's types are one short string in the JSONL.
TOKEN_CODES = {
    "i": "identifier",
    "y": "type",
    "n": "namespace",
    "d": "number",
    "s": "string",
    "c": "char",
    "b": "constant",  # true / false / nullptr / this
    "p": "punctuation",  # keywords, operators, brackets
}

_LEAF_CODE = {
    "identifier": "i",
    "field_identifier": "i",
    "statement_identifier": "i",
    "type_identifier": "y",
    "primitive_type": "y",
    "auto": "y",
    "namespace_identifier": "n",
    "number_literal": "d",
    "string_literal": "s",
    "raw_string_literal": "s",
    "system_lib_string": "s",
    "char_literal": "c",
    "true": "b",
    "false": "b",
    "nullptr": "b",
    "this": "b",
}
# Nodes kept whole as one token even though tree-sitter gives them children (a string is one value).
_ATOMIC = {"string_literal", "raw_string_literal", "char_literal", "system_lib_string", "preproc_arg"}

# Statement node types: the units the templates align. Everything else inside a statement is tokens.
STATEMENT_TYPES = frozenset(
    {
        "compound_statement",
        "expression_statement",
        "if_statement",
        "else_clause",
        "for_statement",
        "for_range_loop",
        "while_statement",
        "do_statement",
        "switch_statement",
        "case_statement",
        "return_statement",
        "break_statement",
        "continue_statement",
        "goto_statement",
        "labeled_statement",
        "attributed_statement",
        "declaration",
        "type_definition",
        "alias_declaration",
        "using_declaration",
        "static_assert_declaration",
        "namespace_alias_definition",
        "try_statement",
        "catch_clause",
        "throw_statement",
        "preproc_if",
        "preproc_ifdef",
        "preproc_else",
        "preproc_elif",
        "preproc_elifdef",
        "preproc_call",
        "preproc_def",
        "preproc_function_def",
        "preproc_include",
        "class_specifier",
        "struct_specifier",
        "enum_specifier",
        "function_definition",
        "ERROR",
    }
)
# Loops whose header holds a declaration (``for (int I = 0; ...)``): only their ``body`` field is a child statement.
_BODY_ONLY = {"for_statement", "for_range_loop", "while_statement", "do_statement", "switch_statement"}

_language: Language | None = None


def language() -> Language:
    global _language
    if _language is None:
        _language = Language(tree_sitter_cpp.language())
    return _language


def make_parser() -> Parser:
    return Parser(language())


@dataclass
class ParsedFunction:
    """A function definition as found in the file, before any target-name abstraction."""

    name: str  # qualified as written plus enclosing classes/namespaces, without ``llvm::``
    line: int  # 1-based line of the definition
    signature: str  # source text before the body, whitespace-normalised
    body: str  # source text of the body, as in the file
    tree: dict[str, Any]  # statement tree, root kind "function_definition"
    has_error: bool  # tree-sitter found ERROR/MISSING nodes inside the definition


@dataclass
class ParsedFile:
    functions: list[ParsedFunction] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=list)  # named namespaces declared in the file (``namespace X {``)
    error_lines: list[int] = field(default_factory=list)  # lines of ERROR nodes (capped), for the report
    error_fraction: float = 0.0  # share of the file's bytes inside top-level ERROR nodes (1.0: nothing parsed)


def _tokens(node: Node, src: bytes, toks: list[str], codes: list[str]) -> None:
    """Flatten ``node`` into tokens (comments dropped, strings and chars whole)."""
    t = node.type
    if t == "comment":
        return
    if node.child_count == 0 or t in _ATOMIC:
        text = src[node.start_byte : node.end_byte].decode("utf-8", "replace").strip()
        if text:
            toks.append(text)
            codes.append(_LEAF_CODE.get(t, "p"))
        return
    for ch in node.children:
        _tokens(ch, src, toks, codes)


def _is_child_statement(parent: Node, child: Node, field_name: str | None) -> bool:
    if child.type not in STATEMENT_TYPES:
        return False
    if parent.type in _BODY_ONLY:
        return field_name == "body"
    if parent.type in ("class_specifier", "struct_specifier", "enum_specifier", "declaration"):
        return False
    return True


def statement_tree(node: Node, src: bytes, kind: str | None = None) -> dict[str, Any]:
    """Build the statement tree of ``node`` (a statement, or a function definition with ``kind`` given)."""
    out: dict[str, Any] = {"k": kind or node.type}
    head: list[str] = []
    hcodes: list[str] = []
    children: list[dict[str, Any]] = []
    tail: list[str] = []
    tcodes: list[str] = []
    cursor_children = node.children
    for i, ch in enumerate(cursor_children):
        if ch.type == "comment":
            continue
        fname = node.field_name_for_child(i)
        if (kind == "function_definition" and fname == "body") or (
            kind != "function_definition" and _is_child_statement(node, ch, fname)
        ):
            if tail:  # tokens between two child statements (rare, e.g. do ... while): keep them as a token node
                children.append({"k": "tokens", "h": tail, "ht": "".join(tcodes)})
                tail, tcodes = [], []
            children.append(statement_tree(ch, src))
        elif children:
            _tokens(ch, src, tail, tcodes)
        else:
            _tokens(ch, src, head, hcodes)
    if head:
        out["h"] = head
        out["ht"] = "".join(hcodes)
    if children:
        out["c"] = children
    if tail:
        out["t"] = tail
        out["tt"] = "".join(tcodes)
    return out


def tree_tokens(tree: dict[str, Any]) -> list[str]:
    """All tokens of a statement tree in source order (the normal form used by the round-trip check)."""
    out: list[str] = list(tree.get("h", ()))
    for ch in tree.get("c", ()):
        out.extend(tree_tokens(ch))
    out.extend(tree.get("t", ()))
    return out


def _declared_name(decl: Node | None, src: bytes) -> str | None:
    """The name inside a (possibly pointer/reference-wrapped) function declarator."""
    while decl is not None and decl.type != "function_declarator":
        nxt = decl.child_by_field_name("declarator")
        if nxt is None:  # reference_declarator has no field name for its inner declarator
            nxt = next((c for c in decl.named_children if "declarator" in c.type), None)
        decl = nxt
    if decl is None:
        return None
    name = decl.child_by_field_name("declarator")
    if name is None:
        return None
    return "".join(src[name.start_byte : name.end_byte].decode("utf-8", "replace").split())


def _strip_llvm(name: str) -> str:
    while name.startswith("::"):
        name = name[2:]
    while name.startswith("llvm::"):
        name = name[len("llvm::") :]
    return name


def _has_error(node: Node) -> bool:
    return node.has_error


def _error_bytes(node: Node) -> int:
    """Bytes inside outermost ERROR nodes (only subtrees that have an error are visited)."""
    if node.type == "ERROR":
        return node.end_byte - node.start_byte
    return sum(_error_bytes(c) for c in node.children if c.has_error)


def parse_source(src: bytes, parser: Parser | None = None, max_error_lines: int = 20) -> ParsedFile:
    """Parse one C++ source text; collect every function definition with a body (in classes and namespaces too).

    tree-sitter's error recovery can make a definition end somewhere else than the ``}`` that closes its body: after a
    construct it cannot parse (a declaration as a ``for`` condition, ``#define``/``#include`` inside a braced
    initializer, ``unsigned(x) < y`` read as a template) it may run on over the following definitions, or stop early
    and leave the rest of the body at top level. Such a definition is *confused*: the brace tokens, counted from the
    ``{`` of its body, close somewhere else than its body node ends. Each confused definition is parsed again alone
    (the rest of the file blanked, so offsets and lines stay), and the file again with it blanked, which gives back
    the definitions it swallowed; repeated while definitions are confused, ``MAX_REPAIR_ROUNDS`` at most (see
    ``_repair``). Files without a confused definition are parsed once, as before.
    """
    parser = parser or make_parser()
    tree = parser.parse(src)
    result = ParsedFile()
    namespaces: set[str] = set()
    found = _definitions(tree.root_node, src, [], namespaces, result.error_lines, max_error_lines)
    if any(_confused_end(fn) is not None for fn, _ in found):
        result.functions = _repair(src, parser, found)
    else:
        result.functions = [_function(fn, scope, src) for fn, scope in found]
    root = tree.root_node
    if root.has_error:
        if not result.error_lines:
            result.error_lines.append(0)
        result.error_fraction = _error_bytes(root) / max(1, len(src.strip()))
    result.namespaces = sorted(namespaces)
    return result


# Rounds of re-parsing a file with confused definitions blanked (each round takes out at least one).
MAX_REPAIR_ROUNDS = 8

_VISITED = frozenset(
    {
        "template_declaration",
        "linkage_specification",
        "declaration_list",
        "field_declaration_list",
        "preproc_if",
        "preproc_ifdef",
        "preproc_else",
        "preproc_elif",
        "declaration",
        "field_declaration",
        "access_specifier",
    }
)


def _definitions(
    root: Node, src: bytes, scope: list[str], namespaces: set[str], error_lines: list[int] | None, max_error_lines: int
) -> list[tuple[Node, list[str]]]:
    """Function definitions with a body under ``root`` (in namespaces, classes, templates, ERROR nodes), each with its
    enclosing named scopes; ``error_lines`` gets the lines of ERROR nodes and of definitions with errors."""
    out: list[tuple[Node, list[str]]] = []

    def note(line: int) -> None:
        if error_lines is not None and len(error_lines) < max_error_lines:
            error_lines.append(line)

    def visit(node: Node, scope: list[str]) -> None:
        for ch in node.children:
            t = ch.type
            if t == "function_definition":
                if ch.child_by_field_name("body") is None:  # "= default" / "= delete": nothing to learn
                    continue
                if _declared_name(ch.child_by_field_name("declarator"), src):
                    if ch.has_error:
                        note(ch.start_point[0] + 1)
                    out.append((ch, scope))
            elif t == "namespace_definition":
                nm = ch.child_by_field_name("name")
                name = src[nm.start_byte : nm.end_byte].decode("utf-8", "replace") if nm is not None else ""
                for part in name.split("::"):
                    if part:
                        namespaces.add(part)
                inner = scope + ([name] if name and name != "llvm" else [])
                body = ch.child_by_field_name("body")
                if body is not None:
                    visit(body, inner)
            elif t in ("class_specifier", "struct_specifier", "union_specifier"):
                nm = ch.child_by_field_name("name")
                body = ch.child_by_field_name("body")
                if body is not None:
                    name = src[nm.start_byte : nm.end_byte].decode("utf-8", "replace") if nm is not None else ""
                    visit(body, scope + ([name] if name else []))
            elif t == "ERROR":
                note(ch.start_point[0] + 1)
                visit(ch, scope)
            elif t in _VISITED:
                visit(ch, scope)

    visit(root, scope)
    return out


def _function(fn: Node, scope: list[str], src: bytes, end: int | None = None) -> ParsedFunction:
    """The record of definition ``fn``; ``end``: where its body really ends when tree-sitter closed it early (a
    MISSING ``}``) and left the rest of it at top level, up to the real ``}``: those nodes are taken into the body."""
    body = fn.child_by_field_name("body")
    assert body is not None
    name = _strip_llvm(_declared_name(fn.child_by_field_name("declarator"), src) or "")
    tree = statement_tree(fn, src, kind="function_definition")
    if end is not None and end > body.end_byte:
        block = tree["c"][-1]
        rest = block.setdefault("c", [])
        if "t" in block:  # tokens closing the body too early stay in place, as a token node
            rest.append({"k": "tokens", "h": block.pop("t"), "ht": block.pop("tt")})
        for node in _following(fn, end):
            if node.type in STATEMENT_TYPES:
                rest.append(statement_tree(node, src))
            elif node.type != "comment":
                toks: list[str] = []
                codes: list[str] = []
                _tokens(node, src, toks, codes)
                if toks:
                    rest.append({"k": "tokens", "h": toks, "ht": "".join(codes)})
    return ParsedFunction(
        name="::".join(scope + [name]) if scope else name,
        line=fn.start_point[0] + 1,
        signature=" ".join(src[fn.start_byte : body.start_byte].decode("utf-8", "replace").split()),
        body=src[body.start_byte : end if end is not None else body.end_byte].decode("utf-8", "replace"),
        tree=tree,
        has_error=_has_error(fn),
    )


def _following(node: Node, end: int) -> list[Node]:
    """The nodes after ``node`` that start before byte ``end``: its next siblings, then its parents' next siblings."""
    out: list[Node] = []
    while node.parent is not None:
        sib = node.next_sibling
        while sib is not None and sib.start_byte < end:
            out.append(sib)
            sib = sib.next_sibling
        node = node.parent
    return out


def _leaves_from(node: Node, start: int) -> Iterator[Node]:
    """The tokens of ``node`` (leaves, MISSING ones left out) that start at or after byte ``start``, in order."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.end_byte <= start:
            continue
        if n.child_count == 0:
            if n.start_byte >= start and not n.is_missing:
                yield n
        else:
            stack.extend(reversed(n.children))


def _confused_end(fn: Node) -> int | None:
    """Where the body of a definition with parse errors really ends (the byte after the ``}`` that closes its ``{``,
    counting brace tokens over the whole file) when that is not where its body node ends; else None (also when the
    braces never close: nothing better is known then)."""
    if not fn.has_error:
        return None
    body = fn.child_by_field_name("body")
    if body is None or body.type != "compound_statement":
        return None
    root = fn
    while root.parent is not None:
        root = root.parent
    depth = 0
    for leaf in _leaves_from(root, body.start_byte):
        if leaf.type == "{":
            depth += 1
        elif leaf.type == "}":
            depth -= 1
            if depth == 0:
                return None if leaf.end_byte == body.end_byte else leaf.end_byte
    return None


def _blank(src: bytes, spans: list[tuple[int, int]], keep: bool = False) -> bytes:
    """``src`` with every byte but newlines inside ``spans`` (outside them with ``keep``) made a space: what is left
    parses alone, at the same offsets and lines."""
    out = bytearray(src)
    if keep:
        spans = [(a, b) for a, b in zip([0] + [e for _, e in spans], [s for s, _ in spans] + [len(src)]) if a < b]
    for a, b in spans:
        out[a:b] = src[a:b].translate(_SPACES)
    return bytes(out)


_SPACES = bytes(10 if c == 10 else 32 for c in range(256))  # bytes.translate table: newline stays, all else a space


def _repair(src: bytes, parser: Parser, found: list[tuple[Node, list[str]]]) -> list[ParsedFunction]:
    """The definitions of a file some of which are confused (see ``parse_source``), in source order: each confused one
    from a parse of its own text, the others from a parse of the file with the confused ones blanked."""
    text = src
    repaired: list[tuple[int, ParsedFunction]] = []
    blanked: list[tuple[int, int]] = []
    for _ in range(MAX_REPAIR_ROUNDS):
        confused = [(fn, scope, end) for fn, scope in found if (end := _confused_end(fn)) is not None]
        if not confused:
            break
        for fn, scope, end in sorted(confused, key=lambda c: c[0].start_byte):
            if any(a <= fn.start_byte < b for a, b in blanked):
                continue  # inside the real body of one repaired before it: that one has its text
            span = (fn.start_byte, end)
            alone_src = _blank(src, [span], keep=True)
            # Alone, its body ends at its "}" (what ran past is gone), or ends early again: the construct that
            # confused tree-sitter is inside it; then what follows, up to the "}", is taken into its body.
            alone = [
                g
                for g, _ in _definitions(parser.parse(alone_src).root_node, alone_src, [], set(), None, 0)
                if g.start_byte == fn.start_byte and (_confused_end(g) or g.end_byte) == end
            ]
            if alone:
                repaired.append((fn.start_byte, _function(alone[0], scope, alone_src, end)))
            # else: its text alone is no definition; it is left out rather than kept running over others
            blanked.append(span)
        text = _blank(src, sorted(blanked))
        found = _definitions(parser.parse(text).root_node, text, [], set(), None, 0)
    kept = [(fn.start_byte, _function(fn, scope, text)) for fn, scope in found if _confused_end(fn) is None]
    return [f for _, f in sorted(repaired + kept, key=lambda x: x[0])]
