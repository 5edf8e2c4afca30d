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


# ---- tables derived from an entry (activation traces, Hessian spectra, replays, landscapes) ----------------------
FRAMES_VERSION = 1  # bump when a derived table's definition changes


def frames_name(kind: str, *parts) -> str:
    """The derived file's name of the tables `kind` computed with these parts (seeds, steps, a short hash...)."""
    return "-".join([kind, *(str(int(p)) if isinstance(p, (bool, int)) else str(p) for p in parts),
                     f"v{FRAMES_VERSION}"])


def stored_tables(store, config: TrialConfig, name: str) -> dict | None:
    """The tables (and plain values) kept as `name` with `config`'s entry, by name; None if never kept, unreadable
    or of another shape."""
    found = store.read_derived(config.key(), name)
    try:
        tables = {key: pd.DataFrame(**part) for key, part in found["tables"].items()}
        values = {key: tuple(v) if isinstance(v, list) else v for key, v in found["values"].items()}
    except (TypeError, KeyError, ValueError, AttributeError):
        return None
    return {key: tables[key] if key in tables else values[key] for key in found["order"]}


def save_tables(store, config: TrialConfig, name: str, found: dict) -> bool:
    """Keep `found` (names to DataFrames, numbers, texts or tuples of them) as `name` with `config`'s entry (False,
    and nothing kept, if it is not stored). Floats round-trip exactly (JSON writes the shortest repr that reads back
    to the same double)."""
    tables = {key: v.to_dict(orient="split", index=not v.index.equals(pd.RangeIndex(len(v))))
              for key, v in found.items() if isinstance(v, pd.DataFrame)}  # a plain index read back as a RangeIndex
    values = {key: v for key, v in found.items() if not isinstance(v, pd.DataFrame)}
    return store.write_derived(config.key(), name, {"tables": tables, "values": values, "order": list(found)})
