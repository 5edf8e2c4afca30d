"""`python -m lab compare`: several optimizers on one config, every pair tested, and a verdict per pair.

Each optimizer of `--optimizers` (optionally with its own learning rate, `adam:0.05`) makes one config from the config
flags; the configs are trained over the seeds as a sweep is (`lab.compute.sweep`: only what the result store lacks is
trained, and what is trained is stored). The command prints the pairwise table (`lab.science.pairwise`: success rates
with Newcombe's interval of their difference, the log-rank test of the time to solve, Holm-adjusted over the pairs,
Kaplan–Meier medians) and one verdict per pair (`lab.science.verdicts`), and with `--csv` writes the whole table,
one row per pair, with the verdict last.

Also here: the performance profiles that `sweep --profiles` writes (`lab.science.profiles`).

PyTorch, pandas and the store's modules are imported only when a comparison runs.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import TYPE_CHECKING

from lab.cli.flags import (
    add_config_flags,
    add_device_flag,
    add_record_flags,
    add_seed_flags,
    add_store_flag,
    add_workers_flag,
    check_writable,
    config_from_args,
    record_from_args,
    seeds_from_args,
    workers_from_args,
    write_csv,
)
from lab.cli.store import open_store
from lab.cli.sweep import MAX_TRIAL_STEPS, MAX_TRIALS, ProgressBar, check_size, plan_line
from lab.core import naming
from lab.core.config import ConfigError, TrialConfig
from lab.core.optimizers import OPTIMIZERS

if TYPE_CHECKING:
    import pandas as pd

LANGS = ("en", "ja")

HEADINGS = {
    "en": "verdicts (alpha {alpha:g}, Holm-adjusted over the {n} pairs):",
    "ja": "判定（有意水準 {alpha:g}、{n} 組について Holm 補正）：",
}

VERSUS = {"en": "{a} vs {b}: {text}", "ja": "{a} 対 {b}：{text}"}


# ---- the configs ---------------------------------------------------------------------------------------------------
def optimizer_entries(text: str | None) -> list[tuple[str, str | None]]:
    """(name, learning rate as given or None) for each entry of `--optimizers`, e.g. "adam:0.05,sgd"."""
    if text is None:
        raise ConfigError("optimizers", "give at least 2 optimizers, like sgd,adam or adam:0.05,sgd:0.5 (got none)")
    entries = []
    for part in text.split(","):
        name, colon, lr = part.strip().partition(":")
        name = name.strip().lower()
        if not name:
            raise ConfigError("optimizers", f"a comma list of optimizers, none empty (got {text!r})")
        if name not in OPTIMIZERS:
            raise ConfigError("optimizers", f"unknown optimizer {name!r}: each must be one of {', '.join(OPTIMIZERS)}, "
                                            f"optionally with a learning rate like adam:0.05 (got {text!r})")
        entries.append((name, lr.strip() if colon else None))
    if len(entries) < 2:
        raise ConfigError("optimizers", f"give at least 2 optimizers to compare, like sgd,adam (got {text!r})")
    return entries


def configs_from_args(args: argparse.Namespace) -> list[TrialConfig]:
    """One config per entry of `--optimizers`: the config flags with that optimizer and learning rate (its own, else
    `--lr`, else the optimizer's default). Raises ConfigError."""
    if args.optimizer is not None:
        raise ConfigError("optimizer", f"compare takes --optimizers A,B,... (got --optimizer {args.optimizer!r})")
    config_from_args(args)  # every other flag checked first, and named in its own error
    configs, given = [], {}
    for name, lr in optimizer_entries(args.optimizers):
        entry = f"{name}:{lr}" if lr is not None else name
        try:
            config = config_from_args(argparse.Namespace(**{**vars(args), "optimizer": name,
                                                            "lr": args.lr if lr is None else lr}))
        except ConfigError as e:
            if e.field == "lr" and lr is not None:
                raise ConfigError("optimizers", f"the learning rate of {entry!r} {e.reason}") from None
            raise
        label = naming.label(config)  # the name tables and verdicts give it
        if label in given:
            same = "are the same config" if config in configs else "would share one name"
            raise ConfigError("optimizers", f"{given[label]!r} and {entry!r} {same}, {label} (got "
                                            f"{args.optimizers!r})")
        given[label] = entry
        configs.append(config)
    return configs


# ---- what is printed -----------------------------------------------------------------------------------------------
def _share(x: float) -> str:
    return f"{x:.2f}" if math.isfinite(x) else "–"


def _signed(x: float) -> str:
    return f"{x:+.2f}" if math.isfinite(x) else "–"


def _steps(x: float) -> str:
    return f"{x:.0f}" if math.isfinite(x) else "–"


def _p(x: float) -> str:
    from lab.science.verdicts import p_text

    return p_text(x).removeprefix("= ").replace("< ", "<")


def printable(table: pd.DataFrame) -> pd.DataFrame:
    """The pairwise table for a terminal: the first columns of the CSV (the difference with its interval in one
    column, the log-rank p-value Holm-adjusted only)."""
    import pandas as pd

    return pd.DataFrame({
        "a": table["a"], "b": table["b"], "n_a": table["n_a"], "n_b": table["n_b"],
        "success_a": table["success_a"].map(_share), "success_b": table["success_b"].map(_share),
        "success_diff [95% CI]": [f"{_signed(d)} [{_signed(lo)}, {_signed(hi)}]" for d, lo, hi in
                                  zip(table["success_diff"], table["success_diff_lo"], table["success_diff_hi"])],
        "logrank_p_holm": table["logrank_p_holm"].map(_p),
        "median_steps_a": table["median_steps_a"].map(_steps), "median_steps_b": table["median_steps_b"].map(_steps),
    })


def verdict_lines(table: pd.DataFrame, said: pd.DataFrame, lang: str) -> list[str]:
    from lab.science.verdicts import ALPHA

    lines = [HEADINGS[lang].format(alpha=ALPHA, n=len(table))]
    lines += [VERSUS[lang].format(a=row.a, b=row.b, text=row.verdict) for row in said.itertuples(index=False)]
    return lines


# ---- the command ---------------------------------------------------------------------------------------------------
def cmd_compare(args: argparse.Namespace) -> int:
    configs = configs_from_args(args)
    seeds = seeds_from_args(args)
    from lab.compute.sweep import prepare, run_plan
    from lab.core.engine import resolve_device  # PyTorch: once the flags that need none are read
    from lab.science.pairwise import pairwise_table
    from lab.science.trials import summaries
    from lab.science.verdicts import verdicts

    device = resolve_device(args.device)
    record = record_from_args(args)
    if args.csv is not None:
        check_writable("csv", args.csv)
    workers = workers_from_args(args)
    check_size(configs, seeds, args)
    store = open_store(args.store, write=record is None or record.full)  # a thin --record stores nothing
    sweep = prepare(configs, seeds, store, workers)
    seconds = sweep.estimate_seconds() if str(device) == "cpu" else None
    print(plan_line(sweep, store, seconds, record), flush=True)
    progress = None if args.quiet else ProgressBar(sys.stderr, estimate=seconds)
    try:
        runs = run_plan(sweep, store, progress=progress, device=device, record=record)
    finally:
        if progress is not None:
            progress.end()

    table = pairwise_table(summaries(runs))
    said = verdicts(table, lang=args.lang)
    print()
    print(printable(table).to_string(index=False))
    print()
    print("\n".join(verdict_lines(table, said, args.lang)))
    if args.csv is not None:
        write_csv("csv", table.assign(verdict=said["verdict"].to_numpy()), args.csv, bom=True)
    return 0


def add_command(commands) -> None:
    """Register `compare` with the subcommands' parser (`commands`, from `add_subparsers`)."""
    compare = commands.add_parser(
        "compare", allow_abbrev=False, help="train several optimizers on one config and test every pair",
        description="Train one config per optimizer over the seeds (computing only what the result store lacks), then "
                    "print the pairwise table (success rates and their difference with Newcombe's 95% interval, the "
                    "log-rank test of the time to solve, Holm-adjusted over the pairs, Kaplan-Meier median steps to "
                    "solve) and one verdict per pair.")
    compare.add_argument("--optimizers", metavar="LIST",
                         help="the optimizers to compare, at least 2, each optionally with its learning rate: "
                              f"adam:0.05,sgd,rmsprop:0.01; names: {', '.join(OPTIMIZERS)} (an entry without a rate "
                              "takes --lr, else the optimizer's default)")
    add_config_flags(compare)
    for action in compare._actions:  # --optimizers names the optimizers; --lr is the rate of those without their own
        if action.dest == "optimizer":
            action.help = argparse.SUPPRESS
        elif action.dest == "lr":
            action.help = ("learning rate of every optimizer of --optimizers given without its own, > 0 and <= 100 "
                           "(default: each optimizer's own)")
    add_seed_flags(compare)
    add_device_flag(compare)
    add_record_flags(compare, stored=True)
    add_store_flag(compare)
    add_workers_flag(compare)
    out = compare.add_argument_group("output")
    out.add_argument("--csv", metavar="PATH", help="write the pairwise table (one row per pair: a, b, n_a, n_b, "
                                                   "success_a, success_b, success_diff, ..., verdict) as CSV, UTF-8 "
                                                   "with BOM for Excel (default: none)")
    out.add_argument("--lang", default="en", choices=LANGS, metavar="LANG",
                     help="language of the verdicts: en or ja (default: en)")
    out.add_argument("--quiet", action="store_true", help="no progress bar (default: off)")
    compare.add_argument("--yes", action="store_true",
                         help=f"start a comparison of more than {MAX_TRIALS} trials or {MAX_TRIAL_STEPS:,} trial-steps "
                              "(default: refuse it, saying its size)")
    compare.set_defaults(handler="lab.cli.compare:cmd_compare")
