"""`python -m lab sweep` (a grid of configs × seeds into the store) and `python -m lab store` (what it holds)."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from .analysis import summarize
from .config import FIELD_NAMES, ConfigError, TrialConfig
from .engine import resolve_device
from .presets import PRESETS
from .store import Store, default_root
from .sweep import Grid, ProgressBar, run_configs

# sweep flag -> config field; each takes a comma list (numbers also as ranges: 1-6)
AXES = {
    "tasks": "task", "encodings": "encoding", "optimizers": "optimizer", "activations": "activation",
    "inits": "init", "losses": "loss_fn", "depths": "depth", "widths": "width", "batch_sizes": "batch_size",
    "lrs": "lr", "momentums": "momentum", "weight_decays": "weight_decay",
    "n_trains": "n_train", "noises": "noise", "label_flips": "label_flip",
}
WHOLE = {"depth", "width", "batch_size", "n_train"}
DIAGNOSE_COLUMNS = ["stalled_fraction", "saddle_fraction", "n_saddle_tested"]  # --diagnose
TABLE_METRICS = ["n_trials", "success_rate", "success_lo", "success_hi", "steps_median", "steps_q25", "steps_q75",
                 "final_loss_median", "final_loss_mean", "diverged"]


def _values(flag_name: str, field: str, text: str) -> tuple:
    values = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            raise ConfigError(flag_name, f"empty value in {text!r}")
        if field in WHOLE and "-" in part[1:]:
            lo, hi = part.split("-", 1)
            try:
                values.extend(range(int(lo), int(hi) + 1))
            except ValueError:
                raise ConfigError(flag_name, f"ranges look like 1-6 (got {part!r})") from None
        elif field in WHOLE:
            try:
                values.append(int(part))
            except ValueError:
                raise ConfigError(flag_name, f"must be whole numbers separated by commas (got {part!r})") from None
        else:
            values.append(part)
    return tuple(values)


def grid_from_args(args: argparse.Namespace) -> Grid:
    """The preset (if any) with the flags' axes and settings laid over it."""
    if args.preset is not None and args.preset not in PRESETS:
        raise ConfigError("preset", f"must be one of {', '.join(PRESETS)} (got {args.preset!r})")
    preset = PRESETS[args.preset] if args.preset else Grid()
    base, axes = dict(preset.base), dict(preset.axes)
    for name, field in AXES.items():
        text = getattr(args, name)
        if text is not None:
            axes[field] = _values(name, field, text)
    if args.steps is not None:
        base["steps"] = args.steps
    if args.full_batch:
        base["full_batch"] = True
    grid = Grid(base=base, axes=axes, seeds=preset.seeds if args.preset else 1)
    try:
        configs = grid.configs()
    except ConfigError as e:  # name the sweep's own flag (--optimizers, not --optimizer)
        plural = next((name for name, field in AXES.items() if field == e.field and name in vars(args)
                       and getattr(args, name) is not None), e.field)
        raise ConfigError(plural, e.reason) from None
    if len(configs) > 100_000:
        raise ConfigError("preset", f"the grid has {len(configs)} configs; at most 100000")
    return grid


def cmd_sweep(args: argparse.Namespace) -> int:
    from .cli import check_writable, seeds_from_args, write_csv  # shared helpers (cli imports this module)

    grid = grid_from_args(args)
    configs = grid.configs()
    if args.seeds is None and args.seed_list is None:
        seeds = list(range(grid.seeds))
    else:
        seeds = seeds_from_args(args)
    device = resolve_device(args.device)
    if args.csv is not None:
        check_writable("csv", args.csv)
    if args.workers is not None and not 1 <= args.workers <= 256:
        raise ConfigError("workers", f"must be from 1 to 256 (got {args.workers})")
    store = Store(args.store)
    progress = None if args.quiet else ProgressBar(sys.stderr)
    runs = run_configs(configs, seeds, store, workers=args.workers, scheduler=args.scheduler, progress=progress,
                       device=device)
    table = comparison_table(runs, diagnose=args.diagnose)
    print(f"{len(configs)} configs x {len(seeds)} seeds = {len(configs) * len(seeds)} trials (store: {store.root})")
    print(printable(table).to_string(index=False))
    if args.csv is not None:
        write_csv("csv", table, args.csv, bom=True)
    return 0


def comparison_table(runs, diagnose: bool = False) -> pd.DataFrame:
    """One row per config (`analysis.summarize`); with `diagnose`, also stalled_fraction, saddle_fraction and
    n_saddle_tested (lab.diagnostics: the Hessian test on at most 5 sampled stalls per config)."""
    table = summarize(runs)
    if diagnose:
        from .diagnostics import diagnose as diagnose_runs

        extra = diagnose_runs(runs)
        for column in DIAGNOSE_COLUMNS:
            table[column] = extra[column].to_numpy()
    return table


