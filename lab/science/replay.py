"""Frames of one exact trial, for an animation in the browser: what the network computes at each checkpoint.

`replay(config, seed)` re-runs trial `seed` with the engine, keeping its parameters every k steps
(`engine.train(..., checkpoint_every=k)`: before steps 0, k, 2k, ... and after the last one), and returns tidy long
tables keyed by `step`, so that one chart can show any frame by filtering on a slider parameter over all of them:

- `decision`: the network's output (its `inspect.score`, the output itself for one output) over an n × n grid of the
  input plane, by default [-0.25, 1.25]², a little beyond the input square;
- `units`: every hidden unit's own activation over the same grid, one small picture per unit and hidden layer, as
  TensorFlow Playground draws them (Smilkov & Carter, 2016);
- `weights`: each weight and bias, named by the units it joins (inspect.node_names: x1, h1, ..., y);
- `table`: the 4 truth-table rows with the network's output, answer and correctness;
- `loss`: the truth-table loss and error after t updates (the engine's own numbers) and the lecture's minibatch loss.

Maps are computed from the parameters with the model's own formulas, in float32: layer sizes from the config, the
config's hidden activation, a sigmoid output, one batched product per layer over every frame and grid point at once.

Sizes. Long records repeat every column name, so a map costs about 50 bytes (decision) to 75 bytes (units) a value as
JSON. The defaults, k = ceil(steps / 50) and a 19 × 19 grid over [-0.25, 1.25]² (spacing 1/12: the inputs 0 and 1
are grid points) with map values rounded to 3 decimals (the colour scale shows no more), give a 1,000-step lecture
replay 51 frames: `decision` 18,411 rows (0.91 MB as JSON records), `units` 36,822 rows (2.8 MB: 361 points × 2
hidden units × 51 frames), `weights` 459, `table` 204 and `loss` 51 rows (0.08 MB together): 3.8 MB in all (4.6 MB
with exact values, `decimals=None`), computed in about 0.6 s, almost all of it the training run. 101 frames of a
25 × 25 grid would take 12.9 MB. Maps grow with the hidden units; `sizes()` measures any replay, and replays of
more than MAX_MAP_VALUES map values are refused.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from lab.core import models, tasks
from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.core.runs import Runs
from lab.science import inspect

FRAMES = 50  # frames of a replay, at most this many plus the last
GRID = 19  # grid points per side: (GRID - 1) a multiple of 6 puts the inputs 0 and 1 on the grid
DECIMALS = 3  # map values rounded to this many places by default (None: exact float32 values)
LIMITS = (-0.25, 1.25)  # the grid's range on both inputs
MAX_MAP_VALUES = 5_000_000  # the largest replay (frames × grid points × (hidden units + 1)) computed


def default_every(steps: int, frames: int = FRAMES) -> int:
    """Steps between frames so that a run of `steps` gives at most `frames` + 1 frames (20 for 1,000 steps)."""
    return max(1, math.ceil(steps / frames))


def grid_inputs(n: int = GRID, limits=LIMITS) -> np.ndarray:
    """(n², 2) grid points, x1 major: row i·n + j is (axis[i], axis[j]); the axis is rounded to 4 decimals (short
    JSON), and the maps are computed at exactly these points."""
    axis = np.round(np.linspace(float(limits[0]), float(limits[1]), int(n)), 4)
    x1, x2 = np.meshgrid(axis, axis, indexing="ij")
    return np.column_stack([x1.ravel(), x2.ravel()])


def forward_batch(sizes, activation: str, params, inputs, dtype=torch.float32) -> list[torch.Tensor]:
    """Every layer's activations [h1, ..., output], each (B, rows, units), for B parameter vectors (B, P) laid out as
    `models.layout(sizes)` on the same input rows (rows, 2): z = a·Wᵀ + b per layer, `activation` on hidden layers,
    a sigmoid on the output layer (one batched matmul per layer, no loop over parameter vectors or rows)."""
    layers = models.layout(tuple(sizes))
    p = torch.as_tensor(np.asarray(params), dtype=dtype).reshape(-1, layers[-1].b.stop)
    a = torch.as_tensor(np.asarray(inputs), dtype=dtype).expand(p.shape[0], -1, -1)
    hidden = models.ACTIVATION_FORWARD[activation]
    acts = []
    with torch.no_grad():
        for l, lay in enumerate(layers):
            w = p[:, lay.w].reshape(-1, lay.fan_out, lay.fan_in)
            z = torch.baddbmm(p[:, lay.b].unsqueeze(1), a, w.transpose(1, 2))
            a = torch.sigmoid(z) if l == len(layers) - 1 else hidden(z)
            acts.append(a)
    return acts


@dataclass
class Replay:
    """One trial's frames: tidy tables keyed by `step` (see the module docstring)."""

    config: TrialConfig
    seed: int
    steps: list[int]
    params: np.ndarray  # (frames, P) float32: the parameters after each frame's step
    decision: pd.DataFrame  # step, x1, x2, score
    units: pd.DataFrame  # step, layer, unit, x1, x2, activation
    weights: pd.DataFrame  # step, layer, kind, from_unit, to_unit, weight, index
    table: pd.DataFrame  # step, x1, x2, target, output (or output_true, output_false), score, answer, correct
    loss: pd.DataFrame  # step, table_loss, table_error, minibatch_loss

    TABLES = ("decision", "units", "weights", "table", "loss")

    def sizes(self) -> pd.DataFrame:
        """Per table: rows, and bytes as JSON records (`json_bytes`)."""
        return pd.DataFrame([{"table": name, "rows": len(getattr(self, name)),
                              "json_bytes": json_bytes(getattr(self, name))} for name in self.TABLES])


