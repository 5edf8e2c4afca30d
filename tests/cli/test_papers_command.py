"""`python -m lab papers`: the table printed and written as CSV (UTF-8 with BOM, its fixed columns), read back
from the store on a second run, and bad flags answered in one line. The measurements themselves are tested in
tests/science/test_papers.py; here one paper's is replaced by a quick one that counts its calls."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from lab.cli.parser import main
from lab.compute import papers as measuring
from lab.core.config import TrialConfig

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def quick(monkeypatch):
    calls = []

    def measure(n_seeds, store, workers):
        calls.append(n_seeds)
        rows = [measuring.row("fukumizu.singular_stalls", 0.75, 0.5, 0.9, 8, "8 stalls")]
        return rows, {"stalls": pd.DataFrame({"seed": [1, 2], "singular": [True, False]})}

    monkeypatch.setitem(measuring.MEASURES, "fukumizu", measure)
    monkeypatch.setattr(measuring, "ANCHOR", TrialConfig(steps=5))  # the entry the rows are kept with: quick
    return calls


def test_papers_writes_the_table_and_reads_it_back(tmp_path, quick, capsys):
    csv = tmp_path / "claims.csv"
    args = ["papers", "--only", "fukumizu", "--seeds", "12", "--store", str(tmp_path / "store"), "--csv", str(csv),
            "--workers", "1"]
    assert main(args) == 0
    first = capsys.readouterr()
    assert "fukumizu: measured" in first.err and "fukumizu.singular_stalls" in first.out and "8 stalls" in first.out
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert list(table.columns) == ["paper", "claim_id", "claim", "setting", "expected", "measured", "ci_lo", "ci_hi",
                                   "n", "verdict"]
    assert table.to_dict("records")[0] | {"claim": "", "setting": ""} == {
        "paper": "fukumizu", "claim_id": "fukumizu.singular_stalls", "claim": "", "setting": "",
        "expected": "most stalls (≥ 0.5)", "measured": 0.75, "ci_lo": 0.5, "ci_hi": 0.9, "n": 8, "verdict": "holds"}
    assert main(args) == 0
    assert "fukumizu: read back from the store" in capsys.readouterr().err
    assert quick == [12]  # measured once
    assert pd.read_csv(csv, encoding="utf-8-sig").equals(table)
    assert main([*args[:3], "--seeds", "10", *args[5:]]) == 0  # other seeds: measured again
    assert quick == [12, 10]


def test_bad_flags_are_one_line(tmp_path):
    for argv, flag in ((["--only", "saxe,nope"], "--only"), (["--seeds", "x"], "--seeds"),
                       (["--csv", str(tmp_path / "no" / "such.csv")], "--csv"),
                       (["--only", "saxe", "--publish", str(tmp_path / "out")], "--publish")):
        done = subprocess.run([sys.executable, "-m", "lab", "papers", *argv, "--store", str(tmp_path / "store")],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and done.stderr.startswith(f"error: {flag}: ") and done.stderr.count("\n") == 1


def test_publish_writes_what_the_page_ships(tmp_path, quick, monkeypatch, capsys):
    import torch

    from lab.cli import papers as command
    from lab.science.papers import published

    monkeypatch.setattr(command, "PAPERS", {"fukumizu": ""})  # the whole table: here one quick paper
    out = tmp_path / "measured"
    assert main(["papers", "--seeds", "10", "--store", str(tmp_path / "store"), "--publish", str(out),
                 "--workers", "1"]) == 0
    assert f"to {out}" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["about.json", "claims.csv", "fukumizu.stalls.csv"]
    back = published.read(out)["fukumizu"]
    assert back["claims"]["note"].tolist() == ["8 stalls"] and back["stalls"]["singular"].tolist() == [True, False]
    about = published.about(out)
    assert about["torch"] == torch.__version__ and about["seeds"] == 10
    assert about["claims_digest"] == published.claims_digest() and about["machine"] and about["commit"]
