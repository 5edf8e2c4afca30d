"""Each page's state as URL parameters: parse (validated, never raising) and encode (defaults left out).

A shared link carries a page's whole configuration. Every parameter is checked on its own, through `TrialConfig` or
the widget's bounds; a bad one is reported as a `Problem` and replaced by its default, so a hostile or stale link
always opens a working page. URL names are the config's field names, except `loss` (for `loss_fn`) and `opts`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lab.core.config import LIMITS, ConfigError, TrialConfig
from lab.core.optimizers import OPTIMIZERS
from lab.dashboard.texts.common import LANGS

URL_NAME = {"loss_fn": "loss"}  # config field -> URL parameter, where they differ


MIN_LR = 1e-6  # the learning-rate inputs' lower bound (the config only needs > 0)


@dataclass(frozen=True)
class Problem:
    """A URL parameter that was ignored: its name, its value (shortened) and why."""

    param: str
    value: str
    reason: str


def shown(value, limit: int = 40) -> str:
    """A parameter value safe to show inside a code span: printable, no backticks, at most `limit` characters."""
    text = re.sub(r"[^\w .,:;+\-=/()\[\]{}@!?*&%#$~^|<>'\"]", "?", str(value), flags=re.UNICODE)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def int_param(text: str, name: str, lo: int, hi: int) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ConfigError(name, f"must be a whole number from {lo} to {hi}") from None
    if not lo <= value <= hi:
        raise ConfigError(name, f"must be a whole number from {lo} to {hi}")
    return value


def bool_param(text: str, name: str) -> bool:
    value = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False,
             "off": False}.get(str(text).strip().lower())
    if value is None:
        raise ConfigError(name, "must be 1 or 0 (true or false)")
    return value


def lr_param(text: str, name: str) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        value = float("nan")
    if not MIN_LR <= value <= 100.0:  # also rejects nan and inf
        raise ConfigError(name, f"must be a number from {MIN_LR:g} to 100")
    return value


def config_value(name: str, text: str):
    """The typed value of one config field from its URL text (TrialConfig validates it)."""
    if name in ("batch_size", "depth", "width", "steps"):
        lo, hi = LIMITS[name]
        return int_param(text, name, lo, hi)
    if name == "full_batch":
        return bool_param(text, name)
    if name == "lr":
        return lr_param(text, name)
    return str(text)


def parse_config(params: dict, names: tuple[str, ...], base: TrialConfig) -> tuple[TrialConfig, list[Problem]]:
    """`base` with each named field the URL sets, one at a time (optimizer first, as it resets lr)."""
    config, problems = base, []
    ordered = sorted(names, key=lambda n: n != "optimizer")
    for name in ordered:
        param = URL_NAME.get(name, name)
        if param not in params:
            continue
        text = params[param]
        try:
            config = config.replace(**{name: config_value(name, text)})
        except (ConfigError, TypeError, ValueError) as e:
            reason = re.sub(r"\s*\(got .*\)$", "", getattr(e, "reason", str(e)), flags=re.DOTALL)
            problems.append(Problem(param, shown(text), reason))
    return config, problems


def config_params(config: TrialConfig, names: tuple[str, ...], base: TrialConfig) -> dict[str, str]:
    """The URL parameters of the named fields that differ from `base`."""
    out = {}
    for name in names:
        value = getattr(config, name)
        default = OPTIMIZERS[config.optimizer].default_lr if name == "lr" else getattr(base, name)
        if value != default:
            out[URL_NAME.get(name, name)] = param_text(value)
    return out


def param_text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def choice_param(text: str, name: str, allowed: tuple[str, ...]) -> str:
    value = str(text).strip().lower()
    if value not in allowed:
        raise ConfigError(name, f"must be one of {', '.join(allowed)}")
    return value


def optimizers_param(text: str) -> tuple[str, ...]:
    names = [part.strip().lower() for part in str(text).split(",") if part.strip()]
    unknown = [n for n in names if n not in OPTIMIZERS]
    if unknown or not names:
        raise ConfigError("opts", f"must be optimizer names separated by commas, from {', '.join(OPTIMIZERS)}")
    return tuple(dict.fromkeys(names))


def parse_lang(params: dict) -> tuple[str | None, list[Problem]]:
    if "lang" not in params:
        return None, []
    value = str(params["lang"]).strip().lower()
    if value in LANGS:
        return value, []
    return None, [Problem("lang", shown(params["lang"]), f"must be one of {', '.join(LANGS)}")]


def language_of(locale: str | None) -> str:
    """The UI language for a browser locale such as "ja-JP" or "en-US": Japanese for ja*, else English."""
    return "ja" if str(locale or "").lower().startswith("ja") else "en"


def int_list(text: str, name: str, allowed: tuple[int, ...]) -> tuple[int, ...]:
    try:
        values = sorted({int(part) for part in str(text).split(",") if part.strip()})
    except ValueError:
        values = []
    if not values or any(v not in allowed for v in values):
        raise ConfigError(name, f"must be numbers separated by commas, from {', '.join(map(str, allowed))}")
    return tuple(values)


def one_of(text: str, name: str, allowed: tuple[int, ...]) -> int:
    value = str(text).strip()
    if not value.isdigit() or int(value) not in allowed:
        raise ConfigError(name, f"must be one of {', '.join(map(str, allowed))}")
    return int(value)


def changed(config: TrialConfig, base: TrialConfig, names: tuple[str, ...]) -> dict[str, str]:
    return {name: param_text(getattr(config, name)) for name in names if getattr(config, name) != getattr(base, name)}
