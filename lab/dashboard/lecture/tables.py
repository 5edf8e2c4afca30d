"""What the lecture page decides from a config alone: whether it draws a trial's replay (no Streamlit here)."""

from __future__ import annotations

from lab.core.config import TrialConfig

MAX_REPLAY_UNITS = 24  # hidden units drawn as small maps in a replay


def replayable(config: TrialConfig) -> bool:
    """Whether the lecture page draws the replay of a trial of `config` (one map per hidden unit: not too many)."""
    return config.depth * config.width <= MAX_REPLAY_UNITS and config.steps >= 2
