"""Verdicts claim only what the Holm-adjusted tests support, and say when the seeds are too few; real engine runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lab.core import naming
from lab.core.config import TrialConfig
from lab.core.engine import train_group
from lab.science import pairwise, two_sample, verdicts
from lab.science.trials import summaries


def row(**changes) -> dict:
    base = {"a": "Adam", "b": "RMSprop", "n_a": 20, "n_b": 20, "success_a": 1.0, "success_b": 1.0,
            "success_diff": 0.0, "success_diff_lo": -0.16, "success_diff_hi": 0.16, "logrank_p": 0.5,
            "logrank_p_holm": 0.5, "median_steps_a": 60.0, "median_steps_b": 300.0, "solved_a": 20, "solved_b": 20,
            "success_p": math.nan, "success_p_holm": math.nan, "success_note": two_sample.ALL_SOLVED,
            "logrank_z": 0.3, "logrank_note": "", "loss_u_p": 0.5, "loss_u_p_holm": 0.5, "loss_effect": 0.5,
            "loss_note": ""}
    return {**base, **changes}


def test_faster_only_on_a_significant_adjusted_log_rank_test():
    significant = row(logrank_p=0.001, logrank_p_holm=0.004, logrank_z=3.1)
    assert verdicts.verdict(significant).startswith("Adam solves faster than RMSprop: log-rank p = 0.001, "
                                                    "Holm-adjusted p = 0.004")
    assert verdicts.verdict(significant, "ja").startswith("Adam は RMSprop より速く解けます（ログランク検定 p = 0.001、"
                                                          "Holm 補正後 p = 0.004")
    unadjusted_only = row(logrank_p=0.01, logrank_p_holm=0.06, logrank_z=3.1)
    for lang, word in (("en", "faster"), ("ja", "速く解けます")):
        assert word not in verdicts.verdict(unadjusted_only, lang)


def test_the_faster_config_is_named_first_with_its_own_success_difference():
    text = verdicts.verdict(row(logrank_p=0.001, logrank_p_holm=0.002, logrank_z=-3.0, success_a=0.8,
                                success_diff=-0.2, success_diff_lo=-0.35, success_diff_hi=-0.05, success_p=0.03,
                                success_p_holm=0.2, success_note=""))
    assert text.startswith("RMSprop solves faster than Adam")
    assert "Success rate of RMSprop minus Adam: +20 points [5, 35], not significant" in text


def test_more_often_only_on_a_significant_adjusted_fisher_test():
    base = {"success_a": 0.6, "success_diff": -0.4, "success_diff_lo": -0.58, "success_diff_hi": -0.19,
            "success_note": ""}
    text = verdicts.verdict(row(success_p=0.001, success_p_holm=0.003, **base))
    assert text.startswith("RMSprop solves more often than Adam: success rate +40 points [19, 58]")
    assert "more often" not in verdicts.verdict(row(success_p=0.02, success_p_holm=0.07, **base))


def test_faster_and_more_often_can_point_opposite_ways():
    text = verdicts.verdict(row(logrank_p=0.001, logrank_p_holm=0.002, logrank_z=2.5, success_a=0.7,
                                success_diff=-0.3, success_diff_lo=-0.45, success_diff_hi=-0.14, success_p=0.001,
                                success_p_holm=0.003, success_note=""))
    assert text.startswith("Adam solves faster than RMSprop")
    assert "RMSprop solves more often than Adam: success rate +30 points [14, 45]" in text
    assert "Adam solves more often" not in text


def test_too_few_seeds():
    few = row(n_a=9, logrank_p=1e-6, logrank_p_holm=1e-5, logrank_z=5.0)
    assert verdicts.verdict(few).startswith("Too few seeds to tell Adam and RMSprop apart: 9 and 20 trials")
    assert verdicts.verdict(few, "ja").startswith("シード数が少なすぎて Adam と RMSprop の差は判断できません")
    wide = row(success_diff_lo=-0.12, success_diff_hi=0.25, success_diff=0.05)  # nothing significant, wide
    assert "cannot exclude a 10-point difference" in verdicts.verdict(wide)
    assert "シード数が少なすぎて" in verdicts.verdict(wide, "ja")


def test_no_difference_needs_an_interval_within_ten_points():
    narrow = row(n_a=200, n_b=200, success_diff_lo=-0.02, success_diff_hi=0.02)
    assert verdicts.verdict(narrow).startswith("No significant difference between Adam and RMSprop")
    assert verdicts.verdict(narrow, "ja").startswith("Adam と RMSprop に有意な差はなく")


def test_degenerate_pairs_say_what_happened():
    never = row(logrank_p=math.nan, logrank_p_holm=math.nan, logrank_note=two_sample.NO_SOLVES, success_a=0.0,
                success_b=0.0, success_note=two_sample.NONE_SOLVED, n_a=50, n_b=50, success_diff_lo=-0.07,
                success_diff_hi=0.07)
    assert "Neither solves within the step budget" in verdicts.verdict(never)
    same = row(logrank_p=math.nan, logrank_p_holm=math.nan, logrank_note=two_sample.ONE_STEP, median_steps_a=40.0)
    assert "Every trial of both solves at step 40" in verdicts.verdict(same)
    assert "ステップ 40 で解けており" in verdicts.verdict(same, "ja")


def test_random_rows_never_claim_more_than_the_adjusted_tests():
    rng = np.random.default_rng(0)
    for _ in range(500):
        p = rng.choice([1e-4, 0.01, 0.04, 0.05, 0.051, 0.3, math.nan], size=3)
        r = row(n_a=int(rng.integers(5, 60)), n_b=int(rng.integers(5, 60)), logrank_p_holm=p[0], success_p_holm=p[1],
                loss_u_p_holm=p[2], logrank_z=rng.normal(), loss_effect=rng.uniform(), success_note="",
                success_diff=rng.uniform(-0.3, 0.3), success_diff_lo=-0.3, success_diff_hi=0.3)
        enough = min(r["n_a"], r["n_b"]) >= 10
        for lang, words in (("en", ("solves faster", "solves more often", "lower final loss")),
                            ("ja", ("速く解けます", "高い割合で解けます", "のほうが小さくなります"))):
            text = verdicts.verdict(r, lang)
            for word, p_holm in zip(words, p):
                assert (word in text) == (enough and p_holm <= 0.05), (text, p_holm)


def test_p_values_are_not_rounded_across_alpha():
    assert verdicts.p_text(0.0499) == "= 0.0499" and verdicts.p_text(0.0504) == "= 0.0504"
    assert verdicts.p_text(0.0004) == "< 0.001" and verdicts.p_text(0.0123) == "= 0.012" and verdicts.p_text(1) == "= 1"
    with pytest.raises(ValueError):
        verdicts.verdict(row(), "fr")


def test_real_runs_table_and_verdicts_agree_with_the_tests():
    configs = [TrialConfig(optimizer=name, steps=300) for name in ("adam", "rmsprop", "sgd")]
    frame = summaries(train_group([(config, range(20)) for config in configs]))
    table = pairwise.pairwise_table(frame)
    assert table.shape == (3, len(pairwise.COLUMNS)) and list(table.columns) == list(pairwise.COLUMNS)
    labels = [naming.label(config) for config in configs]
    assert table[["a", "b"]].values.tolist() == [labels[:2], labels[::2], labels[1:]]
    assert (table[["n_a", "n_b"]] == 20).all().all()
    for r, text_en, text_ja in zip(table.to_dict("records"), verdicts.verdicts(table)["verdict"],
                                   verdicts.verdicts(table, "ja")["verdict"]):
        significant = r["logrank_p_holm"] <= 0.05
        assert ("solves faster than" in text_en) == significant and ("速く解けます" in text_ja) == significant
        if significant:
            winner, loser = (r["a"], r["b"]) if r["logrank_z"] > 0 else (r["b"], r["a"])
            assert text_en.startswith(f"{winner} solves faster than {loser}")
            medians = {r["a"]: r["median_steps_a"], r["b"]: r["median_steps_b"]}
            assert np.nan_to_num(medians[winner], nan=np.inf) <= np.nan_to_num(medians[loser], nan=np.inf)
    assert (table["logrank_p_holm"] >= table["logrank_p"]).all()
