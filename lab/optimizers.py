"""The lecture's optimizers, by name, as `torch.optim` classes with this lab's default hyper-parameters.

The lecture lists SGD, Momentum, Adagrad, Adadelta, RMSprop and Adam (and uses Adam with lr 0.1). `torch.optim`'s own
default learning rates are tuned for large networks and would leave the 2-2-1 AND network barely moving in 1,000 steps,
so each optimizer here has a default learning rate suited to this lab's small sigmoid networks (chosen once, on the
lecture's task, so every optimizer reaches a solution in 1,000 steps for most seeds). Every value can be overridden.

| name      | torch.optim                          | default lr | other defaults                     |
|-----------|--------------------------------------|-----------:|------------------------------------|
| sgd       | SGD                                  | 1.0        | momentum 0                         |
| momentum  | SGD(momentum=...)                    | 0.5        | momentum 0.9                       |
| nesterov  | SGD(momentum=..., nesterov=True)     | 0.5        | momentum 0.9                       |
| adagrad   | Adagrad                              | 0.5        |                                    |
| adadelta  | Adadelta                             | 1.0        | (torch's default rho 0.9)          |
| rmsprop   | RMSprop                              | 0.01       | momentum 0 (torch's alpha 0.99)    |
| adam      | Adam                                 | 0.1        | betas (0.9, 0.999) — the lecture's |
| adamw     | AdamW                                | 0.1        | betas (0.9, 0.999), weight decay 0.01 |

Weight decay is 0 unless stated. All of them update each parameter element from its own gradient history only
("elementwise"), which is what lets the engine train many trials stacked in one tensor with one optimizer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch


@dataclass(frozen=True)
class OptimizerSpec:
    """How one named optimizer is built and which hyper-parameters it reads."""

    name: str
    label: str
    default_lr: float
    uses: tuple[str, ...] = ()  # which of momentum, beta1, beta2 it reads (weight_decay: all)
    defaults: dict = field(default_factory=dict)

    def build(self, params, *, lr: float, momentum=None, beta1=None, beta2=None, weight_decay=0.0):
        wd = float(weight_decay)
        if self.name in ("sgd", "momentum", "nesterov"):
            return torch.optim.SGD(params, lr=lr, momentum=momentum or 0.0, nesterov=self.name == "nesterov",
                                   weight_decay=wd)
        if self.name == "adagrad":
            return torch.optim.Adagrad(params, lr=lr, weight_decay=wd)
        if self.name == "adadelta":
            return torch.optim.Adadelta(params, lr=lr, weight_decay=wd)
        if self.name == "rmsprop":
            return torch.optim.RMSprop(params, lr=lr, momentum=momentum, weight_decay=wd)
        if self.name == "adam":
            return torch.optim.Adam(params, lr=lr, betas=(beta1, beta2), weight_decay=wd)
        if self.name == "adamw":
            return torch.optim.AdamW(params, lr=lr, betas=(beta1, beta2), weight_decay=wd)
        raise KeyError(self.name)  # unreachable: OPTIMIZERS holds only the names above


OPTIMIZERS: dict[str, OptimizerSpec] = {
    spec.name: spec
    for spec in (
        OptimizerSpec("sgd", "SGD", 1.0),
        OptimizerSpec("momentum", "Momentum", 0.5, ("momentum",), {"momentum": 0.9}),
        OptimizerSpec("nesterov", "Nesterov", 0.5, ("momentum",), {"momentum": 0.9}),
        OptimizerSpec("adagrad", "Adagrad", 0.5),
        OptimizerSpec("adadelta", "Adadelta", 1.0),
        OptimizerSpec("rmsprop", "RMSprop", 0.01, ("momentum",), {"momentum": 0.0}),
        OptimizerSpec("adam", "Adam", 0.1, ("beta1", "beta2"), {"beta1": 0.9, "beta2": 0.999}),
        OptimizerSpec("adamw", "AdamW", 0.1, ("beta1", "beta2"),
                      {"beta1": 0.9, "beta2": 0.999, "weight_decay": 0.01}),
    )
}

LECTURE_OPTIMIZERS = ("sgd", "momentum", "adagrad", "adadelta", "rmsprop", "adam")
