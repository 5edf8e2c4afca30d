"""What the dashboard's worker processes compute besides training (lab.compute.service runs them): the depth page's
Hessian tests of stalled trials, activation traces, and one trial's Hessian spectrum, each kept with its entry in the
store once computed. Plain functions of picklable arguments; no Streamlit here.

The web process imports this module to name the jobs it hands out, and must not load PyTorch (about 180 MB and 2 s):
so the engine, and the science that trains or differentiates, are imported inside the functions that use them. The
workers load this module when they start (`PRELOAD`), and PyTorch with their first job that needs it."""

from __future__ import annotations

import contextlib
import hashlib
import math

import numpy as np
import pandas as pd

from lab.core.config import TrialConfig
from lab.science import digests, inspect, tuning
from lab.storage.derived import TEST_NAMES, frames_name, save_tables, save_tests, stored_tables, stored_tests
from lab.storage.store import Store

TRACE_SEEDS = 5  # seeds traced for the activation pictures


def hessian_tests(root: str, config: TrialConfig, n_seeds: int, tests: int) -> dict:
    """`diagnostics.saddle_fraction` of at most `tests` stalled trials among the stored seeds 0..n-1 of `config`,
    kept with the config's entry (the trials and the test are deterministic). PyTorch loads only to compute it."""
    if tests <= 0:
        return {**dict.fromkeys(TEST_NAMES[:-1], math.nan), "n_tested": 0}
    store = Store(root)
    found = stored_tests(store, config, n_seeds, tests)
    if found is not None:
        return found
    from lab.science import diagnostics

    result = diagnostics.saddle_fraction(store.trials(config, range(n_seeds)), max_stalls=tests)
    result = {name: result[name] for name in TEST_NAMES}
    with contextlib.suppress(OSError):  # a read-only store: the result is only not kept
        save_tests(store, config, n_seeds, tests, result)
    return result


def trace_bands(root: str, config: TrialConfig, n_seeds: int = TRACE_SEEDS):
    """Per step and hidden layer, quantile bands over seeds 0..n-1 of the mean activation and of the saturated
    fraction (the seeds re-trained with the activation trace), kept with the config's entry when it is stored."""
    found = _kept(Store(root), config, frames_name("trace", n_seeds), lambda: _trace_bands(config, n_seeds))
    return tuple(found.values())


def _trace_bands(config: TrialConfig, n_seeds: int):
    from lab.core import engine

    runs = engine.train(config, range(n_seeds), trace=True)
    stride = digests.every(config.steps, digests.POINTS)
    return digests.quantile_bands(runs.activation_mean, stride), digests.quantile_bands(runs.saturation, stride)


def spectrum(root: str, config: TrialConfig, seed: int, step: int):
    """The Hessian spectrum of one stored trial at `step` (re-run to that step) and at its end, kept with the entry."""
    store = Store(root)
    found = _kept(store, config, frames_name("spectrum", seed, step), lambda: _spectrum(store, config, seed, step))
    return tuple(found.values())


def _spectrum(store: Store, config: TrialConfig, seed: int, step: int):
    from lab.science import diagnostics

    return diagnostics.spectrum(config, seed, step, store.trials(config, [seed]).params[0])


def _kept(store: Store, config: TrialConfig, name: str, compute) -> dict:
    """The tables kept as `name` with `config`'s entry, else `compute()`'s (a dict, or a tuple of tables), then kept
    (unless the store is read-only or the entry is not stored)."""
    found = stored_tables(store, config, name)
    if found is None:
        result = compute()
        found = result if isinstance(result, dict) else {str(i): table for i, table in enumerate(result)}
        with contextlib.suppress(OSError, TypeError, ValueError):
            save_tables(store, config, name, found)
    return found


# ---- the lecture page's replay and the landscape page: one seed re-run, kept with the entry ------------------------
REPLAY_FRAMES = 40  # frames of a replay (plus the last): a thin payload for the browser
REPLAY_GRID = 13  # grid points per side of its maps (spacing 1/8: the inputs 0 and 1 are grid points)


def replay_frames(root: str, config: TrialConfig, seed: int) -> dict:
    """Trial `seed` of `config` re-run with checkpoints (`lab.science.replay`), thin: about REPLAY_FRAMES frames of
    REPLAY_GRID² maps, and a `frame` number (0, 1, ...) on every table for the browser's slider; kept with the entry."""
    return _kept(Store(root), config, frames_name("replay", seed), lambda: _replay_frames(config, seed))


