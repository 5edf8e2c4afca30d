"""The pairwise table: Newcombe's interval against the published values, Holm against a worked example and the
procedure itself, the log-rank test against lifelines, Mann–Whitney and Fisher against direct computations."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines.statistics import logrank_test
from scipy.stats import norm

from lab.science import pairwise, two_sample
from lab.science.multiplicity import holm
from lab.science.proportions import newcombe_interval

BUDGET = 300
FIRST = ["a", "b", "n_a", "n_b", "success_a", "success_b", "success_diff", "success_diff_lo", "success_diff_hi",
         "logrank_p", "logrank_p_holm", "median_steps_a", "median_steps_b"]


def trial_frame(groups: dict, losses: dict | None = None, budget: int = BUDGET) -> pd.DataFrame:
    rows = []
    for label, steps in groups.items():
        loss = (losses or {}).get(label, [0.01 * (i + 1) for i in range(len(steps))])
        rows += [{"label": label, "seed": i, "solved": s is not None, "steps_to_solve": s, "final_loss": loss[i],
                  "diverged": False, "steps": budget} for i, s in enumerate(steps)]
    return pd.DataFrame(rows).astype({"steps_to_solve": "Int64"})


# Newcombe (1998), Table II, method 10 (hybrid score interval without continuity correction): published limits
@pytest.mark.parametrize(("k1", "n1", "k2", "n2", "lower", "upper"), [
    (56, 70, 48, 80, 0.0524, 0.3339), (9, 10, 3, 10, 0.1705, 0.8090), (5, 56, 0, 29, -0.0381, 0.1926),
    (0, 10, 0, 20, -0.1611, 0.2775), (0, 10, 0, 10, -0.2775, 0.2775), (10, 10, 0, 20, 0.6791, 1.0000),
    (10, 10, 0, 10, 0.6075, 1.0000)])
def test_newcombe_matches_the_published_table(k1, n1, k2, n2, lower, upper):
    d, lo, hi = newcombe_interval(k1, n1, k2, n2)
    assert d == pytest.approx(k1 / n1 - k2 / n2)
    assert (round(lo, 4), round(hi, 4)) == (lower, upper)


def test_holm_worked_example():
    """p = 0.01, 0.04, 0.03, 0.005 (m = 4): sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 gives 0.02, 0.03, 0.06,
    0.04, made monotone 0.02, 0.03, 0.06, 0.06: at alpha 0.05 the first and the fourth hypotheses are rejected."""
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])  # min(1, 2 x 0.5) = 1, then max(1, 0.9) = 1
    out = holm([math.nan, 0.02, 0.04])  # NaN is no test: m = 2
    assert math.isnan(out[0]) and out[1:] == pytest.approx([0.04, 0.04])
    assert len(holm([])) == 0


def holm_rejects(p: np.ndarray, alpha: float) -> np.ndarray:
    """Holm's sequentially rejective procedure as stated in Holm (1979): reject in increasing order of p while
    p_(k) <= alpha / (m - k + 1); stop at the first that is not."""
    order, m = np.argsort(p), len(p)
    rejected = np.zeros(m, dtype=bool)
    for k, i in enumerate(order):
        if p[i] > alpha / (m - k):
            break
        rejected[i] = True
    return rejected


def test_holm_adjusted_values_reject_what_the_procedure_rejects():
    rng = np.random.default_rng(0)
    for _ in range(300):
        p = rng.choice([rng.uniform(0, 0.1), rng.uniform(0, 1)], size=int(rng.integers(1, 12)))
        adjusted = holm(p)
        for alpha in (0.01, 0.05, 0.1):
            assert ((adjusted <= alpha) == holm_rejects(p, alpha)).all()


def test_logrank_p_matches_lifelines():
    rng = np.random.default_rng(1)
    for n_a, n_b, rate_a, rate_b in ((20, 20, 0.9, 0.6), (50, 30, 0.5, 0.5), (7, 12, 1.0, 0.3), (1, 1, 1.0, 1.0)):
        a = [int(rng.integers(0, BUDGET)) if rng.random() < rate_a else None for _ in range(n_a)]
        b = [int(rng.integers(0, BUDGET)) if rng.random() < rate_b else None for _ in range(n_b)]
        if all(s is None for s in a + b):
            continue
        row = pairwise.pairwise_table(trial_frame({"a": a, "b": b})).iloc[0]
        durations = [[BUDGET if s is None else s for s in x] for x in (a, b)]
        events = [[s is not None for s in x] for x in (a, b)]
        ref = logrank_test(durations[0], durations[1], events[0], events[1])
        assert row["logrank_p"] == pytest.approx(ref.p_value, rel=1e-9)
        assert row["logrank_p_holm"] == row["logrank_p"]  # one pair: nothing to adjust


def test_mann_whitney_against_a_direct_computation():
    rng = np.random.default_rng(2)
    a, b = rng.integers(0, 6, 15) / 10, rng.integers(2, 8, 12) / 10  # many ties: the normal approximation
    test = two_sample.final_loss(a, b)
    pairs = np.array([[x < y for y in b] for x in a]), np.array([[x == y for y in b] for x in a])
    assert test.statistic == pytest.approx(pairs[0].mean() + 0.5 * pairs[1].mean())  # P(a lower) + P(tie) / 2
    u_a = np.sum([[(x > y) + 0.5 * (x == y) for y in b] for x in a])
    n1, n2 = len(a), len(b)
    n = n1 + n2
    _, counts = np.unique(np.concatenate([a, b]), return_counts=True)
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - np.sum(counts**3 - counts) / (n * (n - 1))))
    u = max(u_a, n1 * n2 - u_a)
    assert test.p == pytest.approx(min(1.0, 2 * norm.sf((u - n1 * n2 / 2 - 0.5) / sigma)), rel=1e-9)
    exact = two_sample.final_loss([1, 2, 3], [4, 5, 6])  # no ties, small: exact, 2 of the C(6, 3) = 20 orders
    assert exact.p == pytest.approx(2 / 20) and exact.statistic == 1.0


def hypergeometric(x: int, n_a: int, n_b: int, k: int) -> float:
    """P(x of the k solved trials fall in a) given the margins: a table's probability under Fisher's null."""
    return math.comb(n_a, x) * math.comb(n_b, k - x) / math.comb(n_a + n_b, k)


def test_fisher_against_the_hypergeometric_sum():
    for k_a, n_a, k_b, n_b in ((7, 10, 2, 10), (20, 20, 14, 20), (0, 5, 3, 9)):
        k = k_a + k_b
        probs = [hypergeometric(x, n_a, n_b, k) for x in range(max(0, k - n_b), min(k, n_a) + 1)]
        observed = hypergeometric(k_a, n_a, n_b, k)
        two_sided = sum(q for q in probs if q <= observed * (1 + 1e-7))  # every table as or less likely
        assert two_sample.fisher(k_a, n_a, k_b, n_b).p == pytest.approx(two_sided)


def test_table_columns_order_and_holm_per_family():
    rng = np.random.default_rng(3)
    groups = {name: [int(rng.integers(0, BUDGET)) if rng.random() < rate else None for _ in range(25)]
              for name, rate in (("A", 0.9), ("B", 0.7), ("C", 0.5), ("D", 0.95))}
    table = pairwise.pairwise_table(trial_frame(groups, {k: list(rng.random(25)) for k in groups}))
    assert list(table.columns[: len(FIRST)]) == FIRST and list(table.columns) == list(pairwise.COLUMNS)
    assert [tuple(r) for r in table[["a", "b"]].to_numpy()] == list(itertools.combinations("ABCD", 2))
    assert np.allclose(table["success_diff"], table["success_a"] - table["success_b"])
    assert (table["success_diff_lo"] <= table["success_diff"]).all()
    assert (table["success_diff"] <= table["success_diff_hi"]).all()
    for family in ("logrank_p", "success_p", "loss_u_p"):
        np.testing.assert_allclose(table[f"{family}_holm"], holm(table[family].to_numpy()))
    chosen = pairwise.pairwise_table(trial_frame(groups), labels=["D", "A"])
    assert chosen[["a", "b"]].values.tolist() == [["D", "A"]]


def test_degenerate_pairs_are_nan_with_a_reason_and_no_warnings():
    groups = {"same 1": [40] * 5, "same 2": [40] * 5, "never 1": [None] * 5, "never 2": [None] * 5, "one": [12]}
    losses = {"same 1": [0.2] * 5, "same 2": [0.2] * 5}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = pairwise.pairwise_table(trial_frame(groups, losses)).set_index(["a", "b"])
    same, never = table.loc[("same 1", "same 2")], table.loc[("never 1", "never 2")]
    assert math.isnan(same["logrank_p"]) and same["logrank_note"] == two_sample.ONE_STEP
    assert math.isnan(same["success_p"]) and same["success_note"] == two_sample.ALL_SOLVED
    assert math.isnan(same["loss_u_p"]) and same["loss_note"] == two_sample.ALL_EQUAL and same["loss_effect"] == 0.5
    assert math.isnan(never["logrank_p"]) and never["logrank_note"] == two_sample.NO_SOLVES
    assert never["success_note"] == two_sample.NONE_SOLVED and math.isnan(never["median_steps_a"])
    defined = table["logrank_p"].notna()
    assert (table.loc[defined, "logrank_note"] == "").all()
    np.testing.assert_allclose(table["logrank_p_holm"][defined], holm(table["logrank_p"][defined].to_numpy()))
    assert 0 < table.loc[("same 1", "one"), "logrank_p"] <= 1  # one trial against five: defined, just uninformative
