"""Saxe, McClelland & Ganguli (2014): deep linear networks learning from small weights.

The setting of their figures, on the lecture's task: inputs encoded as ±1 (the four rows of the truth table, which are
white: mean 0, covariance the identity), the AND target centred (its mean 1/4 subtracted), identity activation, width
2, no biases, MSE and full-batch gradient descent. The best linear fit of the centred target is y = (x₁ + x₂) / 4 with
loss 1/16; the start, from small weights, sits at the target's variance 3/16.

`plateau_lengths` trains every (seed, σ) net at once in float64 and returns, per net, the number of updates until the
loss is halfway from its start to the best linear fit's (the paper plots learning time; a plateau's length is the
same time measured from the start). From the paper's Eq. 15, with D hidden layers (D + 1 weight layers) each of
initial scale σ, the escape time grows like σ^−(D−1) for D ≥ 2 and like log(1/σ) for D = 1: `slope_fit` fits the
log–log slope with a bootstrap interval over seeds.

Initialisations (`init_weights`): "gaussian", every weight N(0, σ²) (σ None: the scaled Gaussian N(0, 1/fan_in));
"orthogonal", every layer a random orthogonal matrix (the last, 1 × 2, a unit row) times σ (None: 1), drawn as
torch.nn.init.orthogonal_ draws them. Each net's draws come from its own generator seeded with its seed.
"""

from __future__ import annotations

import math

import numpy as np
import torch

INPUTS = ((-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0))  # the truth table's rows encoded as ±1
AND_CENTRED = (-0.25, -0.25, -0.25, 0.75)  # AND minus its mean
BEST_LINEAR_LOSS = 1.0 / 16.0  # the loss of y = (x1 + x2) / 4 on the centred AND target
WIDTH = 2


def init_weights(depth: int, init: str, scale: float | None, seed: int) -> list[torch.Tensor]:
    """The D + 1 weight matrices (out × in, float64) of one net with `depth` hidden layers of width 2."""
    g = torch.Generator().manual_seed(int(seed))
    sizes = [2, *([WIDTH] * depth), 1]
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = torch.empty(fan_out, fan_in, dtype=torch.float64)
        if init == "orthogonal":
            a = torch.randn(max(fan_in, fan_out), min(fan_in, fan_out), generator=g, dtype=torch.float64)
            q, r = torch.linalg.qr(a)
            q = q * torch.sign(torch.diagonal(r))
            w = (q.T if fan_out < fan_in else q)[:fan_out, :fan_in] * (1.0 if scale is None else scale)
        elif init == "gaussian":
            std = math.sqrt(1.0 / fan_in) if scale is None else scale
            w.normal_(0.0, std, generator=g)
        else:
            raise ValueError(f"init must be gaussian or orthogonal (got {init!r})")
        weights.append(w)
    return weights


def losses(weights: list[torch.Tensor], x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-net MSE of stacked nets: weights[l] is (nets, out, in), x (rows, 2), y (rows,)."""
    a = x.T.expand(weights[0].shape[0], -1, -1)  # (nets, 2, rows)
    for w in weights:
        a = w @ a
    return ((a[:, 0, :] - y) ** 2).mean(dim=1)


def plateau_lengths(depth: int, scales, seeds, lr: float, max_steps: int, init: str = "gaussian",
                    left: float = 0.5) -> np.ndarray:
    """(len(seeds), len(scales)) updates of full-batch gradient descent until each net's loss is halfway from its
    start to the best linear fit's (`left`: the share of that gap still left, 0.5 halfway); NaN where that takes more
    than `max_steps`."""
    x = torch.tensor(INPUTS, dtype=torch.float64)
    y = torch.tensor(AND_CENTRED, dtype=torch.float64)
    nets = [(s, k) for s in seeds for k in range(len(scales))]
    per_net = [init_weights(depth, init, scales[k], s) for s, k in nets]
    weights = [torch.stack([net[l] for net in per_net]).requires_grad_(True) for l in range(depth + 1)]
    with torch.no_grad():
        start = losses(weights, x, y)
    half = BEST_LINEAR_LOSS + (start - BEST_LINEAR_LOSS) * left
    found = torch.full((len(nets),), math.nan, dtype=torch.float64)
    for step in range(max_steps + 1):
        loss = losses(weights, x, y)
        reached = (loss.detach() <= half) & torch.isnan(found)
        found[reached] = step
        if not torch.isnan(found).any():
            break
        grads = torch.autograd.grad(loss.sum(), weights)
        with torch.no_grad():
            for w, g in zip(weights, grads):
                w -= lr * g
    return found.numpy().reshape(len(seeds), len(scales))


def fit_slope(scales, lengths) -> float:
    """Least-squares slope of log(length) against log(scale) over every finite (scale, length) pair; lengths is
    (seeds, scales)."""
    lengths = np.asarray(lengths, dtype=np.float64)
    xs = np.broadcast_to(np.log(np.asarray(scales, dtype=np.float64)), lengths.shape)
    ok = np.isfinite(lengths) & (lengths > 0)
    if ok.sum() < 2 or np.ptp(xs[ok]) == 0:
        return math.nan
    return float(np.polyfit(xs[ok], np.log(lengths[ok]), 1)[0])


def slope_fit(scales, lengths, resamples: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """(slope, 2.5 %, 97.5 % percentile bootstrap interval): seeds (rows of `lengths`) resampled with replacement."""
    lengths = np.asarray(lengths, dtype=np.float64)
    slope = fit_slope(scales, lengths)
    rng = np.random.default_rng(seed)
    n = lengths.shape[0]
    boot = np.array([fit_slope(scales, lengths[rng.integers(0, n, n)]) for _ in range(resamples)])
    boot = boot[np.isfinite(boot)]
    if not len(boot):
        return slope, math.nan, math.nan
    return slope, float(np.quantile(boot, 0.025)), float(np.quantile(boot, 0.975))
