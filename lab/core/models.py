"""The batched multilayer perceptron: parameters of many trials stacked in one tensor.

Trial *t*'s parameters are row *t* of a (trials, P) tensor, laid out layer by layer as the plain `nn.Module` lists
them: W1 (out × in, row-major), b1, W2, b2, ... Each layer's weight and bias are drawn exactly as `nn.Linear` draws
them (weight, then bias, from U(-1/√in, 1/√in)), from the trial's own seeded generator, then re-drawn by the
config's init function (`init_params`).
"""

from __future__ import annotations

import math

import torch

from lab.core.layout import Layer, layout, param_count  # noqa: F401 - the layout lives in lab.core.layout


def init_draws(sizes: tuple[int, ...], init: str, bias: bool = True) -> list[tuple[slice, float, float]]:
    """The uniform draws that initialise one trial, in order: (columns of the flat row, low, high). `pytorch`: as
    `nn.Linear.reset_parameters` draws them (`kaiming_uniform_(a=√5)` for the weight, U(±1/√in) for the bias);
    `xavier`: after those (the model is built as usual, as in `Net()`), each weight again, Glorot-uniform (biases are
    then set to 0). The bounds are computed exactly as torch.nn.init computes them. (`orthogonal` and `gaussian` draw
    their weights after these, in `init_params`.) `bias` False: layers without biases draw only their weights."""
    draws = []
    for layer in layout(sizes):
        gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))  # calculate_gain("leaky_relu", √5)
        bound = math.sqrt(3.0) * (gain / math.sqrt(layer.fan_in))
        draws.append((layer.w, -bound, bound))
        if bias:
            bound = 1 / math.sqrt(layer.fan_in) if layer.fan_in > 0 else 0
            draws.append((layer.b, -bound, bound))
    if init == "xavier":
        for layer in layout(sizes):
            bound = math.sqrt(3.0) * (1.0 * math.sqrt(2.0 / float(layer.fan_in + layer.fan_out)))
            draws.append((layer.w, -bound, bound))
    return draws


def init_params(sizes: tuple[int, ...], init: str, generator: torch.Generator, draws=None, out=None,
                scale: float | None = None, bias: bool = True) -> torch.Tensor:
    """One trial's flat parameters, drawn from `generator` exactly as the plain program draws them: the layers built
    as `nn.Linear` builds them, then, layer by layer, the init's own function of torch.nn.init (`draws`: the
    precomputed `init_draws(sizes, init)`, to save recomputing it for every trial; `out`: where to write them).

    * `pytorch`: nn.Linear's own draws, nothing more.
    * `xavier`: `xavier_uniform_` (Glorot and Bengio's normalised init, U(±√6/√(in + out))), biases 0.
    * `orthogonal`: `orthogonal_(weight, gain=scale)` (Saxe et al.'s orthogonal init, each weight matrix's rows or
      columns orthonormal, times σ), biases 0.
    * `gaussian`: `normal_(weight, 0, 1/√in)`, biases 0, then × σ: weights N(0, σ²/in), the scaled Gaussian init.
    `scale` σ (None: 1): every weight and bias multiplied by it after drawing (`orthogonal`: its gain).
    `bias` False: layers without biases: their columns of the flat row (`layout`) hold 0, drawn from nothing (the
    engine never changes them), so the flat row keeps one layout for every config."""
    flat = torch.empty(param_count(sizes)) if out is None else out
    for cols, low, high in draws or init_draws(sizes, init, bias):
        flat[cols].uniform_(low, high, generator=generator)
    for layer in layout(sizes):
        weight = flat[layer.w].view(layer.fan_out, layer.fan_in)
        if init == "orthogonal":
            torch.nn.init.orthogonal_(weight, gain=1.0 if scale is None else scale, generator=generator)
        elif init == "gaussian":
            torch.nn.init.normal_(weight, 0.0, 1.0 / math.sqrt(layer.fan_in), generator=generator)
        if init != "pytorch" or not bias:
            flat[layer.b].zero_()
    if scale is not None and init != "orthogonal":
        flat.mul_(scale)
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
    "sigmoid": torch.ops.aten.sigmoid_backward.default,
    "tanh": torch.ops.aten.tanh_backward.default,
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
