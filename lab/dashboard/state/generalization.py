"""URL state of the generalization and tuning pages: parse (validated, never raising) and encode (defaults left out).

As in `lab.dashboard.state.params`, every parameter is checked on its own, against the bounds of the widget that shows
it and then
through `TrialConfig`; a bad one becomes a `Problem` and keeps its default, so any link opens a working page. The
states also map to and from the pages' widget values (plain dicts keyed by widget key), so that mapping is testable
without Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from lab.core.config import TASKS, ConfigError, TrialConfig
from lab.core.optimizers import OPTIMIZERS
from lab.dashboard.state.params import (
    Problem,
    bool_param,
    changed,
    choice_param,
    int_list,
    int_param,
    one_of,
    param_text,
    shown,
)
from lab.storage.presets import PRESETS

# ---- shared parsing ------------------------------------------------------------------------------------------------
BOUNDS = {  # widget bounds of the numeric settings (inclusive)
    "noise": (0.0, 2.0), "label_flip": (0.0, 0.45), "n_train": (10, 2000), "width": (1, 128), "depth": (1, 4),
    "weight_decay": (0.0, 1.0), "lr": (1e-5, 10.0), "steps": (50, 20_000), "seeds": (1, 100), "cv_seeds": (1, 50),
}


INTS = ("n_train", "width", "depth", "steps", "seeds", "cv_seeds")


def number(text: str, name: str) -> float | int:
    lo, hi = BOUNDS[name]
    if name in INTS:
        return int_param(text, name, lo, hi)
    try:
        value = float(str(text).strip())
    except ValueError:
        value = float("nan")
    if not lo <= value <= hi:  # also rejects nan and inf
        raise ConfigError(name, f"must be a number from {lo:g} to {hi:g}")
    return value


class Reader:
    """Reads parameters one at a time, collecting a Problem for each bad one."""

    def __init__(self, params: dict):
        self.params, self.problems, self.values = params, [], {}

    def take(self, name: str, convert) -> None:
        if name in self.params:
            try:
                self.values[name] = convert(self.params[name])
            except ConfigError as e:
                self.problems.append(Problem(name, shown(self.params[name]), e.reason))

    def config(self, config: TrialConfig, names: tuple[str, ...], fix) -> TrialConfig:
        """`config` with each named field the URL sets (optimizer first, as it resets lr), each checked alone."""
        for name in sorted(names, key=lambda n: n != "optimizer"):
            if name not in self.params:
                continue
            text = self.params[name]
            try:
                if name == "task":
                    value = choice_param(text, name, TASKS)
                elif name == "optimizer":
                    value = choice_param(text, name, tuple(OPTIMIZERS))
                else:
                    value = number(text, name)
                config = fix(config.replace(**{name: value}))
            except (ConfigError, TypeError, ValueError) as e:
                self.problems.append(Problem(name, shown(text), getattr(e, "reason", str(e)).split(" (got")[0]))
        return config


# ---- the generalization page ---------------------------------------------------------------------------------------
FIELDS = ("task", "noise", "label_flip", "n_train", "width", "depth", "optimizer", "lr", "weight_decay", "steps")


_OVERFIT = dict(PRESETS["overfit"].base)


GEN_PRESETS = {  # name -> config fields (eval_every always steps / 100)
    "overfit": _OVERFIT,
    "more_data": {**_OVERFIT, "n_train": 200},
    "small_net": {**_OVERFIT, "width": 2, "depth": 1},
}


VIEWS = ("error", "loss")


WIDTHS = (1, 2, 4, 8, 16, 32, 64, 128)


FOLDS = (2, 4, 5, 10)


def with_eval(config: TrialConfig) -> TrialConfig:
    """A finite config evaluated 100 times over its run (the overfit preset's eval_every 40 for 4,000 steps)."""
    return config.replace(eval_every=max(1, config.steps // 100))


def preset_config(name: str) -> TrialConfig:
    return with_eval(TrialConfig.from_dict(GEN_PRESETS[name]))


@dataclass(frozen=True)
class GenState:
    preset: str = "overfit"
    config: TrialConfig = field(default_factory=lambda: preset_config("overfit"))
    seeds: int = 20
    view: str = "error"
    capacity: bool = False  # the capacity sweep asked for
    widths: tuple[int, ...] = (1, 2, 4, 8, 16, 32)
    cv: bool = False  # the cross-validation asked for
    folds: int = 5
    cv_seeds: int = 5

    def capacity_configs(self) -> list[TrialConfig]:
        widths = sorted({*self.widths, self.config.width})
        return [self.config.replace(width=w) for w in widths]


DEFAULT = GenState()


def parse(params: dict) -> tuple[GenState, list[Problem]]:
    read = Reader(params)
    read.take("preset", lambda t: choice_param(t, "preset", tuple(GEN_PRESETS)))
    preset = read.values.get("preset", "overfit")
    config = read.config(preset_config(preset), FIELDS, with_eval)
    read.take("seeds", lambda t: number(t, "seeds"))
    read.take("view", lambda t: choice_param(t, "view", VIEWS))
    read.take("cap", lambda t: bool_param(t, "cap"))
    read.take("widths", lambda t: int_list(t, "widths", WIDTHS))
    read.take("cv", lambda t: bool_param(t, "cv"))
    read.take("folds", lambda t: one_of(t, "folds", FOLDS))
    read.take("cv_seeds", lambda t: number(t, "cv_seeds"))
    v, d = read.values, DEFAULT
    state = GenState(preset, config, v.get("seeds", d.seeds), v.get("view", d.view), v.get("cap", d.capacity),
                     v.get("widths", d.widths), v.get("cv", d.cv), v.get("folds", d.folds),
                     v.get("cv_seeds", d.cv_seeds))
    return state, read.problems


def to_params(state: GenState) -> dict[str, str]:
    out = {"preset": state.preset} if state.preset != DEFAULT.preset else {}
    base = preset_config(state.preset)
    if state.config.optimizer != base.optimizer:  # its lr is then compared with the new optimizer's default
        out["optimizer"] = state.config.optimizer
        base = with_eval(base.replace(optimizer=state.config.optimizer))
    out.update(changed(state.config, base, FIELDS))
    for name, param in (("seeds", "seeds"), ("view", "view"), ("capacity", "cap"), ("widths", "widths"),
                        ("cv", "cv"), ("folds", "folds"), ("cv_seeds", "cv_seeds")):
        value = getattr(state, name)
        if value != getattr(DEFAULT, name):
            out[param] = ",".join(map(str, value)) if isinstance(value, tuple) else param_text(value)
    return out


def to_widgets(state: GenState) -> dict:
    """Widget values by key (and the two section switches, `gen.cap` and `gen.cv`)."""
    c = state.config
    return {"gen.preset": state.preset, "gen.task": c.task, "gen.noise": c.noise, "gen.label_flip": c.label_flip,
            "gen.n_train": c.n_train, "gen.width": c.width, "gen.depth": c.depth, "gen.optimizer": c.optimizer,
            "gen.lr": c.lr, "gen.weight_decay": c.weight_decay, "gen.steps": c.steps, "gen.seeds": state.seeds,
            "gen.view": state.view, "gen.cap": state.capacity, "gen.widths": list(state.widths), "gen.cv": state.cv,
            "gen.folds": state.folds, "gen.cv_seeds": state.cv_seeds}


KEYS = tuple(to_widgets(DEFAULT))


def from_widgets(values) -> GenState:
    """The state the widgets hold (`values`: a mapping such as the session state)."""
    fields = {name: values[f"gen.{name}"] for name in FIELDS}
    config = with_eval(preset_config(values["gen.preset"]).replace(**fields))
    widths = tuple(sorted(int(w) for w in values["gen.widths"] or ())) or DEFAULT.widths
    return GenState(values["gen.preset"], config, int(values["gen.seeds"]), values["gen.view"] or "error",
                    bool(values["gen.cap"]), widths, bool(values["gen.cv"]), int(values["gen.folds"]),
                    int(values["gen.cv_seeds"]))


def preset_widgets(name: str) -> dict:
    """The widget values a preset fills in (the page's other choices untouched)."""
    keys = ("gen.preset", *(f"gen.{n}" for n in FIELDS))
    values = to_widgets(replace(DEFAULT, preset=name, config=preset_config(name)))
    return {k: values[k] for k in keys}
