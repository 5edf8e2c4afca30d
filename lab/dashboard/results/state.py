"""The results page's state: the store entry the URL selects (a key of 20 hex digits, or none), and its widget."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lab.core.config import ConfigError
from lab.dashboard.shared.params import Params, Problem, read


@dataclass(frozen=True)
class State:
    key: str | None = None


DEFAULT = State()
KEYS = ("res.key",)
FORM_KEYS = KEYS


def key_param(text: str) -> str:
    key = str(text).strip().lower()
    if not re.fullmatch(r"[0-9a-f]{20}", key):
        raise ConfigError("key", "must be a result key (20 hex digits)")
    return key


PARSERS = {"key": key_param}


def parse(params: Params) -> tuple[State, list[Problem]]:
    """The entry a link selects, and the problem with its key if it is malformed."""
    values, problems = read(params, PARSERS)
    return State(values.get("key", DEFAULT.key)), problems


def to_params(state: State) -> dict[str, str]:
    return {"key": state.key} if state.key is not None else {}


def to_widgets(state: State) -> dict:
    return {"res.key": state.key}


def from_widgets(values) -> State:
    """The state the widgets hold (`values`: a mapping such as the session state)."""
    return State(values["res.key"])
