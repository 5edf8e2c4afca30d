"""One way to cut work (lab.compute.chunks): the server's service and a sweep cut a config's seeds into the same
blocks of consecutive seed numbers."""

from __future__ import annotations

import itertools
import random

import lab.compute.sweep
from lab.compute.chunks import chunk_seeds, pieces
from lab.compute.sweep import plan
from lab.core.config import TrialConfig


def test_pieces_are_the_blocks_of_consecutive_seed_numbers():
    rng = random.Random(0)
    for size in (1, 3, 7, 64):
        seeds = rng.sample(range(500), 120)
        expected = [tuple(group) for _, group in itertools.groupby(sorted(seeds), key=lambda s: s // size)]
        assert pieces(sorted(seeds), size) == expected
        assert all(len(p) <= size for p in expected)
        got = pieces(seeds, size)  # unsorted: the same blocks, each in the order given, first seen first
        assert sorted(map(sorted, got)) == sorted(map(list, expected))
        assert [p[0] for p in got] == [s for s in seeds if s == next(q for q in seeds if q // size == s // size)]
        assert all(list(p) == [s for s in seeds if s // size == p[0] // size] for p in got)
    assert pieces([], 5) == []
    assert pieces(range(10), 0) == [(s,) for s in range(10)]  # a size below 1 counts as 1


def test_the_service_and_a_sweep_cut_alike(monkeypatch):
    config = TrialConfig(steps=100)
    per_chunk = len(chunk_seeds(config, range(10_000))[0])  # the service's piece for this config
    monkeypatch.setattr(lab.compute.sweep, "MAX_TRIALS_PER_UNIT", per_chunk)
    missing = [s for s in range(3 * per_chunk) if s % 3]  # gaps, as after a partial run
    units = plan([config], missing, workers=1)
    assert sorted(tuple(part) for unit in units for _, part in unit) == chunk_seeds(config, missing)
