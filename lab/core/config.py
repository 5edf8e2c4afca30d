"""One frozen, validated configuration per experiment: the input, the cache key, the URL state and the script header.

`TrialConfig()` is the lecture's program: AND, one sigmoid output, a 2-2-1 sigmoid network with PyTorch's default
initialisation, MSE loss, Adam with lr 0.1, minibatches of 5 drawn as the lecture draws them, 1,000 iterations.
Seeds are not part of the config: a config names an experiment, seed *s* one trial of it.
"""

from __future__ import annotations

import hashlib
import json
import math
import operator
from dataclasses import dataclass, fields

from lab.core.optimizers import OPTIMIZERS

#: Bump when the engine's numbers change for an unchanged config: stored results of older versions are recomputed.
SCHEMA_VERSION = 3

TASKS = ("and", "or", "nand", "xor")
ENCODINGS = ("scalar", "onehot", "pm1")  # pm1: inputs ±1, the target centred (lab.core.truth)
OUTPUTS = ("sigmoid", "identity")  # the output layer's activation
ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")
SETS = ("train", "val", "test")  # the data sets of a finite task (n_train, n_val, n_test)
INITS = ("pytorch", "xavier", "orthogonal", "gaussian")
LOSSES = ("mse", "bce")

LIMITS = {  # inclusive bounds of the numeric fields
    "batch_size": (1, 10_000),
    "depth": (1, 16),
    "width": (1, 256),
    "steps": (1, 100_000),
    "lr": (0.0, 100.0),  # lr must be > 0
    "momentum": (0.0, 1.0),  # < 1
    "beta1": (0.0, 1.0),  # < 1
    "beta2": (0.0, 1.0),  # < 1
    "weight_decay": (0.0, 10.0),
    "n_train": (1, 100_000),
    "n_val": (1, 100_000),
    "n_test": (1, 1_000_000),
    "data_seed": (0, 2**31 - 1),
    "eval_every": (1, 100_000),
    "noise": (0.0, 5.0),
    "label_flip": (0.0, 0.5),  # < 0.5
    "folds": (2, 100),
    "fold": (0, 99),
    "init_scale": (1e-6, 100.0),
    "eps": (0.0, 1e6),  # eps must be > 0; up to 1e6: RMSprop with a huge ε is SGD with momentum (Choi et al.)
}
MAX_SEED = 2**31 - 1
MAX_SEEDS = 100_000  # seeds in one request


