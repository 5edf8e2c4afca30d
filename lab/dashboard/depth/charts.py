"""Altair builders of the depth page: a tidy DataFrame in, an `alt.Chart` out (no Streamlit; visible texts are
arguments, so the caller translates them).

Depths and layers are ordered, so their series take colours from a sequential scheme (shallow / first layer dark,
deep / output layer light) rather than the categorical palette of `lab.dashboard.shared.charts`.
"""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from lab.dashboard.shared import charts
from lab.dashboard.shared.charts import LOG_FLOOR, NEGATIVE, POSITIVE, floor_log, series_scale

SCHEME = {"name": "viridis", "extent": [0.0, 0.85]}  # the lightest yellows are hard to see on white
ACTIVATION_ORDER = ("sigmoid", "tanh", "relu")
# the width follows the page, `height` is the plot's own (legends and axes below it add to it, as on a phone they must)
FIT = alt.AutoSizeParams(type="fit-x", contains="padding")


def heatmap(table: pd.DataFrame, value: str, *, x_title: str, y_title: str, value_title: str,
            tips: dict[str, str] | None = None, height_per_row: int = 44) -> alt.LayerChart:
    """A cell per (activation, depth) coloured by `value` (a fraction, 0 to 1) and labelled with it in percent.
    Columns: activation, depth, `value`, and those of `tips` (column -> title), shown on hover."""
    tips = tips or {}
    data = table[["activation", "depth", value, *[c for c in tips if c != value]]].copy()
    data["label"] = [("–" if v != v else f"{100 * v:.0f}%") for v in data[value]]
    rows = [a for a in ACTIVATION_ORDER if a in set(data["activation"])]
    x = alt.X("depth:O", title=x_title, axis=alt.Axis(labelAngle=0))
    y = alt.Y("activation:N", title=y_title, sort=rows, scale=alt.Scale(domain=rows))
    tooltip = [alt.Tooltip("activation:N", title=y_title), alt.Tooltip("depth:O", title=x_title),
               alt.Tooltip(f"{value}:Q", title=value_title, format=".0%")]
    tooltip += [alt.Tooltip(f"{c}:N", title=title) if data[c].dtype == object else
                alt.Tooltip(f"{c}:Q", title=title, format=".0%" if "fraction" in c or "rate" in c else ".3g")
                for c, title in tips.items() if c != value]
    cells = alt.Chart(data).mark_rect(stroke="white", strokeWidth=2).encode(
        x=x, y=y, tooltip=tooltip,
        # no legend: every cell is labelled (and a gradient legend at the bottom collapses a band-scale chart)
        color=alt.Color(f"{value}:Q", title=value_title, legend=None, scale=alt.Scale(domain=[0, 1], scheme="blues")))
    text = alt.Chart(data).mark_text(fontSize=alt.ExprRef("width < 360 ? 9 : 13"), fontWeight="bold").encode(
        x=x, y=y, text="label:N", tooltip=tooltip,
        color=alt.condition(f"datum.{value} > 0.55", alt.value("white"), alt.value("#1f2933")))
    return alt.layer(cells, text).properties(height=height_per_row * len(rows), autosize=FIT)


def ordered_bands(bands: pd.DataFrame, *, names, x_title: str, y_title: str, series_title: str, log: bool = True,
                  y_domain=None, legend_columns: int = 4, height: int = 240) -> alt.LayerChart:
    """Median line and 25–75% band per series over steps, the series ordered as `names` (depths, layers) and
    coloured along a sequential scheme. Columns: series, step, median, q25, q75."""
    data = floor_log(bands[["series", "step", "median", "q25", "q75"]], ("median", "q25", "q75"), log)
    names = list(names)
    scale = (alt.Scale(type="log") if log else
             alt.Scale(domain=list(y_domain)) if y_domain is not None else alt.Scale(zero=False))
    color = alt.Color("series:O", title=series_title, sort=names, scale=alt.Scale(domain=names, scheme=SCHEME),
                      legend=alt.Legend(orient="bottom", direction="horizontal", columns=legend_columns,
                                        labelLimit=200, titleLimit=260, symbolOpacity=1))
    hover = charts.hover()
    base = alt.Chart(data).encode(x=alt.X("step:Q", title=x_title), color=color)
    axis = alt.Axis(format=".0e", values=decades(data[["q25", "median", "q75"]].to_numpy())) if log else alt.Axis()
    band = base.mark_area(opacity=0.12).encode(y=alt.Y("q25:Q", title=y_title, scale=scale, axis=axis), y2="q75:Q")
    line = base.mark_line(strokeWidth=2).encode(y=alt.Y("median:Q", scale=scale))
    tips = [alt.Tooltip("series:N", title=series_title), alt.Tooltip("step:Q", title=x_title),
            alt.Tooltip("median:Q", title=y_title, format=".3g"), alt.Tooltip("q25:Q", title="25%", format=".3g"),
            alt.Tooltip("q75:Q", title="75%", format=".3g")]
    points = base.mark_circle(size=40).encode(
        y=alt.Y("median:Q", scale=scale), opacity=alt.condition(hover, alt.value(1.0), alt.value(0.0)), tooltip=tips,
    ).add_params(hover)
    rule = alt.Chart(data).mark_rule(color="#9aa5b1").encode(x="step:Q").transform_filter(hover)
    return alt.layer(band, line, rule, points).properties(height=height, autosize=FIT)


