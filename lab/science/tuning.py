"""Choosing hyper-parameters honestly: learning-rate grids chosen on validation data and reported on test data,
k-fold cross-validation, and what the minibatch size does to the loss's noise and to speed.

The lecture: validation data tune the hyper-parameters (minibatch size, network structure, learning rate); the test
error, measured once on data never used for choices, is what matters. A learning rate picked by its *test* error
would be a biased, flattering estimate, so `best_learning_rates` picks on validation and only then reads test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from lab.core.config import TrialConfig
from lab.core.optimizers import OPTIMIZERS
from lab.core.runs import Runs
from lab.science.analysis import summarize


def log_grid(lo: float = 1e-4, hi: float = 10.0, per_decade: int = 2) -> list[float]:
    """Learning rates evenly spaced in log scale from lo to hi, rounded to 3 significant digits (1e-4 ... 10)."""
    decades = np.log10(hi) - np.log10(lo)
    values = np.logspace(np.log10(lo), np.log10(hi), int(round(decades * per_decade)) + 1)
    return [float(f"{v:.3g}") for v in values]


def lr_configs(base: TrialConfig, optimizers, lrs) -> list[TrialConfig]:
    """Each optimizer at each learning rate of the grid, and at its own default (marked by `lr_is_default`)."""
    configs = []
    for name in optimizers:
        default = base.replace(optimizer=name)
        configs.extend(default.replace(lr=lr) for lr in lrs)
        configs.append(default)
    return list(dict.fromkeys(configs))


def final_loss(runs: Runs) -> float:
    """Median over seeds of the loss at the end: on the training set (finite data, what the optimizer minimised) or
    on the four truth-table rows (the lecture's stream, whose training data they are)."""
    values = runs.evaluations["train_loss"][:, -1] if runs.evaluations is not None else runs.table_loss[:, -1]
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    return float(np.median(values)) if len(values) else math.nan


def lr_table(runs_list: list[Runs]) -> pd.DataFrame:
    """One row per (optimizer, lr): the comparison columns, whether this lr is the optimizer's default
    (`lr_is_default`) and the median loss at the end (`final_loss`)."""
    table = summarize(runs_list)
    table["lr_is_default"] = [OPTIMIZERS[o].default_lr == lr for o, lr in zip(table["optimizer"], table["lr"],
                                                                                  strict=True)]
    losses = {(r.config.optimizer, r.config.lr): final_loss(r) for r in runs_list}
    table["final_loss"] = [losses[(o, lr)] for o, lr in zip(table["optimizer"], table["lr"])]
    return table.sort_values(["optimizer", "lr"]).reset_index(drop=True)


def best_learning_rates(table: pd.DataFrame, choose_on: str | None = None) -> pd.DataFrame:
    """Per optimizer: the lr with the lowest validation score (median final validation error, ties broken by final
    loss), its test error, and the default lr's row beside it. On the lecture's exact stream (no validation set) the
    truth-table loss is the only score, and there is no held-out test: the table says so in `chosen_on`."""
    finite = "val_error_final_median" in table
    key = choose_on or ("val_error_final_median" if finite else "final_loss_median")
    rows = []
    for name, group in table.groupby("optimizer", sort=False):
        ranked = group.sort_values([key, "final_loss_median"], kind="stable")
        best = ranked.iloc[0]
        default = group[group["lr_is_default"]]
        row = {"optimizer": name, "chosen_on": key, "best_lr": best["lr"], "best_score": best[key],
               "best_success_rate": best["success_rate"]}
        if not default.empty:
            row.update(default_lr=default.iloc[0]["lr"], default_score=default.iloc[0][key],
                       default_success_rate=default.iloc[0]["success_rate"])
        if finite:
            row["best_test_error"] = best["test_error_final_median"]
            if not default.empty:
                row["default_test_error"] = default.iloc[0]["test_error_final_median"]
        rows.append(row)
    return pd.DataFrame(rows)


def fold_configs(config: TrialConfig, folds: int) -> list[TrialConfig]:
    """The k configs of a k-fold cross-validation of `config` (which needs a finite training set)."""
    return [config.replace(folds=folds, fold=k) for k in range(folds)]


def cross_validation(runs_list: list[Runs]) -> dict:
    """Mean over folds of the median validation error at the end, and its spread."""
    scores = [float(np.nanmedian(r.evaluations["val_error"][:, -1])) for r in runs_list]
    return {"folds": len(scores), "cv_error": float(np.mean(scores)), "cv_error_std": float(np.std(scores)),
            "fold_errors": scores}


def loss_noise(runs: Runs, window: int = 25) -> float:
    """How noisy the minibatch loss is: the median over seeds of the standard deviation of the minibatch loss around
    its own moving average (window `window` steps), over the second half of training."""
    loss = runs.loss[:, runs.loss.shape[1] // 2:].astype(np.float64)
    trend = pd.DataFrame(loss.T).rolling(window, center=True, min_periods=1).mean().to_numpy().T
    return float(np.nanmedian(np.nanstd(loss - trend, axis=1)))


def batch_size_effect(runs_list: list[Runs]) -> pd.DataFrame:
    """One row per batch size: loss noise, median steps to solve, success rate (and test error on finite data)."""
    rows = []
    for runs, summary in zip(runs_list, summarize(runs_list).to_dict("records"), strict=True):
        row = {"batch_size": runs.config.batch_size, "loss_noise": loss_noise(runs),
               "steps_median": summary["steps_median"], "success_rate": summary["success_rate"],
               "examples_seen_median": summary["steps_median"] * runs.config.batch_size}
        if "test_error_final_median" in summary:
            row["test_error_final_median"] = summary["test_error_final_median"]
        rows.append(row)
    return pd.DataFrame(rows).sort_values("batch_size").reset_index(drop=True)


def cv_estimate(fold_runs: list[Runs], summary: pd.DataFrame) -> dict:
    """The k-fold estimate (mean over folds of the median final validation error) beside the held-out validation
    error and the test error of the config itself (`summary`: its one-row summary; medians over seeds, at the end)."""
    row = summary.iloc[0]
    return {**cross_validation(fold_runs), "val_error": float(row["val_error_final_median"]),
            "test_error": float(row["test_error_final_median"])}