class ConfigError(ValueError):
    """A bad value for one field: `field` names it, the message says what is allowed (one line)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


@dataclass(frozen=True)
class TrialConfig:
    task: str = "and"
    encoding: str = "scalar"
    full_batch: bool = False
    batch_size: int = 5
    depth: int = 1
    width: int = 2
    activation: str = "sigmoid"
    init: str = "pytorch"
    loss_fn: str = "mse"  # the criterion (the CLI flag is --loss; "loss" names the per-step loss values)
    optimizer: str = "adam"
    lr: float | None = None  # None: the optimizer's default
    momentum: float | None = None
    beta1: float | None = None
    beta2: float | None = None
    weight_decay: float | None = None
    steps: int = 1000
    # finite, noisy data (lab.core.data): set n_train to train on a fixed training set instead of the lecture's endless
    # stream of exact truth-table rows; the other data settings apply only then
    n_train: int | None = None
    noise: float | None = None  # Gaussian noise (standard deviation) added to the inputs
    label_flip: float | None = None  # probability that a label is flipped
    n_val: int | None = None
    n_test: int | None = None
    data_seed: int | None = None  # draws the data sets: shared by every trial of a comparison
    eval_every: int | None = None  # steps between evaluations on the train / validation / test sets
    folds: int | None = None  # k-fold cross-validation: the training set split in k folds ...
    fold: int | None = None  # ... and this one held out as the validation set (the other k - 1 train)
    # fields added after schema 3 (left out of the canonical JSON at their defaults: earlier configs keep their keys)
    init_scale: float | None = None  # σ: every initial weight and bias multiplied by it after drawing (None: 1)
    bias: bool = True  # False: layers without biases (nn.Linear(..., bias=False))
    eps: float | None = None  # the optimizer's ε (None: torch.optim's default); only for optimizers that have one
    output: str = "sigmoid"  # the output layer's activation: sigmoid (the lecture's) or identity (a linear output)

    def __post_init__(self):
        _choice(self, "task", TASKS)
        _choice(self, "encoding", ENCODINGS)
        _choice(self, "output", OUTPUTS)
        _choice(self, "activation", ACTIVATIONS)
        _choice(self, "init", INITS)
        _choice(self, "loss_fn", LOSSES)
        _choice(self, "optimizer", tuple(OPTIMIZERS))
        for name in ("full_batch", "bias"):
            _flag(self, name)
        for name in ("batch_size", "depth", "width", "steps"):
            _integer(self, name)
        spec = OPTIMIZERS[self.optimizer]
        resolved = {"lr": spec.default_lr, "weight_decay": 0.0, **spec.defaults}
        for name in ("lr", "momentum", "beta1", "beta2", "weight_decay"):
            used = name in ("lr", "weight_decay") or name in spec.uses
            value = getattr(self, name)
            if value is not None:
                value = _number(name, value)  # checked even where unused: a bad value is a mistake either way
            if not used:
                value = None  # canonical: settings the optimizer does not read never split the cache
            elif value is None:
                value = resolved[name]
            object.__setattr__(self, name, value)
        if self.init_scale is not None:
            scale = _number("init_scale", self.init_scale)
            object.__setattr__(self, "init_scale", None if scale == 1.0 else scale)  # × 1 changes nothing
        self._check_eps(spec)
        if self.loss_fn == "bce" and (self.output != "sigmoid" or self.encoding == "pm1"):
            what = "a linear output" if self.output != "sigmoid" else "pm1's centred targets"
            raise ConfigError("loss_fn", f"bce needs a sigmoid output and 0/1 targets, not {what}: use mse")
        if self.encoding == "pm1" and self.n_train is not None:
            raise ConfigError("encoding", "pm1 encodes the truth table's rows: not for a finite data set (n_train)")
        self._check_data()
        if self.full_batch:  # the whole truth table (or training set) every step
            object.__setattr__(self, "batch_size", 4 if self.n_train is None else self.train_size)

    def _check_eps(self, spec):
        if self.eps is None:
            return
        eps = _number("eps", self.eps)
        if spec.eps is None:
            having = ", ".join(name for name, s in OPTIMIZERS.items() if s.eps is not None)
            raise ConfigError("eps", f"{self.optimizer} has no ε: only {having} read it (got {self.eps!r})")
        object.__setattr__(self, "eps", None if eps == spec.eps else eps)  # torch.optim's default: the same config

    def _check_data(self):
        data = ("noise", "label_flip", "n_val", "n_test", "data_seed", "eval_every", "folds", "fold")
        if self.n_train is None:
            given = [name for name in data if getattr(self, name) is not None]
            if given:
                raise ConfigError(given[0], "needs a finite training set: set n_train too")
            return
        _integer(self, "n_train")
        defaults = {"noise": 0.0, "label_flip": 0.0, "n_val": 200, "n_test": 2000, "data_seed": 0,
                    "eval_every": max(1, self.steps // 100)}
        for name in data:
            if name in ("folds", "fold"):
                continue
            if getattr(self, name) is None:
                object.__setattr__(self, name, defaults[name])
            elif name in ("noise", "label_flip"):
                object.__setattr__(self, name, _number(name, getattr(self, name)))
            else:
                _integer(self, name)
        if (self.folds is None) != (self.fold is None):
            raise ConfigError("folds" if self.folds is None else "fold", "set folds and fold together")
        if self.folds is not None:
            _integer(self, "folds")
            _integer(self, "fold")
            if self.n_train % self.folds or self.fold >= self.folds:
                raise ConfigError("folds", f"must divide n_train = {self.n_train} evenly, with fold from 0 to "
                                  f"folds - 1 (got folds {self.folds}, fold {self.fold})")
        if not self.full_batch and self.batch_size > self.train_size:
            raise ConfigError("batch_size", f"must be at most the training set's {self.train_size} rows "
                                            f"(got {self.batch_size})")

    @property
    def train_size(self) -> int | None:
        """Rows trained on: n_train, less the held-out fold under cross-validation."""
        if self.n_train is None:
            return None
        return self.n_train if self.folds is None else self.n_train - self.n_train // self.folds

    # ---- derived ---------------------------------------------------------------------------------------------
    @property
    def outputs(self) -> int:
        return 2 if self.encoding == "onehot" else 1

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """Units per layer, input to output: the lecture's network is (2, 2, 1)."""
        return (2, *([self.width] * self.depth), self.outputs)

    def optimizer_kwargs(self) -> dict:
        keys = ("lr", "momentum", "beta1", "beta2", "weight_decay", "eps")
        return {k: getattr(self, k) for k in keys if getattr(self, k) is not None}

    def shape_key(self) -> tuple:
        """Configs with equal shape keys can train together in one stacked pass (they differ only in init,
        activation and optimizer settings, which the engine applies per block of trials)."""
        return (self.task, self.encoding, self.full_batch, self.batch_size, self.depth, self.width, self.loss_fn,
                self.steps, self.bias, self.output, *self.data_settings())

    @property
    def finite(self) -> bool:
        """Trained on a finite data set (lab.core.data) rather than the lecture's stream."""
        return self.n_train is not None

    def data_settings(self) -> tuple:
        return (self.n_train, self.noise, self.label_flip, self.n_val, self.n_test, self.data_seed, self.eval_every,
                self.folds, self.fold)

    # ---- identity ----------------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in FIELD_NAMES}  # every field is a plain value: no deep copy

    def canonical_json(self) -> str:
        """Sorted JSON of every field and the schema version; a field added after schema 3 only when it differs from
        its default (`LATER_FIELDS`), so that every earlier config keeps its key and its stored results."""
        data = {name: value for name, value in self.to_dict().items()
                if name not in LATER_FIELDS or value != LATER_FIELDS[name]}
        return json.dumps({"schema": SCHEMA_VERSION, **data}, sort_keys=True, separators=(",", ":"))

    def key(self) -> str:
        """The cache key: a hash of the canonical config and the schema version (remembered per config: a page asks
        for the keys of its configs on every view)."""
        return _key(self)

    def replace(self, **changes) -> TrialConfig:
        """A copy with some fields changed; optimizer settings left unset take the new optimizer's defaults."""
        base = self.to_dict()
        if "optimizer" in changes and str(changes["optimizer"]).strip().lower() != self.optimizer:
            for name in ("lr", "momentum", "beta1", "beta2", "weight_decay", "eps"):
                base[name] = None
        base.update(changes)
        return TrialConfig(**base)

    @classmethod
    def from_dict(cls, data: dict) -> TrialConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known - {"schema"})
        if unknown:
            raise ConfigError(unknown[0], f"unknown setting (allowed: {', '.join(sorted(known))})")
        return cls(**{k: v for k, v in data.items() if k in known})


