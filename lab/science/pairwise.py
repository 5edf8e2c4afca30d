"""Every pair of configs shown, compared: one row per pair, with the evidence for a difference.

For configs a and b (each pair once, in the order shown: a before b):

- success: the success rates (solved within the budget, not diverged), their difference success_a - success_b with
  Newcombe's 95% hybrid score interval (`proportions`), and Fisher's exact test (`two_sample.fisher`);
- time to solve: the Kaplan–Meier median steps of each (`survival`; NaN where fewer than half solve) and the log-rank
  test (`two_sample.logrank`), whose z > 0 means a solves sooner;
- final loss: the Mann–Whitney U test with the probability that a ends lower (`two_sample.final_loss`).

Each family of p-values (log-rank, Fisher, Mann–Whitney) is adjusted over the pairs of the table by Holm's step-down
method (`multiplicity`): a `*_holm` p-value at or below alpha is a claim the whole table can make at family-wise level
alpha. Undefined tests (p = NaN) say why in their `*_note` column and do not count as comparisons.

Columns, in this order: a, b, n_a, n_b, success_a, success_b, success_diff, success_diff_lo, success_diff_hi,
logrank_p, logrank_p_holm, median_steps_a, median_steps_b, then solved_a, solved_b, success_p, success_p_holm,
success_note, logrank_z, logrank_note, median_lo_a, median_hi_a, median_lo_b, median_hi_b, loss_u_p, loss_u_p_holm,
loss_effect, loss_note.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from lab.science import survival, two_sample
from lab.science import trials as tt
from lab.science.multiplicity import holm
from lab.science.proportions import newcombe_interval

COLUMNS = ("a", "b", "n_a", "n_b", "success_a", "success_b", "success_diff", "success_diff_lo", "success_diff_hi",
           "logrank_p", "logrank_p_holm", "median_steps_a", "median_steps_b",
           "solved_a", "solved_b", "success_p", "success_p_holm", "success_note", "logrank_z", "logrank_note",
           "median_lo_a", "median_hi_a", "median_lo_b", "median_hi_b",
           "loss_u_p", "loss_u_p_holm", "loss_effect", "loss_note")


def _side(group: pd.DataFrame) -> dict:
    time, solved, budget = tt.times(group)
    m, lo, hi = survival.median(survival.kaplan_meier(time, solved, budget))
    loss = pd.to_numeric(group["final_loss"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return {"time": time, "solved": solved, "n": len(time), "k": int(solved.sum()), "loss": loss,
            "median": m, "median_lo": lo, "median_hi": hi}


def compare(a: dict, b: dict) -> dict:
    """The row of one pair, before Holm's adjustment (sides as `_side` builds them)."""
    diff, lo, hi = newcombe_interval(a["k"], a["n"], b["k"], b["n"])
    success = two_sample.fisher(a["k"], a["n"], b["k"], b["n"])
    rank = two_sample.logrank(a["time"], a["solved"], b["time"], b["solved"])
    loss = two_sample.final_loss(a["loss"], b["loss"])
    return {
        "n_a": a["n"], "n_b": b["n"], "success_a": a["k"] / a["n"], "success_b": b["k"] / b["n"],
        "success_diff": diff, "success_diff_lo": lo, "success_diff_hi": hi,
        "logrank_p": rank.p, "median_steps_a": a["median"], "median_steps_b": b["median"],
        "solved_a": a["k"], "solved_b": b["k"], "success_p": success.p, "success_note": success.note,
        "logrank_z": rank.statistic, "logrank_note": rank.note,
        "median_lo_a": a["median_lo"], "median_hi_a": a["median_hi"],
        "median_lo_b": b["median_lo"], "median_hi_b": b["median_hi"],
        "loss_u_p": loss.p, "loss_effect": loss.statistic, "loss_note": loss.note,
    }


def pairwise_table(trials: pd.DataFrame, labels=None) -> pd.DataFrame:
    """One row per pair of the configs in `trials` (or of `labels`, in that order), with `COLUMNS`."""
    sides = {label: _side(group) for label, group in tt.groups(trials, labels).items()}
    rows = [{"a": a, "b": b, **compare(sides[a], sides[b])} for a, b in combinations(sides, 2)]
    table = pd.DataFrame(rows, columns=[c for c in COLUMNS if not c.endswith("_holm")])
    for family in ("logrank_p", "success_p", "loss_u_p"):
        table[f"{family}_holm"] = holm(table[family].to_numpy(dtype=float))
    return table[list(COLUMNS)]
