"""What the command line says when the store cannot be used as asked: a bad LAB_STORE_MAX_MB, foreign files in the
store folder, a misfiled entry, a malformed scheduler address, a store that cannot be written, a write that fails
mid-run. Each ends with one line on stderr and exit code 2, before any training, and leaves the store's files as they
were."""

from __future__ import annotations

import hashlib
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
