"""Altair builders of the neurons page: DataFrames in (from lab.dashboard.neurons.tables), `alt.Chart` out. Every
visible text
is an argument, so the page translates it."""

from __future__ import annotations

import altair as alt
import pandas as pd

from lab.dashboard.neurons.tables import VIEW
from lab.dashboard.shared.charts import NEGATIVE, PALETTE, POSITIVE

FIRE = "#cfe0f3"  # the half-plane where the neuron fires (a light POSITIVE)
AXIS = alt.Scale(domain=list(VIEW), nice=False)
OUTPUT_COLOURS = alt.Scale(domain=[0, 1], range=[NEGATIVE, POSITIVE])


def _square() -> alt.Chart:
    """The input square [0, 1]² outlined."""
    frame = pd.DataFrame({"x": [0.0], "x2": [1.0], "y": [0.0], "y2": [1.0]})
    return alt.Chart(frame).mark_rect(fill=None, stroke="#7b8794", strokeDash=[4, 3], strokeWidth=1.2).encode(
        x=alt.X("x:Q", scale=AXIS, title="x1"), x2="x2:Q", y=alt.Y("y:Q", scale=AXIS, title="x2"), y2="y2:Q")


def _corners(frame: pd.DataFrame, colour: str, colour_title: str, tips: list) -> list[alt.Chart]:
    """The 4 rows as big dots coloured by column `colour` (0/1), each labelled with that value."""
    rows = frame.assign(label=[f"{int(v)}" for v in frame[colour]]).astype({"x1": float, "x2": float})
    base = alt.Chart(rows).encode(x=alt.X("x1:Q", scale=AXIS), y=alt.Y("x2:Q", scale=AXIS))
    dots = base.mark_point(filled=True, size=420, stroke="#1f2933", strokeWidth=1.5, opacity=1).encode(
        fill=alt.Fill(f"{colour}:N", title=colour_title, scale=OUTPUT_COLOURS, legend=None), tooltip=tips)
    text = base.mark_text(fontSize=13, fontWeight="bold", color="white").encode(text="label:N")
    return [dots, text]


def neuron_chart(region: pd.DataFrame, line: pd.DataFrame, corners: pd.DataFrame, *, output_title: str,
                 sum_title: str, size: int = 320) -> alt.LayerChart:
    """The formal neuron over the input plane: the half-plane where it fires shaded, its decision line, the input
    square outlined and its 4 corners coloured by the output (orange 0, blue 1). `region`: x, y, y2; `line`: x, y;
    `corners`: x1, x2, u, y."""
    layers = [alt.Chart(region).mark_area(color=FIRE, opacity=0.9, clip=True).encode(
        x=alt.X("x:Q", scale=AXIS, title="x1"), y=alt.Y("y:Q", scale=AXIS, title="x2"), y2="y2:Q"), _square()]
    if len(line):
        layers.append(alt.Chart(line).mark_line(color="#1f2933", strokeWidth=2.5, clip=True).encode(
            x=alt.X("x:Q", scale=AXIS), y=alt.Y("y:Q", scale=AXIS)))
    tips = ["x1:Q", "x2:Q", alt.Tooltip("u:Q", title=sum_title, format=".2f"), alt.Tooltip("y:N", title=output_title)]
    layers += _corners(corners, "y", output_title, tips)
    return alt.layer(*layers).properties(width=size, height=size).configure_view(stroke=None)


def weights_chart(frame: pd.DataFrame, *, x_title: str, y_title: str, series_title: str, repeated_title: str,
                  height: int = 280) -> alt.LayerChart:
    """w1, w2, b after each update (update 0: the initial weights), a coloured line each; the updates where the
    weights come back to the cycle's repeating state on a grey band. Columns: update, weight, value, repeated."""
    names = ["w1", "w2", "b"]
    colour = alt.Color("weight:N", title=series_title, scale=alt.Scale(domain=names, range=list(PALETTE[:3])),
                       legend=alt.Legend(orient="bottom", direction="horizontal"))
    x = alt.X("update:Q", title=x_title, axis=alt.Axis(tickMinStep=1, format="d"))
    base = alt.Chart(frame).encode(x=x, y=alt.Y("value:Q", title=y_title, axis=alt.Axis(tickMinStep=0.5)),
                                   color=colour)
    lines = base.mark_line(interpolate="step-after", strokeWidth=2)
    points = base.mark_circle(size=45).encode(tooltip=["update:Q", "weight:N", alt.Tooltip("value:Q", format="g")])
    layers = [lines, points]
    repeats = frame[frame["repeated"]].drop_duplicates("update")
    if len(repeats):
        bands = repeats.assign(lo=repeats["update"] - 0.45, hi=repeats["update"] + 0.45)
        layers.insert(0, alt.Chart(bands).mark_rect(color="#d9dee4", opacity=0.8).encode(
            x="lo:Q", x2="hi:Q", tooltip=[alt.Tooltip("update:Q", title=repeated_title)]))
    return alt.layer(*layers).properties(height=height)


