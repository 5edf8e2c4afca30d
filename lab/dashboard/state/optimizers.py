"""The optimizers page's state: one frozen CompareState, parsed from the URL and back."""

from __future__ import annotations

from dataclasses import dataclass, field

from lab.core.config import ConfigError, TrialConfig
from lab.core.optimizers import LECTURE_OPTIMIZERS, OPTIMIZERS
from lab.dashboard.state import params as url_params
from lab.dashboard.state.params import Problem, config_params, parse_config, shown
from lab.science.analysis import METRICS

MAX_SEEDS = 1000  # seeds per optimizer on the comparison page


MAX_SMOOTH = 200


# ---- the optimizers page -------------------------------------------------------------------------------------------
FIELDS = ("task", "encoding", "depth", "width", "activation", "init", "loss_fn", "batch_size", "full_batch",
                  "steps")


@dataclass(frozen=True)
class CompareState:
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


DEFAULT = CompareState()


def parse(params: dict) -> tuple[CompareState, list[Problem]]:
    base, problems = parse_config(params, FIELDS, TrialConfig())
    values = {}

    def take(param, convert):
        if param in params:
            try:
                values[param] = convert(params[param])
            except ConfigError as e:
                problems.append(Problem(param, shown(params[param]), e.reason))

    take("opts", url_params.optimizers_param)
    take("seeds", lambda t: url_params.int_param(t, "seeds", 1, MAX_SEEDS))
    take("metric", lambda t: url_params.choice_param(t, "metric", METRICS))
    take("smooth", lambda t: url_params.int_param(t, "smooth", 1, MAX_SMOOTH))
    take("logy", lambda t: url_params.bool_param(t, "logy"))
    lrs = dict(DEFAULT.lrs)
    for name in OPTIMIZERS:
        param = f"lr_{name}"
        if param in params:
            try:
                lrs[name] = url_params.lr_param(params[param], param)
            except ConfigError as e:
                problems.append(Problem(param, shown(params[param]), e.reason))
    state = CompareState(base=base, optimizers=values.get("opts", DEFAULT.optimizers),
                         lrs=tuple(lrs.items()), seeds=values.get("seeds", DEFAULT.seeds),
                         metric=values.get("metric", "loss"), smooth=values.get("smooth", 1),
                         logy=values.get("logy", True))
    return state, problems


def to_params(state: CompareState) -> dict[str, str]:
    out = config_params(state.base, FIELDS, TrialConfig())
    if state.optimizers != DEFAULT.optimizers:
        out["opts"] = ",".join(state.optimizers)
    for name, lr in state.lrs:
        if name in state.optimizers and lr != OPTIMIZERS[name].default_lr:
            out[f"lr_{name}"] = f"{lr:g}"
    for name in ("seeds", "metric", "smooth", "logy"):
        value = getattr(state, name)
        if value != getattr(DEFAULT, name):
            out[name] = url_params.param_text(value)
    return out


# Optimizers page
KEYS = ("cmp.task", "cmp.onehot", "cmp.depth", "cmp.width", "cmp.activation", "cmp.init", "cmp.loss",
                "cmp.batch", "cmp.full_batch", "cmp.steps", "cmp.seeds", "cmp.opts", "cmp.metric", "cmp.smooth",
                "cmp.logy", *(f"cmp.lr.{name}" for name in OPTIMIZERS))


def to_widgets(state: CompareState) -> dict:
    b = state.base
    values = {"cmp.task": b.task, "cmp.onehot": b.encoding == "onehot", "cmp.depth": b.depth, "cmp.width": b.width,
              "cmp.activation": b.activation, "cmp.init": b.init, "cmp.loss": b.loss_fn, "cmp.batch": b.batch_size,
              "cmp.full_batch": b.full_batch, "cmp.steps": b.steps, "cmp.seeds": state.seeds,
              "cmp.opts": list(state.optimizers), "cmp.metric": state.metric, "cmp.smooth": state.smooth,
              "cmp.logy": state.logy}
    values.update({f"cmp.lr.{name}": lr for name, lr in state.lrs})
    return values
