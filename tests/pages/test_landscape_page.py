"""The loss landscape page: AppTest runs of a small configuration in both languages (charts, the table of path ends,
the slice's caveats, URL in and out, a hostile link) and the parts behind it (the worker's tables, the view, texts)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import charts, ok, run_page
from streamlit.testing.v1 import AppTest

from lab.compute import jobs
from lab.core.config import TrialConfig
from lab.dashboard import shell
from lab.dashboard.landscape import tables as landscape_view
from lab.science import landscape

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"steps": "200", "opts": "sgd,adam"}
pytestmark = pytest.mark.usefixtures("shared_store_dir")


def page(params: dict) -> AppTest:
    return run_page("landscape", params)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_page_draws_the_surface_the_lines_and_the_ends(lang):
    at = ok(page({**SMALL, "lang": lang}))
    assert charts(at) == 2
    assert not at.warning
    ends = at.dataframe[0].value
    assert ends["series"].tolist() == ["SGD", "Adam"]
    assert (ends["final_table_loss"] > 0).all() and (ends["barrier"] >= 0).all()
    assert at.multiselect(key="land.opts").value == ["sgd", "adam"]
    assert at.number_input(key="land.steps").value == 200
    shown = " ".join(m.value for m in at.markdown)
    assert shell.text("land.caveats", lang) in shown
    assert shell.text("land.hint", lang) in [i.value for i in at.info]
    assert shell.text("land.stalls", lang) in shown
    link = at.code[-1].value
    assert "steps=200" in link and "opts=sgd,adam" in link and "lang" not in link  # the reader's language


def test_widgets_write_the_url_and_a_bad_link_is_reported():
    at = ok(page({**SMALL, "depth": "5", "opts": "sgd,nope"}))
    warning = at.warning[0].value
    assert "depth=5" in warning and "opts=sgd,nope" in warning
    assert at.number_input(key="land.depth").value == 1
    at.number_input(key="land.seed").set_value(4)
    at.multiselect(key="land.opts").set_value(["adam"])
    at.number_input(key="land.steps").set_value(100)
    ok(at.button[0].click().run())  # the form's "Draw"
    assert at.query_params["seed"] == "4" and at.query_params["opts"] == "adam" and at.query_params["steps"] == "100"
    assert at.dataframe[0].value["series"].tolist() == ["Adam"]


def test_worker_tables_start_every_path_at_the_centre_from_the_same_weights(tmp_path):
    configs = tuple(TrialConfig(steps=60, optimizer=o, lr=lr) for o, lr in (("sgd", 1.0), ("adam", 0.1)))
    found = jobs.landscape_tables(str(tmp_path), configs, 2, False)
    first = found["paths"].groupby("optimizer").head(1)
    assert np.allclose(first[["x", "y"]].to_numpy(), 0) and first["loss"].nunique() == 1
    assert len(found["grid"]) == landscape.GRID**2 and 0 < found["captured"] <= 1
    ends = landscape_view.ends(found["paths"], found["lines"])
    assert ends["series"].tolist() == ["SGD", "Adam"]
    last = found["paths"].groupby("optimizer", sort=False).tail(1)
    assert ends["final_table_loss"].tolist() == last["loss"].tolist()
    lines = found["lines"].assign(loss=lambda f: np.where(f["alpha"] == 0.5, 9.0, f["loss"]))  # a wall at α = 0.5
    high_end = lines[lines["alpha"].isin([0.0, 1.0])].groupby("optimizer", sort=False)["loss"].max()
    assert landscape_view.ends(found["paths"], lines)["barrier"].tolist() == pytest.approx((9.0 - high_end).tolist())


def test_the_english_caveats_are_the_science_modules():
    assert shell.text("land.caveats", "en") == landscape.SLICE_CAVEATS
    assert landscape_view.label("sgd lr=0.5") == "SGD lr=0.5" and landscape_view.label("adam") == "Adam"


def test_a_bad_link_is_explained_in_the_readers_language():
    at = ok(page({**SMALL, "depth": "5", "lang": "ja"}))
    warning = at.warning[0].value
    assert "`depth=5`: 1 から 3 までの整数にしてください" in warning and "must be" not in warning


@pytest.mark.slow
def test_each_paths_stall_is_tested_and_placed_on_the_plane(tmp_path):
    from lab.core.engine import train
    from lab.science import diagnostics

    configs = (TrialConfig(optimizer="sgd", lr=1.0), TrialConfig(optimizer="adam", lr=0.1))
    found = jobs.landscape_tables(str(tmp_path), configs, 1, False)
    stalls = found["stalls"]
    expected = [(c.optimizer, int(r.longest_mid), r.mid_kind) for c in configs
                for r in diagnostics.classify_stalls(c, train(c, [1]), at_end=False).itertuples()]
    assert expected and list(zip(stalls["optimizer"], stalls["step"], stalls["kind"])) == expected
    assert (stalls["near"] == (stalls["relative_distance"] <= landscape.NEAR)).all()
    lines = landscape_view.stall_lines(stalls, lambda key, **v: shell.text(key, "en", **v))
    assert lines[0].startswith(f"SGD: stalled around iteration {expected[0][1]}; the Hessian test there: ")
