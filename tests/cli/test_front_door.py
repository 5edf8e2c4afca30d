"""`python -m lab`'s front door: every command is listed by `--help`, and building the parser, printing a help or
answering a bad flag imports none of the heavy libraries (they come with the command that needs them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ("run", "export-script", "sweep", "store", "compare", "papers", "warm", "serve")
HEAVY = ("torch", "pandas", "pyarrow", "dask", "scipy", "streamlit")

# each argv's exit code and the heavy libraries loaded after it, in one fresh interpreter
PARSE_ONLY = """
import contextlib, io, json, sys
from lab.cli.parser import main
for argv in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        code = main(argv)
    loaded = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[2])))
    print(json.dumps({"argv": argv, "code": code, "stderr": err.getvalue(), "loaded": loaded}))
"""


def test_help_lists_every_command():
    done = subprocess.run([sys.executable, "-m", "lab", "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    listed = {line.split()[0] for line in done.stdout.splitlines() if line.startswith("    ") and line.split()}
    assert set(COMMANDS) <= listed, done.stdout


@pytest.mark.parametrize("argv", [["serve", "--help"], ["warm", "--help"]])
def test_warm_and_serve_are_ordinary_commands(argv):
    done = subprocess.run([sys.executable, "-m", "lab", *argv], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith(f"usage: python -m lab {argv[0]} ["), done.stdout


def test_help_and_bad_flags_import_nothing_heavy():
    cases = [(["--help"], 0), *[([c, "--help"], 0) for c in COMMANDS],
             (["run", "--lr", "-1"], 2), (["run", "--steps"], 2), (["sweep", "--depths", "0"], 2),
             (["compare", "--optimizers", "adam"], 2), (["run", "--bogus"], 2), (["nope"], 2),
             (["store", "ls", "KEY"], 2), (["warm", "--workers", "x"], 2), (["serve", "--port", "x"], 2),
             (["papers", "--only", "nope"], 2), (["papers", "--seeds", "5"], 2)]
    done = subprocess.run([sys.executable, "-c", PARSE_ONLY, json.dumps([a for a, _ in cases]), json.dumps(HEAVY)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["argv"] for a in answers] == [a for a, _ in cases]
    for answer, (argv, code) in zip(answers, cases):
        assert answer["code"] == code, answer
        assert answer["loaded"] == [], f"{' '.join(argv)} loaded {answer['loaded']}"
        if code == 2:  # one line, the flag first
            assert answer["stderr"].startswith("error: ") and answer["stderr"].count("\n") == 1, answer
    assert answers[len(COMMANDS) + 1]["stderr"] == "error: --lr: must be > 0 and <= 100 (got '-1')\n"
