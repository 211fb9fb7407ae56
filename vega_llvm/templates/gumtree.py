"""GumTree-style matching of two ordered statement trees (Falleri et al., ASE 2014), adapted to templates.

Phases, as in GumTree:

1. **Top-down**: isomorphic subtrees (same kind, same abstracted tokens, same children, by hash) are matched from the
   highest down, when the hash is unique among the still-unmatched nodes of both trees. Ambiguous candidates (many
   ``break;``) are left to phase 3, where their parents decide, as GumTree does with its candidate list.
2. **Bottom-up**: an unmatched container (a node with children) is matched to the unmatched container of the same
   kind in the other tree that shares the most matched descendants, if their dice coefficient is at least
   ``min_dice``.
3. **Recovery**: from the roots down, the children of every matched pair are matched by an order-preserving
   alignment (weighted LCS) that keeps the mappings of phases 1 and 2 as anchors and otherwise pairs nodes of the same
   kind by token similarity (dice of the subtrees' token sets).

Unlike GumTree, the result is restricted to what a template can express: a node is mapped only if its parent is
mapped to the other node's parent, and siblings keep their order (no moves). Phase 3 builds exactly that mapping.
"""

from __future__ import annotations

from collections import defaultdict
from difflib import SequenceMatcher
from typing import Any, Iterator

# Above this many sibling pairs the weighted LCS falls back to exact-label anchors (keeps huge switches cheap).
MAX_DP_CELLS = 160_000


class Node:
    """A node of an ordered labelled tree; ``ref`` points back at what it was built from."""

    __slots__ = ("kind", "label", "children", "parent", "height", "size", "hash", "tokens", "ltokens", "index", "ref")

    def __init__(self, kind: str, label: tuple[str, ...], ref: Any = None):
        self.kind = kind
        self.label = label
        self.children: list[Node] = []
        self.parent: Node | None = None
        self.height = 1
        self.size = 1
        self.hash = 0
        self.tokens: frozenset[str] = frozenset()  # every token of the subtree
        self.ltokens: frozenset[str] = frozenset()  # the node's own tokens
        self.index = 0  # preorder number
        self.ref = ref

    def add(self, child: "Node") -> None:
        child.parent = self
        self.children.append(child)

    def preorder(self) -> Iterator["Node"]:
        stack = [self]
        while stack:
            n = stack.pop()
            yield n
            stack.extend(reversed(n.children))

    def postorder(self) -> Iterator["Node"]:
        for ch in self.children:
            yield from ch.postorder()
        yield self


def finalize(root: Node) -> list[Node]:
    """Compute height, size, hash, token set and preorder index of every node; return the preorder list."""
    order = list(root.preorder())
    for i, n in enumerate(order):
        n.index = i
    for n in reversed(order):  # children before parents
        n.ltokens = frozenset(n.label)
        toks = set(n.ltokens)
        h, s = 1, 1
        for ch in n.children:
            h = max(h, ch.height + 1)
            s += ch.size
            toks |= ch.tokens
        n.height, n.size = h, s
        n.tokens = frozenset(toks)
        n.hash = hash((n.kind, n.label, tuple(ch.hash for ch in n.children)))
    return order


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return 2.0 * len(a & b) / (len(a) + len(b))


# Containers that carry no text of their own ("{ }", "else"): same kind under matched parents is enough to pair them.
STRUCTURAL = frozenset({"compound_statement", "else_clause", "preproc_else"})


def similarity(a: Node, b: Node, floor: float = 0.0) -> float:
    """1 for isomorphic subtrees; else the better of subtree and own-token dice (own tokens count 0.8: a
    ``switch (Kind)`` is the same statement whatever its cases), at least ``floor`` for structural containers."""
    if a.kind != b.kind:
        return 0.0
    if a.hash == b.hash:
        return 1.0
    s = dice(a.tokens, b.tokens)
    if a.children and b.children:
        s = max(s, 0.8 * dice(a.ltokens, b.ltokens))
    if a.kind in STRUCTURAL:
        s = max(s, floor)
    return s * 0.99


