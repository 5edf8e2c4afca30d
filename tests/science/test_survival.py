"""Kaplan–Meier curves, bands and medians against lifelines (an independent implementation), and by hand."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times

from lab.science import survival

BUDGET = 300


def trial_frame(groups: dict[str, list[float | None]], budget: int = BUDGET) -> pd.DataFrame:
    """Per-trial rows: label -> steps to solve of its trials (None: never solved)."""
    rows = [{"label": label, "seed": i, "solved": s is not None, "steps_to_solve": s, "final_loss": 0.1,
             "diverged": False, "steps": budget}
            for label, steps in groups.items() for i, s in enumerate(steps)]
    frame = pd.DataFrame(rows)
    frame["steps_to_solve"] = frame["steps_to_solve"].astype("Int64")
    return frame


def random_steps(rng, n: int, solve_rate: float) -> list[int | None]:
    return [int(rng.integers(0, BUDGET + 1)) if rng.random() < solve_rate else None for _ in range(n)]


def lifelines_fit(steps: list[int | None]) -> KaplanMeierFitter:
    durations = [BUDGET if s is None else s for s in steps]
    return KaplanMeierFitter().fit(durations, [s is not None for s in steps])


def nan_for_inf(x: float) -> float:
    return math.nan if math.isinf(x) else float(x)


# Odd n: with censoring only at the budget, S(t) is (trials not solved by t) / n and never exactly 1/2, where a
# float rounding could decide between two neighbouring steps.
CASES = [(n, rate, seed) for n, rate in ((7, 0.9), (21, 0.5), (51, 0.8), (101, 0.3), (9, 1.0), (5, 0.0), (1, 1.0))
         for seed in (0, 1)]


@pytest.mark.parametrize(("n", "rate", "seed"), CASES)
def test_curve_and_band_match_lifelines(n, rate, seed):
    steps = random_steps(np.random.default_rng(seed), n, rate)
    frame = survival.solved_curves(trial_frame({"x": steps}))
    fit = lifelines_fit(steps)
    timeline = fit.survival_function_.index.to_numpy()
    at = np.searchsorted(frame["step"].to_numpy(), timeline, side="right") - 1  # the step function's value there
    assert np.allclose(frame["solved_fraction"].to_numpy()[at], 1 - fit.survival_function_.iloc[:, 0], atol=1e-12)
    band = fit.confidence_interval_  # lifelines' default: the exponential Greenwood (log(-log)) band
    assert np.allclose(frame["lo"].to_numpy()[at], 1 - band.iloc[:, 1], atol=1e-9)
    assert np.allclose(frame["hi"].to_numpy()[at], 1 - band.iloc[:, 0], atol=1e-9)


@pytest.mark.parametrize(("n", "rate", "seed"), CASES)
def test_median_and_its_interval_match_lifelines(n, rate, seed):
    steps = random_steps(np.random.default_rng(seed), n, rate)
    row = survival.median_table(trial_frame({"x": steps})).iloc[0]
    fit = lifelines_fit(steps)
    lo, hi = median_survival_times(fit.confidence_interval_).iloc[0]
    assert row["n"] == n and row["solved"] == sum(s is not None for s in steps)
    np.testing.assert_equal(row["median_steps"], nan_for_inf(fit.median_survival_time_))
    np.testing.assert_equal([row["median_lo"], row["median_hi"]], [nan_for_inf(lo), nan_for_inf(hi)])


def test_solved_fraction_is_the_fraction_solved_by_each_step():
    """With every unsolved trial censored at the budget, 1 - S(t) is the plain fraction of trials solved by t."""
    steps = random_steps(np.random.default_rng(5), 40, 0.7)
    frame = survival.solved_curves(trial_frame({"x": steps}))
    solved_at = np.array([np.inf if s is None else s for s in steps])
    for step, fraction in zip(frame["step"], frame["solved_fraction"]):
        assert fraction == pytest.approx(np.mean(solved_at <= step), abs=1e-12)
    assert frame["step"].iloc[0] == 0 and frame["step"].iloc[-1] == BUDGET
    assert (frame["lo"] <= frame["solved_fraction"] + 1e-12).all()
    assert (frame["solved_fraction"] <= frame["hi"] + 1e-12).all()
    assert list(frame.columns) == ["label", "step", "solved_fraction", "lo", "hi"]


def test_median_at_exactly_half_by_hand():
    """4 trials solving at 10, 20, 30, 40: S = 3/4, 1/2, ... so the median is 20, the first step with S <= 1/2."""
    row = survival.median_table(trial_frame({"x": [10, 20, 30, 40]})).iloc[0]
    assert row["median_steps"] == 20


def test_median_missing_when_fewer_than_half_solve_by_hand():
    """2 of 5 solve: S never drops below 3/5, so there is no median, and no upper limit either."""
    row = survival.median_table(trial_frame({"x": [10, 20, None, None, None]})).iloc[0]
    assert math.isnan(row["median_steps"]) and math.isnan(row["median_hi"])


def test_degenerate_groups_give_clean_numbers_without_warnings():
    groups = {"one step": [50] * 6, "none": [None] * 6, "single": [7], "single unsolved": [None], "all": [3, 9, 12]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = survival.median_table(trial_frame(groups)).set_index("label")
        curves = survival.solved_curves(trial_frame(groups))
    assert table.loc["one step", ["median_steps", "median_lo", "median_hi"]].tolist() == [50, 50, 50]
    assert table.loc["none", ["n", "solved"]].tolist() == [6, 0] and table.loc["none"].isna()["median_steps"]
    assert table.loc["single", "median_steps"] == 7
    assert not curves[["solved_fraction", "lo", "hi"]].isna().any().any()
    none = curves[curves["label"] == "none"]
    assert none["solved_fraction"].tolist() == [0, 0] and none["step"].tolist() == [0, BUDGET]


def test_config_columns_are_labelled_as_the_comparison_table_names_them():
    frame = trial_frame({"x": [10, 20, 30]}).drop(columns="label").assign(optimizer="rmsprop", lr=0.01)
    assert survival.median_table(frame)["label"].tolist() == ["RMSprop (lr 0.01)"]
