"""The neurons page (AppTest: charts, URL in and out, presets, hostile links, the XOR network's script) and the
optimizers page's script download; the pure parts behind them (URL state, views, charts, texts)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import SHOTS, WIDTHS, charts, ok, open_page, run_page, screenshot, slider_param
from streamlit.testing.v1 import AppTest

from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.dashboard import shell
from lab.dashboard.neurons import charts as charts_neurons
from lab.dashboard.neurons import state as ns
from lab.dashboard.neurons import tables as nv
from lab.dashboard.shared import params as url_params
from lab.science import neurons

ROOT = Path(__file__).resolve().parents[2]
# one store for the module (the XOR seeds are trained once), no host limit, empty caches per test (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("shared_store_dir")


@pytest.fixture
def files(download_bytes):
    """A download button's data as text."""
    return lambda button: download_bytes(button).decode()


def page(params: dict | None = None, name: str = "neurons") -> AppTest:
    return ok(run_page(name, params))


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


# ---- the page ------------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_page_draws_every_section(files):
    at = page()
    assert charts(at) >= 8  # neuron, weights, lines, XOR map, seeds, the XOR trial's replay, activations, derivatives
    replay = slider_param(at, "xor_frame")  # the shown trial's replay: 1,000 iterations in 40 steps of 25
    assert replay["value"] == replay["bind"]["max"] == 40
    assert shell.text("neu.mlp.replay", "en", w=2, seed=1) in [m.value.strip("*") for m in at.markdown]
    assert not at.warning and not at.error
    assert metric(at, "This neuron computes") == "AND" and metric(at, "Converges") == "yes"
    counts = next(m.value for m in at.markdown if m.value.startswith("- 2-2-1"))
    k2, k3 = (int(train(TrialConfig(task="xor", width=w), range(20)).solved.sum()) for w in (2, 3))
    assert f"**{k2} of 20**" in counts and f"**{k3} of 20**" in counts and k3 > k2
    script = files(at.get("download_button")[0])
    assert "optim.Adam" in script and "nn.Linear(2, 2)" in script and "torch.manual_seed(1)" in script
    assert "inputs[j, 0] != inputs[j, 1]" in script  # XOR
    assert dict(at.query_params) == {"lang": "en"} and "lang" not in at.code[-1].value


@pytest.mark.slow
def test_url_sets_the_widgets():
    at = page({"w1": "-1", "w2": "0.5", "b": "0.3", "task": "xor", "width": "3", "seed": "4"})
    assert (at.slider(key="neu.w1").value, at.slider(key="neu.w2").value, at.slider(key="neu.b").value) == \
        (-1.0, 0.5, 0.3)
    groups = {g.key: g.value for g in at.get("button_group")}
    assert groups["neu.task"] == "xor" and groups["neu.width"] == 3
    assert at.number_input(key="neu.seed").value == 4
    assert metric(at, "This neuron computes") == neurons.step_neuron(-1, 0.5, 0.3).function.replace("not", "NOT")
    assert metric(at, "Converges") == "never" and metric(at, "Updates per cycle") == "4"
    assert any("(-1, 0, 1)" in info.value for info in at.info)  # (the first is the page's hint)
    assert not at.warning and at.query_params["seed"] == "4" and at.query_params["task"] == "xor"


@pytest.mark.slow
@pytest.mark.parametrize("name", list(neurons.PRESETS))
def test_preset_buttons_change_the_function(name):
    at = page({"w1": "0", "w2": "0", "b": "0"})
    assert metric(at, "This neuron computes") == "always 0"
    ok(at.button(key=f"neu.preset.{name}").click().run())
    expected = {"NOT": "NOT x1"}.get(name, name)
    assert metric(at, "This neuron computes") == expected
    w1, w2, b = neurons.PRESETS[name]
    assert at.slider(key="neu.w1").value == w1 and at.slider(key="neu.b").value == b
    shown = {k: v for k, v in at.query_params.items() if k in ns.WEIGHTS}
    assert shown == ns.to_params(ns.State(w1=w1, w2=w2, b=b))  # defaults (the AND neuron) left out


@pytest.mark.slow
def test_widgets_write_the_url_and_the_share_link():
    at = page()
    at.slider(key="neu.w2").set_value(-0.7)
    at.slider(key="neu.b").set_value(-0.5).run()
    ok(at)
    assert at.query_params["w2"] == "-0.7" and at.query_params["b"] == "-0.5"
    assert metric(at, "This neuron computes") == "x1 AND NOT x2"
    assert "w2=-0.7" in at.code[-1].value and "b=-0.5" in at.code[-1].value


