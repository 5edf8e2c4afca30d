"""The lecture page's replay of one trial's training: the frames the worker computes (thin, numbered, the exact
trial's parameters) and the chart the page draws in both languages (one slider parameter over all frames)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import ok, slider_param
from streamlit.testing.v1 import AppTest

from lab.compute import jobs
from lab.compute.sweep import stored_runs
from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.dashboard import shell
from lab.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("shared_store_dir")


def test_frames_are_thin_numbered_the_exact_trials_and_kept(tmp_path):
    config = TrialConfig(steps=300, activation="tanh")
    frames = jobs.replay_frames(str(tmp_path), config, 5)  # the trial is not stored: computed, not kept
    assert Store(tmp_path).derived_files() == {}
    loss = frames["loss"]
    assert loss["frame"].tolist() == list(range(len(loss))) and len(loss) <= jobs.REPLAY_FRAMES + 1
    assert loss["step"].iloc[0] == 0 and loss["step"].iloc[-1] == 300
    assert len(frames["decision"]) == len(loss) * jobs.REPLAY_GRID**2
    assert len(frames["units"]) == 2 * len(frames["decision"])
    runs = train(config, [5])
    last = frames["weights"][frames["weights"]["frame"] == len(loss) - 1].sort_values("index")
    assert np.array_equal(last["weight"].to_numpy(), runs.params[0].astype(np.float64))  # bitwise the trial's end
    assert np.array_equal(loss["table_loss"].iloc[-1], runs.table_loss[0, -1].astype(np.float64))
    stored_runs(Store(tmp_path), config, [5])
    for found in (jobs.replay_frames(str(tmp_path), config, 5), jobs.replay_frames(str(tmp_path), config, 5)):
        assert list(found) == list(frames)  # computed and kept, then read back: the same tables, bitwise
        for name, table in frames.items():
            pd.testing.assert_frame_equal(found[name], table, check_exact=True, check_index_type=True)
    assert len(Store(tmp_path).derived_files()[config.key()]) == 1


def payload(at: AppTest) -> int:
    """Bytes of the data the replay chart sends (Arrow tables beside the spec)."""
    (chart,) = [c for c in at.get("vega_lite_chart") + at.get("arrow_vega_lite_chart") if '"frame"' in c.proto.spec]
    return sum(len(d.data.data) for d in chart.proto.datasets) + len(chart.proto.spec)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_lecture_page_draws_the_replay_under_one_slider(lang):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"steps": "200", "seed": "1", "lang": lang})
    ok(at.run())
    assert shell.text("lec.replay", lang) in [h.value for h in at.subheader]
    param = slider_param(at, "frame")
    assert param["bind"]["min"] == 0
    assert param["value"] == param["bind"]["max"] == 200 // 5  # ceil(200 / 40) = 5 iterations a frame: 41 frames
    assert param["bind"]["name"].strip() == shell.text("lec.replay.slider", lang)
    assert payload(at) < 500_000  # 41 frames of 13 × 13 maps (3 maps) and the rest
    assert shell.text("lec.hint", lang) in [i.value for i in at.info]
    assert any(c.value.startswith(shell.text("lec.replay.caption", lang, frames=41, every=5)[:12]) for c in at.caption)
