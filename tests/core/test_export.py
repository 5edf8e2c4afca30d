"""`python -m lab export-script`: the exported PyTorch scripts run on their own and print, character for character,
the log the engine computes; the lecture's config gives the lecture's notebook program.

The scripts run in subprocesses: the lecture's as `python -I script.py` in an empty folder (nothing of the lab
importable), the others all in one more subprocess that runs each file with `runpy.run_path` (one torch import for
all of them: a python start with torch costs seconds here). Per-step losses are compared as printed strings, except
under nn.BCELoss: its kernel rounds its logarithms its own way, so its reported loss may differ from the engine's in
the last float32 digit (lab/core/runs.py says so; onehot-bce does for seed 3) and those configs are compared within
1e-6.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from reference import LECTURE_SOURCE

from lab import cli
from lab.cli import flags
from lab.core import export
from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.core.exact.arithmetic import follows_plain_program
from lab.core.tasks import TRUTH_TABLES

ROOT = Path(__file__).resolve().parents[2]
C = TrialConfig
SEED = 3
CONFIGS = {
    "lecture": C(steps=300),
    "onehot": C(encoding="onehot", steps=300),
    "sgd": C(optimizer="sgd", steps=300),
    "rmsprop-momentum-wd": C(optimizer="rmsprop", momentum=0.5, weight_decay=1e-3, steps=300),
    "nesterov-nand": C(optimizer="nesterov", task="nand", steps=300),
    "adam-betas-long-lr": C(beta1=0.5, beta2=0.9, weight_decay=0.01, lr=0.123456789, steps=300),
    "adamw": C(optimizer="adamw", steps=300),
    "adagrad-or": C(optimizer="adagrad", task="or", steps=300),
    "adadelta": C(optimizer="adadelta", steps=300),
    "tanh": C(activation="tanh", steps=300),
    "relu-depth3": C(activation="relu", depth=3, steps=300),
    "identity-depth4-width3-mbs7": C(activation="identity", depth=4, width=3, batch_size=7, steps=300),
    "xavier": C(init="xavier", steps=300),
    "xavier-depth2-tanh": C(init="xavier", depth=2, activation="tanh", steps=300),
    "orthogonal-scaled": C(init="orthogonal", init_scale=0.5, depth=2, steps=300),
    "gaussian-scaled-identity": C(init="gaussian", init_scale=0.1, activation="identity", steps=300),
    "pytorch-scaled": C(init_scale=2.0, steps=300),
    "no-bias-xavier-depth2": C(bias=False, init="xavier", depth=2, steps=300),
    "rmsprop-eps": C(optimizer="rmsprop", momentum=0.5, eps=0.1, lr=0.1, steps=300),
    "adagrad-eps": C(optimizer="adagrad", eps=1e-3, steps=300),
    "pm1-linear-output": C(encoding="pm1", output="identity", steps=300),
    "saxe-orthogonal-full-batch": C(encoding="pm1", output="identity", activation="identity", bias=False,
                                    init="orthogonal", init_scale=0.01, depth=3, optimizer="sgd", lr=0.1,
                                    full_batch=True, steps=300),
    "saxe-gaussian-xor-stream": C(encoding="pm1", output="identity", activation="identity", bias=False, task="xor",
                                  init="gaussian", init_scale=0.1, depth=2, optimizer="sgd", lr=0.1, steps=300),
    "full-batch": C(full_batch=True, steps=300),
    "full-batch-xor-sgd": C(full_batch=True, task="xor", optimizer="sgd", steps=300),
    "bce": C(loss_fn="bce", steps=300),
    "onehot-bce-xor": C(loss_fn="bce", encoding="onehot", task="xor", steps=300),
    "xor": C(task="xor", steps=300),
    # finite noisy data (lab.core.data): shuffled epochs, full batch, cross-validation folds
    "finite": C(n_train=16, noise=0.4, batch_size=5, steps=300),
    "finite-full-batch-onehot": C(n_train=12, noise=0.2, full_batch=True, encoding="onehot", steps=300),
    "finite-folds-flips": C(task="or", n_train=20, noise=0.3, label_flip=0.1, folds=4, fold=1, batch_size=3,
                            steps=300),
}
LOG_LINE = re.compile(r"^i = (\d+) loss = (\S+)$")
TABLE_LINE = re.compile(r"^x = \[(\S+), (\S+)\] output = \[([^\]]*)\] target = (.+)$")

DRIVER = """\
import contextlib, io, runpy, sys
for path in sys.argv[1:]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(path, run_name="__main__")
    with open(path + ".out", "w", encoding="utf-8") as handle:
        handle.write(out.getvalue())
