"""The depth page's settings: one frozen State, parsed from URL parameters (never raising), encoded back (defaults
left out), and mapped to and from the page's widget keys.

A bad parameter becomes a `params.Problem` and its default is used, so any link opens a working page. Settings that
cost training (optimizer, width, init, depth range, seeds, iterations, Hessian tests) sit in the page's form
(`FORM_KEYS`); the others only choose what is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from lab.core import budget
from lab.core.config import INITS, ConfigError, TrialConfig
from lab.core.optimizers import LECTURE_OPTIMIZERS
from lab.dashboard.shared.params import (
    Params,
    Problem,
    bool_param,
    choice_param,
    int_param,
    param_text,
    read,
    shown,
    text_of,
)

ACTIVATIONS = ("sigmoid", "tanh", "relu")
MAX_DEPTH = 10
BOUNDS = {"width": (1, 16), "seeds": (1, 200), "steps": (100, 10_000), "tests": (0, 10), "depth": (1, MAX_DEPTH)}
HEAT_METRICS = ("success_rate", "stalled_fraction", "stuck_fraction")
DEEP = 4  # the lecture: "networks of four or more layers" stall


@dataclass(frozen=True)
class State:
    optimizer: str = "adam"
    width: int = 2
    init: str = "pytorch"
    depths: tuple[int, int] = (1, 8)
    seeds: int = 20
    steps: int = 1000
    tests: int = 3  # stalls put to the Hessian test per (activation, depth)
    metric: str = "success_rate"  # the heatmap's
    activation: str = "sigmoid"  # the activation and depth the lower sections show
    depth: int = 6
    seed: int | None = None  # the stalled trial examined (None: the first stalled seed)
    trace: bool = True
    trace_init: str = "pytorch"

    @property
    def depth_list(self) -> list[int]:
        return list(range(self.depths[0], self.depths[1] + 1))

    def config(self, activation: str, depth: int, full_batch: bool = False, init: str | None = None) -> TrialConfig:
        return TrialConfig(optimizer=self.optimizer, width=self.width, init=init or self.init, depth=depth,
                           activation=activation, steps=self.steps, full_batch=full_batch)

    def grid(self) -> list[TrialConfig]:
        """Every activation at every depth, with minibatches (the heatmap and the statistics)."""
        return [self.config(a, d) for a in ACTIVATIONS for d in self.depth_list]

    def full_batch(self) -> list[TrialConfig]:
        """The chosen activation at every depth, trained on the whole truth table each step."""
        return [self.config(self.activation, d, full_batch=True) for d in self.depth_list]

    def configs(self) -> list[TrialConfig]:
        return self.grid() + self.full_batch()

    def focus(self) -> TrialConfig:
        return self.config(self.activation, self.depth)


DEFAULT = State()
FIELDS = ("optimizer", "width", "init", "depths", "seeds", "steps", "tests", "metric", "activation", "depth", "seed",
          "trace", "trace_init")
KEYS = tuple(f"depth.{name}" for name in FIELDS)
FORM_KEYS = tuple(f"depth.{name}" for name in ("optimizer", "width", "init", "depths", "seeds", "steps", "tests"))


def _depths(text: str) -> tuple[int, int]:
    lo_max, hi_max = BOUNDS["depth"]
    match = re.fullmatch(r"\s*(\d{1,3})\s*(?:[-–]\s*(\d{1,3})\s*)?", str(text))
    if match:
        lo = int(match.group(1))
        hi = int(match.group(2) or lo)
        if lo_max <= lo <= hi <= hi_max:
            return lo, hi
    raise ConfigError("depths", f"must be a range of hidden layers like 1-8, within {lo_max}-{hi_max}")


PARSERS = {
    "optimizer": lambda t: choice_param(t, "optimizer", LECTURE_OPTIMIZERS),
    "width": lambda t: int_param(t, "width", *BOUNDS["width"]),
    "init": lambda t: choice_param(t, "init", INITS),
    "depths": _depths,
    "seeds": lambda t: int_param(t, "seeds", *BOUNDS["seeds"]),
    "steps": lambda t: int_param(t, "steps", *BOUNDS["steps"]),
    "tests": lambda t: int_param(t, "tests", *BOUNDS["tests"]),
    "metric": lambda t: choice_param(t, "metric", HEAT_METRICS),
    "activation": lambda t: choice_param(t, "activation", ACTIVATIONS),
    "depth": lambda t: int_param(t, "depth", *BOUNDS["depth"]),
    "seed": lambda t: int_param(t, "seed", 0, BOUNDS["seeds"][1] - 1),
    "trace": lambda t: bool_param(t, "trace"),
    "trace_init": lambda t: choice_param(t, "trace_init", INITS),
}


def parse(params: Params) -> tuple[State, list[Problem]]:
    """The state a link names, and one Problem per parameter that was ignored."""
    values, problems = read(params, PARSERS)
    state = replace(DEFAULT, **values)
    lo, hi = state.depths
    if not lo <= state.depth <= hi:
        if "depth" in values:
            problems.append(Problem("depth", shown(text_of(params, "depth")), f"must be within depths {lo}-{hi}"))
        state = replace(state, depth=min(max(DEFAULT.depth, lo), hi))
    return state, problems


def to_params(state: State) -> dict[str, str]:
    """URL parameters of the settings that differ from the defaults."""
    out = {}
    for name in FIELDS:
        value = getattr(state, name)
        if value != getattr(DEFAULT, name) and value is not None:
            out[name] = f"{value[0]}-{value[1]}" if name == "depths" else param_text(value)
    return out


def to_widgets(state: State) -> dict:
    return {f"depth.{name}": (tuple(getattr(state, name)) if name == "depths" else getattr(state, name))
            for name in FIELDS}


def from_widgets(values) -> State:
    """The state the widgets hold (`values`: the session state); the focus depth kept within the range."""
    get = {name: values[f"depth.{name}"] for name in FIELDS}
    lo, hi = (int(x) for x in get["depths"])
    depth = min(max(int(get["depth"]), lo), hi)
    seed = get["seed"]
    return State(optimizer=get["optimizer"], width=int(get["width"]), init=get["init"], depths=(lo, hi),
                 seeds=int(get["seeds"]), steps=int(get["steps"]), tests=int(get["tests"]), metric=get["metric"],
                 activation=get["activation"], depth=depth, seed=None if seed is None else int(seed),
                 trace=bool(get["trace"]), trace_init=get["trace_init"])


def with_seed(state: State, seed: int | None, options) -> State:
    """The state with the stalled trial shown: None (the default) when it is the first of `options`."""
    first = next(iter(options), None)
    return replace(state, seed=None if seed is None or seed == first else int(seed))


def seeds_that_fit(state: State, limit: int, width: int | None = None) -> int:
    """The most seeds (at most `state.seeds`) whose training fits `limit` weighted trial-steps, at `width` if given;
    0 if not even one does."""
    configs = replace(state, width=width or state.width).configs()
    each = budget.work(configs, 1)
    return min(state.seeds, limit // each) if each else state.seeds
