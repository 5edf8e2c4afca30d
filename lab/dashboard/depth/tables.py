"""What the depth page shows, computed from the store: small per-config digests, the stall statistics table, the
Hessian tests (kept beside the store as small JSON files, since they cost seconds), the traced layer pictures and one
stalled trial's Hessian spectrum.

Every curve is cut to at most `POINTS` steps before it leaves here, so a bounded cache can hold the results.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from lab.dashboard.depth.state import ACTIVATIONS, DEEP
from lab.dashboard.shared import tables as views
from lab.science import tidy
from lab.science.digests import DepthDigest
from lab.science.multiplicity import holm
from lab.science.stalls import MIN_STEPS
from lab.science.two_sample import fisher
from lab.science.verdicts import ALPHA, p_text


def stats_table(digests: list[DepthDigest], tests: list[dict]) -> pd.DataFrame:
    """One row per config: activation, depth, full_batch, the digest's statistics and the Hessian test's (saddle,
    minimum and near-stationary fractions of the stalls tested, n_tested)."""
    rows = [{**d.row, **{k: t[k] for k in ("saddle_fraction", "minimum_fraction", "near_stationary_fraction",
                                            "n_tested")}} for d, t in zip(digests, tests, strict=True)]
    table = pd.DataFrame(rows)
    return table.astype({"n_tested": int, "n_trials": int, "solved": int, "stalled": int})


def named(frames, column: str, names: dict) -> pd.DataFrame:
    """The tables of `frames` (one, or a list) one under another, with `series`: the name `names` gives each one's
    `column` value (a chart's legend)."""
    frames = frames if isinstance(frames, list) else [frames]
    table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return table.assign(series=table[column].map(names))


def stall_options(stalled: pd.DataFrame) -> dict[int, tuple[int, int, bool]]:
    """seed -> (stall start, stall end, solved at the end), for the stalled-trial selector."""
    return {int(r.seed): (int(r.longest_start), int(r.longest_end), bool(r.solved)) for r in stalled.itertuples()}


def batch_table(stats: pd.DataFrame, activation: str) -> pd.DataFrame:
    """The rows of `activation` with and without full batch: depth, full_batch, success_rate, stalled_fraction."""
    rows = stats[stats["activation"] == activation]
    return rows[["depth", "full_batch", "success_rate", "stalled_fraction"]].reset_index(drop=True)


CSV_COLUMNS = ("activation", "depth", "full_batch", "n_trials", "solved", "success_rate", "success_lo", "success_hi",
               "stalled", "stalled_fraction", "escaped_fraction", "stuck_fraction", "saddle_fraction",
               "minimum_fraction", "near_stationary_fraction", "n_tested", "grad_ratio", "blocked_fraction")


def stats_frame(stats: pd.DataFrame, state) -> pd.DataFrame:
    """The statistics table with the shared settings as leading columns, statistics rounded as every file's are."""
    frame = stats[list(CSV_COLUMNS)].copy()
    for i, (name, value) in enumerate((("optimizer", state.optimizer), ("width", state.width),
                                       ("init", state.init), ("steps", state.steps))):
        frame.insert(i, name, value)
    return tidy.rounded(frame, keep=("depth", "width", "steps"))


def stats_csv(stats: pd.DataFrame, state) -> bytes:
    return views.to_csv(stats_frame(stats, state))


def file_name(state) -> str:
    """`depth_adam_width2_20seeds_1000steps_stalls.csv`: what the statistics file holds."""
    return f"depth_{state.optimizer}_width{state.width}_{state.seeds}seeds_{state.steps}steps_stalls.csv"


DISPLAY_COLUMNS = ("activation", "depth", "batch", "n_trials", "success_rate", "stalled_fraction", "escaped_fraction",
                   "stuck_fraction", "saddles", "minima", "grad_ratio", "blocked")


def display_table(stats: pd.DataFrame, modes: dict) -> pd.DataFrame:
    """The statistics as shown, as texts: fractions in percent, the Hessian test and the blocked trials as "k/n",
    "–" where there is nothing to count (e.g. no stalled trial to escape), never "None"; `modes` names full_batch
    False / True."""
    def counts(fractions, totals):
        return ["–" if not n else f"{round(f * n) if f == f else 0}/{n}" for f, n in zip(fractions, totals)]

    def text(values, fmt):
        return ["–" if pd.isna(v) else format(v, fmt) for v in values]

    return pd.DataFrame({
        "activation": stats["activation"], "depth": stats["depth"], "batch": stats["full_batch"].map(modes),
        "n_trials": stats["n_trials"],
        **{c: [v if v == "–" else v + "%" for v in text(100 * stats[c], ".0f")]
           for c in ("success_rate", "stalled_fraction", "escaped_fraction", "stuck_fraction")},
        "saddles": counts(stats["saddle_fraction"], stats["n_tested"]),
        "minima": counts(stats["minimum_fraction"], stats["n_tested"]), "grad_ratio": text(stats["grad_ratio"], ".2e"),
        "blocked": counts(stats["blocked_fraction"], stats["n_trials"]),
    })


def deep_depths(depths, deep: int = DEEP) -> list[int]:
    """The depths the lecture calls deep (>= `deep`) among `depths`; the deepest one if none is."""
    depths = sorted(set(int(d) for d in depths))
    return [d for d in depths if d >= deep] or depths[-1:]


def span(depths) -> str:
    return str(depths[0]) if len(depths) == 1 else f"{depths[0]}–{depths[-1]}"


def _count(fractions, totals) -> int:
    """Sum over rows of fraction × total, rounded (NaN fractions count 0)."""
    return int(sum(round(float(f) * int(n)) for f, n in zip(fractions, totals) if pd.notna(f)))


def pooled(rows: pd.DataFrame) -> dict:
    """Counts over several rows of the statistics table (trials, solved, stalled, escaped, tested stalls, saddles,
    minima, blocked) and the fractions they make."""
    n, stalled, tested = int(rows["n_trials"].sum()), int(rows["stalled"].sum()), int(rows["n_tested"].sum())
    out = {"n": n, "solved": int(rows["solved"].sum()), "stalled": stalled, "tested": tested,
           "escaped": _count(rows["escaped_fraction"], rows["stalled"]),
           "saddles": _count(rows["saddle_fraction"], rows["n_tested"]),
           "minima": _count(rows["minimum_fraction"], rows["n_tested"]),
           "blocked": _count(rows["blocked_fraction"], rows["n_trials"])}
    out["success"] = out["solved"] / n if n else math.nan
    out["stalled_fraction"] = stalled / n if n else math.nan
    return out


def facts(stats: pd.DataFrame, batch_activation: str, deep: int = DEEP) -> dict:
    """The numbers the paragraph states: per activation (minibatch rows) its pooled counts at the deep depths and at
    the shallowest, its first-to-output gradient ratio at the shallowest and deepest depth; and for
    `batch_activation` at the deep depths, minibatch against full batch."""
    mini = stats[~stats["full_batch"].astype(bool)]
    depths = sorted(mini["depth"].unique())
    deep_set = deep_depths(depths, deep)
    out = {"depths": depths, "deep": deep_set, "shallow": depths[0], "by": {}}
    for activation in ACTIVATIONS:
        rows = mini[mini["activation"] == activation]
        if rows.empty:
            continue
        ratio = dict(zip(rows["depth"], rows["grad_ratio"]))
        out["by"][activation] = {"deep": pooled(rows[rows["depth"].isin(deep_set)]),
                                 "shallow": pooled(rows[rows["depth"] == depths[0]]),
                                 "ratio_shallow": float(ratio.get(depths[0], math.nan)),
                                 "ratio_deep": float(ratio.get(depths[-1], math.nan))}
    full = stats[stats["full_batch"].astype(bool) & (stats["activation"] == batch_activation)]
    if not full.empty:
        out["batch"] = {"activation": batch_activation,
                        "mini": pooled(mini[(mini["activation"] == batch_activation) & mini["depth"].isin(deep_set)]),
                        "full": pooled(full[full["depth"].isin(deep_set)])}
    return out


def pct(x: float) -> str:
    return "–" if x != x else f"{100 * x:.0f}%"


# ---- the tests behind the differences the summary and the heatmap speak of ----------------------------------------
def cell_tests(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The heatmap's table with `p_holm`: each cell's `metric` (a share of its trials) against the same activation's
    shallowest depth, by Fisher's exact test, Holm-adjusted over the cells tested (NaN: the shallowest cell, or a
    test that is undefined: both shares 0% or both 100%), and `test`, that p-value as text ("p = 0.003", "–")."""
    counts = (table[metric].fillna(0) * table["n_trials"]).round().astype(int)
    p = []
    for i, row in enumerate(table.itertuples(index=False)):
        same = table["activation"] == row.activation
        first = table.index[same][table.loc[same, "depth"].to_numpy().argmin()]
        if table.index[i] == first:
            p.append(math.nan)
            continue
        p.append(fisher(int(counts.iloc[i]), int(row.n_trials), int(counts.loc[first]),
                        int(table.loc[first, "n_trials"])).p)
    adjusted = holm(p) if len(p) else np.array([])
    text = [("p " + p_text(x)) if math.isfinite(x) else "–" for x in adjusted]
    return table.assign(p_holm=adjusted, test=text)


def summary_tests(f: dict) -> dict[str, tuple[float, float]]:
    """name -> (p, Holm-adjusted p) of each difference `sentences` states, by Fisher's exact test of two shares of
    trials: `solved.<activation>` (solved, shallowest depth against the deep ones), `stalled` (sigmoid's stalls, the
    same), `relu` (solved at the deep depths, ReLU against sigmoid), `batch` (solved, minibatch against full batch).
    Holm's adjustment runs over the tests of this one summary."""
    pairs = {}
    if f["deep"] != [f["shallow"]]:
        for activation, a in f["by"].items():
            pairs[f"solved.{activation}"] = (a["shallow"]["solved"], a["shallow"]["n"], a["deep"]["solved"],
                                             a["deep"]["n"])
    sig, relu = f["by"].get("sigmoid"), f["by"].get("relu")
    if sig and len(f["depths"]) > 1 and max(f["depths"]) >= DEEP:
        pairs["stalled"] = (sig["deep"]["stalled"], sig["deep"]["n"], sig["shallow"]["stalled"], sig["shallow"]["n"])
    if sig and relu:
        pairs["relu"] = (relu["deep"]["solved"], relu["deep"]["n"], sig["deep"]["solved"], sig["deep"]["n"])
    if "batch" in f:
        mini, full = f["batch"]["mini"], f["batch"]["full"]
        pairs["batch"] = (mini["solved"], mini["n"], full["solved"], full["n"])
    p = [fisher(*counts).p if counts[1] and counts[3] else math.nan for counts in pairs.values()]
    return dict(zip(pairs, zip(p, holm(p) if p else []))) if pairs else {}


def evidence_note(tests: dict, name: str, t) -> str:
    """" (Fisher's exact test p = 0.003, Holm-adjusted p = 0.01)": the test behind one sentence, and whether it
    supports a difference."""
    if name not in tests:
        return ""
    p, ph = tests[name]
    if not math.isfinite(p):
        return t("depth.sum.test.none")
    key = "depth.sum.test" if ph <= ALPHA else "depth.sum.test.ns"
    return t(key, p=p_text(p), ph=p_text(ph), m=len(tests))


def sentences(f: dict, *, optimizer: str, width: int, seeds: int, steps: int, t, width_seeds: int | None = None
              ) -> list[str]:
    """The paragraph as a list of Markdown bullet texts. `width_seeds`: the seeds a width-8 control run may use
    within the compute budget (None: not suggested)."""
    deep = span(f["deep"])
    tests = summary_tests(f)
    lines = [t("depth.sum.setup", optimizer=optimizer, width=width, seeds=seeds, steps=steps, min_steps=MIN_STEPS)]
    for activation, a in f["by"].items():
        d, s = a["deep"], a["shallow"]
        values = {"act": activation, "deep": deep, "n": d["n"], "stalled": d["stalled"],
                  "stalled_pct": pct(d["stalled_fraction"]),
                  "escaped_pct": pct(d["escaped"] / d["stalled"] if d["stalled"] else math.nan),
                  "d0": f["shallow"], "s0": pct(s["success"]), "s1": pct(d["success"])}
        text = t("depth.sum.act", **values) if d["stalled"] else t("depth.sum.act.none", **values)
        text += t("depth.sum.solved.one" if f["deep"] == [f["shallow"]] else "depth.sum.solved", **values)
        text += evidence_note(tests, f"solved.{activation}", t)
        if d["tested"]:
            text += t("depth.sum.hessian", saddles=d["saddles"], tested=d["tested"], minima=d["minima"],
                      saddle_pct=pct(d["saddles"] / d["tested"]))
        lines.append(text)
    sig, relu = f["by"].get("sigmoid"), f["by"].get("relu")
    if sig and len(f["depths"]) > 1 and all(math.isfinite(sig[k]) and sig[k] > 0 for k in ("ratio_shallow",
                                                                                          "ratio_deep")):
        key = "depth.sum.vanish" if sig["ratio_deep"] < sig["ratio_shallow"] else "depth.sum.vanish.not"
        lines.append(t(key, r0=f"{sig['ratio_shallow']:.2g}", r1=f"{sig['ratio_deep']:.2g}", d0=f["depths"][0],
                       d1=f["depths"][-1]))
    if sig and max(f["depths"]) < DEEP:
        lines.append(t("depth.sum.shallow_only", deep=DEEP, top=max(f["depths"])))
    elif sig and len(f["depths"]) > 1:  # one depth alone says nothing about "deeper"
        lines.append(_saddle_verdict(sig, deep, f["shallow"], t) + evidence_note(tests, "stalled", t))
    if sig and relu:
        lines.append(_relu_verdict(sig["deep"], relu["deep"], deep, width, seeds, width_seeds, t)
                     + evidence_note(tests, "relu", t))
    if "batch" in f:
        lines.append(_batch_verdict(f["batch"], deep, t) + evidence_note(tests, "batch", t))
    return lines


def _saddle_verdict(sig: dict, deep: str, d0: int, t) -> str:
    d, s = sig["deep"], sig["shallow"]
    values = {"deep": deep, "d0": d0, "p1": pct(d["stalled_fraction"]), "p0": pct(s["stalled_fraction"])}
    if not d["stalled_fraction"] > s["stalled_fraction"]:
        return t("depth.sum.lecture.nomore", **values)
    if not d["tested"]:
        return t("depth.sum.lecture.agree", **values)
    if 2 * d["saddles"] < d["tested"]:
        return t("depth.sum.lecture.notsaddle", saddles=d["saddles"], tested=d["tested"], **values)
    return t("depth.sum.lecture.saddle", **values)


def _relu_verdict(sig: dict, relu: dict, deep: str, width: int, seeds: int, width_seeds: int | None, t) -> str:
    values = {"deep": deep, "relu": pct(relu["success"]), "sig": pct(sig["success"])}
    if relu["success"] > sig["success"]:
        return t("depth.sum.relu.better", **values)
    if not relu["success"] < sig["success"]:
        return t("depth.sum.relu.same", **values)
    text = t("depth.sum.relu.worse", **values)
    if relu["blocked"]:
        text += t("depth.sum.relu.dead", blocked=relu["blocked"], n=relu["n"], width=width)
    if relu["tested"]:
        key = "depth.sum.relu.minima" if relu["minima"] > relu["saddles"] else "depth.sum.relu.saddles"
        text += t(key, minima=relu["minima"], saddles=relu["saddles"], tested=relu["tested"])
    if width < 8 and width_seeds:
        key = "depth.sum.relu.control" if width_seeds >= seeds else "depth.sum.relu.control.seeds"
        text += t(key, seeds=width_seeds)
    return text


def _batch_verdict(b: dict, deep: str, t) -> str:
    mini, full = b["mini"], b["full"]
    text = t("depth.sum.batch", act=b["activation"], deep=deep, mb_stalled=pct(mini["stalled_fraction"]),
             fb_stalled=pct(full["stalled_fraction"]), mb_solved=pct(mini["success"]), fb_solved=pct(full["success"]))
    if mini["success"] > full["success"]:
        return text + t("depth.sum.batch.helped")
    if mini["success"] < full["success"]:
        return text + t("depth.sum.batch.hurt")
    return text + t("depth.sum.batch.same")
