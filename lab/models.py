"""The batched multilayer perceptron: parameters of many trials stacked in one tensor.

Trial *t*'s parameters are row *t* of a (trials, P) tensor, laid out layer by layer as the plain `nn.Module` lists
them: W1 (out × in, row-major), b1, W2, b2, ... Each layer's weight and bias are drawn exactly as `nn.Linear` draws
them (weight, then bias, from U(-1/√in, 1/√in)), from the trial's own seeded generator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class Layer:
    fan_in: int
    fan_out: int
    w: slice  # columns of the flat parameter row holding the weight (fan_out × fan_in)
    b: slice  # ... and the bias (fan_out)

    @property
    def span(self) -> slice:
        return slice(self.w.start, self.b.stop)


def layout(sizes: tuple[int, ...]) -> list[Layer]:
    layers, at = [], 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = slice(at, at + fan_in * fan_out)
        b = slice(w.stop, w.stop + fan_out)
        layers.append(Layer(fan_in, fan_out, w, b))
        at = b.stop
    return layers


def param_count(sizes: tuple[int, ...]) -> int:
    return layout(sizes)[-1].b.stop


def init_params(sizes: tuple[int, ...], init: str, generator: torch.Generator) -> torch.Tensor:
    """One trial's flat parameters. `pytorch`: the `nn.Linear` default. `xavier`: the model is built as usual (so the
    default draws happen first, as in `Net()`), then each weight is redrawn Glorot-uniform and each bias set to 0."""
    layers = layout(sizes)
    flat = torch.empty(layers[-1].b.stop)
    for layer in layers:
        weight = flat[layer.w].view(layer.fan_out, layer.fan_in)
        # exactly nn.Linear.reset_parameters, with an explicit generator
        nn.init.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
        bound = 1 / math.sqrt(layer.fan_in) if layer.fan_in > 0 else 0
        nn.init.uniform_(flat[layer.b], -bound, bound, generator=generator)
    if init == "xavier":
        for layer in layers:
            nn.init.xavier_uniform_(flat[layer.w].view(layer.fan_out, layer.fan_in), generator=generator)
            flat[layer.b].zero_()
    return flat


# ---- activations: forward and the exact backward formula autograd uses --------------------------------------------
def _identity(z, out=None):
    return z if out is None else out.copy_(z)


ACTIVATION_FORWARD = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": lambda z, out=None: torch.clamp_min(z, 0.0, out=out),
    "identity": _identity,
}
ACTIVATION_BACKWARD = {  # (grad wrt output, output) -> grad wrt input
    "sigmoid": torch.ops.aten.sigmoid_backward,
    "tanh": torch.ops.aten.tanh_backward,
    "relu": lambda g, y: torch.ops.aten.threshold_backward(g, y, 0.0),
    "identity": lambda g, y: g,
}


def activate(z: torch.Tensor, segments) -> torch.Tensor:
    """Hidden activation where trials (the last axis) `segments[k][0]` use activation `segments[k][1]`."""
    if len(segments) == 1:
        return ACTIVATION_FORWARD[segments[0][1]](z)
    out = torch.empty_like(z)
    for cols, name in segments:
        ACTIVATION_FORWARD[name](z[..., cols], out=out[..., cols])
    return out


def activation_backward(segments, grad: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Gradient wrt a hidden layer's input, given the gradient wrt its output `y` (per segment, as `activate`)."""
    if len(segments) == 1:
        return ACTIVATION_BACKWARD[segments[0][1]](grad, y)
    out = torch.empty_like(grad)
    for cols, name in segments:
        out[..., cols] = ACTIVATION_BACKWARD[name](grad[..., cols], y[..., cols])
    return out
