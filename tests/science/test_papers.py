"""lab.science.papers against independent computations: the slope fit against scipy's linregress, the deep linear
dynamics against a plain nn.Linear loop, the gradient-energy ratio where it is exact, the toy saddle against its
closed form, the optimizer inclusion against a float64 loop written here, and the small tests of each measurement."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from lab.core import models
from lab.core.config import TrialConfig
from lab.science.papers import choi, dauphin, fukumizu, glorot, saxe, schmidt


# ---- Saxe ------------------------------------------------------------------------------------------------------------
def test_slope_fit_is_linregress_on_a_noisy_power_law():
    rng = np.random.default_rng(1)
    scales = np.geomspace(0.01, 0.1, 5)
    lengths = 3.0 * scales[None, :] ** -2.0 * np.exp(rng.normal(0, 0.1, (8, 5)))
    slope, lo, hi = saxe.slope_fit(scales, lengths, resamples=400)
    reference = stats.linregress(np.log(np.tile(scales, 8)), np.log(lengths.ravel()))
    assert slope == pytest.approx(reference.slope, rel=1e-12)
    assert lo < slope < hi and lo < -2.0 < hi
    assert hi - lo < 0.5


def test_slope_fit_ignores_unfinished_runs():
    scales = np.array([0.1, 0.2, 0.4])
    lengths = np.array([[100.0, 25.0, math.nan], [100.0, 25.0, 6.25]])
    assert saxe.fit_slope(scales, lengths) == pytest.approx(-2.0)


def test_deep_linear_dynamics_follow_a_plain_nn_linear_loop():
    depth, scale, lr, seed = 2, 0.03, 0.5, 4
    found = saxe.plateau_lengths(depth, [scale], [seed], lr, 10_000)[0, 0]
    layers = [torch.nn.Linear(w.shape[1], w.shape[0], bias=False).double() for w in
              saxe.init_weights(depth, "gaussian", scale, seed)]
    for layer, w in zip(layers, saxe.init_weights(depth, "gaussian", scale, seed)):
        layer.weight.data.copy_(w)
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    x = torch.tensor([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]], dtype=torch.float64)
    y = torch.tensor([[-0.25], [-0.25], [-0.25], [0.75]], dtype=torch.float64)
    start = float(torch.nn.functional.mse_loss(net(x), y).detach())
    half = 1 / 16 + (start - 1 / 16) / 2
    step = 0
    while float(torch.nn.functional.mse_loss(net(x), y).detach()) > half and step < 10_000:
        opt.zero_grad()
        torch.nn.functional.mse_loss(net(x), y).backward()
        opt.step()
        step += 1
    assert found == step and 30 < step < 10_000


def test_orthogonal_init_is_orthogonal():
    w = saxe.init_weights(3, "orthogonal", 0.5, 0)
    for m in w[:-1]:
        assert torch.allclose(m @ m.T, 0.25 * torch.eye(2, dtype=torch.float64), atol=1e-12)
    assert float(w[-1].norm()) == pytest.approx(0.5)


# ---- Glorot ----------------------------------------------------------------------------------------------------------
def test_energy_ratio_is_one_through_orthogonal_identity_layers():
    g = torch.Generator().manual_seed(0)
    weights = [torch.linalg.qr(torch.randn(2, 2, generator=g, dtype=torch.float64))[0] for _ in range(5)]
    weights.append(torch.randn(1, 2, generator=g, dtype=torch.float64))
    weights = [w.requires_grad_(True) for w in weights]
    biases = [torch.zeros(w.shape[0], dtype=torch.float64, requires_grad=True) for w in weights]
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    y = torch.tensor([[0.0], [0.0], [0.0], [1.0]], dtype=torch.float64)
    e = glorot.energies_of(weights, biases, "identity", x, y)
    assert len(e) == 5 and e[-1] > 0
    assert np.allclose(e / e[-1], 1.0, rtol=1e-12)
    assert glorot.layer_ratio(e[None, :]) == pytest.approx(1.0, rel=1e-12)


def test_energies_match_a_hand_written_backward_pass():
    config = TrialConfig(activation="tanh", depth=3)
    e = glorot.preactivation_energies(config, [7])[0]
    flat = models.init_params(config.layer_sizes, "pytorch", torch.Generator().manual_seed(7)).double().numpy()
    layers = models.layout(config.layer_sizes)
    ws = [flat[l.w].reshape(l.fan_out, l.fan_in) for l in layers]
    bs = [flat[l.b] for l in layers]
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([[0], [0], [0], [1]], dtype=np.float64)
    acts, a = [], x
    for w, b in zip(ws[:-1], bs[:-1]):
        a = np.tanh(a @ w.T + b)
        acts.append(a)
    o = 1 / (1 + np.exp(-(a @ ws[-1].T + bs[-1])))
    delta = 2 * (o - y) / 4 * o * (1 - o)  # ∂L/∂s at the output
    energies = []
    for k in range(len(acts) - 1, -1, -1):
        delta = (delta @ ws[k + 1]) * (1 - acts[k] ** 2)
        energies.append(float((delta ** 2).sum()))
    assert np.allclose(e, energies[::-1], rtol=1e-10)


def test_top_layer_saturation_looks_at_the_first_steps_of_the_top_layer():
    means = np.full((2, 10, 3), 0.5)
    means[0, 3, -1] = 0.05  # early, top layer
    means[1, 8, -1] = 0.05  # too late
    means[1, 2, 0] = 0.0  # not the top layer
    assert glorot.top_layer_saturates(means, within=5, below=0.1).tolist() == [True, False]


# ---- Dauphin ---------------------------------------------------------------------------------------------------------
def test_toy_saddle_paths_are_the_closed_form():
    paths = dauphin.newton_paths((0.7, 0.003), 6)
    assert np.allclose(paths["newton"][1:], 0.0, atol=1e-15)
    expected = np.array([[0.0, 0.003 * 2 ** k] for k in range(1, 7)])
    assert np.allclose(paths["saddle-free newton"][1:], expected, rtol=1e-14, atol=1e-15)
    assert dauphin.toy_value(paths["saddle-free newton"][-1]) == pytest.approx(-(0.003 * 64) ** 2)


def test_search_finds_a_saddle_with_its_index():
    f = lambda p: p[0] ** 4 / 4 - p[0] ** 2 / 2 + p[1] ** 2 / 2  # noqa: E731 - saddle at 0, minima at (±1, 0)
    found = dauphin.search(f, [0.1, 0.3])
    assert found["ending"] == "critical" and found["grad_norm"] <= dauphin.GRAD_TEST
    assert np.allclose(found["params"], 0.0, atol=1e-8) and found["index"] == 0.5
    assert dauphin.search(f, [0.8, -0.2])["index"] == 0.0


def test_search_reports_a_gradient_flat_ending():
    found = dauphin.search(lambda p: p[0] + 0.0 * p[1] ** 2, [0.0, 1.0])  # g = (1, 0), H = 0
    assert found["ending"] == "gradient-flat"


def test_spearman_matches_scipy():
    loss, index = [0.1, 0.2, 0.2, 0.3, 0.5], [0.0, 0.1, 0.3, 0.2, 0.4]
    rho, lo, hi = dauphin.spearman_interval(loss, index, resamples=200)
    assert rho == pytest.approx(stats.spearmanr(loss, index).statistic)
    assert -1 <= lo <= hi <= 1
    assert math.isnan(dauphin.spearman_interval([0.25, 0.25, 0.25], [0, 0.1, 0.2])[0])


# ---- Fukumizu --------------------------------------------------------------------------------------------------------
def test_singular_sets_on_constructed_points():
    sizes = (2, 2, 1)
    base = np.array([1.0, -2.0, 0.5, 3.0, 0.1, -0.4, 1.5, -1.0, 0.2])  # W1 (2×2), b1, W2 (1×2), b2
    assert fukumizu.singular_sets(sizes, base) == {"eliminated": 0, "overlapping": 0, "free_dims": 0,
                                                   "singular": False}
    dead = base.copy()
    dead[7] = 0.01  # unit 2's outgoing weight near 0
    assert fukumizu.singular_sets(sizes, dead)["eliminated"] == 1
    assert fukumizu.singular_sets(sizes, dead)["free_dims"] == 3
    twin = base.copy()
    twin[2:4], twin[5] = twin[0:2], twin[4]  # unit 2 = unit 1
    found = fukumizu.singular_sets(sizes, twin)
    assert found["overlapping"] == 1 and found["singular"]


# ---- Choi ------------------------------------------------------------------------------------------------------------
def test_rmsprop_with_huge_eps_is_a_float64_momentum_loop():
    config, lr, mu, steps = TrialConfig(), 0.5, 0.9, 1000
    rms = choi.torch_path(config, 3, lambda p: torch.optim.RMSprop(p, lr=lr * 1e12, eps=1e12, momentum=mu), steps)
    loss = choi.table_loss(config)
    theta = models.init_params(config.layer_sizes, "pytorch", torch.Generator().manual_seed(3)).double()
    velocity = torch.zeros_like(theta)
    path = [theta]
    for _ in range(steps):  # the textbook momentum update, written here
        t = theta.clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(loss(t), t)
        velocity = mu * velocity + grad
        theta = theta - lr * velocity
        path.append(theta)
    plain = torch.stack(path).numpy()
    assert np.abs(plain[-1] - plain[0]).max() > 1.0  # it trained
    assert np.abs(rms - plain).max() < 1e-9
    small = choi.torch_path(config, 3, lambda p: torch.optim.RMSprop(p, lr=lr * 1e-2, eps=1e-2, momentum=mu), 50)
    assert np.abs(small - plain[:51]).max() > 1e-3  # with a small eps it is another optimizer


# ---- Schmidt ---------------------------------------------------------------------------------------------------------
def test_best_is_chosen_on_the_pick_seeds_and_reported_on_fresh_ones():
    t, f = [True] * 10, [False] * 10
    defaults_pick = {"a": t[:9] + f[:1], "b": t[:5] + f[:5]}
    defaults_report = {"a": t[:6] + f[:4], "b": t}  # b is better on fresh seeds, but a was chosen
    tuned_pick = {"lr 1": f, "lr 2": t}
    tuned_report = {"lr 1": t, "lr 2": t[:8] + f[:2]}
    out = schmidt.defaults_vs_tuned(defaults_pick, defaults_report, tuned_pick, tuned_report)
    assert (out["default"], out["tuned"]) == ("a", "lr 2")
    assert out["measured"] == pytest.approx(0.6 - 0.8) and out["n"] == 10
    assert out["ci_lo"] < out["measured"] < out["ci_hi"]
