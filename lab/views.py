"""What the dashboard's pages show, computed from the store: small tables for the charts and CSV downloads.

Each function takes a `Store` and returns plain data (dataclasses of arrays and DataFrames), small enough to keep in
a bounded cache: curves are reduced to at most `MAX_POINTS` steps per series before they leave here.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import analysis, budget, inspect
from .config import FIELD_NAMES, TrialConfig
from .optimizers import OPTIMIZERS

MAX_POINTS = 400  # steps per curve sent to a chart
CHUNK_WORK = 200_000  # weighted trial-steps trained (and stored) at a time by the pages
METRICS = ("loss", "table_loss", "table_error")


def every(steps: int, points: int = MAX_POINTS) -> int:
    """The step stride that keeps a curve of `steps` steps at most `points` long."""
    return max(1, math.ceil(steps / points))


# ---- one trial: the lecture page -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Trial:
    config: TrialConfig
    seed: int
    loss: np.ndarray  # (steps,) minibatch loss, the printed one
    table_loss: np.ndarray  # (steps + 1,)
    table_output: np.ndarray  # (4, outputs)
    params: np.ndarray  # (P,)
    solved: bool
    steps_to_solve: float  # NaN if never

    @property
    def log(self) -> list[str]:
        return inspect.loss_log(self.loss)

    def curves(self, minibatch_name: str, table_name: str, points: int = 1000) -> pd.DataFrame:
        """series, step, value: the minibatch loss and the truth-table loss, every k-th step."""
        idx = np.arange(0, len(self.loss), every(len(self.loss), points))
        return pd.concat([
            pd.DataFrame({"series": minibatch_name, "step": idx, "value": self.loss[idx].astype(np.float64)}),
            pd.DataFrame({"series": table_name, "step": idx, "value": self.table_loss[idx].astype(np.float64)}),
        ], ignore_index=True)

    def printed(self) -> pd.DataFrame:
        """step, value of the lines the lecture prints (every 100 iterations)."""
        idx = np.arange(0, len(self.loss), inspect.LOG_EVERY)
        return pd.DataFrame({"step": idx, "value": self.loss[idx].astype(np.float64)})


def trial(store, config: TrialConfig, seed: int) -> Trial:
    runs = store.runs(config, [seed])
    return Trial(config, seed, runs.loss[0], runs.table_loss[0], runs.table_output[0], runs.params[0],
                 bool(runs.solved[0]), float(runs.steps_to_solve[0]))


# ---- many seeds of one config: the optimizers page ------------------------------------------------------------------
@dataclass(frozen=True)
class Digest:
    """One config over seeds 0..n-1, reduced: its summary row, its bands per metric, solved-by-step, per trial."""

    config: TrialConfig
    summary: dict
    bands: dict  # metric -> DataFrame step, median, q25, q75
    solved: pd.DataFrame  # step, solved_fraction
    trials: pd.DataFrame  # seed, solved, steps_to_solve, final_loss, diverged


def digest(store, config: TrialConfig, n_seeds: int, smooth: int = 1) -> Digest:
    runs = store.runs(config, range(n_seeds))
    stride = every(config.steps)
    bands = {m: analysis.curve_bands(runs, m, every=stride, smooth=smooth)[["step", "median", "q25", "q75"]]
             for m in METRICS}
    solved = analysis.solved_by_step(runs, every=stride)[["step", "solved_fraction"]]
    trials = runs.summary()[["seed", "solved", "steps_to_solve", "final_loss", "diverged"]]
    return Digest(config, analysis.summarize([runs]).iloc[0].to_dict(), bands, solved, trials)


def pending(store, config: TrialConfig, n_seeds: int) -> list[list[int]]:
    """The seeds 0..n-1 the store lacks for `config`, in chunks of about `CHUNK_WORK` weighted trial-steps, so a page
    can train and store a large request piece by piece, reporting progress between pieces."""
    missing = store.missing(config, range(n_seeds))
    size = max(1, CHUNK_WORK // (config.steps * budget.weight(config)))
    return [missing[i:i + size] for i in range(0, len(missing), size)]


def label(config: TrialConfig, lr_word: str = "lr") -> str:
    """A series name: the optimizer's label and its learning rate, e.g. "Adam (lr 0.1)" (`lr_word` translates
    "lr")."""
    return f"{OPTIMIZERS[config.optimizer].label} ({lr_word} {config.lr:g})"


WORDS = {"lr": "lr", "it": "it.", "full": "full batch", "mbs": "mbs"}  # describe()'s words, in English


def describe(config: TrialConfig, words: dict | None = None) -> str:
    """A one-line name of a whole config: "Adam (lr 0.1) · AND · sigmoid 2-2-1 · 1000 it." (+ what differs from
    the lecture's minibatches, init, loss and encoding); `words` translates those of `WORDS`."""
    w = {**WORDS, **(words or {})}
    sizes = "-".join(map(str, config.layer_sizes))
    parts = [label(config, w["lr"]), config.task.upper(), f"{config.activation} {sizes}", f"{config.steps} {w['it']}"]
    if config.full_batch:
        parts.append(w["full"])
    elif config.batch_size != 5:
        parts.append(f"{w['mbs']} {config.batch_size}")
    parts += [x for x, default in ((config.init, "pytorch"), (config.loss_fn, "mse"), (config.encoding, "scalar"))
              if x != default]
    return " · ".join(parts)


def entry_table(store, key: str, lr_word: str = "lr") -> pd.DataFrame | None:
    """`readable_table` of one stored entry over all its seeds (None if the entry is gone)."""
    runs = store.load_key(key)
    if runs is None:
        return None
    summary = analysis.summarize([runs])
    table = summary.assign(series=label(runs.config, lr_word))
    return readable_table(table)


def stacked(digests: list[Digest], part: str, metric: str = "loss", lr_word: str = "lr") -> pd.DataFrame:
    """One table of every digest's `part` (bands of `metric`, solved, trials) with a `series` column."""
    frames = []
    for d in digests:
        frame = d.bands[metric] if part == "bands" else getattr(d, part)
        frames.append(frame.assign(series=label(d.config, lr_word)))
    return pd.concat(frames, ignore_index=True)


def summary_table(digests: list[Digest]) -> pd.DataFrame:
    """One row per config: every config field and the statistics of `analysis.summarize` (for CSV)."""
    return pd.DataFrame([d.summary for d in digests])


def display_table(digests: list[Digest], lr_word: str = "lr") -> pd.DataFrame:
    """The comparison table as shown: series, success rate with its interval, steps to solve, final loss."""
    table = summary_table(digests)
    return pd.DataFrame({
        "series": [label(d.config, lr_word) for d in digests],
        "success_rate": table["success_rate"], "success_lo": table["success_lo"], "success_hi": table["success_hi"],
        "solved": table["solved"].astype(int), "n_trials": table["n_trials"].astype(int),
        "steps_median": table["steps_median"], "steps_q25": table["steps_q25"], "steps_q75": table["steps_q75"],
        "final_loss_median": table["final_loss_median"], "diverged": table["diverged"].astype(int),
    })


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
    """The config fields of one row of `entries`, as plain Python values."""
    def plain(value):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        return value.item() if hasattr(value, "item") else value

    return {name: plain(row[name]) for name in FIELD_NAMES}


def entries_frame(frame: pd.DataFrame, words: dict | None = None) -> pd.DataFrame:
    """The listing as shown: config (its one-line name), seeds, n_seeds, size (KB), modified, key."""
    names = [describe(TrialConfig.from_dict(entry_config(row)), words) for _, row in frame.iterrows()]
    return pd.DataFrame({"config": names, "seeds": frame.get("seeds", frame["n_seeds"]), "n_seeds": frame["n_seeds"],
                         "size": frame["size_bytes"] / 1024, "modified": frame["modified"], "key": frame["key"]})


# ---- CSV -------------------------------------------------------------------------------------------------------
def to_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes; float32 columns widened first so each number reads as PyTorch's `.item()` prints it."""
    wide = {name: "float64" for name, dtype in frame.dtypes.items() if dtype == np.float32}
    buffer = io.StringIO()
    frame.astype(wide).to_csv(buffer, index=False)
    return buffer.getvalue().encode()


CURVE_COLUMNS = ("optimizer", "lr", "seed", "step", "loss", "table_loss", "table_error")


def curves_csv(store, configs: list[TrialConfig], n_seeds: int) -> bytes:
    """Every seed's curves at every step, one row per (config, seed, step): optimizer, lr, seed, step, loss,
    table_loss, table_error."""
    frames = [store.runs(config, range(n_seeds)).curves()[list(CURVE_COLUMNS)] for config in configs]
    return to_csv(pd.concat(frames, ignore_index=True))


def entry_csv(store, key: str) -> bytes:
    """One stored entry's curves, with every config field (empty if the entry is gone)."""
    runs = store.load_key(key)
    return b"" if runs is None else to_csv(runs.curves())
