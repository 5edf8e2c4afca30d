"""The class's runs as tidy tables: one row per run (and its CSV), each thinned curve in long format with the class's
median, the histogram of iterations to solve with the unsolved counted apart, and the success rate with its 95%
interval. No Streamlit here: the page and its tests read the same tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from lab.dashboard.shared import tables as views
from lab.science.analysis import wilson_interval

CSV_COLUMNS = ("seed", "trial_solved", "steps_to_solve", "final_loss", "submitted_at")
BINS = 10  # bars of the histogram of iterations to solve (plus one for the unsolved)


def runs_frame(runs) -> pd.DataFrame:
    """One row per run (`lab.storage.classruns.Submission`s): id, seed, nickname, trial_solved, steps_to_solve (NaN:
    never), final_loss, submitted_at (UTC)."""
    return pd.DataFrame({
        "id": [r.id for r in runs], "seed": [r.seed for r in runs], "nickname": [r.nickname or "" for r in runs],
        "trial_solved": [r.solved for r in runs], "steps_to_solve": [r.steps_to_solve for r in runs],
        "final_loss": [r.final_loss for r in runs],
        "submitted_at": pd.to_datetime([r.submitted for r in runs], unit="s", utc=True).floor("s"),
    }).astype({"id": "int64", "seed": "int64", "trial_solved": "bool", "steps_to_solve": "float64",
               "final_loss": "float64"})


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The class's runs as the dashboard's CSVs are (UTF-8 with BOM): seed, trial_solved, steps_to_solve, final_loss,
    submitted_at (ISO 8601, UTC)."""
    out = frame.loc[:, list(CSV_COLUMNS)].copy()
    out["submitted_at"] = out["submitted_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return views.to_csv(out, keep=CSV_COLUMNS)


def curves_frame(runs) -> pd.DataFrame:
    """Each run's thinned curve, long: seed, step, loss (the same table for every viewer)."""
    parts = []
    for r in runs:
        values = r.curve.get("loss", [])
        every = int(r.curve.get("every", 1))
        loss = np.array([math.nan if v is None else v for v in values], dtype=np.float64)
        parts.append(pd.DataFrame({"seed": r.seed, "step": np.arange(len(loss)) * every, "loss": loss}))
    if not parts:
        return pd.DataFrame({"seed": pd.Series(dtype="int64"), "step": pd.Series(dtype="int64"),
                             "loss": pd.Series(dtype="float64")})
    return pd.concat(parts, ignore_index=True)


def median_curve(curves: pd.DataFrame) -> pd.DataFrame:
    """The class's median loss at each step (over the runs that reach it): step, loss."""
    if curves.empty:
        return pd.DataFrame({"step": pd.Series(dtype="int64"), "loss": pd.Series(dtype="float64")})
    return curves.groupby("step", as_index=False)["loss"].median()


def histogram(steps_to_solve, steps: int, never_label: str, bins: int = BINS) -> pd.DataFrame:
    """Iterations to solve in `bins` equal bins over 0..steps, and one bar for the unsolved (label `never_label`):
    start, end, label, count, fraction (of all runs), never (whether it is the unsolved bar)."""
    values = np.asarray(list(steps_to_solve), dtype=np.float64)
    n = len(values)
    edges = np.linspace(0, steps, bins + 1)
    solved = values[np.isfinite(values)]
    counts, _ = np.histogram(solved, bins=edges)
    rows = pd.DataFrame({"start": edges[:-1], "end": edges[1:],
                         "label": [f"{int(a)}–{int(b)}" for a, b in zip(edges[:-1], edges[1:])],
                         "count": counts.astype("int64"), "never": False})
    never = pd.DataFrame({"start": [float(steps)], "end": [float(steps)], "label": [never_label],
                          "count": [int(n - len(solved))], "never": [True]})
    out = pd.concat([rows, never], ignore_index=True)
    out["fraction"] = out["count"] / n if n else 0.0
    return out


def success(frame: pd.DataFrame) -> dict:
    """solved, n, rate, lo, hi: the share of runs solved and its 95% Wilson interval (NaN with no runs)."""
    n = len(frame)
    k = int(frame["trial_solved"].sum()) if n else 0
    lo, hi = wilson_interval(k, n)
    return {"solved": k, "n": n, "rate": k / n if n else math.nan, "lo": lo, "hi": hi}


def reference_frame(trials: pd.DataFrame) -> pd.DataFrame:
    """The lab's reference trials (a digest's: seed, solved, steps_to_solve, …) in the class's columns."""
    return pd.DataFrame({"trial_solved": trials["solved"].astype(bool),
                         "steps_to_solve": trials["steps_to_solve"].astype("float64")})
