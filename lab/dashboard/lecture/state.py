"""The lecture page's state: one frozen State (a config and a seed), parsed from the URL and back, and its widgets."""

from __future__ import annotations

from dataclasses import dataclass, field

from lab.core.config import MAX_SEED, TrialConfig
from lab.core.optimizers import OPTIMIZERS
from lab.dashboard.shared import params as url_params
from lab.dashboard.shared.params import Params, Problem, config_params, int_param, read, with_fields

CONFIG = url_params.config_fields(  # the run's settings: field, URL parameter, widget
    "lec", ("task", "encoding", "activation", "depth", "width", "optimizer", "lr", "steps"))
FIELDS = url_params.field_names(CONFIG)


@dataclass(frozen=True)
class State:
    config: TrialConfig = field(default_factory=TrialConfig)
    seed: int = 0


DEFAULT = State()
KEYS = ("lec.seed", *url_params.field_keys(CONFIG))
FORM_KEYS = KEYS
PARSERS = {**url_params.field_parsers(CONFIG), "seed": lambda text: int_param(text, "seed", 0, MAX_SEED)}


def parse(params: Params) -> tuple[State, list[Problem]]:
    """The state a link names, and one Problem per parameter that was ignored."""
    values, problems = read(params, PARSERS)
    config, refused = with_fields(DEFAULT.config, values, params, FIELDS)
    return State(config, values.get("seed", DEFAULT.seed)), problems + refused


def to_params(state: State) -> dict[str, str]:
    out = config_params(state.config, FIELDS, DEFAULT.config)
    if state.seed != DEFAULT.seed:
        out["seed"] = str(state.seed)
    return out


def to_widgets(state: State) -> dict:
    return {"lec.seed": state.seed, **url_params.field_widgets(CONFIG, state.config)}


def from_widgets(values) -> State:
    """The state the widgets hold (`values`: a mapping such as the session state)."""
    return State(TrialConfig(**url_params.widget_fields(CONFIG, values)), int(values["lec.seed"]))


def reset(values) -> None:
    """on_click of "back to the lecture's program": the widgets (`values`, the session state) to the default."""
    values.update(to_widgets(DEFAULT))


def reset_lr(values) -> None:
    """on_change of the optimizer choice: the learning-rate input goes to the new optimizer's default."""
    values["lec.lr"] = OPTIMIZERS[values["lec.optimizer"]].default_lr
