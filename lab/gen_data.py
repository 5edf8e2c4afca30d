"""What the generalization page shows, computed from the trials of finite configs (no Streamlit here).

- `bands`: per evaluation step, the median and 25–75% quantiles over seeds of the training, validation and test error
  (or loss): the lecture's 訓練誤差とテスト誤差 figure, measured.
- `Story` / `sentence`: the numbers behind the page's one-line reading of that figure, always computed from the data.
- `Digest`: one config reduced to those (small enough for a cache); `capacity_bands` from several: test error at
  the end and at the early-stopping step, and training error, against the width.
- `summary_table` / `cv_estimate`: the per-config table (and CSV) and the k-fold cross-validation estimate.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .analysis import summarize
from .runs import Runs
from .tuning import cross_validation

SETS = ("train", "val", "test")
KINDS = ("error", "loss")
OVERFIT_MARGIN = 0.02  # the median test error must rise this much above its lowest to call it overfitting
CAPACITY = ("test_error_final", "test_error_best", "train_error_final")  # per seed, from Runs.early_stopping
TABLE_COLUMNS = ("best_step_median", "train_error_final_median", "val_error_best_median", "test_error_best_median",
                 "val_error_final_median", "test_error_final_median")


def _quantiles(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """25%, 50%, 75% over seeds (axis 0), ignoring NaN (diverged trials)."""
    with _quiet():
        q25, median, q75 = np.nanquantile(np.asarray(values, dtype=np.float64), [0.25, 0.5, 0.75], axis=0)
    return q25, median, q75


@contextlib.contextmanager
def _quiet():
    """All-NaN slices (every seed diverged) give NaN quietly."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def bands(runs: Runs, kind: str = "error") -> pd.DataFrame:
    """Columns: set (train, val, test), step, median, q25, q75 of `kind` (error or loss) at each evaluation."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    ev = runs.evaluations
    frames = []
    for name in SETS:
        q25, median, q75 = _quantiles(ev[f"{name}_{kind}"])
        frames.append(pd.DataFrame({"set": name, "step": np.asarray(ev["steps"]), "median": median, "q25": q25,
                                    "q75": q75}))
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class Story:
    """The figure in numbers: where the median test error is lowest, its value there and at the end, the training
    error at the end, and the early-stopping step (median over seeds of the lowest validation loss) with the
    median test error there."""

    best_step: int
    best_test: float
    final_test: float
    final_train: float
    stop_step: float
    test_at_stop: float

    @property
    def overfits(self) -> bool:
        return self.final_test - self.best_test >= OVERFIT_MARGIN and self.final_train < self.final_test


def story(steps, train_median, test_median, stop_step: float, test_at_stop: float) -> Story:
    """From median curves over evaluation steps (the first lowest point wins a tie)."""
    test = np.asarray(test_median, dtype=np.float64)
    best = int(np.nanargmin(test)) if np.isfinite(test).any() else len(test) - 1
    return Story(int(np.asarray(steps)[best]), float(test[best]), float(test[-1]), float(np.asarray(train_median)[-1]),
                 float(stop_step), float(test_at_stop))


def story_of(runs: Runs) -> Story:
    ev, stop = runs.evaluations, runs.early_stopping()
    with _quiet():
        return story(ev["steps"], np.nanmedian(ev["train_error"], axis=0), np.nanmedian(ev["test_error"], axis=0),
                     np.nanmedian(stop["best_step"]), np.nanmedian(stop["test_error_best"]))


def percent(x: float) -> str:
    return "–" if x is None or not math.isfinite(x) else f"{100 * x:.1f}%"


def sentence(s: Story, t) -> str:
    """The reading of the figure, in the page's language: `t(key, **values)` translates."""
    values = {"best": percent(s.best_test), "step": f"{s.best_step:,}", "final": percent(s.final_test),
              "train": percent(s.final_train), "stop": f"{s.stop_step:,.0f}", "at_stop": percent(s.test_at_stop)}
    return t("gen.story.overfit" if s.overfits else "gen.story.none", **values)


@dataclass(frozen=True)
class Digest:
    """One finite config over its seeds, reduced for the page (small enough to keep in a cache)."""

    config: object
    bands: dict  # kind -> bands(runs, kind)
    story: Story
    summary: pd.DataFrame  # one row: analysis.summarize
    stop: dict  # CAPACITY measure -> per-seed values


def digest(runs: Runs) -> Digest:
    stop = runs.early_stopping()
    return Digest(runs.config, {kind: bands(runs, kind) for kind in KINDS}, story_of(runs), summarize([runs]),
                  {m: np.asarray(stop[m], dtype=np.float64) for m in CAPACITY})


def capacity_bands(digests: list[Digest]) -> pd.DataFrame:
    """Columns: width, measure (one of CAPACITY), median, q25, q75 over seeds."""
    rows = []
    for d in digests:
        for measure in CAPACITY:
            q25, median, q75 = _quantiles(d.stop[measure])
            rows.append({"width": d.config.width, "measure": measure, "median": float(median), "q25": float(q25),
                         "q75": float(q75)})
    return pd.DataFrame(rows)


def summary_table(digests: list[Digest]) -> pd.DataFrame:
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


def cv_estimate(fold_runs: list[Runs], summary: pd.DataFrame) -> dict:
    """The k-fold estimate (mean over folds of the median final validation error) beside the held-out validation
    error and the test error of the config itself (`summary`: its one-row summary; medians over seeds, at the end)."""
    row = summary.iloc[0]
    return {**cross_validation(fold_runs), "val_error": float(row["val_error_final_median"]),
            "test_error": float(row["test_error_final_median"])}
