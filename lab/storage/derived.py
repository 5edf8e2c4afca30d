"""Results derived from one stored entry (the depth page's Hessian tests), kept as small JSON files in the store's
folder."""

from __future__ import annotations

import json
from pathlib import Path

from lab.core.config import TrialConfig

TESTS_DIR = "hessian-tests"


TESTS_VERSION = 1  # bump when the Hessian test's definition changes: older files are then ignored


TEST_NAMES = ("saddle_fraction", "minimum_fraction", "negative_curvature_fraction", "near_stationary_fraction",
              "grad_norm_median", "n_tested")


# ---- the Hessian test of a few stalls per config, kept beside the store --------------------------------------------
def tests_path(store, config: TrialConfig, n_seeds: int, tests: int) -> Path:
    return Path(store.root) / TESTS_DIR / f"{config.key()}-{n_seeds}-{tests}-v{TESTS_VERSION}.json"


def stored_tests(store, config: TrialConfig, n_seeds: int, tests: int) -> dict | None:
    try:
        found = json.loads(tests_path(store, config, n_seeds, tests).read_text())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and set(TEST_NAMES) <= set(found) else None
