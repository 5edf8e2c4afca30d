"""Sweeps (lab.compute.sweep): grids, the lecture preset, work planning, and the same numbers however the work is run
(sequentially, on local worker processes, on a Dask cluster), stored once."""

from __future__ import annotations

import io
import itertools
import logging
import os
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import lab.cli.sweep
import lab.compute.sweep
from lab.compute.sweep import MAX_TRIALS_PER_UNIT, local_executor, plan, prepare, quickest, run_configs, run_plan
from lab.core.config import ConfigError, TrialConfig
from lab.core.engine import train
from lab.core.optimizers import OPTIMIZERS
from lab.core.runs import Runs
from lab.storage.parquet import select
from lab.storage.presets import PRESETS, Grid
from lab.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]
ARRAYS = ("loss", "table_loss", "table_error", "grad_norm", "table_output", "params")
# 2 optimizers x 2 activations x depths 1-2: two shapes of four configs each
SMALL_GRID = Grid(base={"steps": 50}, axes={"optimizer": ("sgd", "adam"), "activation": ("sigmoid", "tanh"),
                                             "depth": (1, 2)})
SEEDS = [0, 1, 2]


@cache
def alone(config: TrialConfig, seeds: tuple[int, ...]) -> Runs:
    return train(config, seeds)


def assert_same_numbers(got: Runs, want: Runs, stacked_alike: bool = False) -> None:
    """Every array equal exactly, except grad_norm when the two were stacked differently: that one depends in the last
    bit on the stacking (test_grad_norm_does_not_depend_on_the_stacked_trials), so it is held to float rounding."""
    assert got.config == want.config and list(got.seeds) == list(want.seeds)
    for name in ARRAYS:
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype and a.shape == b.shape, name
        if name == "grad_norm" and not stacked_alike:
            np.testing.assert_array_equal(a, b, err_msg=f"{got.config}: {name}")
        else:
            np.testing.assert_array_equal(a, b, err_msg=f"{got.config}: {name}")


# ---- grids -----------------------------------------------------------------------------------------------------------
def test_grid_is_the_cartesian_product_in_axis_order():
    grid = Grid(base={"steps": 10, "width": 3}, axes={"optimizer": ("sgd", "adam"), "depth": (1, 2, 3)})
    configs = grid.configs()
    expected = [TrialConfig(steps=10, width=3, optimizer=o, depth=d) for o, d in itertools.product(("sgd", "adam"),
                                                                                                 (1, 2, 3))]
    assert configs == expected
    assert all(isinstance(c, TrialConfig) for c in configs)
    assert Grid(base={"steps": 10}).configs() == [TrialConfig(steps=10)]  # no axes: the base alone
    assert Grid(base={"depth": 5}, axes={"depth": (1, 2)}).configs() == [TrialConfig(depth=1), TrialConfig(depth=2)]


@pytest.mark.parametrize("axes, field", [
    ({"optimizer": ("adam", "nope")}, "optimizer"),
    ({"depth": (1, 0)}, "depth"),
    ({"lr": (0.1, -1.0)}, "lr"),
])
def test_grid_validation_errors_propagate(axes, field):
    with pytest.raises(ConfigError) as info:
        Grid(axes=axes).configs()
    assert info.value.field == field


def test_grid_unknown_field_is_an_error():
    # TrialConfig(**fields) raises TypeError here, where TrialConfig.from_dict would raise ConfigError("colour", ...)
    with pytest.raises((ConfigError, TypeError), match="colour"):
        Grid(axes={"activation": ("relu",), "colour": ("red",)}).configs()


def test_grid_duplicates_collapse():
    # sgd reads no beta1: both values give one config per depth
    assert Grid(base={"optimizer": "sgd"}, axes={"beta1": (0.5, 0.9), "depth": (1, 2)}).configs() == [
        TrialConfig(optimizer="sgd", depth=1), TrialConfig(optimizer="sgd", depth=2)]
    # the optimizer's default learning rate spelled out, and names in other spellings, are the same config
    assert Grid(axes={"lr": (None, OPTIMIZERS["adam"].default_lr)}).configs() == [TrialConfig()]
    assert Grid(axes={"optimizer": ("adam", " ADAM ", "Adam")}).configs() == [TrialConfig()]
    assert len(Grid(axes={"depth": (1, "1", 2, 2)}).configs()) == 2