"""


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """What each config's exported script prints (seed 3), and the engine's runs of the same trials."""
    folder = tmp_path_factory.mktemp("scripts")
    paths = {}
    for name, config in CONFIGS.items():
        paths[name] = folder / f"{name}.py"
        paths[name].write_text(export.script(config, SEED), encoding="utf-8")
    alone = folder / "alone"
    alone.mkdir()
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONIOENCODING": "utf-8"}
    env.pop("PYTHONPATH", None)
    others = [name for name in CONFIGS if name != "lecture"]
    with ThreadPoolExecutor(2) as pool:  # the subprocesses run while this process trains the engine's trials
        standalone = pool.submit(subprocess.run, [sys.executable, "-I", str(paths["lecture"])], cwd=alone, env=env,
                                 capture_output=True, text=True, encoding="utf-8", timeout=120)
        driven = pool.submit(subprocess.run, [sys.executable, "-I", "-c", DRIVER, *(str(paths[n]) for n in others)],
                             cwd=alone, env=env, capture_output=True, text=True, timeout=300)
        runs = {name: train(config, [SEED]) for name, config in CONFIGS.items()}
        standalone, driven = standalone.result(), driven.result()
    assert standalone.returncode == 0, standalone.stderr[-2000:]
    assert driven.returncode == 0, driven.stderr[-2000:]
    outputs = {name: Path(str(paths[name]) + ".out").read_text(encoding="utf-8") for name in others}
    return {"lecture": standalone.stdout, **outputs}, runs


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CONFIGS))
def test_script_prints_the_engines_log(printed, name):
    outputs, all_runs = printed
    config, runs = CONFIGS[name], all_runs[name]
    lines = outputs[name].splitlines()
    log = [line for line in lines if line.startswith("i =")]
    expected = ["i = %d loss = %r" % (i, float(runs.loss[0][i])) for i in range(0, config.steps, 100)]  # noqa: UP031
    if config.loss_fn == "bce":  # nn.BCELoss's reported loss: within 1e-6 (last float32 digits), see the docstring
        assert [LOG_LINE.match(line).group(1) for line in log] == [str(i) for i in range(0, config.steps, 100)]
        got = [float(LOG_LINE.match(line).group(2)) for line in log]
        assert got == pytest.approx([float(runs.loss[0][i]) for i in range(0, config.steps, 100)], abs=1e-6, rel=0)
    else:
        assert log == expected
    # the trained network on the truth table: the engine's outputs, rounded to 4 places; the task's targets
    table = [TABLE_LINE.match(line) for line in lines if line.startswith("x =")]
    assert len(table) == 4 and all(table)
    for row, (match, value) in enumerate(zip(table, TRUTH_TABLES[config.task])):
        bits = (row // 2, row % 2)
        assert (float(match.group(1)), float(match.group(2))) == \
            (tuple(2 * b - 1 for b in bits) if config.encoding == "pm1" else bits)
        out = [float(v) for v in match.group(3).split(", ")]
        assert out == pytest.approx(list(runs.table_output[0][row]), abs=1e-4)
        target = json.loads(match.group(4))
        if config.encoding == "pm1":  # the target centred: minus its mean over the 4 rows
            value -= sum(TRUTH_TABLES[config.task]) / 4
        assert target == (([1, 0] if value else [0, 1]) if config.encoding == "onehot" else value)
    if config.finite:  # the final error rates on the three data sets: the engine's last evaluation
        for split in ("train", "val", "test"):
            (line,) = [line for line in lines if line.startswith(f"{split} error =")]
            assert float(line.split("=")[1]) == pytest.approx(float(runs.evaluations[f"{split}_error"][0, -1]),
                                                              abs=1e-6)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_header_names_the_config_and_the_lab_command(name):
    config = CONFIGS[name]
    text = export.script(config, SEED)
    compile(text, name, "exec")
    (json_line,) = [line for line in text.splitlines() if line.startswith("# config: ")]
    assert json_line == f"# config: {config.canonical_json()}"
    assert TrialConfig.from_dict(json.loads(json_line.removeprefix("# config: "))) == config
    if config.folds is not None:  # `run` has no flags for folds: the header says how to train it in Python
        assert f"#     lab.core.engine.train(lab.core.config.TrialConfig.from_dict(config), [{SEED}])" in text
        return
    (command,) = [line for line in text.splitlines() if line.startswith("#     python -m lab run")]
    args = cli.build_parser().parse_args(shlex.split(command.removeprefix("#     python -m lab "))[0:])
    assert flags.config_from_args(args) == config
    assert flags.seeds_from_args(args) == [SEED]


# ---- the lecture's program (tests/reference.py: LECTURE_SOURCE) ------------------------------------------------------
def code_lines(text: str) -> list[str]:
    """Lines of code: comments and blank lines dropped."""
    lines = [line.split("  # ")[0].rstrip() for line in text.splitlines()]
    return [line for line in lines if line and not line.lstrip().startswith("#")]


def test_default_script_is_the_lecture_notebook_plus_the_seed():
    text = export.script(TrialConfig(), 0)
    for key in ("class Net(nn.Module):", "self.fc1 = nn.Linear(2, 2)", "self.fc2 = nn.Linear(2, 1)", "torch.sigmoid",
                "optim.Adam(model.parameters(), lr=0.1)", "nn.MSELoss()", "def gen_minibatch():",
                "torch.bernoulli(0.5 * torch.ones(mbs, 2))", "mbs = 5", "print('i =', i, 'loss =', loss.item())"):
        assert key in text
    code = code_lines(text)
    lecture = code_lines(LECTURE_SOURCE)
    end = code.index("table = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])")
    training, final = code[:end], code[end:]
    assert [line for line in training if line not in lecture] == ["torch.manual_seed(0)"]
    assert [line for line in training if line != "torch.manual_seed(0)"] == lecture  # in the lecture's order
    assert training.index("torch.manual_seed(0)") == training.index("model = Net()") - 1
    assert final[-1].strip().startswith("print('x =', x")


def test_lecture_comments_are_kept():
    text = export.script(TrialConfig(), 0)
    for comment in ("ミニバッチサイズ", "nn.Module を継承", "活性化関数としてシグモイド関数を利用",
                    "損失関数の生成(二乗損失関数)", "オプティマイザの生成(Adamを利用)", "誤差逆伝播法",
                    "損失関数値の表示"):
        assert comment in text


@pytest.mark.parametrize(("config", "line"), [
    (C(), "optimizer = optim.Adam(model.parameters(), lr=0.1)"),
    (C(optimizer="sgd"), "optimizer = optim.SGD(model.parameters(), lr=1.0)"),
    (C(optimizer="momentum"), "optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)"),
    (C(optimizer="nesterov"), "optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.9, nesterov=True)"),
    (C(optimizer="rmsprop"), "optimizer = optim.RMSprop(model.parameters(), lr=0.01)"),
    (C(optimizer="rmsprop", momentum=0.5), "optimizer = optim.RMSprop(model.parameters(), lr=0.01, momentum=0.5)"),
    (C(optimizer="adamw"), "optimizer = optim.AdamW(model.parameters(), lr=0.1)"),
    (C(optimizer="adamw", weight_decay=0), "optimizer = optim.AdamW(model.parameters(), lr=0.1, weight_decay=0.0)"),
    (C(beta1=0.5, lr=1 / 3), "optimizer = optim.Adam(model.parameters(), lr=0.3333333333333333, betas=(0.5, 0.999))"),
])
def test_optimizer_line_writes_the_resolved_settings(config, line):
    assert line + "  # " in export.script(config, 0)


@pytest.mark.slow
def test_shapes_and_variants():
    deep = export.script(C(depth=3, width=4, activation="relu", encoding="onehot", init="xavier"), 0)
    for line in ("self.fc1 = nn.Linear(2, 4)", "self.fc3 = nn.Linear(4, 4)", "self.fc4 = nn.Linear(4, 2)",
                 "x = torch.relu(self.fc3(x))", "x = torch.sigmoid(self.fc4(x))", "result = torch.Tensor(mbs, 2)",
                 "result[j, 0] = 1.0", "result[j, 1] = 1.0", "nn.init.xavier_uniform_(fc.weight)",
                 "for fc in (model.fc1, model.fc2, model.fc3, model.fc4):"):
        assert line in deep
    assert "(digit for digit)" in export.script(C(), 0) and "(digit for digit)" in export.script(C(width=3), 0)
    assert "(up to float rounding" in export.script(C(width=8), 0)
    big_batch = C(batch_size=16)  # followed where the probes match this machine's kernels
    expected = "(digit for digit)" if follows_plain_program(big_batch) else "(up to float rounding"
    assert expected in export.script(big_batch, 0)
    assert "(up to the last digits: nn.BCELoss" in export.script(C(loss_fn="bce"), 0)
    identity = export.script(C(activation="identity"), 0)
    assert "        x = self.fc1(x)" in identity
    full = export.script(C(full_batch=True, loss_fn="bce"), 0)
    assert "mbs = 4" in full and "torch.bernoulli" not in full and "nn.BCELoss()" in full
    assert "inputs = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])" in full


# ---- the command ---------------------------------------------------------------------------------------------------
def test_command_prints_the_script(capsys):
    assert cli.main(["export-script", "--task", "xor", "--depth", "2", "--steps", "300", "--seed", "7"]) == 0
    out = capsys.readouterr()
    assert out.out == export.script(C(task="xor", depth=2, steps=300), 7) and out.err == ""
    assert cli.main(["export-script"]) == 0
    assert capsys.readouterr().out == export.script(C(), 0)
    assert cli.main(["export-script", "--preset", "overfit", "--steps", "100"]) == 0
    assert "x_train, y_train = make_set(20)" in capsys.readouterr().out


def test_command_writes_a_file(tmp_path, capsys):
    path = tmp_path / "and_adam.py"
    assert cli.main(["export-script", "--optimizer", "sgd", "--lr", "0.5", "--output", str(path)]) == 0
    assert capsys.readouterr().out == ""
    assert path.read_text(encoding="utf-8") == export.script(C(optimizer="sgd", lr=0.5), 0)


@pytest.mark.parametrize(("argv", "flag"), [
    (["--task", "xnor"], "--task"),
    (["--depth", "0"], "--depth"),
    (["--lr", "-1"], "--lr"),
    (["--seed", "-1"], "--seed"),
    (["--seed", "x"], "--seed"),
    (["--seed", "2147483648"], "--seed"),
    (["--output", "/no/such/folder/x.py"], "--output"),
    (["--preset", "nope"], "--preset"),
    (["--seeds", "3"], "unrecognized"),
    (["--bogus"], "unrecognized"),
])
def test_bad_input_is_one_line_and_exit_2(argv, flag, tmp_path, capsys):
    assert cli.main(["export-script", *argv]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.startswith("error: ") and flag in out.err and out.err.count("\n") == 1, out.err


@pytest.mark.slow
def test_command_in_a_subprocess_even_on_an_ascii_terminal():
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    done = subprocess.run([sys.executable, "-m", "lab", "export-script", "--seed", "5", "--encoding", "onehot"],
                          cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8") == export.script(C(encoding="onehot"), 5)
