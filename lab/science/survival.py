"""Time to solve as survival data: Kaplan–Meier curves of the solved fraction, and the median time to solve.

The curve. S(t), the fraction of trials not yet solved after t steps, is the Kaplan–Meier product-limit estimate
(Kaplan & Meier, 1958) over trials censored at the step budget (see `trials`), computed by `scipy.stats.ecdf` on
`scipy.stats.CensoredData`. The solved fraction is 1 - S(t): unlike the plain fraction of seeds solved by t, it stays
correct if trials are censored at different steps. Its pointwise 95% band is scipy's `sf.confidence_interval` with
method="log-log", the log(-log) transformed "exponential Greenwood" interval (Kalbfleisch & Prentice, 2002), which is
lifelines' default too. That band is undefined where S = 1 or S = 0: before the first solve it is taken as [1, 1], and
at the step where S reaches 0 (every remaining trial solves there) as [0, 0], as lifelines reports it; scipy computes
the band of every earlier step from that step's history alone, so it is computed with those last solves censored
(identical numbers before that step, and no undefined values).

The median. The median time to solve is the smallest step t with S(t) <= 1/2 (lifelines' and R's `survfit`'s rule,
up to R's averaging over a flat stretch at exactly 1/2); it is missing (NaN) when fewer than half the trials solve.
Its 95% interval is Brookmeyer & Crowley's (1982) as R's `survfit` and lifelines' `median_survival_times` report it:
the steps where the lower and the upper curve of the 95% band first reach 1/2 (from the log(-log) band here); an end
the band never reaches within the budget is missing (NaN): the interval is open to that side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from lab.science import trials as tt

HALF = 0.5 + 1e-12  # S(t) at exactly 1/2, computed as a product, may round just above it


@dataclass(frozen=True)
class Curve:
    """S(t) of one config as a right-continuous step function: values from each `step` to the next."""

    step: np.ndarray  # 0, then each step where a trial solved or was censored
    survival: np.ndarray
    low: np.ndarray  # the band's lower and upper curves of S
    high: np.ndarray
    n: int
    solved: int
    budget: int


def kaplan_meier(time: np.ndarray, solved: np.ndarray, budget: int | None = None, confidence: float = 0.95) -> Curve:
    """The Kaplan–Meier curve with its pointwise log(-log) band, of trials solved at `time` (or censored there)."""
    time, solved = np.asarray(time, dtype=float), np.asarray(solved, dtype=bool)
    if len(time) == 0:
        raise ValueError("no trials")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    budget = int(time.max()) if budget is None else int(budget)
    if not solved.any():
        step, survival = np.array([float(budget)]), np.ones(1)
        low, high = survival, survival
    else:
        result = stats.ecdf(tt.censored(time, solved)).sf
        step, survival = result.quantiles, result.probabilities
        if survival[-1] > 0:
            band = result.confidence_interval(confidence, method="log-log")
            low, high = band.low.probabilities, band.high.probabilities
        else:
            earlier = solved & (time < step[-1])
            if earlier.any():
                band = stats.ecdf(tt.censored(time, earlier)).sf.confidence_interval(confidence, method="log-log")
                low, high = band.low.probabilities.copy(), band.high.probabilities.copy()
                low[-1] = high[-1] = 0.0
            else:  # every solve at one step, and no trial left after it
                low, high = survival, survival
    if step[0] > 0:
        step, survival, low, high = (np.concatenate([[first], v]) for first, v in
                                     ((0.0, step), (1.0, survival), (1.0, low), (1.0, high)))
    return Curve(step, survival, low, high, len(time), int(solved.sum()), budget)


def _first_at_or_below_half(step: np.ndarray, values: np.ndarray) -> float:
    reached = np.flatnonzero(values <= HALF)
    return float(step[reached[0]]) if len(reached) else math.nan


def median(curve: Curve) -> tuple[float, float, float]:
    """(median, lower, upper): the median step to solve and its Brookmeyer–Crowley interval; NaN where not reached."""
    return (_first_at_or_below_half(curve.step, curve.survival),
            _first_at_or_below_half(curve.step, curve.low),
            _first_at_or_below_half(curve.step, curve.high))


def curves(trials: pd.DataFrame, labels=None, confidence: float = 0.95) -> dict[str, Curve]:
    """Label -> its Kaplan–Meier curve."""
    out = {}
    for label, group in tt.groups(trials, labels).items():
        time, solved, budget = tt.times(group)
        out[label] = kaplan_meier(time, solved, budget, confidence)
    return out


def solved_curves(trials: pd.DataFrame, labels=None, confidence: float = 0.95) -> pd.DataFrame:
    """Long table for a step chart: label, step, solved_fraction = 1 - S(step), and its band lo, hi; one row at step
    0, at every step where the curve may change, and at the budget (each value holds until the next row's step)."""
    frames = []
    for label, curve in curves(trials, labels, confidence).items():
        step, survival, low, high = curve.step, curve.survival, curve.low, curve.high
        if step[-1] < curve.budget:
            step, survival, low, high = (np.append(v, last) for v, last in
                                         ((step, curve.budget), (survival, survival[-1]), (low, low[-1]),
                                          (high, high[-1])))
        frames.append(pd.DataFrame({"label": label, "step": step.astype(np.int64), "solved_fraction": 1 - survival,
                                    "lo": 1 - high, "hi": 1 - low}))
    return pd.concat(frames, ignore_index=True)


def median_table(trials: pd.DataFrame, labels=None, confidence: float = 0.95) -> pd.DataFrame:
    """One row per config: label, n, solved, median_steps and its interval median_lo, median_hi (NaN: not reached
    within the budget: for median_steps, fewer than half the trials solved)."""
    rows = []
    for label, curve in curves(trials, labels, confidence).items():
        m, lo, hi = median(curve)
        rows.append({"label": label, "n": curve.n, "solved": curve.solved, "median_steps": m, "median_lo": lo,
                     "median_hi": hi})
    return pd.DataFrame(rows, columns=["label", "n", "solved", "median_steps", "median_lo", "median_hi"])
