"""`python -m lab compare` (the pairwise table, its CSV and the verdicts) and `python -m lab sweep --profiles`.

The numbers are checked against lab.science on runs trained here with the engine directly (not through the store or
the sweep's planner); a second compare reads everything from the store and trains nothing.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd
import pytest

import lab.compute.sweep
import lab.compute.workers
import lab.core.engine
from lab import cli
from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.science import pairwise, profiles, verdicts

FIRST = ["a", "b", "n_a", "n_b", "success_a", "success_b", "success_diff", "success_diff_lo", "success_diff_hi",
         "logrank_p", "logrank_p_holm", "median_steps_a", "median_steps_b"]

STEPS, SEEDS = 300, 12
# (optimizer, learning rate, the name the comparison table gives it): within 300 steps SGD and Adam solve every seed,
# RMSprop at 0.01 fewer than half (its median is not reached) and Adadelta none
ENTRIES = [("sgd", 1.0, "SGD (lr 1)"), ("adam", 0.05, "Adam (lr 0.05)"), ("rmsprop", 0.01, "RMSprop (lr 0.01)"),
           ("adadelta", 1.0, "Adadelta (lr 1)")]
ARGS = ["--optimizers", "sgd,adam:0.05,rmsprop,adadelta", "--steps", str(STEPS), "--seeds", str(SEEDS),
        "--workers", "1", "--quiet"]


def main(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """One compare into an empty store: (folder, stdout, the CSV as text)."""
    folder = tmp_path_factory.mktemp("compare")
    code, out, err = main("compare", *ARGS, "--store", str(folder / "store"), "--csv", str(folder / "pairs.csv"))
    assert code == 0, err
    return folder, out, (folder / "pairs.csv").read_bytes()


def read(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def expected():
    """The pairwise table computed here: each config trained by the engine alone, labelled by hand."""
    frames = []
    for name, lr, label in ENTRIES:
        runs = train(TrialConfig(optimizer=name, lr=lr, steps=STEPS), range(SEEDS))
        frames.append(runs.summary().dropna(axis=1, how="all").assign(label=label))  # unused settings: no column
    return pairwise.pairwise_table(pd.concat(frames, ignore_index=True))


# ---- the CSV -------------------------------------------------------------------------------------------------------
def test_csv_columns_exactly_as_documented_and_utf8_with_bom(first):
    _, _, data = first
    assert data.startswith(b"\xef\xbb\xbf" + ",".join(FIRST).encode() + b",")
    table = read(data)
    assert list(table.columns[:len(FIRST)]) == FIRST
    assert list(table.columns) == [*pairwise.COLUMNS, "verdict"]
    labels = [label for _, _, label in ENTRIES]
    assert list(zip(table["a"], table["b"])) == [(labels[i], labels[j]) for i in range(4) for j in range(i + 1, 4)]


def test_success_diff_is_a_minus_b_inside_its_interval(first):
    table = read(first[2])
    assert (table["success_a"] == table["solved_a"] / table["n_a"]).all()
    assert (table["success_b"] == table["solved_b"] / table["n_b"]).all()
    assert np.allclose(table["success_diff"], table["success_a"] - table["success_b"], rtol=0, atol=1e-15)
    assert (table["success_diff_lo"] <= table["success_diff"]).all()
    assert (table["success_diff"] <= table["success_diff_hi"]).all()
    assert table["success_diff_lo"].ge(-1).all() and table["success_diff_hi"].le(1).all()
    assert (table["n_a"] == SEEDS).all() and (table["n_b"] == SEEDS).all()


def test_values_equal_lab_science_on_runs_trained_by_the_engine(first, expected):
    table = read(first[2])
    assert list(table["a"]) == list(expected["a"]) and list(table["b"]) == list(expected["b"])
    for column in pairwise.COLUMNS:
        got, want = table[column], expected[column]
        if not pd.api.types.is_numeric_dtype(want):  # a, b and the notes ("" where the test is defined)
            assert list(got.fillna("")) == list(want.fillna("")), column
        else:
            assert np.allclose(got.to_numpy(float), want.to_numpy(float), rtol=1e-12, atol=0, equal_nan=True), column
    # the cases the configs were chosen for: a median never reached (empty), a pair that never solves on one side
    assert table["median_steps_b"].isna().any() and (table["success_b"] == 0).any()
    assert (table["logrank_p_holm"] >= table["logrank_p"]).all()


# ---- what is printed -----------------------------------------------------------------------------------------------
def test_prints_the_table_and_one_verdict_per_pair(first, expected):
    _, out, data = first
    lines = out.splitlines()
    assert lines[0].startswith(f"4 configs x {SEEDS} seeds = {4 * SEEDS} trials (store: ")
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["a", "b"])
    assert lines[header].split()[-3:] == ["logrank_p_holm", "median_steps_a", "median_steps_b"]
    assert "verdicts (alpha 0.05, Holm-adjusted over the 6 pairs):" in lines
    said = [verdicts.verdict(row) for row in expected.to_dict("records")]
    for row, text in zip(expected.itertuples(), said):
        assert f"{row.a} vs {row.b}: {text}" in lines
    assert list(read(data)["verdict"]) == said
    assert any("solves faster than" in text for text in said)  # the verdicts claim something here


def test_verdicts_in_japanese(first):
    folder = first[0]
    code, out, _ = main("compare", *ARGS, "--store", str(folder / "store"), "--lang", "ja")
    assert code == 0
    assert "判定（有意水準 0.05、6 組について Holm 補正）：" in out
    assert "SGD (lr 1) 対 Adam (lr 0.05)：" in out and "速く解けます" in out


def test_second_run_reads_from_the_store_and_trains_nothing(first, monkeypatch):
    folder, _, data = first

    def no_training(*args, **kwargs):
        raise AssertionError("trained although everything is stored")

    for module, name in ((lab.compute.sweep, "train_unit"), (lab.compute.workers, "train_unit"),
                         (lab.core.engine, "train_group"), (lab.core.engine, "train")):
        monkeypatch.setattr(module, name, no_training)
    again = folder / "again.csv"
    code, out, err = main("compare", *ARGS, "--store", str(folder / "store"), "--csv", str(again))
    assert code == 0, err
    assert out.splitlines()[0].endswith("all stored, nothing to train")
    assert again.read_bytes() == data


# ---- bad input -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("argv", "says"), [
    (["--optimizers", "adam"], "error: --optimizers: give at least 2 optimizers to compare"),
    ([], "error: --optimizers: give at least 2 optimizers"),
    (["--optimizers", "adam,foo"], "error: --optimizers: unknown optimizer 'foo'"),
    (["--optimizers", "adam,sgd:-1"], "error: --optimizers: the learning rate of 'sgd:-1' must be > 0 and <= 100"),
    (["--optimizers", "adam,sgd:1e3"], "error: --optimizers: the learning rate of 'sgd:1e3' must be > 0"),
    (["--optimizers", "adam:fast,sgd"], "error: --optimizers: the learning rate of 'adam:fast' must be a number"),
    (["--optimizers", "adam:,sgd"], "error: --optimizers: the learning rate of 'adam:' must be a number"),
    (["--optimizers", "adam,,sgd"], "error: --optimizers: a comma list of optimizers, none empty"),
    (["--optimizers", "adam,adam:0.1"], "error: --optimizers: 'adam' and 'adam:0.1' are the same config"),
    (["--optimizers", "adam,sgd", "--optimizer", "sgd"], "error: --optimizer: compare takes --optimizers"),
    (["--optimizers", "adam,sgd", "--lr", "0"], "error: --lr: must be > 0"),
    (["--optimizers", "adam,sgd", "--lang", "fr"], "error: --lang: must be one of 'en', 'ja' (got 'fr')"),
    (["--optimizers", "adam,sgd", "--seeds", "0"], "error: --seeds: "),
    (["--optimizers", "adam,sgd", "--depth", "x"], "error: --depth: "),
    (["--optimizers", "adam,sgd", "--csv", "/no/such/folder/x.csv"], "error: --csv: folder "),
    (["--optimizers", "adam,sgd", "--workers", "0"], "error: --workers: "),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, argv, says):
    code, out, err = main("compare", *argv, "--store", str(tmp_path / "store"))
    assert code == 2 and out == ""
    assert err.startswith(says) and err.endswith("\n") and err.count("\n") == 1, err
    assert not (tmp_path / "store").exists()  # refused before the store was opened


# ---- sweep --profiles ----------------------------------------------------------------------------------------------
PROFILE_GRID = {("sgd", 1): 1.0, ("adam", 1): 0.1, ("sgd", 2): 1.0, ("adam", 2): 0.1}


def test_sweep_writes_the_performance_profiles(tmp_path):
    path = tmp_path / "profiles.csv"
    code, out, err = main("sweep", "--optimizers", "sgd,adam", "--depths", "1-2", "--steps", str(STEPS), "--seeds",
                          str(SEEDS), "--workers", "1", "--quiet", "--store", str(tmp_path / "store"),
                          "--profiles", str(path))
    assert code == 0, err
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfoptimizer,tau,fraction\r\n") or data.startswith(
        b"\xef\xbb\xbfoptimizer,tau,fraction\n")
    table = read(data)
    assert list(table.columns) == ["optimizer", "tau", "fraction"]
    assert set(table["optimizer"]) == {"SGD (lr 1)", "Adam (lr 0.1)"}
    for _, rows in table.groupby("optimizer"):
        tau, fraction = rows["tau"].to_numpy(), rows["fraction"].to_numpy()
        assert tau[0] == 1 and (np.diff(tau) > 0).all()
        assert (np.diff(fraction) >= 0).all() and ((0 <= fraction) & (fraction <= 1)).all()
    fastest = table.loc[table["tau"] == 1, "fraction"]
    assert len(fastest) == 2 and fastest.sum() >= 1 - 1e-12  # each problem has a fastest optimizer (ties count twice)

    frames = [train(TrialConfig(optimizer=name, depth=depth, lr=lr, steps=STEPS), range(SEEDS)).summary()
              .dropna(axis=1, how="all") for (name, depth), lr in PROFILE_GRID.items()]
    want = profiles.performance_profile(pd.concat(frames, ignore_index=True))
    order = ["optimizer", "tau"]
    got, want = table.sort_values(order, ignore_index=True), want.sort_values(order, ignore_index=True)
    assert list(got["optimizer"]) == list(want["optimizer"])
    assert np.allclose(got[["tau", "fraction"]], want[["tau", "fraction"]].astype(float), rtol=1e-12, atol=0)


@pytest.mark.parametrize(("argv", "says"), [
    (["--optimizers", "momentum", "--momentums", "0.5,0.9", "--profiles", "{tmp}/p.csv"],
     "error: --profiles: two optimizer settings share the name 'Momentum (lr 0.5)'"),
    (["--optimizers", "sgd,adam", "--profiles", "/no/such/folder/p.csv"], "error: --profiles: folder "),
])
def test_sweep_profiles_bad_input_is_one_line(tmp_path, argv, says):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = main("sweep", *argv, "--steps", "10", "--store", str(tmp_path / "store"), "--workers", "1")
    assert code == 2 and out == ""
    assert err.startswith(says) and err.count("\n") == 1, err
    assert not (tmp_path / "store").exists()
