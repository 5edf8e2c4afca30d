"""The plain program's arithmetic for one network shape on this machine: which recipe each product uses at each
position and which activation elements take the vectorised path, for a given number of rows (the minibatch, the
4 truth-table rows). Built from lab.core.exact.kernels' probes; `exact` says whether every part was matched.

A layer is followed when it is at most `FOLLOW_WIDTH` wide, the rows at most `FOLLOW_ROWS`, and the probes found a
recipe for all three of its products. Otherwise (wide layers, or kernels no recipe reproduces) the engine uses batched
matrix products for that layer, which give each trial the same numbers whatever else is stacked but are close to the
plain program's, not equal to them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache

import torch

from lab.core.exact import kernels

FOLLOW_WIDTH = 8  # the widest layer the engine follows recipe by recipe (its products cost rows × in × out × trials)
FOLLOW_ROWS = 64  # the most rows (minibatch size) it follows: a recipe of n terms is a chain of n tensor ops


@dataclass(frozen=True)
class RowsArithmetic:
    """For one number of rows: per layer, the forward product's plan and, per activation name, a (rows, units)
    boolean tensor of the elements on the vectorised path (None: every element on the scalar path)."""

    forward: tuple  # ProductPlan per layer (None for a wide layer)
    vector: tuple  # per layer: {activation: (rows, units) bool tensor or None}
    grad_weight: tuple  # ProductPlan per layer
    grad_bias: tuple  # ProductPlan per layer
    grad_input: tuple  # ProductPlan per layer (index 0 unused)
    exact: bool

    def row_signature(self, r: int) -> tuple:
        """Everything that decides how row r's forward values are rounded."""
        return tuple(
            (plan.row(r) if plan is not None else None,
             tuple((name, None if flags is None else tuple(flags[r].tolist())) for name, flags in sorted(vec.items())))
            for plan, vec in zip(self.forward, self.vector)
        )


@cache
def rows_arithmetic(sizes: tuple[int, ...], activations: frozenset, rows: int, binary_inputs: bool | str,
                    bias: bool = True, output: str = "sigmoid") -> RowsArithmetic:
    """The arithmetic of a net with layer `sizes` on `rows` input rows; `activations`: the hidden activations of the
    trials stacked; `binary_inputs`: the first layer's inputs are 0/1 (True) or ±1 ("pm1"); `bias` False: layers
    without biases (their forward product is `F.linear` without one, and they have no bias gradient); `output`: the
    output layer's activation."""
    exact = True
    forward, vector, grad_weight, grad_bias, grad_input = [], [], [], [], []
    last = len(sizes) - 2
    for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        plans = dict.fromkeys(kernels.ROLES)
        if max(fan_in, fan_out) <= FOLLOW_WIDTH and rows <= FOLLOW_ROWS:
            plans = {role: kernels.product_plan(role, rows, fan_in, fan_out, binary_inputs and l == 0, bias)
                     for role in kernels.ROLES if (role != "grad_input" or l > 0) and (role != "grad_bias" or bias)}
            if None in plans.values():  # some product fits no recipe: the whole layer on batched products
                plans = dict.fromkeys(kernels.ROLES)
        exact &= plans["forward"] is not None
        forward.append(plans["forward"])
        grad_weight.append(plans["grad_weight"])
        grad_bias.append(plans.get("grad_bias"))
        grad_input.append(plans.get("grad_input"))
        names = ({output} if l == last else set(activations)) & set(kernels.VECTOR_OPS)
        if plans["forward"] is None:  # batched products: every activation element on the vectorised path
            names = set()
        flags = {}
        for name in sorted(names):
            elements = kernels.vector_elements(name, rows * fan_out)
            exact &= elements is not None
            flags[name] = torch.tensor(elements).view(rows, fan_out) if elements and any(elements) else None
        vector.append(flags)
    return RowsArithmetic(tuple(forward), tuple(vector), tuple(grad_weight), tuple(grad_bias), tuple(grad_input), exact)


def on_device(arith: RowsArithmetic, device) -> RowsArithmetic:
    """`arith` with its activation flags on `device` (the probes run on the CPU; the engine may train elsewhere)."""
    if torch.device(device).type == "cpu":
        return arith
    vector = tuple({name: None if flags is None else flags.to(device) for name, flags in layer.items()}
                   for layer in arith.vector)
    return dataclasses.replace(arith, vector=vector)


def uniform_rows(arith: RowsArithmetic, signature: tuple, rows: int) -> RowsArithmetic:
    """An arithmetic for `rows` rows that all round as the row with this signature does (forward only)."""
    forward, vector = [], []
    for (plan_row, flags), plan in zip(signature, arith.forward):
        forward.append(None if plan is None else kernels.ProductPlan.from_rows([plan_row] * rows))
        vector.append({name: None if row is None else torch.tensor([row] * rows) for name, row in flags})
    return RowsArithmetic(tuple(forward), tuple(vector), (), (), (), arith.exact)


def follows_plain_program(config) -> bool:
    """Whether the engine's trials of `config` are bitwise the plain program's on this machine: every layer small
    enough to follow, and every product and activation of the minibatch and truth-table passes matched by a probe.
    (Finite data sets are evaluated on whole sets with batched products: those evaluations are close, not equal.)"""
    hidden = frozenset({config.activation})
    return all(rows_arithmetic(config.layer_sizes, hidden, rows, input_kind(config), config.bias, config.output).exact
               for rows in {config.batch_size, 4})


def input_kind(config) -> bool | str:
    """What the first layer's inputs are, for the probes: "pm1" (±1 rows), True (the lecture's 0/1 rows) or False
    (a finite data set's noisy inputs)."""
    if config.finite:
        return False
    return "pm1" if config.encoding == "pm1" else True