def json_bytes(frame: pd.DataFrame) -> int:
    """Bytes of the frame as a JSON list of records, as a chart embeds its data (Python's float repr)."""
    records = frame.astype({c: float for c in frame.columns if frame[c].dtype.kind == "f"}).to_dict("records")
    return len(json.dumps(records, separators=(",", ":")).encode())


def replay(config: TrialConfig, seed: int, every: int | None = None, n: int = GRID, limits=LIMITS,
           decimals: int | None = DECIMALS, device="cpu") -> Replay:
    """Trial `seed` of `config` re-run with the engine, with a frame every `every` steps (default `default_every`)
    and maps over an n × n grid of `limits`², their values rounded to `decimals` places (None: exact)."""
    every = default_every(config.steps) if every is None else int(every)
    _check_size(config, len(range(0, config.steps, every)) + 1, n)
    runs = train(config, [int(seed)], device=device, checkpoint_every=every)
    return frames(runs, n=n, limits=limits, decimals=decimals)


def frames(runs: Runs, trial: int = 0, n: int = GRID, limits=LIMITS, decimals: int | None = DECIMALS) -> Replay:
    """The frames of trial number `trial` of runs trained with `checkpoint_every` (see `replay`)."""
    if runs.checkpoints is None:
        raise ValueError("runs has no checkpoints: train with checkpoint_every")
    config = runs.config
    steps = np.asarray(runs.checkpoints["steps"], dtype=np.int64)
    params = np.asarray(runs.checkpoints["params"][trial], dtype=np.float32)
    _check_size(config, len(steps), n)
    decision, units = maps(config, steps, params, n, limits, decimals)
    loss = pd.DataFrame({
        "step": steps,
        "table_loss": runs.table_loss[trial, steps].astype(np.float64),
        "table_error": runs.table_error[trial, steps].astype(np.float64),
        "minibatch_loss": np.append(runs.loss[trial], np.nan)[steps].astype(np.float64),
    })
    return Replay(config, int(runs.seeds[trial]), steps.tolist(), params, decision, units,
                  weight_table(config, steps, params), truth_tables(config, steps, params), loss)


