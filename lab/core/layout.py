"""How one trial's flat parameter row is laid out, layer by layer (torch-free)."""

from __future__ import annotations

from dataclasses import dataclass


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
