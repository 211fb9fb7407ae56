"""Whether a candidate function can end without the value it promises.

A candidate whose function returns a value but whose body has no ``return`` (an empty body, or one whose returns
were pruned with the statements naming what the target lacks) compiles: g++ only warns (``-Wreturn-type``). Every
call of it then falls off its end, which is undefined behaviour: XCore's scratch backend with an empty
``getSubtargetImpl`` handed LLVM a garbage subtarget, and ``llc`` crashed far from the function, where nothing
charges it. Such a candidate is as wrong as one that does not compile, and ranks behind every other that parses:
one naming something undeclared at least fails where the build charges it.

Only the certain case is flagged: no ``return`` anywhere in the body and no call of a function that does not
return. A body whose returns miss some paths is left to the build and the tests.
"""

from __future__ import annotations

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
