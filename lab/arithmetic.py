"""The plain program's arithmetic for one network shape on this machine: which recipe each product uses at each
position and which activation elements take the vectorised path, for a given number of rows (the minibatch, the
4 truth-table rows). Built from lab.kernels' probes; `exact` says whether every part was matched.

Layers wider than `SMALL` are not followed: the plain program's products there go through BLAS kernels whose sums are
blocked in ways no recipe here reproduces, so the engine uses batched matrix products for them (per trial, the same
numbers whatever else is stacked) and the result is close to the plain program's, not equal to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import torch

from . import kernels, recipes

SMALL = 3  # the widest layer the engine follows recipe by recipe


@dataclass(frozen=True)
class RowsArithmetic:
    """For one number of rows: per layer, the forward product's plan and, per activation name, a (rows, units)
    boolean tensor of the elements on the vectorised path (None: every element on the scalar path)."""

    forward: tuple  # ProductPlan per layer (None for a wide layer)
    vector: tuple  # per layer: {activation: (rows, units) bool tensor or None}
    grad_weight: tuple  # ProductPlan per layer
    grad_input: tuple  # ProductPlan per layer (index 0 unused)
    exact: bool

    def row_signature(self, r: int) -> tuple:
        """Everything that decides how row r's forward values are rounded."""
        return tuple(
            (plan.row(r) if plan is not None else None,
             tuple((name, None if flags is None else tuple(flags[r].tolist())) for name, flags in sorted(vec.items())))
            for plan, vec in zip(self.forward, self.vector)
        )


def _fallback(role: str, rows: int, fan_in: int, fan_out: int) -> kernels.ProductPlan:
    """Terms added in index order, the bias last: the usual kernel, used where the probe matched nothing."""
    n_terms = {"forward": fan_in, "grad_weight": rows, "grad_input": fan_out}[role]
    tree = recipes.families(n_terms, role == "forward")[0]
    shape = {"forward": (rows, fan_out), "grad_weight": (fan_out, fan_in), "grad_input": (rows, fan_in)}[role]
    return kernels.ProductPlan(shape, (tree,), (0,) * (shape[0] * shape[1]))


@cache
def rows_arithmetic(sizes: tuple[int, ...], activations: frozenset, rows: int, binary_inputs: bool) -> RowsArithmetic:
    """The arithmetic of a net with layer `sizes` on `rows` input rows; `activations`: the hidden activations of the
    trials stacked; `binary_inputs`: the first layer's inputs are 0/1."""
    exact = True
    forward, vector, grad_weight, grad_input = [], [], [], []
    last = len(sizes) - 2
    for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        small = fan_in <= SMALL and fan_out <= SMALL
        exact &= small
        plans = {}
        for role in kernels.ROLES:
            if not small or (role == "grad_input" and l == 0):
                plans[role] = None
                continue
            plan = kernels.product_plan(role, rows, fan_in, fan_out, binary_inputs and l == 0)
            exact &= plan is not None
            plans[role] = plan or _fallback(role, rows, fan_in, fan_out)
        forward.append(plans["forward"])
        grad_weight.append(plans["grad_weight"])
        grad_input.append(plans["grad_input"])
        names = {"sigmoid"} if l == last else set(activations) & set(kernels.VECTOR_OPS)
        flags = {}
        for name in sorted(names):
            elements = kernels.vector_elements(name, rows * fan_out)
            exact &= elements is not None
            flags[name] = torch.tensor(elements).view(rows, fan_out) if elements and any(elements) else None
        vector.append(flags)
    return RowsArithmetic(tuple(forward), tuple(vector), tuple(grad_weight), tuple(grad_input), exact)


def uniform_rows(arith: RowsArithmetic, signature: tuple, rows: int) -> RowsArithmetic:
    """An arithmetic for `rows` rows that all round as the row with this signature does (forward only)."""
    forward, vector = [], []
    for (plan_row, flags), plan in zip(signature, arith.forward):
        forward.append(None if plan is None else kernels.ProductPlan.from_rows([plan_row] * rows))
        vector.append({name: None if row is None else torch.tensor([row] * rows) for name, row in flags})
    return RowsArithmetic(tuple(forward), tuple(vector), (), (), arith.exact)


def follows_plain_program(config) -> bool:
    """Whether the engine's trials of `config` are bitwise the plain program's on this machine: every layer small
    enough to follow, and every product and activation of the minibatch and truth-table passes matched by a probe.
    (Finite data sets are evaluated on whole sets with batched products: those evaluations are close, not equal.)"""
    hidden = frozenset({config.activation})
    binary = not config.finite
    return all(rows_arithmetic(config.layer_sizes, hidden, rows, binary).exact for rows in {config.batch_size, 4})
