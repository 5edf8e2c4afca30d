"""What the command line says when the store cannot be used as asked: a bad LAB_STORE_MAX_MB, foreign files in the
store folder, a misfiled entry, a malformed scheduler address, a store that cannot be written, a write that fails
mid-run. Each ends with one line on stderr and exit code 2, before any training, and leaves the store's files as they
were."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from helpers import engine_run

import lab.compute.sweep
from lab import cli
from lab.core.config import ConfigError, TrialConfig
from lab.storage.store import Store

SMALL = TrialConfig(steps=20)
OTHER = TrialConfig(steps=20, depth=2)
SWEEP = ["sweep", "--depths", "1", "--steps", "20", "--seeds", "2", "--workers", "1", "--quiet"]
COMPARE = ["compare", "--optimizers", "sgd,adam", "--steps", "20", "--seeds", "2", "--workers", "1", "--quiet"]


def cmd(capsys, *argv) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(code: int, err: str) -> str:
    """The error line, once checked to be exactly one line with exit code 2 and no traceback."""
    assert code == 2, err
    assert err.startswith("error: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err[:-1]


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under `root`, with a digest of each file's bytes."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
            for p in sorted(root.rglob("*"))}


@pytest.fixture
def stored(tmp_path) -> Store:
    """A store holding SMALL's and OTHER's entries (seeds 0 and 1)."""
    store = Store(tmp_path / "store")
    store.save(engine_run(SMALL, (0, 1)))
    store.save(engine_run(OTHER, (0, 1)))
    return store


@pytest.fixture
def no_training(monkeypatch):
    """Training fails the test: the commands must stop before it."""
    def refuse(*args, **kwargs):
        raise AssertionError("trained")

    monkeypatch.setattr(lab.compute.sweep, "train_unit", refuse)


# ---- 1. LAB_STORE_MAX_MB ---------------------------------------------------------------------------------------------
BAD_MAX_MB = [("0", "positive"), ("-1", "positive"), ("nan", "positive"), ("inf", "positive"),
              ("abc", "a number")]


@pytest.mark.parametrize("value, says", BAD_MAX_MB, ids=[v for v, _ in BAD_MAX_MB])
def test_bad_store_max_mb_is_refused_by_the_store(tmp_path, monkeypatch, value, says):
    monkeypatch.setenv("LAB_STORE_MAX_MB", value)
    with pytest.raises(ConfigError) as info:
        Store(tmp_path / "store")
    assert info.value.field == "store_max_mb" and says in info.value.reason and repr(value) in info.value.reason
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize("value", [0, -1.0, float("nan"), float("inf")])
def test_bad_max_mb_argument_is_refused(tmp_path, value):
    with pytest.raises(ConfigError, match="positive number of megabytes"):
        Store(tmp_path / "store", max_mb=value)


@pytest.mark.parametrize("value", ["", "  "])
def test_empty_store_max_mb_means_no_bound(tmp_path, monkeypatch, value):
    monkeypatch.setenv("LAB_STORE_MAX_MB", value)
    assert Store(tmp_path / "store").max_bytes is None
    monkeypatch.setenv("LAB_STORE_MAX_MB", "0.5")
    assert Store(tmp_path / "store").max_bytes == 0.5 * 2**20


@pytest.mark.parametrize("value, says", BAD_MAX_MB, ids=[v for v, _ in BAD_MAX_MB])
@pytest.mark.parametrize("command", ["sweep", "compare", "ls", "clear", "rm", "export"])
def test_bad_store_max_mb_is_one_line_before_any_work(capsys, stored, monkeypatch, no_training, command, value, says):
    before = snapshot(stored.root)
    monkeypatch.setenv("LAB_STORE_MAX_MB", value)
    argv = {"sweep": SWEEP, "compare": COMPARE, "ls": ["store", "ls"], "clear": ["store", "clear"],
            "rm": ["store", "rm", SMALL.key()],
            "export": ["store", "export", SMALL.key(), "--csv", str(stored.root.parent / "x.csv")]}[command]
    code, out, err = cmd(capsys, *argv, "--store", str(stored.root))
    line = one_line_error(code, err)
    assert line.startswith("error: LAB_STORE_MAX_MB: must be ") and says in line and line.endswith(f"(got {value!r})")
    assert out == "" and snapshot(stored.root) == before
    assert not (stored.root.parent / "x.csv").exists()


# ---- 2. foreign files in the store folder ----------------------------------------------------------------------------
def foreign_things(root: Path) -> None:
    """A folder named like an entry, a folder named like a derived file, unknown files and folders."""
    (root / f"{'0' * 16}.parquet").mkdir()
    (root / f"{'0' * 16}.parquet" / "inside.txt").write_text("mine")
    (root / f"{SMALL.key()}.trace.json").mkdir()
    (root / "notes.txt").write_text("mine")
    (root / "pictures").mkdir()


def test_ls_lists_the_entries_and_names_foreign_things(capsys, stored):
    foreign_things(stored.root)
    before = snapshot(stored.root)
    code, out, err = cmd(capsys, "store", "ls", "--store", str(stored.root))
    assert code == 0 and err == ""
    assert SMALL.key() in out and OTHER.key() in out and "2 entries" in out
    assert (f"4 not the store's, left as they are: {'0' * 16}.parquet (a folder), {SMALL.key()}.trace.json (a folder), "
            "notes.txt (a file), pictures (a folder)") in out.splitlines()
    assert snapshot(stored.root) == before


def test_rm_of_a_folder_named_like_an_entry_is_one_line(capsys, stored):
    foreign_things(stored.root)
    before = snapshot(stored.root)
    code, out, err = cmd(capsys, "store", "rm", "0" * 16, "--store", str(stored.root))
    assert one_line_error(code, err) == (f"error: KEY: '{'0' * 16}.parquet' in {stored.root} is a folder, not a "
                                         "store entry: left as it is")
    assert out == "" and snapshot(stored.root) == before


def test_rm_deletes_an_entry_and_leaves_foreign_things(capsys, stored):
    foreign_things(stored.root)
    before = snapshot(stored.root)
    code, out, err = cmd(capsys, "store", "rm", SMALL.key(), "--store", str(stored.root))
    assert (code, out, err) == (0, f"deleted {SMALL.key()}\n", "")
    gone = {name for name in before if name not in snapshot(stored.root)}
    assert gone == {f"{SMALL.key()}.parquet", f".{SMALL.key()}.lock"}
    assert Store(stored.root).keys() == [OTHER.key()]


def test_rm_whose_lock_file_is_a_folder_is_one_line(capsys, stored):
    lock = stored.lock_path(SMALL.key())
    lock.unlink(missing_ok=True)
    lock.mkdir()
    before = snapshot(stored.root)
    code, out, err = cmd(capsys, "store", "rm", SMALL.key(), "--store", str(stored.root))
    assert one_line_error(code, err).startswith(f"error: KEY: could not delete {SMALL.key()!r} in {stored.root}: ")
    assert out == "" and snapshot(stored.root) == before


def test_clear_deletes_what_is_the_stores_and_says_what_it_skipped(capsys, stored):
    foreign_things(stored.root)
    lock = stored.lock_path(OTHER.key())  # OTHER cannot be deleted: its lock file is a folder
    lock.unlink(missing_ok=True)
    lock.mkdir()
    stored.write_derived(SMALL.key(), "note", {"a": 1})
    before = snapshot(stored.root)
    code, out, err = cmd(capsys, "store", "clear", "--store", str(stored.root))
    assert code == 0 and err == ""
    assert out == (f"deleted 1 entries from {stored.root}; skipped 6: {OTHER.key()}.parquet (cannot be deleted), "
                   f".{OTHER.key()}.lock (a folder), not the store's, {'0' * 16}.parquet (a folder), not the store's, "
                   f"{SMALL.key()}.trace.json (a folder), not the store's, notes.txt (a file), not the store's, ...\n")
    after = snapshot(stored.root)
    assert set(before) - set(after) == {f"{SMALL.key()}.parquet", f"{SMALL.key()}.note.json", f".{SMALL.key()}.lock"}
    assert all(after[name] == before[name] for name in after)


# ---- 3. store export checks that the entry is the key's --------------------------------------------------------------
def test_export_of_an_entry_copied_over_another_is_one_line(capsys, stored, tmp_path):
    stored.path(SMALL.key()).write_bytes(stored.path(OTHER.key()).read_bytes())  # valid results, another config's
    before = snapshot(stored.root)
    csv = tmp_path / "x.csv"
    for extra in ([], ["--curves"]):
        code, out, err = cmd(capsys, "store", "export", SMALL.key(), "--csv", str(csv), *extra, "--store",
                             str(stored.root))
        assert one_line_error(code, err) == (f"error: KEY: the stored entry {SMALL.key()!r} is unusable, nothing "
                                             f"written: it holds another config's results (key {OTHER.key()}) (see: "
                                             "python -m lab store ls)")
        assert out == "" and not csv.exists() and snapshot(stored.root) == before
    assert stored.load_key(SMALL.key()) is None  # and the dashboard's tables do not show it as SMALL's
    code, out, _ = cmd(capsys, "store", "export", OTHER.key(), "--csv", str(csv), "--store", str(stored.root))
    assert (code, out) == (0, f"wrote {csv}\n")


def test_export_of_a_garbage_entry_is_one_line(capsys, stored, tmp_path):
    stored.path(SMALL.key()).write_bytes(b"not parquet")
    before = snapshot(stored.root)
    code, out, err = cmd(capsys, "store", "export", SMALL.key(), "--csv", str(tmp_path / "x.csv"), "--store",
                         str(stored.root))
    assert one_line_error(code, err).startswith(f"error: KEY: the stored entry {SMALL.key()!r} is unusable, nothing "
                                                "written: ")
    assert out == "" and not (tmp_path / "x.csv").exists() and snapshot(stored.root) == before


# ---- 4. a malformed scheduler address --------------------------------------------------------------------------------
BAD_SCHEDULERS = [("notaurl", "missing port number"), ("tcp://host", "missing port number"), ("", "missing port"),
                  ("tcp://:8786", "no host"), ("tcp://host:99999", "port 99999"), ("tcp://host:x", ""),
                  ("nope://host:8786", "unknown protocol 'nope'")]


@pytest.mark.parametrize("address, says", BAD_SCHEDULERS, ids=[a or "empty" for a, _ in BAD_SCHEDULERS])
def test_malformed_scheduler_is_one_line_before_any_work(capsys, tmp_path, no_training, address, says):
    code, out, err = cmd(capsys, *SWEEP, "--scheduler", address, "--store", str(tmp_path / "store"))
    line = one_line_error(code, err)
    assert line.startswith("error: --scheduler: must be a Dask scheduler address like tcp://10.0.0.5:8786: ")
    assert says in line and line.endswith(f"(got {address!r})")
    assert out == "" and not (tmp_path / "store").exists()


# ---- 5. a store that cannot be written is refused before any training ------------------------------------------------
def under_a_file(tmp_path: Path) -> Path:
    """A store folder under a regular file: it cannot be made, for root too."""
    (tmp_path / "file").write_text("a file")
    return tmp_path / "file" / "sub"


def read_only_folder(tmp_path: Path) -> Path:
    """A folder in which nobody may create files (for root too): /proc, on Linux."""
    if not Path("/proc/self").is_dir():
        pytest.skip("no /proc here: under_a_file covers a store that cannot be written")
    return Path("/proc")


def read_only_by_mode(tmp_path: Path) -> Path:
    """A folder with no write permission: root ignores the mode, so there it proves nothing and is skipped, saying so
    (under_a_file and read_only_folder fail for root too)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        folder.chmod(0o755)
        pytest.skip("root ignores permission bits: under_a_file and read_only_folder show the refusal instead")
    return folder


