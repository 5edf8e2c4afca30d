"""Writer processes for tests/storage/test_classruns.py (spawned by multiprocessing, never collected by pytest):
several processes adding runs to one class at once, and one killed in the middle of its write."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import sqlalchemy as sa  # noqa: E402

from lab.storage import classruns  # noqa: E402
from lab.storage.classruns import ClassStore, thin_curve  # noqa: E402


def add_seeds(url: str, code: str, seeds: list[int], session: str, start_at: float) -> list[tuple[int, bool]]:
    """Add a run for each seed (all start together at `start_at`): (seed, whether this call added it first)."""
    store = ClassStore(url)
    time.sleep(max(0.0, start_at - time.time()))
    out = []
    for seed in seeds:
        added = store.add(code, seed, f"{session}-{seed}", solved=seed % 3 != 0, steps_to_solve=float(seed * 10),
                          final_loss=1.0 / (seed + 1), curve=thin_curve([1.0 / (seed + 1)] * 100))
        out.append((added.submission.seed, added.first))
    store.dispose()
    return out


def write_and_hang(url: str, code: str, seeds: list[int], ready) -> None:
    """Insert runs inside one transaction, say so on `ready`, then hang with the transaction open (the test kills
    this process: the runs were never committed)."""
    store = ClassStore(url)
    with store.engine.begin() as conn:
        for seed in seeds:
            conn.execute(classruns.submissions.insert().values(
                code=code, seed=seed, session="hung", solved=True, steps_to_solve=1.0, final_loss=0.5,
                curve="{}", submitted=time.time()))
        conn.execute(sa.text("SELECT 1"))
        ready.set()
        time.sleep(600)
