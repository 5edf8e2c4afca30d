"""What the lecture page shows of one trial."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lab.core.config import TrialConfig
from lab.science import inspect
from lab.science.digests import every


# ---- one trial: the lecture page -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Trial:
    config: TrialConfig
    seed: int
    loss: np.ndarray  # (steps,) minibatch loss, the printed one
    table_loss: np.ndarray  # (steps + 1,)
    table_output: np.ndarray  # (4, outputs)
    params: np.ndarray  # (P,)
    solved: bool
    steps_to_solve: float  # NaN if never

    @property
    def log(self) -> list[str]:
        return inspect.loss_log(self.loss)

    def curves(self, minibatch_name: str, table_name: str, points: int = 1000) -> pd.DataFrame:
        """series, step, value: the minibatch loss and the truth-table loss, every k-th step."""
        idx = np.arange(0, len(self.loss), every(len(self.loss), points))
        return pd.concat([
            pd.DataFrame({"series": minibatch_name, "step": idx, "value": self.loss[idx].astype(np.float64)}),
            pd.DataFrame({"series": table_name, "step": idx, "value": self.table_loss[idx].astype(np.float64)}),
        ], ignore_index=True)

    def printed(self) -> pd.DataFrame:
        """step, value of the lines the lecture prints (every 100 iterations)."""
        idx = np.arange(0, len(self.loss), inspect.LOG_EVERY)
        return pd.DataFrame({"step": idx, "value": self.loss[idx].astype(np.float64)})


def trial(store, config: TrialConfig, seed: int) -> Trial:
    runs = store.trials(config, [seed])
    return Trial(config, seed, runs.loss[0], runs.table_loss[0], runs.table_output[0], runs.params[0],
                 bool(runs.solved[0]), float(runs.steps_to_solve[0]))


# ---- the replay of its training --------------------------------------------------------------------------------------
MAX_REPLAY_UNITS = 24  # hidden units drawn as small maps in a replay


def replayable(config: TrialConfig) -> bool:
    """Whether the lecture page draws the replay of a trial of `config` (one map per hidden unit: not too many)."""
    return config.depth * config.width <= MAX_REPLAY_UNITS and config.steps >= 2
