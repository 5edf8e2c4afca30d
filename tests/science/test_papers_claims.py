"""The claims file is fixed: its thresholds are pinned here (a change shows in review as a change to this table and
the digest), and the verdict rule applied to constructed measurements."""

from __future__ import annotations

import hashlib
import math

import pytest

from lab.science.papers.claims import BY_ID, CLAIMS, PAPERS, VERDICTS, Claim, verdict

INF = math.inf

PINNED = [  # claim id, expected, holds, qualitatively, rule
    ("saxe.slope.d2", "-1", (-1.25, -0.75), (-1.6, -0.4), "estimate"),
    ("saxe.slope.d3", "-2", (-2.5, -1.5), (-3.2, -0.8), "estimate"),
    ("saxe.slope.d4", "-3", (-3.75, -2.25), (-4.8, -1.2), "estimate"),
    ("saxe.orthogonal_vs_gaussian", "about 1 (depth-independent)", (0.5, 2.0), (0.25, 4.0), "estimate"),
    ("glorot.backprop_ratio.tanh", "1/3 ≈ 0.333", (0.7 / 3, 1.43 / 3), (0.0, 1.0), "estimate"),
    ("glorot.backprop_ratio.sigmoid", "1/48 ≈ 0.0208", (0.7 / 48, 1.43 / 48), (0.0, 0.25), "estimate"),
    ("glorot.normalized_init.sigmoid.d5", "> 0", (0.0, INF), (1e-12, INF), "interval"),
    ("glorot.top_layer_saturation", "most seeds (≥ 0.5)", (0.5, 1.0), (0.1, 1.0), "estimate"),
    ("dauphin.error_vs_index", "> 0 (monotone increasing)", (0.5, 1.0), (1e-12, 1.0), "estimate"),
    ("dauphin.saddle_free_newton", "< 0", (-INF, -1e-06), (-INF, 0.0), "estimate"),
    ("fukumizu.singular_stalls", "most stalls (≥ 0.5)", (0.5, 1.0), (0.2, 1.0), "estimate"),
    ("choi.rmsprop_contains_momentum", "0 (to rounding)", (0.0, 1e-09), (0.0, 0.0001), "estimate"),
    ("choi.adam_eps_vs_momentum.xor", "≥ 0 (never worse)", (-0.05, 1.0), (-0.15, 1.0), "estimate"),
    ("choi.adam_eps_vs_momentum.and_d3", "≥ 0 (never worse)", (-0.05, 1.0), (-0.15, 1.0), "estimate"),
    ("schmidt.defaults_vs_tuned.xor", "about 0", (-0.1, 0.1), (-0.2, 0.2), "interval"),
    ("schmidt.defaults_vs_tuned.and_d3", "about 0", (-0.1, 0.1), (-0.2, 0.2), "interval"),
]

# sha256 of repr(CLAIMS): every field, the sentences and settings included
DIGEST = "1a4cb29a60098b78edc045ea5b26e84b91ab1262d312b84be1e057eb67b45b46"


def test_thresholds_are_the_pinned_ones():
    assert [(c.claim_id, c.expected, c.holds, c.qualitatively, c.rule) for c in CLAIMS] == PINNED


def test_the_whole_file_is_pinned():
    assert hashlib.sha256(repr(CLAIMS).encode()).hexdigest() == DIGEST


def test_every_claim_names_a_paper_and_ids_are_unique():
    assert len(BY_ID) == len(CLAIMS)
    assert {c.paper for c in CLAIMS} == set(PAPERS)
    for c in CLAIMS:
        assert c.claim_id.startswith(c.paper + ".")
        assert c.holds[0] <= c.holds[1] and c.qualitatively[0] <= c.qualitatively[1]
        assert c.rule in ("estimate", "interval")


def test_the_issue_s_claim_ids_are_all_there():
    needed = {"saxe.slope.d2", "saxe.slope.d3", "saxe.slope.d4", "glorot.backprop_ratio.tanh",
              "glorot.backprop_ratio.sigmoid", "glorot.normalized_init.sigmoid.d5", "glorot.top_layer_saturation",
              "dauphin.error_vs_index", "dauphin.saddle_free_newton", "fukumizu.singular_stalls",
              "choi.rmsprop_contains_momentum"}
    assert needed <= set(BY_ID)
    assert any(i.startswith("schmidt.defaults_vs_tuned") for i in BY_ID)


ESTIMATE = Claim("p", "p.x", "", "", "", "", holds=(-1.25, -0.75), qualitatively=(-1.6, -0.4))
INTERVAL = Claim("p", "p.y", "", "", "", "", holds=(-0.1, 0.1), qualitatively=(-0.2, 0.2), rule="interval")


@pytest.mark.parametrize(("claim", "measured", "lo", "hi", "expected"), [
    (ESTIMATE, -1.0, math.nan, math.nan, "holds"),
    (ESTIMATE, -1.25, math.nan, math.nan, "holds"),  # closed bounds
    (ESTIMATE, -1.2500001, math.nan, math.nan, "holds qualitatively"),
    (ESTIMATE, -0.4, math.nan, math.nan, "holds qualitatively"),
    (ESTIMATE, -0.39, math.nan, math.nan, "does not hold here"),
    (ESTIMATE, 1.0, -5.0, 5.0, "does not hold here"),
    (ESTIMATE, math.nan, math.nan, math.nan, "does not hold here"),
    (ESTIMATE, -1.0, -9.0, 9.0, "holds"),  # an estimate rule ignores the interval
    (INTERVAL, 0.0, -0.05, 0.05, "holds"),
    (INTERVAL, 0.0, -0.15, 0.05, "holds qualitatively"),  # the interval leaves the holds band
    (INTERVAL, 0.0, math.nan, math.nan, "holds qualitatively"),
    (INTERVAL, 0.19, 0.1, 0.3, "holds qualitatively"),
    (INTERVAL, 0.25, 0.2, 0.3, "does not hold here"),
])
def test_verdict_rule(claim, measured, lo, hi, expected):
    assert verdict(claim, measured, lo, hi) == expected
    assert expected in VERDICTS
