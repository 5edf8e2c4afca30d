"""What the depth page shows, computed from the store: small per-config digests, the stall statistics table, the
Hessian tests (kept beside the store as small JSON files, since they cost seconds), the traced layer pictures and one
stalled trial's Hessian spectrum.

Every curve is cut to at most `POINTS` steps before it leaves here, so a bounded cache can hold the results.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import analysis, diagnostics, engine, views
from .config import TrialConfig
from .runs import Runs

POINTS = 300  # steps per curve sent to a chart
TRACE_SEEDS = 5  # seeds traced for the activation pictures
TESTS_DIR = "hessian-tests"
TESTS_VERSION = 1  # bump when the Hessian test's definition changes: older files are then ignored
TEST_NAMES = ("saddle_fraction", "minimum_fraction", "negative_curvature_fraction", "near_stationary_fraction",
              "grad_norm_median", "n_tested")


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


def digest_of(runs: Runs) -> DepthDigest:
    config = runs.config
    stride = views.every(config.steps, POINTS)
    summary = analysis.summary_row(runs)
    stalls = diagnostics.stall_summary(runs)
    table = diagnostics.stalls(runs)
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


def digest(store, config: TrialConfig, n_seeds: int) -> DepthDigest:
    return digest_of(store.runs(config, range(n_seeds)))


# ---- the Hessian test of a few stalls per config, kept beside the store --------------------------------------------
def tests_path(store, config: TrialConfig, n_seeds: int, tests: int) -> Path:
    return Path(store.root) / TESTS_DIR / f"{config.key()}-{n_seeds}-{tests}-v{TESTS_VERSION}.json"


def stored_tests(store, config: TrialConfig, n_seeds: int, tests: int) -> dict | None:
    try:
        found = json.loads(tests_path(store, config, n_seeds, tests).read_text())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and set(TEST_NAMES) <= set(found) else None


def hessian_tests(store, config: TrialConfig, n_seeds: int, tests: int) -> dict:
    """`diagnostics.saddle_fraction` of at most `tests` stalled trials of `config` (seeds 0..n-1), read back from a
    small JSON file when computed before (the trials and the test are deterministic)."""
    found = stored_tests(store, config, n_seeds, tests)
    if found is not None:
        return found
    if tests <= 0:
        return {**dict.fromkeys(TEST_NAMES[:-1], math.nan), "n_tested": 0}
    result = diagnostics.saddle_fraction(store.runs(config, range(n_seeds)), max_stalls=tests)
    result = {name: result[name] for name in TEST_NAMES}
    path = tests_path(store, config, n_seeds, tests)
    with contextlib.suppress(OSError):  # a read-only store: the result is only not kept
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            json.dump(result, handle)
        os.replace(tmp, path)
    return result


def stats_table(digests: list[DepthDigest], tests: list[dict]) -> pd.DataFrame:
    """One row per config: activation, depth, full_batch, the digest's statistics and the Hessian test's (saddle,
    minimum and near-stationary fractions of the stalls tested, n_tested)."""
    rows = [{**d.row, **{k: t[k] for k in ("saddle_fraction", "minimum_fraction", "near_stationary_fraction",
                                            "n_tested")}} for d, t in zip(digests, tests, strict=True)]
    table = pd.DataFrame(rows)
    return table.astype({"n_tested": int, "n_trials": int, "solved": int, "stalled": int})


# ---- traced layers and one trial's Hessian ----------------------------------------------------------------------
def trace_bands(config: TrialConfig, n_seeds: int = TRACE_SEEDS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train seeds 0..n-1 with the activation trace: per step and hidden layer, quantile bands over seeds of the
    mean activation and of the saturated fraction (`quantile_bands` columns)."""
    runs = engine.train(config, range(n_seeds), trace=True)
    stride = views.every(config.steps, POINTS)
    return quantile_bands(runs.activation_mean, stride), quantile_bands(runs.saturation, stride)