def _replay_frames(config: TrialConfig, seed: int) -> dict:
    from lab.science import replay

    every = replay.default_every(config.steps, REPLAY_FRAMES)
    frames = replay.replay(config, seed, every=every, n=REPLAY_GRID)
    number = {step: k for k, step in enumerate(frames.steps)}
    return {name: getattr(frames, name).assign(frame=lambda f: f["step"].map(number))
            for name in frames.TABLES}


def landscape_tables(root: str, configs: tuple, seed: int, normalize: bool) -> dict:
    """The loss surface through the paths of `configs` (one net, several optimizers) trained from seed `seed`
    (`lab.science.landscape`): the Landscape, less its plane's vectors; kept with the first config's entry."""
    paths = hashlib.sha256(" ".join(c.key() for c in configs).encode()).hexdigest()[:12]
    return _kept(Store(root), configs[0], frames_name("landscape", seed, normalize, paths),
                 lambda: _landscape_tables(configs, seed, normalize))


def _landscape_tables(configs: tuple, seed: int, normalize: bool) -> dict:
    from lab.science import landscape

    every = max(1, math.ceil(configs[0].steps / 100))
    paths = landscape.train_trajectories(configs, seed, every=every)
    found = landscape.landscape(configs[0], paths, normalize=normalize)
    return {"grid": found.grid, "paths": found.paths, "lines": found.lines, "extent": found.extent,
            "captured": found.captured, "explained": tuple(found.plane.explained), "centre": found.centre,
            "stalls": stall_points(configs, seed, found.plane, list(paths))}


def stall_points(configs, seed: int, plane, names) -> pd.DataFrame:
    """Each path's longest stall (if it has one) with the Hessian test at its midpoint (`diagnostics.classify_stalls`),
    placed on the plane (`landscape.project_points`): optimizer (the path's name), step, kind, x, y, distance,
    relative_distance, near (close enough to the plane to be marked on it), loss."""
    from lab.core import engine
    from lab.science import diagnostics, landscape

    rows, points = [], []
    for config, name in zip(configs, names):
        tested = diagnostics.classify_stalls(config, engine.train(config, [seed]), at_end=False)
        for row in tested.itertuples():
            rows.append({"optimizer": name, "step": int(row.longest_mid), "kind": row.mid_kind})
            points.append(diagnostics.params_at(config, seed, int(row.longest_mid)))
    if not rows:
        return pd.DataFrame(columns=["optimizer", "step", "kind", "x", "y", "distance", "relative_distance", "near",
                                     "loss"])
    placed = landscape.project_points(configs[0], plane, np.array(points))
    return pd.concat([pd.DataFrame(rows), placed.drop(columns=["label", "plane_loss"])], axis=1)


# ---- what the pages show, built from stored trials (reading Parquet and reducing seeds: not in the web process) ---
def trial(root: str, config: TrialConfig, seed: int):
    return inspect.trial(Store(root), config, seed)


def digest_list(root: str, configs: tuple, n_seeds: int, smooth: int) -> list:
    store = Store(root)
    return [digests.digest(store, config, n_seeds, smooth) for config in configs]


def depth_digest_list(root: str, configs: tuple, n_seeds: int) -> list:
    store = Store(root)
    return [digests.depth_digest(store, config, n_seeds) for config in configs]


def finite_digest(root: str, config: TrialConfig, n_seeds: int):
    return digests.finite_digest(Store(root).trials(config, range(n_seeds)))


def tuning_tables(root: str, lr_configs: tuple, batch_configs: tuple, n_seeds: int) -> tuple:
    store = Store(root)
    lr_table = tuning.lr_table([store.trials(c, range(n_seeds)) for c in lr_configs])
    batch = tuning.batch_size_effect([store.trials(c, range(n_seeds)) for c in batch_configs]) if batch_configs \
        else None
    return lr_table, batch


# what a worker imports when it starts: this module, for the jobs a warmed store asks for (digests of stored results:
# pandas, SciPy, no PyTorch). PyTorch and the engine (about 250 MB a worker) load with a worker's first job that
# trains or differentiates: with a warmed store, never.
PRELOAD = (__name__,)


def follows_plain_program(config: TrialConfig) -> bool:
    """`lab.core.exact.arithmetic.follows_plain_program` (its kernel probes run PyTorch's products) for a worker."""
    from lab.core.exact.arithmetic import follows_plain_program as follows

    return follows(config)


# every job a worker may be handed, by name: the dashboard's `work.result` and `python -m lab warm` take them from here
JOBS = {fn.__name__: fn for fn in (
    trial, digest_list, depth_digest_list, finite_digest, tuning_tables, hessian_tests, trace_bands, spectrum,
    replay_frames, landscape_tables, follows_plain_program)}
