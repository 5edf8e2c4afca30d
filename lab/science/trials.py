"""Per-trial tables in, labelled groups and censored times to solve out: what every statistic here starts from.

A trial that solves at step t has an *event* at t; a trial that never solves (or diverges) within the config's step
budget is *right-censored* at the budget (`steps`): all we know is that it had not solved by then. It is not a failure
at infinity, and it is not dropped.

Configs are named as the comparison table names them (`naming.label`: "Adam (lr 0.1)"); where two configs of one
table share that name, by `naming.describe`'s longer one-line name instead.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from lab.core import naming
from lab.core.config import FIELD_NAMES, LIMITS, TrialConfig

COLUMNS = ("solved", "steps_to_solve", "steps")  # needed besides a label or the config columns
INTEGER_FIELDS = tuple(name for name, (lo, _) in LIMITS.items() if isinstance(lo, int))


def summaries(runs_list) -> pd.DataFrame:
    """The `Runs.summary()` frames of several configs as one table (columns that are empty in one config's frame,
    like its unused optimizer settings, are left out of that frame before concatenating and come back as missing)."""
    frames = [runs.summary() for runs in runs_list]
    columns = list(dict.fromkeys(c for frame in frames for c in frame.columns))
    kept = [frame.dropna(axis=1, how="all") for frame in frames]
    return pd.concat(kept, ignore_index=True).reindex(columns=columns)


def config_of(values: dict) -> TrialConfig:
    """The TrialConfig of one row's config columns (missing values are unset; 3.0 read back from a table is 3)."""
    def plain(name, value):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        value = value.item() if hasattr(value, "item") else value
        if name in INTEGER_FIELDS and isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    return TrialConfig.from_dict({name: plain(name, v) for name, v in values.items() if name in FIELD_NAMES})


def require(trials: pd.DataFrame) -> pd.DataFrame:
    """The table itself, once it is checked to hold the columns every statistic needs (`COLUMNS`)."""
    missing = [c for c in COLUMNS if c not in trials.columns]
    if missing:
        raise ValueError(f"per-trial table lacks column(s) {', '.join(missing)}")
    return trials


def config_rows(trials: pd.DataFrame) -> list[tuple[TrialConfig, list[int]]]:
    """(config, its row positions) for each distinct config of the table's config columns, in order of first
    appearance."""
    fields = [name for name in FIELD_NAMES if name in trials.columns]
    if "optimizer" not in fields:
        raise ValueError("per-trial table needs a label column or the config columns (at least optimizer)")
    values = trials[fields].astype(object)
    rows: dict[tuple, list[int]] = {}
    for i, key in enumerate(values.where(values.notna(), None).itertuples(index=False, name=None)):
        rows.setdefault(key, []).append(i)
    return [(config_of(dict(zip(fields, key))), where) for key, where in rows.items()]


def with_labels(trials: pd.DataFrame, lr_word: str = "lr") -> pd.DataFrame:
    """The table with a `label` column: kept if present, else each config's name as the comparison table gives it
    (`naming.label`, with `lr_word` for "lr"); `naming.describe` where two configs would share a name."""
    require(trials)
    if "label" in trials.columns:
        return trials
    found = config_rows(trials)
    for name in (lambda c: naming.label(c, lr_word), lambda c: naming.describe(c, {"lr": lr_word})):
        names = [name(config) for config, _ in found]
        if len(set(names)) == len(names):
            label = np.empty(len(trials), dtype=object)
            for text, (_, where) in zip(names, found):
                label[where] = text
            return trials.assign(label=label)
    raise ValueError("two configs share one name: add a label column to tell them apart")


def groups(trials: pd.DataFrame, labels=None) -> dict[str, pd.DataFrame]:
    """Label -> that config's rows, in the order of `labels` (default: of first appearance)."""
    trials = with_labels(trials)
    present = list(dict.fromkeys(trials["label"]))
    chosen = present if labels is None else list(labels)
    unknown = [label for label in chosen if label not in present]
    if unknown:
        raise ValueError(f"no trials labelled {', '.join(map(repr, unknown))}")
    by = dict(list(trials.groupby("label", sort=False)))
    return {label: by[label] for label in chosen}


def times(group: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, int]:
    """(time, solved, budget): the step each trial solved at, or the budget where it did not (censored there).
    One config has one budget; a diverged trial is never solved."""
    budgets = pd.unique(group["steps"])
    if len(budgets) != 1:
        raise ValueError(f"one label, one step budget (got {sorted(budgets)})")
    budget = int(budgets[0])
    solved = group["solved"].to_numpy(dtype=bool)
    if "diverged" in group.columns:
        solved = solved & ~group["diverged"].to_numpy(dtype=bool)
    steps = pd.to_numeric(group["steps_to_solve"], errors="coerce").to_numpy(dtype="float64", na_value=math.nan)
    if np.any(solved & ~np.isfinite(steps)) or np.any(steps[solved] > budget) or np.any(steps[solved] < 0):
        raise ValueError("a solved trial needs a steps_to_solve from 0 to the step budget")
    return np.where(solved, steps, float(budget)), solved, budget


def censored(time: np.ndarray, solved: np.ndarray) -> stats.CensoredData:
    """scipy's survival data: solves observed, the rest right-censored at their time (the budget)."""
    return stats.CensoredData(uncensored=time[solved], right=time[~solved])
