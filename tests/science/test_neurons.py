"""The history part of the lecture (lab/science/neurons.py): formal neurons, the perceptron rule, activations."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lab.science import neurons

ALL_TRUTHS = list(itertools.product((0, 1), repeat=4))


# ---- formal neurons ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "function", "outputs"), [
    ("AND", "AND", (0, 0, 0, 1)),
    ("OR", "OR", (0, 1, 1, 1)),
    ("NOT", "not x1", (1, 1, 0, 0)),
    ("NAND", "NAND", (1, 1, 1, 0)),
    ("NOR", "NOR", (1, 0, 0, 0)),
])
def test_presets_realise_their_functions(name, function, outputs):
    neuron = neurons.preset(name)
    assert neuron.outputs == outputs and neuron.function == function and neuron.realises(function)
    assert not neuron.realises("XOR")


def test_not_is_a_one_input_neuron():
    w1, w2, b = neurons.PRESETS["NOT"]
    assert w2 == 0
    neuron = neurons.step_neuron(w1, w2, b)
    for (x1, _), y in zip(neurons.ROWS, neuron.outputs):
        assert y == 1 - x1  # NOT x1 whatever x2
    assert neuron.line == "x1 = 0.5"


def test_the_16_functions_are_named_once_each():
    assert sorted(neurons.FUNCTIONS) == ALL_TRUTHS
    assert len(set(neurons.FUNCTIONS.values())) == 16
    for truth, name in neurons.FUNCTIONS.items():
        assert neurons.truth_of(name) == truth == neurons.truth_of(name.lower()) == neurons.truth_of(list(truth))
        assert neurons.function_name(truth) == name
    for name in ("AND", "OR", "NAND", "NOR", "XOR", "XNOR", "x1", "x2", "not x1", "not x2", "true", "false"):
        assert name in neurons.FUNCTIONS.values()
    with pytest.raises(ValueError):
        neurons.truth_of("implies")
    with pytest.raises(ValueError):
        neurons.truth_of((0, 1, 2, 0))


def _named_rule(name):
    """Each name read as a formula in x1, x2 (python's and / or / not; XOR, ...: the usual gates)."""
    gates = {"AND": "x1 and x2", "OR": "x1 or x2", "NAND": "not (x1 and x2)", "NOR": "not (x1 or x2)",
             "XOR": "x1 != x2", "XNOR": "x1 == x2", "true": "True", "false": "False"}
    return gates.get(name, name)


def test_names_agree_with_the_formulas_they_spell():
    for truth, name in neurons.FUNCTIONS.items():
        rule = _named_rule(name)
        values = tuple(int(bool(eval(rule, {}, {"x1": bool(x1), "x2": bool(x2)}))) for x1, x2 in neurons.ROWS)
        assert values == truth, name


def test_classification_is_consistent_over_a_weight_grid():
    """Every neuron on a grid computes the function it names; the grid reaches the 14 separable functions and never
    XOR or XNOR; each neuron's table agrees with its outputs and the side of its decision line."""
    grid = np.arange(-2.0, 2.01, 0.5)
    seen = set()
    for w1, w2, b in itertools.product(grid, grid, grid):
        neuron = neurons.step_neuron(w1, w2, b)
        assert neurons.FUNCTIONS[neuron.outputs] == neuron.function
        table = neuron.table()
        assert tuple(table["y"]) == neuron.outputs
        assert tuple((table["u"] > 0).astype(int)) == neuron.outputs
        seen.add(neuron.function)
    assert seen == set(neurons.FUNCTIONS.values()) - set(neurons.NOT_SEPARABLE)


def test_decision_line():
    line = neurons.decision_line(1.0, 1.0, -1.5)  # AND: x2 = -x1 + 1.5
    assert line["slope"] == -1 and line["intercept"] == 1.5
    for x1, x2 in line["points"]:
        assert x1 + x2 - 1.5 == pytest.approx(0)
    assert neurons.decision_line(0.0, 0.0, 1.0)["points"] is None
    assert neurons.preset("AND").line == "x2 = -1 x1 + 1.5"


def test_functions_table():
    table = neurons.functions_table()
    assert len(table) == 16 and table["separable"].sum() == 14
    assert set(table.loc[~table["separable"], "function"]) == {"XOR", "XNOR"}
    for row in table[table["separable"]].itertuples():
        assert neurons.step_neuron(row.w1, row.w2, row.b).function == row.function


# ---- the perceptron rule -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("task", ["and", "or", "nand", "nor"])
@pytest.mark.parametrize("order", [(0, 1, 2, 3), (3, 2, 1, 0), (1, 3, 0, 2)])
@pytest.mark.parametrize("lr", [1.0, 0.1])
def test_perceptron_converges_on_separable_tasks_within_novikoffs_bound(task, order, lr):
    result = neurons.perceptron(task, lr=lr, order=order)
    assert result.converged and result.cycle is None
    bound = neurons.mistake_bound(*neurons.PRESETS[task.upper()])
    assert 0 < result.updates <= bound  # AND, NAND: 51; OR, NOR: 27
    neuron = neurons.step_neuron(result.w1, result.w2, result.b)
    assert neuron.realises(task)
    history = result.history
    assert len(history) == result.steps == 4 * result.epochs
    assert history["updated"].sum() == result.updates == len(result.update_history)
    assert (history.tail(4)["updated"] == False).all()  # noqa: E712 (the last epoch: no update)
    assert history.iloc[-1]["table_errors"] == 0
    assert (history["error"] == history["target"] - history["output"]).all()


def test_perceptron_steps_on_and():
    """From zero weights, rows in table order, lr 1: 10 updates over 5 epochs, a 6th without one."""
    result = neurons.perceptron("and")
    assert (result.updates, result.epochs, result.steps) == (10, 6, 24)
    assert (result.w1, result.w2, result.b) == (2.0, 1.0, -2.0)
    first = result.update_history.iloc[0]
    assert (first["epoch"], first["row"], first["w1"], first["w2"], first["b"]) == (1, 3, 1.0, 1.0, 1.0)


@pytest.mark.parametrize("task", ["xor", "xnor"])
@pytest.mark.parametrize("order", [(0, 1, 2, 3), (3, 2, 1, 0), (1, 3, 0, 2)])
@pytest.mark.parametrize("init", [(0.0, 0.0, 0.0), (0.5, -1.5, 2.0)])
def test_perceptron_never_converges_on_xor_and_cycles(task, order, init):
    result = neurons.perceptron(task, order=order, init=init)
    assert not result.converged and result.cycle is not None
    cycle = result.cycle
    assert cycle["length"] >= 1 and cycle["updates"] >= 1 and cycle["steps"] == 4 * cycle["length"]
    assert "never converges" in result.summary() and result.notes
    # the run stopped where the state repeated: continuing shows the same weights every `length` epochs, forever,
    # and no epoch is ever error-free
    long = neurons.perceptron(task, order=order, init=init, max_epochs=60, stop_on_cycle=False)
    assert not long.converged and long.epochs == 60
    ends = long.history.groupby("epoch").last()[["w1", "w2", "b"]]
    first, length = cycle["first_epoch"], cycle["length"]
    for epoch in range(first, 60 - length + 1):
        assert tuple(ends.loc[epoch]) == tuple(ends.loc[epoch + length])
    assert (long.history.groupby("epoch")["updated"].sum() > 0).all()
    assert (long.history["table_errors"] > 0).all()  # never a neuron that computes XOR


def test_xor_cycle_from_zero():
    result = neurons.perceptron("xor")
    assert result.cycle == {"first_epoch": 3, "length": 1, "steps": 4, "updates": 4, "weights": (-1.0, 0.0, 1.0)}
    assert neurons.separating_weights("xor") is None
    assert neurons.mistake_bound(1.0, 1.0, -1.0) == float("inf")  # (1, 1) on the line: no margin


def test_perceptron_checks_its_input():
    with pytest.raises(ValueError):
        neurons.perceptron("and", lr=0)
    with pytest.raises(ValueError):
        neurons.perceptron("and", order=(0, 1, 2))


# ---- activation functions ------------------------------------------------------------------------------------------
def test_activation_table_is_tidy():
    table = neurons.activation_table()
    assert list(table.columns) == ["function", "x", "value", "derivative"]
    assert set(table["function"]) == {"step", "sigmoid", "tanh", "relu"}
    assert len(table) == 4 * 241
    assert table.attrs["max_slope"]["sigmoid"] == 0.25
    sig = table[table["function"] == "sigmoid"]
    peak = sig.loc[sig["derivative"].idxmax()]
    assert peak["x"] == 0 and peak["derivative"] == 0.25 and peak["value"] == 0.5


@pytest.mark.parametrize("name", ["step", "sigmoid", "tanh", "relu", "identity"])
def test_derivatives_match_finite_differences(name):
    x = np.linspace(-6, 6, 241)
    x = x[np.abs(x) > 1e-3]  # step and ReLU have a kink at 0
    h = 1e-5
    numeric = (neurons.activation(name, x + h) - neurons.activation(name, x - h)) / (2 * h)
    np.testing.assert_allclose(neurons.derivative(name, x), numeric, atol=1e-8)
    fine = np.linspace(-6, 6, 12001)
    assert neurons.derivative(name, fine).max() == pytest.approx(neurons.max_slope(name))


def test_sigmoid_slope_and_vanishing_gradient():
    assert neurons.max_slope("sigmoid") == 0.25
    assert neurons.derivative("sigmoid", 0.0) == 0.25
    assert neurons.max_slope("tanh") == neurons.max_slope("relu") == 1.0
    assert neurons.vanishing_factor(0) == 1.0
    assert neurons.vanishing_factor(1) == 0.25
    assert neurons.vanishing_factor(6) == 0.25**6 == pytest.approx(2.44e-4, rel=1e-3)
    with pytest.raises(ValueError):
        neurons.vanishing_factor(-1)
    with pytest.raises(ValueError):
        neurons.max_slope("softplus")
