"""`python -m lab sweep`: a grid of configs × seeds into the store.

A sweep says its size and an estimate of its time before it starts, shows its progress with an ETA on stderr while it
runs, and refuses a sweep of more than `MAX_TRIALS` trials or `MAX_TRIAL_STEPS` trial-steps unless given `--yes`.
PyTorch, pandas and the store's modules are imported only when a sweep runs.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from typing import TYPE_CHECKING

from lab.cli.flags import (
    add_device_flag,
    add_record_flags,
    add_seed_flags,
    add_store_flag,
    add_workers_flag,
    check_writable,
    record_from_args,
    seeds_from_args,
    workers_from_args,
    write_csv,
)
from lab.cli.store import open_store
from lab.core.config import FIELD_NAMES, LIMITS, ConfigError, TrialConfig
from lab.storage.presets import PRESETS, Grid

if TYPE_CHECKING:
    import pandas as pd

    from lab.compute.sweep import SweepPlan
    from lab.storage.store import Store


class ProgressBar:
    """A one-line text progress bar with ETA for terminals (writes to `stream`). Until the first trials are done the
    ETA is `estimate` (seconds, the plan's) less the time taken; then it comes from the rate so far."""

    def __init__(self, stream, width: int = 30, estimate: float | None = None):
        self.stream, self.width, self.start, self.estimate = stream, width, time.perf_counter(), estimate
        self.open = False  # a bar is shown and its line not ended

    def end(self) -> None:
        """End the bar's line if it is still open (a run stopped by an error: the error gets a line of its own)."""
        if self.open:
            self.stream.write("\n")
            self.stream.flush()
            self.open = False

    def eta(self, done: int, total: int, elapsed: float) -> float | None:
        if done > 0:
            return elapsed * (total - done) / done
        return None if self.estimate is None else max(0.0, self.estimate - elapsed)

    def __call__(self, done: int, total: int) -> None:
        from lab.compute.sweep import duration

        elapsed = time.perf_counter() - self.start
        frac = done / total if total else 1.0
        eta = self.eta(done, total, elapsed) if done < total else None
        bar = "#" * int(frac * self.width)
        eta_text = f"ETA {duration(eta)}" if eta is not None else f"{duration(elapsed)}"
        self.stream.write(f"\r[{bar:<{self.width}}] {done}/{total} trials  {eta_text}  ")
        self.open = done < total
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


# sweep flag -> config field; each takes a comma list (numbers also as ranges: 1-6)
AXES = {
    "tasks": "task", "encodings": "encoding", "optimizers": "optimizer", "activations": "activation",
    "inits": "init", "losses": "loss_fn", "depths": "depth", "widths": "width", "batch_sizes": "batch_size",
    "lrs": "lr", "momentums": "momentum", "weight_decays": "weight_decay",
    "n_trains": "n_train", "noises": "noise", "label_flips": "label_flip",
}


WHOLE = {"depth", "width", "batch_size", "n_train"}


MAX_CONFIGS = 100_000  # configs in one grid


MAX_TRIALS = 200_000  # larger sweeps need --yes ...


MAX_TRIAL_STEPS = 200_000_000  # ... and so do longer ones: 200,000 trials of the lecture's 1,000 steps


HARD_MAX_TRIALS = 10_000_000  # refused even with --yes: planning more would take gigabytes of memory


DIAGNOSE_COLUMNS = ["stalled_fraction", "saddle_fraction", "n_saddle_tested"]  # --diagnose


TABLE_METRICS = ["n_trials", "success_rate", "success_lo", "success_hi", "steps_median", "steps_q25", "steps_q75",
                 "final_loss_median", "final_loss_mean", "diverged"]


def _range(flag_name: str, field: str, part: str) -> range:
    """A range like 1-6 (both ends included) within the field's limits, checked before it is expanded."""
    lo_text, hi_text = part.split("-", 1)
    try:
        lo, hi = int(lo_text), int(hi_text)
    except ValueError:
        raise ConfigError(flag_name, f"ranges look like 1-6 (got {part!r})") from None
    if lo > hi:
        raise ConfigError(flag_name, f"a range goes from low to high, like {hi}-{lo} (got {part!r})")
    low, high = LIMITS[field]
    if lo < low or hi > high:
        raise ConfigError(flag_name, f"must be from {low} to {high} (got {part!r})")
    return range(lo, hi + 1)


def _values(flag_name: str, field: str, text: str) -> tuple:
    """The values of one axis flag: a comma list (whole numbers also as ranges); never empty."""
    values = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            raise ConfigError(flag_name, f"a comma list of values, none empty (got {text!r})")
        if field in WHOLE and "-" in part[1:]:
            values.extend(_range(flag_name, field, part))
        elif field in WHOLE:
            try:
                values.append(int(part))
            except ValueError:
                raise ConfigError(flag_name, f"must be whole numbers separated by commas (got {part!r})") from None
        else:
            values.append(part)
    return tuple(values)


def grid_from_args(args: argparse.Namespace) -> tuple[Grid, list[TrialConfig]]:
    """The preset (if any) with the flags' axes and settings laid over it, and its validated configs."""
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
    size = math.prod(len(values) for values in axes.values())
    if size > MAX_CONFIGS:  # before building them: a product of ranges can be huge
        raise ConfigError(_largest_axis(args, axes), f"the grid has {size} configs; at most {MAX_CONFIGS}")
    grid = Grid(base=base, axes=axes, seeds=preset.seeds if args.preset else 1)
    try:
        configs = grid.configs()
    except ConfigError as e:  # name the sweep's own flag (--optimizers, not --optimizer)
        plural = next((name for name, field in AXES.items() if field == e.field and name in vars(args)
                       and getattr(args, name) is not None), e.field)
        raise ConfigError(plural, e.reason) from None
    return grid, configs


def _largest_axis(args: argparse.Namespace, axes: dict) -> str:
    """The axis flag given with the most values (the one to shorten), else --preset."""
    given = [name for name, field in AXES.items() if getattr(args, name) is not None]
    return max(given, key=lambda name: len(axes[AXES[name]])) if given else "preset"


def check_size(configs: list[TrialConfig], seeds: list[int], args: argparse.Namespace) -> None:
    """Refuse sweeps larger than HARD_MAX_TRIALS, and those above MAX_TRIALS or MAX_TRIAL_STEPS without --yes
    (`run`'s size is checked here too, as one config)."""
    trials = len(configs) * len(seeds)
    size = f"{len(configs)} configs x {len(seeds)} seeds = {trials} trials" if len(configs) > 1 else f"{trials} trials"
    if trials > HARD_MAX_TRIALS:
        raise ConfigError("seed_list" if args.seed_list is not None else "seeds",
                          f"{size}; one sweep trains at most {HARD_MAX_TRIALS}")
    if args.yes:
        return
    if trials > MAX_TRIALS:
        raise ConfigError("yes", f"{size}, more than {MAX_TRIALS}: add --yes to start it")
    trial_steps = len(seeds) * sum(config.steps for config in configs)
    if trial_steps > MAX_TRIAL_STEPS:
        raise ConfigError("yes", f"{size} of {trial_steps} trial-steps in all, more than {MAX_TRIAL_STEPS}: add "
                                 "--yes to start it")


def check_scheduler(address: str) -> None:
    """Refuse a malformed Dask scheduler address (no port, a port out of range, an unknown protocol) before any work,
    as Dask itself reads one; whether a scheduler answers there is known only when the sweep connects."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import backends

    try:
        scheme, location = parse_address(address.strip(), strict=False)
        if scheme not in backends:
            raise ValueError(f"unknown protocol {scheme!r}; one of {', '.join(backends)}")
        if scheme in ("tcp", "tls", "ws", "wss"):
            host, port = parse_host_port(location)
            if not host:
                raise ValueError("no host")
            if not 0 < port < 65536:
                raise ValueError(f"port {port} is not from 1 to 65535")
    except (TypeError, ValueError) as e:
        raise ConfigError("scheduler", f"must be a Dask scheduler address like tcp://10.0.0.5:8786: {e} "
                                       f"(got {address!r})") from None


def estimate(sweep: SweepPlan, args: argparse.Namespace, device) -> float | None:
    """Seconds the sweep should take on local processes on a CPU (lab.compute.sweep's cost model); None elsewhere."""
    return None if args.scheduler or str(device) != "cpu" else sweep.estimate_seconds()


def plan_line(sweep: SweepPlan, store: Store, seconds: float | None, record=None) -> str:
    """What the sweep will do, said before it starts: its size, what is stored, what is left and about how long."""
    from lab.compute.sweep import duration

    kept = "" if record is None or record.full else f"; --record {record.name}: what is trained is not stored"
    line = (f"{len(sweep.configs)} configs x {len(sweep.seeds)} seeds = {sweep.trials} trials "
            f"(store: {store.root}{kept}): ")
    if not sweep.units:
        return line + "all stored, nothing to train"
    line += f"{sweep.to_train} to train" + (f" ({sweep.trials - sweep.to_train} stored)"
                                            if sweep.to_train < sweep.trials else "")
    if seconds is None:
        return line + ", time shown as it runs"
    processes = min(sweep.workers, len(sweep.units))
    return line + f", estimated {duration(seconds)} on {processes} process{'es' * (processes > 1)}"


def cmd_sweep(args: argparse.Namespace) -> int:
    grid, configs = grid_from_args(args)
    if args.scheduler is not None:
        check_scheduler(args.scheduler)
    if args.seeds is None and args.seed_list is None:
        seeds = list(range(grid.seeds))
    else:
        seeds = seeds_from_args(args)
    from lab.cli.profiles import check_profiles, write_profiles
    from lab.compute.sweep import prepare, run_plan
    from lab.core.engine import resolve_device  # PyTorch: once the flags that need none are read

    device = resolve_device(args.device)
    record = record_from_args(args)
    if args.csv is not None:
        check_writable("csv", args.csv)
    if args.profiles is not None:
        check_writable("profiles", args.profiles)
        check_profiles(configs)
    workers = workers_from_args(args)
    check_size(configs, seeds, args)
    store = open_store(args.store, write=record is None or record.full)  # a thin --record stores nothing
    sweep = prepare(configs, seeds, store, workers)
    seconds = estimate(sweep, args, device)
    print(plan_line(sweep, store, seconds, record), flush=True)
    progress = None if args.quiet else ProgressBar(sys.stderr, estimate=seconds)
    try:
        runs = run_plan(sweep, store, scheduler=args.scheduler, progress=progress, device=device, record=record)
    finally:
        if progress is not None:
            progress.end()
    table = comparison_table(runs, diagnose=args.diagnose)
    print(printable(table).to_string(index=False))
    if args.csv is not None:
        write_csv("csv", table, args.csv, bom=True)
    if args.profiles is not None:
        write_profiles(runs, args.profiles)
    return 0


def comparison_table(runs, diagnose: bool = False) -> pd.DataFrame:
    """One row per config (`analysis.summarize`); with `diagnose`, also stalled_fraction, saddle_fraction and
    n_saddle_tested (lab.science.diagnostics: the Hessian test on at most 5 sampled stalls per config)."""
    from lab.science.analysis import summarize

    table = summarize(runs)
    if diagnose:
        from lab.science.diagnostics import diagnose as diagnose_runs

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


def add_command(commands) -> None:
    """Register `sweep` with the subcommands' parser (`commands`, from `add_subparsers`)."""
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
    add_record_flags(sweep, stored=True)
    add_store_flag(sweep)
    add_workers_flag(sweep)
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 "
                                                              "(default: local processes)")
    sweep.add_argument("--csv", metavar="PATH", help="write the comparison table (one row per config) as CSV, UTF-8 "
                                                     "with BOM for Excel (default: none)")
    sweep.add_argument("--profiles", metavar="PATH",
                       help="write the performance profiles of the optimizer settings over the grid's other settings "
                            "(the problems) as CSV, UTF-8 with BOM: optimizer, tau, fraction = the share of problems "
                            "on which its median steps to solve are at most tau times the fastest setting's "
                            "(default: none)")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar (default: off)")
    sweep.add_argument("--yes", action="store_true",
                       help=f"start a sweep of more than {MAX_TRIALS} trials or {MAX_TRIAL_STEPS:,} trial-steps "
                            "(default: refuse it, saying its size)")
    sweep.add_argument("--diagnose", action="store_true",
                       help="add stalled_fraction (trials whose truth-table loss stalled high and flat for 100+ "
                            "steps) and saddle_fraction (of up to 5 sampled stalls per config, those whose midpoint "
                            "the exact Hessian shows to be near a saddle) to the table and CSV (default: off)")
    sweep.set_defaults(handler="lab.cli.sweep:cmd_sweep")
