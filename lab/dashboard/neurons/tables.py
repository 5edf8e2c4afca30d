"""What the neurons page shows, computed from lab.science.neurons: small tidy tables for its charts and tables.

* the formal neuron: the region of the plane where it fires (a polygon-free form Altair can fill: an area between
  the decision line and the view's edge), its corners, and which named functions it realises;
* the perceptron rule: the run on one task (for XOR a few turns of its cycle), the weights after each update, the
  decision line of each update, and every task's outcome side by side;
* the vanishing-gradient bound through d sigmoid layers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lab.science import neurons

VIEW = (-0.5, 1.5)  # the plotted part of the input plane: the unit square with a margin
NAMED = ("AND", "OR", "NAND", "NOR", "XOR", "XNOR", "not x1")  # the functions the page checks by name
TURNS = 3  # turns of the perceptron's cycle shown for XOR


# ---- the formal neuron ---------------------------------------------------------------------------------------------
def firing_region(w1: float, w2: float, b: float, lo: float = VIEW[0], hi: float = VIEW[1]) -> pd.DataFrame:
    """Where w1 x1 + w2 x2 + b > 0 within the view, as an area: columns x, y, y2 (fill between y and y2 at each x;
    the chart clips it to the view). Empty when the neuron never fires."""
    if w2 != 0:  # the line x2 = slope x1 + intercept; fires above it if w2 > 0, else below
        slope, intercept = -w1 / w2, -b / w2
        xs = np.array([lo, hi])
        edge = hi + (hi - lo) * (1 + abs(slope)) if w2 > 0 else lo - (hi - lo) * (1 + abs(slope))
        line = slope * xs + intercept
        return pd.DataFrame({"x": xs, "y": line, "y2": [edge, edge]})
    if w1 != 0:  # vertical line x1 = -b / w1: fires to its right if w1 > 0
        x0 = -b / w1
        xs = [max(x0, lo), hi] if w1 > 0 else [lo, min(x0, hi)]
        if xs[0] >= xs[1]:
            return pd.DataFrame({"x": [], "y": [], "y2": []})
        return pd.DataFrame({"x": xs, "y": [lo, lo], "y2": [hi, hi]})
    if b > 0:  # constant: fires everywhere or nowhere
        return pd.DataFrame({"x": [lo, hi], "y": [lo, lo], "y2": [hi, hi]})
    return pd.DataFrame({"x": [], "y": [], "y2": []})


def line_points(w1: float, w2: float, b: float, lo: float = VIEW[0], hi: float = VIEW[1]) -> pd.DataFrame:
    """Two points of the decision line w1 x1 + w2 x2 + b = 0 (x, y); none when the neuron is constant."""
    points = neurons.decision_line(w1, w2, b, lo, hi)["points"]
    if points is None:
        return pd.DataFrame({"x": [], "y": []})
    return pd.DataFrame({"x": [p[0] for p in points], "y": [p[1] for p in points]})


def equation(w1: float, w2: float, b: float) -> str:
    """The decision line as written on the page: "1 x1 + 1 x2 − 1.5 = 0" (zero terms left out)."""
    terms = [(w1, "x1"), (w2, "x2"), (b, "")]
    text = ""
    for value, name in terms:
        if value == 0:
            continue
        size = f"{abs(value):g}" if (abs(value) != 1 or not name) else ""
        sign = ("−" if value < 0 else "") if not text else (" − " if value < 0 else " + ")
        text += f"{sign}{size}{' ' if size and name else ''}{name}"
    return f"{text or '0'} = 0"


def corners(neuron: neurons.Neuron) -> pd.DataFrame:
    """The 4 truth-table rows: x1, x2, u (the weighted sum), y (the output)."""
    return neuron.table()


def named_functions(neuron: neurons.Neuron) -> list[tuple[str, bool, bool]]:
    """(name, realised by this neuron, realisable by any single neuron) for the functions in `NAMED`, the realised
    one added when it has another name."""
    names = list(NAMED) + ([neuron.function] if neuron.function not in NAMED else [])
    return [(name, neuron.realises(name), name not in neurons.NOT_SEPARABLE) for name in names]


# ---- the perceptron rule -------------------------------------------------------------------------------------------
def perceptron_run(task: str) -> tuple[neurons.PerceptronResult, pd.DataFrame]:
    """The rule on `task` (init 0, lr 1, rows in order) and the presentations to show: all of them when it
    converges; when it cycles, the run continued for `TURNS` turns of the cycle."""
    result = neurons.perceptron(task)
    if result.cycle is None:
        return result, result.history
    epochs = result.cycle["first_epoch"] - 1 + TURNS * result.cycle["length"]
    longer = neurons.perceptron(task, max_epochs=epochs, stop_on_cycle=False)
    return result, longer.history


def updates(history: pd.DataFrame, cycle: dict | None = None) -> pd.DataFrame:
    """One row per weight change, numbered from 1, with update 0 the initial state (0, 0, 0): update, epoch, row,
    x1, x2, target, output, w1, w2, b, repeated (the weights are the cycle's repeating state)."""
    changed = history[history["updated"]]
    start = pd.DataFrame([{"epoch": 0, "row": -1, "x1": -1, "x2": -1, "target": -1, "output": -1, "w1": 0.0,
                           "w2": 0.0, "b": 0.0}])
    frame = pd.concat([start, changed[list(start.columns)]], ignore_index=True)
    frame.insert(0, "update", range(len(frame)))
    state = cycle["weights"] if cycle else None
    frame["repeated"] = [state is not None and np.allclose((r.w1, r.w2, r.b), state) for r in frame.itertuples()]
    return frame


def weights_long(frame: pd.DataFrame) -> pd.DataFrame:
    """update, weight (w1, w2, b), value, repeated: the weights after each update, for a line chart."""
    long = frame.melt(id_vars=["update", "repeated"], value_vars=["w1", "w2", "b"], var_name="weight")
    return long[["update", "weight", "value", "repeated"]]


def update_lines(frame: pd.DataFrame, lo: float = VIEW[0], hi: float = VIEW[1]) -> pd.DataFrame:
    """The decision line after each update (those of a non-constant neuron): update, k (0 or 1: the two ends), x, y,
    age (0 for the latest update, 1 for the oldest)."""
    rows, last = [], max(1, int(frame["update"].max()))
    for r in frame.itertuples():
        points = line_points(r.w1, r.w2, r.b, lo, hi)
        for k, p in enumerate(points.itertuples()):
            rows.append({"update": r.update, "k": k, "x": p.x, "y": p.y, "age": (last - r.update) / last,
                         "w1": r.w1, "w2": r.w2, "b": r.b})
    return pd.DataFrame(rows, columns=["update", "k", "x", "y", "age", "w1", "w2", "b"])


def seed_trials(trials: list[pd.DataFrame], series: list[str]) -> pd.DataFrame:
    """Each width's trials (one row per seed) one under another, with `series`: the width's name."""
    return pd.concat([t.assign(series=s) for t, s in zip(trials, series)], ignore_index=True)


def tasks_summary(tasks=("and", "or", "nand", "nor", "xor")) -> pd.DataFrame:
    """Every task's outcome: task, converged, updates, epochs, cycle_length (updates per turn, as text: "—" when it
    converges), cycle_state ("(w1, w2, b)" that repeats, or "—")."""
    records = []
    for task in tasks:
        r = neurons.perceptron(task)
        records.append({"task": r.task, "converged": r.converged, "updates": r.updates, "epochs": r.epochs,
                        "cycle_length": str(r.cycle["updates"]) if r.cycle else "—",
                        "cycle_state": weights_text(r.cycle["weights"]) if r.cycle else "—"})
    return pd.DataFrame(records)


def weights_text(weights) -> str:
    return "(" + ", ".join(f"{float(v):g}" for v in weights) + ")"


# ---- activations -----------------------------------------------------------------------------------------------------
def vanishing_table(depths=range(1, 9)) -> pd.DataFrame:
    """d, bound ("1/4^d" written out: 1/4, 1/16, ...), factor (0.25**d): the most a gradient keeps through d sigmoid
    layers (weights of size 1)."""
    return pd.DataFrame({"d": list(depths), "bound": [f"1/{4**d:,}" for d in depths],
                         "factor": [neurons.vanishing_factor(d) for d in depths]})