def lines_chart(lines: pd.DataFrame, region: pd.DataFrame, corners: pd.DataFrame, *, target_title: str,
                update_title: str, size: int = 320) -> alt.LayerChart:
    """The perceptron's decision line after each update, older ones fainter, the latest bold over the half-plane
    where it fires; the 4 rows coloured by their target. `lines`: update_lines(); `corners`: x1, x2, target."""
    latest = lines[lines["age"] == lines["age"].min()] if len(lines) else lines
    tips = [alt.Tooltip("update:Q", title=update_title), "w1:Q", "w2:Q", "b:Q"]
    layers = [alt.Chart(region).mark_area(color=FIRE, opacity=0.9, clip=True).encode(
        x=alt.X("x:Q", scale=AXIS, title="x1"), y=alt.Y("y:Q", scale=AXIS, title="x2"), y2="y2:Q"), _square()]
    if len(lines):
        layers.append(alt.Chart(lines).mark_line(color="#52606d", strokeWidth=1.5, clip=True).encode(
            x=alt.X("x:Q", scale=AXIS), y=alt.Y("y:Q", scale=AXIS), detail="update:N", order="k:Q", tooltip=tips,
            opacity=alt.Opacity("age:Q", scale=alt.Scale(domain=[0, 1], range=[0.75, 0.12]), legend=None)))
        layers.append(alt.Chart(latest).mark_line(color="#1f2933", strokeWidth=3, clip=True).encode(
            x=alt.X("x:Q", scale=AXIS), y=alt.Y("y:Q", scale=AXIS), order="k:Q", tooltip=tips))
    layers += _corners(corners, "target", target_title, ["x1:Q", "x2:Q", alt.Tooltip("target:N", title=target_title)])
    return alt.layer(*layers).properties(width=size, height=size).configure_view(stroke=None)


def activation_chart(table: pd.DataFrame, column: str, *, x_title: str, y_title: str, series_title: str,
                     names: dict, note: str | None = None, height: int = 280) -> alt.LayerChart:
    """One column of `lab.science.neurons.activation_table()` (value or derivative) over u, a line per function
    (`names`:
    function -> shown name). With `note`, the sigmoid's largest slope 1/4 at u = 0 is marked and labelled."""
    data = table.assign(series=table["function"].map(names))
    order = list(names.values())
    colour = alt.Color("series:N", title=series_title, scale=alt.Scale(domain=order, range=list(PALETTE[:len(order)])),
                       legend=alt.Legend(orient="bottom", direction="horizontal", columns=2))
    dash = alt.StrokeDash("series:N", scale=alt.Scale(domain=order, range=[[5, 3], [1, 0], [1, 0], [1, 0]]),
                          legend=None)
    layers = [alt.Chart(data).mark_line(strokeWidth=2.2).encode(
        x=alt.X("x:Q", title=x_title), y=alt.Y(f"{column}:Q", title=y_title), color=colour, strokeDash=dash,
        tooltip=[alt.Tooltip("series:N", title=series_title), alt.Tooltip("x:Q", format=".2f"),
                 alt.Tooltip(f"{column}:Q", title=y_title, format=".3f")])]
    if note:  # the point (0, 1/4), a dashed rule at 1/4 and the note above the sigmoid's right flank
        peak = pd.DataFrame({"x": [0.0], "y": [0.25]})
        label = pd.DataFrame({"x": [1.2], "y": [0.5], "note": [note]})
        layers.append(alt.Chart(peak).mark_rule(color=PALETTE[1], strokeDash=[3, 3]).encode(y="y:Q"))
        layers.append(alt.Chart(peak).mark_point(size=160, color=PALETTE[1], strokeWidth=2.5).encode(x="x:Q", y="y:Q"))
        layers.append(alt.Chart(label).mark_text(align="left", baseline="bottom", fontSize=12, fontWeight="bold",
                                                 lineBreak="\n", color=PALETTE[1]).encode(x="x:Q", y="y:Q",
                                                                                          text="note:N"))
    return alt.layer(*layers).properties(height=height)


def seeds_chart(trials: pd.DataFrame, *, x_title: str, y_title: str, status_title: str, statuses: dict,
                chosen: tuple[int, int] | None = None, height_per_row: int = 40) -> alt.LayerChart:
    """Which seeds learned XOR, per network: a square per (seed, series), blue if solved, orange if not; the seed
    shown above ringed. Columns: series, seed, solved, steps_to_solve; `statuses`: {True: name, False: name};
    `chosen`: (seed, row index in the order of `series`)."""
    data = trials.assign(status=trials["solved"].map(statuses))
    rows = list(dict.fromkeys(data["series"]))
    y = alt.Y("series:N", title=None, sort=rows)  # the rows name themselves (2-2-1, 2-3-1)
    colour = alt.Color("status:N", title=status_title, legend=alt.Legend(orient="bottom", direction="horizontal"),
                       scale=alt.Scale(domain=[statuses[True], statuses[False]], range=[POSITIVE, NEGATIVE]))
    squares = alt.Chart(data).mark_square(size=190, opacity=0.9).encode(
        x=alt.X("seed:O", title=x_title, axis=alt.Axis(labelAngle=0)), y=y, color=colour,
        tooltip=[alt.Tooltip("series:N", title=y_title), alt.Tooltip("seed:O", title=x_title),
                 alt.Tooltip("status:N", title=status_title), alt.Tooltip("steps_to_solve:Q", format=".0f")])
    layers = [squares]
    if chosen is not None:
        ring = data[(data["seed"] == chosen[0]) & (data["series"] == rows[chosen[1]])]
        layers.append(alt.Chart(ring).mark_square(size=420, filled=False, color="#1f2933", strokeWidth=2).encode(
            x="seed:O", y=alt.Y("series:N", sort=rows)))
    return alt.layer(*layers).properties(height=130 + height_per_row * len(rows))  # axis and legend inside
