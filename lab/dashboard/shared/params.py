"""What every page's state module shares: reading URL parameters (validated, never raising) and writing them back.

A shared link carries a page's whole configuration. Each page's module (`lab.dashboard.<page>.state`) has the same
parts, the `PageState` protocol: a frozen `State`, its `DEFAULT`, the widgets' session keys `KEYS` (and `FORM_KEYS`,
whose absence marks a new visit), `PARSERS` (URL parameter -> converter), `parse(params) -> (State, problems)`,
`to_params(state)` (defaults left out), `to_widgets(state)` and `from_widgets(values)`. Every parameter is checked on
its own by `read`, through its converter (the widget's bounds) and then `TrialConfig`; a bad or repeated one is
reported as a `Problem` and replaced by its default, so a hostile or stale link always opens a working page. URL names
are the config's field names, except `loss` (for `loss_fn`) and `opts`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from lab.core.config import LIMITS, ConfigError, TrialConfig
from lab.core.optimizers import OPTIMIZERS
from lab.dashboard.shared.texts import LANGS

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


Params = Mapping[str, str | Sequence[str]]  # URL query parameters: a value, or every value of a name


@runtime_checkable
class PageState(Protocol):
    """The contract of a page's state module (`lab.dashboard.<page>.state`), which the shell's `page_state` relies on;
    `isinstance(module, PageState)` checks the names are there, tests/dashboard/test_page_state.py how they behave.

    - `State`: a frozen dataclass, the page's whole configuration; `DEFAULT` is `State()`.
    - `KEYS`: the session keys of the page's widgets (exactly the keys `to_widgets` gives); `FORM_KEYS`, some of them,
      whose absence from the session marks a new visit (the link then sets every widget).
    - `PARSERS`: URL parameter -> converter of its text (raising ConfigError), read by `read`; every parameter
      `to_params` writes is one of them.
    - `parse(params)`: the state a link names and a Problem per parameter ignored (never raising);
      `parse(to_params(state))` gives `state` back with no problems.
    - `to_params(state)`: the URL parameters of the settings that differ from `DEFAULT` (so `{}` for it).
    - `to_widgets(state)`: widget values by session key; `from_widgets(values)` (a mapping such as the session state)
      the state they hold, `from_widgets(to_widgets(state)) == state`.
    """

    State: type
    DEFAULT: Any
    KEYS: tuple[str, ...]
    FORM_KEYS: tuple[str, ...]
    PARSERS: Mapping[str, Callable[[str], object]]

    def parse(self, params: Params) -> tuple[Any, list[Problem]]: ...

    def to_params(self, state: Any) -> dict[str, str]: ...

    def to_widgets(self, state: Any) -> dict[str, object]: ...

    def from_widgets(self, values: Mapping[str, object]) -> Any: ...


def text_of(params: Params, name: str) -> str:
    """The text of a parameter as the link gave it (every value, when the name is repeated)."""
    value = params[name]
    if isinstance(value, str):
        return value
    return f"&{name}=".join(map(str, value))


def read(params: Params, parsers: Mapping[str, Callable[[str], object]]) -> tuple[dict, list[Problem]]:
    """The value of each parameter in `parsers` that `params` sets, converted by its parser (which raises
    ConfigError on a bad text); a Problem for each that is bad or given more than once, and left out of the values."""
    values, problems = {}, []
    for name, convert in parsers.items():
        if name not in params:
            continue
        given = params[name]
        if not isinstance(given, str):
            if len(given) > 1:
                problems.append(Problem(name, shown(text_of(params, name)), "must be given once"))
                continue
            if not given:
                continue
            given = given[0]
        try:
            values[name] = convert(given)
        except ConfigError as e:
            problems.append(Problem(name, shown(given), e.reason))
    return values, problems


def initial_values(page: PageState, present, params: Params) -> tuple[dict, list[Problem]]:
    """The widget values a page (its `lab.dashboard.<page>.state` module) sets before its widgets are drawn: on a new
    visit (one of `page.FORM_KEYS` absent from `present`, the session state) every one, from the link, with the link's
    problems to report; afterwards only the values of widgets that were not drawn in the last run (the link, which
    names the view, gives them back), and no problems."""
    if all(key in present for key in page.KEYS):
        return {}, []
    state, problems = page.parse(params)
    values = page.to_widgets(state)
    if not all(key in present for key in page.FORM_KEYS):
        return values, problems
    return {key: value for key, value in values.items() if key not in present}, []


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


def _same(value):
    return value


@dataclass(frozen=True)
class Field:
    """A config field a page shows, named once: the `TrialConfig` field `name`, its URL parameter `param`, its widget's
    session key `key`, `convert` (the parameter's text -> the value, raising ConfigError), and the widget's value of a
    field value and back (`to_widget`, `from_widget`)."""

    name: str
    param: str
    key: str
    convert: Callable[[str], object]
    to_widget: Callable[[object], object] = _same
    from_widget: Callable[[object], object] = _same


WIDGET_NAME = {"encoding": "onehot"}  # config field -> widget name, where they differ on every page
WIDGET_VALUE = {"encoding": (lambda encoding: encoding == "onehot", lambda on: "onehot" if on else "scalar")}


def config_fields(prefix: str, names: tuple[str, ...], keys: Mapping[str, str] | None = None,
                  parsers: Mapping[str, Callable[[str], object]] | None = None) -> tuple[Field, ...]:
    """The table of a page's config fields `names`: each field's URL parameter (its name, or `URL_NAME`'s), widget key
    (`prefix.` and the widget's name: the field's, `keys`' or `WIDGET_NAME`'s), converter (`parsers`' for the URL
    parameter, else `config_value`'s) and widget values (the encoding as the one-hot toggle)."""
    keys, parsers, table = keys or {}, parsers or {}, []
    for name in names:
        param = URL_NAME.get(name, name)
        widget = keys.get(name, WIDGET_NAME.get(name, name))
        convert = parsers.get(param, lambda text, name=name: config_value(name, text))
        table.append(Field(name, param, f"{prefix}.{widget}", convert, *WIDGET_VALUE.get(name, ())))
    return tuple(table)


def field_names(fields: Sequence[Field]) -> tuple[str, ...]:
    return tuple(f.name for f in fields)


def field_keys(fields: Sequence[Field]) -> tuple[str, ...]:
    return tuple(f.key for f in fields)


def field_parsers(fields: Sequence[Field]) -> dict[str, Callable[[str], object]]:
    """The fields' converters, keyed by URL parameter (for `read`)."""
    return {f.param: f.convert for f in fields}


def field_widgets(fields: Sequence[Field], config: TrialConfig) -> dict[str, object]:
    """The widget values of the fields of `config`, by session key."""
    return {f.key: f.to_widget(getattr(config, f.name)) for f in fields}


def widget_fields(fields: Sequence[Field], values: Mapping[str, object]) -> dict[str, object]:
    """The field values the widgets hold (`values`: a mapping such as the session state), by field name."""
    return {f.name: f.from_widget(values[f.key]) for f in fields}


def with_fields(config: TrialConfig, values: dict, params: Params, names: tuple[str, ...],
                fix: Callable[[TrialConfig], TrialConfig] | None = None) -> tuple[TrialConfig, list[Problem]]:
    """`config` with each named field that `values` (read from `params`) holds, one at a time (optimizer first, as it
    resets lr), each passed through `fix` and checked by `TrialConfig`; a Problem for each one it refuses."""
    problems = []
    for name in sorted(names, key=lambda n: n != "optimizer"):
        param = URL_NAME.get(name, name)
        if param not in values:
            continue
        try:
            changed_config = config.replace(**{name: values[param]})
            config = fix(changed_config) if fix else changed_config
        except (ConfigError, TypeError, ValueError) as e:
            reason = re.sub(r"\s*\(got .*\)$", "", getattr(e, "reason", str(e)), flags=re.DOTALL)
            problems.append(Problem(param, shown(text_of(params, param)), reason))
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


def differing(state, default, fields) -> dict[str, str]:
    """URL parameters of the state's `fields` (names, or (name, parameter) pairs) whose values differ from
    `default`'s; tuples as comma-separated lists."""
    out = {}
    for field_ in fields:
        name, param = field_ if isinstance(field_, tuple) else (field_, field_)
        value = getattr(state, name)
        if value != getattr(default, name) and value is not None:
            out[param] = ",".join(map(str, value)) if isinstance(value, tuple) else param_text(value)
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


def parse_lang(params: Params) -> tuple[str | None, list[Problem]]:
    """The language a link asks for (None when it names none, or a bad one), and the problem with it."""
    values, problems = read(params, {"lang": lambda text: choice_param(text, "lang", LANGS)})
    return values.get("lang"), problems


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
