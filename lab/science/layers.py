"""Per-layer pictures of a run: gradient norms and saturation by layer, the vanishing ratio of the first layer's
gradient to the output layer's."""

from __future__ import annotations

import math
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd

from lab.core.runs import Runs


# ---- per-layer pictures ---------------------------------------------------------------------------------------------
def layer_profile(runs: Runs, every: int = 1) -> pd.DataFrame:
    """Long format, one row per trial, step and layer (1 = first hidden layer, depth + 1 = the output layer): seed,
    step, layer, grad_norm (of the layer's weight and bias), and for hidden layers of a traced run
    (`engine.train(..., trace=True)`) activation_mean and saturation (NaN otherwise), every `every`-th step."""
    n, steps, n_layers = runs.grad_norm.shape
    idx = np.arange(0, steps, max(1, int(every)))
    grad = runs.grad_norm[:, idx, :]  # (n, t, layers)
    act = np.full(grad.shape, np.nan)
    sat = np.full(grad.shape, np.nan)
    if runs.activation_mean is not None and runs.saturation is not None:
        act[:, :, : n_layers - 1] = runs.activation_mean[:, idx, :]
        sat[:, :, : n_layers - 1] = runs.saturation[:, idx, :]
    seeds = np.asarray(runs.seeds, dtype=np.int64)
    return pd.DataFrame({
        "seed": np.repeat(seeds, len(idx) * n_layers),
        "step": np.tile(np.repeat(idx, n_layers), n),
        "layer": np.tile(np.arange(1, n_layers + 1), n * len(idx)),
        "grad_norm": grad.ravel().astype(np.float64),
        "activation_mean": act.ravel(),
        "saturation": sat.ravel(),
    })


def _ratios(runs: Runs) -> np.ndarray:
    """grad_norm of each layer over the output layer's, (n, steps, layers); NaN where the output layer's is 0."""
    grad = runs.grad_norm.astype(np.float64)
    last = grad[:, :, -1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(last > 0, grad / np.where(last > 0, last, 1.0), np.nan)


def vanishing_ratio(runs: Runs, every: int = 1) -> pd.DataFrame:
    """Per step and layer: the median and 25% / 75% quantiles over seeds of the layer's gradient norm divided by
    the output layer's (1 for the output layer itself; values far below 1 in the first layers are vanishing
    gradients). Long format: step, layer, median, q25, q75."""
    ratio = _ratios(runs)
    n, steps, n_layers = ratio.shape
    idx = np.arange(0, steps, max(1, int(every)))
    with np.errstate(all="ignore"), _quiet_nan():
        q25, median, q75 = np.nanquantile(ratio[:, idx, :], [0.25, 0.5, 0.75], axis=0)  # (t, layers)
    return pd.DataFrame({
        "step": np.repeat(idx, n_layers),
        "layer": np.tile(np.arange(1, n_layers + 1), len(idx)),
        "median": median.ravel(),
        "q25": q25.ravel(),
        "q75": q75.ravel(),
    })


def first_last_ratio(runs: Runs) -> float:
    """One number per config: the median over seeds of each trial's median over steps of grad_norm(first layer) /
    grad_norm(output layer) (NaN where undefined)."""
    ratio = _ratios(runs)[:, :, 0]
    with np.errstate(all="ignore"), _quiet_nan():
        per_trial = np.nanmedian(ratio, axis=1)
        value = np.nanmedian(per_trial) if np.isfinite(per_trial).any() else math.nan
    return float(value)


@contextmanager
def _quiet_nan():
    """Silence numpy's all-NaN-slice RuntimeWarnings (a dead ReLU net has no gradient at all)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield
