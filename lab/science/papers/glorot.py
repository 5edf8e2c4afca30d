"""Glorot & Bengio (2010): back-propagated gradients at initialisation, layer by layer.

Their analysis (Eq. 13–15): in the linear regime, the gradient of the cost with respect to a layer's pre-activations
s_l changes by n·Var[W]·f'(0)² per layer towards the input; the standard initialisation U[−1/√n, 1/√n] (PyTorch's
`nn.Linear`) gives n·Var[W] = 1/3, so about 1/3 per layer for tanh (f'(0) = 1) and a further (1/4)² for the
sigmoid (f'(0) = 1/4): 1/48.

`preactivation_energies` computes, for each net, the squared norm of ∂L/∂s_l for every hidden layer l (summed over
the truth table's four rows), by autograd in float64; `layer_ratio` the per-layer ratio between consecutive hidden
layers (lower over upper): the geometric mean over the net's hidden layers of the ratio of the seed-mean energies,
(E‖δ₁‖² / E‖δ_D‖²)^(1/(D−1)), with a bootstrap interval over seeds (`ratio_interval`).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from lab.core import models, tasks
from lab.core.config import TrialConfig


def energies_of(weights, biases, activation: str, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """‖∂L/∂s_l‖² (summed over rows) for each hidden layer l of one net (weights[l]: out × in, float64), with the
    lecture's sigmoid output and MSE (the mean over rows and outputs)."""
    hidden = models.ACTIVATION_FORWARD[activation]
    a, pre = x, []
    last = len(weights) - 1
    for l, (w, b) in enumerate(zip(weights, biases)):
        s = a @ w.T + b
        if l < last:
            s.retain_grad()
            pre.append(s)
            a = hidden(s)
        else:
            a = torch.sigmoid(s)
    loss = torch.mean((a - y) ** 2)
    loss.backward()
    return np.array([float((s.grad ** 2).sum()) for s in pre])


def preactivation_energies(config: TrialConfig, seeds) -> np.ndarray:
    """(seeds, hidden layers) energies of `config`'s nets at initialisation (drawn as the engine draws seed s) on
    the truth table of its task."""
    layers = models.layout(config.layer_sizes)
    x = tasks.TABLE_INPUTS.to(torch.float64)
    y = tasks.targets(config.task, config.encoding, tasks.TABLE_INPUTS).to(torch.float64)
    out = []
    for seed in seeds:
        flat = models.init_params(config.layer_sizes, config.init, torch.Generator().manual_seed(int(seed)))
        flat = flat.to(torch.float64)
        weights = [flat[lay.w].reshape(lay.fan_out, lay.fan_in).clone().requires_grad_(True) for lay in layers]
        biases = [flat[lay.b].clone().requires_grad_(True) for lay in layers]
        out.append(energies_of(weights, biases, config.activation, x, y))
    return np.array(out)


def layer_ratio(energies) -> float:
    """(E‖δ_first‖² / E‖δ_last‖²)^(1/(layers − 1)) over the seed-mean energies of the hidden layers."""
    mean = np.asarray(energies, dtype=np.float64).mean(axis=0)
    if len(mean) < 2 or mean[-1] <= 0 or mean[0] <= 0:
        return math.nan
    return float((mean[0] / mean[-1]) ** (1.0 / (len(mean) - 1)))


def ratio_interval(energies, resamples: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """(ratio, 2.5 %, 97.5 %): seeds resampled with replacement."""
    energies = np.asarray(energies, dtype=np.float64)
    rng = np.random.default_rng(seed)
    n = len(energies)
    boot = np.array([layer_ratio(energies[rng.integers(0, n, n)]) for _ in range(resamples)])
    boot = boot[np.isfinite(boot)]
    return layer_ratio(energies), float(np.quantile(boot, 0.025)), float(np.quantile(boot, 0.975))


def top_layer_saturates(activation_mean, within: int, below: float) -> np.ndarray:
    """Per trial: whether the top hidden layer's mean activation on the truth table falls below `below` at some
    step among the first `within` (activation_mean: (trials, steps, hidden layers), from engine.train(trace=True))."""
    top = np.asarray(activation_mean)[:, :within, -1]
    return (top < below).any(axis=1)
