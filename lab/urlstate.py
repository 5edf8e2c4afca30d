"""Each page's state as URL parameters: parse (validated, never raising) and encode (defaults left out).

A shared link carries a page's whole configuration. Every parameter is checked on its own, through `TrialConfig` or
the widget's bounds; a bad one is reported as a `Problem` and replaced by its default, so a hostile or stale link
always opens a working page. URL names are the config's field names, except `loss` (for `loss_fn`) and `opts`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .config import LIMITS, MAX_SEED, ConfigError, TrialConfig
from .optimizers import LECTURE_OPTIMIZERS, OPTIMIZERS

URL_NAME = {"loss_fn": "loss"}  # config field -> URL parameter, where they differ
MAX_SEEDS = 1000  # seeds per optimizer on the comparison page
MIN_LR = 1e-6  # the learning-rate inputs' lower bound (the config only needs > 0)
METRICS = ("loss", "table_loss", "table_error")
MAX_SMOOTH = 200
LANGS = ("ja", "en")


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


def _int(text: str, name: str, lo: int, hi: int) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ConfigError(name, f"must be a whole number from {lo} to {hi}") from None
    if not lo <= value <= hi:
        raise ConfigError(name, f"must be a whole number from {lo} to {hi}")
    return value


def _bool(text: str, name: str) -> bool:
    value = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False,
             "off": False}.get(str(text).strip().lower())
    if value is None:
        raise ConfigError(name, "must be 1 or 0 (true or false)")
    return value


def _lr(text: str, name: str) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        value = float("nan")
    if not MIN_LR <= value <= 100.0:  # also rejects nan and inf
        raise ConfigError(name, f"must be a number from {MIN_LR:g} to 100")
    return value


def _config_value(name: str, text: str):
    """The typed value of one config field from its URL text (TrialConfig validates it)."""
    if name in ("batch_size", "depth", "width", "steps"):
        lo, hi = LIMITS[name]
        return _int(text, name, lo, hi)
    if name == "full_batch":
        return _bool(text, name)
    if name == "lr":
        return _lr(text, name)
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
            config = config.replace(**{name: _config_value(name, text)})
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
            out[URL_NAME.get(name, name)] = _text(value)
    return out


def _text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# ---- the lecture page ----------------------------------------------------------------------------------------------
LECTURE_FIELDS = ("task", "encoding", "activation", "depth", "width", "optimizer", "lr", "steps")


@dataclass(frozen=True)
class LectureState:
    config: TrialConfig = field(default_factory=TrialConfig)
    seed: int = 0


def parse_lecture(params: dict) -> tuple[LectureState, list[Problem]]:
    config, problems = parse_config(params, LECTURE_FIELDS, TrialConfig())
    seed = 0
    if "seed" in params:
        try:
            seed = _int(params["seed"], "seed", 0, MAX_SEED)
        except ConfigError as e:
            problems.append(Problem("seed", shown(params["seed"]), e.reason))
    return LectureState(config, seed), problems


def lecture_params(state: LectureState) -> dict[str, str]:
    out = config_params(state.config, LECTURE_FIELDS, TrialConfig())
    if state.seed:
        out["seed"] = str(state.seed)
    return out


# ---- the optimizers page -------------------------------------------------------------------------------------------
COMPARE_FIELDS = ("task", "encoding", "depth", "width", "activation", "init", "loss_fn", "batch_size", "full_batch",
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


COMPARE_DEFAULT = CompareState()


def parse_compare(params: dict) -> tuple[CompareState, list[Problem]]:
    base, problems = parse_config(params, COMPARE_FIELDS, TrialConfig())
    values = {}

    def take(param, convert):
        if param in params:
            try:
                values[param] = convert(params[param])
            except ConfigError as e:
                problems.append(Problem(param, shown(params[param]), e.reason))

    take("opts", _optimizer_list)
    take("seeds", lambda t: _int(t, "seeds", 1, MAX_SEEDS))
    take("metric", lambda t: _choice(t, "metric", METRICS))
    take("smooth", lambda t: _int(t, "smooth", 1, MAX_SMOOTH))
    take("logy", lambda t: _bool(t, "logy"))
    lrs = dict(COMPARE_DEFAULT.lrs)
    for name in OPTIMIZERS:
        param = f"lr_{name}"
        if param in params:
            try:
                lrs[name] = _lr(params[param], param)
            except ConfigError as e:
                problems.append(Problem(param, shown(params[param]), e.reason))
    state = CompareState(base=base, optimizers=values.get("opts", COMPARE_DEFAULT.optimizers),
                         lrs=tuple(lrs.items()), seeds=values.get("seeds", COMPARE_DEFAULT.seeds),
                         metric=values.get("metric", "loss"), smooth=values.get("smooth", 1),
                         logy=values.get("logy", True))
    return state, problems


def compare_params(state: CompareState) -> dict[str, str]:
    out = config_params(state.base, COMPARE_FIELDS, TrialConfig())
    if state.optimizers != COMPARE_DEFAULT.optimizers:
        out["opts"] = ",".join(state.optimizers)
    for name, lr in state.lrs:
        if name in state.optimizers and lr != OPTIMIZERS[name].default_lr:
            out[f"lr_{name}"] = f"{lr:g}"
    for name in ("seeds", "metric", "smooth", "logy"):
        value = getattr(state, name)
        if value != getattr(COMPARE_DEFAULT, name):
            out[name] = _text(value)
    return out


def _choice(text: str, name: str, allowed: tuple[str, ...]) -> str:
    value = str(text).strip().lower()
    if value not in allowed:
        raise ConfigError(name, f"must be one of {', '.join(allowed)}")
    return value


def _optimizer_list(text: str) -> tuple[str, ...]:
    names = [part.strip().lower() for part in str(text).split(",") if part.strip()]
    unknown = [n for n in names if n not in OPTIMIZERS]
    if unknown or not names:
        raise ConfigError("opts", f"must be optimizer names separated by commas, from {', '.join(OPTIMIZERS)}")
    return tuple(dict.fromkeys(names))


# ---- the results page and the language -----------------------------------------------------------------------------
def parse_key(params: dict) -> tuple[str | None, list[Problem]]:
    """A store key (20 hex digits) selecting one entry on the results page."""
    if "key" not in params:
        return None, []
    key = str(params["key"]).strip().lower()
    if re.fullmatch(r"[0-9a-f]{20}", key):
        return key, []
    return None, [Problem("key", shown(params["key"]), "must be a result key (20 hex digits)")]


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
