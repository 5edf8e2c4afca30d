"""The lecture's history part, computed: the formal neuron, the perceptron rule, and the activations that followed.

* McCulloch & Pitts (1943), 形式ニューロン: a weighted sum of 0/1 inputs through a step function,
  `y = step(w1 x1 + w2 x2 + b)` with step(u) = 1 for u > 0, else 0 (the bias b is minus the threshold).
  `step_neuron(w1, w2, b)` gives its outputs on the 4 truth-table rows, which of the 16 two-input boolean functions
  that is (by name: AND, OR, NAND, NOR, 'x1', 'not x2', 'true', ...) and its decision line w1 x1 + w2 x2 + b = 0.
  A single neuron realises 14 of the 16 functions: all but XOR and XNOR, which no line separates.
* Rosenblatt (1958), パーセプトロン: learn w and b from the rows by the error-correction rule
  `w += lr (t - y) x, b += lr (t - y)`. `perceptron(task)` records every presentation; on a linearly separable task
  it converges (Novikoff: at most (R / margin)^2 updates, `mistake_bound`), on XOR (Minsky & Papert, 1969) it never
  does: the weights return to an earlier state and cycle forever; the cycle and its length are reported.
* 1980s networks replaced the step by smooth activations: `activation_table()` gives step / sigmoid / tanh / ReLU /
  identity and their derivatives on a grid. The sigmoid's slope is at most 1/4 (at 0), so the gradient reaching a
  layer through d sigmoid layers shrinks by at least `vanishing_factor(d)` = 0.25**d (weights of size 1 assumed):
  the vanishing gradient behind the lecture's 4段以上のネットワーク stagnation.

Pure numpy (and pandas for the tables): nothing here imports torch or streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ROWS: tuple[tuple[int, int], ...] = ((0, 0), (0, 1), (1, 0), (1, 1))  # the truth table's rows, as in lab.core.tasks

#: The 16 two-input boolean functions by their outputs on ROWS, with their usual names.
FUNCTIONS: dict[tuple[int, int, int, int], str] = {
    (0, 0, 0, 0): "false",
    (0, 0, 0, 1): "AND",
    (0, 0, 1, 0): "x1 and not x2",
    (0, 0, 1, 1): "x1",
    (0, 1, 0, 0): "not x1 and x2",
    (0, 1, 0, 1): "x2",
    (0, 1, 1, 0): "XOR",
    (0, 1, 1, 1): "OR",
    (1, 0, 0, 0): "NOR",
    (1, 0, 0, 1): "XNOR",
    (1, 0, 1, 0): "not x2",
    (1, 0, 1, 1): "x1 or not x2",
    (1, 1, 0, 0): "not x1",
    (1, 1, 0, 1): "not x1 or x2",
    (1, 1, 1, 0): "NAND",
    (1, 1, 1, 1): "true",
}
BY_NAME: dict[str, tuple[int, int, int, int]] = {name.lower(): truth for truth, name in FUNCTIONS.items()}
NOT_SEPARABLE = ("XOR", "XNOR")  # the two functions no single formal neuron realises

#: (w1, w2, b) of classic formal neurons. NOT is a one-input neuron on x1 (w2 = 0: x2 is ignored).
PRESETS: dict[str, tuple[float, float, float]] = {
    "AND": (1.0, 1.0, -1.5),
    "OR": (1.0, 1.0, -0.5),
    "NOT": (-1.0, 0.0, 0.5),
    "NAND": (-1.0, -1.0, 1.5),
    "NOR": (-1.0, -1.0, 0.5),
}


# ---- the formal neuron ---------------------------------------------------------------------------------------------
def step(u):
    """The formal neuron's threshold: 1 where u > 0, else 0 (it fires only above the threshold)."""
    return (np.asarray(u, dtype=float) > 0).astype(float)


def truth_of(task) -> tuple[int, int, int, int]:
    """A function's outputs on ROWS, from its name ('and', 'not x1', ... any case) or the 4 outputs themselves."""
    if isinstance(task, str):
        try:
            return BY_NAME[task.strip().lower()]
        except KeyError:
            raise ValueError(f"unknown function {task!r}; one of {', '.join(FUNCTIONS.values())}") from None
    truth = tuple(int(v) for v in task)
    if len(truth) != 4 or any(v not in (0, 1) for v in truth):
        raise ValueError(f"a truth table is 4 outputs of 0 or 1 on the rows {ROWS} (got {task!r})")
    return truth


