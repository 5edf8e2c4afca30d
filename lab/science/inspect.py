"""Look inside one trained trial: its forward pass, its truth table, its decision map, its network, its log.

Everything reads a trial's flat parameters (`Runs.params[k]`, laid out as `lab.core.layout`) and its config; nothing
here trains. The forward pass is the plain program's: hidden layers use the config's activation, the output layer a
sigmoid, in float32.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from lab.core import layout, truth
from lab.core.config import TrialConfig
from lab.science.digests import every

NUMPY_ACTIVATIONS = {"sigmoid": expit, "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0), "identity": lambda z: z}
LOG_EVERY = 100  # the lecture prints the loss every 100 iterations


def weights(config: TrialConfig, params: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W, b) per layer, W of shape (out, in), from one trial's flat parameter row."""
    flat = np.asarray(params, dtype=np.float32)
    return [(flat[lay.w].reshape(lay.fan_out, lay.fan_in), flat[lay.b]) for lay in layout.layout(config.layer_sizes)]


def forward(config: TrialConfig, params: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """The trained net's outputs (rows, outputs) on input rows (rows, 2)."""
    x = np.asarray(inputs, dtype=np.float32)
    layers = weights(config, params)
    hidden = NUMPY_ACTIVATIONS[config.activation]
    for k, (w, b) in enumerate(layers):
        z = x @ w.T + b
        x = expit(z) if k == len(layers) - 1 else hidden(z)
    return x


def score(config: TrialConfig, outputs: np.ndarray) -> np.ndarray:
    """One number per row in [0, 1], above 0.5 exactly where the net answers "1": the output itself for one output;
    (y_true − y_false + 1) / 2 for the one-hot pair (whose answer is the larger unit)."""
    outputs = np.asarray(outputs, dtype=np.float64)
    if config.outputs == 1:
        return outputs[:, 0]
    return (outputs[:, 0] - outputs[:, 1] + 1) / 2


def decision_grid(config: TrialConfig, params: np.ndarray, n: int = 41) -> pd.DataFrame:
    """The net evaluated on an n × n grid over the input square [0, 1]²: columns x1, x2, score."""
    axis = np.linspace(0.0, 1.0, n)
    x1, x2 = np.meshgrid(axis, axis, indexing="ij")
    inputs = np.column_stack([x1.ravel(), x2.ravel()])
    values = score(config, forward(config, params, inputs))
    return pd.DataFrame({"x1": inputs[:, 0], "x2": inputs[:, 1], "score": values})


def truth_table(config: TrialConfig, table_output: np.ndarray) -> pd.DataFrame:
    """The 4 rows: x1, x2, target, the net's output(s), its answer and whether it is right."""
    inputs = np.asarray(truth.TABLE_ROWS)
    target = np.asarray(truth.TRUTH_TABLES[config.task])
    out = np.asarray(table_output, dtype=np.float64).reshape(4, config.outputs)
    frame = pd.DataFrame({"x1": inputs[:, 0].astype(int), "x2": inputs[:, 1].astype(int), "target": target})
    if config.outputs == 1:
        frame["output"] = out[:, 0]
    else:
        frame["output_true"], frame["output_false"] = out[:, 0], out[:, 1]
    frame["answer"] = (score(config, out) > 0.5).astype(int)
    frame["correct"] = frame["answer"] == frame["target"]
    return frame


def loss_log(losses: np.ndarray, every: int = LOG_EVERY) -> list[str]:
    """The lecture's printout, `i = 0 loss = 0.27076905965805054`: `loss.item()` of a float32 loss is the float32
    value as a Python float, whose repr this is."""
    return [f"i = {i} loss = {float(np.float32(losses[i]))!r}" for i in range(0, len(losses), every)]


def node_names(sizes: tuple[int, ...]) -> list[list[str]]:
    """Display names of every unit, layer by layer: x1 x2 | h1 h2 (h1_1 ... for deeper nets) | y (y1 y2)."""
    depth = len(sizes) - 2
    names = [[f"x{j + 1}" for j in range(sizes[0])]]
    for l in range(1, depth + 1):
        prefix = "h" if depth == 1 else f"h{l}_"
        names.append([f"{prefix}{j + 1}" for j in range(sizes[l])])
    names.append(["y"] if sizes[-1] == 1 else [f"y{j + 1}" for j in range(sizes[-1])])
    return names


def network_layout(config: TrialConfig, params: np.ndarray, label_at: float = 0.3):
    """The net as a drawing: `nodes` (name, layer, x, y, bias) with layer k at x = k and each layer's units centred
    on y = 0 (the first unit on top), and `edges` (source, target, x, y, x2, y2, weight, lx, ly) where (lx, ly) is
    `label_at` of the way from source to target, where an edge's label sits clear of the crossings mid-way."""
    names = node_names(config.layer_sizes)
    layers = weights(config, params)
    nodes = []
    for k, layer_names in enumerate(names):
        biases = layers[k - 1][1] if k else [np.nan] * len(layer_names)
        for j, name in enumerate(layer_names):
            y = (len(layer_names) - 1) / 2 - j
            nodes.append({"name": name, "layer": k, "x": float(k), "y": y, "bias": float(biases[j])})
    nodes = pd.DataFrame(nodes)
    where = nodes.set_index("name")
    edges = []
    for k, (w, _) in enumerate(layers):
        for j, target in enumerate(names[k + 1]):
            for i, source in enumerate(names[k]):
                x, y = where.at[source, "x"], where.at[source, "y"]
                x2, y2 = where.at[target, "x"], where.at[target, "y"]
                edges.append({"source": source, "target": target, "x": x, "y": y, "x2": x2, "y2": y2,
                              "weight": float(w[j, i]), "lx": x + label_at * (x2 - x), "ly": y + label_at * (y2 - y)})
    return nodes, pd.DataFrame(edges)


# ---- one stored trial, as the pages show it --------------------------------------------------------------------------
@dataclass(frozen=True)
class Trial:
    config: TrialConfig
    seed: int
    loss: np.ndarray  # (steps,) minibatch loss, the printed one
    table_loss: np.ndarray  # (steps + 1,)
    table_output: np.ndarray  # (4, outputs)
    params: np.ndarray  # (P,)
    solved: bool
    steps_to_solve: float  # NaN if never

    @property
    def log(self) -> list[str]:
        return loss_log(self.loss)

    def curves(self, minibatch_name: str, table_name: str, points: int = 1000) -> pd.DataFrame:
        """series, step, value: the minibatch loss and the truth-table loss, every k-th step."""
        idx = np.arange(0, len(self.loss), every(len(self.loss), points))
        return pd.concat([
            pd.DataFrame({"series": minibatch_name, "step": idx, "value": self.loss[idx].astype(np.float64)}),
            pd.DataFrame({"series": table_name, "step": idx, "value": self.table_loss[idx].astype(np.float64)}),
        ], ignore_index=True)

    def printed(self) -> pd.DataFrame:
        """step, value of the lines the lecture prints (every 100 iterations)."""
        idx = np.arange(0, len(self.loss), LOG_EVERY)
        return pd.DataFrame({"step": idx, "value": self.loss[idx].astype(np.float64)})


def trial(store, config: TrialConfig, seed: int) -> Trial:
    runs = store.trials(config, [seed])
    return Trial(config, seed, runs.loss[0], runs.table_loss[0], runs.table_output[0], runs.params[0],
                 bool(runs.solved[0]), float(runs.steps_to_solve[0]))
