"""The command line: `python -m lab run` trains one config for some seeds and prints the lecture's log.

With no flags it is the lecture's program (`TrialConfig()`, seed 0) and prints exactly what the lecture prints,
`i = 0 loss = 0.27076905965805054` every 100 iterations, then a short summary. Bad input ends with one line on stderr,
`error: --flag: what is allowed (got ...)`, and exit code 2.

Other subcommands reuse `add_config_flags` / `add_seed_flags` and `config_from_args` / `seeds_from_args`. PyTorch
and the store's modules are imported only when the command runs, after the flags that need none are checked.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from dataclasses import replace

import numpy as np

from lab.cli.flags import (
    add_config_flags,
    add_device_flag,
    add_record_flags,
    add_seed_flags,
    add_workers_flag,
    check_writable,
    config_from_args,
    flag,
    record_from_args,
    seeds_from_args,
    workers_from_args,
    write_csv,
)
from lab.cli.sweep import MAX_TRIAL_STEPS, MAX_TRIALS, check_size
from lab.core.config import ConfigError, TrialConfig
from lab.core.recording import Recording

LOG_EVERY = 100  # the lecture prints every 100 iterations
PROCESSES = 2  # the most processes `run` trains on unless --workers says more: each holds PyTorch and its own
# --memory-mb, and two with the default setting stay under 1 GiB together (measured: 977 MiB for 100,000 trials)

CURVE_ROWS = 1_000_000  # the most rows --curves writes: the table and its text then take about 0.5 GiB


# ---- run -----------------------------------------------------------------------------------------------------------
def _median(values) -> float:
    """Median ignoring NaN (diverged trials); NaN if all are."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(np.nanmedian(values))


def summary_lines(runs) -> list[str]:
    n = len(runs.seeds)
    solved, diverged = int(runs.solved.sum()), int(runs.diverged.sum())
    steps = runs.steps_to_solve[runs.solved]
    lines = [f"solved {solved}/{n}",
             f"median steps to solve: {f'{np.median(steps):g}' if solved else 'never'}",
             f"median final loss: {_median(runs.table_loss[:, -1]):.4g}"]
    if diverged:
        lines.append(f"diverged {diverged}/{n}")
    if runs.evaluations is not None:
        stop = runs.early_stopping()
        lines.append(f"median train error at the end: {_median(stop['train_error_final']):.3f}")
        lines.append(f"median test error at the end: {_median(stop['test_error_final']):.3f}; at the best validation "
                     f"step (median step {_median(stop['best_step']):g}): {_median(stop['test_error_best']):.3f}")
    return lines


def recording_for(args: argparse.Namespace) -> Recording:
    """What `run` records: --record when given, else what its output needs: every step for --curves, the steps the
    log prints (every LOG_EVERY-th), else (--quiet) the summaries only, from which the summary lines and the CSV's
    rows come alike at every level (lab.core.recording). Always in passes that fit --memory-mb (default MEMORY_MB)."""
    record = record_from_args(args) or Recording()
    if args.curves is not None and record.every is None:
        raise ConfigError("curves", "needs curves: --record full or every:K (got --record summary)")
    if args.record is not None:
        return record
    return replace(record, every=1 if args.curves is not None else None if args.quiet else LOG_EVERY)


def check_fits(config: TrialConfig, seeds: list[int], record: Recording, args: argparse.Namespace) -> None:
    """Refuse, saying what would fit, a run that cannot fit in memory at all: a trial outgrowing --memory-mb, kept
    results outgrowing the bound of lab.core.recording, or a --curves file of more than CURVE_ROWS rows."""
    record.check_fits(config, len(seeds))
    if args.curves is not None:
        from lab.science.tidy import stride_for

        rows = len(seeds) * len(record.curve_steps(config.steps))
        if rows > CURVE_ROWS:
            every = max(stride_for(len(seeds), config.steps, CURVE_ROWS), (record.every or 1) + 1)
            raise ConfigError("curves", f"{len(seeds):,} trials x {len(record.curve_steps(config.steps)):,} recorded "
                                        f"steps = {rows:,} rows, more than {CURVE_ROWS:,} fit: add --record "
                                        f"every:{every} or give at most {max(1, CURVE_ROWS // config.steps):,} seeds")


def cmd_run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    seeds = seeds_from_args(args)
    record = recording_for(args)
    check_size([config], seeds, args)
    check_fits(config, seeds, record, args)
    from lab.compute.sweep import stored_runs
    from lab.core.engine import resolve_device  # PyTorch: once the flags that need none are read

    device = resolve_device(args.device)
    workers = workers_from_args(args) or min(PROCESSES, os.cpu_count() or 1)
    for field in ("csv", "curves"):
        if getattr(args, field) is not None:
            check_writable(field, getattr(args, field))
    for name in ("momentum", "beta1", "beta2"):
        if getattr(args, name) is not None and getattr(config, name) is None:
            print(f"note: {flag(name)} is not used by {config.optimizer}; ignored", file=sys.stderr)

    runs = stored_runs(None, config, seeds, device, record, workers=workers)
    at = range(config.steps) if runs.curve_steps is None else runs.curve_steps.tolist()  # the recorded steps
    logged = [(k, i) for k, i in enumerate(at) if i % LOG_EVERY == 0]
    if not args.quiet and logged:
        if len(seeds) > 1:
            print(f"median over {len(seeds)} seeds")
        for k, i in logged:
            print("i =", i, "loss =", _median(runs.loss[:, k]))  # one seed: float(float32) = the lecture's .item()
    print("\n".join(summary_lines(runs)))
    if args.csv is not None:
        write_csv("csv", runs.summary(), args.csv)
    if args.curves is not None:
        write_csv("curves", runs.curves(), args.curves)
    return 0


def add_command(commands) -> None:
    """Register `run` with the subcommands' parser (`commands`, from `add_subparsers`)."""
    run = commands.add_parser("run", allow_abbrev=False, help="train one config for some seeds and print the log",
                              description="Train one config for some seeds; with no flags, the lecture's program.")
    add_config_flags(run)
    add_seed_flags(run)
    add_device_flag(run)
    add_record_flags(run, stored=False)
    add_workers_flag(run, "local processes at most (default: 2, or 1 on one core): many trials train on several, "
                          "each with PyTorch and its own --memory-mb (about 0.5 GiB each by default), a few in this "
                          "process alone, whichever is quicker")
    out = run.add_argument_group("output")
    out.add_argument("--csv", metavar="PATH", help="write one row per trial (config, seed, solved, steps_to_solve, "
                                                   "final_loss, diverged) to this CSV file (default: none)")
    out.add_argument("--curves", metavar="PATH", help="write one row per trial and step (config, seed, step, loss, "
                                                      "table_loss, table_error, grad norms) to this CSV; with "
                                                      "--record every:K every K-th step (default: none)")
    out.add_argument("--quiet", action="store_true", help="print only the summary, not the log (default: off)")
    run.add_argument("--yes", action="store_true",
                     help=f"start a run of more than {MAX_TRIALS} trials or {MAX_TRIAL_STEPS:,} trial-steps, as sweep "
                          "asks (default: refuse it, saying its size)")
    run.set_defaults(handler="lab.cli.run:cmd_run")
