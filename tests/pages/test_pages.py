"""Every page of the dashboard run headless with AppTest: charts and tables drawn, no exception, URL in → widgets
set, widgets → URL, CSV downloads with the right rows and columns, hostile links answered with a warning."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from helpers import charts, ok
from streamlit.testing.v1 import AppTest

from lab.compute.sweep import stored_runs
from lab.core.config import TrialConfig
from lab.dashboard.optimizers import tables as optimizers_view
from lab.dashboard.optimizers.tables import CURVE_COLUMNS
from lab.science.pairwise import COLUMNS
from lab.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("store_dir")  # an empty store per test (tests/conftest.py)
BOM = b"\xef\xbb\xbf"  # UTF-8's byte-order mark, first in every CSV offered
SMALL = {"steps": "100", "seeds": "3", "opts": "adam,sgd"}  # 2 optimizers × 3 seeds × 100 steps


def run(page: str | None = None, params: dict | None = None, direct: bool = False, **context) -> AppTest:
    """The app opened at `page` (default: the lecture page) with these URL parameters. Another page is reached as
    in the browser: the entry point runs first (a small lecture run), then navigates with the new parameters;
    `direct` opens the page's script straight away instead (nothing else computed or stored)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.context.update(context)
    if page and direct:
        at.switch_page(f"pages/{page}_page.py")
    elif page:
        at.query_params.update({"steps": "20", **({"lang": params["lang"]} if "lang" in (params or {}) else {})})
        ok(at.run())
        at.query_params.clear()
        at.switch_page(f"pages/{page}_page.py")
    at.query_params.update(params or {})
    return at.run()


# ---- lecture page --------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_lecture_shows_the_lecture_run():
    at = ok(run())
    assert charts(at) >= 3  # loss curve, network, decision map
    log = next(c.value for c in at.code if c.value.startswith("i = 0 loss ="))
    lines = log.splitlines()
    assert lines[0] == "i = 0 loss = 0.27076905965805054" and len(lines) == 10
    program = next(c.value for c in at.code if "import torch" in c.value)
    assert "optim.Adam(model.parameters(), lr=0.1)" in program and "torch.manual_seed(0)" in program
    table = at.dataframe[0].value
    assert len(table) == 4
    assert not at.warning
    assert at.query_params["lang"] == "en"


@pytest.mark.slow
def test_lecture_url_sets_the_widgets():
    at = ok(run(params={"seed": "3", "encoding": "onehot", "optimizer": "sgd", "lr": "0.7", "steps": "200",
                        "activation": "tanh"}))
    assert at.number_input(key="lec.seed").value == 3
    assert at.toggle(key="lec.onehot").value is True
    assert at.selectbox(key="lec.optimizer").value == "sgd"
    assert at.number_input(key="lec.lr").value == pytest.approx(0.7)
    assert at.number_input(key="lec.steps").value == 200
    assert at.selectbox(key="lec.activation").value == "tanh"
    program = next(c.value for c in at.code if "import torch" in c.value)
    assert "optim.SGD(model.parameters(), lr=0.7)" in program and "torch.manual_seed(3)" in program
    assert "nn.Linear(2, 2)" in program and "torch.tanh(self.fc1(x))" in program
    assert "result = torch.Tensor(mbs, 2)" in program  # one-hot targets
    assert not at.warning


@pytest.mark.slow
def test_lecture_widgets_write_the_url_and_the_share_link():
    at = ok(run(params={"steps": "200"}))
    at.number_input(key="lec.seed").set_value(5).run()
    ok(at)
    assert at.query_params["seed"] == "5" and at.query_params["steps"] == "200"
    link = at.code[-1].value
    assert "seed=5" in link and "steps=200" in link and "lang" not in link  # the reader's language decides


@pytest.mark.slow
def test_lecture_optimizer_change_resets_lr_and_reset_button():
    at = ok(run(params={"steps": "100"}))
    at.selectbox(key="lec.optimizer").set_value("rmsprop").run()
    assert at.number_input(key="lec.lr").value == pytest.approx(0.01)
    at.button[0].click().run()  # back to the lecture's program
    ok(at)
    assert at.selectbox(key="lec.optimizer").value == "adam" and at.number_input(key="lec.steps").value == 1000
    assert dict(at.query_params) == {"lang": "en"}


