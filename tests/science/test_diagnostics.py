"""lab.science.diagnostics: the stall detector on synthetic curves, the exact Hessian against finite differences and
plain
autograd, the eigen-classification on known functions, and the lecture's claim measured on real trials."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from lab import cli
from lab.core import models, tasks
from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.core.runs import Runs
from lab.science import diagnostics, layers, stalls


# ---- helpers ---------------------------------------------------------------------------------------------------------
def fake_runs(curves, solved=None, loss_fn="mse") -> Runs:
    """A Runs holding given truth-table loss curves (n, T); `solved` marks the trials answered right at the end."""
    curves = np.atleast_2d(np.asarray(curves, dtype=np.float32))
    n, length = curves.shape
    config = TrialConfig(loss_fn=loss_fn, steps=length - 1)
    error = np.ones((n, length), dtype=np.float32)
    if solved is not None:
        error[np.asarray(solved, dtype=bool), -1] = 0.0
    p = models.param_count(config.layer_sizes)
    return Runs(config, list(range(n)), curves[:, :-1].copy(), curves, error,
                np.ones((n, length - 1, config.depth + 1), dtype=np.float32), np.zeros((n, 4, 1), dtype=np.float32),
                np.zeros((n, p), dtype=np.float32))


PLATEAU = 0.1875  # MSE of answering 1/4 on every row of AND: where the lecture's nets stall


def plateau_then_drop(plateau_steps=300, total=1000, level=PLATEAU, rate=40.0):
    t = np.arange(total + 1, dtype=np.float64)
    after = np.maximum(t - plateau_steps, 0)
    return np.where(t < plateau_steps, level, 0.001 + (level - 0.001) * np.exp(-after / rate))


def random_params(config, seed, scale=1.0):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, scale, models.param_count(config.layer_sizes))


# ---- stalls on synthetic curves -------------------------------------------------------------------------------------
def test_flat_high_then_drop_is_one_escaped_stall():
    curve = plateau_then_drop(300)
    found = diagnostics.find_stalls(curve)
    assert len(found) == 1
    start, end = found[0]
    assert start == 0 and 280 <= end <= 310  # the envelope sees the drop up to smooth/2 steps early
    row = diagnostics.stalls(fake_runs(curve, solved=[True])).iloc[0]
    assert row.stall_count == 1 and row.escaped and row.solved and not row.stuck_at_end
    assert row.first_start == start and row.first_end == end and row.longest_mid == (start + end) // 2
    assert row.stalled_steps == end - start


def test_monotone_decrease_has_no_stall():
    t = np.arange(1001)
    curve = 0.3 * np.exp(-t / 150)  # at the high bar (0.1) it still falls 0.03 per 50 steps
    assert diagnostics.find_stalls(curve) == []
    row = diagnostics.stalls(fake_runs(curve, solved=[True])).iloc[0]
    assert row.stall_count == 0 and row.first_start == -1 and row.longest_mid == -1 and not row.escaped


def test_two_plateaus_with_a_drop_between_are_two_stalls():
    t = np.arange(1001)
    curve = np.where(t < 300, 0.25, np.where(t < 310, 0.25 - (t - 300) * (0.25 - 1 / 6) / 10, 1 / 6))
    curve = np.where(t < 700, curve, 0.001 + (1 / 6 - 0.001) * np.exp(-(t - 700) / 30.0))
    found = diagnostics.find_stalls(curve)
    assert len(found) == 2
    (a0, a1), (b0, b1) = found
    assert a0 == 0 and 280 <= a1 <= 300 and 300 <= b0 <= 330 and 670 <= b1 <= 700
    row = diagnostics.stalls(fake_runs(curve, solved=[True])).iloc[0]
    assert row.stall_count == 2 and row.escaped
    assert (row.longest_start, row.longest_end) == (b0, b1)  # the longer one
    assert (row.first_start, row.first_end) == (a0, a1)


def test_a_noisy_plateau_is_one_stall():
    rng = np.random.default_rng(0)
    curve = plateau_then_drop(600)
    # minibatch noise: small jitter everywhere, and upward excursions of up to 0.03 lasting a few to 15 steps
    curve = curve + rng.normal(0, 0.001, curve.shape)
    for at in rng.integers(0, 580, 40):
        curve[at:at + rng.integers(3, 15)] += rng.uniform(0.005, 0.03)
    found = diagnostics.find_stalls(curve)
    assert len(found) == 1 and found[0][0] <= 15 and 570 <= found[0][1] <= 610
    # symmetric noise as large as the flat bar's half
    gaussian = plateau_then_drop(600) + rng.normal(0, 0.0025, 1001)
    found = diagnostics.find_stalls(gaussian)
    assert len(found) == 1 and found[0][0] <= 15 and 570 <= found[0][1] <= 610


def test_a_stall_until_the_end_is_not_escaped():
    curve = np.full(1001, PLATEAU)
    curve[:30] = np.linspace(0.3, PLATEAU, 30)
    found = diagnostics.find_stalls(curve)
    assert len(found) == 1 and found[0][0] <= 30 and found[0][1] == 1000
    row = diagnostics.stalls(fake_runs(curve, solved=[False])).iloc[0]
    assert row.stall_count == 1 and row.stuck_at_end and not row.escaped and not row.solved
    assert row.longest_end == 1000


def test_thresholds_are_respected():
    low = plateau_then_drop(400, level=0.09)  # below the high bar, 0.4 × 0.25 = 0.1
    assert diagnostics.find_stalls(low) == []
    assert len(diagnostics.find_stalls(low, high=0.3)) == 1
    short = plateau_then_drop(90)
    assert diagnostics.find_stalls(short) == []  # shorter than min_steps
    assert len(diagnostics.find_stalls(short, min_steps=50)) == 1
    slope = np.maximum(PLATEAU - np.arange(1001) * 0.004 / 50, 0.0)  # 0.004 per 50 steps: under the flat bar
    assert len(diagnostics.find_stalls(slope)) == 1
    assert diagnostics.find_stalls(slope, flat=0.01) == []  # 0.0025 per 50 steps
    assert diagnostics.find_stalls(np.full(40, PLATEAU)) == []  # shorter than a window
    with pytest.raises(ValueError):
        diagnostics.find_stalls(low, window=0)


def test_bce_thresholds_scale_with_the_reference_loss():
    assert diagnostics.reference_loss("mse") == 0.25 and diagnostics.reference_loss("bce") == pytest.approx(math.log(2))
    entropy = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))  # BCE of answering 1/4 on AND
    curve = plateau_then_drop(300, level=entropy)
    assert len(diagnostics.stalls(fake_runs(curve, solved=[True], loss_fn="bce")).query("stall_count > 0")) == 1
    below = plateau_then_drop(300, level=0.25)  # high for MSE, below the BCE bar 0.4 ln 2 = 0.277
    assert diagnostics.stalls(fake_runs(below, solved=[True], loss_fn="bce")).stall_count.iloc[0] == 0
    assert diagnostics.stalls(fake_runs(below, solved=[True], loss_fn="mse")).stall_count.iloc[0] == 1


def test_stalls_is_find_stalls_for_every_trial():
    curves = np.stack([plateau_then_drop(300), plateau_then_drop(700), 0.3 * np.exp(-np.arange(1001) / 150),
                       np.full(1001, PLATEAU), plateau_then_drop(0)])
    table = diagnostics.stalls(fake_runs(curves, solved=[True, True, True, False, True]))
    for k, curve in enumerate(curves):
        found = diagnostics.find_stalls(curve)
        row = table.iloc[k]
        assert row.stall_count == len(found) and row.stalled_steps == sum(b - a for a, b in found)
        if found:
            assert (row.first_start, row.first_end) == found[0]
    summary = stalls.stall_summary(fake_runs(curves, solved=[True, True, True, False, True]))
    assert summary["stalled"] == 3 and summary["stalled_fraction"] == pytest.approx(0.6)
    assert summary["escaped_fraction"] == pytest.approx(2 / 3) and summary["stuck_fraction"] == pytest.approx(0.2)


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
