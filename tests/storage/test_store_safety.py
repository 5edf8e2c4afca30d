"""The on-disk store (lab.storage.store) when things go wrong: a writer killed mid-write (SIGKILL), corrupt or foreign
files, and concurrent writers and their locks."""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import assert_same_runs, engine_run, trained
from store_writer import SWEEP_GRID, crash_config, sweep

import lab.storage.parquet
from lab.compute.sweep import stored_runs
from lab.core.config import SCHEMA_VERSION, TrialConfig
from lab.core.runs import Runs
from lab.storage.parquet import META_KEY, select, write_runs
from lab.storage.store import STALE_TEMP_SECONDS, Store

ROOT = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).resolve().parent / "store_writer.py"
SMALL = TrialConfig(steps=40)
OTHER = TrialConfig(steps=40, optimizer="sgd", activation="tanh", depth=2)


def subprocess_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.pop("LAB_STORE_MAX_MB", None)
    return env


# ---- crash safety ----------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_writer_killed_mid_write_never_leaves_a_partial_entry(tmp_path, caplog):
    """SIGKILL a process that keeps saving big entries for one key, at random moments, many times: a reader always
    gets None (before the first write finished) or a complete entry equal to the engine's numbers for its seeds."""
    steps, n_seeds = 200, 1500
    config = crash_config(steps)
    want = engine_run(config, tuple(range(n_seeds)))
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
        assert_same_runs(runs, select(want, runs.seeds))

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
    assert_same_runs(stored_runs(fresh, config, [7, 3]), select(want, [7, 3]))
    assert fresh.clear() == 1 and fresh.keys() == [] and fresh.entries().empty


def test_remove_stale_temps_deletes_only_temporary_files_older_than_the_threshold(tmp_path):
    """Temporary files left by killed writers (older than STALE_TEMP_SECONDS) are deleted and counted; a younger one
    (another writer's write in flight) stays, and so do entries, lock files and derived files however old."""
    store = Store(tmp_path)
    runs = engine_run(SMALL, (0, 1))
    store.save(runs)
    key = SMALL.key()
    assert store.write_derived(key, "note", {"a": 1})
    now = time.time()

    def aged(path: Path, seconds: float, text: str = "partial") -> Path:
        if not path.exists():
            path.write_text(text)
        os.utime(path, (now - seconds, now - seconds))
        return path

    old = 10 * STALE_TEMP_SECONDS
    stale = [aged(tmp_path / f".{key}.killed.tmp", STALE_TEMP_SECONDS + 600),
             aged(tmp_path / f".{OTHER.key()}.killed.tmp", old)]
    in_flight = [aged(tmp_path / f".{key}.writing.tmp", 0),
                 aged(tmp_path / f".{key}.slow.tmp", STALE_TEMP_SECONDS - 600)]
    kept = [aged(store.path(key), old), aged(store.derived_path(key, "note"), old), aged(store.lock_path(key), old, "")]
    before = {path: (path.read_bytes(), path.stat().st_mtime) for path in in_flight + kept}
    assert store.remove_stale_temps() == 2
    assert not any(path.exists() for path in stale)
    assert {path: (path.read_bytes(), path.stat().st_mtime) for path in in_flight + kept} == before
    assert store.remove_stale_temps() == 0
    assert store.keys() == [key] and list(store.entries()["status"]) == ["ok"]
    assert_same_runs(store.load(SMALL), runs)
    assert store.read_derived(key, "note") == {"a": 1}
    aged(tmp_path / f".{key}.killed.tmp", STALE_TEMP_SECONDS + 600)
    Store(tmp_path)  # a store opened on the folder clears them too
    assert not (tmp_path / f".{key}.killed.tmp").exists() and all(path.exists() for path in in_flight)


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
    write_runs(engine_run(OTHER, (0, 1)), path)  # a valid entry, filed under SMALL's key


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
    corrupt(path, engine_run(SMALL, (0, 1)), monkeypatch)
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
    assert_same_runs(runs, engine_run(SMALL, (0, 1)))
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1  # still reported only once
    assert_same_runs(Store(tmp_path).load(SMALL), engine_run(SMALL, (0, 1)))
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


def test_entries_does_not_list_a_misfiled_entry_as_ok(tmp_path):
    """A valid entry filed under another config's key is unusable (load returns None), and entries() says so."""
    store = Store(tmp_path)
    write_runs(engine_run(OTHER, (0, 1)), store.path(SMALL.key()))
    assert store.load(SMALL) is None
    assert store.entries()["status"][0] != "ok"


# ---- concurrency -----------------------------------------------------------------------------------------------------
@pytest.mark.slow
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
        assert_same_runs(store.load(config), engine_run(config, union), stacked_alike=False)


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


@pytest.mark.slow
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
            write_runs(engine_run(SMALL, (0, 1)), store.path(SMALL.key()))
        except BaseException:
            proc.kill()
            raise
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out == "saved\n"
    assert_same_runs(store.load(SMALL), engine_run(SMALL, (0, 1, 2, 3)), stacked_alike=False)


def test_lock_files_are_hidden_counted_and_cleared(tmp_path):
    store = Store(tmp_path)
    store.save(engine_run(SMALL, (0,)))
    store.save(engine_run(OTHER, (0,)))
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
    store.save(engine_run(SMALL, (0,)))  # a cleared store works as before
    assert store.keys() == [SMALL.key()] and store.lock_files() == [store.lock_path(SMALL.key())]
