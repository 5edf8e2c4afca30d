"""The Stored results page over a store holding every page's kind of entry, deleting only where the teacher allows it,
and a page that fails: one short line for the visitor, the traceback in the server's log."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pandas as pd
import pytest
from helpers import ok
from streamlit.testing.v1 import AppTest

from lab.compute.sweep import stored_runs
from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.dashboard.depth import state as depth_state
from lab.dashboard.generalization import state as gen_state
from lab.dashboard.results import data as results_data
from lab.dashboard.results import tables as results_view
from lab.dashboard.shell import text as t
from lab.dashboard.tuning import state as tun_state
from lab.science import tuning
from lab.storage import derived
from lab.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]
STEPS = 30
BOM = b"\xef\xbb\xbf"


def every_kind() -> dict[str, TrialConfig]:
    """One or two configs of each page's kind, built as the pages build them, with few steps."""
    depth = depth_state.State(steps=STEPS, width=4)
    gen = gen_state.with_eval(gen_state.preset_config("overfit").replace(steps=STEPS))
    tun = tun_state.State(config=tun_state.FINITE.replace(steps=STEPS))
    return {
        "lecture": TrialConfig(steps=STEPS),
        "optimizers": TrialConfig(steps=STEPS, optimizer="sgd", full_batch=True),
        "depth": depth.config("relu", 3),
        "depth full batch": depth.config("tanh", 2, full_batch=True),
        "generalization": gen,
        "generalization width": gen.replace(width=4),
        "cross-validation": tuning.fold_configs(gen, 4)[1],
        "tuning lr": tuning.lr_configs(tun.base, ["sgd"], [0.1])[0],
        "tuning batch": tun.batch_configs()[-1],
        "tuning stream": tun_state.State(data="stream", config=tun.config).lr_configs()[0],
        "neurons": TrialConfig(task="xor", width=3, steps=STEPS),
    }


def fill(root: Path) -> dict[str, TrialConfig]:
    store, configs = Store(root), every_kind()
    assert len(set(configs.values())) == len(configs)
    for config in configs.values():
        store.save(train(config, [0, 1]))
    tests = dict.fromkeys(derived.TEST_NAMES, 0.5) | {"n_tested": 1}
    assert derived.save_tests(store, configs["depth"], 2, 1, tests)  # the depth page's Hessian tests, kept beside
    return configs


