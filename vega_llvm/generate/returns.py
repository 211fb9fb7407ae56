"""Whether a candidate function can end without the value it promises.

A candidate whose function returns a value but whose body has no ``return`` (an empty body, or one whose returns
were pruned with the statements naming what the target lacks) compiles: g++ only warns (``-Wreturn-type``). Every
call of it then falls off its end, which is undefined behaviour: XCore's scratch backend with an empty
``getSubtargetImpl`` handed LLVM a garbage subtarget, and ``llc`` crashed far from the function, where nothing
charges it. Such a candidate is as wrong as one that does not compile, and ranks behind every other that parses:
one naming something undeclared at least fails where the build charges it.

Only the certain case is flagged: no ``return`` anywhere in the body and no call of a function that does not
return. A body whose returns miss some paths is left to the build and the tests.

A hook that returns a value type is checked for the type it returns too (``illegal_returned_types``): a scalar
type none of the target's registers holds makes the legalizer loop, which no build and no crash charges either.
"""

from __future__ import annotations

import re
from typing import Any

# C's and LLVM's functions (and macros) that do not return: a body ending in one of them has no value to give
_NORETURN = frozenset({"llvm_unreachable", "report_fatal_error", "abort", "exit", "_Exit", "__builtin_unreachable",
                       "__builtin_trap"})
# declarators that make the declared type into another one: ``void *f()`` returns a value
_INDIRECT = ("pointer_declarator", "reference_declarator")


def falls_off(code: str) -> bool:
    """True when ``code`` defines a function that returns a value (its type is not ``void``; not a constructor,
    destructor or conversion) and its body neither returns nor calls a function that does not return."""
    from .visible import syntax_tree

    fn = _function(syntax_tree(code))
    if fn is None or not _returns_value(fn):
        return False
    body = fn.child_by_field_name("body")
    if body is None:
        return False
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type in ("return_statement", "co_return_statement", "throw_expression"):
            return False
        if node.type == "call_expression":
            callee = node.child_by_field_name("function")
            name = (callee.text.decode("utf-8", "replace") if callee is not None else "").rpartition("::")[2]
            if name.strip() in _NORETURN:
                return False
        stack.extend(node.children)
    return True


def _function(node: Any) -> Any:
    """The first function definition in ``node``'s tree (inside ``extern "C"`` or a template too)."""
    stack = [node]
    while stack:
        n = stack.pop(0)
        if n.type == "function_definition":
            return n
        stack.extend(n.children)
    return None


def _returns_value(fn: Any) -> bool:
    """Whether the definition's declared type is a value: a type other than ``void``, or ``void`` made a pointer or
    reference by its declarator. A macro before ``void`` (``LLVM_EXTERNAL_VISIBILITY void f()``) puts ``void`` in
    an ERROR node beside the macro taken as the type: that is ``void`` too."""
    typ = fn.child_by_field_name("type")
    if typ is None:  # constructors, destructors, conversion operators
        return False
    declarator = fn.child_by_field_name("declarator")
    if declarator is not None and declarator.type in _INDIRECT:
        return True
    words = [typ.text.decode("utf-8", "replace")]
    words += [c.text.decode("utf-8", "replace") for c in fn.children if c.type == "ERROR"]
    return not any(w.split()[-1:] == ["void"] for w in words)


# a scalar value type's name, as ``MVT::`` spells it
_SCALAR = re.compile(r"(?:i|f)\d+|bf16")
# a value type returned as it stands: after ``return`` or as either arm of a conditional (not ``VT == MVT::i32``)
_RETURNED_TYPE = re.compile(r"(?:\breturn|\?|(?<!:):(?!:))\s*\(?\s*MVT\s*::\s*(\w+)")
_TYPE_HOOK = re.compile(r"\s*(?:(?:static|inline|virtual|constexpr)\s+)*(?:llvm\s*::\s*)?[ME]VT\b")


def legal_types(table: Any) -> frozenset[str] | None:
    """The value types the target's registers hold (its register classes' types, ``describe`` ``details``), or
    None where a class's type is one the description names but does not spell (a type by hardware mode:
    RISC-V's ``XLenVT``), so that which types are legal cannot be told."""
    classes = (getattr(table, "details", None) or {}).get("register_classes") or []
    types = {str(t) for rc in classes for t in rc.get("types") or []}
    if not types or any(not re.fullmatch(r"[a-z][a-z0-9]*", t) for t in types):
        return None
    return frozenset(types)


def illegal_returned_types(code: str, legal: frozenset[str] | None) -> list[str]:
    """The scalar value types a function returning a value type (``MVT``/``EVT``) returns that no register of the
    target holds, as ``MVT::i1/illegal``. Such hooks tell the legalizer which type to make a value
    (``getSetCCResultType``, ``getScalarShiftAmountTy``): an illegal one is legalized into a node that asks the same
    hook again, and ``llc`` never ends (XCore, whose only registers hold ``i32``, with Hexagon's ``return MVT::i1``
    for a comparison: six lit tests ran out of time in the type legalizer)."""
    if legal is None or not _TYPE_HOOK.match(code.partition("\n")[0]):
        return []
    body = code[code.find("{"):] if "{" in code else ""
    return sorted({f"MVT::{t}/illegal" for t in _RETURNED_TYPE.findall(body) if _SCALAR.fullmatch(t) and t not in legal})
