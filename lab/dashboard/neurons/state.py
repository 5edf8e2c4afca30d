"""The neurons page's settings: one frozen State, parsed from URL parameters (never raising), encoded back (defaults
left out), and mapped to and from the page's widget keys.

Parameters: `w1`, `w2`, `b` (the formal neuron's weights and bias, from -3 to 3, rounded to 0.1), `task` (the
function the perceptron rule learns), `width` and `seed` (the XOR network shown). A bad one becomes a
`params.Problem` and its default is used, so any link opens a working page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from lab.core.config import MAX_SEED, ConfigError
from lab.dashboard.shared.params import Params, Problem, choice_param, int_param, param_text, read

WEIGHTS = ("w1", "w2", "b")
WEIGHT_RANGE = (-3.0, 3.0)
WEIGHT_STEP = 0.1
TASKS = ("and", "or", "nand", "nor", "xor")  # what the perceptron rule is asked to learn
WIDTHS = (2, 3)  # hidden units of the XOR network
SUCCESS_SEEDS = 20  # seeds 0..19 of each width are trained to count how often XOR is learned


@dataclass(frozen=True)
class State:
    w1: float = 1.0  # the AND neuron (lab.science.neurons.PRESETS)
    w2: float = 1.0
    b: float = -1.5
    task: str = "and"
    width: int = 2
    seed: int = 1  # learns XOR at both widths (seed 0 does not at width 2: the page's seed chart shows it)


DEFAULT = State()
NAMES = tuple(f.name for f in fields(State))
KEYS = tuple(f"neu.{name}" for name in NAMES)
FORM_KEYS = KEYS


def weight(value) -> float:
    """A slider value on the 0.1 grid (and never -0.0)."""
    return round(float(value), 1) + 0.0


def _weight(text: str, name: str) -> float:
    lo, hi = WEIGHT_RANGE
    try:
        value = float(str(text).strip())
    except ValueError:
        value = math.nan
    if not lo <= value <= hi:  # also rejects nan and inf
        raise ConfigError(name, f"must be a number from {lo:g} to {hi:g}")
    return weight(value)


PARSERS = {
    "w1": lambda t: _weight(t, "w1"),
    "w2": lambda t: _weight(t, "w2"),
    "b": lambda t: _weight(t, "b"),
    "task": lambda t: choice_param(t, "task", TASKS),
    "width": lambda t: int(choice_param(t, "width", tuple(map(str, WIDTHS)))),
    "seed": lambda t: int_param(t, "seed", 0, MAX_SEED),
}


def parse(params: Params) -> tuple[State, list[Problem]]:
    """The state a link names, and one Problem per parameter that was ignored."""
    values, problems = read(params, PARSERS)
    return replace(DEFAULT, **values), problems


def to_params(state: State) -> dict[str, str]:
    """URL parameters of the settings that differ from the defaults."""
    return {name: param_text(getattr(state, name)) for name in NAMES if getattr(state, name) != getattr(DEFAULT, name)}


def to_widgets(state: State) -> dict:
    return {f"neu.{name}": getattr(state, name) for name in NAMES}


def from_widgets(values) -> State:
    """The state the widgets hold (`values`: the session state)."""
    get = {name: values[f"neu.{name}"] for name in NAMES}
    return State(w1=weight(get["w1"]), w2=weight(get["w2"]), b=weight(get["b"]), task=str(get["task"]),
                 width=int(get["width"]), seed=int(get["seed"]))


def preset_widgets(weights: tuple[float, float, float]) -> dict:
    """The slider values of a preset neuron (w1, w2, b)."""
    return {f"neu.{name}": weight(value) for name, value in zip(WEIGHTS, weights)}
