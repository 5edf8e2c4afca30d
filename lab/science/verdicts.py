"""A verdict per pair of configs, in Japanese or English, computed from a `pairwise` row: it claims only what the tests
support.

The rules (alpha = 0.05, on Holm-adjusted p-values, so every claim in a table holds at family-wise level alpha):

1. Fewer than `min_seeds` (10) trials on either side: "too few seeds to tell", whatever the p-values say (with so few
   trials a single lucky seed moves a success rate by 10 points or more).
2. "A solves faster than B" only if the log-rank test's Holm-adjusted p <= alpha, with A the config whose log-rank z is
   positive (more solves than expected at equal speed); "A solves more often than B" only if Fisher's test's
   Holm-adjusted p <= alpha; "A ends with the lower final loss" only if the Mann–Whitney test's Holm-adjusted
   p <= alpha, with A the config more likely to end lower. The success-rate difference is always given with its
   Newcombe 95% interval, from the first-named config's side.
3. When no test is significant: "no significant difference" only if the success-rate interval lies within
   ±`margin` (10 points), i.e. the seeds suffice to exclude a difference of that size; otherwise "too few seeds to
   tell" (the interval still allows a difference of `margin` or more). Speed has no such interval: a non-significant
   log-rank test is reported as such, never as "equally fast".
Degenerate pairs say what happened instead of testing: neither config ever solves; every trial of both solves at the
same step (identical times); both solve every trial.
"""

from __future__ import annotations

import math

import pandas as pd

from lab.science import two_sample as ts

ALPHA, MIN_SEEDS, MARGIN = 0.05, 10, 0.10

TEXTS = {
    "en": {
        "too_few_n": "Too few seeds to tell {a} and {b} apart: {na} and {nb} trials (at least {min} each are needed).",
        "too_few_wide": "Too few seeds to tell {a} and {b} apart: no test finds a significant difference, and the "
                        "success-rate interval [{lo}, {hi}] points cannot exclude a {margin}-point difference.",
        "no_difference": "No significant difference between {a} and {b}; their success rates differ by less than "
                         "{margin} points ({d} [{lo}, {hi}]).",
        "faster": "{w} solves faster than {l}: log-rank p {p}, Holm-adjusted p {ph} (median steps to solve {mw} vs "
                  "{ml}).",
        "not_faster": "No significant difference in speed: log-rank p {p}, Holm-adjusted p {ph} (median steps to "
                      "solve {ma} vs {mb}).",
        "neither": "Neither solves within the step budget, so their speed cannot be compared.",
        "one_step": "Every trial of both solves at step {step}: no difference in speed.",
        "more_often": "{w} solves more often than {l}: success rate {d} points [{lo}, {hi}], Fisher's exact test "
                      "p {p}, Holm-adjusted p {ph}.",
        "success": "Success rate of {s} minus {o}: {d} points [{lo}, {hi}], not significant (Holm-adjusted p {ph}).",
        "all_solved": "Both solve every trial ({na} and {nb}).",
        "lower_loss": "{w} ends with the lower final loss: Mann–Whitney p {p}, Holm-adjusted p {ph}; its loss is the "
                      "lower in {pct}% of pairs of trials.",
        "never": "not reached",
    },
    "ja": {
        "too_few_n": "シード数が少なすぎて {a} と {b} の差は判断できません（試行数 {na} と {nb}、それぞれ {min} 以上が"
                     "必要です）。",
        "too_few_wide": "シード数が少なすぎて {a} と {b} の差は判断できません：有意な差は見られませんが、成功率の差の"
                        "区間 [{lo}, {hi}] ポイントは {margin} ポイントの差を否定できません。",
        "no_difference": "{a} と {b} に有意な差はなく、成功率の差は {margin} ポイント未満です（{d} [{lo}, {hi}]）。",
        "faster": "{w} は {l} より速く解けます（ログランク検定 p {p}、Holm 補正後 p {ph}、解くまでのステップ数の"
                  "中央値 {mw} 対 {ml}）。",
        "not_faster": "速さに有意な差はありません（ログランク検定 p {p}、Holm 補正後 p {ph}、解くまでのステップ数"
                      "の中央値 {ma} 対 {mb}）。",
        "neither": "どちらもステップ数の上限までに一度も解けていないため、速さは比較できません。",
        "one_step": "どちらもすべての試行がステップ {step} で解けており、速さに差はありません。",
        "more_often": "{w} は {l} より高い割合で解けます（成功率の差 {d} ポイント [{lo}, {hi}]、Fisher の正確検定 "
                      "p {p}、Holm 補正後 p {ph}）。",
        "success": "成功率の差（{s} − {o}）は {d} ポイント [{lo}, {hi}] で、有意ではありません（Holm 補正後 p {ph}）。",
        "all_solved": "どちらもすべての試行で解けています（{na} 試行と {nb} 試行）。",
        "lower_loss": "最終損失は {w} のほうが小さくなります（Mann–Whitney の U 検定 p {p}、Holm 補正後 p {ph}。"
                      "試行の組の {pct}% で {w} の損失のほうが小さい）。",
        "never": "未到達",
    },
}


