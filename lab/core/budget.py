"""The compute budget of one request, for a hosted dashboard shared by many users.

Work is counted in trial-steps (one trial trained one step), weighted for networks bigger than the lecture's: a trial
of a net with P parameters trained on minibatches of B rows counts ⌈P·B / 320⌉ times (1 for anything up to a 2-8-1
net with minibatches of 5, as in the lecture). The limit comes from the host's settings (`max_work` in the Streamlit
secrets, or the environment variable `LAB_MAX_WORK`), else `DEFAULT_MAX_WORK`.
"""

from __future__ import annotations

import math

from lab.core import layout
from lab.core.config import TrialConfig

DEFAULT_MAX_WORK = 2_000_000
UNIT = 320  # parameters × minibatch rows that count as one trial-step


def weight(config: TrialConfig) -> int:
    """How many trial-steps one step of one trial of `config` counts as."""
    return max(1, math.ceil(layout.param_count(config.layer_sizes) * max(config.batch_size, 4) / UNIT))


def work(configs, trials_each: int) -> int:
    """Weighted trial-steps of training `trials_each` trials of every config."""
    return sum(trials_each * config.steps * weight(config) for config in configs)


def max_work(setting=None) -> int:
    """The limit from a host setting (a number or its text); the default when unset or not a positive number."""
    try:
        value = int(float(setting))
    except (TypeError, ValueError, OverflowError):
        return DEFAULT_MAX_WORK
    return value if value > 0 else DEFAULT_MAX_WORK
