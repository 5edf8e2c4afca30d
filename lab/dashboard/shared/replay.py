"""A trial's replay, as the lecture, neurons and depth pages draw it: whether a config's replay is drawn at all, and
its chart (frames of `jobs.replay_frames` under one slider, animated by the browser). No Streamlit here; the shell
draws it with its play button (`shell.replay`)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from lab.core.config import TrialConfig
from lab.dashboard.shared import charts
from lab.dashboard.shared.charts import NEGATIVE, POSITIVE

MAX_REPLAY_UNITS = 24  # hidden units drawn as small maps in a replay


def replayable(config: TrialConfig) -> bool:
    """Whether a page draws the replay of a trial of `config` (one map per hidden unit: not too many)."""
    return config.depth * config.width <= MAX_REPLAY_UNITS and config.steps >= 2


def _map(data: pd.DataFrame, value: str, n: int, size: int, title: str, at) -> alt.LayerChart:
    """One map of the input plane (orange 0, white 0.5, blue 1 — Playground's colours; tanh/ReLU units beyond [0, 1]
    take the end colours), filtered to the slider's frame."""
    colours = alt.Scale(domain=[0, 0.5, 1], range=[NEGATIVE, charts.NEUTRAL, POSITIVE], clamp=True)
    data = data.astype({"frame": "int16", "x1": "float32", "x2": "float32", value: "float32"})  # a thin payload
    lo, hi = float(data["x1"].min()), float(data["x1"].max())
    half = (hi - lo) / (2 * max(1, n - 1))
    square = alt.Scale(domain=[lo - half, hi + half], nice=False, zero=False)
    heat = alt.Chart(data).mark_rect().encode(
        x=alt.X("x1_lo:Q", scale=square, axis=None), x2="x1_hi:Q",
        y=alt.Y("x2_lo:Q", scale=square, axis=None), y2="x2_hi:Q",
        color=alt.Color(f"{value}:Q", scale=colours, legend=None),
        tooltip=[alt.Tooltip("x1:Q", format=".2f"), alt.Tooltip("x2:Q", format=".2f"),
                 alt.Tooltip(f"{value}:Q", format=".3f")],
    ).transform_filter(alt.datum.frame == at).transform_calculate(
        x1_lo=alt.datum.x1 - half, x1_hi=alt.datum.x1 + half, x2_lo=alt.datum.x2 - half, x2_hi=alt.datum.x2 + half,
    )
    corners = alt.Chart(pd.DataFrame({"x1": [0.0, 0.0, 1.0, 1.0], "x2": [0.0, 1.0, 0.0, 1.0]})).mark_point(
        size=18 if size < 120 else 40, color="#1f2933", opacity=0.8).encode(x=alt.X("x1:Q", scale=square),
                                                                            y=alt.Y("x2:Q", scale=square))
    return alt.layer(heat, corners, title=alt.Title(title, fontSize=12)).properties(width=size, height=size)


