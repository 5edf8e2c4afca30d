"""The 2-input truth tables and the lecture's minibatch stream.

The lecture's `gen_minibatch()` draws `inputs = torch.bernoulli(0.5 * torch.ones(mbs, 2))` each iteration and labels
each row with AND of its two inputs. One `torch.bernoulli` call of shape (steps * mbs, 2) yields exactly the numbers of
`steps` calls of shape (mbs, 2), so a trial's whole input stream is drawn up front from its seed's generator.
"""

from __future__ import annotations

import torch

from lab.core.truth import TABLE_ROWS, TRUTH_TABLES, centre, input_rows

#: Rows of every truth table, in this order: (0,0), (0,1), (1,0), (1,1).
TABLE_INPUTS = torch.tensor(TABLE_ROWS)


def truth(task: str, inputs: torch.Tensor) -> torch.Tensor:
    """The task's 0/1 value for each row of a (..., 2) tensor of 0/1 inputs, shape (...)."""
    table = torch.tensor(TRUTH_TABLES[task], dtype=inputs.dtype, device=inputs.device)
    return table[(inputs[..., 0] * 2 + inputs[..., 1]).long()]


def encode(values: torch.Tensor, encoding: str, task: str | None = None) -> torch.Tensor:
    """Targets for 0/1 values: `scalar` → (..., 1) holding the value (the lecture's AND network);
    `onehot` → (..., 2) holding [1, 0] where the value is 1, else [0, 1] (the lecture's first code example);
    `pm1` → (..., 1) holding the value minus its mean over the task's 4 rows (`truth.centre`)."""
    if encoding == "onehot":
        return torch.stack([values, 1.0 - values], dim=-1)
    if encoding == "pm1":
        return (values - centre(task)).unsqueeze(-1)
    return values.unsqueeze(-1)


def targets(task: str, encoding: str, inputs: torch.Tensor) -> torch.Tensor:
    """The targets of rows of 0/1 `inputs` (as drawn, before any ±1 encoding)."""
    return encode(truth(task, inputs), encoding, task)


def table_inputs(encoding: str) -> torch.Tensor:
    """The 4 truth-table rows as the net sees them (4, 2): TABLE_INPUTS, or 2x − 1 with `pm1`."""
    return torch.tensor(input_rows(encoding))


def minibatch_inputs(steps: int, batch_size: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """The lecture's input stream for `steps` iterations, shape (steps, batch_size, 2): exactly the numbers of
    `steps` calls of `torch.bernoulli(0.5 * torch.ones(batch_size, 2))` from the same generator state."""
    return (uniform_stream(steps, batch_size, generator) < 0.5).float()


def uniform_stream(steps: int, batch_size: int, generator=None, out=None) -> torch.Tensor:
    """The uniforms behind the lecture's stream: on the CPU, `torch.bernoulli(p)` draws one `torch.rand` number per
    element and returns `u < p`, so `torch.rand(...) < 0.5` is the same stream, drawn about 3.5 times faster
    (tests/core/test_tasks_models.py checks the equality)."""
    if out is not None:
        return torch.rand(steps * batch_size, 2, generator=generator, out=out)
    return torch.rand(steps, batch_size, 2, generator=generator)


def table_rows(steps: int, batch_size: int, generator=None) -> torch.Tensor:
    """The lecture's stream as rows of TABLE_INPUTS, (steps, batch_size) int64: row 2·x1 + x2 for inputs (x1, x2)."""
    return rows_of_uniforms(uniform_stream(steps, batch_size, generator)).long()


def rows_of_uniforms(uniforms: torch.Tensor) -> torch.Tensor:
    """The rows of TABLE_INPUTS that a (..., 2) tensor of the stream's uniforms draws, as uint8 (...)."""
    drawn = (uniforms < 0.5).view(torch.uint8)  # 0 or 1, a byte each
    return torch.add(drawn[..., 1], drawn[..., 0], alpha=2)
