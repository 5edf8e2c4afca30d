"""The generalization page's state: one frozen State, parsed from the URL (validated, never raising), encoded back
(defaults left out), and mapped to and from the page's widget values (plain dicts keyed by widget key).

As in every page's state module (`lab.dashboard.<page>.state`), every parameter is checked on its own, against the
bounds of the widget that shows it and then through `TrialConfig`; a bad one becomes a `Problem` and keeps its default,
so any link opens a working page. Each config field the page shows is named once, in `CONFIG` (its URL parameter,
widget key and converter), within the bounds the tuning page shares (`lab.dashboard.shared.finite`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from lab.core.config import TrialConfig
from lab.dashboard.shared import params as url_params
from lab.dashboard.shared.finite import config_table, number
from lab.dashboard.shared.params import (
    Params,
    Problem,
    bool_param,
    changed,
    choice_param,
    differing,
    int_list,
    one_of,
    read,
    with_fields,
)
from lab.storage.presets import PRESETS

# ---- the generalization page ---------------------------------------------------------------------------------------
CONFIG = config_table(  # the config's settings: field, URL parameter, widget
    "gen", ("task", "noise", "label_flip", "n_train", "width", "depth", "optimizer", "lr", "weight_decay", "steps"))
FIELDS = url_params.field_names(CONFIG)


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
class State:
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


DEFAULT = State()
PARSERS = {
    "preset": lambda t: choice_param(t, "preset", tuple(GEN_PRESETS)),
    **url_params.field_parsers(CONFIG),
    "seeds": lambda t: number(t, "seeds"),
    "view": lambda t: choice_param(t, "view", VIEWS),
    "cap": lambda t: bool_param(t, "cap"),
    "widths": lambda t: int_list(t, "widths", WIDTHS),
    "cv": lambda t: bool_param(t, "cv"),
    "folds": lambda t: one_of(t, "folds", FOLDS),
    "cv_seeds": lambda t: number(t, "cv_seeds"),
}


def parse(params: Params) -> tuple[State, list[Problem]]:
    """The state a link names (the preset's config, with the fields it changes), and one Problem per parameter that
    was ignored."""
    values, problems = read(params, PARSERS)
    v, d = values, DEFAULT
    preset = v.get("preset", d.preset)
    config, refused = with_fields(preset_config(preset), values, params, FIELDS, with_eval)
    state = State(preset, config, v.get("seeds", d.seeds), v.get("view", d.view), v.get("cap", d.capacity),
                  v.get("widths", d.widths), v.get("cv", d.cv), v.get("folds", d.folds), v.get("cv_seeds", d.cv_seeds))
    return state, problems + refused


def to_params(state: State) -> dict[str, str]:
    out = {"preset": state.preset} if state.preset != DEFAULT.preset else {}
    base = preset_config(state.preset)
    if state.config.optimizer != base.optimizer:  # its lr is then compared with the new optimizer's default
        out["optimizer"] = state.config.optimizer
        base = with_eval(base.replace(optimizer=state.config.optimizer))
    out.update(changed(state.config, base, FIELDS))
    out.update(differing(state, DEFAULT, ("seeds", "view", ("capacity", "cap"), "widths", "cv", "folds", "cv_seeds")))
    return out


def to_widgets(state: State) -> dict:
    """Widget values by key (and the two section switches, `gen.cap` and `gen.cv`)."""
    return {"gen.preset": state.preset, **url_params.field_widgets(CONFIG, state.config), "gen.seeds": state.seeds,
            "gen.view": state.view, "gen.cap": state.capacity, "gen.widths": list(state.widths), "gen.cv": state.cv,
            "gen.folds": state.folds, "gen.cv_seeds": state.cv_seeds}


KEYS = tuple(to_widgets(DEFAULT))
FORM_KEYS = KEYS


def from_widgets(values) -> State:
    """The state the widgets hold (`values`: a mapping such as the session state)."""
    fields = url_params.widget_fields(CONFIG, values)
    config = with_eval(preset_config(values["gen.preset"]).replace(**fields))
    widths = tuple(sorted(int(w) for w in values["gen.widths"] or ())) or DEFAULT.widths
    return State(values["gen.preset"], config, int(values["gen.seeds"]), values["gen.view"] or "error",
                 bool(values["gen.cap"]), widths, bool(values["gen.cv"]), int(values["gen.folds"]),
                 int(values["gen.cv_seeds"]))


def preset_widgets(name: str) -> dict:
    """The widget values a preset fills in (the page's other choices untouched)."""
    keys = ("gen.preset", *url_params.field_keys(CONFIG))
    values = to_widgets(replace(DEFAULT, preset=name, config=preset_config(name)))
    return {k: values[k] for k in keys}