UNWRITABLE = [under_a_file, read_only_folder, read_only_by_mode]


@pytest.mark.parametrize("where", UNWRITABLE, ids=[f.__name__ for f in UNWRITABLE])
@pytest.mark.parametrize("command", ["sweep", "compare", "rm", "clear"])
def test_a_store_that_cannot_be_written_is_one_line_before_training(capsys, tmp_path, no_training, where, command):
    root = where(tmp_path)
    try:  # first: writing there really fails
        with pytest.raises(OSError):
            root.mkdir(parents=True, exist_ok=True)
            (root / ".probe-test").write_text("x")
        before = snapshot(root) if root.is_dir() and root != Path("/proc") else None
        argv = {"sweep": SWEEP, "compare": COMPARE, "rm": ["store", "rm", SMALL.key()], "clear": ["store", "clear"]}
        code, out, err = cmd(capsys, *argv[command], "--store", str(root))
        line = one_line_error(code, err)
        assert line.startswith("error: --store: ") and str(root) in line
        assert out == ""
        if before is not None:
            assert snapshot(root) == before
    finally:
        if root.is_dir() and root.is_relative_to(tmp_path):
            root.chmod(0o755)


def test_permission_bits_stop_writes_unless_root(tmp_path):
    """Why read_only_by_mode is skipped as root: root may write in a folder of mode 0o555."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "x").write_text("x")
        written = True
    except OSError:
        written = False
    finally:
        folder.chmod(0o755)
    assert written == (hasattr(os, "geteuid") and os.geteuid() == 0)


# ---- 6. a failure while writing results mid-run ----------------------------------------------------------------------
@pytest.mark.parametrize("command", ["sweep", "compare"])
def test_a_failed_save_mid_run_is_one_line_and_keeps_what_was_saved(capsys, tmp_path, monkeypatch, command):
    saves = []
    real_save = Store.save

    def save_once_then_fail(self, runs):
        saves.append(runs.config)
        if len(saves) > 1:
            raise OSError(28, "No space left on device", str(self.path(runs.config.key())))
        real_save(self, runs)

    monkeypatch.setattr(Store, "save", save_once_then_fail)
    root = tmp_path / "store"
    argv = {"sweep": [*SWEEP[:2], "1-2", *SWEEP[3:]], "compare": COMPARE}[command]
    code, out, err = cmd(capsys, *argv, "--store", str(root))
    line = one_line_error(code, err)
    assert line == (f"error: --store: could not save results in {str(root)!r}: No space left on device "
                    f"({Store(root).path(saves[1].key())}); stopped, the 2 trials saved before stay in the store (a "
                    "rerun trains only the rest)")
    assert len(saves) == 2
    monkeypatch.setattr(Store, "save", real_save)
    kept = Store(root)
    assert kept.keys() == [saves[0].key()] and kept.load(saves[0]).seeds == [0, 1]


def test_a_failed_save_ends_the_progress_line_first(capsys, tmp_path, monkeypatch):
    def fail(self, runs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Store, "save", fail)
    argv = [a for a in SWEEP if a != "--quiet"]
    code, out, err = cmd(capsys, *argv, "--store", str(tmp_path / "store"))
    bar, line = err.split("\n")[:2]
    assert code == 2 and err.count("\n") == 2 and bar.startswith("\r[") and "Traceback" not in err
    assert line == (f"error: --store: could not save results in {str(tmp_path / 'store')!r}: No space left on device; "
                    "stopped, the 0 trials saved before stay in the store (a rerun trains only the rest)")
