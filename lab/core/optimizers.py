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

Weight decay is 0 unless stated. The optimizers that divide by a root of past squared gradients add ε to it
(`eps`; torch.optim's own defaults: Adagrad 1e-10, Adadelta 1e-6, RMSprop, Adam and AdamW 1e-8); SGD, Momentum and
Nesterov have none. All of them update each parameter element from its own gradient history only
("elementwise"), which is what lets the engine train many trials stacked in one tensor with one optimizer.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OptimizerSpec:
    """How one named optimizer maps onto `torch.optim`, and which hyper-parameters it reads."""

    name: str
    label: str
    class_name: str  # the torch.optim class's name (torch is imported only where an optimizer is built)
    default_lr: float
    uses: tuple[str, ...] = ()  # which of momentum, beta1, beta2 it reads (lr and weight_decay: all of them)
    defaults: dict = field(default_factory=dict)
    eps: float | None = None  # torch.optim's default ε; None: the optimizer has no ε

    @property
    def torch_class(self) -> type:
        import torch

        return getattr(torch.optim, self.class_name)

    def options(self, *, lr: float, momentum=None, beta1=None, beta2=None, weight_decay=0.0, eps=None) -> dict:
        """Keyword arguments of `torch_class` (also usable as one param group's settings); `eps` None: its default."""
        options = {"lr": lr, "weight_decay": float(weight_decay)}
        if eps is not None:
            options["eps"] = float(eps)
        if self.class_name == "SGD":
            options.update(momentum=momentum or 0.0, nesterov=self.name == "nesterov")
        elif self.class_name == "RMSprop":
            options.update(momentum=momentum)
        elif "beta1" in self.uses:
            options.update(betas=(beta1, beta2))
        return options

    def build(self, params, **settings):
        return self.torch_class(params, **self.options(**settings))


OPTIMIZERS: dict[str, OptimizerSpec] = {
    spec.name: spec
    for spec in (
        OptimizerSpec("sgd", "SGD", "SGD", 1.0),
        OptimizerSpec("momentum", "Momentum", "SGD", 0.5, ("momentum",), {"momentum": 0.9}),
        OptimizerSpec("nesterov", "Nesterov", "SGD", 0.5, ("momentum",), {"momentum": 0.9}),
        OptimizerSpec("adagrad", "Adagrad", "Adagrad", 0.5, eps=1e-10),
        OptimizerSpec("adadelta", "Adadelta", "Adadelta", 1.0, eps=1e-6),
        OptimizerSpec("rmsprop", "RMSprop", "RMSprop", 0.01, ("momentum",), {"momentum": 0.0}, eps=1e-8),
        OptimizerSpec("adam", "Adam", "Adam", 0.1, ("beta1", "beta2"), {"beta1": 0.9, "beta2": 0.999}, eps=1e-8),
        OptimizerSpec("adamw", "AdamW", "AdamW", 0.1, ("beta1", "beta2"),
                      {"beta1": 0.9, "beta2": 0.999, "weight_decay": 0.01}, eps=1e-8),
    )
}

LECTURE_OPTIMIZERS = ("sgd", "momentum", "adagrad", "adadelta", "rmsprop", "adam")
