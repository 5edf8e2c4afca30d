"""Altair charts of the lecture page: the loss curve, the network, and the replay of the trial's training."""

from __future__ import annotations

import altair as alt
import pandas as pd

from lab.dashboard.shared import charts
from lab.dashboard.shared.charts import NEGATIVE, POSITIVE


def loss_chart(curves: pd.DataFrame, *, x_title: str, y_title: str, series_title: str, log: bool = True,
               marks: pd.DataFrame | None = None, height: int = 320) -> alt.LayerChart:
    """Loss over steps of one trial. Columns: series, step, value; `marks` (step, value) adds dots (the printed
    log lines)."""
    data = charts.floor_log(curves[["series", "step", "value"]], ("value",), log)
    names = list(data["series"].unique())
    y_scale = alt.Scale(type="log") if log else alt.Scale(zero=True)
    tips = [alt.Tooltip("series:N", title=series_title), alt.Tooltip("step:Q", title=x_title),
            alt.Tooltip("value:Q", title=y_title, format=".6g")]
    hover = charts.hover()
    base = alt.Chart(data).encode(x=alt.X("step:Q", title=x_title), color=charts.color(series_title, names, columns=1))
    # one line layer per series, the first drawn first: the smooth truth-table loss stays visible over the noisy one
    lines = [base.mark_line(strokeWidth=1.2 if k == 0 else 2.2, opacity=0.75 if k == 0 else 1.0).encode(
        y=alt.Y("value:Q", title=y_title, scale=y_scale)).transform_filter(alt.datum.series == name)
        for k, name in enumerate(names)]
    points = base.mark_circle(size=40).encode(
        y=alt.Y("value:Q", scale=y_scale), opacity=alt.condition(hover, alt.value(1.0), alt.value(0.0)), tooltip=tips,
    ).add_params(hover)
    rule = alt.Chart(data).mark_rule(color="#9aa5b1").encode(x="step:Q").transform_filter(hover)
    layers = [*lines, rule, points]
    if marks is not None and len(marks):
        dots = charts.floor_log(marks[["step", "value"]], ("value",), log)
        layers.append(alt.Chart(dots).mark_point(color="#1f2933", size=30, filled=True).encode(
            x="step:Q", y=alt.Y("value:Q", scale=y_scale),
            tooltip=[alt.Tooltip("step:Q", title="i"), alt.Tooltip("value:Q", title="loss", format=".17g")]))
    return alt.layer(*layers).properties(height=height)


def network_chart(nodes: pd.DataFrame, edges: pd.DataFrame, *, weight_title: str, bias_title: str,
                  max_labels: int = 12) -> alt.LayerChart:
    """The net drawn from `inspect.network_layout`: edges blue for w > 0 and orange for w < 0, thicker for larger
    |w|, labelled with w when there are at most `max_labels`; each unit shows its bias below it."""
    tall = int(nodes.groupby("layer").size().max())
    big = tall > 6
    x_scale = alt.Scale(domain=[-0.25, nodes["x"].max() + 0.25])
    y_scale = alt.Scale(domain=[nodes["y"].min() - 0.55, nodes["y"].max() + 0.45])
    x, y = alt.X("x:Q", axis=None, scale=x_scale), alt.Y("y:Q", axis=None, scale=y_scale)
    biggest = float(edges["weight"].abs().max()) or 1.0
    sign = alt.condition(alt.datum.weight >= 0, alt.value(POSITIVE), alt.value(NEGATIVE))
    tips = [alt.Tooltip("source:N"), alt.Tooltip("target:N"), alt.Tooltip("weight:Q", title=weight_title,
                                                                          format=".4f")]
    lines = alt.Chart(edges).mark_rule(opacity=0.85).encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q", color=sign, tooltip=tips,
        strokeWidth=alt.StrokeWidth("abs_w:Q", scale=alt.Scale(domain=[0, biggest], range=[0.5, 7]), legend=None),
    ).transform_calculate(abs_w="abs(datum.weight)")
    dots = alt.Chart(nodes).mark_circle(size=120 if big else 1500, opacity=1, color="#f3f6fa", stroke="#52606d",
                                        strokeWidth=1.5).encode(
        x=x, y=y, tooltip=["name:N", alt.Tooltip("bias:Q", title=bias_title, format=".4f")])
    layers = [lines, dots]
    if not big:
        layers.append(alt.Chart(nodes).mark_text(fontSize=14, fontWeight="bold", color="#1f2933").encode(
            x=x, y=y, text="name:N"))
        biased = nodes.dropna(subset=["bias"]).assign(label=lambda f: [f"b={b:.2f}" for b in f["bias"]])
        layers.append(alt.Chart(biased).mark_text(fontSize=12, dy=34, color="#52606d").encode(
            x=x, y=y, text="label:N"))
    if len(edges) <= max_labels:
        labelled = edges.assign(label=[f"{w:.2f}" for w in edges["weight"]])
        for halo in (True, False):
            layers.append(alt.Chart(labelled).mark_text(
                fontSize=12, fontWeight="bold", stroke="white" if halo else None, strokeWidth=4 if halo else 0,
                color="#1f2933").encode(x=alt.X("lx:Q", scale=x_scale, axis=None),
                                        y=alt.Y("ly:Q", scale=y_scale, axis=None), text="label:N"))
    height = min(560, max(220, 80 * tall + 60))
    return alt.layer(*layers).properties(height=height).configure_view(stroke=None)
