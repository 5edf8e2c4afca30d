"""Altair chart builders: a tidy DataFrame in, an `alt.Chart` out. No Streamlit here, so each is testable alone.

Every builder takes its visible texts (axis titles, legend title) as arguments: the caller translates them. Curves of
several series use a column `series` holding display names; `series_scale` keeps one colour per name whatever the
selection. Log axes need values > 0, so losses are floored at `LOG_FLOOR`.
"""

from __future__ import annotations

import hashlib
import threading

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa

LOG_FLOOR = 1e-12


PALETTE = ("#2f6fb3", "#e8710a", "#1a9e77", "#d62d7a", "#7b5ea7", "#8c6d31", "#17becf", "#5f6b7a")


POSITIVE, NEGATIVE, NEUTRAL = "#2f6fb3", "#e8710a", "#f7f7f7"


LEGEND = {"orient": "bottom", "direction": "horizontal", "columns": 2, "labelLimit": 260, "titleLimit": 260,
          "symbolOpacity": 1}


def series_scale(names) -> alt.Scale:
    """One fixed colour per series name, in the order given (pass every possible name for stable colours)."""
    names = list(dict.fromkeys(names))
    return alt.Scale(domain=names, range=[PALETTE[i % len(PALETTE)] for i in range(len(names))])


def color(title: str, names, columns: int = 2) -> alt.Color:
    return alt.Color("series:N", title=title, scale=series_scale(names), legend=alt.Legend(**{**LEGEND,
                                                                                              "columns": columns}))


def floor_log(frame: pd.DataFrame, columns, log: bool) -> pd.DataFrame:
    if not log:
        return frame
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].clip(lower=LOG_FLOOR)
    return frame


def hover():
    return alt.selection_point(name="hover", fields=["step"], nearest=True, on="pointerover", empty=False,
                               clear="pointerout")


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


def legend(title: str, columns: int) -> alt.Legend:
    return alt.Legend(**{**LEGEND, "columns": columns}, title=title)


def xy_chart(data: pd.DataFrame, *, x: str, y: str, series: str, x_title: str, y_title: str, series_title: str,
             names=None, x_log: bool = True, x_base: int = 10, y_log: bool = False, percent: bool = False,
             band: tuple[str, str] | None = None, marks: pd.DataFrame | None = None, mark_title: str = "",
             rings: pd.DataFrame | None = None, ring_title: str = "", legend_columns: int = 3,
             height: int = 300) -> alt.LayerChart:
    """Lines of `y` against `x`, one per value of `series` (display names, coloured in the order `names`).
    `band` = (lo, hi) columns shade a range; `marks` rows get a large filled diamond (e.g. the chosen learning
    rate) and `rings` rows an open circle (e.g. the default one)."""
    frame = data.dropna(subset=[y]).copy()
    if y_log:
        cols = [y, *(band or ())]
        frame[cols] = frame[cols].clip(lower=LOG_FLOOR)
    names = list(names) if names is not None else list(dict.fromkeys(frame[series]))
    colour = alt.Color(f"{series}:N", scale=series_scale(names), sort=names,
                       legend=legend(series_title, legend_columns))
    x_enc = alt.X(f"{x}:Q", title=x_title,
                  scale=alt.Scale(type="log", base=x_base) if x_log else alt.Scale(zero=False),
                  axis=alt.Axis(format="~g") if x_log else alt.Axis())
    y_scale = alt.Scale(type="log") if y_log else alt.Scale(zero=True)
    y_enc = alt.Y(f"{y}:Q", title=y_title, scale=y_scale, axis=alt.Axis(format=".0%") if percent else alt.Axis())
    fmt = ".1%" if percent else ".4g"
    tips = [alt.Tooltip(f"{series}:N", title=series_title), alt.Tooltip(f"{x}:Q", title=x_title, format="~g"),
            alt.Tooltip(f"{y}:Q", title=y_title, format=fmt)]
    base = alt.Chart(frame).encode(x=x_enc, color=colour)
    layers = []
    if band:
        layers.append(base.mark_area(opacity=0.15).encode(y=alt.Y(f"{band[0]}:Q", scale=y_scale), y2=f"{band[1]}:Q"))
    layers.append(base.mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=36)).encode(y=y_enc, tooltip=tips))
    for extra, shape, title in ((rings, "circle", ring_title), (marks, "diamond", mark_title)):
        if extra is not None and len(extra):
            extra = extra.dropna(subset=[y]).assign(what=title)
            if y_log:
                extra[y] = extra[y].clip(lower=LOG_FLOOR)
            filled = shape == "diamond"
            layers.append(alt.Chart(extra).mark_point(shape=shape, size=260 if filled else 200, filled=filled,
                                                      strokeWidth=2, opacity=0.9).encode(
                x=x_enc, y=alt.Y(f"{y}:Q", scale=y_scale),
                color=alt.Color(f"{series}:N", scale=series_scale(names), legend=None),
                tooltip=[alt.Tooltip("what:N", title=""), *tips]))
    return alt.layer(*layers).properties(height=height)


# ---- a chart as the browser gets it --------------------------------------------------------------------------------
_ALTAIR_GLOBALS = threading.Lock()  # Altair's theme and data transformer are global to every thread


def arrow_bytes(table: pd.DataFrame) -> bytes:
    """A table as Arrow IPC stream bytes (what Streamlit sends a chart's datasets as)."""
    batch = pa.Table.from_pandas(table, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_table(batch)
    return sink.getvalue().to_pybytes()


def vega_lite_spec(chart) -> dict:
    """`chart`'s Vega-Lite spec with each of its tables as a named dataset of Arrow bytes, under Altair's empty theme
    (Streamlit applies its own): what `st.vega_lite_chart` sends without converting anything again. Built with
    Altair's public data-transformer registry. The datasets are named by their order in the chart (`table_0`, ...;
    one name per distinct table), not by content: a live chart whose data changes keeps its spec and dataset names,
    so the browser updates its data in place. Names that changed with the data made a browser that rebuilt the chart
    while newer data arrived draw it empty (the spec naming one dataset, the data another)."""
    datasets: dict[str, bytes] = {}
    names: dict[str, str] = {}

    def to_named_dataset(data):
        data_bytes = arrow_bytes(data)
        digest = hashlib.blake2b(data_bytes, digest_size=16).hexdigest()
        name = names.setdefault(digest, f"table_{len(names)}")
        datasets[name] = data_bytes
        return {"name": name}

    alt.data_transformers.register("lab_arrow", to_named_dataset)
    with _ALTAIR_GLOBALS, alt.theme.enable("none"), alt.data_transformers.enable("lab_arrow"):
        spec = chart.to_dict()
    spec["datasets"] = {**spec.get("datasets", {}), **datasets}
    return spec