def function_name(truth) -> str:
    return FUNCTIONS[truth_of(truth)]


@dataclass(frozen=True)
class Neuron:
    """One formal neuron and what it computes."""

    w1: float
    w2: float
    b: float
    outputs: tuple[int, int, int, int]  # on ROWS
    function: str  # its name among the 16 functions

    def realises(self, task) -> bool:
        return self.outputs == truth_of(task)

    @property
    def line(self) -> str:
        """The decision line w1 x1 + w2 x2 + b = 0 in words (where the neuron switches)."""
        return decision_line(self.w1, self.w2, self.b)["equation"]

    def table(self) -> pd.DataFrame:
        """Rows x1, x2, weighted sum u = w1 x1 + w2 x2 + b, output y."""
        x = np.array(ROWS, dtype=float)
        u = self.w1 * x[:, 0] + self.w2 * x[:, 1] + self.b
        return pd.DataFrame({"x1": x[:, 0].astype(int), "x2": x[:, 1].astype(int), "u": u,
                             "y": np.array(self.outputs)})


def step_neuron(w1: float, w2: float, b: float) -> Neuron:
    """The McCulloch–Pitts neuron y = step(w1 x1 + w2 x2 + b) on the 4 rows, and the function it realises."""
    x = np.array(ROWS, dtype=float)
    outputs = tuple(int(v) for v in step(w1 * x[:, 0] + w2 * x[:, 1] + b))
    return Neuron(float(w1), float(w2), float(b), outputs, FUNCTIONS[outputs])


def preset(name: str) -> Neuron:
    return step_neuron(*PRESETS[name.upper()])


def decision_line(w1: float, w2: float, b: float, lo: float = -0.5, hi: float = 1.5) -> dict:
    """The line w1 x1 + w2 x2 + b = 0: its equation in words and two points on it within [lo, hi] along the free
    axis (for a plot); no line (None points) when w1 = w2 = 0: the neuron is then constant."""
    if w1 == 0 and w2 == 0:
        return {"equation": "none: the neuron is constant", "points": None, "slope": None, "intercept": None}
    if w2 == 0:  # vertical: x1 = -b / w1
        x1 = -b / w1
        return {"equation": f"x1 = {x1:g}", "points": ((x1, lo), (x1, hi)), "slope": None, "intercept": None}
    slope, intercept = -w1 / w2, -b / w2
    return {"equation": f"x2 = {slope:g} x1 + {intercept:g}", "points": ((lo, slope * lo + intercept),
                                                                        (hi, slope * hi + intercept)),
            "slope": slope, "intercept": intercept}


def functions_table() -> pd.DataFrame:
    """The 16 functions: name, outputs on ROWS, and a formal neuron realising it (NaN weights for XOR, XNOR)."""
    records = []
    for truth, name in FUNCTIONS.items():
        weights = separating_weights(truth)
        w1, w2, b = weights if weights is not None else (np.nan, np.nan, np.nan)
        records.append({"function": name, "outputs": "".join(map(str, truth)),
                        "separable": weights is not None, "w1": w1, "w2": w2, "b": b})
    return pd.DataFrame(records)


def separating_weights(task) -> tuple[float, float, float] | None:
    """Weights (w1, w2, b) of a formal neuron realising the function, found by the perceptron rule; None if no
    single neuron does (XOR, XNOR: the rule cycles)."""
    result = perceptron(task, max_epochs=100)
    return (result.w1, result.w2, result.b) if result.converged else None


