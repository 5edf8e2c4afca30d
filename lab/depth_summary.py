"""The depth page's paragraph in words, computed from its statistics table: what the data show, and where they agree
or disagree with the lecture. Nothing here is hard-coded: every number and every verdict comes from the table.

`facts(stats, ...)` gathers the numbers (pure, testable); `sentences(facts, ..., t)` writes them with the page's
texts, `t(key, **values)` being the translator (`lab.i18n.t` bound to a language). A text that continues a bullet
carries its own leading space in English (Japanese sentences follow each other without one).
"""

from __future__ import annotations

import math

import pandas as pd

from .depth_state import ACTIVATIONS, DEEP
from .stalls import MIN_STEPS


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


def sentences(f: dict, *, optimizer: str, width: int, seeds: int, steps: int, t, width_seeds: int | None = None
              ) -> list[str]:
    """The paragraph as a list of Markdown bullet texts. `width_seeds`: the seeds a width-8 control run may use
    within the compute budget (None: not suggested)."""
    deep = span(f["deep"])
    lines = [t("depth.sum.setup", optimizer=optimizer, width=width, seeds=seeds, steps=steps, min_steps=MIN_STEPS)]
    for activation, a in f["by"].items():
        d, s = a["deep"], a["shallow"]
        values = {"act": activation, "deep": deep, "n": d["n"], "stalled": d["stalled"],
                  "stalled_pct": pct(d["stalled_fraction"]),
                  "escaped_pct": pct(d["escaped"] / d["stalled"] if d["stalled"] else math.nan),
                  "d0": f["shallow"], "s0": pct(s["success"]), "s1": pct(d["success"])}
        text = t("depth.sum.act", **values) if d["stalled"] else t("depth.sum.act.none", **values)
        text += t("depth.sum.solved.one" if f["deep"] == [f["shallow"]] else "depth.sum.solved", **values)
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
        lines.append(_saddle_verdict(sig, deep, f["shallow"], t))
    if sig and relu:
        lines.append(_relu_verdict(sig["deep"], relu["deep"], deep, width, seeds, width_seeds, t))
    if "batch" in f:
        lines.append(_batch_verdict(f["batch"], deep, t))
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
