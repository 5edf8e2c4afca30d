"""`python -m lab run`'s flags for the config fields added for the papers' settings: each names its field, bad values
are one line naming the flag with exit code 2, and a run's log is the engine's for that config."""

from __future__ import annotations

import pytest

from lab import cli
from lab.cli import flags
from lab.core.commands import run_flags
from lab.core.config import TrialConfig
from lab.core.engine import train

SAXE = TrialConfig(encoding="pm1", output="identity", activation="identity", bias=False, init="orthogonal",
                   init_scale=0.01, depth=3, optimizer="sgd", lr=0.1, full_batch=True, steps=200)
ARGV = ["--encoding", "pm1", "--output-activation", "identity", "--activation", "identity", "--no-bias",
        "--init", "orthogonal", "--init-scale", "0.01", "--depth", "3", "--optimizer", "sgd", "--lr", "0.1",
        "--full-batch", "--steps", "200"]


def parse(argv):
    parser = flags.Parser(prog="lab run")
    flags.add_config_flags(parser)
    return flags.config_from_args(parser.parse_args(argv))


def test_the_flags_name_the_fields():
    assert parse(ARGV) == SAXE
    assert parse(["--optimizer", "rmsprop", "--eps", "1e4"]) == TrialConfig(optimizer="rmsprop", eps=1e4)
    assert parse([]) == TrialConfig()


@pytest.mark.parametrize("config", [SAXE, TrialConfig(optimizer="adagrad", eps=0.01, init="gaussian", init_scale=2.0)])
def test_run_flags_name_the_config_back(config):
    """The `python -m lab run` flags an exported script's header gives name the same config."""
    assert parse(run_flags(config, 0)[:-2]) == config


def test_run_prints_the_engines_log(capsys):
    capsys.readouterr()
    assert cli.main(["run", *ARGV, "--seed-list", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    runs = train(SAXE, [2])
    assert out[:2] == [f"i = {i} loss = {float(runs.loss[0][i])!r}" for i in (0, 100)]


BAD = [
    (["--init-scale", "0"], "--init-scale"),
    (["--init-scale", "1000"], "--init-scale"),
    (["--init", "he"], "--init"),
    (["--eps", "0"], "--eps"),
    (["--eps", "1e7"], "--eps"),
    (["--optimizer", "sgd", "--eps", "0.1"], "--eps"),
    (["--encoding", "pm1", "--loss", "bce"], "--loss"),
    (["--output-activation", "softmax"], "--output-activation"),
    (["--output-activation", "identity", "--loss", "bce"], "--loss"),
    (["--encoding", "pm1", "--n-train", "20"], "--encoding"),
]


@pytest.mark.parametrize("argv, flag", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, flag):
    capsys.readouterr()
    code = cli.main(["run", "--steps", "10", *argv])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    err = captured.err
    assert err.count("\n") == 1 and err.startswith(f"error: {flag}: ") and "Traceback" not in err