# ---- Rosenblatt's perceptron rule ----------------------------------------------------------------------------------
@dataclass
class PerceptronResult:
    task: str  # the function's name
    truth: tuple[int, int, int, int]
    lr: float
    converged: bool  # an epoch went by with every row right (no update)
    epochs: int  # epochs run (the last, error-free one included when converged)
    updates: int  # weight changes (mistakes) in all
    w1: float
    w2: float
    b: float
    history: pd.DataFrame  # one row per presentation of a row (see `perceptron`)
    # when the weights came back to an earlier epoch's start: first_epoch, length (epochs), steps (presentations)
    # and updates (weight changes) per turn of the cycle, weights (the state that repeats)
    cycle: dict | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def update_history(self) -> pd.DataFrame:
        """The presentations that changed the weights (one row per update)."""
        return self.history[self.history["updated"]].reset_index(drop=True)

    @property
    def steps(self) -> int:
        """Presentations of a row until convergence (or until the run stopped)."""
        return len(self.history)

    def summary(self) -> str:
        if self.converged:
            return (f"{self.task}: converged after {self.updates} updates ({self.epochs} epochs): w = "
                    f"({self.w1:g}, {self.w2:g}), b = {self.b:g}")
        if self.cycle is not None:
            return (f"{self.task}: never converges: from epoch {self.cycle['first_epoch']} the weights repeat every "
                    f"{self.cycle['length']} epoch(s) ({self.cycle['updates']} updates per cycle)")
        return f"{self.task}: not converged after {self.epochs} epochs ({self.updates} updates)"


def perceptron(task, lr: float = 1.0, max_epochs: int = 1000, init=(0.0, 0.0, 0.0), order=(0, 1, 2, 3),
               stop_on_cycle: bool = True) -> PerceptronResult:
    """Rosenblatt's rule on the 4 rows of a boolean function, presented in `order` (row indices of ROWS) each epoch:
    y = step(w·x + b); w += lr (t - y) x; b += lr (t - y).

    `history` has one row per presentation: step, epoch, row, x1, x2, target, output (before the update), error
    (t - y), updated, w1, w2, b (after the update), table_errors (rows of 4 the neuron gets wrong after it).
    Converged: a whole epoch without an update. The rule is deterministic, so if the weights at the start of an epoch
    equal those at the start of an earlier one, it cycles forever: `cycle` reports it (and the run stops there unless
    `stop_on_cycle` is false). For a linearly separable function with init 0 it converges within `mistake_bound`
    updates; for XOR and XNOR it cycles."""
    truth = truth_of(task)
    if not lr > 0:
        raise ValueError(f"lr must be > 0 (got {lr!r})")
    order = tuple(int(k) for k in order)
    if set(order) != {0, 1, 2, 3}:  # every row each epoch: else an error-free epoch would prove nothing
        raise ValueError(f"order must present each of the rows 0 to 3 (got {order!r})")
    x = np.array(ROWS, dtype=float)
    w = np.array(init[:2], dtype=float)
    b = float(init[2])
    seen: dict[tuple, tuple[int, int]] = {}  # epoch-start state -> (epoch, updates so far)
    records, updates, cycle, converged, epoch = [], 0, None, False, 0
    for epoch in range(1, max_epochs + 1):
        state = _state_key(w, b, lr)
        if state in seen:
            first, before = seen[state]
            cycle = {"first_epoch": first, "length": epoch - first, "steps": (epoch - first) * len(order),
                     "updates": updates - before, "weights": (float(w[0]), float(w[1]), b)}
            if stop_on_cycle:
                epoch -= 1
                break
        else:
            seen[state] = (epoch, updates)
        mistakes = 0
        for k in order:
            y = int(step(w @ x[k] + b))
            error = truth[k] - y
            if error:
                w = w + lr * error * x[k]
                b = b + lr * error
                updates += 1
                mistakes += 1
            wrong = int(np.sum(step(x @ w + b) != np.array(truth)))
            records.append({"step": len(records) + 1, "epoch": epoch, "row": k, "x1": int(x[k, 0]),
                            "x2": int(x[k, 1]), "target": truth[k], "output": y, "error": error,
                            "updated": bool(error), "w1": float(w[0]), "w2": float(w[1]), "b": b,
                            "table_errors": wrong})
        if mistakes == 0:
            converged = True
            break
    columns = ["step", "epoch", "row", "x1", "x2", "target", "output", "error", "updated", "w1", "w2", "b",
               "table_errors"]
    notes = []
    if not converged and truth in (BY_NAME["xor"], BY_NAME["xnor"]):
        notes.append("not linearly separable (Minsky & Papert): no single formal neuron computes it")
    return PerceptronResult(FUNCTIONS[truth], truth, float(lr), converged, epoch, updates, float(w[0]), float(w[1]),
                            b, pd.DataFrame(records, columns=columns), cycle, notes)


