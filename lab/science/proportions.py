"""The difference of two success rates with a 95% interval: Newcombe's hybrid score interval.

Newcombe, R. G. (1998), "Interval estimation for the difference between independent proportions: comparison of eleven
methods", Statistics in Medicine 17, 873–890, method 10 (the "hybrid score" interval, without continuity correction):
with p1 = k1 / n1, p2 = k2 / n2 and their Wilson score intervals (l1, u1), (l2, u2) (Wilson, 1927),

    D = p1 - p2,   lower = D - sqrt((p1 - l1)² + (u2 - p2)²),   upper = D + sqrt((u1 - p1)² + (p2 - l2)²).

It stays inside [-1, 1], behaves at 0/n and n/n (where the plain Wald interval collapses to a point), and its coverage
is close to nominal at the small n of a few dozen seeds. The Wilson intervals are `analysis.wilson_interval`'s, the
ones the comparison table shows beside each success rate.
"""

from __future__ import annotations

import math

from lab.science.analysis import Z95, wilson_interval


def newcombe_interval(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> tuple[float, float, float]:
    """(difference, lower, upper) of k1/n1 - k2/n2 by Newcombe's method 10; NaNs when either n is 0."""
    if n1 <= 0 or n2 <= 0:
        return math.nan, math.nan, math.nan
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_interval(k1, n1, z)
    l2, u2 = wilson_interval(k2, n2, z)
    d = p1 - p2
    lower = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, max(-1.0, lower), min(1.0, upper)
