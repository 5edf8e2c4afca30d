"""Every page's state module (lab.dashboard.<page>.state) has the same parts and reads a link the same way: a frozen
State, its DEFAULT, the widgets' KEYS, PARSERS read by params.read, parse / to_params / to_widgets / from_widgets."""

from __future__ import annotations

import dataclasses

import pytest

from lab.dashboard.depth import state as depth
from lab.dashboard.generalization import state as generalization
from lab.dashboard.landscape import state as landscape
from lab.dashboard.lecture import state as lecture
from lab.dashboard.neurons import state as neurons
from lab.dashboard.optimizers import state as optimizers
from lab.dashboard.results import state as results
from lab.dashboard.shared import params as url_params
from lab.dashboard.tuning import state as tuning

PAGES = [lecture, optimizers, depth, generalization, tuning, neurons, results, landscape]
IDS = [page.__name__.rsplit(".", 1)[1] for page in PAGES]


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_each_page_has_the_same_parts(page):
    assert dataclasses.is_dataclass(page.State) and page.State.__dataclass_params__.frozen
    assert page.DEFAULT == page.State()
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(page.DEFAULT, dataclasses.fields(page.State)[0].name, None)
    assert page.parse({}) == (page.DEFAULT, [])
    assert page.to_params(page.DEFAULT) == {}  # defaults are left out of the URL
    widgets = page.to_widgets(page.DEFAULT)
    assert set(widgets) == set(page.KEYS) and set(page.FORM_KEYS) <= set(page.KEYS)
    assert page.from_widgets(widgets) == page.DEFAULT


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_a_repeated_parameter_is_a_problem_not_its_last_value(page):
    for name in page.PARSERS:
        state, problems = page.parse({name: ["1", "2"]})
        assert state == page.DEFAULT
        assert [(p.param, p.value, p.reason) for p in problems] == [(name, f"1&{name}=2", "must be given once")]


def test_a_parameter_given_once_reads_alike_as_text_or_list():
    assert optimizers.parse({"opts": ["sgd"], "seeds": ["5"]}) == optimizers.parse({"opts": "sgd", "seeds": "5"})
    assert optimizers.parse({"opts": "sgd"})[0].optimizers == ("sgd",)


def test_read_converts_each_parameter_alone():
    parsers = {"a": lambda t: url_params.int_param(t, "a", 1, 9), "b": lambda t: url_params.bool_param(t, "b")}
    values, problems = url_params.read({"a": "3", "b": "maybe", "c": "ignored"}, parsers)
    assert values == {"a": 3} and [p.param for p in problems] == ["b"]


def test_url_and_widgets_agree_on_a_changed_state():
    for page, params in ((lecture, {"seed": "4", "optimizer": "sgd"}), (results, {"key": "0123456789abcdef0123"}),
                         (optimizers, {"opts": "sgd,adam", "lr_sgd": "0.5", "logy": "0"}),
                         (landscape, {"opts": "adam,sgd", "seed": "7", "normalize": "1", "depth": "2",
                                      "activation": "tanh", "steps": "300"})):
        state, problems = page.parse(params)
        assert not problems and page.to_params(state) == params
        assert page.from_widgets(page.to_widgets(state)) == state


def test_landscape_state_keeps_to_the_nets_the_page_draws():
    from lab.science import landscape as science_landscape

    assert landscape.MAX_DEPTH == science_landscape.MAX_DEPTH
    state, problems = landscape.parse({"depth": "4", "width": "9", "steps": "5001", "seed": "-1", "normalize": "x"})
    assert state == landscape.DEFAULT and [p.param for p in problems] == ["depth", "width", "steps", "seed",
                                                                         "normalize"]
    state = landscape.parse({"opts": "adam,sgd", "depth": "3"})[0]
    assert [(c.optimizer, c.lr, c.depth) for c in state.configs()] == [("adam", 0.1, 3), ("sgd", 1.0, 3)]
    widgets = {**landscape.to_widgets(landscape.DEFAULT), "land.opts": []}
    assert landscape.from_widgets(widgets).optimizers == landscape.DEFAULT.optimizers  # none chosen: the default set
