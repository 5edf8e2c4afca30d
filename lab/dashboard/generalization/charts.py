"""Altair builders of the generalization and tuning pages: a tidy DataFrame in, an `alt.Chart` out.

Visible texts come in as arguments (the caller translates them). `curves_chart` draws the lecture's training-versus-test
figure with the early-stopping step as a rule; `xy_chart` draws lines of median values against a swept setting
(width, learning rate, batch size), on log axes where asked, with an optional 25–75% band and marked points.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from lab.dashboard.shared import charts
from lab.dashboard.shared.charts import LOG_FLOOR

SET_COLOURS = {"train": "#2f6fb3", "val": "#e8710a", "test": "#1a9e77"}


def curves_chart(bands: pd.DataFrame, *, names: dict, x_title: str, y_title: str, set_title: str, log: bool = False,
                 stop_step: float | None = None, stop_label: str = "", best: tuple | None = None,
                 best_label: str = "", height: int = 360) -> alt.LayerChart:
    """Median and 25–75% band of the training, validation and test curves over steps. `bands`: set, step, median,
    q25, q75; `names`: set -> display name; a dashed rule at `stop_step`, a ring at `best` = (step, value)."""
    data = bands.assign(series=[names[s] for s in bands["set"]])
    if log:
        data[["median", "q25", "q75"]] = data[["median", "q25", "q75"]].clip(lower=LOG_FLOOR)
    order = [names[s] for s in SET_COLOURS if s in names]
    colour = alt.Scale(domain=order, range=[SET_COLOURS[s] for s in SET_COLOURS if s in names])
    y_scale = alt.Scale(type="log") if log else alt.Scale(zero=True)
    y_axis = alt.Axis(format=".0%") if not log else alt.Axis()
    base = alt.Chart(data).encode(x=alt.X("step:Q", title=x_title))
    colour_enc = alt.Color("series:N", scale=colour, sort=order, legend=charts.legend(set_title, 3))
    band = base.mark_area(opacity=0.15).encode(y=alt.Y("q25:Q", title=y_title, scale=y_scale, axis=y_axis),
                                               y2="q75:Q", color=colour_enc)
    tips = [alt.Tooltip("series:N", title=set_title), alt.Tooltip("step:Q", title=x_title),
            alt.Tooltip("median:Q", title=y_title, format=".3f" if not log else ".4g"),
            alt.Tooltip("q25:Q", title="25%", format=".3g"), alt.Tooltip("q75:Q", title="75%", format=".3g")]
    line = base.mark_line(strokeWidth=2.2, point=alt.OverlayMarkDef(size=40, opacity=0)).encode(
        y=alt.Y("median:Q", scale=y_scale), color=colour_enc, tooltip=tips)  # invisible points: tooltips
    layers = [band, line]
    if stop_step is not None and stop_step == stop_step:
        marker = pd.DataFrame({"step": [stop_step], "label": [stop_label]})
        layers.append(alt.Chart(marker).mark_rule(strokeDash=[6, 4], color="#52606d", strokeWidth=1.5).encode(
            x="step:Q", tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("step:Q", title=x_title)]))
        layers.append(alt.Chart(marker).mark_text(align="left", baseline="top", dx=4, dy=4, color="#52606d",
                                                  fontSize=12).encode(x="step:Q", y=alt.value(0), text="label:N"))
    if best is not None:
        ring = pd.DataFrame({"step": [best[0]], "median": [max(best[1], LOG_FLOOR) if log else best[1]],
                             "label": [best_label]})
        layers.append(alt.Chart(ring).mark_point(size=220, strokeWidth=2.5, color=SET_COLOURS["test"]).encode(
            x="step:Q", y=alt.Y("median:Q", scale=y_scale),
            tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("step:Q", title=x_title),
                     alt.Tooltip("median:Q", title=y_title, format=".3f")]))
    return alt.layer(*layers).properties(height=height)
