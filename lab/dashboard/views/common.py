"""What the dashboard's pages show, computed from the store: small tables for the charts and CSV downloads.

Each function takes a `Store` and returns plain data (dataclasses of arrays and DataFrames), small enough to keep in
a bounded cache: curves are reduced to at most `MAX_POINTS` steps per series before they leave here.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd


def readable_table(table: pd.DataFrame) -> pd.DataFrame:
    """`display_table` with intervals and counts as short texts: series, success_rate, success_ci, solved,
    steps_median, steps_iqr, final_loss, diverged."""
    def span(lo, hi, fmt):
        return "–" if pd.isna(lo) or pd.isna(hi) else f"{fmt(lo)}–{fmt(hi)}"

    def percent(x):
        return f"{100 * x:.0f}%"

    def whole(x):
        return f"{x:.0f}"

    return pd.DataFrame({
        "series": table["series"],
        "success_rate": table["success_rate"],
        "success_ci": [span(lo, hi, percent) for lo, hi in zip(table["success_lo"], table["success_hi"])],
        "solved": [f"{k}/{n}" for k, n in zip(table["solved"], table["n_trials"])],
        "steps_median": ["–" if pd.isna(x) else whole(x) for x in table["steps_median"]],
        "steps_iqr": [span(lo, hi, whole) for lo, hi in zip(table["steps_q25"], table["steps_q75"])],
        "final_loss": table["final_loss_median"],
        "diverged": table["diverged"],
    })


# ---- CSV -------------------------------------------------------------------------------------------------------
def to_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes; float32 columns widened first so each number reads as PyTorch's `.item()` prints it."""
    wide = {name: "float64" for name, dtype in frame.dtypes.items() if dtype == np.float32}
    buffer = io.StringIO()
    frame.astype(wide).to_csv(buffer, index=False)
    return buffer.getvalue().encode()