class Matcher:
    """Match tree ``a`` against tree ``b``; ``mapping`` (a -> b) is parent-consistent and order-preserving."""

    def __init__(self, min_height: int = 1, min_dice: float = 0.5, min_sim: float = 0.4):
        self.min_height = min_height
        self.min_dice = min_dice
        self.min_sim = min_sim

    def match(self, a: Node, b: Node) -> dict[Node, Node]:
        order_a, order_b = finalize(a), finalize(b)
        m: dict[Node, Node] = {}
        rev: dict[Node, Node] = {}
        self._top_down(order_a, order_b, m, rev)
        self._bottom_up(a, m, rev)
        return self._recover(a, b, m)

    # phase 1
    def _top_down(self, order_a: list[Node], order_b: list[Node], m: dict[Node, Node], rev: dict[Node, Node]) -> None:
        count_a: dict[int, int] = defaultdict(int)
        by_hash_b: dict[int, list[Node]] = defaultdict(list)
        for n in order_a:
            count_a[n.hash] += 1
        for n in order_b:
            by_hash_b[n.hash].append(n)
        for n in sorted(order_a, key=lambda x: (-x.height, x.index)):
            if n.height < self.min_height:
                break
            if n in m:
                continue
            cands = [c for c in by_hash_b.get(n.hash, ()) if c not in rev]
            if len(cands) != 1 or count_a[n.hash] != 1:
                continue
            for x, y in zip(n.preorder(), cands[0].preorder()):
                m[x], rev[y] = y, x

    # phase 2
    def _bottom_up(self, a: Node, m: dict[Node, Node], rev: dict[Node, Node]) -> None:
        for n in a.postorder():
            if n in m or not n.children or n.parent is None:
                continue
            votes: dict[Node, int] = defaultdict(int)
            desc = 0
            for d in n.preorder():
                if d is n:
                    continue
                desc += 1
                t = m.get(d)
                while t is not None:
                    t = t.parent
                    if t is not None and t.kind == n.kind and t not in rev:
                        votes[t] += 1
            best, best_d = None, 0.0
            for c, common in votes.items():
                dsc = 2.0 * common / (desc + c.size - 1)
                if dsc > best_d or (dsc == best_d and best is not None and c.index < best.index):
                    best, best_d = c, dsc
            if best is not None and best_d >= self.min_dice:
                m[n], rev[best] = best, n

    # phase 3
    def _recover(self, a: Node, b: Node, hints: dict[Node, Node]) -> dict[Node, Node]:
        out: dict[Node, Node] = {a: b}
        stack = [(a, b)]
        while stack:
            x, y = stack.pop()
            for cx, cy in self._align_children(x.children, y.children, hints):
                out[cx] = cy
                if cx.children and cy.children:
                    stack.append((cx, cy))
        return out

    def _align_children(self, xs: list[Node], ys: list[Node], hints: dict[Node, Node]) -> list[tuple[Node, Node]]:
        if not xs or not ys:
            return []
        if len(xs) == 1 and len(ys) == 1 and xs[0].kind == ys[0].kind:  # a function's body, a loop's body, ...
            return [(xs[0], ys[0])]
        if len(xs) * len(ys) > MAX_DP_CELLS:
            sm = SequenceMatcher(None, [(n.kind, n.hash) for n in xs], [(n.kind, n.hash) for n in ys], autojunk=False)
            pairs: list[tuple[Node, Node]] = []
            for blk in sm.get_matching_blocks():
                pairs.extend((xs[blk.a + k], ys[blk.b + k]) for k in range(blk.size))
            return pairs
        n, k = len(xs), len(ys)
        score = [[0.0] * (k + 1) for _ in range(n + 1)]
        for i in range(1, n + 1):
            xi = xs[i - 1]
            hint = hints.get(xi)
            row, prev = score[i], score[i - 1]
            for j in range(1, k + 1):
                yj = ys[j - 1]
                best = prev[j] if prev[j] >= row[j - 1] else row[j - 1]
                if hint is yj:
                    s = 3.0
                else:
                    s = similarity(xi, yj, self.min_sim)
                    if s < self.min_sim * 0.99:
                        s = 0.0
                if s > 0.0 and prev[j - 1] + s > best:
                    best = prev[j - 1] + s
                row[j] = best
        pairs = []
        i, j = n, k
        while i > 0 and j > 0:
            if score[i][j] == score[i - 1][j]:
                i -= 1
            elif score[i][j] == score[i][j - 1]:
                j -= 1
            else:
                pairs.append((xs[i - 1], ys[j - 1]))
                i -= 1
                j -= 1
        pairs.reverse()
        return pairs
