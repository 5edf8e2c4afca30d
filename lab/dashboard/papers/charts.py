"""Altair figures of the papers page, each redrawn from the lab's measurement: Saxe's plateau length against σ and
learning time against depth, Glorot's gradient energy per layer, success by depth and top-layer activation,
Dauphin's loss against index and toy saddle, Schmidt's success rates per setting."""

from __future__ import annotations

import altair as alt
import pandas as pd

from lab.dashboard.papers import tables

HEIGHT = 260


def _log(title: str) -> dict:
    return {"title": title, "scale": alt.Scale(type="log")}


def plateaus(plateau_table: pd.DataFrame, w: dict) -> alt.LayerChart:
    med = tables.plateau_medians(plateau_table)
    lines = tables.predicted_lines(plateau_table)
    colour = alt.Color("depth:N", title=w["depth"])
    points = alt.Chart(med).mark_line(point=True).encode(
        x=alt.X("sigma:Q", **_log(w["sigma"])), y=alt.Y("steps:Q", **_log(w["plateau"])), color=colour,
        tooltip=["depth:N", alt.Tooltip("sigma:Q", format=".3g"), alt.Tooltip("steps:Q", format=",.0f")])
    predicted = alt.Chart(lines).mark_line(strokeDash=[5, 4], opacity=0.7).encode(
        x="sigma:Q", y="steps:Q", color=colour, detail="depth:N")
    return (predicted + points).properties(height=HEIGHT)


def depth_times(depth_time: pd.DataFrame, w: dict) -> alt.Chart:
    return alt.Chart(tables.depth_medians(depth_time)).mark_line(point=True).encode(
        x=alt.X("depth:O", title=w["depth"]), y=alt.Y("steps:Q", **_log(w["learning_time"])),
        color=alt.Color("init:N", title=w["init"]), tooltip=["init:N", "depth:O", "steps:Q"]).properties(height=HEIGHT)


def energy(energy_table: pd.DataFrame, w: dict) -> alt.Chart:
    return alt.Chart(energy_table).mark_line(point=True).encode(
        x=alt.X("layer:O", title=w["layer"]), y=alt.Y("energy:Q", **_log(w["energy"])),
        color=alt.Color("activation:N", title=w["activation"]), strokeDash=alt.StrokeDash("init:N", title=w["init"]),
        tooltip=["activation:N", "init:N", "layer:O", alt.Tooltip("energy:Q", format=".3g")]).properties(height=HEIGHT)


def success(success_table: pd.DataFrame, w: dict) -> alt.LayerChart:
    base = alt.Chart(success_table).encode(x=alt.X("depth:O", title=w["depth"]),
                                           color=alt.Color("init:N", title=w["init"]))
    bars = base.mark_errorbar().encode(y=alt.Y("lo:Q", title=w["success"], scale=alt.Scale(domain=[0, 1])), y2="hi:Q")
    dots = base.mark_line(point=True).encode(y="success:Q", tooltip=["init:N", "depth:O",
                                                                      alt.Tooltip("success:Q", format=".2f")])
    return (bars + dots).properties(height=HEIGHT)


def top_layer(curve: pd.DataFrame, w: dict) -> alt.LayerChart:
    base = alt.Chart(curve).encode(x=alt.X("step:Q", title=w["step"]))
    band = base.mark_area(opacity=0.25).encode(y=alt.Y("q25:Q", title=w["top_mean"], scale=alt.Scale(domain=[0, 1])),
                                               y2="q75:Q")
    line = base.mark_line().encode(y="median:Q")
    rule = alt.Chart(pd.DataFrame({"y": [0.1]})).mark_rule(strokeDash=[4, 4], color="firebrick").encode(y="y:Q")
    return (band + line + rule).properties(height=HEIGHT)


def loss_vs_index(points: pd.DataFrame, w: dict) -> alt.Chart:
    return alt.Chart(tables.critical_points(points)).mark_circle(opacity=0.8).encode(
        x=alt.X("index:Q", title=w["index"]), y=alt.Y("loss:Q", title=w["loss"], scale=alt.Scale(zero=False)),
        size=alt.Size("count:Q", title=w["count"]), color=alt.Color("net:N", title=w["net"]),
        tooltip=["net:N", alt.Tooltip("loss:Q", format=".6g"), alt.Tooltip("index:Q", format=".3f"), "count:Q"]
    ).properties(height=HEIGHT)


def toy_saddle(toy: pd.DataFrame, w: dict) -> alt.LayerChart:
    grid = tables.saddle_grid()
    heat = alt.Chart(grid).mark_rect().encode(
        x=alt.X("x:Q", bin=alt.Bin(maxbins=25), title="x"), y=alt.Y("y:Q", bin=alt.Bin(maxbins=25), title="y"),
        color=alt.Color("f:Q", title="5x² − y²", scale=alt.Scale(scheme="blueorange")))
    paths = alt.Chart(toy).mark_line(point=True, strokeWidth=2.5).encode(
        x="x:Q", y="y:Q", order="step:Q",
        color=alt.Color("method:N", title=w["method"], scale=alt.Scale(range=["black", "crimson"])),
        tooltip=["method:N", "step:Q", alt.Tooltip("x:Q", format=".3g"), alt.Tooltip("y:Q", format=".3g")])
    return alt.layer(heat, paths).resolve_scale(color="independent").properties(height=HEIGHT)


def settings(table: pd.DataFrame, w: dict) -> alt.Chart:
    rows = int(table.groupby("task")["setting"].nunique().max())
    return alt.Chart(table).mark_bar().encode(
        x=alt.X("report:Q", title=w["fresh"], scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("setting:N", title=None, sort=None), color=alt.Color("side:N", title=w["side"]),
        row=alt.Row("task:N", title=None),
        tooltip=["task:N", "side:N", "setting:N", alt.Tooltip("pick:Q", format=".2f"),
                 alt.Tooltip("report:Q", format=".2f")]).properties(height=14 * rows)
