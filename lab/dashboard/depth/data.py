"""What the depth page reads through the server's workers and cache: each config's depth digest and the statistics
table with the Hessian tests of its stalls."""

from __future__ import annotations

import pandas as pd

from lab.compute import jobs
from lab.dashboard import work
from lab.dashboard.depth import tables
from lab.dashboard.memo import remembered


def digests(configs, n_seeds: int) -> dict:
    """Each config's depth digest over seeds 0..n-1, built by a worker from stored results, by config."""
    return dict(zip(configs, work.result(jobs.depth_digest_list, tuple(configs), n_seeds), strict=True))


@remembered
def _stats(root: str, configs: tuple, n_seeds: int, tests_each: tuple) -> pd.DataFrame:
    found = work.result(jobs.depth_digest_list, configs, n_seeds)
    return tables.stats_table(found, [work.result(jobs.hessian_tests, c, n_seeds, t)
                                      for c, t in zip(configs, tests_each)])


def stats(configs, n_seeds: int, tests_each) -> pd.DataFrame:
    """The statistics table (`tables.stats_table`) over seeds 0..n-1, each config's Hessian test of at most
    `tests_each[i]` stalls (kept with its entry once computed)."""
    return _stats(work.root(), tuple(configs), n_seeds, tuple(tests_each))
