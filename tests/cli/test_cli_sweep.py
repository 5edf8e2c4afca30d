"""`python -m lab sweep` and `python -m lab store`: what a sweep says before and while it runs, the stored entries,
and one-line errors with exit code 2."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from lab import cli
from lab.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]


# ---- sweep: what it says before and while it runs, and one-line errors -----------------------------------------------
def sweep(capsys, tmp_path, *argv):
    capsys.readouterr()
    code = cli.main(["sweep", "--store", str(tmp_path / "store"), "--workers", "1", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


SMALL_SWEEP = ["--optimizers", "sgd,adam", "--depths", "1-2", "--steps", "30", "--seeds", "2"]
PLAN_LINE = r"4 configs x 2 seeds = 8 trials \(store: .*store\): "


def test_sweep_states_its_size_and_estimate_before_it_starts(capsys, tmp_path, monkeypatch):
    import lab.compute.sweep

    said_before = []
    real_run_plan = lab.compute.sweep.run_plan

    def spying_run_plan(*args, **kwargs):
        said_before.append(capsys.readouterr().out)  # what stdout held when training began
        return real_run_plan(*args, **kwargs)

    monkeypatch.setattr(lab.compute.sweep, "run_plan", spying_run_plan)  # imported by the command when it runs
    code, out, err = sweep(capsys, tmp_path, *SMALL_SWEEP)
    assert code == 0
    assert re.fullmatch(PLAN_LINE + r"8 to train, estimated \d+ s on 1 process\n", said_before[0])
    assert out.splitlines()[0].split()[:2] == ["depth", "optimizer"] and len(out.splitlines()) == 5  # the table
    progress = err.split("\r")
    assert progress[0] == "" and progress[-1].endswith("\n") and err.count("\n") == 1
    assert re.fullmatch(r"\[ +\] 0/8 trials  ETA \d+ s  ", progress[1])  # the estimate, before any trial is done
    assert re.fullmatch(r"\[#{30}\] 8/8 trials  \d+ s  \n", progress[-1])  # the time it took
    assert all(re.fullmatch(r"\[#* *\] \d/8 trials  ETA \d+ s  ", p) for p in progress[2:-1])


def test_sweep_says_what_is_stored(capsys, tmp_path):
    assert sweep(capsys, tmp_path, *SMALL_SWEEP, "--quiet")[0] == 0
    code, out, err = sweep(capsys, tmp_path, *SMALL_SWEEP, "--quiet")
    assert code == 0 and err == ""
    assert re.fullmatch(PLAN_LINE + "all stored, nothing to train", out.splitlines()[0])
    code, out, _ = sweep(capsys, tmp_path, *SMALL_SWEEP[:-1], "3", "--quiet")
    assert code == 0
    assert re.fullmatch(r"4 configs x 3 seeds = 12 trials \(store: .*\): 4 to train \(8 stored\), estimated \d+ s on "
                        r"1 process", out.splitlines()[0])


def test_large_sweeps_need_yes(capsys, tmp_path, monkeypatch):
    import lab.cli.sweep

    monkeypatch.setattr(lab.cli.sweep, "MAX_TRIALS", 7)
    code, out, err = sweep(capsys, tmp_path, *SMALL_SWEEP)
    assert code == 2 and out == ""
    assert err == "error: --yes: 4 configs x 2 seeds = 8 trials, more than 7: add --yes to start it\n"
    assert not (tmp_path / "store").exists()  # refused before anything was read, trained or stored
    code, out, _ = sweep(capsys, tmp_path, *SMALL_SWEEP, "--yes", "--quiet")
    assert code == 0 and re.match(PLAN_LINE + "8 to train", out)

    monkeypatch.setattr(lab.cli.sweep, "MAX_TRIALS", 8)
    monkeypatch.setattr(lab.cli.sweep, "MAX_TRIAL_STEPS", 239)  # 8 trials x 30 steps = 240
    code, _, err = sweep(capsys, tmp_path, *SMALL_SWEEP)
    assert code == 2
    assert err == ("error: --yes: 4 configs x 2 seeds = 8 trials of 240 trial-steps in all, more than 239: add --yes "
                   "to start it\n")


def test_the_documented_sweep_limit(capsys, tmp_path):
    code, _, err = sweep(capsys, tmp_path, "--preset", "lecture", "--seeds", "1852")  # 108 x 1852 = 200,016 trials
    assert code == 2
    assert err == "error: --yes: 108 configs x 1852 seeds = 200016 trials, more than 200000: add --yes to start it\n"
    assert not (tmp_path / "store").exists()


SWEEP_BAD = [
    (["--depths", "3-1"], "--depths", "(got '3-1')"),
    (["--widths", "8-2"], "--widths", "(got '8-2')"),
    (["--batch-sizes", "5-1"], "--batch-sizes", "(got '5-1')"),
    (["--n-trains", "40-20"], "--n-trains", "(got '40-20')"),
    (["--depths", ""], "--depths", "(got '')"),
    (["--depths", "1,,2"], "--depths", "(got '1,,2')"),
    (["--optimizers", ","], "--optimizers", "(got ',')"),
    (["--lrs", "0.1,"], "--lrs", "(got '0.1,')"),
    (["--depths", "1-x"], "--depths", "(got '1-x')"),
    (["--depths", "1-100000000"], "--depths", "(got '1-100000000')"),
    (["--depths", "0-3"], "--depths", "(got '0-3')"),
    (["--depths", "1,99"], "--depths", "(got 99)"),
    (["--widths", "1-256", "--batch-sizes", "1-10000"], "--batch-sizes", "2560000 configs"),
    (["--optimizers", "sgd,nope"], "--optimizers", "(got 'nope')"),
    (["--lrs", "-1"], "--lrs", "(got '-1')"),
    (["--seeds", "2", "--seed-list", "1"], "--seed-list", "not both (got --seeds '2' and --seed-list '1')"),
    (["--seed-list", "1", "--seeds", "2"], "--seed-list", "not both (got --seeds '2' and --seed-list '1')"),
    (["--seed-list", "5-2"], "--seed-list", "(got '5-2')"),
    (["--seed-list", ""], "--seed-list", "(got '')"),
    (["--seeds", "0"], "--seeds", "(got 0)"),
    (["--steps", "x"], "--steps", "must be a whole number (got 'x')"),
    (["--steps", "0"], "--steps", ""),
    (["--workers", "0"], "--workers", "(got 0)"),
    (["--workers", "two"], "--workers", "must be a whole number (got 'two')"),
    (["--preset", "nope"], "--preset", "(got 'nope')"),
    (["--preset", "lecture", "--seeds", "100000", "--widths", "1-256"], "--seeds", "at most 10000000"),
    (["--csv", "/nonexistent-folder/t.csv"], "--csv", ""),
    (["--depths"], "--depths", "needs a value"),
]


@pytest.mark.parametrize("argv, flag, says", SWEEP_BAD, ids=[" ".join(a) or "empty" for a, _, _ in SWEEP_BAD])
def test_sweep_bad_input_is_one_line_and_exit_2(capsys, tmp_path, argv, flag, says):
    code, out, err = sweep(capsys, tmp_path, "--steps", "10", *argv)
    assert code == 2 and out == ""
    assert err.startswith(f"error: {flag}: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert says in err and "Traceback" not in err
    assert not (tmp_path / "store").exists()  # checked before the store is opened


def test_subprocess_reversed_range_is_one_line():
    proc = subprocess.run([sys.executable, "-m", "lab", "sweep", "--depths", "3-1", "--seeds", "2"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "error: --depths: a range goes from low to high, like 1-3 (got '3-1')\n"


# ---- store -----------------------------------------------------------------------------------------------------------
def store(capsys, root, *argv):
    capsys.readouterr()
    code = cli.main(["store", *argv, "--store", str(root)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_store_export_and_rm_name_the_key_argument(capsys, tmp_path):
    root = tmp_path / "store"
    assert sweep(capsys, tmp_path, "--depths", "1", "--steps", "20", "--seeds", "2", "--quiet")[0] == 0
    key = Store(root).keys()[0]
    for argv in (["export", "NOKEY"], ["export", "NOKEY", "--csv", str(tmp_path / "x.csv")], ["rm", "NOKEY"],
                 ["rm", "../store/" + key]):
        code, out, err = store(capsys, root, *argv)
        assert code == 2 and out == ""
        assert err == f"error: KEY: no stored entry {argv[1]!r} in {root} (see: python -m lab store ls)\n"
    assert store(capsys, root, "export")[2] == ("error: KEY: export needs the key of an entry (see: python -m lab "
                                                "store ls)\n")
    assert store(capsys, root, "rm")[2] == "error: KEY: rm needs the key of an entry (see: python -m lab store ls)\n"
    assert store(capsys, root, "export", key)[2] == "error: --csv: export needs --csv PATH, the file to write\n"
    assert not (tmp_path / "x.csv").exists() and Store(root).keys() == [key]

    code, out, _ = store(capsys, root, "export", key, "--csv", str(tmp_path / "x.csv"))
    assert code == 0 and out == f"wrote {tmp_path / 'x.csv'}\n"
    assert pd.read_csv(tmp_path / "x.csv", encoding="utf-8-sig")["seed"].tolist() == [0, 1]
    assert store(capsys, root, "rm", key)[:2] == (0, f"deleted {key}\n")
    assert Store(root).keys() == [] and Store(root).lock_files() == []


STORE_BAD = [
    (["clear", "abc"], "error: KEY: clear takes no key (got 'abc'); to delete one entry: python -m lab store rm KEY"),
    (["ls", "abc"], "error: KEY: ls takes no key (got 'abc'); to delete one entry: python -m lab store rm KEY"),
    (["ls", "--csv", "x.csv"], "error: --csv: only with export (got ls)"),
    (["rm", "abc", "--curves"], "error: --curves: only with export (got rm)"),
    (["bogus"], "error: ACTION: must be one of 'ls', 'clear', 'rm', 'export' (got 'bogus')"),
]


@pytest.mark.parametrize("argv, message", STORE_BAD, ids=[" ".join(a) for a, _ in STORE_BAD])
def test_store_bad_input_is_one_line_and_exit_2(capsys, tmp_path, argv, message):
    code, out, err = store(capsys, tmp_path, *argv)
    assert (code, out, err) == (2, "", message + "\n")


def test_store_folder_that_cannot_be_one(capsys, tmp_path, monkeypatch):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    code, out, err = store(capsys, a_file, "ls")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("error: --store: cannot use it as the store folder: ")
    assert err.endswith(f"(got {str(a_file)!r})\n")
    monkeypatch.setenv("LAB_STORE_MAX_MB", "lots")
    code, out, err = store(capsys, tmp_path / "store", "ls")
    assert (code, out, err) == (2, "", "error: LAB_STORE_MAX_MB: must be a number of megabytes (got 'lots')\n")
