"""Stalls: stretches of training where the truth-table loss stays high and flat (the lecture's plateaus).

**Stalls** (`find_stalls`, `stalls`, `stall_summary`). A stall is a stretch of at least `min_steps` updates during
which the truth-table loss stays *high* and *flat*. Losses are measured in units of the *reference loss*, the loss
of always answering 0.5 (`reference_loss`: MSE 0.25, BCE ln 2 ≈ 0.693, whatever the task and encoding), so one set of
thresholds serves both criteria. Precisely, with `s` the lower envelope of the table-loss curve (a centred running
minimum over `smooth` steps: on a plateau the loss sits at a floor and minibatch noise or momentum only pushes it
*up*, for a few to a few dozen steps), the window of steps [t, t + window] is *stalled* when

- high: min(s[t .. t + window]) > high × reference (default 0.4: MSE 0.1, BCE 0.277), and
- flat: |s[t + window] − s[t]| < flat × reference (default 0.02 over 50 steps: MSE 0.005, i.e. a mean slope below
  1e-4 per step; BCE 0.0139).

Consecutive stalled windows form a stall from the first window's start to the last one's end; stalls that share a
step are merged (an excursion that breaks the flat test at one end of some windows does not split the plateau),
while two plateaus with a drop between them stay two. A stall is reported as (start, end): the loss stays high and
flat from step `start` to step `end` (steps index `Runs.table_loss`: step t is after t updates; the stall lasts
end − start updates), and is kept when end − start >= min_steps (default 100).

Why these defaults: the plateaus of the lecture's AND network sit at the loss of the best constant answer (output 1/4
everywhere: MSE 0.1875 = 0.75 reference, BCE 0.562 = 0.81 reference) or of a net with one row right (MSE 1/6 =
0.67 reference; dead-ReLU nets also at 0.125 = 0.5 reference); XOR's at 0.5 everywhere (1.0 reference). A "high" bar
at 0.4 reference catches all of them, and leaves out the slow final approach of a solved net (MSE below 0.1 means
each row is off by less than about 0.3). A solving descent drops by 0.01 to 0.03 MSE per 50 steps, several times the
flat bar. On a plateau, SGD (lr 1) and momentum / Adam make the loss wander 0.01 to 0.04 above the floor: a running
median or mean would still carry that into the flat test (the lecture sweep then misses the stall of 40 of its 1,001
failed trials), the envelope over 21 steps carries none of it (every failed trial shows a stall). An excursion
longer than `smooth` steps can still split one plateau into two stalls, so count trials with stalls rather than
stalls.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from lab.core.runs import Runs
from lab.science.layers import first_last_ratio

# ---- thresholds (fractions of the reference loss, steps) ---------------------------------------------------------
HIGH = 0.4  # a stalled loss stays above HIGH × reference (MSE 0.1, BCE 0.277)


FLAT = 0.02  # ... and changes by less than FLAT × reference over WINDOW steps (MSE 0.005, BCE 0.0139)


WINDOW = 50  # steps


SMOOTH = 21  # steps of the centred running minimum (the lower envelope) taken first (1: none)


MIN_STEPS = 100  # the shortest stall


def reference_loss(loss_fn: str) -> float:
    """The truth-table loss of always answering 0.5: MSE 0.25, BCE ln 2 (for any task and encoding)."""
    if loss_fn == "bce":
        return math.log(2.0)
    if loss_fn == "mse":
        return 0.25
    raise ValueError(f"loss_fn must be mse or bce (got {loss_fn!r})")


# ---- stalls ---------------------------------------------------------------------------------------------------------
def _check_thresholds(high, flat, window, smooth, min_steps):
    if not (high >= 0 and flat > 0):
        raise ValueError(f"high must be >= 0 and flat > 0 (got high={high}, flat={flat})")
    for name, value in (("window", window), ("smooth", smooth), ("min_steps", min_steps)):
        if int(value) != value or value < (0 if name == "min_steps" else 1):
            raise ValueError(f"{name} must be a whole number >= {0 if name == 'min_steps' else 1} (got {value})")


def _smoothed(curves: np.ndarray, smooth: int) -> np.ndarray:
    """The lower envelope: a centred running minimum along axis 1 over `smooth` steps (shorter at the ends)."""
    if smooth <= 1:
        return curves
    frame = pd.DataFrame(curves.T)
    return frame.rolling(smooth, center=True, min_periods=1).min().to_numpy().T


def _stall_segments(curves: np.ndarray, reference: float, high: float, flat: float, window: int, smooth: int,
                    min_steps: int):
    """Every stall of every curve of a (n, T) array, as arrays (row, start, end) ordered by row, then start."""
    _check_thresholds(high, flat, window, smooth, min_steps)
    curves = np.asarray(curves, dtype=np.float64)
    n, length = curves.shape
    empty = np.zeros(0, dtype=np.int64)
    if length <= window:
        return empty, empty, empty
    s = _smoothed(curves, smooth)
    with np.errstate(invalid="ignore"):
        lowest = pd.DataFrame(s.T).rolling(window + 1).min().to_numpy().T[:, window:]  # min of s[t .. t + window]
        change = np.abs(s[:, window:] - s[:, :-window])
        ok = (lowest > high * reference) & (change < flat * reference)  # (n, T - window): window [t, t + window]
    # runs of stalled window starts t0 .. t1 cover steps t0 .. t1 + window
    padded = np.zeros((n, ok.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = ok
    edges = np.diff(padded, axis=1)
    rows, first = np.nonzero(edges == 1)
    _, after = np.nonzero(edges == -1)  # both in (row, position) order: starts and stops pair up
    start, end = first, after - 1 + window
    if len(rows):  # merge stalls that share steps (a short bump splits a run of stalled windows, not the plateau)
        key_end = rows * (length + 1) + end
        before = np.concatenate([[-1], np.maximum.accumulate(key_end)[:-1]])
        new = rows * (length + 1) + start > before
        groups = np.flatnonzero(new)
        rows, start, end = rows[groups], start[groups], np.maximum.reduceat(end, groups)
    keep = end - start >= min_steps
    return rows[keep], start[keep], end[keep]


def find_stalls(curve, reference: float = 0.25, high: float = HIGH, flat: float = FLAT, window: int = WINDOW,
                smooth: int = SMOOTH, min_steps: int = MIN_STEPS) -> list[tuple[int, int]]:
    """The stalls of one loss curve as (start, end) steps, in order: see the module docstring for the definition.
    `high` and `flat` are fractions of `reference` (the loss of answering 0.5: 0.25 for MSE, ln 2 for BCE)."""
    curve = np.asarray(curve, dtype=np.float64).reshape(1, -1)
    _, start, end = _stall_segments(curve, reference, high, flat, window, smooth, min_steps)
    return [(int(a), int(b)) for a, b in zip(start, end)]


def stalls(runs: Runs, high: float = HIGH, flat: float = FLAT, window: int = WINDOW, smooth: int = SMOOTH,
           min_steps: int = MIN_STEPS) -> pd.DataFrame:
    """One row per trial (in the order of `runs.seeds`) from its truth-table loss curve: seed, stall_count,
    stalled_steps (updates spent in stalls), first_start / first_end (the first stall, -1 if none), longest_start /
    longest_end / longest_mid (the longest stall and its midpoint step, -1 if none), stuck_at_end (a stall reaches
    the last step), solved, escaped (solved at the end after at least one stall)."""
    curves = runs.table_loss
    n = curves.shape[0]
    rows, start, end = _stall_segments(curves, reference_loss(runs.config.loss_fn), high, flat, window, smooth,
                                       min_steps)
    length = end - start
    count = np.bincount(rows, minlength=n)
    stalled = np.bincount(rows, weights=length, minlength=n).astype(np.int64)
    first_start = np.full(n, -1, dtype=np.int64)
    first_end = np.full(n, -1, dtype=np.int64)
    longest_start = np.full(n, -1, dtype=np.int64)
    longest_end = np.full(n, -1, dtype=np.int64)
    if len(rows):
        firsts = np.unique(rows, return_index=True)[1]  # segments come ordered by row, then start
        first_start[rows[firsts]], first_end[rows[firsts]] = start[firsts], end[firsts]
        # the longest per row (the earliest of equals): sort by (row, -length, start), take each row's first
        order = np.lexsort((start, -length, rows))
        best = order[np.unique(rows[order], return_index=True)[1]]
        longest_start[rows[best]], longest_end[rows[best]] = start[best], end[best]
    mid = np.where(longest_start >= 0, (longest_start + longest_end) // 2, -1)
    last = curves.shape[1] - 1
    stuck = np.zeros(n, dtype=bool)
    stuck[rows[end == last]] = True
    solved = runs.solved
    return pd.DataFrame({
        "seed": np.asarray(runs.seeds, dtype=np.int64),
        "stall_count": count.astype(np.int64),
        "stalled_steps": stalled,
        "first_start": first_start,
        "first_end": first_end,
        "longest_start": longest_start,
        "longest_end": longest_end,
        "longest_mid": mid,
        "stuck_at_end": stuck,
        "solved": solved,
        "escaped": solved & (count > 0),
    })


def stall_summary(runs: Runs, **thresholds) -> dict:
    """One config's stall statistics over its trials: n_trials, stalled (trials with at least one stall),
    stalled_fraction, escaped_fraction (of the stalled trials, those solved at the end; NaN if none stalled),
    stuck_fraction (of all trials, those still in a stall at the last step), stalled_steps_fraction (the mean
    fraction of updates spent in stalls) and grad_ratio_median (`first_last_ratio`)."""
    table = stalls(runs, **thresholds)
    n = len(table)
    stalled = int((table["stall_count"] > 0).sum())
    steps = runs.table_loss.shape[1] - 1
    return {
        "n_trials": n,
        "stalled": stalled,
        "stalled_fraction": stalled / n if n else math.nan,
        "escaped_fraction": float(table["escaped"].sum() / stalled) if stalled else math.nan,
        "stuck_fraction": float(table["stuck_at_end"].mean()) if n else math.nan,
        "stalled_steps_fraction": float(table["stalled_steps"].mean() / steps) if n and steps else math.nan,
        "grad_ratio_median": first_last_ratio(runs),
    }
