"""lab.core.tasks and lab.core.models against plain PyTorch: truth tables, the lecture's input stream, nn.Linear's
parameters."""

from __future__ import annotations

import pytest
import torch
from reference import FUNCTIONS, TABLE_ROWS
from torch import nn

from lab.core import models, tasks


# ---- truth tables --------------------------------------------------------------------------------------------------
def test_table_rows_in_order():
    assert tasks.TABLE_INPUTS.tolist() == [list(row) for row in TABLE_ROWS]
    assert tasks.TABLE_INPUTS.dtype == torch.float32


@pytest.mark.parametrize("task", ["and", "or", "nand", "xor"])
def test_truth_tables(task):
    expected = [float(bool(FUNCTIONS[task](bool(a), bool(b)))) for a, b in TABLE_ROWS]
    assert list(tasks.TRUTH_TABLES[task]) == expected
    assert tasks.truth(task, tasks.TABLE_INPUTS).tolist() == expected
    assert tasks.targets(task, "scalar", tasks.TABLE_INPUTS).tolist() == [[v] for v in expected]
    assert tasks.targets(task, "onehot", tasks.TABLE_INPUTS).tolist() == [[v, 1 - v] for v in expected]


def test_the_lecture_truth_table():
    assert tasks.TRUTH_TABLES == {"and": (0, 0, 0, 1), "or": (0, 1, 1, 1), "nand": (1, 1, 1, 0), "xor": (0, 1, 1, 0)}


def test_truth_of_batched_inputs():
    torch.manual_seed(0)
    x = torch.bernoulli(0.5 * torch.ones(3, 7, 2))
    for task in tasks.TRUTH_TABLES:
        expected = [[float(bool(FUNCTIONS[task](bool(a), bool(b)))) for a, b in row] for row in x.tolist()]
        assert tasks.truth(task, x).tolist() == expected
        assert tasks.targets(task, "onehot", x).shape == (3, 7, 2)
        assert tasks.targets(task, "scalar", x).shape == (3, 7, 1)


# ---- the lecture's input stream ------------------------------------------------------------------------------------
STREAMS = [(1, 1), (1, 5), (7, 5), (1000, 5), (300, 16), (40, 33), (10_000, 5), (2, 10_000)]


@pytest.mark.parametrize(("steps", "mbs"), STREAMS, ids=[f"{s}x{m}" for s, m in STREAMS])
@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_one_draw_is_the_lecture_draws(steps, mbs, seed):
    torch.manual_seed(seed)
    per_step = torch.stack([torch.bernoulli(0.5 * torch.ones(mbs, 2)) for _ in range(steps)])
    after_per_step = torch.rand(4)
    torch.manual_seed(seed)
    one_call = torch.bernoulli(0.5 * torch.ones(steps * mbs, 2)).view(steps, mbs, 2)
    after_one_call = torch.rand(4)
    assert torch.equal(one_call, per_step)
    assert torch.equal(after_one_call, after_per_step)  # and they leave the generator in the same state

    generator = torch.Generator().manual_seed(seed)
    stream = tasks.minibatch_inputs(steps, mbs, generator)
    assert stream.shape == (steps, mbs, 2) and stream.dtype == torch.float32
    assert torch.equal(stream, per_step)
    assert torch.equal(torch.rand(4, generator=generator), after_per_step)

    out = torch.empty(steps * mbs, 2)
    uniforms = tasks.uniform_stream(steps, mbs, torch.Generator().manual_seed(seed), out=out)
    assert uniforms.data_ptr() == out.data_ptr()
    assert torch.equal((out < 0.5).float().view(steps, mbs, 2), per_step)


# ---- nn.Linear's parameters ----------------------------------------------------------------------------------------
SIZES = [(2, 2, 1), (2, 2, 2), (2, 8, 1), (2, 3, 3, 3, 2), (2, 33, 1), (2, 64, 64, 2), (2, 5, 5, 5, 5, 5, 5, 1)]


def plain_model(sizes, init):
    layers = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
    if init == "xavier":
        for layer in layers:
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    return layers


@pytest.mark.parametrize("init", ["pytorch", "xavier"])
@pytest.mark.parametrize("sizes", SIZES, ids=["-".join(map(str, s)) for s in SIZES])
@pytest.mark.parametrize("seed", [0, 3, 2**31 - 1])
def test_init_params_is_nn_linear(sizes, init, seed):
    torch.manual_seed(seed)
    layers = plain_model(sizes, init)
    expected = torch.cat([p.detach().reshape(-1) for layer in layers for p in (layer.weight, layer.bias)])
    next_draw = torch.bernoulli(0.5 * torch.ones(5, 2))  # the first minibatch after building the model

    generator = torch.Generator().manual_seed(seed)
    flat = models.init_params(sizes, init, generator)
    assert flat.shape == (models.param_count(sizes),) == expected.shape
    assert torch.equal(flat, expected)
    assert torch.equal(tasks.minibatch_inputs(1, 5, generator)[0], next_draw)  # the generator advanced alike


