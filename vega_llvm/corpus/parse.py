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
    """Parse one C++ source text; collect every function definition with a body (in classes and namespaces too)."""
    parser = parser or make_parser()
    tree = parser.parse(src)
    result = ParsedFile()
    namespaces: set[str] = set()

    def visit(node: Node, scope: list[str]) -> None:
        for ch in node.children:
            t = ch.type
            if t == "function_definition":
                _add_function(ch, scope)
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
                if len(result.error_lines) < max_error_lines:
                    result.error_lines.append(ch.start_point[0] + 1)
                visit(ch, scope)
            elif t in (
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
            ):
                visit(ch, scope)

    def _add_function(fn: Node, scope: list[str]) -> None:
        body = fn.child_by_field_name("body")
        if body is None:  # "= default" / "= delete": nothing to learn
            return
        name = _declared_name(fn.child_by_field_name("declarator"), src)
        if not name:
            return
        name = _strip_llvm(name)
        qual = "::".join(scope + [name]) if scope else name
        sig = " ".join(src[fn.start_byte : body.start_byte].decode("utf-8", "replace").split())
        has_err = _has_error(fn)
        if has_err and len(result.error_lines) < max_error_lines:
            result.error_lines.append(fn.start_point[0] + 1)
        result.functions.append(
            ParsedFunction(
                name=qual,
                line=fn.start_point[0] + 1,
                signature=sig,
                body=src[body.start_byte : body.end_byte].decode("utf-8", "replace"),
                tree=statement_tree(fn, src, kind="function_definition"),
                has_error=has_err,
            )
        )

    visit(tree.root_node, [])
    root = tree.root_node
    if root.has_error:
        if not result.error_lines:
            result.error_lines.append(0)
        result.error_fraction = _error_bytes(root) / max(1, len(src.strip()))
    result.namespaces = sorted(namespaces)
    return result
