"""The on-disk store (lab.storage.store): exact round trips, computing only missing seeds, crash safety under SIGKILL,
corrupt files, concurrent writers, LAB_STORE / LAB_STORE_MAX_MB, managing entries, and plain Parquet (no pickle)."""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from store_writer import SWEEP_GRID, crash_config, sweep

import lab.storage.store
import lab.storage.sweep
from lab.core.config import FIELD_NAMES, SCHEMA_VERSION, TrialConfig
from lab.core.engine import train, train_group
from lab.core.runs import EVALUATIONS, Runs
from lab.storage.parquet import META_KEY, read_runs, select, write_runs
from lab.storage.store import Store, default_root, touch_age
from lab.storage.sweep import stored_runs

ROOT = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).resolve().parent / "store_writer.py"
ARRAYS = ("loss", "table_loss", "table_error", "grad_norm", "table_output", "params")
SMALL = TrialConfig(steps=40)
OTHER = TrialConfig(steps=40, optimizer="sgd", activation="tanh", depth=2)


@cache
def engine(config: TrialConfig, seeds: tuple[int, ...]) -> Runs:
    return train(config, seeds)


def assert_same(got: Runs, want: Runs, stacked_alike: bool = True) -> None:
    """Equal config, seeds (in order) and every array, exactly (NaN equal to NaN), with the engine's dtypes.

    `stacked_alike=False`: `want` was trained stacked with other trials than `got` was. Then grad_norm is compared to
    float rounding only: the engine's per-layer gradient norms depend in the last bit on how many trials were stacked
    (see test_grad_norm_does_not_depend_on_the_stacked_trials in tests/test_sweep.py)."""
    assert got.config == want.config
    assert list(got.seeds) == list(want.seeds)
    for name in ARRAYS:
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype, name
        assert a.shape == b.shape, name
        if name == "grad_norm" and not stacked_alike:
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=0, err_msg=name)
        else:
            np.testing.assert_array_equal(a, b, err_msg=name)
    assert (got.evaluations is None) == (want.evaluations is None)
    if want.evaluations is not None:
        assert list(got.evaluations["steps"]) == list(want.evaluations["steps"])
        for name in EVALUATIONS:
            np.testing.assert_array_equal(got.evaluations[name], want.evaluations[name], err_msg=name)


@pytest.fixture
def counted(monkeypatch):
    """The training behind lab.storage.sweep, counting calls: the list of seed lists it was asked for."""
    calls = []

    def counting_train_group(items, **kwargs):
        calls.append([seed for _, seeds in items for seed in seeds])
        return train_group(items, **kwargs)

    monkeypatch.setattr(lab.storage.sweep, "train_group", counting_train_group)
    return calls


def trained(calls) -> list[int]:
    """The seeds trained, in order, over all calls (the sweep trains a request in one or more units)."""
    return [seed for call in calls for seed in call]


def subprocess_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.pop("LAB_STORE_MAX_MB", None)
    return env


# ---- round trip ------------------------------------------------------------------------------------------------------
def test_round_trip_reads_from_disk_and_computes_only_missing_seeds(tmp_path, counted):
    seeds = [3, 1, 2]
    first = stored_runs(Store(tmp_path), SMALL, seeds)
    assert trained(counted) == [3, 1, 2]
    assert_same(first, engine(SMALL, (3, 1, 2)))

    again = stored_runs(Store(tmp_path), SMALL, [2, 3, 1])  # a fresh Store: nothing cached in memory
    assert trained(counted) == [3, 1, 2], "the engine ran although every seed was stored"
    assert_same(again, engine(SMALL, (2, 3, 1)))

    more = stored_runs(Store(tmp_path), SMALL, [5, 1, 4, 4, 0])  # duplicates collapse, order kept
    assert trained(counted) == [3, 1, 2, 5, 4, 0], "only the missing seeds are computed, in the requested order"
    assert_same(more, engine(SMALL, (5, 1, 4, 0)))

    stored = Store(tmp_path).load(SMALL)
    assert stored.seeds == [0, 1, 2, 3, 4, 5]  # load: every stored seed, ascending
    assert_same(stored, engine(SMALL, (0, 1, 2, 3, 4, 5)))
    assert Store(tmp_path).missing(SMALL, [6, 2, 7, 6]) == [6, 7]


