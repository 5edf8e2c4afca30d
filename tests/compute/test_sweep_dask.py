"""A sweep of 100,000 trials on a Dask cluster of worker processes (a LocalCluster: the scheduler and workers a real
cluster runs, on this machine) gives the same numbers as the same sweep in this process. Summaries only, so that it
is quick (about 40 s on a 2-core machine, most of it the workers importing torch and the local run)."""

from __future__ import annotations

import logging
import os

import numpy as np
import pytest
from helpers import reference_run

from lab.compute import sweep
from lab.compute.sweep import run_configs
from lab.core.config import ConfigError, TrialConfig
from lab.core.recording import Recording
from lab.science.stalls import stalls

CONFIGS = [TrialConfig(task="xor", steps=200), TrialConfig(optimizer="sgd", lr=2.0, steps=200)]
SEEDS = list(range(50_000))  # x 2 configs: 100,000 trials
SUMMARY = ["seed", "solved", "steps_to_solve", "final_loss", "diverged"]


@pytest.mark.slow
def test_100000_trials_on_dask_worker_processes_equal_the_local_sweep(monkeypatch):
    distributed = pytest.importorskip("distributed")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p))
    for name in ("distributed", "tornado", "bokeh"):
        monkeypatch.setattr(logging.getLogger(name), "level", logging.ERROR)
    record = Recording(None)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  memory_limit="2GiB") as cluster:
        remote = run_configs(CONFIGS, SEEDS, scheduler=cluster.scheduler_address, record=record)
    local = run_configs(CONFIGS, SEEDS, workers=1, record=record)
    for got, want in zip(remote, local, strict=True):
        assert got.config == want.config and got.seeds == SEEDS == want.seeds
        assert got.summary()[SUMMARY].equals(want.summary()[SUMMARY])
        assert stalls(got).equals(stalls(want))
        np.testing.assert_array_equal(got.params, want.params)
        assert 0 < got.solved.sum() < len(SEEDS)  # numbers worth comparing: solved and unsolved trials
    assert all((stalls(runs)["stall_count"] > 0).any() for runs in local)
    for k, seed in ((0, 0), (1, 49_999)):  # and the plain program's trained parameters, bitwise
        np.testing.assert_array_equal(local[k].params[seed], np.asarray(reference_run(CONFIGS[k], seed)["params"],
                                                                         np.float32))


class Failing:
    def __init__(self, error):
        self.error = error

    def result(self):
        raise self.error


@pytest.mark.parametrize("error", [
    RuntimeError("Error during deserialization of the task graph. This frequently occurs if the Scheduler and Client "
                 "have different environments."),
    ModuleNotFoundError("No module named 'lab'", name="lab"),
])
def test_a_cluster_that_cannot_load_the_lab_is_one_line(error):
    with pytest.raises(ConfigError, match="PYTHONPATH=. and the same package versions") as found:
        sweep.unit_result(Failing(error), "tcp://10.0.0.5:8786")
    assert found.value.field == "scheduler" and "tcp://10.0.0.5:8786" in found.value.reason


def test_other_errors_on_the_cluster_pass_through():
    with pytest.raises(RuntimeError, match="out of memory"):
        sweep.unit_result(Failing(RuntimeError("out of memory")), "tcp://10.0.0.5:8786")
