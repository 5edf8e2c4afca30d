"""lab.compute.papers on a small scale: a paper's rows carry the verdict its claim's thresholds give, the trials the
engine trained for it are in the store, and a second call reads the rows back instead of measuring."""

from __future__ import annotations

import pandas as pd

from lab.compute import papers as measuring
from lab.core.config import TrialConfig
from lab.science.papers.claims import BY_ID, verdict
from lab.storage.store import Store


def test_glorot_rows_are_measured_stored_and_read_back(tmp_path, monkeypatch):
    store = Store(tmp_path / "store")
    monkeypatch.setattr(measuring, "GLOROT_DEPTHS", (1, 5))
    found = measuring.measure("glorot", 10, store, workers=1)
    rows = found["claims"]
    assert rows["claim_id"].tolist() == ["glorot.backprop_ratio.tanh", "glorot.backprop_ratio.sigmoid",
                                         "glorot.normalized_init.sigmoid.d5", "glorot.top_layer_saturation"]
    for row in rows.itertuples():
        assert row.verdict == verdict(BY_ID[row.claim_id], row.measured, row.ci_lo, row.ci_hi)
        assert row.n == 10
    tanh = rows.iloc[0]
    assert tanh.ci_lo <= tanh.measured <= tanh.ci_hi and 0 < tanh.measured < 1
    success = found["success"].set_index(["init", "depth"])
    xavier = store.load(TrialConfig(depth=5, init="xavier"))
    assert sorted(xavier.seeds) == list(range(10))  # the engine's trials, in the store
    assert success.loc[("xavier", 5), "success"] == xavier.solved.mean()
    d5 = rows.set_index("claim_id").loc["glorot.normalized_init.sigmoid.d5", "measured"]
    assert d5 == xavier.solved.mean() - store.load(TrialConfig(depth=5)).solved.mean()

    def fail(*args):
        raise AssertionError("measured again")

    monkeypatch.setitem(measuring.MEASURES, "glorot", fail)
    again = measuring.measure("glorot", 10, store, workers=1)
    pd.testing.assert_frame_equal(again["claims"], rows)
    pd.testing.assert_frame_equal(again["energy"], found["energy"])


def test_fukumizu_counts_only_stalled_seeds(tmp_path):
    store = Store(tmp_path / "store")
    rows, tables = measuring.fukumizu(12, store, workers=1)
    stalls = tables["stalls"]
    assert rows[0]["n"] == len(stalls) <= 12
    assert rows[0]["verdict"] == verdict(BY_ID["fukumizu.singular_stalls"], rows[0]["measured"], rows[0]["ci_lo"],
                                         rows[0]["ci_hi"])
    assert (stalls["near_zero"] >= 0).all() and stalls["singular"].dtype == bool
