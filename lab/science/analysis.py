"""Aggregation over seeds: one row per config for comparison tables, and per-step bands for plots.

Unsolved trials are never dropped: in success rates they are failures, and in the quantiles of steps-to-solve they
count as "never" (+inf), so a median that falls on them is reported as missing (NaN), not as a flattering number.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lab.core.config import SETS
from lab.core.runs import Runs, with_config

Z95 = 1.959963984540054  # two-sided 95% normal quantile


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion (good at 0/n and n/n, unlike the normal approximation)."""
    if n == 0:
        return math.nan, math.nan
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo, hi = centre - half, centre + half
    return (0.0 if lo < 1e-12 else lo), (1.0 if hi > 1 - 1e-12 else hi)


def _quantile_or_nan(values: np.ndarray, q: float) -> float:
    """Linear-interpolation quantile where +inf stands for "never": NaN when it touches a "never"."""
    if len(values) == 0:
        return math.nan
    ordered = np.sort(values)
    pos = q * (len(ordered) - 1)
    lo, hi = int(math.floor(pos)), int(math.ceil(pos))
    if not (math.isfinite(ordered[lo]) and math.isfinite(ordered[hi])):
        return math.nan
    return float(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo))


def summary_row(runs: Runs) -> dict:
    solved = runs.solved
    n, k = len(solved), int(solved.sum())
    lo, hi = wilson_interval(k, n)
    steps = np.where(solved, runs.steps_to_solve, np.inf)
    final = runs.table_loss[:, -1]
    finite = final[np.isfinite(final)]
    return {
        "n_trials": n,
        "solved": k,
        "success_rate": k / n if n else math.nan,
        "success_lo": lo,
        "success_hi": hi,
        "steps_median": _quantile_or_nan(steps, 0.5),
        "steps_q25": _quantile_or_nan(steps, 0.25),
        "steps_q75": _quantile_or_nan(steps, 0.75),
        "final_loss_median": float(np.median(finite)) if len(finite) else math.nan,
        "final_loss_mean": float(np.mean(finite)) if len(finite) else math.nan,
        "diverged": int(runs.diverged.sum()),
        **({} if runs.evaluations is None else generalization_row(runs)),
    }


def generalization_row(runs: Runs) -> dict:
    """Finite data: medians over seeds of the early-stopping step and of the errors there and at the end."""
    stop = runs.early_stopping()
    with np.errstate(all="ignore"):
        return {f"{name}_median": float(np.nanmedian(values)) if len(values) else math.nan
                for name, values in stop.items()}


def summarize(runs_list: list[Runs]) -> pd.DataFrame:
    """One row per config: the config's fields, then n_trials, solved, success_rate with its 95% Wilson interval
    (success_lo, success_hi), steps_median / steps_q25 / steps_q75 to solve, final_loss_median / _mean, diverged."""
    rows = [{**runs.config.to_dict(), **summary_row(runs)} for runs in runs_list]
    return pd.DataFrame(rows)


def _smooth(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing moving average along steps (axis 1), NaN-aware; window 1 leaves the values as they are."""
    if window <= 1:
        return values
    frame = pd.DataFrame(values.T)
    return frame.rolling(window, min_periods=1).mean().to_numpy().T


METRICS = ("loss", "table_loss", "table_error")


def curve_bands(runs: Runs, metric: str = "loss", every: int = 1, smooth: int = 1) -> pd.DataFrame:
    """Per step: the median and the 25% / 75% quantiles over seeds of `metric` (loss = minibatch loss,
    table_loss, table_error), after an optional trailing moving average of `smooth` steps; every `every`-th step."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}")
    values = getattr(runs, metric)[:, : runs.loss.shape[1]].astype(np.float64)
    values = _smooth(values, smooth)
    idx = np.arange(0, values.shape[1], max(1, every))
    with np.errstate(all="ignore"):
        q25, median, q75 = np.nanquantile(values[:, idx], [0.25, 0.5, 0.75], axis=0)
    frame = pd.DataFrame({"step": idx, "median": median, "q25": q25, "q75": q75})
    return with_config(frame, runs.config)


def solved_by_step(runs: Runs, every: int = 1) -> pd.DataFrame:
    """Per step t: the fraction of seeds solved by t (solved at t and at every later step)."""
    steps = runs.loss.shape[1]
    idx = np.arange(0, steps + 1, max(1, every))
    reached = np.where(runs.solved, runs.steps_to_solve, np.inf)
    fraction = (reached[None, :] <= idx[:, None]).mean(axis=1) if len(reached) else np.full(len(idx), np.nan)
    return with_config(pd.DataFrame({"step": idx, "solved_fraction": fraction}), runs.config)


EVAL_KINDS = ("error", "loss")


OVERFIT_MARGIN = 0.02  # the median test error must rise this much above its lowest to call it overfitting


CAPACITY = ("test_error_final", "test_error_best", "train_error_final")  # per seed, from Runs.early_stopping


def seed_quantiles(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """25%, 50%, 75% over seeds (axis 0), ignoring NaN (diverged trials)."""
    with _quiet():
        q25, median, q75 = np.nanquantile(np.asarray(values, dtype=np.float64), [0.25, 0.5, 0.75], axis=0)
    return q25, median, q75


@contextlib.contextmanager
def _quiet():
    """All-NaN slices (every seed diverged) give NaN quietly."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def eval_bands(runs: Runs, kind: str = "error") -> pd.DataFrame:
    """Columns: set (train, val, test), step, median, q25, q75 of `kind` (error or loss) at each evaluation."""
    if kind not in EVAL_KINDS:
        raise ValueError(f"kind must be one of {', '.join(EVAL_KINDS)}")
    ev = runs.evaluations
    frames = []
    for name in SETS:
        q25, median, q75 = seed_quantiles(ev[f"{name}_{kind}"])
        frames.append(pd.DataFrame({"set": name, "step": np.asarray(ev["steps"]), "median": median, "q25": q25,
                                    "q75": q75}))
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class Story:
    """The figure in numbers: where the median test error is lowest, its value there and at the end, the training
    error at the end, and the early-stopping step (median over seeds of the lowest validation loss) with the
    median test error there."""

    best_step: int
    best_test: float
    final_test: float
    final_train: float
    stop_step: float
    test_at_stop: float

    @property
    def overfits(self) -> bool:
        return self.final_test - self.best_test >= OVERFIT_MARGIN and self.final_train < self.final_test


def story(steps, train_median, test_median, stop_step: float, test_at_stop: float) -> Story:
    """From median curves over evaluation steps (the first lowest point wins a tie)."""
    test = np.asarray(test_median, dtype=np.float64)
    best = int(np.nanargmin(test)) if np.isfinite(test).any() else len(test) - 1
    return Story(int(np.asarray(steps)[best]), float(test[best]), float(test[-1]), float(np.asarray(train_median)[-1]),
                 float(stop_step), float(test_at_stop))


def story_of(runs: Runs) -> Story:
    ev, stop = runs.evaluations, runs.early_stopping()
    with _quiet():
        return story(ev["steps"], np.nanmedian(ev["train_error"], axis=0), np.nanmedian(ev["test_error"], axis=0),
                     np.nanmedian(stop["best_step"]), np.nanmedian(stop["test_error_best"]))