def maps(config: TrialConfig, steps, params, n: int = GRID, limits=LIMITS,
         decimals: int | None = DECIMALS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(decision, units) for parameters (frames, P) at `steps`: the score and every hidden unit's activation on the
    n × n grid (`grid_inputs`), computed for all frames and grid points at once; `units` names each unit as
    `inspect.node_names` does (h1, h2 for one hidden layer; h1_1, ..., h2_1, ... for more)."""
    steps = np.asarray(steps, dtype=np.int64)
    inputs = grid_inputs(n, limits)
    acts = forward_batch(config.layer_sizes, config.activation, params, inputs)
    count, points = len(steps), len(inputs)
    keep = (lambda v: v) if decimals is None else (lambda v: np.round(v, decimals))  # noqa: E731
    out = acts[-1].numpy().reshape(count * points, config.outputs)
    decision = pd.DataFrame({
        "step": np.repeat(steps, points),
        "x1": np.tile(inputs[:, 0], count),
        "x2": np.tile(inputs[:, 1], count),
        "score": keep(inspect.score(config, out)),
    })
    names = inspect.node_names(config.layer_sizes)
    parts = []
    for l, h in enumerate(acts[:-1], start=1):
        width = h.shape[2]
        parts.append(pd.DataFrame({
            "step": np.repeat(steps, width * points),
            "layer": l,
            "unit": np.tile(np.repeat(np.asarray(names[l], dtype=object), points), count),
            "x1": np.tile(inputs[:, 0], count * width),
            "x2": np.tile(inputs[:, 1], count * width),
            "activation": keep(h.permute(0, 2, 1).numpy().ravel().astype(np.float64)),  # (frame, unit, point)
        }))
    return decision, pd.concat(parts, ignore_index=True)


def weight_table(config: TrialConfig, steps, params) -> pd.DataFrame:
    """Every weight and bias at every step: layer (1 = into the first hidden layer), kind (weight / bias),
    from_unit (x1, h1, ...; "bias" for a bias), to_unit, weight, and index (its place in the flat parameters)."""
    names = inspect.node_names(config.layer_sizes)
    rows = []
    for l, lay in enumerate(models.layout(config.layer_sizes)):
        for j in range(lay.fan_out):
            for i in range(lay.fan_in):
                rows.append((l + 1, "weight", names[l][i], names[l + 1][j], lay.w.start + j * lay.fan_in + i))
            rows.append((l + 1, "bias", "bias", names[l + 1][j], lay.b.start + j))
    layer, kind, source, target, index = (np.asarray(c) for c in zip(*rows))
    steps = np.asarray(steps, dtype=np.int64)
    k = len(steps)
    return pd.DataFrame({
        "step": np.repeat(steps, len(index)),
        "layer": np.tile(layer, k),
        "kind": np.tile(kind.astype(object), k),
        "from_unit": np.tile(source.astype(object), k),
        "to_unit": np.tile(target.astype(object), k),
        "weight": np.asarray(params, dtype=np.float32)[:, index].ravel().astype(np.float64),
        "index": np.tile(index, k),
    })


def truth_tables(config: TrialConfig, steps, params) -> pd.DataFrame:
    """The 4 truth-table rows at every step: x1, x2, target, the output(s), score, answer and correct (as
    `inspect.truth_table` lays one out)."""
    steps = np.asarray(steps, dtype=np.int64)
    inputs = tasks.TABLE_INPUTS.numpy()
    out = forward_batch(config.layer_sizes, config.activation, params, inputs)[-1].numpy()  # (frames, 4, outputs)
    out = out.reshape(-1, config.outputs).astype(np.float64)
    k = len(steps)
    frame = pd.DataFrame({
        "step": np.repeat(steps, 4),
        "x1": np.tile(inputs[:, 0].astype(int), k),
        "x2": np.tile(inputs[:, 1].astype(int), k),
        "target": np.tile(np.asarray(tasks.TRUTH_TABLES[config.task]), k),
    })
    if config.outputs == 1:
        frame["output"] = out[:, 0]
    else:
        frame["output_true"], frame["output_false"] = out[:, 0], out[:, 1]
    frame["score"] = inspect.score(config, out)
    frame["answer"] = (frame["score"] > 0.5).astype(int)
    frame["correct"] = frame["answer"] == frame["target"]
    return frame


def _check_size(config: TrialConfig, frames_: int, n: int):
    values = frames_ * n * n * (sum(config.layer_sizes[1:-1]) + 1)
    if values > MAX_MAP_VALUES:
        raise ValueError(f"a replay of {frames_} frames on a {n} x {n} grid for this network would hold {values:,} "
                         f"map values (at most {MAX_MAP_VALUES:,}): use fewer frames, a coarser grid or a smaller net")
