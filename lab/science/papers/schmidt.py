"""Schmidt, Schneider & Hennig (2021): several optimizers at their defaults against one tuned.

Each side has the same budget of trained settings: the lab's optimizers at their default settings on one side, one
optimizer over a learning-rate grid of as many values on the other. Each side's best setting is chosen by its
success rate on one set of seeds (`pick`) and reported on fresh seeds (`report`), so the choice is not flattered by
the seeds it was made on. `defaults_vs_tuned` returns the difference of the fresh success rates (defaults − tuned)
with Newcombe's 95 % interval.
"""

from __future__ import annotations

import numpy as np

from lab.science.proportions import newcombe_interval


def best(solved: dict) -> str:
    """The setting with the highest success rate (ties: the first in the mapping's order)."""
    names = list(solved)
    rates = [float(np.mean(solved[name])) for name in names]
    return names[int(np.argmax(rates))]


def defaults_vs_tuned(defaults_pick: dict, defaults_report: dict, tuned_pick: dict, tuned_report: dict) -> dict:
    """Mappings setting → solved (bool per seed). {"default", "tuned": the chosen settings, "measured", "ci_lo",
    "ci_hi", "n", "default_rate", "tuned_rate"} on the report seeds."""
    a, b = best(defaults_pick), best(tuned_pick)
    sa, sb = np.asarray(defaults_report[a]), np.asarray(tuned_report[b])
    d, lo, hi = newcombe_interval(int(sa.sum()), len(sa), int(sb.sum()), len(sb))
    return {"default": a, "tuned": b, "measured": d, "ci_lo": lo, "ci_hi": hi, "n": len(sa),
            "default_rate": float(sa.mean()), "tuned_rate": float(sb.mean())}