def decades(values, most: int = 7) -> list[float]:
    """Powers of ten spanning the positive finite `values` (every k-th, for at most about `most` ticks): the grid
    lines of a log axis, one per decade rather than the nine a log scale draws by default."""
    values = np.asarray(values, dtype=np.float64).ravel()
    values = values[np.isfinite(values) & (values > 0)]
    if not len(values):
        return [1.0]
    lo, hi = math.floor(math.log10(values.min())), math.ceil(math.log10(values.max()))
    step = max(1, math.ceil((hi - lo + 1) / most))
    return [10.0 ** k for k in range(hi, lo - 1, -step)][::-1]


def ratio_chart(table: pd.DataFrame, *, x_title: str, y_title: str, series_title: str,
                height: int = 240) -> alt.LayerChart:
    """The first layer's gradient norm over the output layer's (median) against depth, one line per activation, on a
    log axis; zero ratios (no gradient reaches the first layer) cannot be drawn there and are left out.
    Columns: activation, depth, grad_ratio."""
    data = table[["activation", "depth", "grad_ratio"]]
    data = data[data["grad_ratio"] > LOG_FLOOR].rename(columns={"activation": "series"})
    names = [a for a in ACTIVATION_ORDER if a in set(table["activation"])]
    x = alt.X("depth:Q", title=x_title, axis=alt.Axis(tickMinStep=1, format="d"),
              scale=alt.Scale(domain=[table["depth"].min() - 0.3, table["depth"].max() + 0.3], nice=False))
    y = alt.Y("grad_ratio:Q", title=y_title, scale=alt.Scale(type="log"),
              axis=alt.Axis(format=".0e", values=decades([*data["grad_ratio"], 1.0])))
    color = alt.Color("series:N", title=series_title, scale=series_scale(names),
                      legend=alt.Legend(orient="bottom", direction="horizontal"))
    tips = [alt.Tooltip("series:N", title=series_title), alt.Tooltip("depth:Q", title=x_title),
            alt.Tooltip("grad_ratio:Q", title=y_title, format=".3g")]
    base = alt.Chart(data).encode(x=x, y=y, color=color)
    rule = alt.Chart(pd.DataFrame({"one": [1.0]})).mark_rule(color="#9aa5b1", strokeDash=[4, 4]).encode(y="one:Q")
    return alt.layer(rule, base.mark_line(strokeWidth=2), base.mark_point(filled=True, size=70).encode(tooltip=tips)
                     ).properties(height=height, autosize=FIT)


def spectrum_chart(eigs: pd.DataFrame, *, x_title: str, y_title: str, sign_title: str, sign_names: dict[str, str],
                   flat: float, height: int = 240) -> alt.LayerChart:
    """The Hessian's eigenvalues in ascending order (a point per eigenvalue) on a symmetric log axis that is linear
    within ±`flat`; negative ones large and orange. Columns: rank, eigenvalue, sign (negative / flat / positive);
    `sign_names` translates the signs."""
    data = eigs[["rank", "eigenvalue", "sign"]].assign(kind=lambda f: f["sign"].map(sign_names))
    order = [sign_names[s] for s in ("negative", "flat", "positive")]
    color = alt.Color("kind:N", title=sign_title, scale=alt.Scale(domain=order, range=[NEGATIVE, "#9aa5b1",
                                                                                       POSITIVE]),
                      legend=alt.Legend(orient="bottom", direction="horizontal"))
    size = alt.Size("kind:N", scale=alt.Scale(domain=order, range=[110, 30, 40]), legend=None)
    y = alt.Y("eigenvalue:Q", title=y_title, scale=alt.Scale(type="symlog", constant=flat),
              axis=alt.Axis(values=symlog_ticks(data["eigenvalue"], flat),
                            labelExpr="datum.value == 0 ? '0' : format(datum.value, '.0e')"))
    points = alt.Chart(data).mark_point(filled=True, opacity=0.9).encode(
        x=alt.X("rank:Q", title=x_title, axis=alt.Axis(tickMinStep=1, format="d")), y=y, color=color, size=size,
        tooltip=[alt.Tooltip("rank:Q", title=x_title), alt.Tooltip("eigenvalue:Q", title=y_title, format=".3e"),
                 alt.Tooltip("kind:N", title=sign_title)])
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#52606d").encode(y="zero:Q")
    return alt.layer(zero, points).properties(height=height, autosize=FIT)


def symlog_ticks(values, flat: float) -> list[float]:
    """Tick values for a symmetric log axis: 0 and ±powers of ten from `flat` up to the data's extent, every other
    decade when there are many."""
    values = pd.Series(values, dtype=float)
    lo_exp = math.floor(math.log10(flat))
    ticks = [0.0]
    for sign, extent in ((1, values.max()), (-1, -values.min())):
        if extent > flat:
            top = math.ceil(math.log10(extent))
            step = 1 if top - lo_exp <= 4 else 2
            powers = list(range(lo_exp, top + 1, step))
            ticks += [sign * 10.0 ** k for k in powers + ([top] if powers[-1] != top else [])]
    return sorted(ticks)


def batch_chart(frame: pd.DataFrame, value: str, *, x_title: str, y_title: str, series_title: str, names,
                height: int = 200) -> alt.Chart:
    """Grouped bars per depth, one bar per series (minibatch, full batch). Columns: depth, series, `value`."""
    names = list(names)
    return alt.Chart(frame[["depth", "series", value]]).mark_bar().encode(
        x=alt.X("depth:O", title=x_title, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("series:N", sort=names),
        y=alt.Y(f"{value}:Q", title=y_title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("series:N", title=series_title, scale=series_scale(names),
                        legend=alt.Legend(orient="bottom", direction="horizontal")),
        tooltip=[alt.Tooltip("series:N", title=series_title), alt.Tooltip("depth:O", title=x_title),
                 alt.Tooltip(f"{value}:Q", title=y_title, format=".0%")],
    ).properties(height=height, autosize=FIT)
