"""Aggregation over seeds (lab.science.analysis) on hand-built Runs whose outcomes are known: Wilson intervals,
summary rows
(unsolved trials count as "never", diverged trials are counted, final losses ignore NaN), curve bands and the solved
fraction per step."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lab.core.config import FIELD_NAMES, TrialConfig
from lab.core.engine import train
from lab.core.runs import Runs
from lab.science.analysis import Z95, curve_bands, solved_by_step, summarize, wilson_interval

STEPS = 10
NEVER = None
METRIC_COLUMNS = ["n_trials", "solved", "success_rate", "success_lo", "success_hi", "steps_median", "steps_q25",
                  "steps_q75", "final_loss_median", "final_loss_mean", "diverged"]


def make_runs(solve_at, final_loss=None, diverged=(), steps=STEPS, config=None, seed=0) -> Runs:
    """Trials whose table error is 1/4 until step `solve_at[k]` and 0 from then on (NEVER: never 0); `diverged`
    trials get NaN losses and parameters from half way on; `final_loss`: the table loss after the last step."""
    n = len(solve_at)
    rng = np.random.default_rng(seed)
    table_error = np.full((n, steps + 1), 0.25, np.float32)
    for k, s in enumerate(solve_at):
        if s is not None:
            table_error[k, s:] = 0
    loss = rng.uniform(0.01, 0.3, (n, steps)).astype(np.float32)
    table_loss = rng.uniform(0.01, 0.3, (n, steps + 1)).astype(np.float32)
    if final_loss is not None:
        table_loss[:, -1] = final_loss
    params = rng.normal(size=(n, 9)).astype(np.float32)
    for k in diverged:
        loss[k, steps // 2:] = np.nan
        params[k] = np.nan
    return Runs(config or TrialConfig(steps=steps), list(range(n)), loss, table_loss, table_error,
                np.ones((n, steps, 2), np.float32), np.zeros((n, 4, 1), np.float32), params)


# ---- Wilson interval -------------------------------------------------------------------------------------------------
def wilson_by_hand(k: int, n: int, z: float) -> tuple[float, float]:
    p = k / n
    centre = (2 * n * p + z**2) / (2 * (n + z**2))
    half = z * math.sqrt(z**2 + 4 * n * p * (1 - p)) / (2 * (n + z**2))
    return max(0.0, centre - half), min(1.0, centre + half)


@pytest.mark.parametrize("k, n, expected", [
    (0, 20, (0.0, 0.16113)),  # textbook values (statsmodels proportion_confint(..., method="wilson") agrees)
    (20, 20, (0.83887, 1.0)),
    (10, 20, (0.29929, 0.70071)),
    (3, 10, (0.10779, 0.60323)),
    (1, 1, (0.20654, 1.0)),
])
def test_wilson_interval_known_values(k, n, expected):
    lo, hi = wilson_interval(k, n, z=1.96)
    assert (lo, hi) == pytest.approx(expected, abs=1e-5)
    assert (lo, hi) == pytest.approx(wilson_by_hand(k, n, 1.96), abs=1e-12)
    assert wilson_interval(k, n) == pytest.approx(wilson_by_hand(k, n, Z95), abs=1e-12)  # default: z = 1.95996...


def test_wilson_interval_properties():
    assert Z95 == pytest.approx(1.959963984540054)
    lo0, hi0 = wilson_interval(0, 20)
    assert lo0 == 0.0 and hi0 == pytest.approx(Z95**2 / (20 + Z95**2))  # closed form at 0/n
    assert all(math.isnan(x) for x in wilson_interval(0, 0))
    for n in (1, 5, 20, 100):
        for k in range(n + 1):
            lo, hi = wilson_interval(k, n)
            assert 0.0 <= lo <= k / n + 1e-15 and k / n <= hi <= 1.0
            mirror = wilson_interval(n - k, n)
            assert (lo, hi) == pytest.approx((1 - mirror[1], 1 - mirror[0]), abs=1e-12)
    assert np.diff([wilson_interval(10, n)[1] - wilson_interval(10, n)[0] for n in (20, 40, 80)]).max() < 0
    assert wilson_interval(10, 20, z=2.58)[0] < wilson_interval(10, 20, z=1.96)[0]  # wider at higher confidence


# ---- steps to solve, solved, diverged ----------------------------------------------------------------------------
def test_hand_built_runs_outcomes():
    runs = make_runs([2, 5, NEVER, 7, 0], diverged=[4])
    assert list(runs.solved) == [True, True, False, True, False]  # a diverged trial is never solved
    assert list(runs.diverged) == [False, False, False, False, True]
    np.testing.assert_array_equal(runs.steps_to_solve, [2, 5, np.nan, 7, np.nan])
    relapse = make_runs([3])
    relapse.table_error[0, 6] = 0.5  # solved at 3, wrong again at 6: solved for good only from 7
    assert relapse.steps_to_solve[0] == 7


# ---- summarize -------------------------------------------------------------------------------------------------------
def test_summarize_columns_and_semantics():
    mixed = make_runs([2, 5, NEVER, 7, 0], final_loss=[0.1, 0.2, 0.3, 0.4, np.nan], diverged=[4],
                      config=TrialConfig(steps=STEPS, optimizer="sgd"))
    mostly_unsolved = make_runs([3, NEVER, NEVER], final_loss=[0.05, 0.5, np.inf],
                                config=TrialConfig(steps=STEPS, depth=2))
    all_solved = make_runs([1, 2, 3, 4], final_loss=[0.1, 0.1, 0.2, 0.6], config=TrialConfig(steps=STEPS, depth=3))
    none = make_runs([NEVER, 4], final_loss=[np.nan, np.nan], diverged=[0, 1], config=TrialConfig(steps=STEPS, depth=4))
    frame = summarize([mixed, mostly_unsolved, all_solved, none])
    assert list(frame.columns) == [*FIELD_NAMES, *METRIC_COLUMNS]
    assert len(frame) == 4
    for i, runs in enumerate([mixed, mostly_unsolved, all_solved, none]):
        for name, value in runs.config.to_dict().items():
            assert frame[name][i] == value or (value is None and pd.isna(frame[name][i])), name

    row = frame.iloc[0]  # steps to solve: 2, 5, 7, never (unsolved), never (diverged)
    assert (row["n_trials"], row["solved"], row["diverged"]) == (5, 3, 1)
    assert row["success_rate"] == pytest.approx(0.6)
    assert (row["success_lo"], row["success_hi"]) == pytest.approx(wilson_interval(3, 5))
    assert row["steps_median"] == 7  # [2, 5, 7, never, never]: the middle one
    assert row["steps_q25"] == 5
    assert math.isnan(row["steps_q75"])  # falls on "never"
    assert row["final_loss_median"] == pytest.approx(0.25) and row["final_loss_mean"] == pytest.approx(0.25)

    row = frame.iloc[1]  # more than half unsolved: no median
    assert (row["n_trials"], row["solved"], row["diverged"]) == (3, 1, 1)  # an infinite loss is divergence
    assert math.isnan(row["steps_median"]) and math.isnan(row["steps_q75"])
    assert math.isnan(row["steps_q25"])  # halfway between 3 and "never": unknown
    # the +inf final loss is not finite: ignored like NaN
    assert row["final_loss_median"] == pytest.approx(0.275) and row["final_loss_mean"] == pytest.approx(0.275)

    row = frame.iloc[2]  # all solved: numpy's (linear) quantiles
    assert (row["solved"], row["success_rate"], row["success_hi"]) == (4, 1.0, 1.0)
    for column, q in (("steps_median", 0.5), ("steps_q25", 0.25), ("steps_q75", 0.75)):
        assert row[column] == pytest.approx(np.quantile([1, 2, 3, 4], q))
    assert row["final_loss_median"] == pytest.approx(0.15) and row["final_loss_mean"] == pytest.approx(0.25)

    row = frame.iloc[3]  # nothing solved, everything diverged
    assert (row["solved"], row["success_rate"], row["success_lo"], row["diverged"]) == (0, 0.0, 0.0, 2)
    for column in ("steps_median", "steps_q25", "steps_q75", "final_loss_median", "final_loss_mean"):
        assert math.isnan(row[column]), column

    assert summarize([]).empty


def test_summarize_half_unsolved_and_one_trial():
    assert math.isnan(summarize([make_runs([NEVER])])["steps_median"][0])
    assert summarize([make_runs([6])])["steps_median"][0] == 6
    # exactly half unsolved: the median lies between a solved and an unsolved trial, so it is unknown
    assert math.isnan(summarize([make_runs([3, 4, NEVER, NEVER])])["steps_median"][0])
    assert summarize([make_runs([3, 4, 5, NEVER])])["steps_median"][0] == 4.5


def test_an_unsolved_trial_never_makes_the_steps_quantiles_smaller():
    late = summarize([make_runs([1, 2, 3, 9])]).iloc[0]  # median 2.5
    failed = summarize([make_runs([1, 2, 3, NEVER])]).iloc[0]  # the 4th trial never solves: currently median 2
    for column in ("steps_median", "steps_q25", "steps_q75"):
        assert math.isnan(failed[column]) or failed[column] >= late[column], column


def test_summarize_finite_data_adds_generalization_medians():
    runs = train(TrialConfig(n_train=20, noise=0.3, steps=40, eval_every=10), [0, 1, 2])
    row = summarize([runs]).iloc[0]
    for name, values in runs.early_stopping().items():
        assert row[f"{name}_median"] == pytest.approx(float(np.nanmedian(values))), name


# ---- curve bands -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("metric", ["loss", "table_loss", "table_error"])
def test_curve_bands_are_numpy_quantiles(metric):
    runs = make_runs([2, 5, NEVER, 7, 1, NEVER, 3], steps=12, seed=3)
    values = getattr(runs, metric)[:, :12].astype(np.float64)
    frame = curve_bands(runs, metric)
    assert list(frame["step"]) == list(range(12))
    assert list(frame.columns) == [*FIELD_NAMES, "step", "median", "q25", "q75"]
    for column, q in (("q25", 0.25), ("median", 0.5), ("q75", 0.75)):
        np.testing.assert_array_equal(frame[column].to_numpy(), np.quantile(values, q, axis=0))
    every = curve_bands(runs, metric, every=5)
    assert list(every["step"]) == [0, 5, 10]
    np.testing.assert_array_equal(every["median"].to_numpy(), np.quantile(values[:, [0, 5, 10]], 0.5, axis=0))


def test_curve_bands_smoothing_and_nan():
    runs = make_runs([2, 5, NEVER, 7], seed=5)
    values = runs.loss.astype(np.float64)
    smoothed = np.stack([values[:, max(0, t - 2): t + 1].mean(axis=1) for t in range(STEPS)], axis=1)
    frame = curve_bands(runs, "loss", smooth=3)
    for column, q in (("q25", 0.25), ("median", 0.5), ("q75", 0.75)):
        np.testing.assert_allclose(frame[column].to_numpy(), np.quantile(smoothed, q, axis=0), rtol=1e-12)
    np.testing.assert_array_equal(curve_bands(runs, "loss", smooth=1)["median"], np.median(values, axis=0))

    runs.loss[1, 4:] = np.nan  # a diverged seed: left out of the quantiles where it has no value
    frame = curve_bands(runs, "loss")
    np.testing.assert_array_equal(frame["median"].to_numpy(), np.nanquantile(runs.loss.astype(np.float64), 0.5,
                                                                            axis=0))
    with pytest.raises(ValueError, match="metric"):
        curve_bands(runs, "grad_norm")


# ---- solved by step --------------------------------------------------------------------------------------------------
def test_solved_by_step_is_a_monotone_direct_count():
    solve_at = [2, 5, NEVER, 7, 0, 10, NEVER, 5]
    runs = make_runs(solve_at, diverged=[4], seed=7)
    frame = solved_by_step(runs)
    assert list(frame["step"]) == list(range(STEPS + 1))
    assert list(frame.columns) == [*FIELD_NAMES, "step", "solved_fraction"]
    fraction = frame["solved_fraction"].to_numpy()
    assert np.all(np.diff(fraction) >= 0)
    for t in range(STEPS + 1):  # trials solved for good by step t (trial 4 diverged: never counts)
        direct = sum(1 for k, s in enumerate(solve_at) if s is not None and s <= t and k != 4)
        assert fraction[t] == pytest.approx(direct / len(solve_at)), t
    assert fraction[-1] == pytest.approx(runs.solved.mean())
    every = solved_by_step(runs, every=4)
    assert list(every["step"]) == [0, 4, 8]
    np.testing.assert_array_equal(every["solved_fraction"].to_numpy(), fraction[[0, 4, 8]])


def test_solved_by_step_with_real_runs():
    runs = train(TrialConfig(steps=200), range(6))
    frame = solved_by_step(runs, every=10)
    steps = runs.steps_to_solve
    for t, value in zip(frame["step"], frame["solved_fraction"], strict=True):
        assert value == pytest.approx(np.mean(np.nan_to_num(steps, nan=np.inf) <= t))
    assert np.all(np.diff(frame["solved_fraction"].to_numpy()) >= 0)
