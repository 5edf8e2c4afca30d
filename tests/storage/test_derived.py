"""Files derived from a stored entry (lab.storage.derived, `Store.derived_path`): kept beside the entry, written
atomically and only while it exists, counted by `size_bytes`, listed, deleted with their entry by `delete` and
eviction, and deleted by `clear` (also those whose entry is gone, and an older layout's folder); and the listing keeps
each entry's config as stored (an integer field stays an integer when another entry leaves it unset)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from lab import cli
from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.core.runs import Runs
from lab.storage import derived
from lab.storage.store import Store, touch_age

SMALL = TrialConfig(steps=40)
OTHER = TrialConfig(steps=40, optimizer="sgd", depth=2)
FINITE = TrialConfig(steps=40, n_train=64, noise=0.1, full_batch=True)
TESTS = {name: 0.5 for name in derived.TEST_NAMES} | {"n_tested": 2}


@cache
def trials(config: TrialConfig, seeds: tuple[int, ...] = (0, 1)) -> Runs:
    return train(config, seeds)


def files(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if not p.name.startswith("."))


def test_derived_file_beside_its_entry_written_atomically(tmp_path):
    store = Store(tmp_path)
    key = SMALL.key()
    assert store.derived_path(key, "hessian-6-2-v1") == tmp_path / f"{key}.hessian-6-2-v1.json"
    for bad in ("", "a.b", "../x", "a/b", "x y"):
        with pytest.raises(ValueError):
            store.derived_path(key, bad)

    assert store.write_derived(key, "note", {"a": 1}) is False  # no entry: nothing kept
    assert store.read_derived(key, "note") is None and files(tmp_path) == []
    store.save(trials(SMALL))
    assert store.write_derived(key, "note", {"a": 1}) is True
    assert store.read_derived(key, "note") == {"a": 1}
    assert json.loads(store.derived_path(key, "note").read_text()) == {"a": 1}
    assert files(tmp_path) == [f"{key}.note.json", f"{key}.parquet"]
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed
    assert store.keys() == [key]  # a derived file is no entry

    store.derived_path(key, "note").write_text("{trunc")
    assert store.read_derived(key, "note") is None  # unreadable: recomputed by its user
    store.derived_path(key, "note").write_text("[1, 2]")
    assert store.read_derived(key, "note") is None


def test_hessian_tests_are_kept_with_their_entry(tmp_path):
    store = Store(tmp_path)
    assert derived.save_tests(store, SMALL, 6, 2, TESTS) is False  # the trials are not stored: nothing kept
    assert derived.stored_tests(store, SMALL, 6, 2) is None
    store.save(trials(SMALL))
    assert derived.save_tests(store, SMALL, 6, 2, {**TESTS, "extra": 1}) is True
    assert derived.tests_path(store, SMALL, 6, 2) == store.derived_path(SMALL.key(), derived.tests_name(6, 2))
    assert derived.stored_tests(store, SMALL, 6, 2) == TESTS
    assert derived.stored_tests(store, SMALL, 6, 3) is None and derived.stored_tests(store, SMALL, 5, 2) is None
    store.write_derived(SMALL.key(), derived.tests_name(6, 3), {"n_tested": 1})  # lacks names: not a result
    assert derived.stored_tests(store, SMALL, 6, 3) is None


def test_derived_files_are_counted_and_listed(tmp_path):
    store = Store(tmp_path)
    store.save(trials(SMALL))
    store.save(trials(OTHER))
    derived.save_tests(store, SMALL, 6, 2, TESTS)
    derived.save_tests(store, SMALL, 8, 2, TESTS)
    extra = sum(p.stat().st_size for p in tmp_path.glob(f"{SMALL.key()}.*.json"))
    assert extra > 0
    entries = store.entries().set_index("key")
    assert entries.loc[SMALL.key(), "derived_bytes"] == extra
    assert entries.loc[SMALL.key(), "size_bytes"] == store.path(SMALL.key()).stat().st_size + extra
    assert entries.loc[OTHER.key(), "derived_bytes"] == 0
    assert store.size_bytes() == sum(entries["size_bytes"]) + sum(p.stat().st_size for p in store.lock_files())
    every_file = sum(p.stat().st_size for p in tmp_path.iterdir() if p.is_file())
    assert store.size_bytes() == every_file  # nothing the store wrote is left out

    store.path(OTHER.key()).write_bytes(b"garbage")  # an unusable entry still shows its derived files
    store.derived_path(OTHER.key(), "note").write_text("{}")
    broken = store.entries().set_index("key").loc[OTHER.key()]
    assert broken["status"].startswith("unusable") and broken["derived_bytes"] == 2
    assert broken["size_bytes"] == 7 + 2


def test_delete_removes_the_derived_files(tmp_path):
    store = Store(tmp_path)
    store.save(trials(SMALL))
    store.save(trials(OTHER))
    derived.save_tests(store, SMALL, 6, 2, TESTS)
    derived.save_tests(store, OTHER, 6, 2, TESTS)
    assert store.delete(SMALL.key()) is True
    assert files(tmp_path) == sorted([f"{OTHER.key()}.{derived.tests_name(6, 2)}.json", f"{OTHER.key()}.parquet"])
    assert derived.stored_tests(store, SMALL, 6, 2) is None
    store.save(trials(SMALL))  # stored again: the test is recomputed, not read from a deleted entry's file
    assert derived.stored_tests(store, SMALL, 6, 2) is None


def test_eviction_removes_the_derived_files_with_their_entry(tmp_path):
    store = Store(tmp_path / "store")
    configs = [SMALL.replace(depth=d) for d in (1, 2, 3)]
    for age, config in zip((300, 200, 100), configs, strict=True):
        store.save(trials(config))
        derived.save_tests(store, config, 6, 2, TESTS)
        touch_age(store.path(config.key()), age)
    stray = store.derived_path(OTHER.key(), "note")  # its entry is gone (a crash between two unlinks, say)
    stray.write_text(json.dumps({"x": "y" * 100}))
    old = store.root / "hessian-tests"  # an older layout's folder
    old.mkdir()
    (old / f"{SMALL.key()}-6-2-v1.json").write_text(json.dumps(TESTS))

    # room for the two most recent entries with their tests: the oldest entry goes, with its file; the stray goes
    sizes = store.entries().set_index("key")["size_bytes"]
    limit = sizes[configs[1].key()] + sizes[configs[2].key()] + 10
    bounded = Store(store.root, max_mb=limit / 2**20)
    assert bounded.evict() == [configs[0].key()]
    assert not stray.exists() and not old.exists()
    assert not list(store.root.glob(f"{configs[0].key()}.*"))
    assert derived.stored_tests(store, configs[1], 6, 2) == TESTS
    assert bounded.size_bytes() <= limit

    # a derived file counts toward the bound when it is written: a test too large for the store evicts the others
    big = {**TESTS, "pad": "z" * int(limit)}
    assert bounded.write_derived(configs[2].key(), "big", big) is True
    assert bounded.keys() == [configs[2].key()] and bounded.read_derived(configs[2].key(), "big") == big


def test_clear_removes_derived_files_strays_and_the_old_layout(tmp_path):
    store = Store(tmp_path)
    store.save(trials(SMALL))
    derived.save_tests(store, SMALL, 6, 2, TESTS)
    store.derived_path(OTHER.key(), "note").write_text("{}")  # stray
    (tmp_path / "hessian-tests").mkdir()
    (tmp_path / "hessian-tests" / "x-6-2-v1.json").write_text("{}")
    assert store.size_bytes() > store.path(SMALL.key()).stat().st_size
    assert store.clear() == 1
    assert sorted(tmp_path.iterdir()) == [] and store.size_bytes() == 0


def test_cli_store_clear_removes_hessian_tests(tmp_path, capsys):
    store = Store(tmp_path)
    store.save(trials(SMALL))
    derived.save_tests(store, SMALL, 6, 2, TESTS)
    assert cli.main(["store", "ls", "--store", str(tmp_path)]) == 0
    assert SMALL.key() in capsys.readouterr().out
    assert cli.main(["store", "clear", "--store", str(tmp_path)]) == 0
    assert "deleted 1 entries" in capsys.readouterr().out
    assert sorted(tmp_path.iterdir()) == []


def test_listing_keeps_each_config_as_stored(tmp_path):
    """A stream entry leaves n_train unset (None): the listing's n_train column then holds floats, but each row's
    `config` is the entry's own dict, so the finite-data config is rebuilt with its integers."""
    store = Store(tmp_path)
    for config in (SMALL, FINITE, OTHER):
        store.save(trials(config))
    entries = store.entries().set_index("key")
    for config in (SMALL, FINITE, OTHER):
        stored = entries.loc[config.key(), "config"]
        assert stored == config.to_dict() and TrialConfig.from_dict(stored) == config
    assert type(entries.loc[FINITE.key(), "config"]["n_train"]) is int
