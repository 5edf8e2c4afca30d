"""Results derived from one stored entry (the depth page's Hessian tests), kept by the store as small JSON files
beside the entry (`Store.derived_path`): counted, listed, evicted and deleted with it."""

from __future__ import annotations

from pathlib import Path

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
