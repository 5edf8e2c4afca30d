"""The depth page: AppTest runs of a small configuration (charts, tables, CSV, URL in and out, hostile links, the
budget) and the pure parts behind it (URL state, digests, the Hessian tests kept on disk, charts, and the summary,
whose every number must come from the table it is given)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import charts, ok, run_page, slider_param
from streamlit.testing.v1 import AppTest

from lab.compute import jobs
from lab.compute.sweep import stored_runs
from lab.core import budget
from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.dashboard import shell
from lab.dashboard.depth import charts as charts_depth
from lab.dashboard.depth import state as depth_state
from lab.dashboard.depth import tables as depth_view
from lab.dashboard.shared import params as url_params
from lab.science import diagnostics, digests
from lab.storage import derived
from lab.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"depths": "1-3", "seeds": "3", "steps": "150", "tests": "1"}
# one store for the module (the small grid is trained once), no host limit, empty caches per test (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("shared_store_dir")


def page(params: dict) -> AppTest:
    return run_page("depth", params)


def control(at: AppTest, key: str):
    return next(b for b in at.get("button_group") if b.key == key)


def summary(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("- "))


# ---- the page ------------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_page_charts_table_csv_and_url(downloads, download_name):
    at = ok(page(SMALL))
    assert charts(at) >= 8  # heatmap, curves, 2 gradient, 2 trace, 2 batch (+ 2 spectra where a trial stalled)
    assert not at.warning and not at.error
    table = at.dataframe[0].value
    assert len(table) == 3 * 3 + 3 and list(table.columns) == list(depth_view.DISPLAY_COLUMNS)
    csv = downloads(at.get("download_button")[0])
    assert list(csv.columns) == ["optimizer", "width", "init", "steps", *depth_view.CSV_COLUMNS]
    assert len(csv) == 12 and (csv["n_trials"] == 3).all() and set(csv["depth"]) == {1, 2, 3}
    assert csv["full_batch"].sum() == 3 and set(csv[csv["full_batch"]]["activation"]) == {"sigmoid"}
    assert download_name(at.get("download_button")[0]) == "depth_adam_width2_3seeds_150steps_stalls.csv"
    assert at.expander[-1].label == "Columns of these files"  # the data dictionary beside the download
    assert "`success_lo`: lower end of the 95% Wilson score interval" in at.expander[-1].markdown[0].value
    text = summary(at)
    assert "3 seeds × 150 iterations" in text and "**relu**" in text
    assert "Fisher's exact test: p" in text  # each difference stated names its test
    assert {k: at.query_params[k] for k in SMALL} == SMALL and at.query_params["depth"] == "3"
    assert "depths=1-3" in at.code[-1].value  # the share link


@pytest.mark.slow
def test_the_stalled_trial_shown_has_its_replay():
    at = ok(page({"depths": "4-5", "depth": "5", "seeds": "2", "steps": "200", "tests": "1"}))  # both seeds stall
    seed = at.selectbox(key="depth.seed").value  # the stalled trial whose spectra the page shows
    assert seed == 0
    replay = slider_param(at, "stall_frame")  # 200 iterations in 40 frames of 5 (and the last)
    assert replay["value"] == replay["bind"]["max"] == 40
    assert shell.text("depth.replay", "en", seed=seed) in [m.value.strip("*") for m in at.markdown]


@pytest.mark.slow
def test_view_widgets_write_the_url():
    at = ok(page(SMALL))
    control(at, "depth.activation").set_value("tanh").run()
    ok(at)
    assert at.query_params["activation"] == "tanh"
    assert any("tanh" in m.value for m in at.markdown if m.value.startswith("**"))
    at.toggle(key="depth.trace").set_value(False).run()
    assert ok(at).query_params["trace"] == "0"


@pytest.mark.slow
def test_form_submit_changes_the_experiment():
    at = ok(page(SMALL))
    at.number_input(key="depth.seeds").set_value(2)
    at.button[0].click().run()  # the form's submit button
    ok(at)
    assert at.query_params["seeds"] == "2" and (at.dataframe[0].value["n_trials"] == 2).all()


@pytest.mark.slow
def test_summary_in_japanese():  # the headings in Japanese: tests/pages/test_page_contract.py
    at = ok(page({**SMALL, "lang": "ja"}))
    assert "シード" in summary(at)


def test_refuses_oversize_requests(monkeypatch):
    monkeypatch.setenv("LAB_MAX_WORK", "1000")
    at = ok(page(SMALL))
    assert at.error and "1,000" in at.error[0].value and charts(at) == 0


MALFORMED = [{"depths": "3-1"}, {"depths": "0-20"}, {"depths": "abc"}, {"seeds": "-1"}, {"steps": "1e9"},
             {"optimizer": "adamw"}, {"width": "0"}, {"init": "<script>"}, {"activation": "identity"},
             {"depth": "9"}, {"tests": "x" * 200}, {"trace": "maybe"}, {"metric": "loss"}, {"seed": "-3"},
             {"trace_init": "he"}, {"metric": ["stuck_fraction", "stalled_fraction"]}]


@pytest.mark.slow
@pytest.mark.parametrize("bad", MALFORMED, ids=["&".join(f"{k}={v[:12]}" for k, v in b.items()) for b in MALFORMED])
def test_malformed_links_warn_and_use_defaults(bad):
    at = ok(page({**SMALL, **bad}))
    assert len(at.warning) == 1 and next(iter(bad)) in at.warning[0].value
    assert charts(at) >= 5
    if "depths" not in bad:
        assert at.query_params["depths"] == "1-3"


# ---- URL state -----------------------------------------------------------------------------------------------------
def test_state_round_trip_and_defaults():
    state = depth_state.State(optimizer="sgd", width=8, depths=(2, 5), depth=5, seed=7, trace=False)
    params = depth_state.to_params(state)
    assert params == {"optimizer": "sgd", "width": "8", "depths": "2-5", "depth": "5", "seed": "7", "trace": "0"}
    assert depth_state.parse(params) == (state, [])
    assert depth_state.to_params(depth_state.DEFAULT) == {}
    assert depth_state.from_widgets(depth_state.to_widgets(state)) == state


def test_parse_reports_each_bad_parameter():
    state, problems = depth_state.parse({"depths": "2-4", "depth": "7", "seeds": "0", "width": "3"})
    assert state.depths == (2, 4) and state.depth == 4 and state.seeds == 20 and state.width == 3
    assert [p.param for p in problems] == ["seeds", "depth"]
    assert depth_state.parse({"depths": " 5 "})[0].depths == (5, 5)


def test_initial_values_only_on_first_run():
    values, problems = url_params.initial_values(depth_state, {}, {"seeds": "x"})
    assert set(values) == set(depth_state.KEYS) and len(problems) == 1
    present = {k: None for k in depth_state.KEYS if k != "depth.seed"}
    assert url_params.initial_values(depth_state, present, {"seeds": "x", "seed": "4"}) == ({"depth.seed": 4}, [])


def test_seed_left_out_of_the_link_when_it_is_the_first_stalled_one():
    state = depth_state.State()
    assert depth_state.with_seed(state, 4, {4: (0, 1, True), 9: (0, 1, True)}).seed is None
    assert depth_state.with_seed(state, 9, {4: (0, 1, True), 9: (0, 1, True)}).seed == 9
    assert depth_state.with_seed(state, None, {}).seed is None


def test_seeds_that_fit_the_budget():
    state = depth_state.State(seeds=20)
    per_seed = budget.work(state.configs(), 1)
    assert depth_state.seeds_that_fit(state, 20 * per_seed) == 20
    assert depth_state.seeds_that_fit(state, 5 * per_seed + 1) == 5
    assert depth_state.seeds_that_fit(state, 10**9, width=8) == 20


# ---- data ----------------------------------------------------------------------------------------------------------
def test_quantile_bands_match_numpy():
    values = np.random.default_rng(0).random((7, 10, 3))
    bands = digests.quantile_bands(values, 3)
    assert list(bands["step"].unique()) == [0, 3, 6, 9] and len(bands) == 12
    row = bands[(bands["step"] == 6) & (bands["layer"] == 2)].iloc[0]
    assert row["median"] == pytest.approx(np.median(values[:, 6, 1]))
    assert row["q75"] == pytest.approx(np.quantile(values[:, 6, 1], 0.75))


def test_digest_and_hessian_tests_are_kept(tmp_path, monkeypatch):
    store, config = Store(tmp_path), TrialConfig(depth=3, activation="relu", steps=300)
    runs = stored_runs(store, config, range(6))
    d = digests.depth_digest(store, config, 6)
    assert d.row["n_trials"] == 6 and d.row["success_rate"] == runs.solved.mean()
    assert d.row["blocked_fraction"] == np.mean(runs.grad_norm[:, -1, 0] == 0)
    assert set(d.layers["layer"]) == {1, 2, 3, 4} and len(d.stalled) == d.row["stalled"]
    first = jobs.hessian_tests(str(store.root), config, 6, 2)
    assert first["n_tested"] == min(2, d.row["stalled"])
    assert json.loads(derived.tests_path(store, config, 6, 2).read_text())["n_tested"] == first["n_tested"]
    assert derived.stored_tests(store, config, 6, 2) == first  # kept with the entry: what the page reads back
    table = depth_view.stats_table([d], [first])
    shown = depth_view.display_table(table, {False: "mini", True: "full"})
    nothing = table.assign(escaped_fraction=np.nan, grad_ratio=np.nan, stalled_fraction=0.0)  # no stall to escape
    row = depth_view.display_table(nothing, {False: "mini", True: "full"}).iloc[0]
    assert row["escaped_fraction"] == row["grad_ratio"] == "–" and row["stalled_fraction"] == "0%"
    assert row["success_rate"] == f"{100 * d.row['success_rate']:.0f}%"
    assert shown["saddles"][0] == ("–" if not first["n_tested"] else
                                   f"{round(first['saddle_fraction'] * first['n_tested'])}/{first['n_tested']}")


def test_spectrum_and_trace_kept_with_the_entry(tmp_path):
    config, store = TrialConfig(depth=2, steps=200), Store(tmp_path)
    eigs, kinds = diagnostics.spectrum(config, 0, 100, train(config, [0]).params[0])
    assert list(kinds["point"]) == ["mid", "end"] and len(eigs) == 2 * 15  # 2-2-2-1: 15 parameters
    assert (eigs.groupby("point")["eigenvalue"].apply(lambda e: e.is_monotonic_increasing)).all()
    assert set(eigs["sign"]) <= {"negative", "flat", "positive"}
    act, sat = jobs.trace_bands(str(tmp_path), config, n_seeds=2)  # not stored: computed, not kept
    assert set(act["layer"]) == {1, 2} and sat["median"].between(0, 1).all()
    assert store.derived_files() == {}

    stored_runs(store, config, [0, 1])
    root = str(tmp_path)
    for name, compute in ((derived.frames_name("spectrum", 0, 100), lambda: jobs.spectrum(root, config, 0, 100)),
                          (derived.frames_name("trace", 2), lambda: jobs.trace_bands(root, config, 2))):
        first = compute()
        kept = tuple(derived.stored_tables(store, config, name).values())
        assert kept is not None and len(kept) == len(first) == 2
        for a, b in zip(first, kept, strict=True):
            pd.testing.assert_frame_equal(a, b, check_exact=True, check_index_type=True)  # every float bitwise
        assert all(a.equals(b) for a, b in zip(compute(), first, strict=True))  # read back, not recomputed
    pd.testing.assert_frame_equal(kept[1], sat, check_exact=True, check_index_type=True)  # kept or not, the same tables


def test_symlog_ticks():
    assert charts_depth.symlog_ticks([-0.02, 0.0, 0.3], 1e-5) == pytest.approx(
        [-0.1, -0.01, -0.001, -1e-4, -1e-5, 0.0, 1e-5, 1e-3, 0.1, 1.0])
    assert charts_depth.symlog_ticks([0.0, 5e-4], 1e-5) == pytest.approx([0.0, 1e-5, 1e-4, 1e-3])


def test_decades():
    assert charts_depth.decades([0.003, 0.2, 0.0, float("nan")]) == pytest.approx([1e-3, 1e-2, 1e-1, 1.0])
    ticks = charts_depth.decades([1e-12, 1.0])
    assert len(ticks) <= 7 and ticks[-1] == 1.0 and ticks[0] <= 1e-11


def test_chart_builders_render():
    table = pd.DataFrame({"activation": ["sigmoid", "relu"], "depth": [1, 1], "success_rate": [0.9, math.nan],
                          "grad_ratio": [0.5, 0.0]})
    for chart in (charts_depth.heatmap(table, "success_rate", x_title="x", y_title="y", value_title="v"),
                  charts_depth.ratio_chart(table, x_title="x", y_title="y", series_title="s")):
        assert chart.to_dict()
    bands = pd.DataFrame({"series": ["a", "b"], "step": [0, 0], "median": [0.0, 1.0], "q25": [0, 1], "q75": [0, 1]})
    assert charts_depth.ordered_bands(bands, names=["a", "b"], x_title="x", y_title="y", series_title="s").to_dict()


# ---- the summary: every number from the table ---------------------------------------------------------------------
def synthetic(relu_solved: int, mini_solved: int, full_solved: int) -> pd.DataFrame:
    rows = []
    for act, depth, full, solved, stalled, escaped, saddle, minimum, ratio, blocked in [
        ("sigmoid", 1, False, 10, 0, math.nan, math.nan, math.nan, 0.5, 0.0),
        ("sigmoid", 4, False, mini_solved, 7, 3 / 7, 2 / 3, 0.0, 2e-4, 0.0),
        ("relu", 1, False, 6, 4, 0.0, 0.0, 1.0, 0.01, 0.3),
        ("relu", 4, False, relu_solved, 9, 0.0, 1 / 3, 2 / 3, 0.0, 0.8),
        ("sigmoid", 1, True, 10, 0, math.nan, math.nan, math.nan, 0.4, 0.0),
        ("sigmoid", 4, True, full_solved, 2, 1.0, math.nan, math.nan, 1e-4, 0.0),
    ]:
        rows.append({"activation": act, "depth": depth, "full_batch": full, "n_trials": 10, "solved": solved,
                     "success_rate": solved / 10, "stalled": stalled, "stalled_fraction": stalled / 10,
                     "escaped_fraction": escaped, "grad_ratio": ratio, "blocked_fraction": blocked,
                     "saddle_fraction": saddle, "minimum_fraction": minimum, "n_tested": 0 if saddle != saddle else 3})
    return pd.DataFrame(rows)


def words(table, lang="en", width_seeds=None):
    f = depth_view.facts(table, "sigmoid")
    return depth_view.sentences(f, optimizer="Adam", width=2, seeds=10, steps=500, width_seeds=width_seeds,
                                   t=lambda key, **v: shell.text(key, lang, **v))


def test_summary_numbers_come_from_the_table():
    lines = words(synthetic(relu_solved=1, mini_solved=6, full_solved=9), width_seeds=4)
    text = "\n".join(lines)
    assert "**sigmoid**, depth 4: 70% of 10 trials stalled (7); 43% of those escaped" in text
    assert "Solved: 100% at depth 1, 60% at depth 4" in text
    assert "2 of 3 stalls tested were saddles (67%), 0 minima" in text
    assert "0.5 times the output layer's at depth 1 and 0.0002 times at depth 4" in text
    assert "This matches the lecture" in text
    assert "ReLU does worse than sigmoid at depth 4: 10% against 60%" in text
    assert "In 8 of its 10 trials no gradient reached the first layer" in text
    assert "minima (2 of 3 tested), not saddles (1)" in text and "try width 8 (with 4 seeds" in text
    assert "stalled 70% against 20%, solved 60% against 90%" in text and "did not help escape" in text


def test_every_text_the_page_builds_exists():
    keys = set(re.findall(r'"(depth\.sum\.[\w.]+)"', (ROOT / "lab" / "dashboard" / "depth" / "tables.py").read_text()))
    keys |= {f"depth.metric.{m}" for m in depth_state.HEAT_METRICS} | {f"depth.kind.{k}" for k in diagnostics.KINDS}
    keys |= {f"depth.col.{c}" for c in depth_view.DISPLAY_COLUMNS} | {f"depth.hess.{p}" for p in ("mid", "end")}
    keys |= {f"depth.sign.{s}" for s in ("negative", "flat", "positive")}
    assert len(keys) > 40 and sorted(keys - set(shell.STRINGS)) == []


def test_summary_verdicts_follow_the_data():
    text = "\n".join(words(synthetic(relu_solved=9, mini_solved=8, full_solved=5)))
    assert "As the lecture says, ReLU does better than sigmoid at depth 4: 90% against 80%" in text
    assert "the minibatch noise helped" in text and "try width 8" not in text
    japanese = "\n".join(words(synthetic(relu_solved=1, mini_solved=6, full_solved=9), lang="ja"))
    assert "10 試行中 70%（7 試行）が停滞" in japanese and "解けた割合 10% 対 60%" in japanese
    shallow = synthetic(1, 6, 9).query("depth == 1")
    assert "stops at depth 1" in "\n".join(words(shallow))
    assert "ReLU and sigmoid solve equally often at depth 4: 60% against 60%" in "\n".join(words(synthetic(6, 6, 9)))
    alone = "\n".join(words(synthetic(1, 6, 9).query("depth == 4")))
    assert "Solved: 60%." in alone
    assert "lecture, deeper" not in alone and "matches the lecture" not in alone and "Vanishing" not in alone


def test_summary_names_the_test_behind_each_difference():
    from scipy.stats import fisher_exact

    from lab.science.verdicts import p_text
    # the 5 differences the summary states: solved at depth 1 against 4 (sigmoid, relu), sigmoid's stalls at 4
    # against 1, relu against sigmoid at 4, minibatch against full batch at 4; Holm by hand over the 5
    tables = {"sigmoid": [[10, 0], [6, 4]], "relu": [[6, 4], [1, 9]], "stalls": [[7, 3], [0, 10]],
              "relu_vs_sigmoid": [[1, 9], [6, 4]], "batch": [[6, 4], [9, 1]]}
    p = {k: fisher_exact(v).pvalue for k, v in tables.items()}
    order = sorted(p, key=p.get)
    holm, running = {}, 0.0
    for i, k in enumerate(order):
        running = max(running, min(1.0, (5 - i) * p[k]))
        holm[k] = running
    lines = words(synthetic(relu_solved=1, mini_solved=6, full_solved=9))
    expect = {1: "sigmoid", 2: "relu", 4: "stalls", 5: "relu_vs_sigmoid", 6: "batch"}
    for line, name in expect.items():
        assert (f"Fisher's exact test: p {p_text(p[name])}, Holm-adjusted over this summary's 5 tests "
                f"p {p_text(holm[name])}") in lines[line], (name, lines[line])
    assert "p = 0.0031" in lines[4] and "significant at 0.05." in lines[4]  # the stalls: a real difference
    assert "not significant" in lines[6]  # minibatch against full batch: 6/10 against 9/10 may be chance
    japanese = words(synthetic(relu_solved=1, mini_solved=6, full_solved=9), lang="ja")
    assert "Fisher の正確検定 p = 0.0031" in japanese[4] and "有意水準 0.05 で有意" in japanese[4]
    cells = depth_view.cell_tests(synthetic(1, 6, 9).query("not full_batch").reset_index(drop=True), "success_rate")
    by = {(r.activation, r.depth): r.p_holm for r in cells.itertuples()}
    assert math.isnan(by[("sigmoid", 1)]) and math.isnan(by[("relu", 1)])  # the shallowest: nothing to test against
    two = sorted([fisher_exact([[6, 4], [10, 0]]).pvalue, fisher_exact([[1, 9], [6, 4]]).pvalue])
    expected = max(min(1.0, 2 * two[0]), two[1])  # Holm over 2: both steps give the same value here
    assert by[("sigmoid", 4)] == pytest.approx(expected) and by[("relu", 4)] == pytest.approx(expected)
    assert list(cells["test"]) == ["–", f"p {p_text(expected)}", "–", f"p {p_text(expected)}"]  # the tooltip's text
