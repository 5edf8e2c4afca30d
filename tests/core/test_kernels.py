"""The probes that let the engine follow this machine's kernels (lab.core.exact.kernels, lab.core.exact.recipes),
against independent computations: exact rational arithmetic for the fused multiply-add, and PyTorch's own ops on
inputs the probes never saw for the learned plans."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lab.core.exact import kernels, recipes


def exact_fma32(a: float, b: float, c: float) -> np.float32:
    """a·b + c rounded once to float32 (nearest, ties to even), from exact rationals."""
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    guess = np.float32(float(exact))
    candidates = [np.nextafter(guess, np.float32(-np.inf)), guess, np.nextafter(guess, np.float32(np.inf))]
    best = min(abs(Fraction(float(x)) - exact) for x in candidates)
    nearest = [x for x in candidates if abs(Fraction(float(x)) - exact) == best]
    if len(nearest) == 1:
        return nearest[0]
    return next(x for x in nearest if int(np.float32(x).view(np.int32)) % 2 == 0)


def test_fma32_rounds_once():
    generator = torch.Generator().manual_seed(0)
    scale = lambda n: torch.exp2(torch.randint(-30, 30, (n,), generator=generator).float())  # noqa: E731
    a, b, c = ((torch.rand(3000, generator=generator) * 2 - 1) * scale(3000) for _ in range(3))
    got = recipes.fma32(a, b, c)
    expected = [exact_fma32(float(x), float(y), float(z)) for x, y, z in zip(a, b, c)]
    assert np.array_equal(got.numpy(), np.array(expected, dtype=np.float32))


def test_fma32_where_rounding_twice_would_be_wrong():
    """a·b = 2^-24 + 2^-60 on top of 1: the float64 sum is exactly halfway between two float32 numbers, so rounding
    it again gives 1; rounding the exact sum once gives 1 + 2^-23."""
    a = torch.tensor([2.0**-24 * (1 + 2.0**-12), -(2.0**-24) * (1 + 2.0**-12)])
    b = torch.tensor([1 - 2.0**-12 + 2.0**-24] * 2)
    c = torch.tensor([1.0, -1.0])
    assert (a.double() * b.double() + c.double()).float().tolist() == [1.0, -1.0]  # rounding twice
    got = recipes.fma32(a, b, c).tolist()
    assert got == [1 + 2.0**-23, -(1 + 2.0**-23)]
    assert got == [float(exact_fma32(float(x), float(y), float(z))) for x, y, z in zip(a, b, c)]


def test_recipes_evaluate_in_their_order():
    """A sequential sum, an FMA chain and two accumulators, against float32 arithmetic done by hand in numpy."""
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 5, 200)).astype(np.float32)
    terms = recipes.Terms(torch.from_numpy(a), torch.from_numpy(b), 0)
    p = a * b
    seq = (((p[0] + p[1]) + p[2]) + p[3]) + p[4]
    lanes = ((p[0] + p[2]) + (p[1] + p[3])) + p[4]
    trees = recipes.families(5, bias=False)
    assert np.array_equal(recipes.evaluate(trees[0], terms).numpy(), seq)
    lanes_tree = ("+", ("+", ("+", ("t", 0), ("t", 2)), ("+", ("t", 1), ("t", 3))), ("t", 4))
    assert lanes_tree in trees
    assert np.array_equal(recipes.evaluate(lanes_tree, terms).numpy(), lanes)
    chain = ("fma", 1, ("t", 0))
    expected = [exact_fma32(float(x), float(y), float(z)) for x, y, z in zip(a[1], b[1], p[0])]
    assert np.array_equal(recipes.evaluate(chain, terms).numpy(), np.array(expected, dtype=np.float32))


@pytest.mark.parametrize("products", ["own", "caller's"])
def test_a_program_computes_what_its_trees_do_and_leaves_its_inputs_alone(products):
    """Every recipe of the usual families over 5 terms and a bias, run as one program (sums added in place where
    nothing else reads them), against each tree evaluated alone; the terms, their factors and the bias unchanged.
    "caller's": the terms are the caller's own tensor's slices (a sum's terms, b None)."""
    generator = torch.Generator().manual_seed(3)
    a = torch.randn(5, 3, 40, generator=generator)
    b = torch.randn(5, 3, 40, generator=generator) if products == "own" else None
    bias = torch.randn(1, 40, generator=generator)
    kept = [t.clone() for t in (a, bias, *([] if b is None else [b]))]
    trees = recipes.families(5, bias=True, fusable=b is not None)
    together = recipes.Program(trees)
    alone = [recipes.Program([tree]) for tree in trees]
    in_place = [any(kind.startswith("+=") for kind, _, _ in p.steps) for p in [together, *alone]]
    assert in_place[0] and sum(in_place[1:]) > len(trees) // 2  # (a chain of FMAs has no sum to add in place)
    got = together.run(recipes.Terms(a, b, 0), bias)
    for tree, value, program in zip(trees, got, alone, strict=True):
        expected = recipes.evaluate(tree, recipes.Terms(a, b, 0), bias)
        assert torch.equal(value, expected), tree
        assert torch.equal(program.run(recipes.Terms(a, b, 0), bias)[0], expected), tree
    assert all(torch.equal(t, k) for t, k in zip((a, bias, *([] if b is None else [b])), kept))


def test_every_tree_is_enumerated_once():
    """Three terms without fusing: the 3 groupings of a sum of three; with fusing every product may be fused into
    the sum it joins. No tree appears twice."""
    trees = recipes.all_trees(3, bias=False)
    assert len(trees) == len(set(trees))
    assert len([t for t in trees if not recipes.uses_fma(t)]) == 3
    assert ("fma", 2, ("fma", 1, ("t", 0))) in trees


def plain_linear(x, w, b, g):
    out, grad_w, grad_b, grad_x = [], [], [], []
    for xi, wi, bi, gi in zip(x, w, b, g):
        xi, wi, bi = xi.clone().requires_grad_(), wi.clone().requires_grad_(), bi.clone().requires_grad_()
        z = F.linear(xi, wi, bi)
        z.backward(gi)
        out.append(z.detach())
        grad_w.append(wi.grad)
        grad_b.append(bi.grad[None])
        grad_x.append(xi.grad)
    return {"forward": torch.stack(out), "grad_weight": torch.stack(grad_w), "grad_bias": torch.stack(grad_b),
            "grad_input": torch.stack(grad_x)}


@pytest.mark.parametrize("rows, fan_in, fan_out", [(5, 2, 2), (5, 2, 1), (4, 2, 1), (5, 3, 3), (8, 3, 2), (7, 1, 3),
                                                   (5, 4, 4), (16, 2, 2)])
def test_learned_plans_predict_the_kernels_on_new_inputs(rows, fan_in, fan_out):
    """Every product of an nn.Linear step, on inputs the probe never saw, is what the learned plan computes."""
    generator = torch.Generator().manual_seed(99)
    n = 300
    x, w = torch.randn(n, rows, fan_in, generator=generator), torch.randn(n, fan_out, fan_in, generator=generator)
    b, g = torch.randn(n, fan_out, generator=generator), torch.randn(n, rows, fan_out, generator=generator) * 1e-3
    plain = plain_linear(x, w, b, g)
    # trials last, as the engine lays them out
    xt, wt, bt, gt = x.permute(1, 2, 0), w.permute(1, 2, 0), b.T, g.permute(1, 2, 0)
    terms = {
        "forward": recipes.Terms(xt[:, None], wt[None], 2),
        "grad_weight": recipes.Terms(gt[:, :, None], xt[:, None], 0),
        "grad_bias": recipes.Terms(gt[:, None], torch.ones(()), 0),
        "grad_input": recipes.Terms(gt[:, :, None], wt[None], 1),
    }
    for role in kernels.ROLES:
        plan = kernels.product_plan(role, rows, fan_in, fan_out)
        assert plan is not None, f"{role}: no recipe found on this machine"
        got = kernels.contract(plan, terms[role], bt[None] if role == "forward" else None)
        assert torch.equal(got.permute(2, 0, 1), plain[role]), role


@pytest.mark.parametrize("op", ["sigmoid", "tanh"])
@pytest.mark.parametrize("n", [10, 16, 24, 40, 70])
def test_activation_paths_predict_the_kernel(op, n):
    """Which elements of an n-element tensor take the vectorised path: the engine's mix of the two paths equals the
    op on each n-element tensor, for inputs the probe never saw."""
    elements = kernels.vector_elements(op, n)
    assert elements is not None
    z = torch.randn(200, n, generator=torch.Generator().manual_seed(5)) * 6
    plain = torch.stack([kernels.VECTOR_OPS[op](row.clone()) for row in z])
    mixed = torch.where(torch.tensor(elements), kernels.vector_path(op, z), kernels.scalar_path(op, z))
    assert torch.equal(mixed, plain)
