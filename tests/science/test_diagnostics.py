"""lab.science.diagnostics: the exact Hessian against finite differences and plain autograd, the eigen-classification
on known functions, and the lecture's claim measured on real trials (the stall detector: test_stalls.py)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from helpers import PLATEAU, fake_runs
from torch import nn

from lab import cli
from lab.core import models, tasks
from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.science import diagnostics, layers, stalls


# ---- helpers ---------------------------------------------------------------------------------------------------------
def random_params(config, seed, scale=1.0):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, scale, models.param_count(config.layer_sizes))


# ---- the Hessian -----------------------------------------------------------------------------------------------------
HESSIAN_CONFIGS = [
    TrialConfig(depth=1, activation="sigmoid", loss_fn="mse", encoding="scalar"),
    TrialConfig(depth=2, activation="tanh", loss_fn="bce", encoding="onehot"),
    TrialConfig(depth=3, activation="sigmoid", loss_fn="bce", encoding="scalar", task="xor"),
    TrialConfig(depth=2, width=3, activation="tanh", loss_fn="mse", encoding="onehot", task="or"),
    TrialConfig(depth=2, activation="relu", loss_fn="mse"),  # no kink within h of these parameters
]


@pytest.mark.parametrize("config", HESSIAN_CONFIGS, ids=lambda c: f"d{c.depth}-{c.activation}-{c.loss_fn}-"
                                                                  f"{c.encoding}")
def test_hessian_matches_central_differences_of_the_gradient(config):
    """Max abs error below 1e-7 (central differences with h = 1e-5 in float64 err by about h² × the third
    derivative plus 1e-16 / h: about 1e-10 here)."""
    params = random_params(config, 1)
    hess, grad = diagnostics.hessian(config, params)
    assert hess.shape == (len(params), len(params)) and grad.shape == (len(params),)
    assert np.array_equal(hess, hess.T)
    f = diagnostics.table_loss_function(config)
    g = torch.func.grad(f)
    h = 1e-5
    columns = []
    for i in range(len(params)):
        step = np.zeros_like(params)
        step[i] = h
        plus = g(torch.as_tensor(params + step)).numpy()
        minus = g(torch.as_tensor(params - step)).numpy()
        columns.append((plus - minus) / (2 * h))
    numeric = np.stack(columns, axis=1)
    assert np.max(np.abs(hess - numeric)) < 1e-7
    # and the gradient against central differences of the loss
    loss = lambda p: diagnostics.table_loss(config, p)  # noqa: E731
    numeric_grad = np.array([(loss(params + h * e) - loss(params - h * e)) / (2 * h) for e in np.eye(len(params))])
    assert np.max(np.abs(grad - numeric_grad)) < 1e-8


def test_hessian_rejects_a_wrong_parameter_count():
    with pytest.raises(ValueError):
        diagnostics.hessian(TrialConfig(), np.zeros(5))


def test_hessian_of_known_functions():
    saddle = lambda v: v[0] ** 2 - v[1] ** 2  # noqa: E731
    hess, grad = diagnostics.hessian_of(saddle, [0.0, 0.0])
    assert np.allclose(hess, [[2, 0], [0, -2]]) and np.allclose(grad, 0)
    bowl = lambda v: v[0] ** 2 + v[1] ** 2  # noqa: E731
    hess, grad = diagnostics.hessian_of(bowl, [0.5, -1.0])
    assert np.allclose(hess, 2 * np.eye(2)) and np.allclose(grad, [1.0, -2.0])
    wavy = lambda v: torch.sin(v[0]) * v[1] + v[0] ** 3  # noqa: E731
    x, y = 0.3, -0.7
    hess, grad = diagnostics.hessian_of(wavy, [x, y])
    expected = [[-math.sin(x) * y + 6 * x, math.cos(x)], [math.cos(x), 0.0]]
    assert np.allclose(hess, expected, atol=1e-14) and np.allclose(grad, [math.cos(x) * y + 3 * x ** 2, math.sin(x)])
    # and the same numbers as torch.func.hessian (forward over reverse), here and on a network's loss
    config = HESSIAN_CONFIGS[1]
    params = random_params(config, 2)
    with warnings.catch_warnings():  # its first use scripts torch's forward-mode decompositions, with a warning
        warnings.simplefilter("ignore", DeprecationWarning)
        reference = torch.func.hessian(wavy)(torch.tensor([x, y], dtype=torch.float64)).numpy()
        net = torch.func.hessian(diagnostics.table_loss_function(config))(torch.as_tensor(params)).numpy()
    assert np.allclose(hess, reference, rtol=1e-12, atol=1e-15)
    assert np.allclose(diagnostics.hessian(config, params)[0], net, rtol=1e-10, atol=1e-14)


def test_classify_hessian_on_known_functions():
    cases = {
        "saddle": lambda v: v[0] ** 2 - v[1] ** 2,
        "minimum": lambda v: v[0] ** 2 + v[1] ** 2,
        "maximum": lambda v: -(v[0] ** 2) - v[1] ** 2,
        "degenerate": lambda v: v[0] ** 4 + v[1] ** 4,
    }
    for kind, f in cases.items():
        found = diagnostics.classify_hessian(*diagnostics.hessian_of(f, [0.0, 0.0]))
        assert found["kind"] == kind == found["curvature"] and found["stationary"] and found["grad_norm"] == 0
    found = diagnostics.classify_hessian(*diagnostics.hessian_of(cases["saddle"], [0.0, 0.0]))
    assert found["index_alpha"] == 0.5
    assert found["min_eig"] == pytest.approx(-2) and found["max_eig"] == pytest.approx(2)
    assert (found["n_negative"], found["n_positive"], found["n_flat"]) == (1, 1, 0)
    # a flat direction does not stop a minimum being one
    found = diagnostics.classify_hessian(*diagnostics.hessian_of(lambda v: v[0] ** 2 + 0 * v[1], [0.0, 3.0]))
    assert found["kind"] == "minimum" and found["n_flat"] == 1
    # away from the critical point: not stationary, whatever the curvature
    found = diagnostics.classify_hessian(*diagnostics.hessian_of(cases["saddle"], [1.0, 0.0]), loss=1.0)
    assert found["kind"] == "not stationary" and found["curvature"] == "saddle"
    assert found["grad_norm"] == pytest.approx(2)


def test_near_stationary_is_relative_to_the_loss():
    """On 1 + x² − y² at (0.01, 0): the gradient 0.02 fails the strict test, but the quadratic model's critical point
    (the origin) lies 1e-4 below a loss of ~1: near-stationary, a saddle. At (0.5, 0) the gap is 25%: not near."""
    f = lambda v: 1 + v[0] ** 2 - v[1] ** 2  # noqa: E731
    hess, grad = diagnostics.hessian_of(f, [0.01, 0.0])
    found = diagnostics.classify_hessian(hess, grad, loss=1.0001)
    assert not found["stationary"] and found["near_stationary"] and found["kind"] == "saddle"
    assert found["gap"] == pytest.approx(1e-4)
    assert diagnostics.classify_hessian(hess, grad)["kind"] == "not stationary"  # no loss: only the strict test
    assert diagnostics.classify_hessian(hess, grad, loss=1.0001, gap_tol=1e-5)["kind"] == "not stationary"
    assert diagnostics.classify_hessian(hess, grad, loss=1.0001, grad_tol=0.1)["stationary"]
    hess, grad = diagnostics.hessian_of(f, [0.5, 0.0])
    assert diagnostics.classify_hessian(hess, grad, loss=1.25)["kind"] == "not stationary"
    # a gradient along a flat direction is not explained by curvature
    g = lambda v: 1 + v[0] ** 2 - v[1] ** 2 + 0.01 * v[2]  # noqa: E731
    found = diagnostics.classify_hessian(*diagnostics.hessian_of(g, [0.0, 0.0, 0.0]), loss=1.0)
    assert found["flat_grad"] == pytest.approx(0.01) and not found["near_stationary"]


# ---- real trials -----------------------------------------------------------------------------------------------------
def plain_net(config, params) -> nn.Module:
    """The plain nn.Module of `config` in float64, its weights copied from the flat parameters."""
    act = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}[config.activation]
    modules = []
    for k, lay in enumerate(models.layout(config.layer_sizes)):
        linear = nn.Linear(lay.fan_in, lay.fan_out).double()
        with torch.no_grad():
            linear.weight.copy_(torch.as_tensor(params[lay.w]).view(lay.fan_out, lay.fan_in))
            linear.bias.copy_(torch.as_tensor(params[lay.b]))
        modules += [linear, nn.Sigmoid() if k == config.depth else act()]
    return nn.Sequential(*modules)


@pytest.fixture(scope="module")
def shallow():
    config = TrialConfig(depth=1, activation="sigmoid", optimizer="sgd", steps=1000)
    return config, train(config, range(20))


@pytest.fixture(scope="module")
def deep():
    config = TrialConfig(depth=5, activation="sigmoid", optimizer="sgd", steps=1000)
    return config, train(config, range(20), trace=True)


def test_deep_sigmoid_nets_stall_more_than_shallow_ones(shallow, deep):
    s1, s5 = stalls.stall_summary(shallow[1]), stalls.stall_summary(deep[1])
    assert s5["stalled_fraction"] >= s1["stalled_fraction"]
    assert s5["stalled_fraction"] >= 0.5  # the lecture's stall: SGD on 5 sigmoid layers mostly never leaves it
    assert layers.first_last_ratio(deep[1]) < layers.first_last_ratio(shallow[1])  # vanishing gradients


@pytest.mark.parametrize("loss_fn", ["mse", "bce"])
def test_the_gradient_is_plain_autograds_and_the_loss_the_engines(shallow, loss_fn):
    config, runs = shallow
    config = config.replace(loss_fn=loss_fn, encoding="onehot" if loss_fn == "bce" else "scalar")
    runs = train(config, [3]) if loss_fn == "bce" else runs
    k = 0
    params = runs.params[k].astype(np.float64)
    _, grad = diagnostics.hessian(config, params)
    net = plain_net(config, params)
    x = tasks.TABLE_INPUTS.double()
    y = tasks.targets(config.task, config.encoding, tasks.TABLE_INPUTS).double()
    loss = (nn.MSELoss() if loss_fn == "mse" else nn.BCELoss())(net(x), y)
    loss.backward()
    plain = torch.cat([p.grad.reshape(-1) for p in net.parameters()]).numpy()  # W1, b1, W2, b2: the flat layout
    assert np.allclose(grad, plain, rtol=1e-9, atol=1e-15)
    assert diagnostics.table_loss(config, params) == pytest.approx(loss.item(), rel=1e-12)
    assert diagnostics.table_loss(config, params) == pytest.approx(float(runs.table_loss[k, -1]), rel=1e-4)


def test_a_solved_trial_ends_off_any_saddle(shallow):
    config, runs = shallow
    assert runs.solved.all()
    for k in (0, 1):
        found = diagnostics.classify(config, runs.params[k])
        assert found["kind"] in ("minimum", "degenerate", "not stationary")
        assert found["grad_norm"] < 0.01 and found["loss"] < 0.01


def test_params_at_replays_the_trial(shallow):
    config, runs = shallow
    assert np.array_equal(diagnostics.params_at(config, 2, config.steps), runs.params[2])
    init = models.init_params(config.layer_sizes, config.init, torch.Generator().manual_seed(2)).numpy()
    assert np.array_equal(diagnostics.params_at(config, 2, 0), init)
    short = train(config.replace(steps=100), [2])
    assert np.array_equal(diagnostics.params_at(config, 2, 100), short.params[0])
    with pytest.raises(ValueError):
        diagnostics.params_at(config, 2, config.steps + 1)


def test_deep_sigmoid_stalls_sit_near_saddles(deep):
    config, runs = deep
    found = diagnostics.classify_stalls(config, runs, seeds=[0, 1, 2])
    assert len(found) == 3 and set(found["seed"]) == {0, 1, 2}
    assert (found["mid_n_negative"] > 0).mean() >= 0.5  # the plateau has a way down
    assert {"mid_kind", "mid_grad_norm", "mid_gap", "end_kind", "end_curvature"} <= set(found.columns)
    assert all(k in diagnostics.KINDS for k in found["mid_kind"])
    result = diagnostics.saddle_fraction(runs, max_stalls=2)
    assert result["n_tested"] == 2 and 0.0 <= result["saddle_fraction"] <= 1.0


def test_saddle_fraction_without_stalls_is_nan(shallow):
    config, runs = shallow
    result = diagnostics.saddle_fraction(runs, max_stalls=3, min_steps=10_000)
    assert result["n_tested"] == 0 and math.isnan(result["saddle_fraction"])


def test_layer_profile_and_vanishing_ratio(deep):
    config, runs = deep
    profile = layers.layer_profile(runs, every=100)
    n_layers = config.depth + 1
    assert len(profile) == 20 * 10 * n_layers
    assert list(profile.columns) == ["seed", "step", "layer", "grad_norm", "activation_mean", "saturation"]
    row = profile[(profile.seed == 3) & (profile.step == 200) & (profile.layer == 2)].iloc[0]
    assert row.grad_norm == pytest.approx(float(runs.grad_norm[3, 200, 1]))
    assert row.activation_mean == pytest.approx(float(runs.activation_mean[3, 200, 1]))
    assert profile[profile.layer == n_layers][["activation_mean", "saturation"]].isna().all().all()
    assert profile[profile.layer < n_layers]["saturation"].between(0, 1).all()
    ratio = layers.vanishing_ratio(runs, every=100)
    assert len(ratio) == 10 * n_layers
    assert np.allclose(ratio[ratio.layer == n_layers]["median"], 1.0)
    late = ratio[ratio.step >= 500]
    assert (late[late.layer == 1]["median"].to_numpy() < late[late.layer == n_layers]["median"].to_numpy()).all()
    untraced = layers.layer_profile(train(config.replace(steps=20), [0]))
    assert untraced["activation_mean"].isna().all()


def test_sweep_diagnose_adds_columns(tmp_path, capsys):
    csv = tmp_path / "table.csv"
    code = cli.main(["sweep", "--depths", "1,4", "--optimizers", "sgd", "--steps", "400", "--seeds", "4", "--quiet",
                     "--store", str(tmp_path / "store"), "--workers", "1", "--diagnose", "--csv", str(csv)])
    assert code == 0
    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert {"stalled_fraction", "saddle_fraction", "n_saddle_tested"} <= set(table.columns)
    assert table["stalled_fraction"].between(0, 1).all()
    assert "stalled_fraction" in capsys.readouterr().out
    plain = tmp_path / "plain.csv"
    assert cli.main(["sweep", "--depths", "1", "--steps", "50", "--seeds", "2", "--quiet", "--store",
                     str(tmp_path / "store"), "--workers", "1", "--csv", str(plain)]) == 0
    assert "stalled_fraction" not in pd.read_csv(plain, encoding="utf-8-sig").columns


def test_saddle_fraction_skips_nets_too_large_for_a_hessian():
    config = TrialConfig(depth=2, width=64, steps=200, optimizer="sgd")
    assert models.param_count(config.layer_sizes) > diagnostics.MAX_PARAMS
    curve = np.full(201, PLATEAU)
    runs = fake_runs(curve)
    runs.config = config
    assert diagnostics.saddle_fraction(runs)["n_tested"] == 0
    with pytest.raises(ValueError):
        diagnostics.hessian(config, np.zeros(models.param_count(config.layer_sizes)))