@pytest.mark.slow
def test_lecture_is_stored_once(store_dir):
    ok(run(params={"seed": "2", "steps": "100"}))
    assert len(Store(store_dir).entries()) == 1
    st.cache_data.clear()
    ok(run(params={"seed": "2", "steps": "100"}))  # read back from the store
    assert Store(store_dir).load(TrialConfig(steps=100)).seeds == [2]


# ---- optimizers page -----------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_optimizers_page_charts_table_and_csv(downloads, download_bytes, download_name, store_dir):
    at = ok(run("optimizers", SMALL))
    assert charts(at) >= 4
    assert at.multiselect(key="cmp.opts").value == ["adam", "sgd"]
    assert at.number_input(key="cmp.steps").value == 100 and at.number_input(key="cmp.seeds").value == 3
    shown = at.dataframe[0].value
    assert len(shown) == 2 and shown["series"].tolist() == ["Adam (lr 0.1)", "SGD (lr 1)"]  # as chosen
    table_button, pairs_button, curves_button = at.get("download_button")
    assert [download_name(b) for b in (table_button, pairs_button, curves_button)] == [
        "optimizers_adam-sgd_3seeds_100steps_summary.csv", "optimizers_adam-sgd_3seeds_100steps_pairwise.csv",
        "optimizers_adam-sgd_3seeds_100steps_curves.csv"]  # named after what they hold
    assert all(download_bytes(b).startswith(BOM) for b in (table_button, pairs_button, curves_button))
    table = downloads(table_button)
    assert len(table) == 2 and set(table["optimizer"]) == {"adam", "sgd"}
    for column in ("task", "steps", "lr", "n_trials", "success_rate", "success_lo", "success_hi", "steps_median",
                   "final_loss_median", "diverged"):
        assert column in table.columns
    assert "momentum" not in table.columns and not table.isna().all().any()  # no column empty in every row
    assert (table["n_trials"] == 3).all()
    curves = downloads(curves_button)
    assert list(curves.columns) == list(CURVE_COLUMNS)
    assert len(curves) == 2 * 3 * 100
    assert sorted(curves["seed"].unique()) == [0, 1, 2]
    pairs = downloads(pairs_button)
    assert list(pairs.columns) == list(at.dataframe[1].value.columns)  # the file holds the table shown
    assert list(pairs.columns[:13]) == list(COLUMNS[:13]) and pairs.columns[-1] == "verdict"  # as compare --csv
    assert pairs[["a", "b"]].values.tolist() == [["Adam (lr 0.1)", "SGD (lr 1)"]]
    assert "logrank_note" not in pairs.columns  # empty in every row
    assert pairs["verdict"][0].startswith("Too few seeds to tell Adam (lr 0.1) and SGD (lr 1) apart")
    assert any("Too few seeds" in m.value for m in at.markdown)  # the verdict shown
    specs = [json.loads(c.proto.spec) for c in [*at.get("vega_lite_chart"), *at.get("arrow_vega_lite_chart")]]
    assert any("strokeDash" in json.dumps(spec) and '"hi"' in json.dumps(spec) for spec in specs)  # Kaplan–Meier
    stored = Store(store_dir).entries()
    assert sorted(stored[stored["steps"] == 100]["optimizer"]) == ["adam", "sgd"]  # stored config by config


@pytest.mark.slow
def test_optimizers_evidence_in_japanese_and_curves_thinned_to_fit(download_bytes, download_name, monkeypatch):
    monkeypatch.setattr(optimizers_view, "CURVE_ROWS", 100)  # 2 optimizers × 3 seeds × 100 steps = 600 rows: too many
    at = ok(run("optimizers", {**SMALL, "lang": "ja"}))
    assert "どちらが優れているか：すべての組の検定" in [s.value for s in at.subheader]
    assert any("シード数が少なすぎて Adam (学習率 0.1) と SGD (学習率 1) の差は判断できません" in m.value
               for m in at.markdown)  # the verdict, in Japanese
    assert at.expander[-1].label == "これらのファイルの列"
    assert "`success_diff_lo`: success_diff の 95% Newcombe" in at.expander[-1].markdown[0].value
    curves_button = at.get("download_button")[-1]
    assert download_name(curves_button) == "optimizers_adam-sgd_3seeds_100steps_curves_every7.csv"
    data = download_bytes(curves_button)
    curves = pd.read_csv(io.BytesIO(data))
    assert data.startswith(BOM) and len(curves) == 2 * 3 * 15 <= 100  # steps 0, 7, ..., 98: within the limit
    assert sorted(curves["step"].unique()) == list(range(0, 100, 7))
    assert any("反復 0, 7, 14, … の値（90 行）" in c.value and "600 行" in c.value for c in at.caption)  # says so


