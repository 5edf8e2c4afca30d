"""Altair chart builders: a tidy DataFrame in, an `alt.Chart` out. No Streamlit here, so each is testable alone.

Every builder takes its visible texts (axis titles, legend title) as arguments: the caller translates them. Curves of
several series use a column `series` holding display names; `series_scale` keeps one colour per name whatever the
selection. Log axes need values > 0, so losses are floored at `LOG_FLOOR`.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

LOG_FLOOR = 1e-12
PALETTE = ("#2f6fb3", "#e8710a", "#1a9e77", "#d62d7a", "#7b5ea7", "#8c6d31", "#17becf", "#5f6b7a")
POSITIVE, NEGATIVE, NEUTRAL = "#2f6fb3", "#e8710a", "#f7f7f7"
LEGEND = {"orient": "bottom", "direction": "horizontal", "columns": 2, "labelLimit": 260, "titleLimit": 260,
          "symbolOpacity": 1}


def series_scale(names) -> alt.Scale:
    """One fixed colour per series name, in the order given (pass every possible name for stable colours)."""
    names = list(dict.fromkeys(names))
    return alt.Scale(domain=names, range=[PALETTE[i % len(PALETTE)] for i in range(len(names))])


def _color(title: str, names, columns: int = 2) -> alt.Color:
    return alt.Color("series:N", title=title, scale=series_scale(names), legend=alt.Legend(**{**LEGEND,
                                                                                              "columns": columns}))


def _floor(frame: pd.DataFrame, columns, log: bool) -> pd.DataFrame:
    if not log:
        return frame
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].clip(lower=LOG_FLOOR)
    return frame


def _hover():
    return alt.selection_point(name="hover", fields=["step"], nearest=True, on="pointerover", empty=False,
                               clear="pointerout")


def band_chart(bands: pd.DataFrame, *, x_title: str, y_title: str, series_title: str, names=None, log: bool = True,
               median_title: str = "median", height: int = 340) -> alt.LayerChart:
    """Median line and 25–75% band per series over steps. Columns: series, step, median, q25, q75."""
    data = _floor(bands[["series", "step", "median", "q25", "q75"]], ("median", "q25", "q75"), log)
    names = list(names) if names is not None else list(data["series"].unique())
    y_scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    hover = _hover()
    base = alt.Chart(data).encode(x=alt.X("step:Q", title=x_title),
                                  color=alt.Color("series:N", scale=series_scale(names), legend=None))
    band = base.mark_area(opacity=0.18).encode(y=alt.Y("q25:Q", title=y_title, scale=y_scale), y2="q75:Q")
    line = base.mark_line(strokeWidth=2).encode(y=alt.Y("median:Q", scale=y_scale),
                                                color=_color(series_title, names))
    tips = [alt.Tooltip("series:N", title=series_title), alt.Tooltip("step:Q", title=x_title),
            alt.Tooltip("median:Q", title=median_title, format=".4g"), alt.Tooltip("q25:Q", title="25%", format=".4g"),
            alt.Tooltip("q75:Q", title="75%", format=".4g")]
    points = base.mark_circle(size=48).encode(
        y=alt.Y("median:Q", scale=y_scale), opacity=alt.condition(hover, alt.value(1.0), alt.value(0.0)), tooltip=tips,
    ).add_params(hover)
    rule = alt.Chart(data).mark_rule(color="#9aa5b1").encode(x="step:Q").transform_filter(hover)
    return alt.layer(band, line, rule, points).properties(height=height)


def solved_chart(frame: pd.DataFrame, *, x_title: str, y_title: str, series_title: str, names=None,
                 max_step: int | None = None, height: int = 300) -> alt.LayerChart:
    """Fraction of seeds solved by step t, one step line per series. Columns: series, step, solved_fraction."""
    data = frame[["series", "step", "solved_fraction"]]
    names = list(names) if names is not None else list(data["series"].unique())
    hover = _hover()
    x = alt.X("step:Q", title=x_title, scale=alt.Scale(domain=[0, max_step]) if max_step else alt.Undefined)
    base = alt.Chart(data).encode(x=x, color=_color(series_title, names))
    line = base.mark_line(interpolate="step-after", strokeWidth=2).encode(
        y=alt.Y("solved_fraction:Q", title=y_title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")))
    tips = [alt.Tooltip("series:N", title=series_title), alt.Tooltip("step:Q", title=x_title),
            alt.Tooltip("solved_fraction:Q", title=y_title, format=".0%")]
    points = base.mark_circle(size=48).encode(
        y="solved_fraction:Q", opacity=alt.condition(hover, alt.value(1.0), alt.value(0.0)), tooltip=tips,
    ).add_params(hover)
    rule = alt.Chart(data).mark_rule(color="#9aa5b1").encode(x="step:Q").transform_filter(hover)
    return alt.layer(line, rule, points).properties(height=height)


def steps_chart(trials: pd.DataFrame, *, x_title: str, series_title: str, names=None, max_step: int | None = None,
                height_per_series: int = 40) -> alt.LayerChart:
    """Distribution of steps to solve: a box per series and a tick per solved trial. Columns: series,
    steps_to_solve (missing for unsolved trials, which are left out: the success rate counts them)."""
    data = trials[["series", "steps_to_solve"]].dropna().astype({"steps_to_solve": "float64"})
    names = list(names) if names is not None else list(trials["series"].unique())
    y = alt.Y("series:N", title=None, sort=names, scale=alt.Scale(domain=names))
    color = alt.Color("series:N", scale=series_scale(names), legend=None)
    x = alt.X("steps_to_solve:Q", title=x_title,
              scale=alt.Scale(domain=[0, max_step]) if max_step else alt.Scale(zero=True))
    box = alt.Chart(data).mark_boxplot(extent=1.5, opacity=0.5, size=22, outliers=False).encode(x=x, y=y, color=color)
    ticks = alt.Chart(data).mark_tick(thickness=1.5, size=18, opacity=0.7).encode(
        x=x, y=y, color=color, tooltip=[alt.Tooltip("series:N", title=series_title),
                                        alt.Tooltip("steps_to_solve:Q", title=x_title)])
    return alt.layer(box, ticks).properties(height=60 + height_per_series * len(names))


def success_chart(summary: pd.DataFrame, *, x_title: str, names=None, interval_title: str = "95%",
                  height_per_series: int = 32) -> alt.LayerChart:
    """Success rate per series with its 95% interval. Columns: series, success_rate, success_lo, success_hi."""
    data = summary[["series", "success_rate", "success_lo", "success_hi"]]
    names = list(names) if names is not None else list(data["series"])
    y = alt.Y("series:N", title=None, sort=names, scale=alt.Scale(domain=names))
    color = alt.Color("series:N", scale=series_scale(names), legend=None)
    x = alt.X("success_rate:Q", title=x_title, scale=alt.Scale(domain=[-0.02, 1.02], nice=False),
              axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]))
    tips = [alt.Tooltip("success_rate:Q", title=x_title, format=".0%"),
            alt.Tooltip("success_lo:Q", title=f"{interval_title} ↓", format=".0%"),
            alt.Tooltip("success_hi:Q", title=f"{interval_title} ↑", format=".0%")]
    rule = alt.Chart(data).mark_rule(strokeWidth=2).encode(x="success_lo:Q", x2="success_hi:Q", y=y, color=color)
    point = alt.Chart(data).mark_point(filled=True, size=90).encode(x=x, y=y, color=color, tooltip=tips)
    return alt.layer(rule, point).properties(height=60 + height_per_series * len(names))


def loss_chart(curves: pd.DataFrame, *, x_title: str, y_title: str, series_title: str, log: bool = True,
               marks: pd.DataFrame | None = None, height: int = 320) -> alt.LayerChart:
    """Loss over steps of one trial. Columns: series, step, value; `marks` (step, value) adds dots (the printed
    log lines)."""
    data = _floor(curves[["series", "step", "value"]], ("value",), log)
    names = list(data["series"].unique())
    y_scale = alt.Scale(type="log") if log else alt.Scale(zero=True)
    tips = [alt.Tooltip("series:N", title=series_title), alt.Tooltip("step:Q", title=x_title),
            alt.Tooltip("value:Q", title=y_title, format=".6g")]
    hover = _hover()
    base = alt.Chart(data).encode(x=alt.X("step:Q", title=x_title), color=_color(series_title, names, columns=1))
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
        dots = _floor(marks[["step", "value"]], ("value",), log)
        layers.append(alt.Chart(dots).mark_point(color="#1f2933", size=30, filled=True).encode(
            x="step:Q", y=alt.Y("value:Q", scale=y_scale),
            tooltip=[alt.Tooltip("step:Q", title="i"), alt.Tooltip("value:Q", title="loss", format=".17g")]))
    return alt.layer(*layers).properties(height=height)


def boundary_chart(grid: pd.DataFrame, table: pd.DataFrame, *, score_title: str, target_title: str,
                   answer_title: str = "answer", size: int = 300) -> alt.LayerChart:
    """The net's answer over the input square, as TensorFlow Playground draws it: orange near 0, blue near 1, white
    at the decision boundary 0.5; the 4 truth-table rows as dots coloured by their target. `grid`: x1, x2, score
    on a regular n × n grid; `table`: x1, x2, target, answer."""
    n = int(round(np.sqrt(len(grid))))
    half = 0.5 / max(1, n - 1)
    cells = grid.assign(x1_lo=(grid["x1"] - half).clip(0, 1), x1_hi=(grid["x1"] + half).clip(0, 1),
                        x2_lo=(grid["x2"] - half).clip(0, 1), x2_hi=(grid["x2"] + half).clip(0, 1))
    square = alt.Scale(domain=[0, 1], nice=False)
    colours = alt.Scale(domain=[0, 0.5, 1], range=[NEGATIVE, NEUTRAL, POSITIVE])
    heat = alt.Chart(cells).mark_rect(strokeWidth=0.6).encode(
        x=alt.X("x1_lo:Q", title="x1", scale=square), x2="x1_hi:Q",
        y=alt.Y("x2_lo:Q", title="x2", scale=square), y2="x2_hi:Q",
        color=alt.Color("score:Q", title=score_title, scale=colours, legend=None),
        stroke=alt.Stroke("score:Q", scale=colours, legend=None),
        tooltip=[alt.Tooltip("x1:Q", format=".2f"), alt.Tooltip("x2:Q", format=".2f"),
                 alt.Tooltip("score:Q", title=score_title, format=".3f")])
    rows = table[["x1", "x2", "target", "answer"]].astype({"x1": float, "x2": float})
    dots = alt.Chart(rows).mark_point(filled=True, size=260, stroke="#1f2933", strokeWidth=1.5, opacity=1).encode(
        x=alt.X("x1:Q", scale=square), y=alt.Y("x2:Q", scale=square),
        fill=alt.Fill("target:N", title=target_title, scale=alt.Scale(domain=[0, 1], range=[NEGATIVE, POSITIVE]),
                      legend=None),
        tooltip=["x1:Q", "x2:Q", alt.Tooltip("target:N", title=target_title),
                 alt.Tooltip("answer:N", title=answer_title)])
    return alt.layer(heat, dots).properties(width=size, height=size).configure_view(stroke=None)


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