def p_text(p: float, alpha: float = ALPHA) -> str:
    """"= 0.003", "< 0.001", "= 1": two significant digits, four where two would read as alpha or cross it."""
    if not math.isfinite(p):
        return "= –"
    if p < 0.001:
        return "< 0.001"
    text = f"{p:.2g}"
    if (p <= alpha) != (float(text) <= alpha) or float(text) == alpha:
        text = f"{p:.4g}"
    return f"= {text}"


def _points(x: float, signed: bool = False) -> str:
    """A fraction in whole percentage points: "+15", "-5", "0"."""
    value = round(100 * x)
    return "0" if value == 0 else (f"{value:+d}" if signed else f"{value:d}")


def _significant(p: float, alpha: float) -> bool:
    return bool(math.isfinite(p) and p <= alpha)


def _steps(m: float, never: str) -> str:
    return f"{m:.0f}" if math.isfinite(m) else never


def _success_numbers(r: dict, a_first: bool, margin: float) -> dict:
    """The success-rate difference and its interval in points, from the side of a (a_first) or of b."""
    sign = 1 if a_first else -1
    d, lo, hi = sign * r["success_diff"], *sorted((sign * r["success_diff_lo"], sign * r["success_diff_hi"]))
    return {"d": _points(d, signed=True), "lo": _points(lo), "hi": _points(hi), "margin": round(100 * margin)}


def verdict(row, lang: str = "en", alpha: float = ALPHA, min_seeds: int = MIN_SEEDS, margin: float = MARGIN) -> str:
    """The verdict on one row of `pairwise.pairwise_table` (a dict or a table row), in `lang` ("ja" or "en")."""
    if lang not in TEXTS:
        raise ValueError(f"lang must be one of {', '.join(TEXTS)}")
    t, r = TEXTS[lang], dict(row)
    a, b, na, nb = r["a"], r["b"], int(r["n_a"]), int(r["n_b"])
    if na < min_seeds or nb < min_seeds:
        return t["too_few_n"].format(a=a, b=b, na=na, nb=nb, min=min_seeds)
    speed, often = _significant(r["logrank_p_holm"], alpha), _significant(r["success_p_holm"], alpha)
    lower = _significant(r["loss_u_p_holm"], alpha)
    a_first = r["logrank_z"] > 0 if speed else (r["success_diff"] > 0 if often else True)
    s, o = (a, b) if a_first else (b, a)
    numbers = _success_numbers(r, a_first, margin)
    ms, mo = (r["median_steps_a"], r["median_steps_b"])[:: 1 if a_first else -1]
    never = t["never"]
    logrank = {"p": p_text(r["logrank_p"], alpha), "ph": p_text(r["logrank_p_holm"], alpha)}

    if r["logrank_note"] == ts.NO_SOLVES:
        speed_text = t["neither"]
    elif r["logrank_note"] == ts.ONE_STEP:
        speed_text = t["one_step"].format(step=_steps(r["median_steps_a"], never))
    elif speed:
        speed_text = t["faster"].format(w=s, l=o, mw=_steps(ms, never), ml=_steps(mo, never), **logrank)
    else:
        speed_text = t["not_faster"].format(ma=_steps(r["median_steps_a"], never),
                                            mb=_steps(r["median_steps_b"], never), **logrank)
    if not (speed or often or lower):
        within = -margin < r["success_diff_lo"] and r["success_diff_hi"] < margin
        lead = t["no_difference" if within else "too_few_wide"].format(a=a, b=b, **numbers)
        return f"{lead}{' ' if lang == 'en' else ''}{speed_text}"

    claims, rest = [], []
    (claims if speed else rest).append(speed_text)
    if r["success_note"] == ts.ALL_SOLVED:
        rest.append(t["all_solved"].format(na=na, nb=nb))
    elif often:  # the config with the higher success rate first (not necessarily the faster one)
        higher = r["success_diff"] > 0
        claims.append(t["more_often"].format(w=a if higher else b, l=b if higher else a,
                                             p=p_text(r["success_p"], alpha), ph=p_text(r["success_p_holm"], alpha),
                                             **_success_numbers(r, higher, margin)))
    elif r["success_note"] != ts.NONE_SOLVED:
        rest.append(t["success"].format(s=s, o=o, ph=p_text(r["success_p_holm"], alpha), **numbers))
    if lower:
        effect = r["loss_effect"]
        winner, share = (a, effect) if effect > 0.5 else (b, 1 - effect)
        claims.append(t["lower_loss"].format(w=winner, p=p_text(r["loss_u_p"], alpha),
                                             ph=p_text(r["loss_u_p_holm"], alpha), pct=f"{100 * share:.0f}"))
    parts = claims + rest
    return (" " if lang == "en" else "").join(parts)


def verdicts(table: pd.DataFrame, lang: str = "en", alpha: float = ALPHA, min_seeds: int = MIN_SEEDS,
             margin: float = MARGIN) -> pd.DataFrame:
    """a, b, verdict: one sentence (or a few) per row of a pairwise table."""
    texts = [verdict(row, lang, alpha, min_seeds, margin) for row in table.to_dict("records")]
    return pd.DataFrame({"a": table["a"], "b": table["b"], "verdict": texts}, index=table.index)