def test_lecture_preset():
    grid = PRESETS["lecture"]
    configs = grid.configs()
    assert len(configs) == 108 and len(set(configs)) == 108
    assert grid.seeds == 20 and len(configs) * grid.seeds == 2160
    assert [c.optimizer for c in configs[::18]] == ["sgd", "momentum", "adagrad", "adadelta", "rmsprop", "adam"]
    assert {c.activation for c in configs} == {"sigmoid", "tanh", "relu"}
    assert {c.depth for c in configs} == set(range(1, 7))
    assert {(c.width, c.steps, c.task, c.batch_size, c.loss_fn) for c in configs} == {(2, 1000, "and", 5, "mse")}
    assert all(c.lr == OPTIMIZERS[c.optimizer].default_lr for c in configs)  # each at its default learning rate
    units = plan(configs, list(range(grid.seeds)), workers=4)  # planned, not run
    assert sum(len(s) for unit in units for _, s in unit) == 2160
    assert {unit[0][0].depth for unit in units} == set(range(1, 7))


# ---- planning ------------------------------------------------------------------------------------------------------
def stored(seeds) -> SimpleNamespace:
    return SimpleNamespace(seeds=list(seeds))  # plan reads only .seeds of what is stored


def check_plan(units, configs, seeds, have, limit=MAX_TRIALS_PER_UNIT):
    got: dict[TrialConfig, list[int]] = {}
    for unit in units:
        assert unit, "an empty unit"
        assert len({config.shape_key() for config, _ in unit}) == 1, "a unit mixes shapes"
        assert 0 < sum(len(s) for _, s in unit) <= limit
        for config, part in unit:
            got.setdefault(config, []).extend(part)
    for config in configs:
        have_seeds = set(have[config].seeds) if config in have else set()
        missing = [s for s in seeds if s not in have_seeds]
        assert sorted(got.get(config, [])) == sorted(missing), config  # each missing seed exactly once
    assert set(got) <= set(configs)


def test_plan_groups_by_shape_and_plans_only_missing_seeds():
    configs = Grid(base={"steps": 50}, axes={"optimizer": ("sgd", "adam"), "activation": ("sigmoid", "tanh"),
                                             "depth": (1, 2, 3)}).configs()
    seeds = list(range(10))
    have = {configs[0]: stored(range(10)), configs[1]: stored([2, 5, 11]), configs[5]: stored([])}
    for workers in (1, 2, 8):
        units = plan(configs, seeds, have, workers)
        check_plan(units, configs, seeds, have)
        assert configs[0] not in {c for unit in units for c, _ in unit}  # complete: not planned
        assert len(units) >= len({c.shape_key() for c in configs})
        costs = [lab.compute.sweep._cost(unit) for unit in units]
        assert costs == sorted(costs, reverse=True)  # largest first
    assert plan(configs, seeds, {c: stored(seeds) for c in configs}) == []
    assert plan([], seeds) == []


def test_plan_units_never_exceed_the_limit(monkeypatch):
    configs = [TrialConfig(steps=50, optimizer=o) for o in ("sgd", "adam", "rmsprop")]  # one shape
    seeds = list(range(5000))
    units = plan(configs, seeds, {configs[2]: stored(range(0, 5000, 2))}, workers=1)
    check_plan(units, configs, seeds, {configs[2]: stored(range(0, 5000, 2))})
    assert max(sum(len(s) for _, s in unit) for unit in units) == MAX_TRIALS_PER_UNIT
    monkeypatch.setattr(lab.compute.sweep, "MAX_TRIALS_PER_UNIT", 7)
    units = plan(configs, list(range(10)), workers=1)
    check_plan(units, configs, list(range(10)), {}, limit=7)


# ---- the same numbers however run -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sequential() -> list[Runs]:
    return run_configs(SMALL_GRID.configs(), SEEDS, workers=1)


def test_sequential_equals_each_config_alone(sequential):
    configs = SMALL_GRID.configs()
    assert [r.config for r in sequential] == configs
    for runs in sequential:
        assert runs.seeds == SEEDS
        assert_same_numbers(runs, alone(runs.config, tuple(SEEDS)))


@pytest.mark.slow
def test_local_processes_give_identical_numbers(sequential):
    parallel = run_configs(SMALL_GRID.configs(), SEEDS, workers=2)
    for got, want in zip(parallel, sequential, strict=True):
        assert_same_numbers(got, want)
    # the worker process that trained units holds PyTorch and the engine, nothing of the store (about 70 MB)
    loaded = "sorted(m for m in ('torch', 'pandas', 'pyarrow', 'lab.storage.store') if m in __import__('sys').modules)"
    assert local_executor(1).submit(eval, loaded).result(timeout=120) == ["torch"]


