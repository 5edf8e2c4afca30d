"""The stacked network: forward and backward passes of many trials' MLPs at once, trials on the last axis.

Parameters are a (P, trials) tensor, activations (rows, units, trials). A layer is a broadcast product summed over its
inputs, which for these tiny matrices is far cheaper than a batched matmul. The backward pass applies, per trial,
exactly the formulas autograd applies to the plain program, and sums terms in the order PyTorch's kernels sum them for
the plain program's small tensors, so every trial's numbers are bitwise those of the plain program.
"""

from __future__ import annotations

import torch

from .models import activate, activation_backward


def segments(blocks, activations):
    """(columns, activation) runs: consecutive blocks with the same activation merged."""
    merged = []
    for cols, act in zip(blocks, activations):
        if merged and merged[-1][1] == act:
            merged[-1] = (slice(merged[-1][0].start, cols.stop), act)
        else:
            merged.append((cols, act))
    return merged


SMALL = 3  # the widest layer computed with the plain program's exact arithmetic


class StackedNet:
    """Forward and backward of the stacked MLP, writing gradients into views of one (P, trials) tensor."""

    def __init__(self, theta, grad, layers, segments):
        self.layers, self.segments = layers, segments
        trials = theta.shape[1]
        self.weights = [theta[lay.w].view(lay.fan_out, lay.fan_in, trials) for lay in layers]
        self.biases = [theta[lay.b] for lay in layers]
        self.grad_w = [grad[lay.w].view(lay.fan_out, lay.fan_in, trials) for lay in layers]
        self.grad_b = [grad[lay.b] for lay in layers]
        # Small layers (the lecture's) follow the plain program's arithmetic exactly: products summed term by term,
        # sigmoid on PyTorch's scalar path. For wider ones the plain program's matmuls go through BLAS kernels whose
        # summation order is their own, so a batched matmul (far faster there) is as close as anything.
        self.small = [lay.fan_in <= SMALL and lay.fan_out <= SMALL for lay in layers]

    def forward(self, x, out=None, exact=True):
        """[x, h1, ..., output] for inputs x (rows, 2, trials); the output layer is a sigmoid. `exact=False` (for
        large evaluation sets) uses batched matmuls throughout."""
        acts = [x]
        last = len(self.layers) - 1
        for l, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            if exact and self.small[l]:
                # z = b + sum_k a_k w_k, summed in k order as addmm does
                z = ordered_sum(acts[-1].unsqueeze(1) * w, 2)
                # a strided z makes sigmoid take PyTorch's scalar path, as on the plain program's small tensors
                z = torch.add(z, b, out=strided_like(z))
            elif exact:  # a batched matmul over trials: no (rows, out, in, trials) product in memory
                z = torch.baddbmm(b.T.unsqueeze(1), acts[-1].permute(2, 0, 1), w.permute(2, 1, 0)).permute(1, 2, 0)
            else:  # evaluation sets: in float64, so the float32 result does not depend on the trials stacked
                z = torch.baddbmm(b.T.unsqueeze(1).double(), acts[-1].permute(2, 0, 1).double(),
                                  w.permute(2, 1, 0).double()).float().permute(1, 2, 0)
            acts.append(torch.sigmoid(z, out=out) if l == last else activate(z, self.segments))
        return acts

    def backward(self, acts, grad_out):
        """Gradients of the minibatch loss, given the minibatch's activations and d loss / d output."""
        delta = torch.ops.aten.sigmoid_backward(grad_out, acts[-1])
        for l in range(len(self.layers) - 1, -1, -1):
            below = acts[l]
            if self.small[l]:
                ordered_sum(delta.unsqueeze(2) * below.unsqueeze(1), 0, out=self.grad_w[l])
            else:
                self.grad_w[l].copy_(torch.bmm(delta.permute(2, 1, 0), below.permute(2, 0, 1)).permute(1, 2, 0))
            # the bias gradient sums each trial's (mbs, units) block over rows; PyTorch picks its summation order
            # from that block's shape, so sum blocks laid out exactly as in the plain program: (trials, mbs, units)
            torch.sum(delta.permute(2, 0, 1).contiguous(), 1, out=self.grad_b[l].T)
            if l:
                if self.small[l]:
                    upstream = ordered_sum(delta.unsqueeze(2) * self.weights[l].unsqueeze(0), 1)
                else:
                    upstream = torch.bmm(delta.permute(2, 0, 1), self.weights[l].permute(2, 0, 1)).permute(1, 2, 0)
                delta = activation_backward(self.segments, upstream, below)


def ordered_sum(t, dim, out=None):
    """Sum over `dim` term by term, in index order, as the plain program's small matrix products add up their terms
    (torch.sum would regroup the terms of a long, trials-wide reduction). Long sums fall back to torch.sum."""
    n = t.shape[dim]
    if n <= 3 or n > 32:
        return torch.sum(t, dim, out=out)
    terms = t.unbind(dim)
    acc = torch.add(terms[0], terms[1], out=out)
    for term in terms[2:]:
        acc += term
    return acc


def strided_like(z):
    return torch.empty(*z.shape, 2, dtype=z.dtype, device=z.device)[..., 0]


def _mse_grad(o, y):
    # mse_loss_backward, mean over each trial's own elements: 2/n * (o - y)
    return (o - y) * (2.0 / (o.shape[0] * o.shape[1]))


def _bce_grad(o, y):
    # binary_cross_entropy_backward, mean over each trial's own elements: (o - y) / max(o (1 - o), 1e-12) / n
    return (o - y) / torch.clamp_min((1 - o) * o, 1e-12) / (o.shape[0] * o.shape[1])


LOSS_GRAD = {"mse": _mse_grad, "bce": _bce_grad}
