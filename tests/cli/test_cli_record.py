"""`--record` and `--memory-mb` on `run`, `sweep` and `compare`: the same summaries at every level, curves every K
steps, nothing thin stored, and one-line errors with exit code 2; `--device cuda` without a GPU."""

from __future__ import annotations

import pandas as pd
import pytest
import torch
from reference import lecture_program

from lab import cli
from lab.core.config import TrialConfig
from lab.core.recording import Recording
from lab.storage.store import Store


def main(capsys, *argv):
    capsys.readouterr()
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


@pytest.mark.parametrize("level", ["summary", "every:40"])
def test_run_writes_the_same_summary_at_every_level(capsys, tmp_path, level):
    full, thin = tmp_path / "full.csv", tmp_path / "thin.csv"
    flags = ("--task", "xor", "--steps", "200", "--seeds", "30")
    assert main(capsys, "run", *flags, "--csv", str(full))[0] == 0
    code, out, err = main(capsys, "run", *flags, "--csv", str(thin), "--record", level, "--memory-mb", "0.5")
    assert code == 0 and err == ""
    assert thin.read_bytes() == full.read_bytes()
    assert out[-3].startswith("solved ")


def test_run_every_k_prints_the_lecture_log_at_the_recorded_steps(capsys, tmp_path):
    code, out, _ = main(capsys, "run", "--steps", "300", "--record", "every:50", "--curves", str(tmp_path / "c.csv"))
    assert code == 0
    assert out[:3] == lecture_program(0, 300)[0]  # steps 0, 100, 200: recorded, so printed as the lecture prints them
    curves = pd.read_csv(tmp_path / "c.csv")
    assert curves["step"].tolist() == list(range(0, 300, 50))


def test_run_summary_prints_no_log(capsys):
    code, out, _ = main(capsys, "run", "--steps", "300", "--record", "summary")
    assert code == 0 and not any(line.startswith("i = ") for line in out) and out[0].startswith("solved ")


BAD = [
    (["run", "--record", "every:0"], "--record"),
    (["run", "--record", "sometimes"], "--record"),
    (["run", "--memory-mb", "0"], "--memory-mb"),
    (["run", "--memory-mb", "lots"], "--memory-mb"),
    (["run", "--record", "summary", "--curves", "x.csv"], "--curves"),
    (["sweep", "--optimizers", "sgd,adam", "--record", "every:"], "--record"),
    (["compare", "--optimizers", "sgd,adam", "--memory-mb", "-1"], "--memory-mb"),
]
if not torch.cuda.is_available():
    BAD += [([command, "--device", "cuda", *extra], "--device") for command, extra in
            (("run", []), ("sweep", []), ("compare", ["--optimizers", "sgd,adam"]))]


@pytest.mark.parametrize("argv, flag", BAD)
def test_bad_values_are_one_line_and_exit_2(capsys, tmp_path, monkeypatch, argv, flag):
    monkeypatch.chdir(tmp_path)
    code, out, err = main(capsys, *argv, "--store", str(tmp_path / "store")) if argv[0] != "run" else \
        main(capsys, *argv)
    assert code == 2 and out == []
    assert err.startswith(f"error: {flag}: ") and err.count("\n") == 1, err


@pytest.mark.slow
def test_sweep_summary_gives_the_full_table_and_stores_nothing(capsys, tmp_path):
    root = tmp_path / "store"
    flags = ("sweep", "--optimizers", "sgd,adam", "--steps", "150", "--seeds", "12", "--quiet", "--store", str(root))
    code, thin, _ = main(capsys, *flags, "--record", "summary", "--csv", str(tmp_path / "thin.csv"))
    assert code == 0 and "not stored" in thin[0]
    assert Store(root).keys() == []
    code, full, _ = main(capsys, *flags, "--csv", str(tmp_path / "full.csv"))
    assert code == 0 and thin[1:] == full[1:]
    assert (tmp_path / "thin.csv").read_bytes() == (tmp_path / "full.csv").read_bytes()
    code, again, _ = main(capsys, *flags, "--record", "summary", "--csv", str(tmp_path / "again.csv"))
    assert "all stored" in again[0]  # stored full trials are reduced, not trained again
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "full.csv").read_bytes()


@pytest.mark.slow
def test_run_on_several_processes_writes_what_one_writes(capsys, tmp_path, monkeypatch):
    """`run --workers 2`: a request the cost model gives two processes (here any: starting one is made free) trains
    on a worker process and this one, and writes byte for byte what one process writes."""
    import lab.compute.sweep

    monkeypatch.setattr(lab.compute.sweep, "WORKER_START_S", 0.0)
    flags = ("--steps", "200", "--seeds", "40", "--record", "summary")
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    assert main(capsys, "run", *flags, "--workers", "1", "--csv", str(one))[0] == 0
    plans = []
    real = lab.compute.sweep.quickest
    monkeypatch.setattr(lab.compute.sweep, "quickest", lambda sweep: plans.append(real(sweep)) or plans[-1])
    code, out, err = main(capsys, "run", *flags, "--workers", "2", "--csv", str(two))
    assert code == 0 and err == ""
    assert plans[0].workers == 2 and len(plans[0].units) == 4
    assert two.read_bytes() == one.read_bytes()