def spectrum(config: TrialConfig, seed: int, step: int, end_params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Hessian test of one trial at `step` (re-run to there) and at its end: the eigenvalues (point, rank,
    eigenvalue, sign: negative / flat / positive), and one row per point with its classification."""
    points = {"mid": diagnostics.params_at(config, seed, step), "end": np.asarray(end_params, dtype=np.float64)}
    frames, rows = [], []
    for name, params in points.items():
        found = diagnostics.classify(config, params)
        eig = found["eigenvalues"]
        sign = np.where(eig < -diagnostics.EIG_TOL, "negative", np.where(eig > diagnostics.EIG_TOL, "positive", "flat"))
        frames.append(pd.DataFrame({"point": name, "rank": np.arange(1, len(eig) + 1), "eigenvalue": eig,
                                    "sign": sign}))
        rows.append({"point": name, "step": step if name == "mid" else config.steps,
                     **{k: found[k] for k in ("kind", "curvature", "near_stationary", "grad_norm", "loss",
                                              "n_negative", "n_flat", "n_positive", "min_eig", "max_eig")}})
    return pd.concat(frames, ignore_index=True), pd.DataFrame(rows)


def stall_options(stalled: pd.DataFrame) -> dict[int, tuple[int, int, bool]]:
    """seed -> (stall start, stall end, solved at the end), for the stalled-trial selector."""
    return {int(r.seed): (int(r.longest_start), int(r.longest_end), bool(r.solved)) for r in stalled.itertuples()}


def batch_table(stats: pd.DataFrame, activation: str) -> pd.DataFrame:
    """The rows of `activation` with and without full batch: depth, full_batch, success_rate, stalled_fraction."""
    rows = stats[stats["activation"] == activation]
    return rows[["depth", "full_batch", "success_rate", "stalled_fraction"]].reset_index(drop=True)


CSV_COLUMNS = ("activation", "depth", "full_batch", "n_trials", "solved", "success_rate", "success_lo", "success_hi",
               "stalled", "stalled_fraction", "escaped_fraction", "stuck_fraction", "saddle_fraction",
               "minimum_fraction", "near_stationary_fraction", "n_tested", "grad_ratio", "blocked_fraction")


def stats_csv(stats: pd.DataFrame, state) -> bytes:
    """The statistics table with the shared settings as leading columns."""
    frame = stats[list(CSV_COLUMNS)].copy()
    for i, (name, value) in enumerate((("optimizer", state.optimizer), ("width", state.width),
                                       ("init", state.init), ("steps", state.steps))):
        frame.insert(i, name, value)
    return views.to_csv(frame)


DISPLAY_COLUMNS = ("activation", "depth", "batch", "n_trials", "success_rate", "stalled_fraction", "escaped_fraction",
                   "stuck_fraction", "saddles", "minima", "grad_ratio", "blocked")


def display_table(stats: pd.DataFrame, modes: dict) -> pd.DataFrame:
    """The statistics as shown: fractions in percent, the Hessian test and the blocked trials as "k/n" texts;
    `modes` names full_batch False / True."""
    def counts(fractions, totals):
        return ["–" if not n else f"{round(f * n) if f == f else 0}/{n}" for f, n in zip(fractions, totals)]

    return pd.DataFrame({
        "activation": stats["activation"], "depth": stats["depth"], "batch": stats["full_batch"].map(modes),
        "n_trials": stats["n_trials"], "success_rate": 100 * stats["success_rate"],
        "stalled_fraction": 100 * stats["stalled_fraction"], "escaped_fraction": 100 * stats["escaped_fraction"],
        "stuck_fraction": 100 * stats["stuck_fraction"], "saddles": counts(stats["saddle_fraction"], stats["n_tested"]),
        "minima": counts(stats["minimum_fraction"], stats["n_tested"]), "grad_ratio": stats["grad_ratio"],
        "blocked": counts(stats["blocked_fraction"], stats["n_trials"]),
    })
