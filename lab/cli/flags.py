"""Flags shared by every subcommand: config, seeds, device, store; reading them back; writing CSV files atomically.

Light on purpose: the parser of every command is built from these before any command runs, so nothing here imports
PyTorch, pandas or the store's modules at import time (`python -m lab --help` answers at once)."""

from __future__ import annotations

import argparse
import math
import os
import re
import tempfile
from typing import TYPE_CHECKING

from lab.core.config import (
    ACTIVATIONS,
    ENCODINGS,
    INITS,
    LIMITS,
    LOSSES,
    OUTPUTS,
    TASKS,
    ConfigError,
    TrialConfig,
    parse_seeds,
)
from lab.core.optimizers import OPTIMIZERS
from lab.core.recording import MEMORY_MB, Recording
from lab.storage.location import default_root
from lab.storage.presets import PRESETS

if TYPE_CHECKING:
    import pandas as pd

DEFAULT = TrialConfig()


INT_FIELDS = ("depth", "width", "batch_size", "steps", "n_train", "n_val", "n_test", "data_seed", "eval_every",
              "folds", "fold")


FLOAT_FIELDS = ("lr", "momentum", "beta1", "beta2", "weight_decay", "noise", "label_flip", "init_scale", "eps")


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
FLAGS = {"loss_fn": "--loss", "output": "--output-activation", "key": "KEY", "store_max_mb": "LAB_STORE_MAX_MB"}


DESTS = {"output": "output_activation"}  # config fields whose parsed value goes by another name (export's --output)


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
        ("encoding", ENCODINGS, "targets: scalar = one output, onehot = two outputs [1, 0] for true, pm1 = inputs "
                                "±1 and one output, the target centred (minus its mean over the 4 rows)"),
        ("activation", ACTIVATIONS, "hidden-layer activation"),
        ("output", OUTPUTS, "the output layer's activation: sigmoid, or identity (a linear output, with --loss mse)"),
        ("init", INITS, "weight init: pytorch = nn.Linear's default, xavier = Glorot-uniform weights, orthogonal = "
                        "torch.nn.init.orthogonal_ weights, gaussian = N(0, 1/fan_in) weights; the last three with "
                        "zero biases"),
        ("loss_fn", LOSSES, "loss function: mse = nn.MSELoss, bce = nn.BCELoss"),
    ):
        g.add_argument(flag(name), dest=DESTS.get(name, name), metavar="NAME",
                       help=f"{what}; one of {_one_of(allowed)} (default: {getattr(DEFAULT, name)})")
    for name, what in (("depth", "number of hidden layers"), ("width", "units in each hidden layer"),
                       ("batch_size", "minibatch size: rows drawn at random from the truth table each step"),
                       ("steps", "training iterations (optimizer steps)")):
        lo, hi = LIMITS[name]
        g.add_argument(flag(name), metavar="N", help=f"{what}; {lo} to {hi} (default: {getattr(DEFAULT, name)})")
    lo, hi = LIMITS["init_scale"]
    g.add_argument("--init-scale", metavar="X", help=f"initial scale σ: every initial weight and bias multiplied by it "
                                                     f"(orthogonal: its gain), {lo:g} to {hi:g} (default: 1)")
    g.add_argument("--no-bias", action="store_true",
                   help="layers without biases, nn.Linear(..., bias=False) (default: with biases)")
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
    having = ", ".join(f"{name} {spec.eps:g}" for name, spec in OPTIMIZERS.items() if spec.eps is not None)
    g.add_argument("--eps", metavar="X", help=f"the optimizer's ε, > 0 and <= {LIMITS['eps'][1]:g}; read by the "
                                              f"optimizers that have one (default: torch.optim's, {having})")
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
                        help="where to train: cpu or cuda (cuda:N picks one GPU); on a machine without a CUDA GPU, "
                             "cuda is refused with a message (default: cpu)")


