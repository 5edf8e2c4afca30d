"""What the optimizers page shows: digests stacked into tables, the comparison table, curves as CSV."""

from __future__ import annotations

import pandas as pd

from lab.core.config import TrialConfig
from lab.core.naming import label
from lab.dashboard.views.common import to_csv
from lab.science.digests import Digest


def stacked(digests: list[Digest], part: str, metric: str = "loss", lr_word: str = "lr") -> pd.DataFrame:
    """One table of every digest's `part` (bands of `metric`, solved, trials) with a `series` column."""
    frames = []
    for d in digests:
        frame = d.bands[metric] if part == "bands" else getattr(d, part)
        frames.append(frame.assign(series=label(d.config, lr_word)))
    return pd.concat(frames, ignore_index=True)


def summary_table(digests: list[Digest]) -> pd.DataFrame:
    """One row per config: every config field and the statistics of `analysis.summarize` (for CSV)."""
    return pd.DataFrame([d.summary for d in digests])


def display_table(digests: list[Digest], lr_word: str = "lr") -> pd.DataFrame:
    """The comparison table as shown: series, success rate with its interval, steps to solve, final loss."""
    table = summary_table(digests)
    return pd.DataFrame({
        "series": [label(d.config, lr_word) for d in digests],
        "success_rate": table["success_rate"], "success_lo": table["success_lo"], "success_hi": table["success_hi"],
        "solved": table["solved"].astype(int), "n_trials": table["n_trials"].astype(int),
        "steps_median": table["steps_median"], "steps_q25": table["steps_q25"], "steps_q75": table["steps_q75"],
        "final_loss_median": table["final_loss_median"], "diverged": table["diverged"].astype(int),
    })


CURVE_COLUMNS = ("optimizer", "lr", "seed", "step", "loss", "table_loss", "table_error")


def curves_csv(store, configs: list[TrialConfig], n_seeds: int) -> bytes:
    """Every seed's curves at every step, one row per (config, seed, step): optimizer, lr, seed, step, loss,
    table_loss, table_error."""
    frames = [store.trials(config, range(n_seeds)).curves()[list(CURVE_COLUMNS)] for config in configs]
    return to_csv(pd.concat(frames, ignore_index=True))
