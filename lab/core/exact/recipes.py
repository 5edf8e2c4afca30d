"""Summation recipes: how a matrix-product kernel adds up one output element, as an expression tree.

One element of a small product is `c + Σ_k a_k·b_k` (no `c` for products without a bias). A BLAS kernel adds those
terms in an order of its own, sometimes with fused multiply-adds (one rounding for `a·b + s`), sometimes differently
for different positions of the output. A recipe writes that order down as a tree:

    ("t", k)        the product a_k·b_k, rounded to float32
    ("c",)          the bias
    ("+", L, R)     L + R, rounded
    ("fma", k, R)   a_k·b_k + R with one rounding

`evaluate` computes a tree over stacked tensors (every trial at once), so a trial's number is bitwise the kernel's.
`families(K, bias)` lists the recipes BLAS kernels are commonly built from (sequential, FMA chains, several
accumulators); `all_trees` enumerates every tree for a few terms, for kernels that fit no family.
"""

from __future__ import annotations

from itertools import combinations

import torch

INF = float("inf")


def fma32(a: torch.Tensor, b: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """float32 a·b + c with a single rounding, as a hardware FMA computes it.

    a·b is exact in float64 (24 + 24 bits); a·b + c rounded to float64 and then to float32 rounds twice, which differs
    from one rounding only when the float64 sum lands exactly halfway between two float32 numbers while the exact
    sum does not: that case is found from the float64 sum's exact error (TwoSum) and corrected."""
    p, cd = a.double() * b.double(), c.double()
    s = p + cd
    r = s.float()
    back = s - p
    err = (p - (s - back)) + (cd - back)  # exact: p + cd == s + err
    rd = r.double()
    gap = s - rd  # exact
    across = torch.nextafter(r, torch.where(gap > 0, INF, -INF))  # r's neighbour on s's side
    halfway = (gap != 0) & (gap.abs() * 2 == (across.double() - rd).abs())
    return torch.where(halfway & (err * gap > 0), across, r)


class Terms:
    """The terms a_k·b_k of a contraction over axis `dim` of two broadcastable tensors (k runs along `dim`); `b`
    None: the terms are a's own slices (products with 1, which are exact: a sum's terms)."""

    def __init__(self, a: torch.Tensor, b: torch.Tensor | None, dim: int):
        self.a, self.b, self.dim = a, b, dim
        self._products = None

    def __len__(self) -> int:
        return max(self.a.shape[self.dim], 1 if self.b is None else self.b.shape[self.dim])

    def product(self, k: int) -> torch.Tensor:
        """a_k·b_k rounded (all products are computed at once, on first use)."""
        if self._products is None:
            self._products = (self.a if self.b is None else self.a * self.b).unbind(self.dim)
        return self._products[k]

    def pair(self, k: int) -> tuple[torch.Tensor, torch.Tensor]:
        a, b = self.a, self.b
        factors = (a, b if b is not None else torch.ones((1,) * a.dim(), dtype=a.dtype, device=a.device))
        return tuple(t.select(self.dim, k if t.shape[self.dim] > 1 else 0) for t in factors)


def evaluate(tree, terms: Terms, bias=None, memo=None) -> torch.Tensor:
    """The tree's value over `terms`; `memo` shares subtrees between several trees evaluated on the same terms."""
    memo = {} if memo is None else memo
    if tree in memo:
        return memo[tree]
    kind = tree[0]
    if kind == "t":
        value = terms.product(tree[1])
    elif kind == "c":
        value = bias
    elif kind == "+":
        value = evaluate(tree[1], terms, bias, memo) + evaluate(tree[2], terms, bias, memo)
    else:
        rest = evaluate(tree[2], terms, bias, memo)
        a, b, rest = torch.broadcast_tensors(*terms.pair(tree[1]), rest)
        value = fma32(a, b, rest)
    memo[tree] = value
    return value


class Program:
    """Several trees over the same terms as one straight-line program, each shared subtree once: what the engine runs
    every step (walking the trees there would hash them again and again)."""

    def __init__(self, trees):
        self.steps: list[tuple] = []  # (kind, operand, operand): an operand is a term's index or an earlier step's
        slot: dict = {}

        def visit(tree) -> int:
            if tree not in slot:
                kind = tree[0]
                if kind == "+":
                    step = ("+", visit(tree[1]), visit(tree[2]))
                elif kind == "fma":
                    step = ("fma", tree[1], visit(tree[2]))
                else:
                    step = (kind, tree[1] if kind == "t" else None, None)
                slot[tree] = len(self.steps)
                self.steps.append(step)
            return slot[tree]

        self.outputs = [visit(tree) for tree in trees]
        # a sum may be added into an operand's tensor when nothing else reads that operand: a sum computed here
        # ("+="), or a product when the products are a tensor of their own ("+=t"); never the bias, the caller's
        uses = [0] * len(self.steps)
        for kind, x, y in self.steps:
            if kind == "+":
                uses[x] += 1
                uses[y] += 1
            elif kind == "fma":
                uses[y] += 1
        for k in self.outputs:
            uses[k] += 1
        for k, (kind, x, y) in enumerate(self.steps):
            if kind == "+":
                into = next((o for o in (x, y) if uses[o] == 1 and self.steps[o][0] != "c"), None)
                if into is not None:  # float addition is commutative: x + y and y + x round alike
                    self.steps[k] = ("+=t" if self.steps[into][0] == "t" else "+=", into, y if into == x else x)

    def run(self, terms: Terms, bias=None) -> list[torch.Tensor]:
        """Each tree's value over `terms`, as `evaluate` computes it."""
        values: list[torch.Tensor] = []
        for kind, x, y in self.steps:
            if kind == "t":
                values.append(terms.product(x))
            elif kind == "+=" or (kind == "+=t" and terms.b is not None):
                values.append(values[x].add_(values[y]))
            elif kind in ("+", "+=t"):  # "+=t" on terms that are the caller's tensor: a new one
                values.append(values[x] + values[y])
            elif kind == "c":
                values.append(bias)
            else:
                a, b, rest = torch.broadcast_tensors(*terms.pair(x), values[y])
                values.append(fma32(a, b, rest))
        return [values[k] for k in self.outputs]


def uses_fma(tree) -> bool:
    return tree[0] == "fma" or (tree[0] == "+" and (uses_fma(tree[1]) or uses_fma(tree[2])))


# ---- families of recipes -------------------------------------------------------------------------------------------
def _chain(indices, fused, start=None):
    """Terms added one after another onto `start` (or onto the first term), by FMA or by rounded products."""
    acc = start
    for k in indices:
        if acc is None:
            acc = ("t", k)
        else:
            acc = ("fma", k, acc) if fused else ("+", acc, ("t", k))
    return acc


def _combine(parts, tree_shaped):
    """Partial sums added left to right, or pairwise ((p0 + p1) + (p2 + p3)) as vector lanes are reduced."""
    parts = [p for p in parts if p is not None]
    if not tree_shaped:
        acc = parts[0]
        for p in parts[1:]:
            acc = ("+", acc, p)
        return acc
    while len(parts) > 1:
        parts = [("+", parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i] for i in range(0, len(parts), 2)]
    return parts[0]


def families(n_terms: int, bias: bool, fusable: bool = True) -> list:
    """Recipes of the usual shapes, most common first: sequential sums and FMA chains (forwards or backwards, the
    bias added last or first), and L interleaved accumulators (L = 2, 4, 8) over the largest multiple of L terms,
    reduced left to right or pairwise, the remaining terms then added one by one, to the total or to the first
    accumulator (or interleaved over all terms).
    `fusable=False`: sums of plain numbers (no products to fuse)."""
    fusings = (False, True) if fusable else (False,)
    found = []
    for order in (list(range(n_terms)), list(range(n_terms))[::-1]):
        for fused in fusings:
            body = _chain(order, fused)
            found.append(("+", body, ("c",)) if bias else body)
            if bias:
                found.append(_chain(order, fused, start=("c",)))
        for lanes in (2, 4, 8):
            if lanes >= n_terms:
                continue
            for span in sorted({n_terms, n_terms - n_terms % lanes}, reverse=True):
                for fused in fusings:
                    for tree_shaped in (False, True):
                        for tail_fused in fusings if span < n_terms else (False,):
                            parts = [_chain(order[j:span:lanes], fused) for j in range(lanes)]
                            body = _chain(order[span:], tail_fused, start=_combine(parts, tree_shaped))
                            found.append(("+", body, ("c",)) if bias else body)
                            if span < n_terms:  # the remaining terms go to the first accumulator
                                parts[0] = _chain(order[span:], tail_fused, start=parts[0])
                                body = _combine(parts, tree_shaped)
                                found.append(("+", body, ("c",)) if bias else body)
    unique = []
    for tree in found:
        if tree not in unique:
            unique.append(tree)
    return unique


def all_trees(n_terms: int, bias: bool, limit: int = 6, fusable: bool = True) -> list:
    """Every recipe over the terms (and the bias): each way of adding them pairwise in any grouping, with any
    product fused into the sum it is added to. Only for a few terms: their number grows factorially."""
    leaves = frozenset(range(n_terms)) | ({"c"} if bias else set())
    if len(leaves) > limit:
        return []
    cache: dict = {}

    def trees(group):
        if group in cache:
            return cache[group]
        if len(group) == 1:
            (leaf,) = group
            out = [("c",) if leaf == "c" else ("t", leaf)]
        else:
            out = []
            members = sorted(group, key=str)
            first, rest = members[0], members[1:]
            for size in range(0, len(rest)):
                for picked in combinations(rest, size):
                    left = frozenset((first, *picked))
                    right = group - left
                    out.extend(("+", x, y) for x in trees(left) for y in trees(right))
            for k in members if fusable else ():
                if k != "c":
                    out.extend(("fma", k, x) for x in trees(group - {k}))
        cache[group] = out
        return out

    return trees(leaves)
