"""The work a page still has to do: the seeds the store lacks, config by config, in pieces trained and stored one at
a time (so a changed widget loses nothing finished, and a progress bar moves between pieces).

A piece holds about `PIECE` trial-steps. Trials of one config train stacked, so a larger piece costs little more than
a small one (20 seeds of the overfit preset take about 5 s in one piece, 20 s in pieces of two): pieces are sized by
plain trial-steps, not by the budget's weighted work.
"""

from __future__ import annotations

PIECE = 40_000  # trial-steps per piece: 10 seeds of 4,000 steps


def plan(store, configs, n_seeds: int, piece: int = PIECE) -> list[tuple[object, list[int]]]:
    """(config, seeds) pieces covering seeds 0..n-1 of every config that the store lacks, in the configs' order."""
    todo = []
    for config in dict.fromkeys(configs):
        missing = store.missing(config, range(n_seeds))
        size = max(1, piece // config.steps)
        todo.extend((config, missing[i:i + size]) for i in range(0, len(missing), size))
    return todo
