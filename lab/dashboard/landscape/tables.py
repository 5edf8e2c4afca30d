"""What the loss landscape page shows of `jobs.landscape_tables`: the paths and lines named by optimizer labels, and
one row per optimizer saying where its path ends."""

from __future__ import annotations

import pandas as pd

from lab.core.optimizers import OPTIMIZERS


def label(name: str) -> str:
    """An optimizer's display name ("Adam"), also for names with a learning rate ("sgd lr=0.5" → "SGD lr=0.5")."""
    head, _, rest = str(name).partition(" ")
    return f"{OPTIMIZERS[head].label} {rest}".strip() if head in OPTIMIZERS else str(name)


def named(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with a `series` column holding each optimizer's display name."""
    return frame.assign(series=[label(name) for name in frame["optimizer"]])


def ends(paths: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Per optimizer (in the paths' order): series, the loss at its final weights, the final weights' distance from
    the plane, and the bump on the straight line from its start to its end: the highest loss for 0 <= α <= 1 above
    the higher of the two ends (0: no wall on the straight way)."""
    last = paths.groupby("optimizer", sort=False).tail(1).set_index("optimizer")
    inside = lines[(lines["alpha"] >= 0) & (lines["alpha"] <= 1)]
    top = inside.groupby("optimizer", sort=False)["loss"].max()
    ends_ = inside.sort_values("alpha").groupby("optimizer", sort=False)["loss"].agg(["first", "last"]).max(axis=1)
    barrier = top - ends_
    return pd.DataFrame({
        "series": [label(name) for name in last.index],
        "final_table_loss": last["loss"].to_numpy(),
        "off_plane": last["distance"].to_numpy(),
        "barrier": barrier.reindex(last.index).clip(lower=0).to_numpy(),
    })


def stall_lines(stalls: pd.DataFrame, t) -> list[str]:
    """One sentence per tested stall (`jobs.stall_points`), `t(key, **values)` translating: the optimizer, the
    iteration, the Hessian test's verdict and how far the point lies from the plane."""
    return [t("land.stall.line", name=label(r.optimizer), step=int(r.step), kind=t(f"land.kind.{r.kind}"),
              off=float(r.relative_distance)) for r in stalls.itertuples()]
