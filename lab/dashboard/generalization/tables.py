"""What the generalization page shows, computed from the trials of finite configs (no Streamlit here).

- `bands`: per evaluation step, the median and 25–75% quantiles over seeds of the training, validation and test error
  (or loss): the lecture's 訓練誤差とテスト誤差 figure, measured.
- `Story` / `sentence`: the numbers behind the page's one-line reading of that figure, always computed from the data.
- `Digest`: one config reduced to those (small enough for a cache); `capacity_bands` from several: test error at
  the end and at the early-stopping step, and training error, against the width.
- `summary_table` / `cv_estimate`: the per-config table (and CSV) and the k-fold cross-validation estimate.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from lab.science import digests as science_digests
from lab.science.analysis import Story

TABLE_COLUMNS = ("best_step_median", "train_error_final_median", "val_error_best_median", "test_error_best_median",
                 "val_error_final_median", "test_error_final_median")


def percent(x: float) -> str:
    return "–" if x is None or not math.isfinite(x) else f"{100 * x:.1f}%"


def sentence(s: Story, t) -> str:
    """The reading of the figure, in the page's language: `t(key, **values)` translates."""
    values = {"best": percent(s.best_test), "step": f"{s.best_step:,}", "final": percent(s.final_test),
              "train": percent(s.final_train), "stop": f"{s.stop_step:,.0f}", "at_stop": percent(s.test_at_stop)}
    return t("gen.story.overfit" if s.overfits else "gen.story.none", **values)


def summary_table(digests: list[science_digests.FiniteDigest]) -> pd.DataFrame:
    """One row per config: every config field and the statistics of `analysis.summarize` (for CSV)."""
    return pd.concat([d.summary for d in digests], ignore_index=True)


def display_table(summary: pd.DataFrame, current) -> pd.DataFrame:
    """The table as shown: network (depth × width, marked when it is `current`), best step, then the errors in
    percent."""
    names = [f"{d}×{w}" + (" ◀" if (d, w) == (current.depth, current.width) else "")
             for d, w in zip(summary["depth"], summary["width"])]
    first, *errors = TABLE_COLUMNS
    return pd.DataFrame({"network": names, first: summary[first].to_numpy(),
                         **{c: 100 * summary[c].to_numpy(dtype=np.float64) for c in errors}})
