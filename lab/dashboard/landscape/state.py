"""The loss landscape page's state: one frozen State (the network, the optimizers whose paths are drawn, the seed they
share and whether the plane's directions are filter-normalised), parsed from the URL and back, and its widgets."""

from __future__ import annotations

from dataclasses import dataclass, field

from lab.core.config import LIMITS, MAX_SEED, TrialConfig
from lab.core.optimizers import LECTURE_OPTIMIZERS, OPTIMIZERS
from lab.dashboard.shared import params as url_params
from lab.dashboard.shared.params import Params, Problem, config_params, read, with_fields

MAX_DEPTH = 3  # hidden layers: lab.science.landscape.MAX_DEPTH (not imported: parsing a link loads no torch)
MAX_WIDTH = 8  # units per hidden layer on this page: the grid's forward passes stay small
MAX_STEPS = 5000  # iterations of the paths drawn
CONFIG = url_params.config_fields(  # the network's settings: field, URL parameter, widget (bounds of this page's)
    "land", ("task", "encoding", "activation", "depth", "width", "steps"),
    parsers={"depth": lambda t: url_params.int_param(t, "depth", 1, MAX_DEPTH),
             "width": lambda t: url_params.int_param(t, "width", LIMITS["width"][0], MAX_WIDTH),
             "steps": lambda t: url_params.int_param(t, "steps", 1, MAX_STEPS)})
FIELDS = url_params.field_names(CONFIG)


@dataclass(frozen=True)
class State:
    base: TrialConfig = field(default_factory=TrialConfig)  # each optimizer at its default learning rate
    optimizers: tuple[str, ...] = LECTURE_OPTIMIZERS
    seed: int = 0
    normalize: bool = False

    def configs(self) -> list[TrialConfig]:
        return [self.base.replace(optimizer=name, lr=OPTIMIZERS[name].default_lr) for name in self.optimizers]


DEFAULT = State()
KEYS = (*url_params.field_keys(CONFIG), "land.opts", "land.seed", "land.normalize")
FORM_KEYS = KEYS
PARSERS = {
    **url_params.field_parsers(CONFIG),
    "opts": url_params.optimizers_param,
    "seed": lambda t: url_params.int_param(t, "seed", 0, MAX_SEED),
    "normalize": lambda t: url_params.bool_param(t, "normalize"),
}


def parse(params: Params) -> tuple[State, list[Problem]]:
    """The state a link names, and one Problem per parameter that was ignored."""
    values, problems = read(params, PARSERS)
    base, refused = with_fields(DEFAULT.base, values, params, FIELDS)
    state = State(base, values.get("opts", DEFAULT.optimizers), values.get("seed", DEFAULT.seed),
                  values.get("normalize", DEFAULT.normalize))
    return state, problems + refused


def to_params(state: State) -> dict[str, str]:
    out = config_params(state.base, FIELDS, DEFAULT.base)
    if state.optimizers != DEFAULT.optimizers:
        out["opts"] = ",".join(state.optimizers)
    out.update(url_params.differing(state, DEFAULT, ("seed", "normalize")))
    return out


def to_widgets(state: State) -> dict:
    return {**url_params.field_widgets(CONFIG, state.base), "land.opts": list(state.optimizers),
            "land.seed": state.seed, "land.normalize": state.normalize}


def from_widgets(values) -> State:
    """The state the widgets hold (`values`: a mapping such as the session state); no optimizer chosen reads as the
    default set."""
    base = TrialConfig(**url_params.widget_fields(CONFIG, values))
    opts = tuple(dict.fromkeys(n for n in (values["land.opts"] or ()) if n in OPTIMIZERS)) or DEFAULT.optimizers
    return State(base, opts, int(values["land.seed"]), bool(values["land.normalize"]))
