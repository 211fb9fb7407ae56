"""The declarations of a target's own headers: what its author writes before any function body, besides TableGen.

The ``.td`` does not name the C++ API a backend is built around: its ``<T>ISD`` node kinds, condition codes, MCExpr
variant kinds, TSFlags and operand-type enums, namespace-scope constants, and the classes, methods and data members
its functions call. Those are *declared* in the target's headers, and a new target's author writes the headers first,
so they are description (../shared/DESIGN.md "Description of a target"). A function body never is, whether in a
``.cpp`` or inline in a header: this module walks only namespace, class, enum, template and preprocessor-block scopes
and never descends into a function's body or a variable's initialiser, so a token that occurs only inside bodies
cannot come out (tests/test_describe.py checks it on a real target's headers).

Names are qualified as code writes them, from the enclosing namespaces (``llvm`` and anonymous ones left out),
classes and scoped enums (``XCoreISD::LADD``, ``RISCVCC::COND_EQ``, ``XCoreFunctionInfo::getVarArgsFrameIndex``);
the value index reads the last component too, so ``LADD`` and ``getVarArgsFrameIndex`` match as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..errors import ConfigError
from .cxx_inputs import _parser

# Value kinds of a property table that come from declarations (``values["decl.<what>"]``).
KINDS = ("decl.enumerator", "decl.enum", "decl.constant", "decl.function", "decl.method", "decl.class", "decl.field")

_SCOPES = {"namespace_definition", "class_specifier", "struct_specifier", "union_specifier"}
_TRANSPARENT = {
    "translation_unit", "declaration_list", "field_declaration_list", "template_declaration", "linkage_specification",
    "preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef",
}
_NAME_LEAVES = {"identifier", "field_identifier", "type_identifier", "operator_name", "destructor_name",
                "qualified_identifier", "template_function", "namespace_identifier"}


@dataclass(frozen=True)
class Declaration:
    name: str  # qualified as code writes it
    kind: str  # one of KINDS
    file: str  # path relative to the folder the headers were found in
    signature: str = ""  # functions and methods: the declaration's text without its body; enumerators: "= value"


def find_headers(td_dir: Path) -> list[Path]:
    """Every ``*.h`` in the folder of the target's ``.td`` and its direct subfolders (LLVM's layout puts a target's
    headers there: ``MCTargetDesc/``, ``Utils/``, ...). Not deeper: a user's ``.td`` may sit in a large folder.
    Generated ``.inc`` files are not read."""
    td_dir = Path(td_dir)
    found = [*td_dir.glob("*.h"), *td_dir.glob("*/*.h")]
    return sorted(p.resolve() for p in found if p.is_file() and not any(part.startswith(".") for part in p.parts[-2:]))


def parse_declarations(path: Path, root: Path | None = None) -> list[Declaration]:
    """The declarations of one header, in source order."""
    try:
        src = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read header ({exc.strerror})") from exc
    rel = str(Path(path).relative_to(root)) if root is not None else Path(path).name
    tree = _parser().parse(_blank_export_macros(src))
    return list(dict.fromkeys(_walk(tree.root_node, [], False, src, rel)))


# ``class LLVM_LIBRARY_VISIBILITY Foo {``: an all-capitals export/visibility macro between the class key and the name
# makes tree-sitter read the macro as the class name. It is blanked with spaces (byte offsets unchanged).
_EXPORT_MACRO = re.compile(rb"\b(class|struct)(\s+)([A-Z][A-Z0-9_]*[A-Z0-9])(?=\s+[A-Za-z_])")


def _blank_export_macros(src: bytes) -> bytes:
    return _EXPORT_MACRO.sub(lambda m: m.group(1) + m.group(2) + b" " * len(m.group(3)), src)


def _text(node: Any) -> str:
    return node.text.decode(errors="replace") if node is not None and node.text is not None else ""


def _qualify(scope: list[str], name: str) -> str:
    return "::".join([*scope, name])


def _walk(node: Any, scope: list[str], in_class: bool, src: bytes, rel: str) -> Iterator[Declaration]:
    for child in node.named_children:
        t = child.type
        if t in _TRANSPARENT:
            yield from _walk(child, scope, in_class, src, rel)
        elif t == "namespace_definition":
            name = _text(child.child_by_field_name("name"))
            inner = scope if name in ("", "llvm") else [*scope, *name.split("::")]
            body = child.child_by_field_name("body")
            if body is not None:
                yield from _walk(body, inner, False, src, rel)
        elif t in ("class_specifier", "struct_specifier", "union_specifier"):
            yield from _class(child, scope, src, rel)
        elif t == "enum_specifier":
            yield from _enum(child, scope, rel)
        elif t in ("declaration", "field_declaration"):
            yield from _declaration(child, scope, in_class, src, rel)
        elif t == "function_definition":
            yield from _function(child, scope, in_class, src, rel)
        elif t in ("type_definition", "alias_declaration"):
            for sub in child.named_children:
                if sub.type in ("enum_specifier",):
                    yield from _enum(sub, scope, rel)
                elif sub.type in ("class_specifier", "struct_specifier"):
                    yield from _class(sub, scope, src, rel)
            name = child.child_by_field_name("name") if t == "alias_declaration" else child.child_by_field_name("declarator")
            if name is not None and name.type == "type_identifier":
                yield Declaration(_qualify(scope, _text(name)), "decl.class", rel)


def _class(node: Any, scope: list[str], src: bytes, rel: str) -> Iterator[Declaration]:
    name = _text(node.child_by_field_name("name"))
    body = node.child_by_field_name("body")
    if not name:
        if body is not None:  # an anonymous struct's members are reached through the enclosing scope
            yield from _walk(body, scope, True, src, rel)
        return
    if body is None:  # ``class MCInst;``: a forward declaration of someone else's class
        return
    name = name.split("<")[0]
    yield Declaration(_qualify(scope, name), "decl.class", rel)
    yield from _walk(body, [*scope, name], True, src, rel)


def _enum(node: Any, scope: list[str], rel: str) -> Iterator[Declaration]:
    name = _text(node.child_by_field_name("name"))
    scoped = any(c.type in ("class", "struct") for c in node.children)
    if name:
        yield Declaration(_qualify(scope, name), "decl.enum", rel)
    inner = [*scope, name] if scoped and name else scope
    body = node.child_by_field_name("body")
    for child in body.named_children if body is not None else []:
        if child.type == "enumerator":
            ident = _text(child.child_by_field_name("name"))
            value = _text(child.child_by_field_name("value"))
            if ident:  # the initialiser is declaration too (``TSFlagsShift = 5``), kept as its "signature"
                yield Declaration(_qualify(inner, ident), "decl.enumerator", rel, f"= {' '.join(value.split())}" if value else "")


def _declarator_name(node: Any) -> tuple[str, bool]:
    """The declared name under a declarator, and whether it declares a function."""
    is_function = False
    while node is not None and node.type not in _NAME_LEAVES:
        if node.type == "function_declarator":
            is_function = True
        nxt = node.child_by_field_name("declarator")
        if nxt is None:
            nxt = next((c for c in node.named_children if c.type in _NAME_LEAVES or "declarator" in c.type), None)
        node = nxt
    return (_text(node), is_function) if node is not None else ("", is_function)


def _is_const(node: Any) -> bool:
    return any(c.type == "type_qualifier" and _text(c) in ("const", "constexpr") for c in node.children) or any(
        c.type == "storage_class_specifier" and _text(c) == "constexpr" for c in node.children
    )


def _declaration(node: Any, scope: list[str], in_class: bool, src: bytes, rel: str) -> Iterator[Declaration]:
    type_node = node.child_by_field_name("type")
    if type_node is not None and type_node.type == "enum_specifier":
        yield from _enum(type_node, scope, rel)
    elif type_node is not None and type_node.type in ("class_specifier", "struct_specifier") and \
            type_node.child_by_field_name("body") is not None:
        yield from _class(type_node, scope, src, rel)
    for decl in node.children_by_field_name("declarator"):
        name, is_function = _declarator_name(decl)
        if not name or name.startswith("~") or name.startswith("operator"):
            continue
        name = name.split("<")[0]
        if is_function:
            kind = "decl.method" if in_class else "decl.function"
            sig = src[node.start_byte:node.end_byte].decode(errors="replace")
            yield Declaration(_qualify(scope, name), kind, rel, " ".join(sig.split()))
        else:
            # a data member unless const; at namespace scope every variable (``extern Target TheXCoreTarget``) is a
            # declared name of the same role as a constant
            kind = "decl.field" if in_class and not _is_const(node) else "decl.constant"
            yield Declaration(_qualify(scope, name), kind, rel)


def _function(node: Any, scope: list[str], in_class: bool, src: bytes, rel: str) -> Iterator[Declaration]:
    """An inline definition: its name and signature, never its body (nor a constructor's initialiser list)."""
    decl = node.child_by_field_name("declarator")
    name, _ = _declarator_name(decl)
    if not name or name.startswith("~") or name.startswith("operator"):
        return
    if "::" in name:  # an out-of-class definition of a member declared elsewhere: declared there
        return
    name = name.split("<")[0]
    if in_class and scope and name == scope[-1]:
        return  # a constructor: the class name is already declared
    body = node.child_by_field_name("body")
    end = body.start_byte if body is not None else node.end_byte
    head = src[node.start_byte:end].decode(errors="replace")
    head = head.split(") :", 1)[0] + ")" if ") :" in head else head
    yield Declaration(_qualify(scope, name), "decl.method" if in_class else "decl.function", rel, " ".join(head.split()))


def declarations_of(headers: list[Path], root: Path) -> list[Declaration]:
    """Every declaration of the given headers (paths recorded relative to ``root`` when under it)."""
    out: list[Declaration] = []
    for h in headers:
        try:
            base = root if Path(h).resolve().is_relative_to(Path(root).resolve()) else None
        except (OSError, ValueError):
            base = None
        out.extend(parse_declarations(Path(h).resolve() if base else Path(h), Path(root).resolve() if base else None))
    return out


def values_by_kind(decls: list[Declaration]) -> dict[str, list[str]]:
    """``values["decl.<what>"]``: sorted distinct names per kind (every kind present, possibly empty)."""
    out: dict[str, set[str]] = {k: set() for k in KINDS}
    for d in decls:
        out[d.kind].add(d.name)
    return {k: sorted(v) for k, v in out.items()}
