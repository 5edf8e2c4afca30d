"""The command line: `python -m lab run` trains one config for some seeds and prints the lecture's log.

With no flags it is the lecture's program (`TrialConfig()`, seed 0) and prints exactly what the lecture prints,
`i = 0 loss = 0.27076905965805054` every 100 iterations, then a short summary. Bad input ends with one line on stderr,
`error: --flag: what is allowed (got ...)`, and exit code 2.

Other subcommands reuse `add_config_flags` / `add_seed_flags` and `config_from_args` / `seeds_from_args`.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import warnings

import numpy as np
import pandas as pd

from .cli_sweep import add_commands
from .config import ACTIVATIONS, ENCODINGS, INITS, LIMITS, LOSSES, TASKS, ConfigError, TrialConfig, parse_seeds
from .engine import resolve_device, train
from .optimizers import OPTIMIZERS
from .presets import PRESETS

DEFAULT = TrialConfig()
INT_FIELDS = ("depth", "width", "batch_size", "steps", "n_train", "n_val", "n_test", "data_seed", "eval_every",
              "folds", "fold")
FLOAT_FIELDS = ("lr", "momentum", "beta1", "beta2", "weight_decay", "noise", "label_flip")
LOG_EVERY = 100  # the lecture prints every 100 iterations


# argparse's own messages in this command line's format, `FLAG: what is allowed (got ...)`; the first match applies
ARGPARSE_MESSAGES = (
    (re.compile(r"argument (\S+): invalid int value: (.+)"), r"\1: must be a whole number (got \2)"),
    (re.compile(r"argument (\S+): invalid choice: (\S+) \(choose from (.+)\)"), r"\1: must be one of \3 (got \2)"),
    (re.compile(r"argument (\S+): expected one argument"), r"\1: needs a value"),
    (re.compile(r"argument (\S+): (.+)"), r"\1: \2"),
)


def one_line(message: str) -> str:
    """An argparse error message as one line naming the flag first, like this command line's own errors."""
    message = " ".join(message.split())
    for pattern, replacement in ARGPARSE_MESSAGES:
        if pattern.fullmatch(message):
            return pattern.sub(replacement, message)
    return message


class Parser(argparse.ArgumentParser):
    """argparse's own errors as one line, `error: FLAG: ...`, exit code 2 (no usage block)."""

    def error(self, message):
        self.exit(2, f"error: {one_line(message)}\n")


# fields whose flag is not simply --field-name: config fields, the store's positional KEY, an environment variable
FLAGS = {"loss_fn": "--loss", "key": "KEY", "store_max_mb": "LAB_STORE_MAX_MB"}


def flag(field: str) -> str:
    return FLAGS.get(field, "--" + field.replace("_", "-"))


def _one_of(values) -> str:
    return ", ".join(values)


