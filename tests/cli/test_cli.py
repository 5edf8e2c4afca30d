"""`python -m lab run`: the lecture's log, the summary, the CSV files, and one-line errors with exit code 2."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn, optim

from lab import cli
from lab.core.config import FIELD_NAMES
from lab.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]


# ---- the lecture's program, as the lecture writes it ---------------------------------------------------------------
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 2)
        self.fc2 = nn.Linear(2, 1)

    def forward(self, x):
        x = torch.sigmoid(self.fc1(x))
        x = torch.sigmoid(self.fc2(x))
        return x


def gen_minibatch(mbs):
    inputs = torch.bernoulli(0.5 * torch.ones(mbs, 2))
    labels = torch.zeros(mbs, 1)
    for i in range(mbs):
        labels[i] = float(int(inputs[i, 0]) and int(inputs[i, 1]))
    return inputs, labels


def lecture(seed, steps):
    torch.manual_seed(seed)
    model = Net()
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=0.1)
    mbs = 5
    for i in range(steps):
        inputs, labels = gen_minibatch(mbs)
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        if i % 100 == 0:
            print('i =', i, 'loss =', loss.item())


def lecture_lines(capsys, seed, steps):
    capsys.readouterr()
    lecture(seed, steps)
    return capsys.readouterr().out.splitlines()


def run(capsys, *argv):
    capsys.readouterr()
    code = cli.main(["run", *argv])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


# ---- the log -------------------------------------------------------------------------------------------------------
# The engine is being tuned for bitwise exactness: if this fails only in the last digits, that is an engine bug to
# fix there; the assertion stays exact.
@pytest.mark.parametrize("seed", [0, 1])
def test_one_seed_prints_exactly_the_lecture_log(capsys, seed):
    expected = lecture_lines(capsys, seed, 300)
    assert len(expected) == 3 and expected[0].startswith("i = 0 loss = ")
    code, out, err = run(capsys, "--steps", "300", "--seed-list", str(seed))
    assert code == 0 and err == ""
    assert out[:3] == expected  # no header before the lecture's lines
    assert out[3] == "solved 1/1"


def test_default_seed_is_zero(capsys):
    code, out, _ = run(capsys, "--steps", "100")
    assert code == 0 and out[0] == lecture_lines(capsys, 0, 100)[0]


def test_several_seeds_print_the_median_over_seeds(capsys):
    losses = np.array([[float(line.split()[-1]) for line in lecture_lines(capsys, s, 300)] for s in range(3)])
    code, out, _ = run(capsys, "--steps", "300", "--seeds", "3")
    assert code == 0
    assert out[0] == "median over 3 seeds"
    assert out[1:4] == [f"i = {i} loss = {float(m)!r}" for i, m in zip((0, 100, 200), np.median(losses, axis=0))]
    assert out[4].startswith("solved ") and out[4].endswith("/3")
    assert out[5].startswith("median steps to solve: ") and out[6].startswith("median final loss: ")


def test_quiet_prints_only_the_summary(capsys):
    code, out, _ = run(capsys, "--steps", "300", "--seeds", "2", "--quiet")
    assert code == 0 and out[0].startswith("solved ") and not any(line.startswith("i =") for line in out)


def test_unused_setting_is_noted(capsys):
    code, _, err = run(capsys, "--steps", "10", "--momentum", "0.5", "--quiet")
    assert code == 0 and err == "note: --momentum is not used by adam; ignored\n"


def test_subprocess_python_m_lab(capsys):
    expected = lecture_lines(capsys, 0, 200)
    proc = subprocess.run([sys.executable, "-m", "lab", "run", "--steps", "200"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:2] == expected and lines[2].startswith("solved ")
    assert proc.stderr == ""


def test_subprocess_error_is_one_line():
    proc = subprocess.run([sys.executable, "-m", "lab", "run", "--lr", "abc"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "error: --lr: must be a number (got 'abc')\n"


# ---- files ---------------------------------------------------------------------------------------------------------
SUMMARY_COLUMNS = [*FIELD_NAMES, "seed", "solved", "steps_to_solve", "final_loss", "diverged"]


def test_csv_and_curves(capsys, tmp_path):
    csv, curves = tmp_path / "s.csv", tmp_path / "c.csv"
    code, _, _ = run(capsys, "--steps", "150", "--seeds", "3", "--csv", str(csv), "--curves", str(curves), "--quiet")
    assert code == 0
    summary = pd.read_csv(csv)
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert summary["seed"].tolist() == [0, 1, 2] and (summary["steps"] == 150).all()
    assert summary["optimizer"].eq("adam").all() and summary["lr"].eq(0.1).all()
    frame = pd.read_csv(curves, float_precision="round_trip")  # pandas' default parser can miss the last digit
    assert {"seed", "step", "loss", "table_loss", "table_error", "grad_norm_1", "grad_norm_2"} <= set(frame.columns)
    assert {"task", "optimizer", "lr", "steps", "batch_size"} <= set(frame.columns)
    assert frame["loss_fn"].eq("mse").all()  # the config's `loss` field: `loss` is the per-step loss here
    assert len(frame) == 3 * 150
    assert frame["step"].tolist() == list(range(150)) * 3
    assert frame["seed"].tolist() == [0] * 150 + [1] * 150 + [2] * 150
    first = lecture_lines(capsys, 1, 101)
    assert repr(float(frame.query("seed == 1 and step == 100")["loss"].iloc[0])) == first[1].split()[-1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv", "s.csv"]  # no temp files left


def test_seed_list_with_ranges(capsys, tmp_path):
    csv = tmp_path / "s.csv"
    code, out, _ = run(capsys, "--steps", "100", "--seed-list", "7,3,0-1", "--csv", str(csv))
    assert code == 0 and out[0] == "median over 4 seeds"
    assert pd.read_csv(csv)["seed"].tolist() == [0, 1, 3, 7]


def test_full_batch_and_onehot(capsys, tmp_path):
    csv = tmp_path / "s.csv"
    code, out, _ = run(capsys, "--steps", "200", "--full-batch", "--encoding", "onehot", "--optimizer", "sgd",
                       "--seeds", "2", "--csv", str(csv))
    assert code == 0 and len(out) == 1 + 2 + 3
    row = pd.read_csv(csv).iloc[0]
    assert row["full_batch"] and row["batch_size"] == 4 and row["encoding"] == "onehot" and row["lr"] == 1.0


def test_failed_write_leaves_nothing(capsys, tmp_path, monkeypatch):
    target = tmp_path / "s.csv"
    target.write_text("old\n")

    def broken(self, handle, **kwargs):
        handle.write("half a ta")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    code, _, err = run(capsys, "--steps", "10", "--quiet", "--csv", str(target))
    assert code == 2 and err == f"error: --csv: could not write {str(target)!r}: No space left on device\n"
    assert target.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["s.csv"]


# ---- bad input -----------------------------------------------------------------------------------------------------
BAD = [
    (["--optimizer", "adamx"], "--optimizer"),
    (["--activation", "gelu"], "--activation"),
    (["--task", "implies"], "--task"),
    (["--encoding", "binary"], "--encoding"),
    (["--init", "he"], "--init"),
    (["--loss", "hinge"], "--loss"),
    (["--depth", "0"], "--depth"),
    (["--width", "2.5"], "--width"),
    (["--lr", "-1"], "--lr"),
    (["--lr", "0"], "--lr"),
    (["--lr", "abc"], "--lr"),
    (["--lr", "nan"], "--lr"),
    (["--optimizer", "momentum", "--momentum", "1"], "--momentum"),
    (["--beta2", "-0.1"], "--beta2"),
    (["--weight-decay", "x"], "--weight-decay"),
    (["--steps", "0"], "--steps"),
    (["--batch-size", "0"], "--batch-size"),
    (["--seeds", "0"], "--seeds"),
    (["--seeds", "two"], "--seeds"),
    (["--seed-list", "3,,x"], "--seed-list"),
    (["--seed-list", "9-3"], "--seed-list"),
    (["--seed-list", "-3"], "--seed-list"),
    (["--seeds", "2", "--seed-list", "1,2"], "--seed"),
    (["--device", "tpu"], "--device"),
    (["--csv", "/nonexistent-folder/x.csv"], "--csv"),
    (["--curves", "."], "--curves"),
    (["--lr"], "--lr"),
    (["--bogus", "1"], "--bogus"),
]
if not torch.cuda.is_available():
    BAD.append((["--device", "cuda"], "--device"))


@pytest.mark.parametrize("argv, flag", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, flag):
    code, out, err = run(capsys, "--steps", "10", *argv)
    assert code == 2 and out == []
    assert err.count("\n") == 1 and err.startswith("error: ") and flag in err and "Traceback" not in err


def test_no_command_is_one_line(capsys):
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")


# ---- help ------------------------------------------------------------------------------------------------------------
def test_every_flag_explains_itself(capsys):
    parser = cli.build_parser()
    run_parser = parser._subparsers._group_actions[0].choices["run"]
    flags = [a for a in run_parser._actions if a.option_strings and a.dest != "help"]
    assert len(flags) >= 22
    for action in flags:
        assert action.help and "default" in action.help, action.option_strings
    optimizer = next(a for a in flags if a.dest == "optimizer").help
    for name in ("sgd 1", "momentum 0.5", "adagrad 0.5", "adadelta 1", "rmsprop 0.01", "adam 0.1"):
        assert name in optimizer
    assert cli.main(["run", "--help"]) == 0
    assert "--seed-list" in capsys.readouterr().out


# ---- sweep and store: what a sweep says before and while it runs, and one-line errors ------------------------------
def sweep(capsys, tmp_path, *argv):
    capsys.readouterr()
    code = cli.main(["sweep", "--store", str(tmp_path / "store"), "--workers", "1", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


SMALL_SWEEP = ["--optimizers", "sgd,adam", "--depths", "1-2", "--steps", "30", "--seeds", "2"]
PLAN_LINE = r"4 configs x 2 seeds = 8 trials \(store: .*store\): "


def test_sweep_states_its_size_and_estimate_before_it_starts(capsys, tmp_path, monkeypatch):
    import lab.cli.sweep

    said_before = []
    real_run_plan = lab.cli.sweep.run_plan

    def spying_run_plan(*args, **kwargs):
        said_before.append(capsys.readouterr().out)  # what stdout held when training began
        return real_run_plan(*args, **kwargs)

    monkeypatch.setattr(lab.cli.sweep, "run_plan", spying_run_plan)
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


@pytest.mark.parametrize("argv", [["--seeds", "2", "--seed-list", "1,2"], ["--seed-list", "1,2", "--seeds", "2"]])
def test_seeds_with_seed_list_names_seed_list(capsys, argv):
    code, out, err = run(capsys, "--steps", "10", *argv)
    assert code == 2 and out == []
    assert err == "error: --seed-list: give --seeds N or --seed-list LIST, not both (got --seeds '2' and --seed-list " \
                  "'1,2')\n"


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


def test_argparse_errors_name_the_flag_first(capsys):
    assert cli.main(["run", "--steps"]) == 2
    assert capsys.readouterr().err == "error: --steps: needs a value\n"
    assert cli.main(["nope"]) == 2
    assert capsys.readouterr().err == ("error: COMMAND: must be one of 'run', 'export-script', 'sweep', 'store' "
                                       "(got 'nope')\n")
