"""Small IR programs built with llvmlite's ``ir`` module (text only: no llvmlite LLVM in the loop).

Each program exercises one thing a backend must lower: integer arithmetic, loads and stores, branches and loops,
calls, globals. 32-bit integers only, so that every target with a 32-bit register class can take them; no
data layout or triple: ``llc -march`` supplies the target's own.
"""

from __future__ import annotations

from typing import Callable

from llvmlite import ir

I32 = ir.IntType(32)


def _module(name: str) -> ir.Module:
    m = ir.Module(name=name)
    m.triple = ""
    return m


def arith() -> ir.Module:
    m = _module("arith")
    f = ir.Function(m, ir.FunctionType(I32, [I32, I32]), "arith")
    a, b = f.args
    bld = ir.IRBuilder(f.append_basic_block("entry"))
    s = bld.add(a, b)
    d = bld.sub(s, ir.Constant(I32, 7))
    x = bld.xor(d, b)
    o = bld.or_(x, ir.Constant(I32, 0x100))
    n = bld.and_(o, a)
    sh = bld.shl(n, ir.Constant(I32, 3))
    r = bld.lshr(sh, ir.Constant(I32, 1))
    bld.ret(bld.mul(r, a))
    return m


def memory() -> ir.Module:
    m = _module("memory")
    ptr = ir.PointerType(I32)
    f = ir.Function(m, ir.FunctionType(I32, [ptr, I32]), "swap_add")
    p, v = f.args
    bld = ir.IRBuilder(f.append_basic_block("entry"))
    slot = bld.alloca(I32, name="slot")
    old = bld.load(p, name="old")
    bld.store(v, p)
    bld.store(old, slot)
    q = bld.gep(p, [ir.Constant(I32, 1)], name="next")
    nxt = bld.load(q, name="n")
    bld.ret(bld.add(bld.load(slot), nxt))
    return m


def loop() -> ir.Module:
    m = _module("loop")
    f = ir.Function(m, ir.FunctionType(I32, [I32]), "sum_to")
    (n,) = f.args
    entry, head, body, done = (f.append_basic_block(x) for x in ("entry", "head", "body", "done"))
    bld = ir.IRBuilder(entry)
    bld.branch(head)
    bld.position_at_end(head)
    i = bld.phi(I32, "i")
    acc = bld.phi(I32, "acc")
    i.add_incoming(ir.Constant(I32, 0), entry)
    acc.add_incoming(ir.Constant(I32, 0), entry)
    bld.cbranch(bld.icmp_signed("<", i, n), body, done)
    bld.position_at_end(body)
    acc2 = bld.add(acc, i)
    i2 = bld.add(i, ir.Constant(I32, 1))
    i.add_incoming(i2, body)
    acc.add_incoming(acc2, body)
    bld.branch(head)
    bld.position_at_end(done)
    bld.ret(acc)
    return m


def calls() -> ir.Module:
    m = _module("calls")
    callee = ir.Function(m, ir.FunctionType(I32, [I32, I32, I32]), "external_fn")
    f = ir.Function(m, ir.FunctionType(I32, [I32]), "caller")
    (a,) = f.args
    bld = ir.IRBuilder(f.append_basic_block("entry"))
    r1 = bld.call(callee, [a, ir.Constant(I32, 2), ir.Constant(I32, 3)])
    r2 = bld.call(callee, [r1, a, r1])
    bld.ret(bld.add(r1, r2))
    return m


def globals_() -> ir.Module:
    m = _module("globals")
    g = ir.GlobalVariable(m, I32, "counter")
    g.initializer = ir.Constant(I32, 42)
    arr = ir.GlobalVariable(m, ir.ArrayType(I32, 4), "table")
    arr.initializer = ir.Constant(ir.ArrayType(I32, 4), [1, 2, 3, 4])
    f = ir.Function(m, ir.FunctionType(I32, [I32]), "bump")
    (k,) = f.args
    bld = ir.IRBuilder(f.append_basic_block("entry"))
    v = bld.load(g)
    bld.store(bld.add(v, k), g)
    e = bld.gep(arr, [ir.Constant(I32, 0), ir.Constant(I32, 2)])
    return_val = bld.add(bld.load(e), v)
    bld.ret(return_val)
    return m


PROGRAMS: dict[str, Callable[[], ir.Module]] = {
    "arith": arith, "memory": memory, "loop": loop, "calls": calls, "globals": globals_,
}
