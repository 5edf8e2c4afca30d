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

from lab.core.plateaus import (  # the detector itself: in the core, so the engine can summarise as it trains
    FLAT,
    HIGH,
    MIN_STEPS,
    SMOOTH,
    STALL_COLUMNS,
    WINDOW,
    reference_loss,
    stall_arrays,
    stall_segments,
)
from lab.core.runs import Runs
from lab.science.layers import first_last_ratio

__all__ = ["EIG_TOL", "FLAT", "GRAD_TOL", "HIGH", "MIN_STEPS", "SMOOTH", "WINDOW", "find_stalls", "reference_loss",
           "stall_summary", "stalls"]

# the Hessian test at a stall (lab.science.diagnostics), here so that a page can name them without loading PyTorch
GRAD_TOL = 1e-3  # near-stationary: gradient norm of the truth-table loss below this
EIG_TOL = 1e-5  # eigenvalues within ±EIG_TOL count as flat

def find_stalls(curve, reference: float = 0.25, high: float = HIGH, flat: float = FLAT, window: int = WINDOW,
                smooth: int = SMOOTH, min_steps: int = MIN_STEPS) -> list[tuple[int, int]]:
    """The stalls of one loss curve as (start, end) steps, in order: see the module docstring for the definition.
    `high` and `flat` are fractions of `reference` (the loss of answering 0.5: 0.25 for MSE, ln 2 for BCE)."""
    curve = np.asarray(curve, dtype=np.float64).reshape(1, -1)
    _, start, end = stall_segments(curve, reference, high, flat, window, smooth, min_steps)
    return [(int(a), int(b)) for a, b in zip(start, end)]


def stalls(runs: Runs, high: float = HIGH, flat: float = FLAT, window: int = WINDOW, smooth: int = SMOOTH,
           min_steps: int = MIN_STEPS) -> pd.DataFrame:
    """One row per trial (in the order of `runs.seeds`) from its truth-table loss curve: seed, stall_count,
    stalled_steps (updates spent in stalls), first_start / first_end (the first stall, -1 if none), longest_start /
    longest_end / longest_mid (the longest stall and its midpoint step, -1 if none), stuck_at_end (a stall reaches
    the last step), solved, escaped (solved at the end after at least one stall). Trials recorded as summaries or
    thinned curves (lab.core.recording) carry these columns, computed from their full curves as they trained."""
    given = (high, flat, window, smooth, min_steps)
    if runs.summaries is not None:  # curves thinned as the trials trained: their stall statistics were kept
        if given != (HIGH, FLAT, WINDOW, SMOOTH, MIN_STEPS):
            raise ValueError("stalls with other thresholds need the full curves (record them in full)")
        arrays = {name: runs.summaries[name] for name in STALL_COLUMNS}
    else:
        arrays = stall_arrays(runs.table_loss, runs.config.loss_fn, *given)
    solved = runs.solved
    return pd.DataFrame({
        "seed": np.asarray(runs.seeds, dtype=np.int64),
        **arrays,
        "solved": solved,
        "escaped": solved & (arrays["stall_count"] > 0),
    })


def stall_summary(runs: Runs, **thresholds) -> dict:
    """One config's stall statistics over its trials: n_trials, stalled (trials with at least one stall),
    stalled_fraction, escaped_fraction (of the stalled trials, those solved at the end; NaN if none stalled),
    stuck_fraction (of all trials, those still in a stall at the last step), stalled_steps_fraction (the mean
    fraction of updates spent in stalls) and grad_ratio_median (`first_last_ratio`)."""
    table = stalls(runs, **thresholds)
    n = len(table)
    stalled = int((table["stall_count"] > 0).sum())
    steps = runs.config.steps
    return {
        "n_trials": n,
        "stalled": stalled,
        "stalled_fraction": stalled / n if n else math.nan,
        "escaped_fraction": float(table["escaped"].sum() / stalled) if stalled else math.nan,
        "stuck_fraction": float(table["stuck_at_end"].mean()) if n else math.nan,
        "stalled_steps_fraction": float(table["stalled_steps"].mean() / steps) if n and steps else math.nan,
        "grad_ratio_median": first_last_ratio(runs),
    }
