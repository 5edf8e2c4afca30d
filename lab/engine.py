"""The vectorised training loop: many trials (seeds, and configs of one shape) trained in one stacked pass.

Trials are the last, contiguous axis of every tensor: parameters are a (P, trials) tensor, activations
(rows, units, trials). A layer is then a broadcast product summed over its inputs, which for these tiny matrices is far
cheaper than a batched matmul, and sums in the same order as `addmm` does in the plain program. The backward pass
applies the formulas autograd applies to the plain program (`addmm`'s backward, `sigmoid_backward`, ...), and each
block of trials (one config) is updated by its own `torch.optim` optimizer on a view of the stacked parameters. Every
optimizer here is elementwise, so each trial gets exactly its own update: trial *s* reproduces the plain PyTorch
program run after `torch.manual_seed(s)` (see tests/test_engine.py).

Each step records the output on the minibatch and on the 4 truth-table rows (appended to the minibatch, so one forward
pass serves both) and the gradient norm per layer; losses and error rates are computed from those afterwards.
"""

from __future__ import annotations

import torch

from . import models, tasks
from .config import ConfigError, TrialConfig
from .optimizers import OPTIMIZERS
from .runs import Runs


def resolve_device(device: str | torch.device = "cpu") -> torch.device:
    name = str(device)
    if name not in ("cpu", "cuda") and not name.startswith("cuda:"):
        raise ConfigError("device", f"must be cpu or cuda (got {name!r})")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError("device", "CUDA was asked for but no CUDA GPU is available here; use --device cpu")
    return torch.device(name)


def train(config: TrialConfig, seeds, device="cpu") -> Runs:
    """Train one config for each seed, all seeds at once."""
    return train_group([(config, list(seeds))], device=device)[0]


def train_group(items, device="cpu") -> list[Runs]:
    """Train several (config, seeds) blocks of one shape (equal `shape_key`) in one stacked pass."""
    items = [(config, list(seeds)) for config, seeds in items]
    if len({config.shape_key() for config, _ in items}) != 1:
        raise ValueError("train_group needs configs of one shape (see TrialConfig.shape_key)")
    dev = resolve_device(device)
    first = items[0][0]
    steps, mbs = first.steps, first.batch_size
    layers = models.layout(first.layer_sizes)
    n_layers = len(layers)

    theta, x_all, blocks = _starts(items, dev)
    trials = theta.shape[1]
    y_all = tasks.targets(first.task, first.encoding, x_all.transpose(-1, -2)).transpose(-1, -2)
    grad = torch.zeros_like(theta)
    optimizers = []
    for cols, (config, _) in zip(blocks, items):
        param = theta[:, cols]
        param.grad = grad[:, cols]
        optimizers.append(OPTIMIZERS[config.optimizer].build([param], **config.optimizer_kwargs()))
    net = _StackedNet(theta, grad, layers, _segments(blocks, [c.activation for c, _ in items]))
    layer_of_param = torch.zeros(n_layers, theta.shape[0], device=dev)
    for l, layer in enumerate(layers):
        layer_of_param[l, layer.span] = 1.0
    loss_grad = _LOSS_GRAD[first.loss]

    rows = x_all.shape[1]
    outputs = torch.empty(steps, rows, first.outputs, trials, device=dev)
    grad_sq = torch.empty(steps, n_layers, trials, device=dev)
    with torch.no_grad():
        for i in range(steps):
            x = x_all[min(i, x_all.shape[0] - 1)]
            y = y_all[min(i, y_all.shape[0] - 1), :mbs]
            acts = net.forward(x, out=outputs[i])
            net.backward(acts, loss_grad(acts[-1][:mbs], y), mbs)
            torch.mm(layer_of_param, grad * grad, out=grad_sq[i])
            for optimizer in optimizers:
                optimizer.step()
        table = tasks.TABLE_INPUTS.to(dev).unsqueeze(-1).expand(4, 2, trials)
        final = net.forward(table)[-1]
    return Runs.collect(items, blocks, outputs, y_all, final, grad_sq, theta)


