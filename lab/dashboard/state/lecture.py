"""The lecture page's state: one frozen LectureState, parsed from the URL and back."""

from __future__ import annotations

from dataclasses import dataclass, field

from lab.core.config import MAX_SEED, ConfigError, TrialConfig
from lab.dashboard.state import params as url_params
from lab.dashboard.state.params import Problem, config_params, parse_config, shown

# ---- the lecture page ----------------------------------------------------------------------------------------------
FIELDS = ("task", "encoding", "activation", "depth", "width", "optimizer", "lr", "steps")


@dataclass(frozen=True)
class LectureState:
    config: TrialConfig = field(default_factory=TrialConfig)
    seed: int = 0


def parse(params: dict) -> tuple[LectureState, list[Problem]]:
    config, problems = parse_config(params, FIELDS, TrialConfig())
    seed = 0
    if "seed" in params:
        try:
            seed = url_params.int_param(params["seed"], "seed", 0, MAX_SEED)
        except ConfigError as e:
            problems.append(Problem("seed", shown(params["seed"]), e.reason))
    return LectureState(config, seed), problems


def to_params(state: LectureState) -> dict[str, str]:
    out = config_params(state.config, FIELDS, TrialConfig())
    if state.seed:
        out["seed"] = str(state.seed)
    return out


# Lecture page: widget keys and their values from a LectureState
KEYS = ("lec.seed", "lec.onehot", "lec.task", "lec.optimizer", "lec.lr", "lec.activation", "lec.depth",
                "lec.width", "lec.steps")


def to_widgets(state: LectureState) -> dict:
    c = state.config
    return {"lec.seed": state.seed, "lec.onehot": c.encoding == "onehot", "lec.task": c.task,
            "lec.optimizer": c.optimizer, "lec.lr": c.lr, "lec.activation": c.activation, "lec.depth": c.depth,
            "lec.width": c.width, "lec.steps": c.steps}
