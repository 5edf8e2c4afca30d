"""The class runs' database (lab.storage.classruns), each test on SQLite and on a real PostgreSQL server.

PostgreSQL: `LAB_TEST_POSTGRES_URL` names an empty database to use (.ci/run starts one); without it the PostgreSQL
cases fail under CI (CI=true) and are skipped by name elsewhere."""

from __future__ import annotations

import math
import multiprocessing
import os
import sqlite3
import time

import pytest
import sqlalchemy as sa
from class_writer import add_seeds, write_and_hang

from lab import cli
from lab.core.config import MAX_SEED, TrialConfig
from lab.storage import classruns
from lab.storage.classruns import BoundReached, ClassRunError, ClassStore, default_url, thin_curve
from lab.storage.store import Store

POSTGRES_ENV = "LAB_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """A fresh, empty database: a SQLite file in a store folder, or the PostgreSQL database with every table dropped."""
    if request.param == "sqlite":
        return default_url(tmp_path / "store")
    given = os.environ.get(POSTGRES_ENV)
    if not given:
        message = f"PostgreSQL cases need {POSTGRES_ENV} (a postgresql+psycopg:// URL of an empty database)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "; .ci/run starts one")
        pytest.skip(message)
    engine = sa.create_engine(given)
    with engine.begin() as conn:
        for table in ("submissions", "class_runs", "schema_version"):
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    engine.dispose()
    return given


@pytest.fixture
def store(url):
    store = ClassStore(url)
    yield store
    store.dispose()


def add(store, code, seed, session="s1", **kw):
    fields = {"solved": True, "steps_to_solve": 120.0, "final_loss": 0.01, "curve": thin_curve([0.5, 0.25] * 50)}
    return store.add(code, seed, session, **{**fields, **kw})


def test_migration_from_an_empty_database(url):
    if url.startswith("sqlite"):  # an empty file where the database goes
        path = sa.make_url(url).database
        open(path, "wb").close()
        assert os.path.getsize(path) == 0
    store = ClassStore(url)
    assert store.version() == classruns.SCHEMA_VERSION
    names = set(sa.inspect(store.engine).get_table_names())
    assert {"schema_version", "class_runs", "submissions"} <= names
    indexes = {i["name"] for i in sa.inspect(store.engine).get_indexes("submissions")}
    assert "submissions_by_class" in indexes
    code, _ = store.start(TrialConfig())
    store.dispose()
    again = ClassStore(url)  # opening a current database changes nothing and keeps what it holds
    assert again.version() == classruns.SCHEMA_VERSION and again.get(code).code == code
    with again.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(classruns.schema_version)).scalar() == 1
    again.dispose()


def test_sqlite_is_in_wal_mode_in_the_store_folder_and_the_store_leaves_it_alone(tmp_path):
    root = tmp_path / "store"
    store = ClassStore(default_url(root))
    code, _ = store.start(TrialConfig())
    add(store, code, 7)
    path = root / classruns.FOLDER / classruns.FILE
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    results = Store(root)
    assert results.foreign() == [] and results.clear() == 0
    assert path.is_file() and store.count(code) == 1
    store.dispose()


def test_the_refresh_read_uses_the_index(tmp_path):
    store = ClassStore(default_url(tmp_path))
    with store.engine.connect() as conn:
        plan = " ".join(str(row) for row in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT * FROM submissions WHERE code = 'ABCDEF' AND id > 3 ORDER BY id"))
    assert "submissions_by_class" in plan and "SCAN submissions" not in plan, plan
    store.dispose()


def test_a_class_run_round_trip(store):
    config = TrialConfig(optimizer="sgd", lr=0.5, activation="tanh", depth=2)
    code, secret = store.start(config)
    run = store.get(code.lower())  # a code typed in lower case is the same
    assert run.config == config and run.is_open and run.revealed is None
    assert store.is_teacher(code, secret) and not store.is_teacher(code, secret + "x")
    assert not store.is_teacher(code, "") and not store.is_teacher("NOCODE", secret)
    with store.engine.connect() as conn:  # only the secret's hash is kept
        assert secret not in str(conn.execute(sa.select(classruns.class_runs)).first())
    first = add(store, code, 3, steps_to_solve=math.nan, solved=False, final_loss=math.inf)
    assert first.first and math.isnan(first.submission.steps_to_solve) and math.isnan(first.submission.final_loss)
    second = add(store, code, 11, nickname="  Ada <b>  ")
    assert second.submission.nickname == "Ada <b>"
    assert [r.seed for r in store.runs_since(code)] == [3, 11]
    assert [r.seed for r in store.runs_since(code, first.submission.id)] == [11]
    store.reveal(code, secret)
    store.close(code, secret)
    run = store.get(code)
    assert not run.is_open and run.revealed is not None


def test_the_same_seed_twice_returns_the_first(store):
    code, _ = store.start(TrialConfig())
    first = add(store, code, 42, session="a", final_loss=0.1)
    again = add(store, code, 42, session="b", final_loss=0.9)
    assert first.first and not again.first
    assert again.submission == first.submission and store.count(code) == 1
    other, _ = store.start(TrialConfig())  # another class may have that seed
    assert add(store, other, 42).first


def test_bad_input_is_refused_with_its_reason(store):
    code, secret = store.start(TrialConfig())
    for seed in (-1, MAX_SEED + 1, "5", 2.0, True, None):
        with pytest.raises(ClassRunError) as err:
            add(store, code, seed)
        assert err.value.reason == "class.err.seed"
    for bad in ("ZZZZZZ", "", None, "x" * 200, "'; DROP TABLE class_runs; --"):
        with pytest.raises(ClassRunError) as err:
            store.get(bad)
        assert err.value.reason == "class.err.code"
    with pytest.raises(ClassRunError) as err:
        add(store, code, 1, nickname="n" * (classruns.MAX_NICKNAME + 1))
    assert err.value.reason == "class.err.nickname"
    for action in (store.close, store.reveal):
        with pytest.raises(ClassRunError) as err:
            action(code, "not the secret")
        assert err.value.reason == "class.err.teacher"
    assert store.get(code).is_open and store.count(code) == 0
    add(store, code, 5)
    store.close(code, secret)
    with pytest.raises(ClassRunError) as err:
        add(store, code, 6)
    assert err.value.reason == "class.err.closed"
    with pytest.raises(ClassRunError):
        store.check_can_add(code, 6, "s1")
    assert add(store, code, 5).submission.seed == 5  # a run added before the close is still shown
    assert store.count(code) == 1


def test_bounds_per_session_and_per_class(store, monkeypatch):
    monkeypatch.setattr(classruns, "MAX_PER_SESSION", 3)
    monkeypatch.setattr(classruns, "MAX_PER_CLASS", 5)
    code, _ = store.start(TrialConfig())
    for seed in range(3):
        add(store, code, seed, session="script")
    with pytest.raises(BoundReached) as err:
        add(store, code, 3, session="script")
    assert err.value.reason == "class.err.session_full" and err.value.values == {"limit": 3}
    with pytest.raises(BoundReached):
        store.check_can_add(code, 3, "script")
    assert not add(store, code, 1, session="script").first  # a seed already there is still answered
    add(store, code, 3, session="other")
    add(store, code, 4, session="third")
    with pytest.raises(BoundReached) as err:
        add(store, code, 5, session="fourth")
    assert err.value.reason == "class.err.class_full" and err.value.values == {"limit": 5}
    assert store.count(code) == 5


def test_concurrent_writers_in_several_processes(store, url):
    code, _ = store.start(TrialConfig())
    context = multiprocessing.get_context("spawn")
    parts = [list(range(k * 15, k * 15 + 25)) for k in range(4)]  # neighbours overlap by 10 seeds
    start_at = time.time() + 3.0
    with context.Pool(4) as pool:
        results = pool.starmap(add_seeds, [(url, code, seeds, f"p{k}", start_at) for k, seeds in enumerate(parts)])
    wanted = sorted({s for part in parts for s in part})
    firsts = sorted(seed for result in results for seed, first in result if first)
    assert firsts == wanted  # each seed added first exactly once
    assert all(seed == asked for result, part in zip(results, parts) for (seed, _), asked in zip(result, part))
    rows = store.runs_since(code)
    assert sorted(r.seed for r in rows) == wanted and len(rows) == len(wanted)
    assert all(r.final_loss == pytest.approx(1.0 / (r.seed + 1)) for r in rows)


def test_a_writer_killed_mid_transaction_leaves_the_database_consistent(store, url):
    code, _ = store.start(TrialConfig())
    add(store, code, 1)
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    writer = context.Process(target=write_and_hang, args=(url, code, list(range(100, 150)), ready))
    writer.start()
    try:
        assert ready.wait(60), "the writer never began its transaction"
        assert store.count(code) == 1  # readers see nothing of the open transaction
        writer.kill()
        writer.join(10)
    finally:
        if writer.is_alive():
            writer.kill()
    assert writer.exitcode is not None and writer.exitcode < 0
    reopened = ClassStore(url)
    assert [r.seed for r in reopened.runs_since(code)] == [1]  # nothing half-written
    assert add(reopened, code, 100).first  # the killed writer's lock is gone: writing goes on
    assert reopened.count(code) == 2
    if url.startswith("sqlite"):
        with reopened.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    reopened.dispose()


def test_thin_curve_keeps_a_bounded_prefix_grid():
    curve = thin_curve([float(k) for k in range(1001)], points=60)
    assert curve["every"] == 17 and len(curve["loss"]) == 59 and curve["loss"][:3] == [0.0, 17.0, 34.0]
    assert thin_curve([math.nan, 1.0])["loss"] == [None, 1.0]


def test_store_ls_says_where_class_runs_live_and_clear_leaves_them(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("LAB_CLASS_DB", raising=False)
    root = tmp_path / "store"
    store = ClassStore(default_url(root))
    code, _ = store.start(TrialConfig())
    add(store, code, 3)
    assert cli.main(["store", "clear", "--store", str(root)]) == 0
    assert cli.main(["store", "ls", "--store", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"class runs live in {root.resolve() / classruns.FOLDER}" in out or \
        f"class runs live in {root / classruns.FOLDER}" in out, out
    assert "not the store's" not in out and "skipped" not in out
    assert store.count(code) == 1
    monkeypatch.setenv("LAB_CLASS_DB", "postgresql+psycopg://u:secret@host/db")
    assert cli.main(["store", "ls", "--store", str(root)]) == 0
    out = capsys.readouterr().out
    assert "class runs live in the database LAB_CLASS_DB names" in out and "secret" not in out
    store.dispose()
