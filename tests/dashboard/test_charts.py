"""The Altair builders on real (small) results: each returns a chart whose Vega-Lite spec validates, holds the data it
was given, and keeps a log axis above zero."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pytest

from lab.compute.sweep import stored_runs
from lab.core.config import TrialConfig
from lab.dashboard.lecture import charts as lecture_charts
from lab.dashboard.optimizers import charts as optimizers_charts
from lab.dashboard.optimizers import tables as optimizers_view
from lab.dashboard.shared import charts
from lab.science import digests as science_digests
from lab.science import inspect
from lab.storage.store import Store


@pytest.fixture(scope="module")
def digests(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("store"))
    configs = [TrialConfig(steps=120, optimizer=name) for name in ("sgd", "adam")]
    for config in configs:  # trained first: digests are built from stored results
        stored_runs(store, config, range(4))
    return [science_digests.digest(store, config, 4) for config in configs]


@pytest.fixture(scope="module")
def trial(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("store"))
    stored_runs(store, TrialConfig(steps=300), [0])
    return inspect.trial(store, TrialConfig(steps=300), 0)


def spec(chart) -> dict:
    out = chart.to_dict()  # validates against the Vega-Lite schema
    assert out["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    return out


def datasets(out: dict) -> list[list[dict]]:
    return list(out.get("datasets", {}).values())


def marks(out: dict) -> list[str]:
    found = []
    for layer in out.get("layer", []):
        mark = layer.get("mark")
        found.append(mark if isinstance(mark, str) else mark["type"])
    return found


def test_band_chart(digests):
    bands = optimizers_view.stacked(digests, "bands", "loss")
    out = spec(optimizers_charts.band_chart(bands, x_title="step", y_title="loss", series_title="optimizer"))
    assert marks(out)[:2] == ["area", "line"]
    rows = max(datasets(out), key=len)
    assert len(rows) == len(bands) and min(r["q25"] for r in rows) > 0
    assert out["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"
    assert "params" in out or any("params" in layer for layer in out["layer"])  # hover selection


def test_band_chart_floors_zero_for_log_and_keeps_linear():
    frame = pd.DataFrame({"series": "a", "step": [0, 1], "median": [0.0, 0.5], "q25": [0.0, 0.1], "q75": [0.1, 1.0]})
    out = spec(optimizers_charts.band_chart(frame, x_title="s", y_title="l", series_title="o"))
    assert min(r["median"] for r in max(datasets(out), key=len)) == charts.LOG_FLOOR
    out = spec(optimizers_charts.band_chart(frame, x_title="s", y_title="l", series_title="o", log=False))
    assert min(r["median"] for r in max(datasets(out), key=len)) == 0.0


def test_series_colours_are_stable():
    scale = charts.series_scale(["Adam", "SGD", "Adam"])
    assert scale.domain == ["Adam", "SGD"] and scale.range == list(charts.PALETTE[:2])


def test_solved_chart(digests):
    frame = optimizers_view.stacked(digests, "solved")
    out = spec(optimizers_charts.solved_chart(frame, x_title="step", y_title="solved", series_title="optimizer"))
    rows = max(datasets(out), key=len)
    assert len(rows) == len(frame) and all(0 <= r["solved_fraction"] <= 1 for r in rows)


def test_steps_chart_leaves_out_unsolved(digests):
    trials = optimizers_view.stacked(digests, "trials")
    out = spec(optimizers_charts.steps_chart(trials, x_title="steps", series_title="optimizer"))
    rows = max(datasets(out), key=len)
    assert len(rows) == int(trials["solved"].sum())
    assert marks(out) == ["boxplot", "tick"]


def test_success_chart(digests):
    table = optimizers_view.display_table(digests)
    out = spec(optimizers_charts.success_chart(table, x_title="success"))
    rows = max(datasets(out), key=len)
    assert len(rows) == 2 and all(r["success_lo"] <= r["success_rate"] <= r["success_hi"] for r in rows)


def test_loss_chart_with_printed_marks(trial):
    curves = trial.curves("minibatch", "table")
    out = spec(
        lecture_charts.loss_chart(curves, x_title="i", y_title="loss", series_title="curve", marks=trial.printed())
    )
    assert len(curves) == 2 * 300
    printed = [d for d in datasets(out) if len(d) == 3]
    assert printed and [r["step"] for r in printed[0]] == [0, 100, 200]


def test_boundary_chart(trial):
    grid = inspect.decision_grid(trial.config, trial.params, n=21)
    table = inspect.truth_table(trial.config, trial.table_output)
    out = spec(charts.boundary_chart(grid, table, score_title="output", target_title="target"))
    cells = max(datasets(out), key=len)
    assert len(cells) == 21 * 21
    assert all(0 <= r["x1_lo"] <= r["x1_hi"] <= 1 for r in cells)
    assert out["width"] == out["height"]


@pytest.mark.parametrize(
    "config", [TrialConfig(steps=50), TrialConfig(steps=50, depth=2, width=3), TrialConfig(steps=50, width=12)]
)
def test_network_chart(tmp_path, config):
    store = Store(tmp_path)
    stored_runs(store, config, [0])
    run = inspect.trial(store, config, 0)
    nodes, edges = inspect.network_layout(config, run.params)
    out = spec(lecture_charts.network_chart(nodes, edges, weight_title="w", bias_title="b"))
    sizes = config.layer_sizes
    assert len(nodes) == sum(sizes)
    assert len(edges) == sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    labelled = len(edges) <= 12
    assert ("text" in marks(out)) == (labelled or max(sizes) <= 6)
    assert np.allclose(
        sorted(edges["weight"]), sorted(np.concatenate([w.ravel() for w, _ in inspect.weights(config, run.params)]))
    )


def test_every_builder_returns_altair(digests, trial):
    built = [
        optimizers_charts.band_chart(
            optimizers_view.stacked(digests, "bands"), x_title="", y_title="", series_title=""
        ),
        optimizers_charts.solved_chart(
            optimizers_view.stacked(digests, "solved"), x_title="", y_title="", series_title=""
        ),
        optimizers_charts.steps_chart(optimizers_view.stacked(digests, "trials"), x_title="", series_title=""),
        optimizers_charts.success_chart(optimizers_view.display_table(digests), x_title=""),
        lecture_charts.loss_chart(trial.curves("a", "b"), x_title="", y_title="", series_title=""),
    ]
    assert all(isinstance(c, alt.TopLevelMixin) for c in built)


def _layers(spec: dict):
    yield spec
    for part in spec.get("layer", []):
        yield from _layers(part)


def test_band_chart_has_its_legend_and_series_labels_are_not_cut():
    bands = pd.DataFrame({"series": ["Momentum (学習率 0.5)"] * 3 + ["Adam (学習率 0.1)"] * 3, "step": [0, 1, 2] * 2,
                          "median": 0.1, "q25": 0.05, "q75": 0.2})
    spec = optimizers_charts.band_chart(bands, x_title="i", y_title="loss", series_title="optimizer").to_dict()
    colours = [layer["encoding"]["color"] for layer in _layers(spec) if "color" in layer.get("encoding", {})]
    assert colours and all(c.get("legend", {}) is not None for c in colours)  # no layer hides the shared legend
    assert any(c.get("title") == "optimizer" and "orient" in c.get("legend", {}) for c in colours)
    summary = pd.DataFrame({"series": ["Momentum (学習率 0.5)"], "success_rate": [0.5], "success_lo": [0.2],
                            "success_hi": [0.8]})
    y = optimizers_charts.success_chart(summary, x_title="rate").to_dict()["layer"][0]["encoding"]["y"]
    assert y["axis"]["labelLimit"] >= 200


def test_a_chart_tables_key_tells_any_difference_apart():
    from lab.dashboard.memo import content_digest

    table = pd.DataFrame({"step": np.arange(500), "loss": np.linspace(1, 0, 500, dtype=np.float32),
                          "series": ["Adam", "SGD"] * 250})
    assert content_digest(table) == content_digest(table.copy())
    changed = [table.assign(loss=table["loss"].where(table.index != 7, np.nextafter(table["loss"][7], 2))),
               table.rename(columns={"loss": "Loss"}), table.set_axis(table.index + 1),
               table.astype({"loss": "float64"}), table.assign(series=table["series"].replace("SGD", "sgd")),
               table.iloc[:-1]]
    keys = {content_digest(t) for t in [table, *changed]}
    assert len(keys) == len(changed) + 1
    assert content_digest(table["loss"]) != content_digest(table["loss"] + 1)



def test_the_class_curves_are_one_table_each_layer_picking_its_rows():
    """The class run's curves chart: every run and the median in one dataset (a live chart with two was now and then
    left empty by the browser's in-place update), and each layer's filter, evaluated on those rows, picks the faint
    runs (not the viewer's own), the median, and the viewer's own run."""
    from types import SimpleNamespace

    from lab.dashboard.classrun import charts as class_charts

    runs = pd.DataFrame({"seed": [1, 1, 2, 2, 3, 3], "step": [0, 10] * 3, "loss": [0.3, 0.1, 0.3, 0.2, 0.25, 0.0]})
    median = pd.DataFrame({"step": [0, 10], "loss": [0.3, 0.1]})
    out = spec(class_charts.curves_chart(runs, median, x_title="x", y_title="y", median_title="m"))
    (rows,) = datasets(out)
    assert len(rows) == len(runs) + len(median) and min(r["loss"] for r in rows) == np.float32(charts.LOG_FLOOR)

    def picked(layer: dict) -> set:
        """The (seed, median) of the rows the layer's filter keeps, the filter read as a Python expression."""
        (step,) = layer["transform"]
        test = step["filter"].replace("!==", "!=").replace("===", "==").replace("&&", " and ").replace("!", "not ")
        test = test.replace("not =", "!=")
        return {(r["seed"], r["median"]) for r in rows if eval(test, {"datum": SimpleNamespace(**r), "mine": 2})}

    faint, bold, own = out["layer"]
    assert picked(faint) == {(1, False), (3, False)} and picked(own) == {(2, False)}
    assert picked(bold) == {(-1, True)} and marks(out) == ["line"] * 3