@pytest.mark.parametrize("value", ["0", "257", "two"])
def test_run_refuses_a_bad_number_of_workers(capsys, value):
    code, out, err = main(capsys, "run", "--workers", value)
    assert code == 2 and err.startswith("error: --workers") and "Traceback" not in err


# ---- run records what its output needs, in passes, and refuses what cannot fit ------------------------------------
@pytest.fixture
def recordings(monkeypatch):
    """The Recording each `run` trains with (its training unchanged)."""
    import lab.compute.sweep

    seen, real = [], lab.compute.sweep.stored_runs

    def spy(store, config, seeds, device="cpu", record=None, workers=1):
        seen.append(record)
        return real(store, config, seeds, device, record, workers)

    monkeypatch.setattr(lab.compute.sweep, "stored_runs", spy)
    return seen


@pytest.mark.parametrize("flags, level", [
    ([], "every:100"),  # the log's steps
    (["--quiet", "--csv", "{tmp}/s.csv"], "summary"),  # the CSV's summaries
    (["--curves", "{tmp}/c.csv"], "full"),  # every step of the curves
    (["--quiet", "--curves", "{tmp}/c.csv", "--record", "every:20"], "every:20"),  # as asked
    (["--memory-mb", "64"], "every:100"),
])
def test_run_records_what_its_output_needs(capsys, tmp_path, recordings, flags, level):
    flags = [f.format(tmp=tmp_path) for f in flags]
    code, out, err = main(capsys, "run", "--steps", "300", "--seeds", "3", *flags)
    assert code == 0 and err == ""
    assert [r.name for r in recordings] == [level]
    assert recordings[0].memory_mb == (64 if "--memory-mb" in flags else 512)


def test_run_trains_many_trials_in_passes_and_writes_what_one_pass_writes(capsys, tmp_path, monkeypatch):
    import lab.core.engine

    sizes, real = [], lab.core.engine._train_stacked
    monkeypatch.setattr(lab.core.engine, "_train_stacked",
                        lambda items, *a, **k: sizes.append(sum(len(s) for _, s in items)) or real(items, *a, **k))
    flags = ("--steps", "60", "--seeds", "90", "--workers", "1", "--quiet")
    one = ("--record", "full", "--memory-mb", "1000", "--csv", str(tmp_path / "one.csv"))
    assert main(capsys, "run", *flags, *one)[0] == 0
    assert sizes == [90]
    sizes.clear()
    assert main(capsys, "run", *flags, "--memory-mb", "0.2", "--csv", str(tmp_path / "passes.csv"))[0] == 0
    assert len(sizes) > 1 and max(sizes) <= Recording(None, 0.2).trials_per_pass(TrialConfig(steps=60))
    assert (tmp_path / "passes.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()


@pytest.fixture
def no_training(monkeypatch):
    import lab.compute.sweep

    def refuse(*args, **kwargs):
        raise AssertionError("trained")

    monkeypatch.setattr(lab.compute.sweep, "train_unit", refuse)


def test_run_asks_for_yes_past_the_size_sweep_does(capsys, no_training):
    code, out, err = main(capsys, "run", "--seeds", "100000", "--steps", "100000")
    assert (code, out) == (2, [])
    assert err == ("error: --yes: 100000 trials of 10000000000 trial-steps in all, more than 200000000: add --yes to "
                   "start it\n")


def test_run_shares_sweeps_size_check(capsys, monkeypatch, tmp_path):
    import lab.cli.sweep

    monkeypatch.setattr(lab.cli.sweep, "MAX_TRIAL_STEPS", 99)
    code, _, err = main(capsys, "run", "--seeds", "2", "--steps", "50")
    assert code == 2 and err.startswith("error: --yes: 2 trials of 100 trial-steps in all, more than 99")
    code, out, err = main(capsys, "run", "--seeds", "2", "--steps", "50", "--yes")
    assert code == 0 and err == "" and out[-3].startswith("solved ")


@pytest.mark.parametrize("argv, flag, fits", [
    (["--width", "256", "--depth", "16", "--seeds", "100000", "--steps", "100000", "--yes"], "--seeds", "at most "),
    (["--width", "256", "--depth", "16", "--steps", "100000", "--curves", "c.csv"], "--memory-mb", "every:K"),
    (["--seeds", "1000", "--steps", "2000", "--curves", "c.csv"], "--curves", "every:3"),
])
def test_run_refuses_what_cannot_fit_saying_what_would(capsys, tmp_path, monkeypatch, no_training, argv, flag, fits):
    monkeypatch.chdir(tmp_path)
    code, out, err = main(capsys, "run", *argv)
    assert (code, out) == (2, [])
    assert err.startswith(f"error: {flag}: ") and err.count("\n") == 1 and fits in err, err
    assert not (tmp_path / "c.csv").exists()
