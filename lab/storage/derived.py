"""Results derived from one stored entry (the depth page's Hessian tests, activation traces and Hessian spectra),
kept by the store as small JSON files beside the entry (`Store.derived_path`): counted, listed, evicted and deleted
with it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lab.core.config import TrialConfig

TESTS_VERSION = 1  # bump when the Hessian test's definition changes: older files are then ignored


TEST_NAMES = ("saddle_fraction", "minimum_fraction", "negative_curvature_fraction", "near_stationary_fraction",
              "grad_norm_median", "n_tested")


# ---- the Hessian test of a few stalls per config, kept with the config's entry -------------------------------------
def tests_name(n_seeds: int, tests: int) -> str:
    """The derived file's name of the Hessian test of at most `tests` stalls among seeds 0..n_seeds-1."""
    return f"hessian-{int(n_seeds)}-{int(tests)}-v{TESTS_VERSION}"


def tests_path(store, config: TrialConfig, n_seeds: int, tests: int) -> Path:
    return store.derived_path(config.key(), tests_name(n_seeds, tests))


def stored_tests(store, config: TrialConfig, n_seeds: int, tests: int) -> dict | None:
    found = store.read_derived(config.key(), tests_name(n_seeds, tests))
    return found if found is not None and set(TEST_NAMES) <= set(found) else None


def save_tests(store, config: TrialConfig, n_seeds: int, tests: int, result: dict) -> bool:
    """Keep the test's `result` with `config`'s entry (False, and nothing kept, if the entry is not stored)."""
    return store.write_derived(config.key(), tests_name(n_seeds, tests), {name: result[name] for name in TEST_NAMES})


# ---- tables derived from an entry (the depth page's activation traces and Hessian spectra) -------------------------
FRAMES_VERSION = 1  # bump when a derived table's definition changes


def frames_name(kind: str, *numbers: int) -> str:
    """The derived file's name of the tables `kind` computed with these numbers (seeds, step...)."""
    return "-".join([kind, *(str(int(n)) for n in numbers), f"v{FRAMES_VERSION}"])


def stored_frames(store, config: TrialConfig, name: str) -> tuple[pd.DataFrame, ...] | None:
    """The tables kept as `name` with `config`'s entry, or None (never kept, unreadable, or another shape)."""
    found = store.read_derived(config.key(), name)
    try:
        return tuple(pd.DataFrame(**part) for part in found["frames"])
    except (TypeError, KeyError, ValueError):
        return None


def save_frames(store, config: TrialConfig, name: str, frames) -> bool:
    """Keep the tables `frames` as `name` with `config`'s entry (False, and nothing kept, if it is not stored).
    Floats round-trip exactly (JSON writes the shortest repr that reads back to the same double)."""
    parts = [frame.to_dict(orient="split") for frame in frames]
    return store.write_derived(config.key(), name, {"frames": parts})
