"""The generalization page: its pure parts (URL state, the computed sentence, bands, charts, work plan) and the page
itself run headless with AppTest on small configs given by URL parameters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from helpers import DONE, FIRST_VISIT, SHOTS, WIDTHS, charts, ok, open_page, run_page, screenshot
from streamlit.testing.v1 import AppTest

from lab.compute.sweep import stored_runs
from lab.core import data
from lab.dashboard import shell
from lab.dashboard.generalization import charts as generalization_charts
from lab.dashboard.generalization import state as generalization_state
from lab.dashboard.generalization import tables as generalization_view
from lab.dashboard.shared import charts as charts_common
from lab.science import analysis, tuning
from lab.science import digests as science_digests
from lab.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("store_dir")  # an empty store per test (tests/conftest.py)
SMALL = {"steps": "200", "seeds": "3", "width": "4"}  # 3 seeds × 200 steps of a 2×4 net on 20 noisy examples


def t(key, **values):
    return shell.text(key, "en", **values)


# ---- URL state -----------------------------------------------------------------------------------------------------
def test_defaults_are_the_overfit_preset():
    state, problems = generalization_state.parse({})
    assert not problems and state == generalization_state.DEFAULT and generalization_state.to_params(state) == {}
    c = state.config
    assert (c.n_train, c.noise, c.label_flip, c.width, c.depth, c.batch_size, c.optimizer, c.lr, c.steps,
            c.eval_every) == (20, 0.5, 0.1, 32, 2, 5, "adam", 0.01, 4000, 40)


@pytest.mark.parametrize("params", [
    {"steps": "1000"}, {"optimizer": "sgd"}, {"optimizer": "sgd", "lr": "0.3"}, {"preset": "more_data", "lr": "0.02"},
    {"task": "xor", "noise": "0.2", "label_flip": "0", "n_train": "40", "weight_decay": "0.001", "depth": "1"},
    {"cap": "1", "widths": "2,8", "cv": "1", "folds": "4", "cv_seeds": "3", "view": "loss", "seeds": "7"},
])
def test_params_round_trip(params):
    state, problems = generalization_state.parse(params)
    assert not problems
    assert generalization_state.to_params(state) == params
    assert generalization_state.from_widgets(generalization_state.to_widgets(state)) == state


def test_steps_set_the_evaluation_interval():
    state, _ = generalization_state.parse({"steps": "1000"})
    assert state.config.eval_every == 10


BAD = [("steps", "1e9"), ("steps", "-5"), ("width", "0"), ("width", "999"), ("noise", "nan"), ("noise", "3"),
       ("label_flip", "0.5"), ("n_train", "abc"), ("optimizer", "nope"), ("lr", "0"), ("task", "<b>x</b>"),
       ("preset", "huge"), ("seeds", "0"), ("view", "chart"), ("cap", "maybe"), ("widths", "3"),
       ("folds", "3"), ("cv_seeds", "999"), ("weight_decay", "-1"), ("depth", "2.5")]


@pytest.mark.parametrize(("name", "value"), BAD)
def test_bad_params_are_reported_and_replaced(name, value):
    state, problems = generalization_state.parse({name: value, "steps": "300"} if name != "steps" else {name: value})
    assert [p.param for p in problems] == [name]
    assert (
        generalization_state.parse({})[0].config.replace(steps=state.config.steps, eval_every=state.config.eval_every)
        == state.config
    )


def test_a_preset_fills_the_config_fields_only():
    values = generalization_state.preset_widgets("small_net")
    assert values["gen.preset"] == "small_net" and values["gen.width"] == 2 and values["gen.depth"] == 1
    assert "gen.seeds" not in values


def test_capacity_configs_include_the_current_width():
    state = generalization_state.State(widths=(2, 4))
    assert [c.width for c in state.capacity_configs()] == [2, 4, 32]


# ---- texts ---------------------------------------------------------------------------------------------------------
def test_every_text_of_both_pages_exists_in_both_languages():
    import re

    used = set()
    for name in ("generalization", "tuning"):
        used |= set(re.findall(r'tr\("([\w.]+)"', (ROOT / "pages" / f"{name}_page.py").read_text(encoding="utf-8")))
    used |= {f"gen.preset.{p}" for p in generalization_state.GEN_PRESETS} | {
        f"gen.view.{v}" for v in generalization_state.VIEWS
    }
    used |= {f"gen.{part}.{v}" for part in ("y", "curves") for v in generalization_state.VIEWS}
    used |= {f"gen.cap.{m}" for m in analysis.CAPACITY} | {
        f"gen.col.{c}" for c in generalization_view.TABLE_COLUMNS[1:]
    }
    used |= {f"gen.set.{s}" for s in data.SETS} | {"tun.data.finite", "tun.data.stream"}
    used |= {f"tun.m.{m}" for m in ("val_error", "test_error", "final_loss", "final_loss.stream", "success_rate")}
    used |= {f"tun.b.title.{m}" for m in ("loss_noise", "steps", "error")}
    used |= {
        f"tun.b.{m}"
        for m in ("loss_noise", "steps_median", "examples_seen_median", "test_error_final_median", "success_rate")
    }
    missing = sorted(k for k in used if k not in shell.STRINGS)
    assert not missing
    mine = [k for k in shell.STRINGS if k.startswith(("gen.", "tun."))]
    assert all(shell.STRINGS[k][0] and shell.STRINGS[k][1] for k in mine)
    assert all(any(ord(ch) > 0x3000 for ch in shell.STRINGS[k][1]) for k in mine)


# ---- the sentence --------------------------------------------------------------------------------------------------
def test_sentence_reports_overfitting_from_the_data():
    steps = [0, 100, 200, 300, 400]
    s = analysis.story(steps, [0.5, 0.3, 0.1, 0.05, 0.0], [0.5, 0.3, 0.22, 0.25, 0.3], stop_step=210, test_at_stop=0.23)
    assert (s.best_step, s.best_test, s.final_test, s.final_train) == (200, 0.22, 0.3, 0.0) and s.overfits
    text = generalization_view.sentence(s, t)
    for part in ("lowest (22.0%) at iteration 200", "at the end it is 30.0%", "fell to 0.0%", "(210)", "23.0%"):
        assert part in text, text


def test_sentence_says_plainly_when_nothing_overfits():
    s = analysis.story([0, 10, 20], [0.4, 0.2, 0.1], [0.4, 0.25, 0.24], stop_step=20, test_at_stop=0.24)
    assert not s.overfits
    assert generalization_view.sentence(s, t).startswith(
        "No overfitting shows"
    ) and "24.0%" in generalization_view.sentence(s, t)
    tie = analysis.story([0, 10, 20], [0.1, 0.1, 0.1], [0.3, 0.3, 0.3], 0, 0.3)
    assert tie.best_step == 0 and not tie.overfits
    assert "過学習" in generalization_view.sentence(
        analysis.story([0, 1], [0, 0], [0.1, 0.2], 1, 0.2), lambda k, **v: shell.text(k, "ja", **v)
    )


# ---- data, charts and work plan on real (tiny) runs ----------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("store"))
    config = generalization_state.with_eval(generalization_state.preset_config("overfit").replace(width=4, steps=60))
    return store, config, [stored_runs(store, c, range(3)) for c in (config, config.replace(width=2))]


@pytest.mark.slow
def test_digest_bands_and_tables(tiny):
    _, config, runs = tiny
    digests = [science_digests.finite_digest(r) for r in runs]
    bands = digests[0].bands["error"]
    assert set(bands["set"]) == {"train", "val", "test"} and len(bands) == 3 * len(runs[0].evaluations["steps"])
    assert (bands["q25"] <= bands["median"] + 1e-12).all() and (bands["median"] <= bands["q75"] + 1e-12).all()
    assert digests[0].story.final_train == pytest.approx(np.median(runs[0].evaluations["train_error"][:, -1]))
    cap = science_digests.capacity_bands(digests)
    assert len(cap) == 6 and set(cap["measure"]) == set(analysis.CAPACITY)
    summary = generalization_view.summary_table(digests)
    shown = generalization_view.display_table(summary, config)
    assert list(shown.columns) == ["network", *generalization_view.TABLE_COLUMNS] and shown["network"].tolist() == [
        "2×4 ◀",
        "2×2",
    ]


def test_cross_validation_estimate(tiny):
    store, config, runs = tiny
    folds = [stored_runs(store, c, range(2)) for c in tuning.fold_configs(config, 2)]
    cv = tuning.cv_estimate(folds, science_digests.finite_digest(runs[0]).summary)
    assert cv["folds"] == 2 and len(cv["fold_errors"]) == 2
    assert cv["cv_error"] == pytest.approx(np.mean(cv["fold_errors"]))
    assert cv["test_error"] == pytest.approx(np.median(runs[0].evaluations["test_error"][:, -1]))


def test_charts_validate(tiny):
    runs = tiny[2]
    d = science_digests.finite_digest(runs[0])
    names = {"train": "training", "val": "validation", "test": "test"}
    for kind, log in (("error", False), ("loss", True)):
        spec = generalization_charts.curves_chart(
            d.bands[kind],
            names=names,
            x_title="it",
            y_title=kind,
            set_title="set",
            log=log,
            stop_step=20,
            stop_label="stop",
            best=(10, 0.0),
        ).to_dict()
        marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
        assert {"area", "line", "rule", "text", "point"} <= set(marks)
    frame = science_digests.capacity_bands([science_digests.finite_digest(r) for r in runs]).assign(
        series=lambda f: f["measure"]
    )
    spec = charts_common.xy_chart(
        frame,
        x="width",
        y="median",
        series="series",
        x_title="w",
        y_title="e",
        series_title="m",
        x_base=2,
        percent=True,
        band=("q25", "q75"),
    ).to_dict()
    assert spec["layer"][0]["encoding"]["x"]["scale"] == {"type": "log", "base": 2}


# ---- the page ------------------------------------------------------------------------------------------------------
def page(params: dict | None = None) -> AppTest:
    return ok(run_page("generalization", params))


@pytest.mark.slow
def test_page_small_config(downloads):
    at = page(SMALL)
    assert charts(at) == 1 and not [w for w in at.warning if "link" in w.value]
    assert at.number_input(key="gen.steps").value == 200 and at.number_input(key="gen.width").value == 4
    assert at.number_input(key="gen.seeds").value == 3 and at.selectbox(key="gen.preset").value == "overfit"
    (sentence,) = [box.value for box in [*at.warning, *at.info] if "median test error" in box.value]
    assert "%" in sentence
    assert len(at.dataframe[0].value) == 1
    table = downloads(at.get("download_button")[0])
    assert len(table) == 1 and table["n_trials"].tolist() == [3] and table["width"].tolist() == [4]
    for column in (
        "n_train",
        "noise",
        "best_step_median",
        "test_error_best_median",
        "test_error_final_median",
        "train_error_final_median",
        "val_error_final_median",
    ):
        assert column in table.columns
    assert at.query_params["steps"] == "200" and at.query_params["lang"] == "en"
    assert "steps=200" in at.code[-1].value  # the share link


@pytest.mark.slow
def test_page_capacity_and_cross_validation_from_the_url(downloads):
    at = page({**SMALL, "cap": "1", "widths": "2,8", "cv": "1", "folds": "2", "cv_seeds": "2"})
    assert charts(at) == 2
    assert at.dataframe[0].value["network"].tolist() == ["2×2", "2×4 ◀", "2×8"]
    assert len(downloads(at.get("download_button")[0])) == 3
    assert len(at.metric) == 3 and all("%" in m.value for m in at.metric)
    assert at.multiselect(key="gen.widths").value == [2, 8]


@pytest.mark.slow
def test_page_buttons_and_form():
    at = page(SMALL)
    at.button(key="gen.cap_button").click().run()
    ok(at)
    assert charts(at) == 2 and at.query_params["cap"] == "1"
    at.number_input(key="gen.steps").set_value(300)
    at.number_input(key="gen.seeds").set_value(2)
    at.button[0].click().run()  # the form's submit button
    ok(at)
    assert at.query_params["steps"] == "300" and at.query_params["seeds"] == "2"
    st.cache_data.clear()
    again = page({"steps": "300", "seeds": "2", "width": "4"})  # all widths stored: shown without asking
    assert charts(again) == 2


@pytest.mark.slow
def test_page_preset_and_loss_view():
    at = page({"steps": "100", "seeds": "1", "view": "loss", "n_train": "30"})
    assert at.get("segmented_control")[0].value == "loss" and charts(at) == 1
    at.selectbox(key="gen.preset").set_value("small_net").run()
    ok(at)
    assert at.number_input(key="gen.width").value == 2 and at.number_input(key="gen.n_train").value == 20
    assert at.query_params["preset"] == "small_net" and at.query_params["seeds"] == "1"


MALFORMED = [({**SMALL, name: value}, name) for name, value in BAD] + [
    ({**SMALL, "cap": "1", "widths": "1,2,x"}, "widths"),
    ({**SMALL, "lang": "xx"}, "lang"),
    ({**SMALL, "view": ["loss", "error"]}, "view"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("params", "bad"), MALFORMED, ids=[f"{b}={p[b]}" for p, b in MALFORMED])
def test_malformed_links_warn_and_use_defaults(params, bad, shared_store_dir):
    at = page(params)
    warnings = [w.value for w in at.warning if "link" in w.value]
    assert len(warnings) == 1 and f"`{bad}=" in warnings[0], warnings
    assert charts(at) >= 1


# ---- in a real browser (fixtures `browser`, `server`, `warm`: tests/conftest.py) -------------------------------------

BROWSER_CASES = [(lang, width) for lang in ("en", "ja") for width in WIDTHS]


@pytest.mark.browser
@pytest.mark.parametrize(("lang", "width"), BROWSER_CASES, ids=[f"{lang}-{w}" for lang, w in BROWSER_CASES])
def test_page_in_a_browser(browser, server, warm, lang, width):
    """The overfitting view with a capacity sweep and a cross-validation, smaller than the defaults so that the first
    case computes them in seconds (the page draws any sizes alike)."""
    query = f"seeds=5&cap=1&widths=1,4,16&cv=1&folds=4&cv_seeds=2&lang={lang}"
    context, view = open_page(browser, f"{server}/generalization?{query}", WIDTHS[width], lang, timeout=FIRST_VISIT)
    try:
        assert view.locator("[data-testid='stException']").count() == 0
        view.wait_for_function(  # the charts, and the cross-validation's three numbers under them
            "document.querySelectorAll(\"[data-testid='stVegaLiteChart'] canvas, "
            "[data-testid='stVegaLiteChart'] svg\").length >= 2 && "
            "document.querySelectorAll(\"[data-testid='stMetric']\").length >= 3",
            timeout=60_000,
        )
        view.wait_for_selector(DONE, timeout=60_000)
        assert view.locator("[data-testid='stMetric']").count() == 3
        assert view.locator("[data-testid='stAlertContentWarning']").count() == 1  # the sentence: it overfits
        heading = view.locator("h1").first.inner_text()
        assert (lang == "ja") == any(ord(ch) > 0x3000 for ch in heading), heading
        screenshot(view, WIDTHS[width], SHOTS / f"gen-{lang}-{width}.png")
    finally:
        context.close()


@pytest.mark.browser
def test_bad_link_in_a_browser(browser, server, warm):
    query = "seeds=5&width=0&steps=abc&lang=en"
    context, view = open_page(browser, f"{server}/generalization?{query}", WIDTHS["phone"], "en",
                              timeout=FIRST_VISIT)
    try:
        warning = view.locator("[data-testid='stAlertContentWarning']").first.inner_text()
        assert "width=0" in warning and "steps=abc" in warning
        assert view.locator("[data-testid='stException']").count() == 0
        screenshot(view, WIDTHS["phone"], SHOTS / "gen-bad-url-en-phone.png")
    finally:
        context.close()
