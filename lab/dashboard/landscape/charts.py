"""Altair charts of the loss landscape page: the loss on the plane with the optimizers' paths, and the straight line."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from lab.dashboard.shared import charts


def surface_chart(grid: pd.DataFrame, paths: pd.DataFrame, *, names, x_title: str, y_title: str, loss_title: str,
                  series_title: str, start_title: str, end_title: str, stalls: pd.DataFrame | None = None,
                  stall_title: str = "stall", size: int = 340) -> alt.LayerChart:
    """The loss on an n × n grid of the plane (grid: x, y, loss) as coloured cells (log scale), with each path
    (paths: series, step, x, y, loss) drawn over it from the common start (0, 0) to a diamond at its end."""
    xs, ys = np.unique(grid["x"]), np.unique(grid["y"])
    dx = (xs[1] - xs[0]) / 2 if len(xs) > 1 else 0.5
    dy = (ys[1] - ys[0]) / 2 if len(ys) > 1 else 0.5
    cells = grid.assign(x_lo=grid["x"] - dx, x_hi=grid["x"] + dx, y_lo=grid["y"] - dy, y_hi=grid["y"] + dy,
                        loss=grid["loss"].clip(lower=charts.LOG_FLOOR))
    x_scale = alt.Scale(domain=[float(xs[0] - dx), float(xs[-1] + dx)], nice=False, zero=False)
    y_scale = alt.Scale(domain=[float(ys[0] - dy), float(ys[-1] + dy)], nice=False, zero=False)
    heat = alt.Chart(cells).mark_rect().encode(
        x=alt.X("x_lo:Q", title=x_title, scale=x_scale), x2="x_hi:Q",
        y=alt.Y("y_lo:Q", title=y_title, scale=y_scale), y2="y_hi:Q",
        color=alt.Color("loss:Q", title=loss_title, scale=alt.Scale(type="log", scheme="viridis"),
                        legend=alt.Legend(orient="right", gradientLength=size - 120, format=".0e")),
        tooltip=[alt.Tooltip("x:Q", format=".3g"), alt.Tooltip("y:Q", format=".3g"),
                 alt.Tooltip("loss:Q", title=loss_title, format=".4g")])
    names = list(names)
    colour = alt.Color("series:N", title=series_title, scale=charts.series_scale(names), sort=names,
                       legend=charts.legend(series_title, 3))
    tips = [alt.Tooltip("series:N", title=series_title), "step:Q", alt.Tooltip("loss:Q", title=loss_title,
                                                                                  format=".4g")]
    data = paths[["series", "step", "x", "y", "loss"]]
    base = alt.Chart(data).encode(x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), color=colour)
    path_lines = base.mark_line(strokeWidth=2.5, opacity=0.95).encode(order="step:Q", tooltip=tips)
    halo = alt.Chart(data).mark_line(strokeWidth=5, color="white", opacity=0.7).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), detail="series:N", order="step:Q")
    last = data.groupby("series", sort=False).tail(1).assign(what=end_title)
    end = alt.Chart(last).mark_point(shape="diamond", size=180, filled=True, stroke="white", strokeWidth=1,
                                     opacity=1).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale),
        color=alt.Color("series:N", scale=charts.series_scale(names), legend=None),
        tooltip=[alt.Tooltip("what:N", title=""), *tips])
    start = alt.Chart(pd.DataFrame({"x": [0.0], "y": [0.0], "what": [start_title]})).mark_point(
        filled=True, size=160, color="black", stroke="white", strokeWidth=1.5, opacity=1).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), tooltip=[alt.Tooltip("what:N", title="")])
    layers = [heat, halo, path_lines, end, start]
    if stalls is not None and len(stalls):  # each path's longest stall at its shadow: filled when near the plane
        marks = stalls.assign(what=stall_title)[["series", "step", "kind", "x", "y", "relative_distance", "near",
                                                 "what"]]
        layers.append(alt.Chart(marks).mark_point(shape="cross", size=220, strokeWidth=1.5, stroke="black").encode(
            x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale),
            fill=alt.Fill("series:N", scale=charts.series_scale(names), legend=None),
            fillOpacity=alt.condition(alt.datum.near, alt.value(1.0), alt.value(0.15)),
            tooltip=[alt.Tooltip("what:N", title=""), alt.Tooltip("series:N", title=series_title), "step:Q",
                     "kind:N", alt.Tooltip("relative_distance:Q", format=".0%")]))
    return alt.layer(*layers).properties(width=size, height=size).resolve_scale(
        color="independent")


def line_chart(lines: pd.DataFrame, *, names, x_title: str, y_title: str, series_title: str,
               height: int = 300) -> alt.LayerChart:
    """The loss along each straight line from the start (α = 0) to an optimizer's end (α = 1); lines: series, alpha,
    loss. Rules at α = 0 and 1."""
    chart = charts.xy_chart(lines, x="alpha", y="loss", series="series", x_title=x_title, y_title=y_title,
                            series_title=series_title, names=names, x_log=False, y_log=True, legend_columns=2,
                            height=height)
    rules = alt.Chart(pd.DataFrame({"alpha": [0.0, 1.0]})).mark_rule(color="#9aa5b1", strokeDash=[4, 3]).encode(
        x="alpha:Q")
    return alt.layer(chart, rules)