def _state_key(w, b, lr) -> tuple:
    """Weights in units of lr, rounded: with init 0 they are whole multiples of lr, so equal states compare equal
    whatever rounding the float sums picked up."""
    return tuple(round(float(v) / lr, 6) for v in (*w, b))


def mistake_bound(w1: float, w2: float, b: float) -> float:
    """Novikoff's bound on the perceptron's updates from init 0 (any lr) for the function the neuron (w1, w2, b)
    realises, if it separates the rows with a margin: (R / γ)^2 with R = max |(x, 1)| = √3 and γ the smallest
    distance of a row to the hyperplane in (x1, x2, 1) space. Infinite if some row lies on the hyperplane."""
    x = np.hstack([np.array(ROWS, dtype=float), np.ones((4, 1))])
    v = np.array([w1, w2, b], dtype=float)
    signs = np.where(step(x[:, :2] @ v[:2] + v[2]) > 0, 1.0, -1.0)
    gamma = float(np.min(signs * (x @ v)) / np.linalg.norm(v)) if np.any(v) else 0.0
    radius_sq = float(np.max(np.sum(x * x, axis=1)))
    return radius_sq / gamma**2 if gamma > 0 else float("inf")


# ---- activation functions ------------------------------------------------------------------------------------------
def _sigmoid(u):
    return 1.0 / (1.0 + np.exp(-u))


ACTIVATIONS = {  # name -> (function, derivative); step and ReLU at 0: the right-continuous / PyTorch conventions
    "step": (step, lambda u: np.zeros_like(u)),  # 0 wherever it is defined (not at 0): nothing for a gradient
    "sigmoid": (_sigmoid, lambda u: _sigmoid(u) * (1.0 - _sigmoid(u))),
    "tanh": (np.tanh, lambda u: 1.0 - np.tanh(u) ** 2),
    "relu": (lambda u: np.maximum(u, 0.0), lambda u: (u > 0).astype(float)),  # relu'(0) = 0, as PyTorch's backward
    "identity": (lambda u: np.asarray(u, dtype=float), lambda u: np.ones_like(u)),
}
MAX_SLOPES = {"step": 0.0, "sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "identity": 1.0}  # all at u = 0 (step: a.e.)


def activation(name: str, u):
    return ACTIVATIONS[name][0](np.asarray(u, dtype=float))


def derivative(name: str, u):
    return ACTIVATIONS[name][1](np.asarray(u, dtype=float))


def activation_table(names=("step", "sigmoid", "tanh", "relu"), lo: float = -6.0, hi: float = 6.0,
                     points: int = 241) -> pd.DataFrame:
    """Tidy: one row per function and grid point, columns function, x, value, derivative. `attrs['max_slope']`
    holds each function's largest slope (the sigmoid's is 1/4, at 0)."""
    x = np.linspace(lo, hi, points)
    frames = [pd.DataFrame({"function": name, "x": x, "value": activation(name, x), "derivative": derivative(name, x)})
              for name in names]
    table = pd.concat(frames, ignore_index=True)
    table.attrs["max_slope"] = {name: max_slope(name) for name in names}
    return table


def max_slope(name: str) -> float:
    """The largest derivative of an activation: sigmoid 1/4 (at 0, where σ = 1/2 and σ' = σ(1 - σ)), tanh 1, ReLU 1,
    step 0 (its derivative is 0 wherever it exists)."""
    try:
        return MAX_SLOPES[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; one of {', '.join(MAX_SLOPES)}") from None


def vanishing_factor(depth: int) -> float:
    """The best case of the factor by which a gradient shrinks through `depth` sigmoid layers: each multiplies it by
    σ'(u) <= 1/4 (times its weights: 1 assumed), so 0.25**depth (6 layers: about 0.00024)."""
    if isinstance(depth, bool) or int(depth) != depth or depth < 0:
        raise ValueError(f"depth must be a whole number >= 0 (got {depth!r})")
    return 0.25 ** int(depth)
