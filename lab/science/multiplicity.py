"""Holm's step-down adjustment of p-values for the number of comparisons made.

Holm, S. (1979), "A simple sequentially rejective multiple test procedure", Scandinavian Journal of Statistics 6,
65–70. With the m defined p-values in increasing order p(1) <= ... <= p(m), the adjusted values are

    p̃(i) = max over j <= i of min(1, (m - j + 1) · p(j)),

so that rejecting where p̃ <= alpha is exactly Holm's procedure at level alpha: it controls the family-wise error rate
(the chance of any false claim among the m) under any dependence between the tests, and it rejects everything
Bonferroni's correction rejects, and sometimes more. (`scipy.stats.false_discovery_control` is Benjamini–Hochberg,
which controls the false discovery rate, a weaker guarantee.)

Missing p-values (NaN: a test that is undefined for its pair, see `two_sample`) are not tests: they stay NaN and do not
count in m.
"""

from __future__ import annotations

import numpy as np


def holm(pvalues) -> np.ndarray:
    """Holm-adjusted p-values, in the order given; NaN stays NaN and is not counted."""
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1:
        raise ValueError("holm takes a flat sequence of p-values")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    out = np.full(p.shape, np.nan)
    defined = np.flatnonzero(~np.isnan(p))
    m = len(defined)
    order = defined[np.argsort(p[defined], kind="stable")]
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(scaled)
    return out