def _starts(items, dev):
    """Each trial's initial parameters, then its minibatch stream, from its own seed's generator.
    Returns theta (P, trials), inputs (steps or 1, rows, 2, trials) with the truth table's 4 rows last, and the
    column block of each item."""
    first = items[0][0]
    steps, mbs, sizes = first.steps, first.batch_size, first.layer_sizes
    thetas, streams, blocks, at = [], [], [], 0
    for config, seeds in items:
        for seed in seeds:
            generator = torch.Generator().manual_seed(seed)
            thetas.append(models.init_params(sizes, config.init, generator))
            if not first.full_batch:
                streams.append(tasks.minibatch_inputs(steps, mbs, generator))
        blocks.append(slice(at, at + len(seeds)))
        at += len(seeds)
    theta = torch.stack(thetas, dim=1).to(dev)
    table = tasks.TABLE_INPUTS.to(dev).unsqueeze(-1)  # (4, 2, 1)
    if first.full_batch:  # the minibatch *is* the truth table, every step
        return theta, table.expand(1, 4, 2, at), blocks
    x = torch.empty(steps, mbs + 4, 2, at, device=dev)
    x[:, :mbs] = torch.stack(streams, dim=-1).to(dev)
    x[:, mbs:] = table
    return theta, x, blocks


def _segments(blocks, activations):
    """(columns, activation) runs: consecutive blocks with the same activation merged."""
    merged = []
    for cols, act in zip(blocks, activations):
        if merged and merged[-1][1] == act:
            merged[-1] = (slice(merged[-1][0].start, cols.stop), act)
        else:
            merged.append((cols, act))
    return merged


class _StackedNet:
    """Forward and backward of the stacked MLP, writing gradients into views of one (P, trials) tensor."""

    def __init__(self, theta, grad, layers, segments):
        self.layers, self.segments = layers, segments
        trials = theta.shape[1]
        self.weights = [theta[lay.w].view(lay.fan_out, lay.fan_in, trials) for lay in layers]
        self.biases = [theta[lay.b] for lay in layers]
        self.grad_w = [grad[lay.w].view(lay.fan_out, lay.fan_in, trials) for lay in layers]
        self.grad_b = [grad[lay.b] for lay in layers]

    def forward(self, x, out=None):
        """[x, h1, ..., output] for inputs x (rows, 2, trials); the output layer is a sigmoid."""
        acts = [x]
        last = len(self.layers) - 1
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            # z = b + sum_k a_k w_k, summed in k order as addmm does
            z = _ordered_sum(acts[-1].unsqueeze(1) * w, 2)
            # a strided z makes sigmoid take PyTorch's scalar path, as it does on the plain program's small tensors
            z = torch.add(z, b, out=_strided_like(z))
            acts.append(torch.sigmoid(z, out=out) if l == last else models.activate(z, self.segments))
        return acts

    def backward(self, acts, grad_out, mbs):
        """Gradients of the minibatch loss (its first `mbs` rows), given d loss / d output."""
        delta = torch.ops.aten.sigmoid_backward(grad_out, acts[-1][:mbs])
        for l in range(len(self.layers) - 1, -1, -1):
            below = acts[l][:mbs]
            self.grad_w[l].copy_(_ordered_sum(delta.unsqueeze(2) * below.unsqueeze(1), 0))
            # the bias gradient sums each trial's (mbs, units) block over rows; PyTorch picks its summation order
            # from that block's shape, so sum blocks laid out exactly as in the plain program: (trials, mbs, units)
            torch.sum(delta.permute(2, 0, 1).contiguous(), 1, out=self.grad_b[l].T)
            if l:
                upstream = _ordered_sum(delta.unsqueeze(2) * self.weights[l].unsqueeze(0), 1)
                delta = models.activation_backward(self.segments, upstream, below)


def _ordered_sum(t, dim):
    """Sum over `dim` term by term, in index order, as the plain program's small matrix products add up their terms
    (torch.sum would regroup the terms of a long, trials-wide reduction). Long sums fall back to torch.sum."""
    n = t.shape[dim]
    if n <= 3 or n > 32:
        return torch.sum(t, dim)
    terms = t.unbind(dim)
    acc = terms[0] + terms[1]
    for term in terms[2:]:
        acc += term
    return acc


def _strided_like(z):
    return torch.empty(*z.shape, 2, dtype=z.dtype, device=z.device)[..., 0]


def _mse_grad(o, y):
    # mse_loss_backward, mean over each trial's own elements: 2/n * (o - y)
    return (o - y) * (2.0 / (o.shape[0] * o.shape[1]))


def _bce_grad(o, y):
    # binary_cross_entropy_backward, mean over each trial's own elements: (o - y) / max(o (1 - o), 1e-12) / n
    return (o - y) / torch.clamp_min((1 - o) * o, 1e-12) / (o.shape[0] * o.shape[1])


_LOSS_GRAD = {"mse": _mse_grad, "bce": _bce_grad}