def printable(table: pd.DataFrame) -> pd.DataFrame:
    """The columns worth reading in a terminal: the config fields that vary, then the key metrics."""
    varying = [c for c in FIELD_NAMES if c in table and table[c].astype(str).nunique() > 1]
    view = table[varying + ["n_trials", "success_rate", "success_lo", "success_hi", "steps_median",
                            "final_loss_median", "diverged"] + [c for c in DIAGNOSE_COLUMNS if c in table]].copy()
    for c in ("success_rate", "success_lo", "success_hi", "stalled_fraction", "saddle_fraction"):
        if c not in view:
            continue
        view[c] = view[c].map(lambda x: f"{x:.2f}")
    view["final_loss_median"] = view["final_loss_median"].map(lambda x: f"{x:.3g}")
    return view


def cmd_store(args: argparse.Namespace) -> int:
    from .cli import check_writable, write_csv

    store = Store(args.store)
    if args.action == "ls":
        entries = store.entries()
        if entries.empty:
            print(f"the store at {store.root} is empty")
            return 0
        cols = [c for c in ("key", "task", "depth", "width", "activation", "optimizer", "lr", "steps", "n_seeds",
                            "size_bytes", "modified", "status") if c in entries]
        print(entries[cols].to_string(index=False))
        print(f"{len(entries)} entries, {store.size_bytes() / 1e6:.1f} MB in {store.root}")
    elif args.action == "clear":
        print(f"deleted {store.clear()} entries from {store.root}")
    elif args.action == "rm":
        if not args.key:
            raise ConfigError("key", "give the key of the entry to delete (see: python -m lab store ls)")
        if not store.delete(args.key):
            raise ConfigError("key", f"no entry {args.key!r} in {store.root}")
        print(f"deleted {args.key}")
    elif args.action == "export":
        if not args.key or args.csv is None:
            raise ConfigError("key", "export needs a key and --csv PATH (see: python -m lab store ls)")
        check_writable("csv", args.csv)
        runs = store.load_key(args.key)
        if runs is None:
            raise ConfigError("key", f"no usable entry {args.key!r} in {store.root}")
        write_csv("csv", runs.curves() if args.curves else runs.summary(), args.csv, bom=True)
        print(f"wrote {args.csv}")
    return 0


def add_store_flag(parser) -> None:
    parser.add_argument("--store", metavar="PATH", default=None,
                        help=f"the result store folder (default: $LAB_STORE, else {default_root()})")


def add_commands(commands, add_seed_flags, add_device_flag) -> None:
    sweep = commands.add_parser("sweep", allow_abbrev=False, help="train a grid of configs x seeds into the store",
                                description="Train every config of a grid for the seeds, computing only what the "
                                            "store lacks; print and optionally save the comparison table.")
    sweep.add_argument("--preset", metavar="NAME", help=f"a named grid: {', '.join(PRESETS)} (lecture: the six "
                                                        "optimizers x sigmoid/tanh/relu x depths 1-6, 20 seeds)")
    g = sweep.add_argument_group("axes (comma lists; whole numbers also as ranges like 1-6)")
    for name, field in AXES.items():
        default = getattr(TrialConfig(), field)
        g.add_argument("--" + name.replace("_", "-"), dest=name, metavar="LIST",
                       help=f"values of {field} (default: the preset's, else {default})")
    sweep.add_argument("--steps", type=int, metavar="N", help="iterations per trial (default: the preset's, else 1000)")
    sweep.add_argument("--full-batch", action="store_true", help="the 4 truth-table rows every step (default: off)")
    add_seed_flags(sweep)
    add_device_flag(sweep)
    add_store_flag(sweep)
    sweep.add_argument("--workers", type=int, metavar="N", help="local worker processes (default: one per core)")
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 "
                                                              "(default: local processes)")
    sweep.add_argument("--csv", metavar="PATH", help="write the comparison table (one row per config) as CSV, UTF-8 "
                                                     "with BOM for Excel (default: none)")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar (default: off)")
    sweep.add_argument("--diagnose", action="store_true",
                       help="add stalled_fraction (trials whose truth-table loss stalled high and flat for 100+ "
                            "steps) and saddle_fraction (of up to 5 sampled stalls per config, those whose midpoint "
                            "the exact Hessian shows to be near a saddle) to the table and CSV (default: off)")
    sweep.set_defaults(handler=cmd_sweep)

    store = commands.add_parser("store", allow_abbrev=False, help="list, export or delete stored results",
                                description="Manage the result store.")
    store.add_argument("action", choices=("ls", "clear", "rm", "export"), help="ls: list entries; clear: delete all; "
                                                                               "rm KEY: delete one; export KEY --csv")
    store.add_argument("key", nargs="?", help="an entry's key (rm, export)")
    store.add_argument("--csv", metavar="PATH", help="export: write the entry's per-trial summary here")
    store.add_argument("--curves", action="store_true", help="export the per-step curves instead of the summary")
    add_store_flag(store)
    store.set_defaults(handler=cmd_store)
