"""One config over seeds 0..n-1, reduced to what a page shows (small enough to cache).

Three reductions still live here side by side (`Digest`, `DepthDigest`, `FiniteDigest`); the plan folds them into
one."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lab.core.config import TrialConfig
from lab.core.runs import Runs
from lab.science import analysis
from lab.science import stalls as science_stalls
from lab.science.analysis import CAPACITY, METRICS, Story, story_of, summarize

MAX_POINTS = 400  # steps per curve sent to a chart


def every(steps: int, points: int = MAX_POINTS) -> int:
    """The step stride that keeps a curve of `steps` steps at most `points` long."""
    return max(1, math.ceil(steps / points))


# ---- many seeds of one config: the optimizers page ------------------------------------------------------------------
@dataclass(frozen=True)
class Digest:
    """One config over seeds 0..n-1, reduced: its summary row, its bands per metric, solved-by-step, per trial."""

    config: TrialConfig
    summary: dict
    bands: dict  # metric -> DataFrame step, median, q25, q75
    solved: pd.DataFrame  # step, solved_fraction
    trials: pd.DataFrame  # seed, solved, steps_to_solve, final_loss, diverged


def digest(store, config: TrialConfig, n_seeds: int, smooth: int = 1) -> Digest:
    runs = store.trials(config, range(n_seeds))
    stride = every(config.steps)
    bands = {m: analysis.curve_bands(runs, m, every=stride, smooth=smooth)[["step", "median", "q25", "q75"]]
             for m in METRICS}
    solved = analysis.solved_by_step(runs, every=stride)[["step", "solved_fraction"]]
    trials = runs.summary()[["seed", "solved", "steps_to_solve", "final_loss", "diverged"]]
    return Digest(config, analysis.summarize([runs]).iloc[0].to_dict(), bands, solved, trials)


POINTS = 300  # steps per curve sent to a chart


@dataclass(frozen=True)
class DepthDigest:
    """One config over seeds 0..n-1, reduced: its statistics row, its truth-table loss bands, its per-layer gradient
    norm bands and its stalled trials."""

    config: TrialConfig
    row: dict
    bands: pd.DataFrame  # step, median, q25, q75 (truth-table loss)
    layers: pd.DataFrame  # step, layer, median, q25, q75 (gradient norm per layer; layer depth + 1 = output)
    stalled: pd.DataFrame  # seed, longest_start, longest_end, longest_mid, solved, stuck_at_end


def quantile_bands(values: np.ndarray, stride: int) -> pd.DataFrame:
    """Median and 25% / 75% quantiles over trials (axis 0) of a (trials, steps, layers) array, every `stride`-th
    step, long format: step, layer (1-based), median, q25, q75."""
    values = np.asarray(values, dtype=np.float64)
    idx = np.arange(0, values.shape[1], max(1, stride))
    picked = values[:, idx, :]
    if np.isfinite(picked).all():  # the common case, and far faster than nanquantile
        q25, median, q75 = np.quantile(picked, [0.25, 0.5, 0.75], axis=0)
    else:
        with np.errstate(all="ignore"), warnings.catch_warnings():  # all-NaN slices: diverged trials
            warnings.simplefilter("ignore", RuntimeWarning)
            q25, median, q75 = np.nanquantile(picked, [0.25, 0.5, 0.75], axis=0)
    layers = values.shape[2]
    return pd.DataFrame({"step": np.repeat(idx, layers), "layer": np.tile(np.arange(1, layers + 1), len(idx)),
                         "median": median.ravel(), "q25": q25.ravel(), "q75": q75.ravel()})


def depth_digest_of(runs: Runs) -> DepthDigest:
    config = runs.config
    stride = every(config.steps, POINTS)
    summary = analysis.summary_row(runs)
    stalls = science_stalls.stall_summary(runs)
    table = science_stalls.stalls(runs)
    row = {"activation": config.activation, "depth": config.depth, "full_batch": config.full_batch,
           **{k: summary[k] for k in ("n_trials", "solved", "success_rate", "success_lo", "success_hi")},
           "stalled": stalls["stalled"], "stalled_fraction": stalls["stalled_fraction"],
           "escaped_fraction": stalls["escaped_fraction"], "stuck_fraction": stalls["stuck_fraction"],
           "grad_ratio": stalls["grad_ratio_median"],
           # no gradient at all reaches the first layer at the end: a layer of dead (ReLU) units blocks it
           "blocked_fraction": float(np.mean(runs.grad_norm[:, -1, 0] == 0)) if len(runs.seeds) else math.nan}
    bands = quantile_bands(runs.table_loss[:, :config.steps, None], stride).drop(columns="layer")
    stalled = table[table["stall_count"] > 0][["seed", "longest_start", "longest_end", "longest_mid", "solved",
                                               "stuck_at_end"]].reset_index(drop=True)
    return DepthDigest(config, row, bands, quantile_bands(runs.grad_norm, stride), stalled)


def depth_digest(store, config: TrialConfig, n_seeds: int) -> DepthDigest:
    return depth_digest_of(store.trials(config, range(n_seeds)))


@dataclass(frozen=True)
class FiniteDigest:
    """One finite config over its seeds, reduced for the page (small enough to keep in a cache)."""

    config: object
    bands: dict  # kind -> bands(runs, kind)
    story: Story
    summary: pd.DataFrame  # one row: analysis.summarize
    stop: dict  # CAPACITY measure -> per-seed values


def finite_digest(runs: Runs) -> FiniteDigest:
    stop = runs.early_stopping()
    return FiniteDigest(
        runs.config,
        {kind: analysis.eval_bands(runs, kind) for kind in analysis.EVAL_KINDS},
        story_of(runs),
        summarize([runs]),
        {m: np.asarray(stop[m], dtype=np.float64) for m in CAPACITY},
    )


def capacity_bands(digests: list[FiniteDigest]) -> pd.DataFrame:
    """Columns: width, measure (one of CAPACITY), median, q25, q75 over seeds."""
    rows = []
    for d in digests:
        for measure in CAPACITY:
            q25, median, q75 = analysis.seed_quantiles(d.stop[measure])
            rows.append(
                {
                    "width": d.config.width,
                    "measure": measure,
                    "median": float(median),
                    "q25": float(q25),
                    "q75": float(q75),
                }
            )
    return pd.DataFrame(rows)
