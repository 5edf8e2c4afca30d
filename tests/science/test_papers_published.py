"""The claims table the repository ships (lab/science/papers/measured) agrees with the claims file: the same claims in
the same order, each verdict the one the verdict rule gives its shipped numbers, measured for this very claims file
(its digest). Editing the claims file without publishing again fails here, saying how to publish. And a publish
reads back exactly what was written."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lab.science.papers import published
from lab.science.papers.claims import BY_ID, CLAIMS, PAPERS, verdict

HOW = f"the shipped claims table is stale: run `{published.REPUBLISH}` and commit the files"


@pytest.fixture(scope="module")
def shipped():
    found = published.read()
    assert found is not None, f"nothing shipped in {published.MEASURED}: {HOW}"
    return found


def test_shipped_for_this_claims_file():
    about = published.about()
    assert about is not None, HOW
    assert about["claims_digest"] == published.claims_digest(), HOW
    for key in ("date", "commit", "torch", "machine", "seeds"):
        assert about[key], f"about.json lacks {key}"


def test_shipped_claims_are_the_claims_file_s(shipped):
    rows = pd.concat([f["claims"] for f in shipped.values()], ignore_index=True)
    assert list(rows["claim_id"]) == [c.claim_id for c in CLAIMS], HOW
    assert list(shipped) == list(PAPERS)
    for column in ("paper", "claim", "setting", "expected"):
        assert list(rows[column]) == [getattr(c, column) for c in CLAIMS], f"{column}: {HOW}"


def test_shipped_verdicts_follow_the_rule(shipped):
    rows = pd.concat([f["claims"] for f in shipped.values()], ignore_index=True)
    for r in rows.itertuples():
        assert r.verdict == verdict(BY_ID[r.claim_id], r.measured, r.ci_lo, r.ci_hi), r.claim_id


def test_shipped_figures_are_there_and_small(shipped):
    figures = {"saxe": {"plateaus", "fits", "depth_time"}, "glorot": {"energy", "success", "top_layer"},
               "dauphin": {"points", "toy"}, "fukumizu": {"stalls"}, "choi": {"gap", "settings"},
               "schmidt": {"settings"}}
    assert {paper: set(f) - {"claims"} for paper, f in shipped.items()} == figures
    size = sum(p.stat().st_size for p in published.MEASURED.iterdir())
    assert size < 1024 * 1024, f"{size} bytes shipped"


def test_a_publish_reads_back_exactly(tmp_path):
    x = np.random.default_rng(1).normal(size=6) * 10.0 ** np.arange(-3, 3)
    rows = pd.DataFrame({"paper": ["saxe", "saxe", "choi"], "claim_id": ["a", "b", "c"], "note": ["n, with comma",
                                                                                               "", "ü ≤ 1e-8"],
                         "measured": [x[0], math.nan, x[1]], "ci_lo": [x[2], math.nan, math.nan],
                         "ci_hi": [x[3], math.nan, math.nan], "n": [10, 1, 1]})
    figure = pd.DataFrame({"sigma": x, "method": list("abcdef"), "ok": [True, False] * 3})
    written = published.write(tmp_path, {"date": "d"}, {"saxe": {"claims": rows[:2], "plateaus": figure},
                                                        "choi": {"claims": rows[2:]}})
    assert [p.name for p in written] == ["claims.csv", "saxe.plateaus.csv", "about.json"]
    back = published.read(tmp_path)
    assert list(back) == ["saxe", "choi"]
    pd.testing.assert_frame_equal(back["saxe"]["claims"], rows[:2])
    pd.testing.assert_frame_equal(back["choi"]["claims"], rows[2:].reset_index(drop=True))
    pd.testing.assert_frame_equal(back["saxe"]["plateaus"], figure)
    assert published.about(tmp_path) == {"date": "d"}
    published.write(tmp_path, {"date": "e"}, {"choi": {"claims": rows[2:]}})  # a new publish leaves no old figure
    assert set(published.read(tmp_path)) == {"choi"} and not (tmp_path / "saxe.plateaus.csv").exists()
