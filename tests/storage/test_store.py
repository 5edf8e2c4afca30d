"""The on-disk store (lab.storage.store): exact round trips, computing only missing seeds, LAB_STORE /
LAB_STORE_MAX_MB, managing entries, and plain Parquet (no pickle). Crash safety, corrupt files and concurrent writers:
test_store_safety.py."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import assert_same_runs, engine_run, trained

from lab.compute.sweep import stored_runs
from lab.core.config import FIELD_NAMES, SCHEMA_VERSION, TrialConfig
from lab.core.runs import Runs
from lab.storage.parquet import META_KEY, read_runs, select
from lab.storage.store import Store, default_root, touch_age

SMALL = TrialConfig(steps=40)
OTHER = TrialConfig(steps=40, optimizer="sgd", activation="tanh", depth=2)


# ---- round trip ------------------------------------------------------------------------------------------------------
def test_round_trip_reads_from_disk_and_computes_only_missing_seeds(tmp_path, counted):
    seeds = [3, 1, 2]
    first = stored_runs(Store(tmp_path), SMALL, seeds)
    assert trained(counted) == [3, 1, 2]
    assert_same_runs(first, engine_run(SMALL, (3, 1, 2)))

    again = stored_runs(Store(tmp_path), SMALL, [2, 3, 1])  # a fresh Store: nothing cached in memory
    assert trained(counted) == [3, 1, 2], "the engine ran although every seed was stored"
    assert_same_runs(again, engine_run(SMALL, (2, 3, 1)))

    more = stored_runs(Store(tmp_path), SMALL, [5, 1, 4, 4, 0])  # duplicates collapse, order kept
    assert trained(counted) == [3, 1, 2, 5, 4, 0], "only the missing seeds are computed, in the requested order"
    assert_same_runs(more, engine_run(SMALL, (5, 1, 4, 0)))

    stored = Store(tmp_path).load(SMALL)
    assert stored.seeds == [0, 1, 2, 3, 4, 5]  # load: every stored seed, ascending
    assert_same_runs(stored, engine_run(SMALL, (0, 1, 2, 3, 4, 5)))
    assert Store(tmp_path).missing(SMALL, [6, 2, 7, 6]) == [6, 7]


def test_stored_seeds_follow_every_version_of_an_entry(tmp_path):
    store = Store(tmp_path)
    assert store.stored_seeds(SMALL) == frozenset() and store.missing(SMALL, [1, 0]) == [1, 0]
    stored_runs(store, SMALL, [2, 0])
    assert store.stored_seeds(SMALL) == {0, 2} and store.missing(SMALL, [0, 1, 2]) == [1]
    stored_runs(store, SMALL, [1])  # a new version of the file: seen at once
    assert Store(tmp_path).stored_seeds(SMALL) == {0, 1, 2} and store.missing(SMALL, [0, 1, 2]) == []
    store.path(SMALL.key()).write_bytes(b"not parquet")  # unusable: every seed is missing again
    assert store.missing(SMALL, [0, 1]) == [0, 1]
    store.delete(SMALL.key())
    assert store.stored_seeds(SMALL) == frozenset()


def test_round_trip_other_shapes_and_finite_data(tmp_path, counted):
    store = Store(tmp_path)
    finite = TrialConfig(n_train=20, steps=30, eval_every=5, noise=0.3)
    onehot = TrialConfig(encoding="onehot", loss_fn="bce", depth=3, width=3, steps=30, optimizer="rmsprop")
    for config in (OTHER, finite, onehot):
        want = engine_run(config, (4, 0))
        assert_same_runs(stored_runs(store, config, [4, 0]), want)
        # compared with the same stacking: the finite-data evaluations depend in the last bit on a trial's column
        assert_same_runs(stored_runs(Store(tmp_path), config, [0, 4]), select(want, [0, 4]))
    assert len(trained(counted)) == 6
    assert sorted(store.keys()) == sorted(c.key() for c in (OTHER, finite, onehot))


def test_load_many_and_save_merge(tmp_path):
    store = Store(tmp_path)
    store.save(engine_run(SMALL, (0, 2)))
    store.save(engine_run(SMALL, (1, 2)))  # merged with what is stored
    got = store.load_many([SMALL, OTHER, SMALL])
    assert list(got) == [SMALL, OTHER]
    assert got[OTHER] is None
    assert_same_runs(got[SMALL], engine_run(SMALL, (0, 1, 2)))


def test_load_returns_ascending_seeds_after_a_first_save_in_any_order(tmp_path):
    store = Store(tmp_path)
    stored_runs(store, SMALL, [3, 1, 2])  # nothing stored yet: saved as computed
    assert store.load(SMALL).seeds == [1, 2, 3]


# ---- where, how big, managing --------------------------------------------------------------------------------------
def test_lab_store_environment_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("LAB_STORE", raising=False)
    assert default_root() == Path(".lab-store")
    monkeypatch.setenv("LAB_STORE", str(tmp_path / "env-store"))
    assert default_root() == tmp_path / "env-store"
    store = Store()
    assert store.root == tmp_path / "env-store" and store.root.is_dir()
    store.save(engine_run(SMALL, (0,)))
    assert (tmp_path / "env-store" / f"{SMALL.key()}.parquet").is_file()
    assert Store(tmp_path / "explicit").root == tmp_path / "explicit"  # an explicit root wins


def _entry_size(tmp_path: Path, runs: Runs) -> int:
    scratch = Store(tmp_path / "scratch")
    scratch.save(runs)
    return scratch.path(runs.config.key()).stat().st_size


def test_an_entry_read_on_every_view_keeps_its_version_and_its_remembered_seeds(tmp_path, monkeypatch):
    import lab.storage.parquet as parquet

    store = Store(tmp_path / "store")
    store.save(engine_run(SMALL, (0, 1)))
    path = store.path(SMALL.key())
    touch_age(path, 30)  # used half a minute ago
    version = path.stat().st_mtime_ns
    reads = []
    read_seeds = parquet.read_seeds
    monkeypatch.setattr(parquet, "read_seeds", lambda *a: reads.append(a) or read_seeds(*a))
    for _ in range(3):  # a page's views: what is missing, then the results
        assert store.missing(SMALL, range(3)) == [2]
        assert store.load(SMALL) is not None
    assert path.stat().st_mtime_ns == version and len(reads) == 1  # the seeds were read once
    touch_age(path, 120)  # last used two minutes ago: a read marks it used now
    assert store.load(SMALL) is not None
    assert path.stat().st_mtime > time.time() - 10


def test_max_mb_evicts_least_recently_used_first(tmp_path, monkeypatch):
    configs = [SMALL.replace(depth=d) for d in (1, 2, 3, 4)]
    a, b, c, d = (engine_run(config, (0, 1)) for config in configs)
    sizes = [_entry_size(tmp_path, runs) for runs in (a, b, c, d)]
    monkeypatch.delenv("LAB_STORE_MAX_MB", raising=False)
    store = Store(tmp_path / "store")
    assert store.max_bytes is None
    for runs, age in ((a, 300), (b, 200), (c, 100)):
        store.save(runs)
        touch_age(store.path(runs.config.key()), age)
    assert store.evict() == []  # unbounded

    # room for three of the four: the least recently used (b: a was read since) goes
    limit = sizes[0] + sizes[2] + sizes[3] + sizes[1] // 2
    monkeypatch.setenv("LAB_STORE_MAX_MB", repr(limit / 2**20))
    store = Store(tmp_path / "store")
    assert store.max_bytes == pytest.approx(limit)
    assert store.load(a.config) is not None  # a used now
    store.save(d)
    assert sorted(store.keys()) == sorted(r.config.key() for r in (a, c, d))
    assert store.size_bytes() <= limit

    # room for less than the entry just written: everything else goes, it stays
    monkeypatch.setenv("LAB_STORE_MAX_MB", repr(sizes[1] / 2 / 2**20))
    store = Store(tmp_path / "store")
    store.save(b)
    assert store.keys() == [b.config.key()]
    assert_same_runs(store.load(b.config), b)

    assert Store(tmp_path / "store", max_mb=1.5).max_bytes == 1.5 * 2**20  # the argument wins over the variable


def test_pinned_entries_are_never_evicted(tmp_path):
    """A server pins its pages' default views: however old, they stay when the bound is reached, and the least
    recently used of the others go instead."""
    configs = [SMALL.replace(depth=d) for d in (1, 2, 3, 4)]
    runs = [engine_run(config, (0, 1)) for config in configs]
    size = max(_entry_size(tmp_path, r) for r in runs)
    pinned = {runs[0].config.key()}
    store = Store(tmp_path / "store", max_mb=2.5 * size / 2**20, pinned=pinned)
    for r, age in zip(runs[:2], (900, 300)):
        store.save(r)
        touch_age(store.path(r.config.key()), age)  # the pinned one is the least recently used
    store.save(runs[2])
    assert sorted(store.keys()) == sorted(r.config.key() for r in (runs[0], runs[2]))  # the other old one went
    store.save(runs[3])
    assert runs[0].config.key() in store.keys() and runs[3].config.key() in store.keys()
    assert store.size_bytes() <= 2.5 * size


def test_delete_clear_and_entries(tmp_path):
    store = Store(tmp_path)
    assert store.entries().empty and store.keys() == [] and store.clear() == 0
    store.save(engine_run(SMALL, (0, 1, 2, 5)))
    store.save(engine_run(OTHER, (3,)))
    store.path("0123456789abcdef0123").write_bytes(b"garbage")
    entries = store.entries().set_index("key")
    for name in ("n_seeds", "seeds", "size_bytes", "modified", "status", *FIELD_NAMES):
        assert name in entries.columns, name
    ok = entries.loc[SMALL.key()]
    assert ok["status"] == "ok" and ok["n_seeds"] == 4 and ok["seeds"] == "0-2, 5"
    assert ok["size_bytes"] == store.path(SMALL.key()).stat().st_size
    assert isinstance(ok["modified"], pd.Timestamp)
    for name, value in SMALL.to_dict().items():
        assert ok[name] == value or (value is None and pd.isna(ok[name])), name
    assert entries.loc[OTHER.key(), "seeds"] == "3" and entries.loc[OTHER.key(), "depth"] == 2
    broken = entries.loc["0123456789abcdef0123"]
    assert broken["status"].startswith("unusable") and broken["size_bytes"] == 7
    assert store.size_bytes() == sum(entries["size_bytes"])

    assert store.delete(SMALL.key()) is True
    assert store.delete(SMALL.key()) is False
    assert store.load(SMALL) is None
    assert sorted(store.keys()) == sorted([OTHER.key(), "0123456789abcdef0123"])
    assert store.clear() == 2
    assert store.keys() == [] and store.entries().empty


# ---- no pickle -------------------------------------------------------------------------------------------------------
def test_files_are_plain_parquet_with_json_metadata(tmp_path):
    store = Store(tmp_path)
    config = TrialConfig(steps=30, depth=2, optimizer="momentum")
    store.save(engine_run(config, (0, 1, 2)))
    path = store.path(config.key())
    data = path.read_bytes()
    assert data[:4] == b"PAR1" and data[-4:] == b"PAR1"
    table = pq.read_table(path)  # plain pyarrow, no lab code
    assert set(table.schema.metadata) == {META_KEY}  # no pandas (or any other) metadata
    meta = json.loads(table.schema.metadata[META_KEY])
    assert meta["schema"] == SCHEMA_VERSION and meta["key"] == config.key() and meta["config"] == config.to_dict()
    assert TrialConfig.from_dict(meta["config"]) == config
    for field in table.schema:  # numbers only: no binary blobs, no extension types
        t = field.type
        while pa.types.is_fixed_size_list(t):
            t = t.value_type
        assert pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t), (field.name, t)
    assert table.column("seed").to_pylist() == [0, 1, 2]
    want = engine_run(config, (0, 1, 2))
    loss = np.stack([np.asarray(row, np.float32) for row in table.column("loss").to_pylist()])
    np.testing.assert_array_equal(loss, want.loss)
    assert_same_runs(read_runs(path), want)
