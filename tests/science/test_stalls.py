"""lab.science.stalls: the stall detector on synthetic truth-table loss curves (plateaus, drops, noise, thresholds,
BCE's scale) and the per-trial stall table and summary."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import PLATEAU, fake_runs

from lab.science import diagnostics, stalls


def plateau_then_drop(plateau_steps=300, total=1000, level=PLATEAU, rate=40.0):
    t = np.arange(total + 1, dtype=np.float64)
    after = np.maximum(t - plateau_steps, 0)
    return np.where(t < plateau_steps, level, 0.001 + (level - 0.001) * np.exp(-after / rate))


# ---- stalls on synthetic curves -------------------------------------------------------------------------------------
def test_flat_high_then_drop_is_one_escaped_stall():
    curve = plateau_then_drop(300)
    found = diagnostics.find_stalls(curve)
    assert len(found) == 1
    start, end = found[0]
    assert start == 0 and 280 <= end <= 310  # the envelope sees the drop up to smooth/2 steps early
    row = diagnostics.stalls(fake_runs(curve, solved=[True])).iloc[0]
    assert row.stall_count == 1 and row.escaped and row.solved and not row.stuck_at_end
    assert row.first_start == start and row.first_end == end and row.longest_mid == (start + end) // 2
    assert row.stalled_steps == end - start


def test_monotone_decrease_has_no_stall():
    t = np.arange(1001)
    curve = 0.3 * np.exp(-t / 150)  # at the high bar (0.1) it still falls 0.03 per 50 steps
    assert diagnostics.find_stalls(curve) == []
    row = diagnostics.stalls(fake_runs(curve, solved=[True])).iloc[0]
    assert row.stall_count == 0 and row.first_start == -1 and row.longest_mid == -1 and not row.escaped


def test_two_plateaus_with_a_drop_between_are_two_stalls():
    t = np.arange(1001)
    curve = np.where(t < 300, 0.25, np.where(t < 310, 0.25 - (t - 300) * (0.25 - 1 / 6) / 10, 1 / 6))
    curve = np.where(t < 700, curve, 0.001 + (1 / 6 - 0.001) * np.exp(-(t - 700) / 30.0))
    found = diagnostics.find_stalls(curve)
    assert len(found) == 2
    (a0, a1), (b0, b1) = found
    assert a0 == 0 and 280 <= a1 <= 300 and 300 <= b0 <= 330 and 670 <= b1 <= 700
    row = diagnostics.stalls(fake_runs(curve, solved=[True])).iloc[0]
    assert row.stall_count == 2 and row.escaped
    assert (row.longest_start, row.longest_end) == (b0, b1)  # the longer one
    assert (row.first_start, row.first_end) == (a0, a1)


def test_a_noisy_plateau_is_one_stall():
    rng = np.random.default_rng(0)
    curve = plateau_then_drop(600)
    # minibatch noise: small jitter everywhere, and upward excursions of up to 0.03 lasting a few to 15 steps
    curve = curve + rng.normal(0, 0.001, curve.shape)
    for at in rng.integers(0, 580, 40):
        curve[at:at + rng.integers(3, 15)] += rng.uniform(0.005, 0.03)
    found = diagnostics.find_stalls(curve)
    assert len(found) == 1 and found[0][0] <= 15 and 570 <= found[0][1] <= 610
    # symmetric noise as large as the flat bar's half
    gaussian = plateau_then_drop(600) + rng.normal(0, 0.0025, 1001)
    found = diagnostics.find_stalls(gaussian)
    assert len(found) == 1 and found[0][0] <= 15 and 570 <= found[0][1] <= 610


def test_a_stall_until_the_end_is_not_escaped():
    curve = np.full(1001, PLATEAU)
    curve[:30] = np.linspace(0.3, PLATEAU, 30)
    found = diagnostics.find_stalls(curve)
    assert len(found) == 1 and found[0][0] <= 30 and found[0][1] == 1000
    row = diagnostics.stalls(fake_runs(curve, solved=[False])).iloc[0]
    assert row.stall_count == 1 and row.stuck_at_end and not row.escaped and not row.solved
    assert row.longest_end == 1000


def test_thresholds_are_respected():
    low = plateau_then_drop(400, level=0.09)  # below the high bar, 0.4 × 0.25 = 0.1
    assert diagnostics.find_stalls(low) == []
    assert len(diagnostics.find_stalls(low, high=0.3)) == 1
    short = plateau_then_drop(90)
    assert diagnostics.find_stalls(short) == []  # shorter than min_steps
    assert len(diagnostics.find_stalls(short, min_steps=50)) == 1
    slope = np.maximum(PLATEAU - np.arange(1001) * 0.004 / 50, 0.0)  # 0.004 per 50 steps: under the flat bar
    assert len(diagnostics.find_stalls(slope)) == 1
    assert diagnostics.find_stalls(slope, flat=0.01) == []  # 0.0025 per 50 steps
    assert diagnostics.find_stalls(np.full(40, PLATEAU)) == []  # shorter than a window
    with pytest.raises(ValueError):
        diagnostics.find_stalls(low, window=0)


def test_a_stall_of_exactly_min_steps_counts():
    """Steps 0 .. 100 high and flat, then a drop: without smoothing the stall is (0, 100), 100 steps, the shortest
    that counts (min_steps is inclusive)."""
    curve = np.where(np.arange(301) <= 100, PLATEAU, 0.001)
    assert diagnostics.find_stalls(curve, smooth=1, min_steps=100) == [(0, 100)]
    assert diagnostics.find_stalls(curve, smooth=1, min_steps=101) == []
    row = diagnostics.stalls(fake_runs(curve, solved=[True]), smooth=1, min_steps=100).iloc[0]
    assert row.stall_count == 1 and row.stalled_steps == 100 and (row.first_start, row.first_end) == (0, 100)


def test_bce_thresholds_scale_with_the_reference_loss():
    assert diagnostics.reference_loss("mse") == 0.25 and diagnostics.reference_loss("bce") == pytest.approx(math.log(2))
    entropy = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))  # BCE of answering 1/4 on AND
    curve = plateau_then_drop(300, level=entropy)
    assert len(diagnostics.stalls(fake_runs(curve, solved=[True], loss_fn="bce")).query("stall_count > 0")) == 1
    below = plateau_then_drop(300, level=0.25)  # high for MSE, below the BCE bar 0.4 ln 2 = 0.277
    assert diagnostics.stalls(fake_runs(below, solved=[True], loss_fn="bce")).stall_count.iloc[0] == 0
    assert diagnostics.stalls(fake_runs(below, solved=[True], loss_fn="mse")).stall_count.iloc[0] == 1


def test_stalls_is_find_stalls_for_every_trial():
    curves = np.stack([plateau_then_drop(300), plateau_then_drop(700), 0.3 * np.exp(-np.arange(1001) / 150),
                       np.full(1001, PLATEAU), plateau_then_drop(0)])
    table = diagnostics.stalls(fake_runs(curves, solved=[True, True, True, False, True]))
    for k, curve in enumerate(curves):
        found = diagnostics.find_stalls(curve)
        row = table.iloc[k]
        assert row.stall_count == len(found) and row.stalled_steps == sum(b - a for a, b in found)
        if found:
            assert (row.first_start, row.first_end) == found[0]
    summary = stalls.stall_summary(fake_runs(curves, solved=[True, True, True, False, True]))
    assert summary["stalled"] == 3 and summary["stalled_fraction"] == pytest.approx(0.6)
    assert summary["escaped_fraction"] == pytest.approx(2 / 3) and summary["stuck_fraction"] == pytest.approx(0.2)
