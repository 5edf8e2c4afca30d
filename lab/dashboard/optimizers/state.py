"""The optimizers page's state: one frozen State (the optimizers compared, on which network, and how the results are
shown), parsed from the URL and back, and its widgets."""

from __future__ import annotations

from dataclasses import dataclass, field

from lab.core.config import TrialConfig
from lab.core.optimizers import LECTURE_OPTIMIZERS, OPTIMIZERS
from lab.dashboard.shared import params as url_params
from lab.dashboard.shared.params import Params, Problem, config_params, read, with_fields
from lab.science.analysis import METRICS

MAX_SEEDS = 1000  # seeds per optimizer on the comparison page
MAX_SMOOTH = 200
CONFIG = url_params.config_fields(  # the network's settings: field, URL parameter, widget
    "cmp", ("task", "encoding", "depth", "width", "activation", "init", "loss_fn", "batch_size", "full_batch", "steps"),
    keys={"loss_fn": "loss", "batch_size": "batch"})
FIELDS = url_params.field_names(CONFIG)


@dataclass(frozen=True)
class State:
    base: TrialConfig = field(default_factory=TrialConfig)  # optimizer and lr: see optimizers / lrs
    optimizers: tuple[str, ...] = LECTURE_OPTIMIZERS
    lrs: tuple[tuple[str, float], ...] = tuple((name, spec.default_lr) for name, spec in OPTIMIZERS.items())
    seeds: int = 20
    metric: str = "loss"
    smooth: int = 1
    logy: bool = True

    def lr(self, name: str) -> float:
        return dict(self.lrs)[name]

    def configs(self) -> list[TrialConfig]:
        return [self.base.replace(optimizer=name, lr=self.lr(name)) for name in self.optimizers]

    def work_trials(self) -> int:
        return self.seeds * len(self.optimizers)


DEFAULT = State()
KEYS = (*url_params.field_keys(CONFIG), "cmp.seeds", "cmp.opts", "cmp.metric", "cmp.smooth", "cmp.logy",
        *(f"cmp.lr.{name}" for name in OPTIMIZERS))
FORM_KEYS = KEYS
PARSERS = {
    **url_params.field_parsers(CONFIG),
    "opts": url_params.optimizers_param,
    "seeds": lambda t: url_params.int_param(t, "seeds", 1, MAX_SEEDS),
    "metric": lambda t: url_params.choice_param(t, "metric", METRICS),
    "smooth": lambda t: url_params.int_param(t, "smooth", 1, MAX_SMOOTH),
    "logy": lambda t: url_params.bool_param(t, "logy"),
    **{f"lr_{name}": (lambda t, param=f"lr_{name}": url_params.lr_param(t, param)) for name in OPTIMIZERS},
}


def parse(params: Params) -> tuple[State, list[Problem]]:
    """The state a link names, and one Problem per parameter that was ignored."""
    values, problems = read(params, PARSERS)
    base, refused = with_fields(DEFAULT.base, values, params, FIELDS)
    lrs = tuple((name, values.get(f"lr_{name}", lr)) for name, lr in DEFAULT.lrs)
    state = State(base=base, optimizers=values.get("opts", DEFAULT.optimizers), lrs=lrs,
                  seeds=values.get("seeds", DEFAULT.seeds), metric=values.get("metric", DEFAULT.metric),
                  smooth=values.get("smooth", DEFAULT.smooth), logy=values.get("logy", DEFAULT.logy))
    return state, problems + refused


def to_params(state: State) -> dict[str, str]:
    out = config_params(state.base, FIELDS, DEFAULT.base)
    if state.optimizers != DEFAULT.optimizers:
        out["opts"] = ",".join(state.optimizers)
    for name, lr in state.lrs:
        if name in state.optimizers and lr != OPTIMIZERS[name].default_lr:
            out[f"lr_{name}"] = f"{lr:g}"
    out.update(url_params.differing(state, DEFAULT, ("seeds", "metric", "smooth", "logy")))
    return out


def to_widgets(state: State) -> dict:
    values = {**url_params.field_widgets(CONFIG, state.base), "cmp.seeds": state.seeds,
              "cmp.opts": list(state.optimizers), "cmp.metric": state.metric, "cmp.smooth": state.smooth,
              "cmp.logy": state.logy}
    values.update({f"cmp.lr.{name}": lr for name, lr in state.lrs})
    return values


def from_widgets(values) -> State:
    """The state the widgets hold (`values`: a mapping such as the session state)."""
    base = TrialConfig(**url_params.widget_fields(CONFIG, values))
    opts = tuple(dict.fromkeys(name for name in (values["cmp.opts"] or ()) if name in OPTIMIZERS))  # as chosen
    lrs = tuple((name, float(values[f"cmp.lr.{name}"])) for name in OPTIMIZERS)
    return State(base, opts, lrs, int(values["cmp.seeds"]), values["cmp.metric"], int(values["cmp.smooth"]),
                 bool(values["cmp.logy"]))


def learning_rates(values) -> str:
    """The selected optimizers' learning rates as the widgets (`values`) hold them: "Adam 0.1, SGD 1"."""
    chosen = values["cmp.opts"] or ()
    return ", ".join(f"{OPTIMIZERS[n].label} {values[f'cmp.lr.{n}']:g}" for n in OPTIMIZERS if n in chosen)
