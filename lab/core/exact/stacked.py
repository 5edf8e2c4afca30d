"""The stacked network: forward and backward passes of many trials' MLPs at once, trials on the last axis.

Parameters are a (P, trials) tensor, activations (rows, units, trials). A layer is a broadcast product summed over its
inputs, which for these tiny matrices is far cheaper than a batched matmul. The backward pass applies, per trial,
exactly the formulas autograd applies to the plain program, and every product is summed with the recipe this machine's
kernel uses for the plain program's small tensors (lab.core.exact.arithmetic), so every trial's numbers are bitwise
those of the plain program on the machine it runs on.
"""

from __future__ import annotations

import torch

from lab.core.exact import kernels, recipes
from lab.core.models import ACTIVATION_BACKWARD, activate, activation_backward


def segments(blocks, activations):
    """(columns, activation) runs: consecutive blocks with the same activation merged."""
    merged = []
    for cols, act in zip(blocks, activations):
        if merged and merged[-1][1] == act:
            merged[-1] = (slice(merged[-1][0].start, cols.stop), act)
        else:
            merged.append((cols, act))
    return merged


class StackedNet:
    """Forward and backward of the stacked MLP, writing gradients into views of one (P, trials) tensor. Small
    layers follow the plain program's arithmetic on this machine (lab.core.exact.arithmetic: each product's recipe per
    position, each activation element's path); wide ones use batched matrix products."""

    def __init__(self, theta, grad, layers, segments, bias: bool = True, output: str = "sigmoid"):
        self.layers, self.segments, self.bias, self.output = layers, segments, bias, output
        trials = theta.shape[1]
        self.weights = [theta[lay.w].view(lay.fan_out, lay.fan_in, trials) for lay in layers]
        self.weight_rows = [w[None] for w in self.weights]  # (1, out, in, trials): the products' factors
        self.biases = [theta[lay.b] for lay in layers]
        self.bias_rows = [b[None] if bias else None for b in self.biases]  # (1, out, trials); None: no biases
        self.grad_w = [grad[lay.w].view(lay.fan_out, lay.fan_in, trials) for lay in layers]
        self.grad_b = [grad[lay.b] for lay in layers]

    def forward(self, x, arith=None):
        """[x, h1, ..., output] for inputs x (rows, 2, trials); the output layer's activation is `output` (the
        lecture's sigmoid, or the identity). `arith`: the plain
        program's arithmetic for these rows (lab.core.exact.arithmetic.RowsArithmetic); None (large evaluation sets):
        batched matrix products in float64, so the float32 result does not depend on the trials stacked."""
        acts = [x]
        for l, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            plan = arith.forward[l] if arith is not None else None
            if plan is not None:  # as the plain program's kernel: z = b + sum_k a_k w_k, in its order and roundings
                z = kernels.contract(plan, recipes.Terms(acts[-1][:, None], self.weight_rows[l], 2),
                                     self.bias_rows[l])
            elif arith is not None:  # a batched matmul over trials: no (rows, out, in, trials) product in memory
                z = self._batched(b, acts[-1].permute(2, 0, 1), w.permute(2, 1, 0)).permute(1, 2, 0)
            else:
                z = self._batched(b.double(), acts[-1].permute(2, 0, 1).double(),
                                  w.permute(2, 1, 0).double()).float().permute(1, 2, 0)
            acts.append(self._activate(l, z, None if plan is None else arith.vector[l]))
        return acts

    def _batched(self, b, a, w):
        """a @ w (+ b, when the layers have biases), batched over trials."""
        return torch.baddbmm(b.T.unsqueeze(1), a, w) if self.bias else torch.bmm(a, w)

    def _activate(self, l, z, vector):
        """The layer's activation. Following the plain program (`vector` given): on ATen's scalar path, as on its
        small tensors, except the elements its vectorised loop would take."""
        segments = [(slice(None), self.output)] if l == len(self.layers) - 1 else self.segments
        if vector is None:  # every element on the vectorised path, so no trial's value depends on its position
            out = torch.empty_like(z)
            for cols, name in segments:
                out[..., cols] = kernels.vector_path(name, z[..., cols]) if name in kernels.VECTOR_OPS else \
                    activate(z[..., cols], [(slice(None), name)])
            return out
        out = activate(strided_like(z).copy_(z), segments)
        for name, flags in vector.items():
            if flags is None:
                continue
            for cols, seg_name in segments:
                if seg_name == name:
                    on_vector = kernels.vector_path(name, z[..., cols])
                    out[..., cols] = torch.where(flags.unsqueeze(-1), on_vector, out[..., cols])
        return out

    def backward(self, acts, grad_out, arith):
        """Gradients of the minibatch loss, given the minibatch's activations, d loss / d output and the plain
        program's arithmetic for the minibatch's rows."""
        delta = ACTIVATION_BACKWARD[self.output](grad_out, acts[-1])
        for l in range(len(self.layers) - 1, -1, -1):
            below = acts[l]
            plan = arith.grad_weight[l]
            if plan is not None:
                self.grad_w[l].copy_(kernels.contract(plan, recipes.Terms(delta[:, :, None], below[:, None], 0)))
            else:
                self.grad_w[l].copy_(torch.bmm(delta.permute(2, 1, 0), below.permute(2, 0, 1)).permute(1, 2, 0))
            plan = arith.grad_bias[l] if self.bias else None
            if plan is not None:  # the bias gradient sums the rows in the order of the plain program's reduction
                self.grad_b[l].copy_(kernels.contract(plan, recipes.Terms(delta[:, None], None, 0))[0])
            elif self.bias:  # a running sum down the rows: the same order for every trial, however many are stacked
                self.grad_b[l].copy_(torch.cumsum(delta, 0)[-1])
            # without biases, their columns' gradient stays 0: the optimizer leaves them at 0
            if l:
                plan = arith.grad_input[l]
                if plan is not None:
                    upstream = kernels.contract(plan, recipes.Terms(delta[:, :, None], self.weight_rows[l], 1))
                else:
                    upstream = torch.bmm(delta.permute(2, 0, 1), self.weights[l].permute(2, 0, 1)).permute(1, 2, 0)
                delta = activation_backward(self.segments, upstream, below)


def strided_like(z):
    """An empty tensor like z whose elements are not adjacent: ATen then takes its scalar loop."""
    return torch.empty(*z.shape, 2, dtype=z.dtype, device=z.device)[..., 0]


def _mse_grad(o, y):
    # mse_loss_backward, mean over each trial's own elements: 2/n * (o - y)
    return (o - y) * (2.0 / (o.shape[0] * o.shape[1]))


def _bce_grad(o, y):
    # binary_cross_entropy_backward, mean over each trial's own elements: (o - y) / max(o (1 - o), 1e-12) / n
    return (o - y) / torch.clamp_min((1 - o) * o, 1e-12) / (o.shape[0] * o.shape[1])


LOSS_GRAD = {"mse": _mse_grad, "bce": _bce_grad}
