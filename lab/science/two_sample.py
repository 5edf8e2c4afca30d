"""Two configs, three tests: time to solve (log-rank), success (Fisher), final loss (Mann–Whitney), with their
degenerate cases.

- Time to solve: the log-rank test (Mantel, 1966; Peto & Peto, 1972) of `scipy.stats.logrank` on censored data (see
  `trials`): it compares, step by step, the solves each config had with those expected if both solved alike, so it
  uses the unsolved trials too (as censored at the budget). Its `statistic` z = (O - E) / sqrt(V) is the first
  config's: z > 0 means it solves sooner (more solves than expected).
- Success: Fisher's exact test (`scipy.stats.fisher_exact`, two-sided) of the 2 × 2 table solved / not solved.
- Final loss: the Mann–Whitney U test (`scipy.stats.mannwhitneyu`, two-sided; exact for small samples without ties,
  else the normal approximation with the tie correction). A trial whose final loss is not finite (it diverged) ranks
  as the worst. Its effect size is the common-language effect size (McGraw & Wong, 1992), the probability of
  superiority: P(a random trial of the first config ends with the lower loss) + ½ P(equal) = 1 - U_a / (n_a n_b);
  0.5 means neither tends lower.

A test that cannot say anything for a pair returns p = NaN (never counted in Holm's m) and a note saying why:
`NO_TRIALS` (a config without trials); for the log-rank test `NO_SOLVES` (neither config solved: nothing to compare)
and `ONE_STEP` (every trial of both solved at the same step: the variance V is 0 and the times are identical); for
Fisher's test `ALL_SOLVED` / `NONE_SOLVED` (both configs solved every trial, or none: one possible table); for the
Mann–Whitney test `ALL_EQUAL` (every final loss of both is the same number). One trial per side is not degenerate:
its p-values are simply large.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from lab.science import trials as tt

NO_TRIALS = "no trials"
NO_SOLVES = "no solves in either"
ONE_STEP = "all solved at one step"
ALL_SOLVED = "all solved in both"
NONE_SOLVED = "none solved in either"
ALL_EQUAL = "all final losses equal"


@dataclass(frozen=True)
class Test:
    p: float  # two-sided p-value; NaN where the test is undefined
    statistic: float  # log-rank z of the first config; Fisher's odds ratio; the probability of superiority
    note: str = ""  # why p is NaN ("" where it is not)


UNDEFINED = math.nan


def logrank_variance(time_a, solved_a, time_b, solved_b) -> float:
    """V = sum over solve steps of n_a n_b d (n - d) / (n² (n - 1)): the log-rank statistic's null variance."""
    time = np.concatenate([time_a, time_b])
    solved = np.concatenate([solved_a, solved_b]).astype(bool)
    first = np.arange(len(time)) < len(time_a)
    v = 0.0
    for step in np.unique(time[solved]):
        at_risk = time >= step
        n, n_a = int(at_risk.sum()), int((at_risk & first).sum())
        d = int(((time == step) & solved).sum())
        if n > 1:
            v += n_a * (n - n_a) * d * (n - d) / (n * n * (n - 1))
    return v


def logrank(time_a, solved_a, time_b, solved_b) -> Test:
    """The log-rank test of time to solve; statistic > 0: the first config solves sooner."""
    solved_a, solved_b = np.asarray(solved_a, dtype=bool), np.asarray(solved_b, dtype=bool)
    time_a, time_b = np.asarray(time_a, dtype=float), np.asarray(time_b, dtype=float)
    if len(time_a) == 0 or len(time_b) == 0:
        return Test(UNDEFINED, UNDEFINED, NO_TRIALS)
    if not (solved_a.any() or solved_b.any()):
        return Test(UNDEFINED, UNDEFINED, NO_SOLVES)
    if logrank_variance(time_a, solved_a, time_b, solved_b) == 0:
        return Test(UNDEFINED, UNDEFINED, ONE_STEP)
    result = stats.logrank(tt.censored(time_a, solved_a), tt.censored(time_b, solved_b), alternative="two-sided")
    return Test(float(result.pvalue), float(result.statistic))


def fisher(k_a: int, n_a: int, k_b: int, n_b: int) -> Test:
    """Fisher's exact test of two success rates; statistic: the odds ratio k_a (n_b - k_b) / ((n_a - k_a) k_b)."""
    if n_a == 0 or n_b == 0:
        return Test(UNDEFINED, UNDEFINED, NO_TRIALS)
    if k_a == n_a and k_b == n_b:
        return Test(UNDEFINED, UNDEFINED, ALL_SOLVED)
    if k_a == 0 and k_b == 0:
        return Test(UNDEFINED, UNDEFINED, NONE_SOLVED)
    result = stats.fisher_exact([[k_a, n_a - k_a], [k_b, n_b - k_b]], alternative="two-sided")
    return Test(float(result.pvalue), float(result.statistic))


def final_loss(loss_a, loss_b) -> Test:
    """The Mann–Whitney U test of final losses (not finite = worst); statistic: P(a's loss is lower) + ½ P(tie)."""
    a, b = (np.asarray(x, dtype=float) for x in (loss_a, loss_b))
    if len(a) == 0 or len(b) == 0:
        return Test(UNDEFINED, UNDEFINED, NO_TRIALS)
    a, b = (np.where(np.isfinite(x), x, np.inf) for x in (a, b))
    both = np.concatenate([a, b])
    if np.all(both == both[0]):
        return Test(UNDEFINED, 0.5, ALL_EQUAL)
    result = stats.mannwhitneyu(a, b, alternative="two-sided")
    return Test(float(result.pvalue), 1.0 - float(result.statistic) / (len(a) * len(b)))