FIELD_NAMES = tuple(f.name for f in fields(TrialConfig))
#: Fields added after schema 3, with their defaults: the canonical JSON names them only when they differ.
LATER_FIELDS = {"init_scale": None, "bias": True, "eps": None, "output": "sigmoid"}


_KEYS: dict[tuple, str] = {}  # each field's (type, value) -> the key (8,192 at most): 1 and 1.0 are told apart


def _key(config: TrialConfig) -> str:
    identity = tuple((type(value), value) for value in map(config.__getattribute__, FIELD_NAMES))
    found = _KEYS.get(identity)
    if found is None:
        if len(_KEYS) >= 8192:
            _KEYS.clear()
        found = _KEYS[identity] = hashlib.sha256(config.canonical_json().encode()).hexdigest()[:20]
    return found


def _choice(config, name, allowed):
    value = getattr(config, name)
    if isinstance(value, str):
        value = value.strip().lower()
        object.__setattr__(config, name, value)
    if value not in allowed:
        raise ConfigError(name, f"must be one of {', '.join(allowed)} (got {value!r})")


def _flag(config, name):
    """true or false: bools, and "true" / "false" / "1" / "0" (URL parameters, table cells)."""
    value = getattr(config, name)
    if not isinstance(value, bool):
        flag = {"true": True, "1": True, "false": False, "0": False}.get(str(value).strip().lower())
        if flag is None:
            raise ConfigError(name, f"must be true or false (got {value!r})")
        object.__setattr__(config, name, flag)


def _integer(config, name):
    """Whole numbers: ints, numpy ints and digit strings (URL parameters, table cells) are accepted."""
    value = getattr(config, name)
    lo, hi = LIMITS[name]
    try:
        number = operator.index(value) if not isinstance(value, str) else int(value.strip())
    except (TypeError, ValueError):
        number = None
    if isinstance(value, bool) or number is None or not lo <= number <= hi:
        raise ConfigError(name, f"must be a whole number from {lo} to {hi} (got {value!r})")
    object.__setattr__(config, name, int(number))


def _number(name, value) -> float:
    lo, hi = LIMITS[name]
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = math.nan
    if isinstance(value, bool) or not math.isfinite(x):
        raise ConfigError(name, f"must be a number (got {value!r})")
    open_low = name in ("lr", "eps")
    open_high = name in ("momentum", "beta1", "beta2", "label_flip")
    if x < lo or x > hi or (open_low and x <= lo) or (open_high and x >= hi):
        low = "> " if open_low else ">= "
        high = "< " if open_high else "<= "
        raise ConfigError(name, f"must be {low}{lo:g} and {high}{hi:g} (got {value!r})")
    return x


def parse_seeds(n: int | None = None, seed_list: str | None = None) -> list[int]:
    """Seeds 0..n-1, or an explicit comma list like "3,7,9" (ranges "0-9" allowed). Raises ConfigError."""
    if seed_list is not None:
        seeds = []
        for part in str(seed_list).split(","):
            part = part.strip()
            try:
                if "-" in part[1:]:
                    a, b = part.split("-", 1)
                    lo, hi = int(a), int(b)
                    if hi < lo:
                        raise ValueError
                    if len(seeds) + hi - lo + 1 > MAX_SEEDS:
                        raise ConfigError("seed_list", f"at most {MAX_SEEDS} seeds (got {seed_list!r})")
                    seeds.extend(range(lo, hi + 1))
                else:
                    seeds.append(int(part))
            except ConfigError:
                raise
            except ValueError:
                raise ConfigError("seed_list", f"must be whole numbers separated by commas, like 3,7,9 or 0-9 "
                                  f"(got {seed_list!r})") from None
        if not seeds or any(s < 0 or s > MAX_SEED for s in seeds):
            raise ConfigError("seed_list", f"seeds must be from 0 to {MAX_SEED} (got {seed_list!r})")
        return sorted(set(seeds))
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_SEEDS:
        raise ConfigError("seeds", f"must be a whole number from 1 to {MAX_SEEDS} (got {n!r})")
    return list(range(n))