MALFORMED = [
    {"w1": "abc"}, {"w1": "nan"}, {"w2": "inf"}, {"b": "4"}, {"b": "-1e9"}, {"task": "xnor"},
    {"task": "<script>alert(1)</script>"}, {"width": "5"}, {"width": "two"}, {"seed": "-1"},
    {"seed": "99999999999999999999"}, {"w1": "`rm -rf`" * 20}, {"lang": "xx"},
    {"w1": "", "w2": "1,5", "b": "0x10", "task": "", "width": "2.0", "seed": "1.5"},
    {"w1": ["1", "1"], "task": ["or", "xor"]},
]


@pytest.mark.slow
@pytest.mark.parametrize("params", MALFORMED, ids=["&".join(p) for p in MALFORMED])
def test_malformed_links_warn_and_use_defaults(params):
    at = page(params)
    assert len(at.warning) == 1
    assert all(f"`{key}=" in at.warning[0].value for key in params)
    assert charts(at) >= 7
    good = {k: v for k, v in ns.to_params(ns.DEFAULT).items()}
    assert {k: v for k, v in at.query_params.items() if k != "lang"} == good
    assert metric(at, "This neuron computes") == "AND"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_headings_follow_the_language(lang):
    at = page({"lang": lang})
    for heading in [*at.title, *at.subheader]:
        assert any(ord(ch) > 0x3000 for ch in heading.value) == (lang == "ja"), heading.value


def test_optimizers_page_downloads_a_script(files):
    at = page({"steps": "50", "seeds": "2", "opts": "adam,sgd"}, name="optimizers")
    tables = len(at.get("download_button"))  # the tables' files; the script's button waits for a choice
    at.selectbox(key="cmp.script").set_value("sgd")
    at.number_input(key="cmp.script_seed").set_value(3)
    ok(at.run())
    assert len(at.get("download_button")) == tables + 1
    (button,) = [b for b in at.get("download_button") if b.proto.url.endswith(".py")]
    script = files(button)
    assert "optim.SGD(model.parameters(), lr=1.0)" in script and "torch.manual_seed(3)" in script
    assert "for i in range(50):" in script


# ---- URL state -----------------------------------------------------------------------------------------------------
def test_state_round_trip():
    state = ns.State(w1=-2.5, w2=0.0, b=1.2, task="nor", width=3, seed=7)
    params = ns.to_params(state)
    assert params == {"w1": "-2.5", "w2": "0", "b": "1.2", "task": "nor", "width": "3", "seed": "7"}
    assert ns.parse(params) == (state, [])
    assert ns.to_params(ns.DEFAULT) == {} and ns.parse({}) == (ns.DEFAULT, [])
    assert ns.from_widgets(ns.to_widgets(state)) == state


def test_state_parse_rounds_and_reports():
    state, problems = ns.parse({"w1": " 0.26 ", "w2": "-0.04", "b": "3", "task": "XOR"})
    assert (state.w1, state.w2, state.b, state.task) == (0.3, 0.0, 3.0, "xor") and not problems
    assert str(state.w2) == "0.0"  # never -0.0
    state, problems = ns.parse({"w1": "3.01", "width": "1", "seed": "x", "task": "and;drop"})
    assert state == ns.DEFAULT and [p.param for p in problems] == ["w1", "task", "width", "seed"]
    assert all(p.reason for p in problems)


def test_initial_values_only_on_the_first_run():
    values, problems = url_params.initial_values(ns, {}, {"w1": "bad", "seed": "5"})
    assert values["neu.seed"] == 5 and values["neu.w1"] == ns.DEFAULT.w1 and len(problems) == 1
    present = dict.fromkeys(ns.KEYS, 0)
    assert url_params.initial_values(ns, present, {"w1": "bad"}) == ({}, [])
    assert ns.preset_widgets((1.0, -1.0, 0.5)) == {"neu.w1": 1.0, "neu.w2": -1.0, "neu.b": 0.5}


# ---- views ---------------------------------------------------------------------------------------------------------
def _inside(region: pd.DataFrame, x: float, y: float) -> bool:
    if region.empty or not region["x"].min() <= x <= region["x"].max():
        return False
    lo_edge = np.interp(x, region["x"], region["y"])
    hi_edge = np.interp(x, region["x"], region["y2"])
    return min(lo_edge, hi_edge) <= y <= max(lo_edge, hi_edge)


