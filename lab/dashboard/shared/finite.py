"""The settings of a finite noisy data set and the network trained on it, as the generalization and tuning pages
read them from a link: each within the bounds of the widget that shows it (`BOUNDS`), then checked by `TrialConfig`."""

from __future__ import annotations

from lab.core.config import TASKS, ConfigError
from lab.core.optimizers import OPTIMIZERS
from lab.dashboard.shared import params as url_params
from lab.dashboard.shared.params import choice_param, int_param

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


def config_parsers(names: tuple[str, ...]) -> dict:
    """Converters of the named config fields, within the widgets' bounds (`with_fields` then applies them)."""
    def converter(name):
        if name == "task":
            return lambda text: choice_param(text, name, TASKS)
        if name == "optimizer":
            return lambda text: choice_param(text, name, tuple(OPTIMIZERS))
        return lambda text: number(text, name)
    return {name: converter(name) for name in names}


def config_table(prefix: str, names: tuple[str, ...]) -> tuple[url_params.Field, ...]:
    """The table of the named config fields (`url_params.config_fields`: URL parameter and widget `prefix.<name>`),
    read within the widgets' bounds."""
    return url_params.config_fields(prefix, names, parsers=config_parsers(names))
