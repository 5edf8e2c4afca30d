"""Each step's optimizer update, replayed: a `torch.optim` optimizer's update without its per-call bookkeeping.

`Optimizer.step()` does two things: bookkeeping (hooks, a profiler record, gathering every param group's parameters,
gradients and state into lists) and then the update itself, one call of the class's functional form
(`torch.optim.adam.adam`, `torch.optim.sgd.sgd`, ...). On the engine's small stacked tensors the bookkeeping costs
about as much as the update: some 80 µs of a step's 800.

`Replayed` runs the first step as `step()` does, and notes the functional call it made: the function and its
arguments. Every later step calls that function again with the same arguments. That is the same update because, in
the engine, nothing those arguments hold changes between steps: each parameter's `.grad` is a fixed view that the
backward pass writes into, the optimizer keeps its state (moments, step counts, momentum buffers) in tensors that
the update changes in place, and the hyper-parameters stay put (there is no scheduler). tests/core/test_updates.py
checks it against `step()` for every optimizer of the lab, bitwise.
"""

from __future__ import annotations

import inspect
import sys
import threading

import torch

_CAPTURE = threading.Lock()  # one first step at a time swaps the functional form for its recorder


class Replayed:
    """`optimizer`'s steps: the first one by `step()`, the later ones by replaying the functional calls it made."""

    def __init__(self, optimizer: torch.optim.Optimizer):
        self.optimizer = optimizer
        self.calls: list[tuple] | None = None  # (function, args, kwargs) per param group, after the first step
        self.stepped = False

    def step(self) -> None:
        if self.calls is not None:
            for function, args, kwargs in self.calls:
                function(*args, **kwargs)
        elif self.stepped:  # not replayable
            self.optimizer.step()
        else:
            self.calls, self.stepped = self._first_step(), True

    def _first_step(self) -> list[tuple] | None:
        """Runs `step()` once, recording the functional calls it makes (None when they cannot be replayed: then every
        step runs `step()`)."""
        module = sys.modules[inspect.unwrap(type(self.optimizer).step).__module__]  # torch.optim.adam for AdamW too
        name = module.__name__.rsplit(".", 1)[-1]
        original = getattr(module, name, None)
        if not callable(original):
            self.optimizer.step()
            return None
        calls, me = [], threading.get_ident()

        def record(*args, **kwargs):
            if threading.get_ident() == me:  # another thread's optimizer may step meanwhile: not ours to record
                calls.append((original, args, kwargs))
            return original(*args, **kwargs)

        with _CAPTURE:
            setattr(module, name, record)
            try:
                self.optimizer.step()
            finally:
                setattr(module, name, original)
        return calls if len(calls) == len(self.optimizer.param_groups) else None