@pytest.mark.parametrize("weights", [(1, 1, -1.5), (-1, 0, 0.5), (1, 0, -0.5), (0, 2, -1), (0, -1, 0.5),
                                     (0, 0, 1), (0, 0, -1), (2.5, -1.3, 0.2), (-0.4, 2.9, -3), (3, 3, 3)])
def test_firing_region_is_where_the_neuron_fires(weights):
    w1, w2, b = weights
    region = nv.firing_region(w1, w2, b)
    grid = np.linspace(-0.45, 1.45, 23)
    for x in grid:
        for y in grid:
            u = w1 * x + w2 * y + b
            if abs(u) > 1e-6:
                assert _inside(region, x, y) == (u > 0), (x, y, u)


def test_line_points_and_equation():
    assert nv.line_points(0, 0, 1).empty
    points = nv.line_points(1, 1, -1.5)
    assert np.allclose(points["x"] + points["y"], 1.5)
    assert nv.equation(1, 1, -1.5) == "x1 + x2 − 1.5 = 0" and nv.equation(-1, 0, 0.5) == "−x1 + 0.5 = 0"
    assert nv.equation(2.5, -1, 0) == "2.5 x1 − x2 = 0"


def test_named_functions():
    named = {n: (done, ok) for n, done, ok in nv.named_functions(neurons.preset("NAND"))}
    assert named["NAND"] == (True, True) and named["AND"] == (False, True) and named["XOR"] == (False, False)
    extra = nv.named_functions(neurons.step_neuron(0, 1, -0.5))  # x2: not in NAMED, added
    assert extra[-1] == ("x2", True, True)


def test_perceptron_views_on_and_and_xor():
    result, history = nv.perceptron_run("and")
    steps = nv.updates(history, result.cycle)
    assert result.converged and len(steps) == result.updates + 1 and not steps["repeated"].any()
    assert tuple(steps.iloc[-1][["w1", "w2", "b"]]) == (result.w1, result.w2, result.b)
    result, history = nv.perceptron_run("xor")
    cycle = result.cycle
    steps = nv.updates(history, cycle)
    assert cycle["weights"] == (-1.0, 0.0, 1.0) and cycle["updates"] == 4
    turns = steps.index[steps["repeated"]].tolist()
    assert len(turns) == nv.TURNS + 1 and set(np.diff(turns)) == {cycle["updates"]}
    long = nv.weights_long(steps)
    assert len(long) == 3 * len(steps) and set(long["weight"]) == {"w1", "w2", "b"}
    lines = nv.update_lines(steps)
    assert set(lines["update"]) == set(range(1, len(steps))) and lines["age"].between(0, 1).all()
    assert lines.groupby("update").size().eq(2).all()


def test_tasks_summary_and_vanishing_table():
    table = nv.tasks_summary().set_index("task")
    assert table.loc[["AND", "OR", "NAND", "NOR"], "converged"].all() and not table.loc["XOR", "converged"]
    assert table.loc["XOR", "cycle_state"] == "(-1, 0, 1)" and table.loc["XOR", "cycle_length"] == "4"
    vanishing = nv.vanishing_table()
    assert list(vanishing["d"]) == list(range(1, 9)) and vanishing["bound"].iloc[-1] == "1/65,536"
    assert np.allclose(vanishing["factor"], 0.25 ** vanishing["d"])


# ---- charts and texts ----------------------------------------------------------------------------------------------
def test_charts_build():
    neuron = neurons.preset("OR")
    specs = [charts_neurons.neuron_chart(nv.firing_region(1, 1, -0.5), nv.line_points(1, 1, -0.5), neuron.table(),
                                         output_title="y", sum_title="u"),
             charts_neurons.neuron_chart(nv.firing_region(0, 0, -1), nv.line_points(0, 0, -1), neuron.table(),
                                         output_title="y", sum_title="u")]
    result, history = nv.perceptron_run("xor")
    steps = nv.updates(history, result.cycle)
    targets = pd.DataFrame(neurons.ROWS, columns=["x1", "x2"]).assign(target=result.truth)
    specs.append(charts_neurons.weights_chart(nv.weights_long(steps), x_title="u", y_title="v", series_title="w",
                                              repeated_title="r"))
    specs.append(charts_neurons.lines_chart(nv.update_lines(steps), nv.firing_region(-1, 0, 1), targets,
                                            target_title="t", update_title="u"))
    table = neurons.activation_table()
    names = {n: n for n in ("step", "sigmoid", "tanh", "relu")}
    specs.append(charts_neurons.activation_chart(table, "derivative", x_title="u", y_title="d", series_title="f",
                                                 names=names, note="1/4"))
    trials = pd.DataFrame({"series": ["a", "a", "b", "b"], "seed": [0, 1, 0, 1], "solved": [True, False, True, True],
                           "steps_to_solve": [10.0, np.nan, 5.0, 7.0]})
    specs.append(charts_neurons.seeds_chart(trials, x_title="s", y_title="n", status_title="x", chosen=(1, 0),
                                            statuses={True: "yes", False: "no"}))
    for chart in specs:
        assert chart.to_dict()["layer"]
    assert "1/4" in str(specs[4].to_dict())


