"""Altair charts of the class run page: every student's loss curve faint with the class's median bold (the visitor's
own run marked), and the histogram of iterations to solve with the unsolved apart (beside the lab's reference, once
revealed). Thin payloads: float32 columns, curves already thinned by the database."""

from __future__ import annotations

import altair as alt
import pandas as pd

from lab.dashboard.shared import charts

CLASS, REFERENCE, MINE, MEDIAN = "#2f6fb3", "#9aa5b1", "#d62d7a", "#1f2933"


def curves_chart(curves: pd.DataFrame, median: pd.DataFrame, *, x_title: str, y_title: str, median_title: str,
                 height: int = 300) -> alt.LayerChart:
    """Each run's loss (columns seed, step, loss) faint, the median (step, loss) bold, and the run whose seed is the
    parameter `mine` in colour: one spec for every viewer, each setting `mine` (`shell.chart(..., values=...)`).
    The runs and the median go in one table (the column `median` tells them apart), as in the histogram: a live chart
    with two datasets was, now and then, left empty by the browser's in-place update of its data."""
    runs = curves[["seed", "step", "loss"]].assign(median=False)
    mid = median[["step", "loss"]].assign(seed=-1, median=True)
    data = charts.floor_log(pd.concat([runs, mid], ignore_index=True), ("loss",), True).astype(
        {"step": "int32", "loss": "float32", "seed": "int32"})  # seeds fit: at most 2**31 - 1
    mine = alt.param(name="mine", value=-1)
    x = alt.X("step:Q", title=x_title)
    y = alt.Y("loss:Q", title=y_title, scale=alt.Scale(type="log"))
    base = alt.Chart(data)
    faint = base.mark_line(strokeWidth=1.2, opacity=0.35, color=CLASS).encode(
        x=x, y=y, detail="seed:N").transform_filter(~alt.datum.median & (alt.datum.seed != mine))
    own = base.mark_line(strokeWidth=2.5, color=MINE).encode(
        x=x, y=y, detail="seed:N", tooltip=[alt.Tooltip("seed:Q", format="d")]).transform_filter(
        ~alt.datum.median & (alt.datum.seed == mine))
    bold = base.mark_line(strokeWidth=3.5, color=MEDIAN).encode(
        x=x, y=y, tooltip=[alt.Tooltip("step:Q", title=x_title), alt.Tooltip("loss:Q", title=median_title,
                                                                              format=".4g")]
    ).transform_filter(alt.datum.median)
    return alt.layer(faint, bold, own).add_params(mine).properties(height=height)


def histogram_chart(bars: pd.DataFrame, *, x_title: str, y_title: str, series_title: str,
                    height: int = 260) -> alt.Chart:
    """Bars of the share of runs per bin of iterations to solve, the unsolved last (columns label, fraction, count,
    series: the class first, then the reference once shown); the class's bar labelled as the parameter `mine_bar`
    (the viewer's own run) is outlined."""
    data = bars[["label", "fraction", "count", "series"]].astype({"fraction": "float32", "count": "int32"})
    order = list(dict.fromkeys(data["label"]))
    names = list(dict.fromkeys(data["series"]))
    mine_bar = alt.param(name="mine_bar", value="")
    own = (alt.datum.label == mine_bar) & (alt.datum.series == names[0])
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("label:N", title=x_title, sort=order, axis=alt.Axis(labelAngle=-40)),
        xOffset=alt.XOffset("series:N", sort=names),
        y=alt.Y("fraction:Q", title=y_title, axis=alt.Axis(format="%")),
        color=alt.Color("series:N", title=series_title, sort=names,
                        scale=alt.Scale(domain=names, range=[CLASS, REFERENCE][: len(names)]),
                        legend=charts.legend(series_title, 2)),
        stroke=alt.condition(own, alt.value(MINE), alt.value(None)),
        strokeWidth=alt.condition(own, alt.value(3), alt.value(0)),
        tooltip=[alt.Tooltip("series:N", title=series_title), alt.Tooltip("label:N", title=x_title),
                 alt.Tooltip("count:Q", format="d"), alt.Tooltip("fraction:Q", format=".1%")],
    ).add_params(mine_bar).properties(height=height)


def own_curve_chart(curves: pd.DataFrame, *, x_title: str, y_title: str, series_title: str,
                    height: int = 320) -> alt.Chart:
    """The visitor's own trial: its minibatch loss and its truth-table loss (columns series, step, value), as tall as
    the lecture page's curve and with its legend one name a row: the legend counts in the chart's height, and on a
    phone a two-column one of long names left the lines no room at all."""
    data = charts.floor_log(curves[["series", "step", "value"]], ("value",), True).astype(
        {"step": "int32", "value": "float32"})  # int64 would reach the browser as BigInt, which Vega cannot plot
    names = list(dict.fromkeys(data["series"]))
    return alt.Chart(data).mark_line(strokeWidth=1.6).encode(
        x=alt.X("step:Q", title=x_title), y=alt.Y("value:Q", title=y_title, scale=alt.Scale(type="log")),
        color=charts.color(series_title, names, columns=1),
        tooltip=[alt.Tooltip("series:N", title=series_title), alt.Tooltip("step:Q", title=x_title),
                 alt.Tooltip("value:Q", title=y_title, format=".4g")],
    ).properties(height=height)
