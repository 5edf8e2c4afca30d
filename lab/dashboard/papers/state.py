"""The papers page's state: which paper's figures are shown (the claims table is always shown whole)."""

from __future__ import annotations

from dataclasses import dataclass

from lab.dashboard.shared.params import Params, Problem, choice_param, read
from lab.science.papers.claims import PAPERS

NAMES = tuple(PAPERS)


@dataclass(frozen=True)
class State:
    paper: str = NAMES[0]


DEFAULT = State()
KEYS = ("pap.paper",)
FORM_KEYS = KEYS
PARSERS = {"paper": lambda text: choice_param(text, "paper", NAMES)}


def parse(params: Params) -> tuple[State, list[Problem]]:
    """The paper a link names, and the problem with it if it names none."""
    values, problems = read(params, PARSERS)
    return State(values.get("paper", DEFAULT.paper)), problems


def to_params(state: State) -> dict[str, str]:
    return {"paper": state.paper} if state.paper != DEFAULT.paper else {}


def to_widgets(state: State) -> dict:
    return {"pap.paper": state.paper}


def from_widgets(values) -> State:
    """The state the widgets hold (`values`: a mapping such as the session state)."""
    return State(values["pap.paper"] or DEFAULT.paper)