def test_round_trip_other_shapes_and_finite_data(tmp_path, counted):
    store = Store(tmp_path)
    finite = TrialConfig(n_train=20, steps=30, eval_every=5, noise=0.3)
    onehot = TrialConfig(encoding="onehot", loss_fn="bce", depth=3, width=3, steps=30, optimizer="rmsprop")
    for config in (OTHER, finite, onehot):
        want = engine(config, (4, 0))
        assert_same(stored_runs(store, config, [4, 0]), want)
        # compared with the same stacking: the finite-data evaluations depend in the last bit on a trial's column
        assert_same(stored_runs(Store(tmp_path), config, [0, 4]), select(want, [0, 4]))
    assert len(trained(counted)) == 6
    assert sorted(store.keys()) == sorted(c.key() for c in (OTHER, finite, onehot))


def test_load_many_and_save_merge(tmp_path):
    store = Store(tmp_path)
    store.save(engine(SMALL, (0, 2)))
    store.save(engine(SMALL, (1, 2)))  # merged with what is stored
    got = store.load_many([SMALL, OTHER, SMALL])
    assert list(got) == [SMALL, OTHER]
    assert got[OTHER] is None
    assert_same(got[SMALL], engine(SMALL, (0, 1, 2)))


def test_load_returns_ascending_seeds_after_a_first_save_in_any_order(tmp_path):
    store = Store(tmp_path)
    stored_runs(store, SMALL, [3, 1, 2])  # nothing stored yet: saved as computed
    assert store.load(SMALL).seeds == [1, 2, 3]


# ---- crash safety ----------------------------------------------------------------------------------------------------
def test_writer_killed_mid_write_never_leaves_a_partial_entry(tmp_path, caplog):
    """SIGKILL a process that keeps saving big entries for one key, at random moments, many times: a reader always
    gets None (before the first write finished) or a complete entry equal to the engine's numbers for its seeds."""
    steps, n_seeds = 200, 1500
    config = crash_config(steps)
    want = engine(config, tuple(range(n_seeds)))
    store = Store(tmp_path)
    caplog.set_level(logging.WARNING, logger="lab.storage.store")
    rng = random.Random(1234)
    zygote = subprocess.Popen([sys.executable, str(WRITER), "zygote", str(tmp_path), str(steps), str(n_seeds)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=subprocess_env())
    kills, torn, seen, child = 0, 0, set(), None

    def check() -> None:
        runs = store.load(config)
        if runs is None:
            assert not seen, "an entry was stored, then read back as missing"
            return
        assert runs.seeds == sorted(set(runs.seeds)) and seen <= set(runs.seeds), "stored seeds were lost"
        seen.update(runs.seeds)
        assert_same(runs, select(want, runs.seeds))

    try:
        deadline = time.monotonic() + 90
        while (kills < 10 or torn < 2) and kills < 40 and time.monotonic() < deadline:
            line = zygote.stdout.readline().split()
            assert line and line[0] == "child", f"the writer zygote stopped: {line}"
            child = int(line[1])
            time.sleep(rng.uniform(0.02, 0.25))
            check()  # while the writer writes
            time.sleep(rng.uniform(0.0, 0.3))
            os.kill(child, signal.SIGKILL)
            assert zygote.stdout.readline().split()[:2] == ["reaped", str(child)]
            child = None
            kills += 1
            torn = len(list(tmp_path.glob(".*.tmp")))  # a temp file is left only by a kill inside write_runs
            check()
            assert store.keys() == ([config.key()] if seen else [])  # leftover temp files are not entries
            entries = store.entries()
            if seen:
                assert list(entries["status"]) == ["ok"] and list(entries["key"]) == [config.key()]
            zygote.stdin.write("next\n")
            zygote.stdin.flush()
    finally:
        if child is not None:
            os.kill(child, signal.SIGKILL)
        zygote.kill()
        zygote.wait()
        for stream in (zygote.stdin, zygote.stdout):
            stream.close()
    assert kills >= 10, f"only {kills} kills in the time allowed"
    assert torn >= 2, f"only {torn} of {kills} kills landed inside a write"
    assert seen, "the writer never finished a single write"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], "a reader saw a broken entry"
    # the leftovers do not get in the way: listing, loading, writing and clearing all work
    assert sorted(tmp_path.glob(".*.tmp")), "expected orphaned temp files from the torn writes"
    fresh = Store(tmp_path)
    assert fresh.keys() == [config.key()]
    assert list(fresh.entries()["status"]) == ["ok"]
    assert_same(stored_runs(fresh, config, [7, 3]), select(want, [7, 3]))
    assert fresh.clear() == 1 and fresh.keys() == [] and fresh.entries().empty


