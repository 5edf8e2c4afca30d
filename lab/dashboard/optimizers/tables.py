"""What the optimizers page shows: digests stacked into tables, the comparison table, the evidence for a difference
(survival curves, every pair tested, verdicts), file names, and every seed's curves as CSV in pieces."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from lab.core.config import FIELD_NAMES, TrialConfig
from lab.core.naming import label
from lab.dashboard.shared.tables import CURVE_ROWS
from lab.science import pairwise, survival, tidy, verdicts
from lab.science.digests import Digest


def stacked(digests: list[Digest], part: str, metric: str = "loss", lr_word: str = "lr") -> pd.DataFrame:
    """One table of every digest's `part` (bands of `metric`, solved, trials) with a `series` column."""
    frames = []
    for d in digests:
        frame = d.bands[metric] if part == "bands" else getattr(d, part)
        frames.append(frame.assign(series=label(d.config, lr_word)))
    return pd.concat(frames, ignore_index=True)


def summary_table(digests: list[Digest]) -> pd.DataFrame:
    """One row per config: every config field and the statistics of `analysis.summarize`, rounded as shown (for
    CSV)."""
    return tidy.rounded(pd.DataFrame([d.summary for d in digests]), keep=FIELD_NAMES)


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


# ---- the evidence: time to solve as survival data, every pair tested, a verdict per pair ---------------------------
def trials_table(digests: list[Digest], lr_word: str = "lr") -> pd.DataFrame:
    """Every trial of every digest: label, seed, solved, steps_to_solve, final_loss, diverged, steps (the budget)."""
    return pd.concat([d.trials.assign(label=label(d.config, lr_word), steps=d.config.steps) for d in digests],
                     ignore_index=True)


def evidence(digests: list[Digest], lr_word: str = "lr") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pairs, curves): the pairwise table of every pair of configs (`pairwise.COLUMNS`; empty with one config) and
    the Kaplan–Meier solved fraction with its 95% band (series, step, solved_fraction, lo, hi)."""
    trials = trials_table(digests, lr_word)
    names = [label(d.config, lr_word) for d in digests]
    pairs = pairwise.pairwise_table(trials, names) if len(names) > 1 else pd.DataFrame(columns=pairwise.COLUMNS)
    curves = survival.solved_curves(trials, names).rename(columns={"label": "series"})
    return pairs, curves


REQUIRED = pairwise.COLUMNS[:13]  # the columns a pairwise file opens with, always
PAIR_VIEW = ("a", "b", "success_diff", "success_diff_lo", "success_diff_hi", "logrank_p", "logrank_p_holm",
             "median_steps_a", "median_steps_b", "loss_u_p_holm", "loss_effect")  # the columns shown on the page


def pairs_table(pairs: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The pairwise table as shown and downloaded: its columns, the verdict in `lang` last, numbers rounded, the
    columns empty in every row left out but the 13 that open every such file (the CLI's `compare --csv`, rounded)."""
    said = verdicts.verdicts(pairs, lang=lang)["verdict"].to_numpy() if len(pairs) else []
    return tidy.drop_empty(tidy.rounded(pairs.assign(verdict=said)), keep=REQUIRED)


# ---- file names ----------------------------------------------------------------------------------------------------
def file_name(configs: list[TrialConfig], n_seeds: int, what: str, stride: int = 1) -> str:
    """`optimizers_adam-sgd_50seeds_summary.csv`: what a file of the page holds (a learning rate or step budget
    named where it is not the default; every k-th step where thinned)."""
    parts = []
    for c in configs:
        default = TrialConfig(optimizer=c.optimizer)
        parts.append(c.optimizer if c.lr == default.lr else f"{c.optimizer}{c.lr:g}")
    steps = "" if configs[0].steps == TrialConfig().steps else f"_{configs[0].steps}steps"
    every = f"_every{stride}" if stride > 1 else ""
    return f"optimizers_{'-'.join(parts)}_{n_seeds}seeds{steps}_{what}{every}.csv"


# ---- every seed's curves: large, so thinned to fit a spreadsheet and built in pieces ------------------------------
CURVE_COLUMNS = ("optimizer", "lr", "seed", "step", "loss", "table_loss", "table_error")
CHUNK_SEEDS = 64  # seeds written per piece


def curve_rows(configs: list[TrialConfig], n_seeds: int, stride: int = 1) -> int:
    """Rows of every seed's curves at every `stride`-th step (one per config, seed and step)."""
    return sum(-(-c.steps // stride) for c in configs) * n_seeds


def curve_stride(configs: list[TrialConfig], n_seeds: int, limit: int | None = None) -> int:
    """Every k-th step, k the smallest that keeps the curves file within `limit` rows (default `CURVE_ROWS`; 1: all
    of them)."""
    return tidy.stride_for(len(configs) * n_seeds, max(c.steps for c in configs), limit or CURVE_ROWS)


def _pieces(store, configs: list[TrialConfig], n_seeds: int, stride: int):
    for config in configs:
        runs = store.trials(config, range(n_seeds))
        idx = np.arange(0, runs.loss.shape[1], stride)
        for start in range(0, len(runs.seeds), CHUNK_SEEDS):
            rows = slice(start, start + CHUNK_SEEDS)
            seeds = np.asarray(runs.seeds[rows], dtype=np.int64)
            yield pd.DataFrame({
                "optimizer": config.optimizer, "lr": config.lr, "seed": np.repeat(seeds, len(idx)),
                "step": np.tile(idx, len(seeds)), "loss": runs.loss[rows][:, idx].ravel(),
                "table_loss": runs.table_loss[rows][:, idx].ravel(),
                "table_error": runs.table_error[rows][:, idx].ravel()})


def curves_csv(store, configs: list[TrialConfig], n_seeds: int, stride: int = 1) -> bytes:
    """Every seed's curves at every `stride`-th step, one row per (config, seed, step), `CURVE_COLUMNS`, UTF-8 with
    BOM; written piece by piece (one config's arrays and one piece's rows held at a time)."""
    out = io.BytesIO()
    for chunk in tidy.csv_chunks(list(CURVE_COLUMNS), _pieces(store, configs, n_seeds, stride)):
        out.write(chunk)
    return out.getvalue()