def page(params: dict | None = None, secrets: dict | None = None, framed: bool = False, then=None) -> AppTest:
    """The results page; `framed`: reached from the app's entry point, as a visitor's link /results is (a fresh
    AppTest runs a page of pages/ straight away, without app.py), and `then()` called before it is opened."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets.update(secrets or {})
    if framed:
        at.query_params.update({"steps": "20", **{k: v for k, v in (params or {}).items() if k == "lang"}})
        ok(at.run())  # the lecture page first, small
        at.query_params.clear()
        if then is not None:
            then()
    at.switch_page("pages/results_page.py")
    at.query_params.update(params or {})
    return at.run()


def everything_shown(node) -> str:
    """Every element the run drew, as its message to the browser (text, JSON, tables' headers…)."""
    children = getattr(node, "children", None)
    if children is not None:
        return "".join(everything_shown(child) for child in children.values())
    return str(getattr(node, "proto", ""))


@pytest.fixture(autouse=True)
def read_only_default(monkeypatch):
    monkeypatch.delenv("LAB_ALLOW_DELETE", raising=False)


@pytest.mark.slow
def test_lists_every_kind_of_entry_and_shows_each(store_dir):
    configs = fill(store_dir)
    at = ok(page())
    listing = at.dataframe[0].value
    assert set(listing["key"]) == {c.key() for c in configs.values()} and len(listing) == len(configs)
    stored = Store(store_dir)
    assert Store(store_dir).size_bytes() == pytest.approx(sum(listing["size"]) * 1024)  # derived files included
    depth_row = listing.set_index("key").loc[configs["depth"].key()]
    assert depth_row["size"] * 1024 > stored.path(configs["depth"].key()).stat().st_size
    for name, config in configs.items():
        at.selectbox(key="res.key").set_value(config.key()).run()
        ok(at)
        shown = json.loads(at.json[0].value)
        assert TrialConfig.from_dict(shown) == config, name
        assert shown == config.to_dict(), name  # integers stay integers (n_train 20, not 20.0)
        assert len(at.dataframe[1].value) == 1, name  # the entry's summary
    assert not at.button  # read-only by default


def test_listing_after_the_other_pages_filled_the_store(store_dir):
    """The store as the pages leave it (finite-data entries beside stream ones): the listing opens, every entry
    selectable, an entry with integer data settings shown with them."""
    configs = fill(store_dir)
    finite = configs["generalization"]
    at = ok(page({"key": finite.key()}))
    assert at.selectbox(key="res.key").value == finite.key()
    shown = json.loads(at.json[0].value)
    assert shown["n_train"] == finite.n_train and isinstance(shown["n_train"], int)
    assert isinstance(shown["eval_every"], int) and isinstance(shown["data_seed"], int)


@pytest.mark.parametrize(("secrets", "env", "allowed"), [
    ({}, None, False),  # visitors are read-only unless the teacher says otherwise
    ({"allow_delete": False}, None, False),
    ({}, "0", False),
    ({"allow_delete": True}, None, True),
    ({}, "1", True),
    ({}, "true", True),
])
def test_deleting_needs_the_teachers_setting(store_dir, monkeypatch, secrets, env, allowed):
    config = TrialConfig(steps=STEPS)
    Store(store_dir).save(train(config, [0]))
    if env is not None:
        monkeypatch.setenv("LAB_ALLOW_DELETE", env)
    at = ok(page({"key": config.key()}, secrets))
    if not allowed:
        assert not at.button and t("res.delete.off") in [c.value for c in at.caption]
        return
    at.button[0].click().run()  # delete…
    at.button[0].click().run()  # yes, delete
    ok(at)
    assert at.success and Store(store_dir).keys() == []


def test_delete_removes_the_entrys_derived_files(store_dir, monkeypatch):
    monkeypatch.setenv("LAB_ALLOW_DELETE", "1")
    configs = fill(store_dir)
    key = configs["depth"].key()
    at = ok(page({"key": key}))
    at.button[0].click().run()
    at.button[0].click().run()
    ok(at)
    assert not list(Path(store_dir).glob(f"{key}*")) and len(at.dataframe[0].value) == len(configs) - 1


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_failing_page_shows_one_line_and_logs_the_traceback(store_dir, monkeypatch, caplog, lang):
    def broken():
        raise RuntimeError("the listing broke")

    monkeypatch.setattr(results_data, "entries", broken)
    caplog.set_level(logging.ERROR, logger="lab.dashboard.app")
    at = page({"lang": lang}, framed=True)
    assert at.title[0].value == t("res.title", lang)  # the results page, in the app's frame
    assert not at.exception
    assert [e.value for e in at.error] == [t("app.error", lang)]
    shown = everything_shown(at._tree)
    assert t("app.error", lang) in shown and "the listing broke" not in shown and "Traceback" not in shown
    records = [r for r in caplog.records if r.name == "lab.dashboard.app"]
    assert len(records) == 1 and records[0].exc_info[0] is RuntimeError
    assert "the listing broke" in caplog.text and "Traceback" in caplog.text


def test_stop_passes_through(store_dir, caplog):
    """st.stop() (the empty store's page) is Streamlit's control flow, not a failure."""
    caplog.set_level(logging.ERROR, logger="lab.dashboard.app")
    at = ok(page(framed=True, then=Store(store_dir).clear))  # the lecture's run deleted: an empty store
    assert at.title[0].value == t("res.title") and at.info and not at.error and not at.dataframe
    assert not [r for r in caplog.records if r.name == "lab.dashboard.app"]


def test_curves_file_in_pieces_and_thinned_to_fit(download_bytes, download_name, store_dir, monkeypatch):
    monkeypatch.setattr(results_view, "CHUNK_SEEDS", 1)  # one piece per seed
    config = TrialConfig(steps=50)
    stored_runs(Store(store_dir), config, [0, 1])
    whole = Store(store_dir).load(config).curves().dropna(axis=1, how="all")
    at = ok(page({"key": config.key()}))
    data = download_bytes(at.get("download_button")[0])
    assert data.startswith(BOM) and data.count(BOM) == 1
    pd.testing.assert_frame_equal(pd.read_csv(io.BytesIO(data)), whole,
                                  check_dtype=False)  # the pieces make the whole table
    monkeypatch.setattr(results_view, "CURVE_ROWS", 40)  # 2 seeds × 50 steps = 100 rows: too many
    at = ok(page({"key": config.key()}))
    button = at.get("download_button")[0]
    thinned = pd.read_csv(io.BytesIO(download_bytes(button)))
    assert len(thinned) == 2 * 17 < 40 and sorted(thinned["step"].unique()) == list(range(0, 50, 3))
    assert download_name(button).endswith("_50steps_2seeds_curves_every3.csv")
    assert any("iterations 0, 3, 6, … (34 rows)" in c.value for c in at.caption)