# ---- corrupt files ---------------------------------------------------------------------------------------------------
def _truncated(path: Path, runs: Runs, monkeypatch) -> None:
    write_runs(runs, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garbage(path: Path, runs: Runs, monkeypatch) -> None:
    path.write_bytes(bytes(random.Random(0).randrange(256) for _ in range(5000)))


def _empty(path: Path, runs: Runs, monkeypatch) -> None:
    path.write_bytes(b"")


def _no_metadata(path: Path, runs: Runs, monkeypatch) -> None:
    pq.write_table(pa.table({"seed": pa.array([0, 1], pa.int64()), "x": pa.array([1.0, 2.0])}), path)


def _metadata_stripped(path: Path, runs: Runs, monkeypatch) -> None:
    write_runs(runs, path)
    pq.write_table(pq.read_table(path).replace_schema_metadata({}), path)


def _other_schema(path: Path, runs: Runs, monkeypatch) -> None:
    with monkeypatch.context() as m:
        m.setattr(lab.storage.parquet, "SCHEMA_VERSION", SCHEMA_VERSION - 1)
        write_runs(runs, path)


def _bad_json(path: Path, runs: Runs, monkeypatch) -> None:
    write_runs(runs, path)
    table = pq.read_table(path)
    pq.write_table(table.replace_schema_metadata({META_KEY: b"{not json"}), path)


def _other_config(path: Path, runs: Runs, monkeypatch) -> None:
    write_runs(engine(OTHER, (0, 1)), path)  # a valid entry, filed under SMALL's key


def _missing_column(path: Path, runs: Runs, monkeypatch) -> None:
    write_runs(runs, path)
    table = pq.read_table(path)
    pq.write_table(table.drop_columns(["grad_norm"]), path)


CORRUPTIONS = [_truncated, _garbage, _empty, _no_metadata, _metadata_stripped, _other_schema, _bad_json,
               _other_config, _missing_column]


@pytest.mark.parametrize("corrupt", CORRUPTIONS, ids=lambda f: f.__name__.strip("_"))
def test_corrupt_entry_is_reported_once_then_recomputed(tmp_path, corrupt, monkeypatch, caplog, counted):
    store = Store(tmp_path)
    path = store.path(SMALL.key())
    corrupt(path, engine(SMALL, (0, 1)), monkeypatch)
    caplog.set_level(logging.WARNING, logger="lab.storage.store")

    assert store.load(SMALL) is None
    assert store.load(SMALL) is None
    assert store.load_many([SMALL]) == {SMALL: None}
    assert store.missing(SMALL, [0, 1]) == [0, 1]
    warnings = [r for r in caplog.records if r.name == "lab.storage.store" and r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert SMALL.key() in warnings[0].getMessage()

    if corrupt not in (_other_config, _missing_column):  # entries() reads only the metadata and seeds (see below)
        entries = store.entries()
        assert list(entries["key"]) == [SMALL.key()]
        assert entries["status"][0].startswith("unusable")

    runs = stored_runs(store, SMALL, [0, 1])  # recomputed and overwritten
    assert trained(counted) == [0, 1]
    assert_same(runs, engine(SMALL, (0, 1)))
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1  # still reported only once
    assert_same(Store(tmp_path).load(SMALL), engine(SMALL, (0, 1)))
    assert list(Store(tmp_path).entries()["status"]) == ["ok"]


def test_each_key_is_reported_once(tmp_path, caplog):
    store = Store(tmp_path)
    caplog.set_level(logging.WARNING, logger="lab.storage.store")
    for config in (SMALL, OTHER):
        store.path(config.key()).write_bytes(b"not parquet")
    for _ in range(3):
        assert store.load(SMALL) is None and store.load(OTHER) is None
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(messages) == 2
    assert SMALL.key() in messages[0] and OTHER.key() in messages[1]


def test_entries_lists_a_misfiled_entry_as_ok(tmp_path):
    """A valid entry filed under another config's key is unusable (load returns None): entries() should say so."""
    store = Store(tmp_path)
    write_runs(engine(OTHER, (0, 1)), store.path(SMALL.key()))
    assert store.load(SMALL) is None
    assert store.entries()["status"][0] != "ok"


# ---- concurrency -----------------------------------------------------------------------------------------------------
def test_concurrent_sweeps_leave_a_consistent_store(tmp_path):
    """Two processes sweep the same grid at once with overlapping seeds: every entry holds the union, exactly."""
    root, barrier = tmp_path / "store", tmp_path / "barrier"
    barrier.mkdir()
    proc = subprocess.Popen([sys.executable, str(WRITER), "sweep", str(root), str(barrier), "2", "3-8"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env())
    try:
        sweep(str(root), str(barrier), 2, "0-5")  # this process is the other sweeper (saves one start-up)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == 0, err
    assert out.strip() == "done"
    configs = SWEEP_GRID.configs()
    store = Store(root)
    assert sorted(store.keys()) == sorted(c.key() for c in configs)
    assert list(store.entries()["status"]) == ["ok"] * len(configs)
    union = tuple(range(9))
    for config in configs:
        assert_same(store.load(config), engine(config, union), stacked_alike=False)


# Another process: trains SMALL for seeds 2 and 3, says "saving", saves them into the store at argv[1], says "saved".
WAITING_WRITER = """
import sys
from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.storage.store import Store
runs = train(TrialConfig(steps=40), [2, 3])
print("saving", flush=True)
Store(sys.argv[1]).save(runs)
print("saved", flush=True)
"""


def test_a_second_writer_waits_for_the_lock_then_merges(tmp_path):
    """While this process holds a key's lock, another process's save of that key waits; what was written meanwhile is
    merged with its seeds (without the lock it would write seeds 2, 3 at once, and the write below would drop them)."""
    store = Store(tmp_path)
    with store._lock(SMALL.key()):
        proc = subprocess.Popen([sys.executable, "-c", WAITING_WRITER, str(tmp_path)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=subprocess_env())
        try:
            assert proc.stdout.readline() == "saving\n", proc.stderr.read()
            time.sleep(1.0)  # a save takes milliseconds: this one is waiting for the lock
            assert proc.poll() is None and not store.path(SMALL.key()).exists()
            write_runs(engine(SMALL, (0, 1)), store.path(SMALL.key()))
        except BaseException:
            proc.kill()
            raise
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out == "saved\n"
    assert_same(store.load(SMALL), engine(SMALL, (0, 1, 2, 3)), stacked_alike=False)


def test_lock_files_are_hidden_counted_and_cleared(tmp_path):
    store = Store(tmp_path)
    store.save(engine(SMALL, (0,)))
    store.save(engine(OTHER, (0,)))
    keys = sorted([SMALL.key(), OTHER.key()])
    assert store.lock_files() == [store.lock_path(key) for key in keys]
    assert all(path.name.startswith(".") and path.parent == tmp_path for path in store.lock_files())
    orphan = store.lock_path("0123456789abcdef0123")  # left by a writer of a key deleted since, say
    orphan.touch()
    assert sorted(store.keys()) == keys  # lock files are not entries, broken or otherwise
    entries = store.entries()
    assert sorted(entries["key"]) == keys and list(entries["status"]) == ["ok", "ok"]
    assert store.size_bytes() == sum(entries["size_bytes"]) + sum(p.stat().st_size for p in store.lock_files())

    assert store.delete(SMALL.key()) is True
    assert not store.lock_path(SMALL.key()).exists() and store.lock_path(OTHER.key()).exists()
    assert store.clear() == 1  # one entry left; the orphaned lock file goes too
    assert sorted(tmp_path.iterdir()) == [] and store.lock_files() == []
    store.save(engine(SMALL, (0,)))  # a cleared store works as before
    assert store.keys() == [SMALL.key()] and store.lock_files() == [store.lock_path(SMALL.key())]


# ---- where, how big, managing --------------------------------------------------------------------------------------
def test_lab_store_environment_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("LAB_STORE", raising=False)
    assert default_root() == Path(".lab-store")
    monkeypatch.setenv("LAB_STORE", str(tmp_path / "env-store"))
    assert default_root() == tmp_path / "env-store"
    store = Store()
    assert store.root == tmp_path / "env-store" and store.root.is_dir()
    store.save(engine(SMALL, (0,)))
    assert (tmp_path / "env-store" / f"{SMALL.key()}.parquet").is_file()
    assert Store(tmp_path / "explicit").root == tmp_path / "explicit"  # an explicit root wins


def _entry_size(tmp_path: Path, runs: Runs) -> int:
    scratch = Store(tmp_path / "scratch")
    scratch.save(runs)
    return scratch.path(runs.config.key()).stat().st_size


def test_max_mb_evicts_least_recently_used_first(tmp_path, monkeypatch):
    configs = [SMALL.replace(depth=d) for d in (1, 2, 3, 4)]
    a, b, c, d = (engine(config, (0, 1)) for config in configs)
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
    assert_same(store.load(b.config), b)

    assert Store(tmp_path / "store", max_mb=1.5).max_bytes == 1.5 * 2**20  # the argument wins over the variable


def test_delete_clear_and_entries(tmp_path):
    store = Store(tmp_path)
    assert store.entries().empty and store.keys() == [] and store.clear() == 0
    store.save(engine(SMALL, (0, 1, 2, 5)))
    store.save(engine(OTHER, (3,)))
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
    store.save(engine(config, (0, 1, 2)))
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
    want = engine(config, (0, 1, 2))
    loss = np.stack([np.asarray(row, np.float32) for row in table.column("loss").to_pylist()])
    np.testing.assert_array_equal(loss, want.loss)
    assert_same(read_runs(path), want)