def test_texts_in_both_languages():
    keys = [k for k in shell.STRINGS if k.startswith(("neu.", "exp."))]
    assert len(keys) > 60
    for key in keys:
        en, ja = shell.STRINGS[key]
        assert en and ja, key
    assert all(f"neu.fn.{name}" in shell.STRINGS for name in neurons.FUNCTIONS.values())


# ---- in a real browser (Debian's chromium; fixtures in tests/conftest.py, helpers in tests/helpers.py) -------------
BROWSER_CASES = [("en", "desktop", ""), ("en", "phone", ""), ("ja", "desktop", ""), ("ja", "phone", ""),
                 ("en", "phone", "w1=abc&task=xnor&seed=-1"), ("en", "desktop", "w1=-1&w2=1&b=0.5&task=xor&width=3")]


@pytest.mark.browser
@pytest.mark.parametrize(("lang", "width_name", "query"), BROWSER_CASES,
                         ids=[f"{c[0]}-{c[1]}{'-' + c[2].split('=')[0] if c[2] else ''}" for c in BROWSER_CASES])
def test_page_in_a_browser(browser_page, lang, width_name, query):
    page = browser_page(f"/neurons?{query}{'&' if query else ''}lang={lang}", WIDTHS[width_name], lang)
    page.wait_for_function("document.querySelectorAll(\"[data-testid='stVegaLiteChart'] canvas, "
                           "[data-testid='stVegaLiteChart'] svg\").length >= 7", timeout=60_000)
    assert page.locator("[data-testid='stException']").count() == 0
    warnings = page.locator("[data-testid='stAlertContentWarning']")
    assert warnings.count() == (1 if "abc" in query else 0)
    if "abc" in query:
        assert all(f"{k}=" in warnings.first.inner_text() for k in ("w1", "task", "seed"))
    heading = page.locator("h1").first.inner_text()
    assert any(ord(ch) > 0x3000 for ch in heading) == (lang == "ja"), heading
    suffix = "-bad-url" if "abc" in query else "-xor" if "xor" in query else ""
    screenshot(page, WIDTHS[width_name], SHOTS / f"neurons-{lang}-{width_name}{suffix}.png")


@pytest.mark.browser
def test_preset_click_and_script_download_in_a_browser(browser_page):
    page = browser_page("/neurons?lang=en", 1280, "en")
    page.get_by_role("button", name="NOR", exact=True).click()
    page.wait_for_function("() => location.search.includes('b=0.5')", timeout=30_000)
    assert "w1=-1" in page.url and "w2=-1" in page.url
    page.wait_for_selector("[data-testid='stMetricValue']:has-text('NOR')", timeout=30_000)
    page = browser_page("/optimizers?steps=50&seeds=2&opts=adam,sgd&lang=en", 1280, "en")
    page.wait_for_function("document.querySelectorAll(\"[data-testid='stVegaLiteChart']\").length >= 4",
                           timeout=60_000)
    choice = page.get_by_role("combobox", name="PyTorch script of")
    choice.click()
    choice.fill("SGD")
    page.locator("[role=option]", has_text="SGD (lr 1)").click()
    button = page.get_by_role("button", name="Download as a PyTorch script")
    button.wait_for(timeout=30_000)
    with page.expect_download() as download:
        button.click()
    text = Path(download.value.path()).read_text()
    assert "optim.SGD(model.parameters(), lr=1.0)" in text and download.value.suggested_filename.endswith(".py")
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, 1280, SHOTS / "optimizers-script-en-desktop.png")


@pytest.fixture
def browser_page(server, browser):
    """Opens a path of the app in a fresh browser context; closes every context at the end of the test. The entry
    page is opened first: until the entry point has run once, a fresh server serves /neurons as a bare pages/ file
    (no navigation, no language switch, no wide layout)."""
    context, _ = open_page(browser, f"{server}/?steps=20&lang=en", 1280, "en")
    contexts = [context]

    def open_path(path: str, width: int, lang: str):
        context, page = open_page(browser, f"{server}{path}", width, lang)
        contexts.append(context)
        return page

    yield open_path
    for context in contexts:
        context.close()
