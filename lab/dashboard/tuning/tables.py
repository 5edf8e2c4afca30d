"""What the tuning page shows: learning-rate grids per optimizer (chosen on validation, reported on test) and the
effect of the minibatch size, as small tables for the charts and CSV downloads (no Streamlit here).

On finite data the "final loss" is the loss on the training set at the end (what the optimizer minimised); on the
lecture's stream it is the loss on the four truth-table rows, which are the training data there.
"""

from __future__ import annotations

import pandas as pd

from lab.core.optimizers import OPTIMIZERS
from lab.science import tuning

FINITE_METRICS = ("val_error", "test_error", "final_loss", "success_rate")
STREAM_METRICS = ("final_loss", "success_rate")
BATCH_METRICS = ("loss_noise", "steps", "error")  # one chart each


def lr_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The chart data: series (the optimizer's label), optimizer, lr, lr_is_default and each metric."""
    frame = pd.DataFrame({"series": [OPTIMIZERS[o].label for o in table["optimizer"]],
                          "optimizer": table["optimizer"], "lr": table["lr"], "lr_is_default": table["lr_is_default"],
                          "final_loss": table["final_loss"], "success_rate": table["success_rate"]})
    if "val_error_final_median" in table:
        frame["val_error"] = table["val_error_final_median"]
        frame["test_error"] = table["test_error_final_median"]
    return frame


def chosen(frame: pd.DataFrame, best: pd.DataFrame) -> pd.DataFrame:
    """The rows of `lr_frame` at each optimizer's chosen learning rate."""
    picks = set(zip(best["optimizer"], best["best_lr"]))
    return frame[[(o, lr) in picks for o, lr in zip(frame["optimizer"], frame["lr"])]]


def best_table(table: pd.DataFrame, order=None) -> pd.DataFrame:
    """`tuning.best_learning_rates`: per optimizer, the lr chosen on validation (the truth-table loss on the stream)
    and, beside it, the one-shot default; in `order` (optimizer names) where given."""
    best = tuning.best_learning_rates(table)
    if order is not None:
        rank = {name: i for i, name in enumerate(order)}
        best = best.sort_values("optimizer", key=lambda names: names.map(rank)).reset_index(drop=True)
    return best


def best_display(best: pd.DataFrame) -> pd.DataFrame:
    """The table as shown: optimizer, tuned lr and its scores, default lr and its scores (test error where any)."""
    out = pd.DataFrame({"optimizer": [OPTIMIZERS[o].label for o in best["optimizer"]], "best_lr": best["best_lr"],
                        "best_score": best["best_score"]})
    if "best_test_error" in best:
        out["best_test_error"] = best["best_test_error"]
    out["best_success_rate"] = best["best_success_rate"]
    out["default_lr"] = best.get("default_lr")
    out["default_score"] = best.get("default_score")
    if "default_test_error" in best:
        out["default_test_error"] = best["default_test_error"]
    out["default_success_rate"] = best.get("default_success_rate")
    return out


def batch_frame(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Long chart data for one of BATCH_METRICS: batch_size, measure, value."""
    columns = {"loss_noise": ("loss_noise",), "steps": ("steps_median", "examples_seen_median"),
               "error": ("test_error_final_median",) if "test_error_final_median" in table else ("success_rate",)}
    frame = table.melt(id_vars="batch_size", value_vars=list(columns[metric]), var_name="measure")
    return frame.dropna(subset=["value"]).reset_index(drop=True)


def at_edge(best: pd.DataFrame, grid) -> dict[str, list[str]]:
    """The optimizers (display names) whose chosen learning rate is the grid's smallest ("low") or largest ("high")
    rate: their best rate may lie beyond the grid."""
    lo, hi = min(grid), max(grid)
    names = [OPTIMIZERS[o].label for o in best["optimizer"]]
    return {"low": [n for n, lr in zip(names, best["best_lr"]) if lr == lo],
            "high": [n for n, lr in zip(names, best["best_lr"]) if lr == hi]}