# the papers' inits: the plain program builds its layers, then applies torch.nn.init's functions layer by layer and
# multiplies every parameter by σ (orthogonal: σ is orthogonal_'s gain)
PAPER_INITS = [("orthogonal", None), ("orthogonal", 1e-3), ("gaussian", None), ("gaussian", 0.01),
               ("pytorch", 0.5), ("xavier", 2.0)]


@pytest.mark.parametrize(("init", "scale"), PAPER_INITS, ids=[f"{i}-{s}" for i, s in PAPER_INITS])
@pytest.mark.parametrize("sizes", [(2, 2, 1), (2, 3, 3, 3, 2), (2, 33, 1), (2, 5, 5, 5, 5, 5, 5, 1)],
                         ids=["2-2-1", "2-3-3-3-2", "2-33-1", "deep"])
@pytest.mark.parametrize("seed", [0, 3])
def test_init_params_is_the_plain_init(sizes, init, scale, seed):
    torch.manual_seed(seed)
    layers = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
    for layer in layers:
        if init == "orthogonal":
            nn.init.orthogonal_(layer.weight, gain=1.0 if scale is None else scale)
        elif init == "gaussian":
            nn.init.normal_(layer.weight, 0.0, 1.0 / layer.in_features ** 0.5)
        elif init == "xavier":
            nn.init.xavier_uniform_(layer.weight)
        if init != "pytorch":
            nn.init.zeros_(layer.bias)
    with torch.no_grad():
        for layer in layers:
            for p in (layer.weight, layer.bias):
                p.mul_(1.0 if scale is None or init == "orthogonal" else scale)
    expected = torch.cat([p.detach().reshape(-1) for layer in layers for p in (layer.weight, layer.bias)])
    next_draw = torch.bernoulli(0.5 * torch.ones(5, 2))

    generator = torch.Generator().manual_seed(seed)
    flat = models.init_params(sizes, init, generator, scale=scale)
    assert torch.equal(flat, expected)
    assert torch.equal(tasks.minibatch_inputs(1, 5, generator)[0], next_draw)  # the generator advanced alike


def test_orthogonal_and_gaussian_are_what_they_say():
    """Independently of nn.init: orthogonal rows (a wide matrix) or columns (a tall one) times σ; Gaussian weights
    with variance σ²/fan_in (over many draws)."""
    sigma = 0.25
    for sizes in ((2, 5, 1), (2, 64, 64, 2)):
        flat = models.init_params(sizes, "orthogonal", torch.Generator().manual_seed(1), scale=sigma).double()
        for lay in models.layout(sizes):
            w = flat[lay.w].view(lay.fan_out, lay.fan_in) / sigma
            gram = w @ w.T if lay.fan_out <= lay.fan_in else w.T @ w
            assert torch.allclose(gram, torch.eye(len(gram), dtype=torch.float64), atol=1e-6)
            assert not flat[lay.b].any()
    sizes = (2, 256, 256, 1)
    flat = models.init_params(sizes, "gaussian", torch.Generator().manual_seed(2), scale=sigma).double()
    lay = models.layout(sizes)[1]
    assert abs(flat[lay.w].var().item() * lay.fan_in / sigma**2 - 1) < 0.02  # 65,536 draws: sd of the ratio ~0.006
    assert abs(flat[lay.w].mean().item()) < 4 * sigma / 256 ** 0.5 / 256


def test_layout_is_the_module_parameter_order():
    sizes = (2, 3, 4, 1)
    layout = models.layout(sizes)
    assert [(lay.fan_in, lay.fan_out) for lay in layout] == [(2, 3), (3, 4), (4, 1)]
    assert [(lay.w, lay.b) for lay in layout] == [
        (slice(0, 6), slice(6, 9)),
        (slice(9, 21), slice(21, 25)),
        (slice(25, 29), slice(29, 30)),
    ]
    assert layout[1].span == slice(9, 25)
    assert (
        models.param_count(sizes)
        == 30
        == sum(p.numel() for p in plain_model(sizes, "pytorch") for p in (p.weight, p.bias))
    )
    assert models.param_count((2, 2, 1)) == 9


# ---- hidden activations --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "identity"])
def test_activation_formulas_are_autograds(name):
    module = {"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "relu": nn.ReLU(), "identity": nn.Identity()}[name]
    torch.manual_seed(0)
    z = (torch.randn(5, 3, 4) * 3).requires_grad_()
    g = torch.randn(5, 3, 4)
    y = module(z)
    y.backward(g)
    segments = [(slice(0, 4), name)]
    assert torch.equal(models.activate(z.detach(), segments), y.detach())
    assert torch.equal(models.activation_backward(segments, g, y.detach()), z.grad)


def test_mixed_activation_segments_act_on_trial_columns():
    torch.manual_seed(1)
    z, g = torch.randn(5, 3, 6), torch.randn(5, 3, 6)
    segments = [(slice(0, 2), "tanh"), (slice(2, 5), "relu"), (slice(5, 6), "sigmoid")]
    y = models.activate(z, segments)
    back = models.activation_backward(segments, g, y)
    for cols, name in segments:
        alone = [(slice(0, cols.stop - cols.start), name)]
        assert torch.equal(y[..., cols], models.activate(z[..., cols], alone))
        assert torch.equal(back[..., cols], models.activation_backward(alone, g[..., cols], y[..., cols]))