def test_every_column_the_dashboard_describes_is_in_the_readme_dictionary():
    from lab.dashboard.shared.columns import COLUMNS as DESCRIBED
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    dictionary = readme[readme.index("## Data dictionary"):readme.index("## Layout")]
    assert [c for c in DESCRIBED if f"`{c}`" not in dictionary and c != "grad_norm_<layer>"] == []
    assert all(ja != en and any(ord(ch) > 0x3000 for ch in ja) for en, ja in DESCRIBED.values())  # both languages


@pytest.mark.slow
def test_optimizers_form_submit_updates_results_and_url():
    at = ok(run("optimizers", SMALL))
    at.number_input(key="cmp.seeds").set_value(2)
    at.multiselect(key="cmp.opts").set_value(["adam", "momentum"])
    at.number_input(key="cmp.lr.momentum").set_value(0.3)
    at.button[0].click().run()  # the form's submit button
    ok(at)
    assert at.dataframe[0].value["series"].tolist() == ["Adam (lr 0.1)", "Momentum (lr 0.3)"]
    assert at.query_params["seeds"] == "2" and at.query_params["opts"] == "adam,momentum"
    assert at.query_params["lr_momentum"] == "0.3"


@pytest.mark.slow
def test_optimizers_view_options():
    at = ok(run("optimizers", {**SMALL, "metric": "table_error", "smooth": "5", "logy": "0"}))
    assert at.selectbox(key="cmp.metric").value == "table_error"
    assert at.slider(key="cmp.smooth").value == 5 and at.toggle(key="cmp.logy").value is False
    assert charts(at) >= 4


@pytest.mark.slow
def test_optimizers_refuses_oversize_requests(monkeypatch):
    monkeypatch.setenv("LAB_MAX_WORK", "1000")
    at = ok(run("optimizers", SMALL))  # 2 × 3 × 100 = 600: fits
    assert not at.error and charts(at) >= 4
    at = ok(run("optimizers", {**SMALL, "seeds": "10"}))  # 2000 > 1000
    assert at.error and "1,000" in at.error[0].value
    assert charts(at) == 0


def test_optimizers_budget_from_secrets():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["max_work"] = 100
    at.switch_page("pages/optimizers_page.py")
    at.query_params.update(SMALL)  # 600 > 100
    ok(at.run())
    assert at.error and "100" in at.error[0].value


@pytest.mark.slow
def test_optimizers_with_no_optimizer_selected():
    at = ok(run("optimizers", SMALL))
    at.multiselect(key="cmp.opts").set_value([])
    at.button[0].click().run()
    ok(at)
    assert at.info and charts(at) == 0


# ---- results page --------------------------------------------------------------------------------------------------
def test_results_page_empty():
    at = ok(run("results", direct=True))
    assert at.info and not at.dataframe


def test_results_page_lists_downloads_and_deletes(downloads, download_name, store_dir, monkeypatch):
    monkeypatch.setenv("LAB_ALLOW_DELETE", "1")  # the teacher's setting: visitors are read-only by default
    store = Store(store_dir)
    config = TrialConfig(steps=50)
    stored_runs(store, config, [0, 1])
    stored_runs(store, TrialConfig(steps=50, optimizer="sgd"), [0])
    at = ok(run("results", {"key": config.key()}, direct=True))
    listing = at.dataframe[0].value
    assert len(listing) == 2 and set(listing["key"]) == {config.key(), TrialConfig(steps=50, optimizer="sgd").key()}
    assert at.selectbox(key="res.key").value == config.key()
    csv = downloads(at.get("download_button")[0])
    assert len(csv) == 2 * 50 and {"seed", "step", "loss", "optimizer", "steps"} <= set(csv.columns)
    assert "momentum" not in csv.columns and not csv.isna().all().any()  # no column empty in every row
    assert download_name(at.get("download_button")[0]) == \
        "stored_adam_lr0.1_and_sigmoid_2-2-1_50steps_2seeds_curves.csv"
    at.button[0].click().run()  # delete…
    assert at.warning  # the confirmation
    at.button[0].click().run()  # yes, delete
    ok(at)
    assert at.success and store.load(config) is None
    assert len(at.dataframe[0].value) == 1
    assert "key" not in at.query_params