def replay_chart(frames: dict, nodes: pd.DataFrame, edges: pd.DataFrame, *, slider_title: str, map_title: str,
                 loss_title: str, step_title: str, output_title: str, units_title: str, name: str = "frame",
                 map_size: int = 130) -> alt.VConcatChart:
    """One trial's training, frame by frame, under one slider (a Vega-Lite parameter: the browser redraws, the server
    does not run): the decision map, every hidden unit's own map, the network with its weights at that frame (width
    and colour = weight), the truth table's outputs, and the truth-table loss with a marker at that frame. `frames`:
    the tables of `jobs.replay_frames`; `nodes`, `edges`: `inspect.network_layout` (the drawing's geometry); `name`:
    the slider's parameter (its input's name in the page)."""
    last = int(frames["loss"]["frame"].max())
    at = alt.param(name=name, value=last, bind=alt.binding_range(min=0, max=last, step=1, name=slider_title + " "))
    n = int(round(np.sqrt((frames["decision"]["frame"] == 0).sum())))
    decision = _map(frames["decision"][["frame", "x1", "x2", "score"]], "score", n, map_size, map_title, at)
    units = frames["units"]
    unit_maps = [_map(units[units["unit"] == name][["frame", "x1", "x2", "activation"]], "activation", n,
                      map_size * 3 // 5, name, at) for name in dict.fromkeys(units["unit"])]
    # the network: each drawn edge with its weight at every frame
    weights = frames["weights"][frames["weights"]["kind"] == "weight"][["frame", "from_unit", "to_unit", "weight"]]
    moving = edges[["source", "target", "x", "y", "x2", "y2"]].merge(
        weights, left_on=["source", "target"], right_on=["from_unit", "to_unit"]).drop(columns=["from_unit", "to_unit"])
    biggest = float(moving["weight"].abs().max()) or 1.0
    x_scale = alt.Scale(domain=[-0.25, nodes["x"].max() + 0.25])
    y_scale = alt.Scale(domain=[nodes["y"].min() - 0.45, nodes["y"].max() + 0.45])
    x, y = alt.X("x:Q", axis=None, scale=x_scale), alt.Y("y:Q", axis=None, scale=y_scale)
    sign = alt.condition(alt.datum.weight >= 0, alt.value(POSITIVE), alt.value(NEGATIVE))
    net_lines = alt.Chart(moving).mark_rule(opacity=0.85).encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q", color=sign,
        strokeWidth=alt.StrokeWidth("abs_w:Q", scale=alt.Scale(domain=[0, biggest], range=[0.3, 8]), legend=None),
        tooltip=["source:N", "target:N", alt.Tooltip("weight:Q", format=".3f")],
    ).transform_filter(alt.datum.frame == at).transform_calculate(abs_w="abs(datum.weight)")
    tall = int(nodes.groupby("layer").size().max())
    net_dots = alt.Chart(nodes).mark_circle(size=60 if tall > 6 else 500, opacity=1, color="#f3f6fa",
                                            stroke="#52606d", strokeWidth=1.5).encode(x=x, y=y)
    layers = [net_lines, net_dots]
    if tall <= 6:
        layers.append(alt.Chart(nodes).mark_text(fontSize=11, fontWeight="bold").encode(x=x, y=y, text="name:N"))
    columns = int(nodes["layer"].nunique())  # input, hidden layers, output
    network = alt.layer(*layers).properties(width=max(map_size + 10, min(340, 48 * (columns - 1) + 40)),
                                            height=map_size)
    # the loss with a marker at the frame
    loss = frames["loss"][["frame", "step", "table_loss"]].assign(
        table_loss=lambda f: f["table_loss"].clip(lower=charts.LOG_FLOOR))
    base = alt.Chart(loss).encode(x=alt.X("step:Q", title=step_title),
                                  y=alt.Y("table_loss:Q", title=None, scale=alt.Scale(type="log")))
    marker = base.mark_point(size=90, filled=True, color="#d62d7a", opacity=1).transform_filter(
        alt.datum.frame == at)
    label = base.mark_text(align="left", dx=8, dy=-8, fontSize=12, fontWeight="bold", color="#d62d7a").encode(
        text=alt.Text("step:Q", format="d")).transform_filter(alt.datum.frame == at)
    curve = alt.layer(base.mark_line(color="#1f2933"), marker, label, title=alt.Title(loss_title, fontSize=12)
                      ).properties(width=map_size + 6, height=map_size - 30)
    # the truth table's outputs at the frame
    table = frames["table"][["frame", "x1", "x2", "target", "score", "correct"]].assign(
        row=lambda f: f["x1"].astype(str) + f["x2"].astype(str))
    bars = alt.Chart(table).mark_bar().encode(
        y=alt.Y("row:N", title="x1 x2", sort=None),
        x=alt.X("score:Q", title=output_title, scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("target:N", scale=alt.Scale(domain=[0, 1], range=[NEGATIVE, POSITIVE]), legend=None),
        tooltip=["row:N", "target:N", alt.Tooltip("score:Q", format=".4f"), "correct:N"],
    ).transform_filter(alt.datum.frame == at)
    rule = alt.Chart(pd.DataFrame({"score": [0.5]})).mark_rule(strokeDash=[3, 3], color="#52606d").encode(
        x="score:Q")
    outputs = alt.layer(bars, rule).properties(width=map_size - 50, height=map_size - 30)
    top = [alt.hconcat(decision, network, spacing=8)] if columns <= 4 else [decision, network]  # deep: own row
    rows = [*top, alt.concat(*unit_maps, columns=4, spacing=6, title=units_title),
            alt.hconcat(curve, outputs, spacing=10)]
    return alt.vconcat(*rows, spacing=14).add_params(at).configure_view(stroke=None)
