"""`python -m lab papers`: the table printed and written as CSV, read back from the store on a second run, and bad
flags answered in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]


def lab(*argv, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "lab", *argv], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_papers_writes_the_table_and_reads_it_back(tmp_path):
    csv = tmp_path / "claims.csv"
    args = ("papers", "--only", "choi", "--seeds", "10", "--store", str(tmp_path / "store"), "--csv", str(csv))
    first = lab(*args)
    assert first.returncode == 0, first.stderr
    assert "choi: measured" in first.stderr
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert list(table.columns) == ["paper", "claim_id", "claim", "setting", "expected", "measured", "ci_lo", "ci_hi",
                                   "n", "verdict"]
    assert table["claim_id"].tolist() == ["choi.rmsprop_contains_momentum"]
    assert table["measured"][0] < 1e-9 and table["verdict"][0] == "holds" and table["n"][0] == 1
    assert "choi.rmsprop_contains_momentum" in first.stdout
    again = lab(*args)
    assert again.returncode == 0, again.stderr
    assert "choi: read back from the store" in again.stderr
    assert pd.read_csv(csv, encoding="utf-8-sig").equals(table)


def test_bad_flags_are_one_line(tmp_path):
    for argv, flag in ((["--only", "saxe,nope"], "--only"), (["--seeds", "x"], "--seeds"),
                       (["--csv", str(tmp_path / "no" / "such.csv")], "--csv")):
        done = lab("papers", *argv, "--store", str(tmp_path / "store"))
        assert done.returncode == 2 and done.stderr.startswith(f"error: {flag}: ") and done.stderr.count("\n") == 1
