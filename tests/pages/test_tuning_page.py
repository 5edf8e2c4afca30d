"""The tuning page (learning rate and batch size): its URL state and tables, and the page itself run headless with
AppTest on small grids given by URL parameters, on finite data and on the lecture's stream."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import FIRST_VISIT, SHOTS, WIDTHS, charts, ok, open_page, run_page, screenshot
from streamlit.testing.v1 import AppTest

from lab.compute.sweep import stored_runs
from lab.core.optimizers import LECTURE_OPTIMIZERS
from lab.dashboard.shared import charts as charts_common
from lab.dashboard.tuning import state as ts
from lab.dashboard.tuning import tables as gen_tuning
from lab.science import tuning
from lab.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("store_dir")  # an empty store per test (tests/conftest.py)
SMALL = {"steps": "100", "seeds": "2", "opts": "adam,sgd", "per_decade": "1", "batches": "4,8"}


# ---- URL state -----------------------------------------------------------------------------------------------------
def test_defaults():
    state, problems = ts.parse({})
    assert not problems and state == ts.DEFAULT and ts.to_params(state) == {}
    base = state.base
    assert (base.n_train, base.noise, base.label_flip, base.width, base.steps) == (64, 0.4, 0.05, 8, 500)
    assert state.optimizers == LECTURE_OPTIMIZERS and state.grid[0] == 1e-4 and state.grid[-1] == 10.0
    assert len(state.grid) == 11
    assert len(state.lr_configs()) == 6 * 11 + 2  # momentum's and adagrad's default 0.5 is off the grid


@pytest.mark.parametrize("params", [
    SMALL, {"data": "stream", "width": "2"}, {"n_train": "100", "noise": "0.2", "label_flip": "0", "task": "or"},
    {"batch_opt": "sgd", "batches": "1,64", "depth": "2", "per_decade": "3"},
])
def test_params_round_trip(params):
    state, problems = ts.parse(params)
    assert not problems and ts.to_params(state) == params
    assert ts.from_widgets(ts.to_widgets(state)) == state


def test_stream_drops_the_data_and_keeps_every_batch_size():
    state, _ = ts.parse({"data": "stream", "batches": "64", "n_train": "30"})
    assert not state.base.finite and state.usable_batches() == (64,)
    assert ts.to_params(state) == {"data": "stream", "batches": "64"}  # n_train is not used on the stream
    finite, _ = ts.parse({"batches": "32,64", "n_train": "40"})
    assert finite.usable_batches() == (32,) and [c.batch_size for c in finite.batch_configs()] == [32]
    assert all(c.optimizer == "adam" and c.lr == 0.1 for c in finite.batch_configs())


BAD = [("data", "both"), ("opts", "adam,nope"), ("opts", ""), ("per_decade", "0"), ("per_decade", "1.5"),
       ("batches", "3"), ("batches", "1,,x"), ("batch_opt", "lbfgs"), ("steps", "1e9"), ("seeds", "101"),
       ("n_train", "5"), ("noise", "inf"), ("label_flip", "-0.1"), ("width", "0"), ("task", "'; drop")]


@pytest.mark.parametrize(("name", "value"), BAD)
def test_bad_params_are_reported(name, value):
    state, problems = ts.parse({name: value})
    assert [p.param for p in problems] == [name]
    assert ts.to_params(state) == {}


# ---- tables on real (tiny) runs ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("store"))
    state, _ = ts.parse({**SMALL, "steps": "60"})
    lr_runs = [stored_runs(store, c, range(2)) for c in state.lr_configs()]
    batch_runs = [stored_runs(store, c, range(2)) for c in state.batch_configs()]
    return state, lr_runs, batch_runs


def test_lr_tables(grid):
    state, lr_runs, _ = grid
    table = tuning.lr_table(lr_runs)
    assert len(table) == 2 * len(state.grid)  # both defaults (0.1, 1) lie on the grid
    frame = gen_tuning.lr_frame(table)
    assert set(gen_tuning.FINITE_METRICS) <= set(frame.columns)
    best = gen_tuning.best_table(table)
    assert set(best["chosen_on"]) == {"val_error_final_median"} and "best_test_error" in best
    picked = gen_tuning.chosen(frame, best)
    assert len(picked) == 2 and set(picked["optimizer"]) == {"adam", "sgd"}
    for _, row in best.iterrows():  # chosen: the lowest validation error of its optimizer
        mine = table[table["optimizer"] == row["optimizer"]]
        assert row["best_score"] == mine["val_error_final_median"].min()
    assert gen_tuning.best_table(table, ["sgd", "adam"])["optimizer"].tolist() == ["sgd", "adam"]
    shown = gen_tuning.best_display(best)
    assert shown["optimizer"].tolist() == ["Adam", "SGD"] and "default_test_error" in shown
    spec = charts_common.xy_chart(frame, x="lr", y="final_loss", series="series", x_title="lr", y_title="loss",
                               series_title="opt", y_log=True, marks=picked, rings=frame[frame["lr_is_default"]])
    layers = spec.to_dict()["layer"]
    assert layers[0]["encoding"]["x"]["scale"]["type"] == "log" and len(layers) == 3


def test_final_loss_is_the_training_loss_on_finite_data(grid):
    runs = grid[1][0]
    assert tuning.final_loss(runs) == pytest.approx(float(pd.Series(runs.evaluations["train_loss"][:, -1])
                                                              .median()))


def test_a_rate_chosen_at_the_grid_edge_is_flagged():
    best = pd.DataFrame({"optimizer": ["sgd", "adam", "adadelta"], "best_lr": [10.0, 0.1, 1e-4]})
    assert gen_tuning.at_edge(best, [1e-4, 1e-3, 0.1, 10.0]) == {"low": ["Adadelta"], "high": ["SGD"]}
    assert gen_tuning.at_edge(best.iloc[1:2], [1e-4, 0.1, 10.0]) == {"low": [], "high": []}


def test_batch_tables(grid):
    batch = tuning.batch_size_effect(grid[2])
    assert batch["batch_size"].tolist() == [4, 8] and "test_error_final_median" in batch
    steps = gen_tuning.batch_frame(batch, "steps")
    assert set(steps["measure"]) <= {"steps_median", "examples_seen_median"}
    assert gen_tuning.batch_frame(batch, "error")["measure"].unique().tolist() == ["test_error_final_median"]


# ---- the page ------------------------------------------------------------------------------------------------------
def page(params: dict | None = None) -> AppTest:
    return ok(run_page("tuning", params))


@pytest.mark.slow
def test_page_finite_grid(downloads, store_dir):
    at = page(SMALL)
    assert charts(at) == 4 + 3 and not at.warning
    assert at.multiselect(key="tun.opts").value == ["adam", "sgd"] and at.selectbox(key="tun.per_decade").value == 1
    assert at.number_input(key="tun.steps").value == 100 and at.multiselect(key="tun.batches").value == [4, 8]
    assert at.dataframe[0].value["optimizer"].tolist() == ["Adam", "SGD"]
    best, whole, batch = (downloads(b) for b in at.get("download_button"))
    assert len(best) == 2 and set(best["chosen_on"]) == {"val_error_final_median"}
    for column in ("optimizer", "best_lr", "best_score", "best_test_error", "default_lr", "default_test_error"):
        assert column in best.columns
    assert len(whole) == 12 and {"lr", "lr_is_default", "val_error_final_median", "test_error_final_median",
                                 "final_loss", "success_rate"} <= set(whole.columns)
    assert batch["batch_size"].tolist() == [4, 8] and "loss_noise" in batch.columns
    assert len(Store(store_dir).entries()) == 12 + 2  # stored config by config
    assert at.query_params["opts"] == "adam,sgd" and "per_decade=1" in at.code[-1].value
    top = best["lr"].max() if "lr" in best else whole["lr"].max()
    at_top = [label for name, label in (("adam", "Adam"), ("sgd", "SGD"))
              if best.loc[best["optimizer"] == name, "best_lr"].iloc[0] == top]
    hints = [i.value for i in at.info if "largest tried" in i.value]
    assert hints == ([f"{', '.join(at_top)}: the rate chosen is the largest tried ({top:g}); a larger rate may do "
                      "better. The grid stops there."] if at_top else [])


def test_page_stream(downloads):
    at = page({**SMALL, "data": "stream"})
    assert charts(at) == 2 + 3
    assert any("no held-out data" in i.value for i in at.info)
    best = downloads(at.get("download_button")[0])
    assert set(best["chosen_on"]) == {"final_loss_median"} and "best_test_error" not in best.columns
    assert at.number_input(key="tun.n_train").proto.disabled


@pytest.mark.slow
def test_page_form_and_empty_choice():
    at = page(SMALL)
    at.multiselect(key="tun.opts").set_value(["rmsprop"])
    at.multiselect(key="tun.batches").set_value([2, 64])
    at.number_input(key="tun.n_train").set_value(40)
    at.button[0].click().run()  # the form's submit button
    ok(at)
    assert at.query_params["opts"] == "rmsprop" and at.query_params["batches"] == "2,64"
    assert any("sizes 64, larger than the 40" in i.value for i in at.info)  # left out: larger than the data
    assert at.dataframe[0].value["optimizer"].tolist() == ["RMSprop"]
    at.multiselect(key="tun.opts").set_value([])
    at.button[0].click().run()
    ok(at)
    assert charts(at) == 0 and any("at least one" in i.value for i in at.info)


MALFORMED = [({**SMALL, name: value}, name) for name, value in BAD] + [
    ({**SMALL, "lang": "xx"}, "lang"),
    ({**SMALL, "batch_opt": ["sgd", "adam"]}, "batch_opt"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("params", "bad"), MALFORMED, ids=[f"{b}={p[b]}" for p, b in MALFORMED])
def test_malformed_links_warn_and_use_defaults(params, bad, shared_store_dir):
    at = page(params)
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and f"`{bad}=" in warnings[0], warnings
    assert charts(at) >= 5


# ---- in a real browser (fixtures `browser`, `server`, `warm`: tests/conftest.py) -------------------------------------
BROWSER_CASES = [(path, lang, width) for path in ("default", "stream") for lang in ("en", "ja") for width in WIDTHS
                 if path == "default" or lang == "en"]
# a smaller grid than the default (three seeds, a learning rate per decade, two batch sizes), so that the first case
# computes it in seconds: the page draws any grid alike
PATHS = {"default": "/tuning?seeds=3&per_decade=1&batches=2,16&", "stream": "/tuning?data=stream&seeds=3&per_decade=1&"}


@pytest.mark.browser
@pytest.mark.parametrize(("path", "lang", "width"), BROWSER_CASES, ids=["-".join(c) for c in BROWSER_CASES])
def test_page_in_a_browser(browser, server, warm, path, lang, width):
    """The grid of PATHS (six optimizers, a learning rate per decade; the first case of each path computes it)."""
    context, view = open_page(browser, f"{server}{PATHS[path]}lang={lang}", WIDTHS[width], lang,
                              timeout=FIRST_VISIT)
    try:
        assert view.locator("[data-testid='stException']").count() == 0
        expected = 7 if path == "default" else 5
        view.wait_for_function(f"document.querySelectorAll(\"[data-testid='stVegaLiteChart'] canvas, "
                               f"[data-testid='stVegaLiteChart'] svg\").length >= {expected}", timeout=60_000)
        heading = view.locator("h1").first.inner_text()
        assert (lang == "ja") == any(ord(ch) > 0x3000 for ch in heading), heading
        name = "tun" if path == "default" else "tun-stream"
        screenshot(view, WIDTHS[width], SHOTS / f"{name}-{lang}-{width}.png")
    finally:
        context.close()
