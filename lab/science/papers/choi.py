"""Choi et al. (2019): a more general optimizer contains its special case, exactly.

PyTorch's RMSprop with momentum μ updates b ← μ b + g / (√v + ε), θ ← θ − γ b. With ε huge, g / (√v + ε) is g / ε to
within √v / ε, so with γ = η ε it is SGD with momentum μ and learning rate η. `inclusion_gap` trains the lecture's
net both ways from the same start in float64 on the full truth table and returns the largest parameter difference
over the steps; `plain_momentum` is the update written out by hand (the reference).
"""

from __future__ import annotations

import numpy as np
import torch

from lab.core import models, tasks
from lab.core.config import TrialConfig


def table_loss(config: TrialConfig):
    """The lecture net's truth-table MSE as a function of its flat float64 parameters."""
    layers = models.layout(config.layer_sizes)
    x = tasks.TABLE_INPUTS.to(torch.float64)
    y = tasks.targets(config.task, config.encoding, tasks.TABLE_INPUTS).to(torch.float64)
    hidden = models.ACTIVATION_FORWARD[config.activation]

    def loss(flat):
        a = x
        for l, lay in enumerate(layers):
            a = a @ flat[lay.w].reshape(lay.fan_out, lay.fan_in).T + flat[lay.b]
            a = torch.sigmoid(a) if l == len(layers) - 1 else hidden(a)
        return torch.mean((a - y) ** 2)

    return loss


def start(config: TrialConfig, seed: int) -> torch.Tensor:
    return models.init_params(config.layer_sizes, config.init, torch.Generator().manual_seed(int(seed))).double()


def torch_path(config: TrialConfig, seed: int, make, steps: int) -> np.ndarray:
    """(steps + 1, P) parameters of a torch.optim optimizer (`make(params)`) from seed's start."""
    loss = table_loss(config)
    theta = start(config, seed).requires_grad_(True)
    opt = make([theta])
    path = [theta.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        loss(theta).backward()
        opt.step()
        path.append(theta.detach().clone())
    return torch.stack(path).numpy()


def plain_momentum(config: TrialConfig, seed: int, lr: float, momentum: float, steps: int) -> np.ndarray:
    """SGD with momentum written out: b ← μ b + g (b = g at the first step), θ ← θ − η b."""
    loss = table_loss(config)
    theta = start(config, seed)
    buf = None
    path = [theta.clone()]
    for _ in range(steps):
        t = theta.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(loss(t), t)
        buf = g.clone() if buf is None else momentum * buf + g
        theta = theta - lr * buf
        path.append(theta.clone())
    return torch.stack(path).numpy()


def inclusion_gap(config: TrialConfig, seed: int, lr: float, momentum: float, eps: float, steps: int) -> dict:
    """Max |Δθ| over `steps` between RMSprop(lr = lr·eps, eps, momentum) and SGD(lr, momentum), and between SGD and
    the hand-written update."""
    rms = torch_path(config, seed, lambda p: torch.optim.RMSprop(p, lr=lr * eps, eps=eps, momentum=momentum), steps)
    sgd = torch_path(config, seed, lambda p: torch.optim.SGD(p, lr=lr, momentum=momentum), steps)
    plain = plain_momentum(config, seed, lr, momentum, steps)
    return {"rmsprop_vs_sgd": float(np.abs(rms - sgd).max()), "sgd_vs_plain": float(np.abs(sgd - plain).max()),
            "moved": float(np.abs(sgd[-1] - sgd[0]).max())}