def add_workers_flag(parser, help_text: str = "local worker processes (default: one per core)") -> None:
    parser.add_argument("--workers", type=int, metavar="N", help=help_text)


def workers_from_args(args: argparse.Namespace) -> int | None:
    """--workers, from 1 to 256 (None when not given). Raises ConfigError."""
    if args.workers is not None and not 1 <= args.workers <= 256:
        raise ConfigError("workers", f"must be from 1 to 256 (got {args.workers})")
    return args.workers


def add_record_flags(parser: argparse.ArgumentParser, stored: bool) -> None:
    """--record LEVEL and --memory-mb MB (lab.core.recording); `stored`: the command keeps full results in the store."""
    g = parser.add_argument_group("recording (what is kept of each trial, and the memory training may take)")
    g.add_argument("--record", metavar="LEVEL",
                   help="full: every step's curves; every:K: the curves every K steps (like every:10); summary: no "
                        "curves, only each trial's summary (solved, steps to solve, final loss, diverged, stalls), "
                        "exactly as with full curves. Large requests train in passes that fit --memory-mb"
                        + (", and only full results are stored (default: full, in one pass per unit of work)"
                           if stored else " (default: what the output needs: every step with --curves, the log's "
                                          "steps (every:100), with --quiet the summaries only)"))
    g.add_argument("--memory-mb", metavar="MB", help="the working memory one training pass may take"
                                                     + (", with --record" if stored else "")
                                                     + f", > 0 (default: {MEMORY_MB}; with the interpreter and "
                                                     "PyTorch, a process then stays under 1 GiB)")


def record_from_args(args: argparse.Namespace) -> Recording | None:
    """The Recording --record and --memory-mb name (None when neither is given: the default). Raises ConfigError."""
    if args.record is None and args.memory_mb is None:
        return None
    memory = MEMORY_MB
    if args.memory_mb is not None:
        try:
            memory = float(args.memory_mb)
        except ValueError:
            memory = math.nan
        if not (memory > 0 and math.isfinite(memory)):
            raise ConfigError("memory_mb", f"must be a number of megabytes > 0 (got {args.memory_mb!r})")
    return Recording.parse(args.record, memory)


def _whole(field: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        lo, hi = LIMITS.get(field, (1, 100_000))
        raise ConfigError(field, f"must be a whole number from {lo} to {hi} (got {text!r})") from None


def config_from_args(args: argparse.Namespace) -> TrialConfig:
    """The TrialConfig the flags name; raises ConfigError (field = the flag's name, underscored)."""
    given = {}
    for name in ("task", "encoding", "activation", "output", "init", "loss_fn", "optimizer", *INT_FIELDS,
                 *FLOAT_FIELDS):
        value = getattr(args, DESTS.get(name, name))
        if value is not None:
            given[name] = _whole(name, value) if name in INT_FIELDS else value  # floats: TrialConfig parses them
    base = {}
    if getattr(args, "preset", None) is not None:
        if args.preset not in PRESETS:
            raise ConfigError("preset", f"must be one of {', '.join(PRESETS)} (got {args.preset!r})")
        base = dict(PRESETS[args.preset].base)
    if args.full_batch:
        base["full_batch"] = True
    if getattr(args, "no_bias", False):
        base["bias"] = False
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
    mark, which Excel needs to read UTF-8. The text is `tidy.csv_text`'s, as every CSV of the dashboard: float32
    widened so the numbers read as `.item()` prints them (as the log shows)."""
    from lab.science import tidy

    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".tmp-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
            handle.write(tidy.csv_text(frame))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as e:
        os.remove(tmp)
        raise ConfigError(field, f"could not write {path!r}: {e.strerror or e}") from None
    except BaseException:
        os.remove(tmp)
        raise


def add_store_flag(parser) -> None:
    parser.add_argument("--store", metavar="PATH", default=None,
                        help=f"the result store folder (default: $LAB_STORE, else {default_root()})")
