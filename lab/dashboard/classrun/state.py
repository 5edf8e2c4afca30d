"""The class run page's state: the experiment a teacher starts (a config), the class's code, the teacher's secret and
the visitor's own seed, parsed from the URL and back (`/class?code=…` for students, `&teacher=…` for the teacher)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lab.core.config import MAX_SEED, ConfigError, TrialConfig
from lab.dashboard.shared import params as url_params
from lab.dashboard.shared.params import Params, Problem, config_params, int_param, read, with_fields

CONFIG = url_params.config_fields(  # the experiment a teacher starts: field, URL parameter, widget
    "cls", ("activation", "depth", "width", "optimizer", "lr", "steps"))
FIELDS = url_params.field_names(CONFIG)
CODE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # lab.storage.classruns.CODE_ALPHABET (no 0/O, 1/I)
SECRET_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class State:
    config: TrialConfig = field(default_factory=TrialConfig)
    code: str = ""  # the class run's code ("": none yet, the start form)
    teacher: str = ""  # the teacher's secret, from the teacher's link
    mine: int = -1  # the visitor's own seed in this class (-1: none yet)


def code_param(text: str) -> str:
    code = str(text).strip().upper()
    if not 4 <= len(code) <= 16 or any(ch not in CODE_CHARS for ch in code):
        raise ConfigError("code", "must be the class's code of 4 to 16 letters and digits")
    return code


def secret_param(text: str) -> str:
    secret = str(text).strip()
    if not 8 <= len(secret) <= 64 or set(secret) - SECRET_CHARS:
        raise ConfigError("teacher", "must be the teacher link's secret")
    return secret


DEFAULT = State()
KEYS = (*url_params.field_keys(CONFIG), "cls.code", "cls.teacher", "cls.mine")
FORM_KEYS = ("cls.code", "cls.teacher", "cls.mine")  # never drawn as widgets: absent only on a new visit
PARSERS = {**url_params.field_parsers(CONFIG), "code": code_param, "teacher": secret_param,
           "mine": lambda text: int_param(text, "mine", 0, MAX_SEED)}


def parse(params: Params) -> tuple[State, list[Problem]]:
    """The state a link names, and one Problem per parameter that was ignored."""
    values, problems = read(params, PARSERS)
    config, refused = with_fields(DEFAULT.config, values, params, FIELDS)
    return State(config, values.get("code", ""), values.get("teacher", ""), values.get("mine", -1)), \
        problems + refused


def to_params(state: State) -> dict[str, str]:
    out = config_params(state.config, FIELDS, DEFAULT.config)
    for name, value in (("code", state.code), ("teacher", state.teacher)):
        if value:
            out[name] = value
    if state.mine >= 0:
        out["mine"] = str(state.mine)
    return out


def to_widgets(state: State) -> dict:
    return {**url_params.field_widgets(CONFIG, state.config), "cls.code": state.code, "cls.teacher": state.teacher,
            "cls.mine": state.mine}


def from_widgets(values) -> State:
    """The state the widgets hold (`values`: a mapping such as the session state)."""
    return State(TrialConfig(**url_params.widget_fields(CONFIG, values)), str(values["cls.code"]),
                 str(values["cls.teacher"]), int(values["cls.mine"]))


def started(values, code: str, secret: str) -> None:
    """A class run was started: the page now shows it to its teacher (the form's settings back to the default, so the
    address bar is the teacher's link)."""
    values.update(to_widgets(State(code=code, teacher=secret)))


def joined(values, code: str) -> None:
    """A visitor typed a class's code: the page shows that class as a student sees it."""
    values.update({"cls.code": code, "cls.teacher": "", "cls.mine": -1})


def added(values, seed: int) -> None:
    """The visitor's run joined the class: it stays marked (also after a reload: the link keeps it)."""
    values["cls.mine"] = seed


def left(values) -> None:
    """Back to the start form."""
    values.update(to_widgets(DEFAULT))
