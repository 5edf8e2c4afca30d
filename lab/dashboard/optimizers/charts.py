"""Altair charts of the optimizers page: bands, solved-by-step, steps to solve, success rates."""

from __future__ import annotations

import altair as alt
import pandas as pd

from lab.dashboard.shared import charts
from lab.dashboard.shared.charts import series_scale

LABEL_LIMIT = 260  # px of a series label on a y axis: "Momentum (学習率 0.5)" whole (Vega's default cuts it)


def band_chart(bands: pd.DataFrame, *, x_title: str, y_title: str, series_title: str, names=None, log: bool = True,
               median_title: str = "median", height: int = 340) -> alt.LayerChart:
    """Median line and 25–75% band per series over steps. Columns: series, step, median, q25, q75."""
    data = charts.floor_log(bands[["series", "step", "median", "q25", "q75"]], ("median", "q25", "q75"), log)
    names = list(names) if names is not None else list(data["series"].unique())
    y_scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    hover = charts.hover()
    # one colour encoding with its legend for every layer: a layer whose legend is None hides the shared legend
    base = alt.Chart(data).encode(x=alt.X("step:Q", title=x_title), color=charts.color(series_title, names))
    band = base.mark_area(opacity=0.18).encode(y=alt.Y("q25:Q", title=y_title, scale=y_scale), y2="q75:Q")
    line = base.mark_line(strokeWidth=2).encode(y=alt.Y("median:Q", scale=y_scale))
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
    hover = charts.hover()
    x = alt.X("step:Q", title=x_title, scale=alt.Scale(domain=[0, max_step]) if max_step else alt.Undefined)
    base = alt.Chart(data).encode(x=x, color=charts.color(series_title, names))
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
    y = alt.Y("series:N", title=None, sort=names, scale=alt.Scale(domain=names), axis=alt.Axis(labelLimit=LABEL_LIMIT))
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
    y = alt.Y("series:N", title=None, sort=names, scale=alt.Scale(domain=names), axis=alt.Axis(labelLimit=LABEL_LIMIT))
    color = alt.Color("series:N", scale=series_scale(names), legend=None)
    x = alt.X("success_rate:Q", title=x_title, scale=alt.Scale(domain=[-0.02, 1.02], nice=False),
              axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]))
    tips = [alt.Tooltip("success_rate:Q", title=x_title, format=".0%"),
            alt.Tooltip("success_lo:Q", title=f"{interval_title} ↓", format=".0%"),
            alt.Tooltip("success_hi:Q", title=f"{interval_title} ↑", format=".0%")]
    rule = alt.Chart(data).mark_rule(strokeWidth=2).encode(x="success_lo:Q", x2="success_hi:Q", y=y, color=color)
    point = alt.Chart(data).mark_point(filled=True, size=90).encode(x=x, y=y, color=color, tooltip=tips)
    return alt.layer(rule, point).properties(height=60 + height_per_series * len(names))


def survival_chart(curves: pd.DataFrame, *, x_title: str, y_title: str, series_title: str, band_title: str,
                   names=None, max_step: int | None = None, height: int = 300) -> alt.LayerChart:
    """Kaplan–Meier solved fraction by step with its 95% band, a step line per series; unsolved trials are censored
    at the step budget (a dashed rule). Columns: series, step, solved_fraction, lo, hi."""
    data = curves[["series", "step", "solved_fraction", "lo", "hi"]]
    names = list(names) if names is not None else list(data["series"].unique())
    hover = charts.hover()
    x = alt.X("step:Q", title=x_title, scale=alt.Scale(domain=[0, max_step]) if max_step else alt.Undefined)
    y_scale = alt.Scale(domain=[0, 1])
    base = alt.Chart(data).encode(x=x, color=charts.color(series_title, names))
    band = base.mark_area(interpolate="step-after", opacity=0.15).encode(y=alt.Y("lo:Q", scale=y_scale), y2="hi:Q")
    line = base.mark_line(interpolate="step-after", strokeWidth=2).encode(
        y=alt.Y("solved_fraction:Q", title=y_title, scale=y_scale, axis=alt.Axis(format="%")))
    tips = [alt.Tooltip("series:N", title=series_title), alt.Tooltip("step:Q", title=x_title),
            alt.Tooltip("solved_fraction:Q", title=y_title, format=".0%"),
            alt.Tooltip("lo:Q", title=f"{band_title} ↓", format=".0%"),
            alt.Tooltip("hi:Q", title=f"{band_title} ↑", format=".0%")]
    points = base.mark_circle(size=48).encode(
        y="solved_fraction:Q", opacity=alt.condition(hover, alt.value(1.0), alt.value(0.0)), tooltip=tips,
    ).add_params(hover)
    layers = [band, line, points]
    if max_step:
        layers.append(alt.Chart(pd.DataFrame({"step": [max_step]})).mark_rule(strokeDash=[4, 3], color="#5f6b7a")
                      .encode(x="step:Q"))
    return alt.layer(*layers).properties(height=height)