def test_results_page_cancel_delete(store_dir, monkeypatch):
    monkeypatch.setenv("LAB_ALLOW_DELETE", "1")
    config = TrialConfig(steps=50)
    stored_runs(Store(store_dir), config, [0])
    at = ok(run("results", {"key": config.key()}, direct=True))
    at.button[0].click().run()
    at.button[1].click().run()  # cancel
    ok(at)
    assert Store(store_dir).load(config) is not None and not at.warning


# ---- language ------------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_language_from_url_and_switch():
    at = ok(run(params={"lang": "ja", "steps": "100"}))
    assert at.title[0].value == "講義の実験：AND の学習"
    at.get("button_group")[0].set_value("en").run()
    ok(at)
    assert at.title[0].value == "The lecture's experiment: learning AND"
    assert at.query_params["lang"] == "en"


@pytest.mark.slow
def test_language_from_browser_locale():
    at = ok(run(params={"steps": "100"}, locale="ja-JP"))
    assert at.title[0].value == "講義の実験：AND の学習" and at.query_params["lang"] == "ja"
    at = ok(run(params={"steps": "100"}, locale="de-DE"))
    assert at.title[0].value.startswith("The lecture")


@pytest.mark.slow
def test_a_shared_link_opens_in_each_readers_language():
    """The share link leaves the language out: an English reader gets it in English, a Japanese reader in Japanese,
    and the sender's own language stays in the sender's address bar."""
    sender = ok(run(params={"steps": "100", "seed": "2", "lang": "ja"}))
    link = sender.code[-1].value
    assert "lang" not in link and sender.query_params["lang"] == "ja"
    shared = dict(part.split("=") for part in link.split("?", 1)[1].split("&"))
    for locale, title in (("en-US", "The lecture's experiment: learning AND"), ("ja-JP", "講義の実験：AND の学習")):
        reader = ok(run(params=shared, locale=locale))
        assert reader.title[0].value == title and reader.number_input(key="lec.seed").value == 2


# ---- hostile links -------------------------------------------------------------------------------------------------
MALFORMED = [
    (None, {"seed": "-1"}),
    (None, {"depth": "10000"}),
    (None, {"optimizer": "nope"}),
    (None, {"lr": "abc"}),
    (None, {"lr": "nan"}),
    (None, {"lr": "-3"}),
    (None, {"steps": "1e9"}),
    (None, {"seed": "99999999999999999999"}),
    (None, {"task": "<script>alert(1)</script>"}),
    (None, {"activation": "`rm -rf`" * 20}),
    (None, {"lang": "xx"}),
    (None, {"width": "0"}),
    (None, {"seed": ["1", "2"]}),
    (None, {"lang": ["en", "ja"]}),
    ("optimizers", {**SMALL, "opts": "adam,unknown"}),
    ("optimizers", {**SMALL, "seeds": "-1"}),
    ("optimizers", {**SMALL, "lr_adam": "abc"}),
    ("optimizers", {**SMALL, "metric": "accuracy"}),
    ("optimizers", {**SMALL, "smooth": "0"}),
    ("optimizers", {**SMALL, "logy": "maybe"}),
    ("optimizers", {**SMALL, "full_batch": "2"}),
    ("optimizers", {**SMALL, "loss": "hinge"}),
    ("optimizers", {**SMALL, "opts": ["sgd", "adam"]}),  # a repeated name is not silently its last value
    ("results", {"key": "../../etc/passwd"}),
    ("results", {"key": "0123456789abcdef0123"}),  # well-formed, but nothing stored under it
]


@pytest.mark.slow
@pytest.mark.parametrize(("page", "params"), MALFORMED, ids=[f"{p or 'lecture'}-{'&'.join(q)}" for p, q in MALFORMED])
def test_malformed_links_warn_and_use_defaults(page, params, shared_store_dir):
    if page is None:
        params = {"steps": "100", **params}
    at = ok(run(page, params))
    assert at.warning, "a bad link parameter must be reported"
    bad = [k for k in params if k not in SMALL or params[k] != SMALL.get(k)]
    assert any(k in at.warning[0].value for k in bad if k != "steps" or page is None)
    if page != "results":
        assert charts(at) >= 2


def test_results_page_without_delete_on_a_shared_server(store_dir):
    config = TrialConfig(steps=50)
    stored_runs(Store(store_dir), config, [0])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["allow_delete"] = False
    at.switch_page("pages/results_page.py")
    at.query_params.update({"key": config.key()})
    ok(at.run())
    assert not at.button and "turned off" in " ".join(c.value for c in at.caption)
    assert Store(store_dir).load(config) is not None
