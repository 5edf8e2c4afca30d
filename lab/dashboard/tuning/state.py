"""The tuning page's state (learning rate and batch size): one frozen State, parsed from the URL, encoded back, and
mapped to and from the page's widgets.

The data are a finite noisy AND by default, so that a learning rate can be chosen on validation data and reported on
test data; `data=stream` trains on the lecture's exact stream instead (no held-out data: selection falls back to the
loss on the truth table, which is also the training data).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lab.core.config import TrialConfig
from lab.core.optimizers import LECTURE_OPTIMIZERS, OPTIMIZERS
from lab.dashboard.shared import params as url_params
from lab.dashboard.shared.finite import config_table, number
from lab.dashboard.shared.params import (
    Params,
    Problem,
    changed,
    choice_param,
    differing,
    int_list,
    one_of,
    optimizers_param,
    read,
    with_fields,
)
from lab.science import tuning

DATA = ("finite", "stream")
DATA_FIELDS = ("n_train", "noise", "label_flip")
NET_FIELDS = ("task", "width", "depth", "steps")
CONFIG = config_table("tun", (*NET_FIELDS, *DATA_FIELDS))  # the config's settings: field, URL parameter, widget
FIELDS = url_params.field_names(CONFIG)
BATCHES = (1, 2, 4, 8, 16, 32, 64)
PER_DECADE = (1, 2, 3, 4)
LR_RANGE = (1e-4, 10.0)
FINITE = TrialConfig(n_train=64, noise=0.4, label_flip=0.05, width=8, steps=500)


@dataclass(frozen=True)
class State:
    data: str = "finite"
    config: TrialConfig = field(default_factory=lambda: FINITE)  # the base: optimizer and lr are the grid's
    seeds: int = 10
    optimizers: tuple[str, ...] = LECTURE_OPTIMIZERS
    per_decade: int = 2
    batches: tuple[int, ...] = (1, 2, 4, 8, 16, 32)
    batch_optimizer: str = "adam"

    @property
    def base(self) -> TrialConfig:
        """The config actually trained: on the stream, the data settings are dropped."""
        c = self.config
        if self.data == "stream":
            return TrialConfig(task=c.task, width=c.width, depth=c.depth, steps=c.steps)
        return c.replace(eval_every=max(1, c.steps // 100))

    @property
    def grid(self) -> list[float]:
        return tuning.log_grid(*LR_RANGE, per_decade=self.per_decade)

    def lr_configs(self) -> list[TrialConfig]:
        return tuning.lr_configs(self.base, self.optimizers, self.grid)

    def usable_batches(self) -> tuple[int, ...]:
        """Batch sizes that fit the training set (all of them on the stream)."""
        n = self.base.train_size
        return tuple(b for b in self.batches if n is None or b <= n)

    def batch_configs(self) -> list[TrialConfig]:
        base = self.base.replace(optimizer=self.batch_optimizer)
        return [base.replace(batch_size=b) for b in self.usable_batches()]


DEFAULT = State()
PARSERS = {
    "data": lambda t: choice_param(t, "data", DATA),
    **url_params.field_parsers(CONFIG),
    "seeds": lambda t: number(t, "seeds"),
    "opts": optimizers_param,
    "per_decade": lambda t: one_of(t, "per_decade", PER_DECADE),
    "batches": lambda t: int_list(t, "batches", BATCHES),
    "batch_opt": lambda t: choice_param(t, "batch_opt", tuple(OPTIMIZERS)),
}


def parse(params: Params) -> tuple[State, list[Problem]]:
    """The state a link names, and one Problem per parameter that was ignored."""
    values, problems = read(params, PARSERS)
    config, refused = with_fields(FINITE, values, params, FIELDS)
    v, d = values, DEFAULT
    state = State(v.get("data", d.data), config, v.get("seeds", d.seeds), v.get("opts", d.optimizers),
                  v.get("per_decade", d.per_decade), v.get("batches", d.batches), v.get("batch_opt", d.batch_optimizer))
    return state, problems + refused


def to_params(state: State) -> dict[str, str]:
    fields = NET_FIELDS + (DATA_FIELDS if state.data == "finite" else ())
    out = {"data": state.data} if state.data != DEFAULT.data else {}
    out.update(changed(state.config, FINITE, fields))
    out.update(differing(state, DEFAULT, ("seeds", ("optimizers", "opts"), "per_decade", "batches",
                                          ("batch_optimizer", "batch_opt"))))
    return out


def to_widgets(state: State) -> dict:
    return {"tun.data": state.data, **url_params.field_widgets(CONFIG, state.config), "tun.seeds": state.seeds,
            "tun.opts": list(state.optimizers), "tun.per_decade": state.per_decade, "tun.batches": list(state.batches),
            "tun.batch_opt": state.batch_optimizer}


KEYS = tuple(to_widgets(DEFAULT))
FORM_KEYS = KEYS


def from_widgets(values) -> State:
    """The state the widgets hold (`values`: a mapping such as the session state)."""
    config = FINITE.replace(**url_params.widget_fields(CONFIG, values))
    optimizers = tuple(dict.fromkeys(n for n in values["tun.opts"] or () if n in OPTIMIZERS))
    batches = tuple(sorted(int(b) for b in values["tun.batches"] or ()))
    return State(values["tun.data"] or "finite", config, int(values["tun.seeds"]), optimizers,
                 int(values["tun.per_decade"]), batches, values["tun.batch_opt"])