@pytest.mark.parametrize("processes", [
    False,  # two worker threads in this process: starts in milliseconds
    pytest.param(True, marks=[pytest.mark.slow, pytest.mark.skipif(
        not os.environ.get("LAB_TEST_DASK_PROCESSES"),
        reason="set LAB_TEST_DASK_PROCESSES=1: worker processes import torch (5-20 s on a loaded 2-core machine)")]),
], ids=["threads", "processes"])
def test_dask_cluster_gives_identical_numbers(sequential, monkeypatch, processes):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    for name in ("distributed", "tornado"):
        monkeypatch.setattr(logging.getLogger(name), "level", logging.ERROR)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=processes,
                                  dashboard_address=None) as cluster:
        on_dask = run_configs(SMALL_GRID.configs(), SEEDS, scheduler=cluster.scheduler_address)
    for got, want in zip(on_dask, sequential, strict=True):
        assert_same_numbers(got, want)


def test_grad_norm_does_not_depend_on_the_stacked_trials():
    config = TrialConfig(steps=30, depth=2)
    nine, six = train(config, range(9)), train(config, range(6))
    np.testing.assert_array_equal(nine.params[:6], six.params)  # training itself is independent ...
    np.testing.assert_array_equal(nine.grad_norm[:6], six.grad_norm)  # ... its recorded gradient norms are not


# ---- progress and the store -----------------------------------------------------------------------------------------
def test_progress_store_and_a_second_run_computes_nothing(tmp_path, monkeypatch, sequential):
    configs = SMALL_GRID.configs()
    store = Store(tmp_path)
    units_run = []
    real_train_unit = lab.compute.sweep.train_unit

    def recording_train_unit(unit, device="cpu"):
        units_run.append([(config, list(seeds)) for config, seeds in unit])
        return real_train_unit(unit, device)

    monkeypatch.setattr(lab.compute.sweep, "train_unit", recording_train_unit)
    calls = []
    first = run_configs(configs, [0, 1], store, workers=1, progress=lambda done, total: calls.append((done, total)))
    total = len(configs) * 2
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert all(t == total for _, t in calls)
    dones = [d for d, _ in calls]
    assert dones == sorted(dones) and len(set(dones)) == len(dones)  # strictly increasing
    assert sum(len(s) for unit in units_run for _, s in unit) == total
    for runs, want in zip(first, sequential, strict=True):  # stored, and equal to the sweep without a store
        stored_runs = store.load(runs.config)
        assert stored_runs is not None and stored_runs.seeds == [0, 1]
        assert_same_numbers(stored_runs, runs, stacked_alike=True)
        assert_same_numbers(runs, select(want, [0, 1]))
    assert sorted(store.keys()) == sorted(c.key() for c in configs)

    # everything stored: nothing is trained, the numbers come back from the store
    units_run.clear()
    calls.clear()
    again = run_configs(configs, [1, 0], store, workers=1, progress=lambda d, t: calls.append((d, t)))
    assert units_run == [] and calls == [(0, 0)]
    for got, want in zip(again, first, strict=True):
        assert_same_numbers(got, select(want, [1, 0]), stacked_alike=True)

    # more seeds: only the missing ones are trained
    more = run_configs(configs, [0, 1, 2], store, workers=1)
    assert sorted(seed for unit in units_run for _, seeds in unit for seed in seeds) == [2] * len(configs)
    for got, want in zip(more, sequential, strict=True):
        assert_same_numbers(got, want)


# ---- what a sweep says before and while it runs ------------------------------------------------------------------
def test_prepare_counts_what_is_stored_and_what_is_left(tmp_path):
    configs = SMALL_GRID.configs()
    store = Store(tmp_path)
    run_configs(configs[:2], [0, 1], store, workers=1)
    sweep = prepare(configs, [0, 1, 2, 1], store, workers=3)
    assert sweep.seeds == [0, 1, 2] and sweep.configs == configs and sweep.workers == 3
    assert sweep.trials == 8 * 3 and sweep.to_train == 8 * 3 - 2 * 2
    assert sorted(sweep.have[configs[0]].seeds) == [0, 1] and sweep.have[configs[5]] is None
    check_plan(sweep.units, configs, [0, 1, 2], {c: r for c, r in sweep.have.items() if r is not None})
    got = run_plan(sweep, store)
    for runs, want in zip(got, run_configs(configs, [0, 1, 2], workers=1), strict=True):
        assert_same_numbers(runs, want)
    done = prepare(configs, [0, 1, 2], store)
    assert done.units == [] and done.to_train == 0 and done.estimate_seconds() == 0


