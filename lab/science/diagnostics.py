"""Why a trial stalls: plateaus of the truth-table loss, the exact Hessian there, and per-layer gradient pictures.

The lecture says networks of four or more layers stall at saddle points (vanishing gradients) and that ReLU and
friends fixed it. This module measures each half of that claim on the lab's own trials; nothing here trains except
`params_at`, which re-runs one trial with the engine. Pure functions: numpy / pandas / torch.func, no UI.

Stalls are found by `lab.science.stalls` (and re-exported here).

**Hessian** (`hessian`, `classify`, `classify_hessian`, `params_at`, `classify_stalls`, `saddle_fraction`). The
exact Hessian of the full truth-table loss (the mean over the 4 rows and all outputs, with the config's loss) with
respect to every parameter of one trial, by `torch.func` on a float64 forward pass built from the flat parameter
vector as `models.layout` lays it out. BCE is computed from the output layer's pre-activation z as
softplus(z) − y·z, the same function as `nn.BCELoss(sigmoid(z))` without its clamp of the logarithms at −100 (which
only bites at outputs within e^−100 of 0 or 1) and exact to the last bit where sigmoid saturates.

A point is classified from its gradient g, the eigenvalues λ (eigenvectors v) of its Hessian H, and its loss L
(`classify_hessian`):

- curvature, from the eigenvalues alone: "saddle" when some λ < −eig_tol and some λ > eig_tol; "minimum" when every
  λ >= −eig_tol and some λ > eig_tol (flat directions, |λ| <= eig_tol, are allowed: these networks have exact
  symmetries and dead or saturated units, so their minima are rarely strict); "maximum" when every λ <= eig_tol and
  some λ < −eig_tol; "degenerate" when every |λ| <= eig_tol (second order says nothing);
- stationary when ‖g‖ < grad_tol;
- near-stationary when stationary, or when the critical point of the local quadratic model is close in loss: the
  gap ½ Σ (vᵢ·g)² / |λᵢ| over the curved directions (|λᵢ| > eig_tol) — the saddle-free Newton decrement, with
  Dauphin et al.'s |H| — is at most gap_tol × L, and the gradient along the flat directions is below grad_tol;
- kind: the curvature when near-stationary, else "not stationary".

`index_alpha` is the fraction of eigenvalues below −eig_tol, the index of Dauphin et al. (2014).

Tolerances. Plateaus of these nets are rarely exactly at a critical point: minibatch noise keeps the parameters
jostling across the valley of the positive-curvature directions, so the full-table gradient at a plateau's midpoint
is typically 0.002 to 0.04 (lecture sweep, 270 stall midpoints), the same order as during a descent (0.04 to 0.4).
What differs is where that gradient points: at a plateau almost all of it lies along positive curvature, so moving
to the quadratic model's critical point would lower the loss by a median 0.6% of it (90% below 6%), while during a
descent the gap is 18% to 800% of the loss and at the end of a solved run, which approaches its minimum only at
infinity, about 50%. Hence gap_tol = 0.1: near-stationary means the point sits within 10% of its loss of a
critical point of the local quadratic model; since MSE and BCE are >= 0, this is scale-free. grad_tol = 1e-3 is the
strict test (`stationary`), which plateau midpoints seldom pass; the gradient norm and the gap are always reported
beside the kind, so a reader can judge "near" for themselves. eig_tol = 1e-5 sits far above the float64 Hessian's
rounding (checked against finite differences in tests/science/test_diagnostics.py) and below the negative curvatures
of the lecture's sigmoid and tanh plateaus (about −1e-4 to −1e-2).

**Layers** (`layer_profile`, `vanishing_ratio`): per step and layer the gradient norm (every run) and, from runs
trained with `engine.train(..., trace=True)`, each hidden layer's mean activation and saturated fraction (Glorot &
Bengio 2010's pictures); the ratio of each layer's gradient norm to the output layer's, the vanishing-gradient
signature.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch
from torch import func as tfunc

from lab.core import models, tasks
from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.core.runs import Runs
from lab.science.stalls import (
    EIG_TOL,
    FLAT,  # noqa: F401
    GRAD_TOL,
    HIGH,  # noqa: F401
    MIN_STEPS,  # noqa: F401
    SMOOTH,  # noqa: F401
    WINDOW,  # noqa: F401
    find_stalls,  # noqa: F401
    reference_loss,  # noqa: F401
    stall_summary,
    stalls,  # noqa: F401
)

GAP_TOL = 0.1  # near-stationary: the local quadratic model's critical point within 10% of the loss


MAX_PARAMS = 4096  # the largest Hessian computed (P × P float64: 128 MiB)


KINDS = ("saddle", "minimum", "maximum", "degenerate", "not stationary")


# ---- the exact Hessian ----------------------------------------------------------------------------------------------
def table_loss_function(config: TrialConfig, dtype=torch.float64):
    """The truth-table loss of `config`'s network as a function of one flat parameter vector (P,): the mean over the
    4 rows and all outputs of MSE, or BCE written as softplus(z) − y·z on the output pre-activation z."""
    layers = models.layout(config.layer_sizes)
    x = tasks.table_inputs(config.encoding).to(dtype)  # 0/1, or ±1 with the pm1 encoding
    y = tasks.targets(config.task, config.encoding, tasks.TABLE_INPUTS).to(dtype)
    hidden = models.ACTIVATION_FORWARD[config.activation]
    last = len(layers) - 1

    def loss(flat: torch.Tensor) -> torch.Tensor:
        a = x
        for l, lay in enumerate(layers):
            w = flat[lay.w].reshape(lay.fan_out, lay.fan_in)
            z = a @ w.T + flat[lay.b]
            a = z if l == last else hidden(z)
        if config.loss_fn == "bce":
            return torch.mean(torch.nn.functional.softplus(a) - y * a)
        return torch.mean(((a if config.output == "identity" else torch.sigmoid(a)) - y) ** 2)

    return loss


def hessian_of(f, point) -> tuple[np.ndarray, np.ndarray]:
    """(Hessian (P, P), gradient (P,)) of a scalar function of a vector at `point`, in float64, by torch.func."""
    p = torch.as_tensor(np.asarray(point, dtype=np.float64))
    # reverse over reverse (torch.func.hessian's forward-over-reverse gives the same numbers, but its first use
    # makes torch script its forward-mode decompositions, with a deprecation warning)
    grad = tfunc.grad(f)(p)
    hess = tfunc.jacrev(tfunc.jacrev(f))(p)
    hess = 0.5 * (hess + hess.T)  # exactly symmetric (the two halves round differently)
    return hess.detach().numpy(), grad.detach().numpy()


def hessian(config: TrialConfig, params) -> tuple[np.ndarray, np.ndarray]:
    """The exact Hessian (P, P) and gradient (P,) of the truth-table loss of `config` at one trial's flat parameters
    (laid out as `models.layout`), in float64."""
    params = np.asarray(params, dtype=np.float64).ravel()
    count = models.param_count(config.layer_sizes)
    if params.shape != (count,):
        raise ValueError(f"params must have the config's {count} entries (got {params.shape[0]})")
    if count > MAX_PARAMS:
        raise ValueError(f"the Hessian of {count} parameters is too large (at most {MAX_PARAMS})")
    return hessian_of(table_loss_function(config), params)


def classify_hessian(hess, grad, loss: float | None = None, grad_tol: float = GRAD_TOL, eig_tol: float = EIG_TOL,
                     gap_tol: float = GAP_TOL) -> dict:
    """The kind of a point from its Hessian, its gradient and (for the near-stationary test) its loss, which must be
    >= 0 with infimum 0 as MSE and BCE are (see the module docstring). Returns eigenvalues (ascending), min_eig,
    max_eig, index_alpha (fraction of eigenvalues < −eig_tol), n_negative / n_positive / n_flat, grad_norm, gap
    (½ gᵀ|H|⁺g over the eigenvalues with |λ| > eig_tol), flat_grad (the gradient's norm along the others), loss,
    stationary (grad_norm < grad_tol), near_stationary (stationary, or gap <= gap_tol × loss and flat_grad <
    grad_tol; needs `loss`), curvature (saddle / minimum / maximum / degenerate, from the eigenvalues alone) and kind
    (the curvature if near-stationary, else "not stationary")."""
    hess = np.asarray(hess, dtype=np.float64)
    grad = np.asarray(grad, dtype=np.float64).ravel()
    eig, vectors = np.linalg.eigh(0.5 * (hess + hess.T))
    neg, pos = int((eig < -eig_tol).sum()), int((eig > eig_tol).sum())
    if neg and pos:
        curvature = "saddle"
    elif pos:
        curvature = "minimum"
    elif neg:
        curvature = "maximum"
    else:
        curvature = "degenerate"
    along = vectors.T @ grad  # the gradient in the eigenbasis
    curved = np.abs(eig) > eig_tol
    gap = float(0.5 * np.sum(along[curved] ** 2 / np.abs(eig[curved])))
    flat_grad = float(np.linalg.norm(along[~curved]))
    grad_norm = float(np.linalg.norm(grad))
    stationary = grad_norm < grad_tol
    near = stationary or (loss is not None and math.isfinite(loss) and gap <= gap_tol * loss and flat_grad < grad_tol)
    return {
        "eigenvalues": eig,
        "min_eig": float(eig[0]),
        "max_eig": float(eig[-1]),
        "index_alpha": neg / len(eig),
        "n_negative": neg,
        "n_positive": pos,
        "n_flat": len(eig) - neg - pos,
        "grad_norm": grad_norm,
        "gap": gap,
        "flat_grad": flat_grad,
        "loss": math.nan if loss is None else float(loss),
        "stationary": stationary,
        "near_stationary": bool(near),
        "curvature": curvature,
        "kind": curvature if near else "not stationary",
    }


def table_loss(config: TrialConfig, params) -> float:
    """The truth-table loss of `config` at flat parameters `params`, in float64 (as `hessian` differentiates it)."""
    flat = torch.as_tensor(np.asarray(params, dtype=np.float64).ravel())
    with torch.no_grad():
        return float(table_loss_function(config)(flat))


def classify(config: TrialConfig, params, grad_tol: float = GRAD_TOL, eig_tol: float = EIG_TOL,
             gap_tol: float = GAP_TOL) -> dict:
    """`classify_hessian` of the truth-table loss of `config` at the flat parameters `params`."""
    hess, grad = hessian(config, params)
    return classify_hessian(hess, grad, table_loss(config, params), grad_tol=grad_tol, eig_tol=eig_tol,
                            gap_tol=gap_tol)


def params_at(config: TrialConfig, seed: int, step: int) -> np.ndarray:
    """Trial `seed`'s flat parameters after `step` updates, by re-running it with the engine (a trial's random stream
    is a prefix of the longer run's, so these are exactly the parameters its full run passed through)."""
    step = int(step)
    if not 0 <= step <= config.steps:
        raise ValueError(f"step must be from 0 to {config.steps} (got {step})")
    return _params_at(config, [int(seed)], [step])[0]


def _params_at(config: TrialConfig, seeds, steps) -> list[np.ndarray]:
    """Parameters of (seed, step) pairs: one engine run per distinct step, its seeds trained together."""
    out: list[np.ndarray | None] = [None] * len(seeds)
    for step in sorted(set(steps)):
        picks = [k for k, t in enumerate(steps) if t == step]
        chosen = [seeds[k] for k in picks]
        if step == 0:
            params = [models.init_params(config.layer_sizes, config.init, torch.Generator().manual_seed(s),
                                         scale=config.init_scale, bias=config.bias).numpy()
                      for s in chosen]
        else:
            params = list(train(config.replace(steps=step), chosen).params)
        for k, p in zip(picks, params):
            out[k] = np.asarray(p)
    return out


CLASSIFY_COLUMNS = ("kind", "curvature", "grad_norm", "gap", "loss", "near_stationary", "min_eig", "max_eig",
                    "index_alpha", "n_negative")


STALL_THRESHOLDS = ("high", "flat", "window", "smooth", "min_steps")


def classify_stalls(config: TrialConfig, runs: Runs, seeds=None, grad_tol: float = GRAD_TOL, eig_tol: float = EIG_TOL,
                    gap_tol: float = GAP_TOL, at_end: bool = True, **thresholds) -> pd.DataFrame:
    """For each stalled trial of `runs` (the trials of `config`; only those of `seeds` if given): its longest stall
    (longest_start, longest_end, longest_mid) and the classification of the point at that stall's midpoint (columns
    mid_kind, mid_curvature, mid_grad_norm, mid_gap, mid_loss, mid_near_stationary, mid_min_eig, mid_max_eig,
    mid_index_alpha, mid_n_negative) and, with `at_end`, of its final parameters (end_kind, ...). Parameters at the
    midpoint come from re-running the trial (`params_at`); those at the end are the engine's final parameters
    (`runs.params`). `thresholds`: those of `stalls`."""
    if config != runs.config:
        raise ValueError("runs must hold the trials of config")
    table = stalls(runs, **thresholds)
    table = table[table["stall_count"] > 0]
    if seeds is not None:
        table = table[table["seed"].isin([int(s) for s in seeds])]
    table = table.reset_index(drop=True)
    columns = ["seed", "stall_count", "longest_start", "longest_end", "longest_mid", "stuck_at_end", "solved",
               "escaped"]
    frame = table[columns].copy()
    tolerances = {"grad_tol": grad_tol, "eig_tol": eig_tol, "gap_tol": gap_tol}
    mids = _params_at(config, table["seed"].tolist(), table["longest_mid"].tolist())
    results = {"mid": [classify(config, p, **tolerances) for p in mids]}
    if at_end:
        where = {s: k for k, s in enumerate(runs.seeds)}
        results["end"] = [classify(config, runs.params[where[s]], **tolerances) for s in table["seed"]]
    for prefix, found in results.items():
        for column in CLASSIFY_COLUMNS:
            frame[f"{prefix}_{column}"] = pd.Series([r[column] for r in found], dtype=object if not found else None)
    return frame


def saddle_fraction(runs: Runs, max_stalls: int | None = 5, sample_seed: int = 0, grad_tol: float = GRAD_TOL,
                    eig_tol: float = EIG_TOL, gap_tol: float = GAP_TOL, **thresholds) -> dict:
    """The Hessian test on one config's stalls: among its stalled trials (at most `max_stalls` of them, drawn at
    random with `sample_seed`; None: all), the midpoint of each one's longest stall is classified. Returns
    saddle_fraction (kind "saddle": near-stationary with negative and positive curvature), minimum_fraction,
    negative_curvature_fraction (an eigenvalue < −eig_tol, whatever the gradient), near_stationary_fraction,
    grad_norm_median, and n_tested (NaN fractions when no trial stalled, or when the net has more than MAX_PARAMS
    parameters: its Hessian is not computed)."""
    table = stalls(runs, **thresholds)
    stalled = table["seed"][table["stall_count"] > 0].to_numpy()
    if models.param_count(runs.config.layer_sizes) > MAX_PARAMS:
        stalled = stalled[:0]
    if max_stalls is not None and len(stalled) > max_stalls:
        stalled = np.sort(np.random.default_rng(sample_seed).choice(stalled, size=max_stalls, replace=False))
    names = ("saddle_fraction", "minimum_fraction", "negative_curvature_fraction", "near_stationary_fraction",
             "grad_norm_median")
    if len(stalled) == 0:
        return {**dict.fromkeys(names, math.nan), "n_tested": 0}
    found = classify_stalls(runs.config, runs, seeds=stalled, grad_tol=grad_tol, eig_tol=eig_tol, gap_tol=gap_tol,
                            at_end=False, **thresholds)
    return {
        "saddle_fraction": float((found["mid_kind"] == "saddle").mean()),
        "minimum_fraction": float((found["mid_kind"] == "minimum").mean()),
        "negative_curvature_fraction": float((found["mid_n_negative"] > 0).mean()),
        "near_stationary_fraction": float(found["mid_near_stationary"].astype(bool).mean()),
        "grad_norm_median": float(found["mid_grad_norm"].astype(float).median()),
        "n_tested": len(found),
    }


DIAGNOSE_COLUMNS = ("stalled_fraction", "escaped_fraction", "stuck_fraction", "saddle_fraction", "n_saddle_tested")


def diagnose(runs_list, max_stalls: int | None = 5, sample_seed: int = 0, **options) -> pd.DataFrame:
    """For a sweep: one row per config (in the order of `runs_list`) with stalled_fraction, escaped_fraction,
    stuck_fraction (from `stall_summary`) and saddle_fraction with n_saddle_tested (from `saddle_fraction`, at most
    `max_stalls` stalls per config). `options`: the thresholds of `stalls` and the tolerances of `classify`."""
    stall_options = {k: v for k, v in options.items() if k in STALL_THRESHOLDS}
    rows = []
    for runs in runs_list:
        summary = stall_summary(runs, **stall_options)
        saddles = saddle_fraction(runs, max_stalls=max_stalls, sample_seed=sample_seed, **options)
        rows.append({**{k: summary[k] for k in DIAGNOSE_COLUMNS[:3]}, "saddle_fraction": saddles["saddle_fraction"],
                     "n_saddle_tested": saddles["n_tested"]})
    return pd.DataFrame(rows, columns=list(DIAGNOSE_COLUMNS))


def spectrum(config: TrialConfig, seed: int, step: int, end_params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Hessian test of one trial at `step` (re-run to there) and at its end: the eigenvalues (point, rank,
    eigenvalue, sign: negative / flat / positive), and one row per point with its classification."""
    points = {"mid": params_at(config, seed, step), "end": np.asarray(end_params, dtype=np.float64)}
    frames, rows = [], []
    for name, params in points.items():
        found = classify(config, params)
        eig = found["eigenvalues"]
        sign = np.where(eig < -EIG_TOL, "negative", np.where(eig > EIG_TOL, "positive", "flat"))
        frames.append(pd.DataFrame({"point": name, "rank": np.arange(1, len(eig) + 1), "eigenvalue": eig,
                                    "sign": sign}))
        rows.append({"point": name, "step": step if name == "mid" else config.steps,
                     **{k: found[k] for k in ("kind", "curvature", "near_stationary", "grad_norm", "loss",
                                              "n_negative", "n_flat", "n_positive", "min_eig", "max_eig")}})
    return pd.concat(frames, ignore_index=True), pd.DataFrame(rows)
