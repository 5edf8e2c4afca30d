"""Every page's state module (lab.dashboard.<page>.state) keeps the PageState contract (lab.dashboard.shared.params)
and reads a link the same way: a frozen State, its DEFAULT, the widgets' KEYS, PARSERS read by params.read, parse /
to_params / to_widgets / from_widgets."""

from __future__ import annotations

import dataclasses
import types

import pytest

from lab.dashboard.classrun import state as classrun
from lab.dashboard.depth import state as depth
from lab.dashboard.generalization import state as generalization
from lab.dashboard.landscape import state as landscape
from lab.dashboard.lecture import state as lecture
from lab.dashboard.neurons import state as neurons
from lab.dashboard.optimizers import state as optimizers
from lab.dashboard.papers import state as papers
from lab.dashboard.results import state as results
from lab.dashboard.shared import params as url_params
from lab.dashboard.tuning import state as tuning

PAGES = [lecture, optimizers, depth, generalization, tuning, neurons, results, landscape, classrun, papers]
IDS = [page.__name__.rsplit(".", 1)[1] for page in PAGES]
CHANGED = {  # per page, a link that changes several settings (each written back by to_params as given)
    lecture: {"seed": "4", "optimizer": "sgd", "depth": "3"},
    optimizers: {"opts": "sgd,adam", "lr_sgd": "0.5", "logy": "0", "depth": "3", "loss": "bce", "seeds": "5"},
    depth: {"optimizer": "sgd", "depths": "2-5", "depth": "3", "seed": "3", "metric": "stuck_fraction"},
    generalization: {"width": "16", "view": "loss", "cap": "1", "widths": "1,4", "cv": "1", "folds": "4"},
    tuning: {"data": "stream", "width": "4", "seeds": "3", "opts": "sgd", "per_decade": "3", "batches": "2,4",
             "batch_opt": "sgd"},
    neurons: {"w1": "0.5", "task": "xor", "width": "3", "seed": "2"},
    results: {"key": "0123456789abcdef0123"},
    papers: {"paper": "dauphin"},
    landscape: {"opts": "adam,sgd", "seed": "7", "normalize": "1", "depth": "2", "activation": "tanh", "steps": "300"},
    classrun: {"code": "K7MPQ2", "teacher": "s3cret-Teacher_link", "mine": "20240117"},
}


def test_every_page_has_a_changed_link():
    assert set(CHANGED) == set(PAGES)


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_each_page_keeps_the_contract(page):
    assert isinstance(page, url_params.PageState)
    assert page.parse(page.to_params(page.DEFAULT)) == (page.DEFAULT, [])
    assert page.from_widgets(page.to_widgets(page.DEFAULT)) == page.DEFAULT
    assert set(page.to_widgets(page.DEFAULT)) == set(page.KEYS) and set(page.FORM_KEYS) <= set(page.KEYS)
    state, problems = page.parse(CHANGED[page])
    assert not problems and state != page.DEFAULT
    params = page.to_params(state)
    assert params == CHANGED[page] and set(params) <= set(page.PARSERS)
    assert page.parse(params) == (state, [])
    assert page.from_widgets(page.to_widgets(state)) == state
    assert set(page.to_widgets(state)) == set(page.KEYS)


def test_a_module_missing_a_part_breaks_the_contract():
    partial = types.SimpleNamespace(**{name: getattr(lecture, name) for name in ("State", "DEFAULT", "KEYS",
                                                                                 "FORM_KEYS", "PARSERS", "parse",
                                                                                 "to_params", "to_widgets")})
    assert not isinstance(partial, url_params.PageState)
    partial.from_widgets = lecture.from_widgets
    assert isinstance(partial, url_params.PageState)


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


def test_a_config_field_is_named_once_in_its_pages_table():
    table = {f.name: f for f in optimizers.CONFIG}
    loss, encoding = table["loss_fn"], table["encoding"]
    assert (loss.param, loss.key, encoding.param, encoding.key) == ("loss", "cmp.loss", "encoding", "cmp.onehot")
    assert encoding.to_widget("onehot") is True and encoding.from_widget(False) == "scalar"
    assert url_params.field_parsers(optimizers.CONFIG)["loss"]("bce") == "bce"
    assert set(url_params.field_keys(optimizers.CONFIG)) <= set(optimizers.KEYS)
    assert url_params.widget_fields(optimizers.CONFIG, optimizers.to_widgets(optimizers.DEFAULT)) == {
        name: getattr(optimizers.DEFAULT.base, name) for name in optimizers.FIELDS}