def test_estimate_follows_the_cost_model():
    def seconds(configs, n_seeds, workers=1):
        return prepare(configs, range(n_seeds), workers=workers).estimate_seconds()

    lecture = TrialConfig()
    one = seconds([lecture], 100)
    # on one process, 100 trials are planned as one unit (splitting would only add steps), on two as two per process:
    # the first unit's set-up, then the unit (set-up, 1,000 steps of 2 layers, 1 config, 100 trials), its store write
    assert [len(s) for unit in prepare([lecture], range(100), workers=1).units for _, s in unit] == [100]
    assert [len(s) for unit in prepare([lecture], range(100), workers=2).units for _, s in unit] == [25] * 4
    unit = lab.compute.sweep.UNIT_S + 1000e-6 * (
        lab.compute.sweep.STEP_US
        + 2 * lab.compute.sweep.LAYER_US
        + lab.compute.sweep.CONFIG_US
        + lab.compute.sweep.TRIAL_US * 2 * 100
    )
    assert one == pytest.approx(lab.compute.sweep.FIRST_UNIT_S + unit + lab.compute.sweep.SAVE_S)
    assert seconds([lecture], 1000) > one  # more trials, more time
    assert seconds([lecture.replace(steps=4000)], 100) > 3 * (one - lab.compute.sweep.FIRST_UNIT_S)  # more steps
    assert seconds([lecture.replace(depth=4)], 100) > one  # deeper
    assert seconds([lecture.replace(width=64)], 100) > one  # wider: weighted trials (lab.core.budget.weight)
    grid = PRESETS["lecture"]
    alone, shared = seconds(grid.configs(), 20, workers=1), seconds(grid.configs(), 20, workers=4)
    assert shared < alone  # processes share the units, after their start-up
    assert shared > lab.compute.sweep.WORKER_START_S


def test_quickest_trains_a_few_trials_here_and_many_on_every_core():
    """Starting a process takes seconds: a request trains on more processes only when the cost model says they
    finish first, and never on more than it may."""
    lecture = TrialConfig()
    few, many = prepare([lecture], range(100), workers=4), prepare([lecture], range(100_000), workers=4)
    assert quickest(few).workers == 1 and len(quickest(few).units) == 1
    assert quickest(many).workers == 4 and quickest(many).estimate_seconds() < prepare(
        [lecture], range(100_000), workers=1).estimate_seconds() / 2
    assert quickest(prepare([lecture], range(100_000), workers=1)).workers == 1
    for sweep in (few, many):  # the same trials, only planned differently
        check_plan(quickest(sweep).units, [lecture], sweep.seeds, {})


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0, "0 s"),
        (0.4, "0 s"),
        (59.4, "59 s"),
        (60, "1 min 00 s"),
        (200, "3 min 20 s"),
        (3599, "59 min 59 s"),
        (7500, "2 h 05 min"),
        (-3, "0 s"),
    ],
)
def test_duration(seconds, text):
    assert lab.compute.sweep.duration(seconds) == text


def test_progress_bar_eta_from_the_estimate_then_from_the_rate(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(lab.cli.sweep.time, "perf_counter", lambda: clock[0])
    stream = io.StringIO()
    bar = lab.cli.sweep.ProgressBar(stream, width=10, estimate=50.0)
    clock[0] = 110.0
    bar(0, 40)  # nothing done yet: the estimate less the time taken
    clock[0] = 120.0
    bar(10, 40)  # a quarter in 20 s: 60 s to go
    clock[0] = 190.0
    bar(40, 40)  # done: the time it took
    assert stream.getvalue().split("\r")[1:] == [
        "[          ] 0/40 trials  ETA 40 s  ",
        "[##        ] 10/40 trials  ETA 1 min 00 s  ",
        "[##########] 40/40 trials  1 min 30 s  \n",
    ]
    stream = io.StringIO()
    lab.cli.sweep.ProgressBar(stream, width=4)(0, 8)  # no estimate (a cluster): the time so far
    assert stream.getvalue() == "\r[    ] 0/8 trials  0 s  "


def test_processes_training_at_once_train_one_pass_at_a_time_each():
    from lab.compute.sweep import one_thread_each
    from lab.core.recording import Recording

    assert one_thread_each(Recording(every=None)).passes_at_once() == 1
    assert one_thread_each(Recording(every=None, threads=3)).passes_at_once() == 3  # asked for: kept
    assert one_thread_each(None) is None  # a full recording trains in one pass
    assert Recording(every=None).passes_at_once() >= 1
