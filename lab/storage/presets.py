"""Named experiments, for `python -m lab run --preset NAME` (its base config) and `sweep --preset NAME` (base × axes).

- `lecture`: the lecture's six optimizers (each at its default learning rate) × sigmoid / tanh / ReLU × 1–6 hidden
  layers of width 2, 20 seeds, 1,000 steps on AND: 2,160 trials. As a single run: the lecture's own program.
- `overfit`: noisy AND (inputs ± Gaussian noise 0.5, 10% of labels flipped) with only 20 training examples and a
  2×32 network trained by Adam (lr 0.01) for 4,000 steps. The training error falls to 0 while the test error bottoms
  out after about a thousand steps and then rises: the lecture's 訓練誤差とテスト誤差 figure, measured.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from lab.core.config import TrialConfig
from lab.core.optimizers import LECTURE_OPTIMIZERS


@dataclass(frozen=True)
class Grid:
    base: dict = field(default_factory=dict)
    axes: dict = field(default_factory=dict)  # field -> tuple of values
    seeds: int = 20

    def configs(self) -> list[TrialConfig]:
        names = list(self.axes)
        configs = []
        for values in itertools.product(*(self.axes[name] for name in names)):
            configs.append(TrialConfig.from_dict({**self.base, **dict(zip(names, values, strict=True))}))
        return list(dict.fromkeys(configs))  # duplicates (e.g. unused settings) collapse


PRESETS: dict[str, Grid] = {
    "lecture": Grid(base={"width": 2, "steps": 1000},
                    axes={"optimizer": LECTURE_OPTIMIZERS, "activation": ("sigmoid", "tanh", "relu"),
                          "depth": tuple(range(1, 7))},
                    seeds=20),
    "overfit": Grid(base={"task": "and", "n_train": 20, "noise": 0.5, "label_flip": 0.1, "width": 32, "depth": 2,
                          "batch_size": 5, "optimizer": "adam", "lr": 0.01, "steps": 4000, "eval_every": 40},
                    seeds=20),
}
