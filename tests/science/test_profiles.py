"""Performance profiles (Dolan & Moré, 2002) against small examples computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lab.science import profiles


def at(profile: pd.DataFrame, optimizer: str, tau: float) -> float:
    """rho(tau) read off the tidy profile as a right-continuous step function."""
    rows = profile[profile["optimizer"] == optimizer].sort_values("tau")
    return float(rows["fraction"].to_numpy()[np.searchsorted(rows["tau"].to_numpy(), tau, side="right") - 1])


def test_profile_of_a_hand_example():
    """Costs A: 10, 30, fails; B: 20, 15, 40. Ratios A: 1, 2, inf; B: 2, 1, 1.
    rho_A: 1/3 from tau 1, 2/3 from tau 2, never 1; rho_B: 2/3 from tau 1, 1 from tau 2."""
    costs = pd.DataFrame({"problem": ["p1", "p1", "p2", "p2", "p3", "p3"], "optimizer": ["A", "B"] * 3,
                          "cost": [10, 20, 30, 15, math.inf, 40]})
    profile = profiles.profile(costs, points=7)
    assert list(profile.columns) == ["optimizer", "tau", "fraction"]
    assert profile["optimizer"].unique().tolist() == ["A", "B"]
    tau = np.sort(profile.loc[profile["optimizer"] == "A", "tau"].to_numpy())
    assert tau[0] == 1 and tau[-1] == 2 and 2.0 in tau  # the breakpoints, exactly, on the log grid 1 ... 2
    assert np.allclose(np.diff(np.log(tau)), np.log(2) / 6)
    for tau_value, rho_a, rho_b in ((1, 1 / 3, 2 / 3), (1.5, 1 / 3, 2 / 3), (2, 2 / 3, 1)):
        assert at(profile, "A", tau_value) == pytest.approx(rho_a)
        assert at(profile, "B", tau_value) == pytest.approx(rho_b)
    ratios = profiles.with_ratios(costs)["ratio"].tolist()
    assert ratios == [1, 2, 2, 1, math.inf, 1]


def test_breakpoints_between_grid_points_are_kept():
    """Ratios 1, 1.3 and 10: rho_B jumps at 1.3 exactly, a value no log-spaced point of 1 ... 10 hits."""
    costs = pd.DataFrame({"problem": ["p", "p", "q", "q"], "optimizer": ["A", "B", "A", "B"], "cost": [10, 13, 1, 10]})
    profile = profiles.profile(costs, points=4)
    b = profile[profile["optimizer"] == "B"]
    assert 1.3 in b["tau"].to_numpy() and b["tau"].max() == 10
    assert at(profile, "B", 1.29) == 0 and at(profile, "B", 1.3) == 0.5 and at(profile, "B", 10) == 1


def trials(spec: dict) -> pd.DataFrame:
    """Per-trial rows with config columns: (optimizer, depth) -> steps to solve (None: unsolved), budget 100."""
    rows = [{"optimizer": opt, "depth": depth, "steps": 100, "seed": i, "solved": s is not None,
             "steps_to_solve": s, "final_loss": 0.1, "diverged": False}
            for (opt, depth), steps in spec.items() for i, s in enumerate(steps)]
    return pd.DataFrame(rows).astype({"steps_to_solve": "Int64"})


def test_profile_from_trials_by_hand():
    """Medians (the first step by which at least half the trials have solved): SGD 10 on depth 1, 30 on depth 2;
    Adam 5 on depth 1 and, solving 1 of 3, fails depth 2; RMSprop solves 2 of 4 (at 20 and 60): exactly half, so
    its median is 60 (S = 3/4 after 20, 1/2 after 60), on both depths.
    Ratios: depth 1 (best 5): SGD 2, Adam 1, RMSprop 12; depth 2 (best 30): SGD 1, Adam inf, RMSprop 2."""
    spec = {("sgd", 1): [8, 10, 12], ("adam", 1): [4, 5, 6], ("rmsprop", 1): [20, 60, None, None],
            ("sgd", 2): [20, 30, 40], ("adam", 2): [50, None, None], ("rmsprop", 2): [60, None, 20, None]}
    costs = profiles.costs(trials(spec)).set_index(["problem", "optimizer"])
    sgd, adam, rmsprop = "SGD (lr 1)", "Adam (lr 0.1)", "RMSprop (lr 0.01)"
    expected = {("depth=1", sgd): (10, 2), ("depth=1", adam): (5, 1), ("depth=1", rmsprop): (60, 12),
                ("depth=2", sgd): (30, 1), ("depth=2", adam): (math.inf, math.inf), ("depth=2", rmsprop): (60, 2)}
    assert {k: tuple(costs.loc[k, ["cost", "ratio"]]) for k in expected} == expected
    profile = profiles.performance_profile(trials(spec))
    assert at(profile, adam, 1) == 0.5 and at(profile, adam, 1e6) == 0.5
    assert at(profile, sgd, 1) == 0.5 and at(profile, sgd, 1.99) == 0.5 and at(profile, sgd, 2) == 1
    assert at(profile, rmsprop, 1.99) == 0 and at(profile, rmsprop, 2) == 0.5 and at(profile, rmsprop, 12) == 1
    assert profile["tau"].max() == 12


def test_problems_not_run_by_every_optimizer_are_left_out():
    spec = {("sgd", 1): [8, 10, 12], ("adam", 1): [4, 5, 6], ("sgd", 2): [20, 30, 40]}
    costs = profiles.costs(trials(spec))
    assert costs["problem"].tolist() == ["all", "all"]  # depth 2 lacks Adam: one problem remains
    assert costs["ratio"].tolist() == [2, 1]


def test_a_problem_every_optimizer_fails_counts_against_all():
    spec = {("sgd", 1): [8, None, None], ("adam", 1): [None] * 3, ("sgd", 2): [5, 5, 9], ("adam", 2): [10, 10, 10]}
    profile = profiles.performance_profile(trials(spec), points=3)
    assert at(profile, "SGD (lr 1)", 1e9) == 0.5 and at(profile, "Adam (lr 0.1)", 2) == 0.5
    assert at(profile, "Adam (lr 0.1)", 1.99) == 0
