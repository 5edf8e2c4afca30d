"""What the results page shows: the store's entries, one entry's table and CSV."""

from __future__ import annotations

import io
import itertools

import pandas as pd

from lab.core.config import TrialConfig
from lab.core.naming import describe, label
from lab.dashboard.shared.tables import CURVE_ROWS, readable_table
from lab.science import analysis, tidy
from lab.storage.parquet import select


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


def file_name(config: dict, n_seeds: int, stride: int = 1) -> str:
    """`stored_adam_lr0.1_and_sigmoid_2-2-1_1000steps_20seeds_curves.csv`: what an entry's curves file holds
    (`_everyK` at the end where it holds every k-th step)."""
    c = TrialConfig.from_dict(config)
    sizes = "-".join(map(str, c.layer_sizes))
    every = f"_every{stride}" if stride > 1 else ""
    return f"stored_{c.optimizer}_lr{c.lr:g}_{c.task}_{c.activation}_{sizes}_{c.steps}steps_{n_seeds}seeds_curves" \
           f"{every}.csv"


CHUNK_SEEDS = 64  # seeds written per piece


def entry_stride(n_seeds: int, steps: int) -> int:
    """Every k-th step, k the smallest that keeps an entry's curves file within the optimizers page's row limit."""
    return tidy.stride_for(n_seeds, steps, CURVE_ROWS)


def entry_csv(store, key: str, stride: int = 1) -> bytes:
    """One stored entry's curves at every `stride`-th step, with every config field used (empty if the entry is gone);
    written in pieces of `CHUNK_SEEDS` seeds, so only one piece's rows are held besides the file."""
    runs = store.load_key(key)
    if runs is None:
        return b""
    unused = [name for name, value in runs.config.to_dict().items() if value is None]
    pieces = (select(runs, runs.seeds[i:i + CHUNK_SEEDS]).curves(every=stride).drop(columns=unused)
              for i in range(0, len(runs.seeds), CHUNK_SEEDS))
    first = next(pieces)
    out = io.BytesIO()
    for chunk in tidy.csv_chunks(list(first.columns), itertools.chain([first], pieces)):
        out.write(chunk)
    return out.getvalue()
