"""What the results page shows: the store's entries, one entry's table and CSV."""

from __future__ import annotations

import pandas as pd

from lab.core.config import TrialConfig
from lab.core.naming import describe, label
from lab.dashboard.views.common import readable_table, to_csv
from lab.science import analysis


def entry_table(store, key: str, lr_word: str = "lr") -> pd.DataFrame | None:
    """`readable_table` of one stored entry over all its seeds (None if the entry is gone)."""
    runs = store.load_key(key)
    if runs is None:
        return None
    summary = analysis.summarize([runs])
    table = summary.assign(series=label(runs.config, lr_word))
    return readable_table(table)


# ---- the store's entries: the results page --------------------------------------------------------------------------
def entries(store) -> pd.DataFrame:
    """The store's usable entries, newest first (unreadable files are left out: they are recomputed when needed)."""
    frame = store.entries()
    if frame.empty:
        return frame
    if "status" in frame:
        frame = frame[frame["status"] == "ok"]
    return frame.sort_values("modified", ascending=False).reset_index(drop=True)


def entry_config(row) -> dict:
    """The config of one row of `entries`, as stored (the row's own dict: the frame's per-field columns hold one type
    each, so an integer field that is None in another row reads back from them as a float)."""
    return dict(row["config"])


def entries_frame(frame: pd.DataFrame, words: dict | None = None) -> pd.DataFrame:
    """The listing as shown: config (its one-line name), seeds, n_seeds, size (KB, with the entry's derived files),
    modified, key."""
    names = [describe(TrialConfig.from_dict(entry_config(row)), words) for _, row in frame.iterrows()]
    return pd.DataFrame({"config": names, "seeds": frame.get("seeds", frame["n_seeds"]), "n_seeds": frame["n_seeds"],
                         "size": frame["size_bytes"] / 1024, "modified": frame["modified"], "key": frame["key"]})


CURVE_COLUMNS = ("seed", "step", "loss", "table_loss", "table_error")  # after the config's, before grad_norm_*


def file_name(config: dict, n_seeds: int) -> str:
    """`stored_adam_lr0.1_and_sigmoid_2-2-1_1000steps_20seeds_curves.csv`: what an entry's curves file holds."""
    c = TrialConfig.from_dict(config)
    sizes = "-".join(map(str, c.layer_sizes))
    return f"stored_{c.optimizer}_lr{c.lr:g}_{c.task}_{c.activation}_{sizes}_{c.steps}steps_{n_seeds}seeds_curves.csv"


def entry_csv(store, key: str) -> bytes:
    """One stored entry's curves, with every config field (empty if the entry is gone)."""
    runs = store.load_key(key)
    return b"" if runs is None else to_csv(runs.curves())