# ---- flags shared by every subcommand that trains ------------------------------------------------------------------
def add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per TrialConfig field; every value stays a string (or None: the default) until `config_from_args`."""
    g = parser.add_argument_group("experiment (defaults: the lecture's program)")
    for name, allowed, what in (
        ("task", TASKS, "the 2-input function to learn"),
        ("encoding", ENCODINGS, "targets: scalar = one sigmoid output, onehot = two outputs [1, 0] for true"),
        ("activation", ACTIVATIONS, "hidden-layer activation (the output layer is always a sigmoid)"),
        ("init", INITS, "weight init: pytorch = nn.Linear's default, xavier = Glorot-uniform weights, zero biases"),
        ("loss_fn", LOSSES, "loss function: mse = nn.MSELoss, bce = nn.BCELoss"),
    ):
        g.add_argument(flag(name), dest=name, metavar="NAME", help=f"{what}; one of {_one_of(allowed)} "
                                                        f"(default: {getattr(DEFAULT, name)})")
    for name, what in (("depth", "number of hidden layers"), ("width", "units in each hidden layer"),
                       ("batch_size", "minibatch size: rows drawn at random from the truth table each step"),
                       ("steps", "training iterations (optimizer steps)")):
        lo, hi = LIMITS[name]
        g.add_argument(flag(name), metavar="N", help=f"{what}; {lo} to {hi} (default: {getattr(DEFAULT, name)})")
    g.add_argument("--full-batch", action="store_true",
                   help="train on the whole 4-row truth table every step instead of random minibatches "
                        "(sets the batch size to 4; default: off)")
    lrs = ", ".join(f"{name} {spec.default_lr:g}" for name, spec in OPTIMIZERS.items())
    g.add_argument("--optimizer", metavar="NAME", help=f"one of {_one_of(OPTIMIZERS)} (default: {DEFAULT.optimizer}); "
                                                        f"each has its own default learning rate: {lrs}")
    g.add_argument("--lr", metavar="X", help="learning rate, > 0 and <= 100 (default: the optimizer's own, see "
                                             "--optimizer; the lecture's adam uses 0.1)")
    g.add_argument("--momentum", metavar="X", help="momentum, >= 0 and < 1; read by momentum, nesterov (default 0.9) "
                                                   "and rmsprop (default 0), ignored by the others")
    g.add_argument("--beta1", metavar="X", help="Adam's beta1, >= 0 and < 1; read by adam and adamw (default 0.9)")
    g.add_argument("--beta2", metavar="X", help="Adam's beta2, >= 0 and < 1; read by adam and adamw (default 0.999)")
    g.add_argument("--weight-decay", metavar="X", help="weight decay, 0 to 10 (default: 0; for adamw 0.01)")
    d = parser.add_argument_group("finite noisy data (default: the lecture's endless stream of exact truth-table "
                                  "rows; --n-train switches to a fixed training set)")
    d.add_argument("--n-train", metavar="N", help="training-set size, 1 to 100000 (default: none, the stream)")
    d.add_argument("--noise", metavar="X", help="standard deviation of Gaussian noise on the inputs, 0 to 5 "
                                                "(default 0)")
    d.add_argument("--label-flip", metavar="X", help="probability of a flipped label, >= 0 and < 0.5 (default 0)")
    d.add_argument("--n-val", metavar="N", help="validation-set size (default 200)")
    d.add_argument("--n-test", metavar="N", help="test-set size (default 2000)")
    d.add_argument("--data-seed", metavar="N", help="seed of the data sets, shared by all trials (default 0)")
    d.add_argument("--eval-every", metavar="N", help="steps between evaluations on the three sets "
                                                     "(default: steps / 100)")
    d.add_argument("--folds", metavar="K", help="k-fold cross-validation: split the training set in K folds, 2 to 100 "
                                                "(default: none; needs --fold)")
    d.add_argument("--fold", metavar="J", help="the fold held out as validation set, 0 to K-1 (default: none)")
    parser.add_argument("--preset", metavar="NAME", help="start from a named experiment (flags override it): "
                                                         f"{', '.join(PRESETS)} (default: none)")


def add_seed_flags(parser: argparse.ArgumentParser) -> None:
    """--seeds N or --seed-list LIST (not both: `seeds_from_args` says so in one line)."""
    g = parser.add_argument_group("seeds")
    g.add_argument("--seeds", metavar="N", help="train N trials, seeds 0 to N-1, 1 to 100000 (default: 1, seed 0: "
                                                "the lecture's torch.manual_seed(0) run)")
    g.add_argument("--seed-list", metavar="LIST", help="train these seeds instead, like 3,7,9 or ranges like 0-9 "
                                                       "(default: none; not with --seeds)")


def add_device_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", default="cpu", metavar="NAME",
                        help="where to train: cpu or cuda (cuda:N picks one GPU) (default: cpu)")


def _whole(field: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        lo, hi = LIMITS.get(field, (1, 100_000))
        raise ConfigError(field, f"must be a whole number from {lo} to {hi} (got {text!r})") from None


def config_from_args(args: argparse.Namespace) -> TrialConfig:
    """The TrialConfig the flags name; raises ConfigError (field = the flag's name, underscored)."""
    given = {}
    for name in ("task", "encoding", "activation", "init", "loss_fn", "optimizer", *INT_FIELDS, *FLOAT_FIELDS):
        value = getattr(args, name)
        if value is not None:
            given[name] = _whole(name, value) if name in INT_FIELDS else value  # floats: TrialConfig parses them
    base = {}
    if getattr(args, "preset", None) is not None:
        if args.preset not in PRESETS:
            raise ConfigError("preset", f"must be one of {', '.join(PRESETS)} (got {args.preset!r})")
        base = dict(PRESETS[args.preset].base)
    if args.full_batch:
        base["full_batch"] = True
    return TrialConfig(**{**base, **given})


def seeds_from_args(args: argparse.Namespace) -> list[int]:
    """The seeds --seeds or --seed-list name (one seed, or the preset's number, by default). Raises ConfigError."""
    if args.seed_list is not None and args.seeds is not None:
        raise ConfigError("seed_list", f"give --seeds N or --seed-list LIST, not both (got --seeds {args.seeds!r} "
                                       f"and --seed-list {args.seed_list!r})")
    if args.seed_list is not None:
        return parse_seeds(seed_list=args.seed_list)
    if args.seeds is None:  # one seed, or the preset's number
        preset = PRESETS.get(getattr(args, "preset", None) or "")
        return parse_seeds(preset.seeds if preset is not None and preset.base.get("n_train") else 1)
    return parse_seeds(_whole("seeds", args.seeds))


# ---- output files ----------------------------------------------------------------------------------------------
def check_writable(field: str, path: str) -> None:
    """Fail early (before training) if `path` cannot be written: a missing folder, a folder, no permission."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ConfigError(field, f"is a folder, not a file (got {path!r})")
    if not os.path.isdir(folder):
        raise ConfigError(field, f"folder {folder!r} does not exist (got {path!r})")
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".probe-")
        os.close(fd)
        os.remove(probe)
    except OSError as e:
        raise ConfigError(field, f"cannot write in {folder!r}: {e.strerror} (got {path!r})") from None


def write_csv(field: str, frame: pd.DataFrame, path: str, bom: bool = False) -> None:
    """Atomically: a temp file in the same folder, renamed over `path` once complete. `bom`: UTF-8 with a byte-order
    mark, which Excel needs to read UTF-8."""
    wide = {name: "float64" for name, dtype in frame.dtypes.items() if dtype == np.float32}
    frame = frame.astype(wide)  # float32 → float64: the numbers as `.item()` prints them (as the log shows)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".tmp-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
            frame.to_csv(handle, index=False)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as e:
        os.remove(tmp)
        raise ConfigError(field, f"could not write {path!r}: {e.strerror or e}") from None
    except BaseException:
        os.remove(tmp)
        raise


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


def cmd_run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    seeds = seeds_from_args(args)
    device = resolve_device(args.device)
    for field in ("csv", "curves"):
        if getattr(args, field) is not None:
            check_writable(field, getattr(args, field))
    for name in ("momentum", "beta1", "beta2"):
        if getattr(args, name) is not None and getattr(config, name) is None:
            print(f"note: {flag(name)} is not used by {config.optimizer}; ignored", file=sys.stderr)

    runs = train(config, seeds, device)
    if not args.quiet:
        if len(seeds) > 1:
            print(f"median over {len(seeds)} seeds")
        for i in range(0, config.steps, LOG_EVERY):
            print("i =", i, "loss =", _median(runs.loss[:, i]))  # one seed: float(float32) = the lecture's .item()
    print("\n".join(summary_lines(runs)))
    if args.csv is not None:
        write_csv("csv", runs.summary(), args.csv)
    if args.curves is not None:
        write_csv("curves", runs.curves(), args.curves)
    return 0


def cmd_export_script(args: argparse.Namespace) -> int:
    """The trial as a standalone PyTorch script in the lecture's style (lab/export.py), on stdout or in a file."""
    from .config import MAX_SEED
    from .export import script

    config = config_from_args(args)
    seed = int(args.seed) if args.seed.strip().isdigit() else -1
    if not 0 <= seed <= MAX_SEED:
        raise ConfigError("seed", f"must be a whole number from 0 to {MAX_SEED} (got {args.seed!r})")
    if args.output is None:
        try:
            sys.stdout.write(script(config, seed))
        except UnicodeEncodeError:  # a terminal that cannot show the Japanese comments: UTF-8 bytes regardless
            sys.stdout.buffer.write(script(config, seed).encode())
        return 0
    check_writable("output", args.output)
    try:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(script(config, seed))
    except OSError as e:
        raise ConfigError("output", f"could not write {args.output!r}: {e.strerror or e}") from None
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m lab", allow_abbrev=False,
                    description="AND-learning optimizer lab: the lecture's 2-2-1 network, trained exactly, many seeds.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    run = commands.add_parser("run", allow_abbrev=False, help="train one config for some seeds and print the log",
                              description="Train one config for some seeds; with no flags, the lecture's program.")
    add_config_flags(run)
    add_seed_flags(run)
    add_device_flag(run)
    out = run.add_argument_group("output")
    out.add_argument("--csv", metavar="PATH", help="write one row per trial (config, seed, solved, steps_to_solve, "
                                                   "final_loss, diverged) to this CSV file (default: none)")
    out.add_argument("--curves", metavar="PATH", help="write one row per trial and step (config, seed, step, loss, "
                                                      "table_loss, table_error, grad norms) to this CSV "
                                                      "(default: none)")
    out.add_argument("--quiet", action="store_true", help="print only the summary, not the log (default: off)")
    run.set_defaults(handler=cmd_run)
    export = commands.add_parser("export-script", allow_abbrev=False, help="print one trial as a standalone PyTorch "
                                 "script in the lecture's style", description="Write the lecture's PyTorch program for "
                                 "a config and seed; run, it prints the same log as `run --seed-list SEED`.")
    add_config_flags(export)
    export.add_argument("--seed", default="0", metavar="N", help="the trial's seed, 0 to 2147483647 (default: 0)")
    export.add_argument("--output", metavar="PATH", help="write the script to this file (default: stdout)")
    export.set_defaults(handler=cmd_export_script)
    add_commands(commands, add_seed_flags, add_device_flag)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:  # --help (0) or argparse's own error (2, already printed)
        return e.code if isinstance(e.code, int) else 0
    try:
        return args.handler(args)
    except ConfigError as e:
        print(f"error: {flag(e.field)}: {e.reason}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`python -m lab run | head`): stop quietly
        sys.stderr.close()
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
