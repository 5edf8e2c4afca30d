"""One trial as a standalone PyTorch script in the lecture's style: `python -m lab export-script`.

`script(config, seed)` writes the lecture's notebook program (PyTorchを使う: AND関数学習) filled in with a config: the
imports, `mbs`, `class Net(nn.Module)` with fc1, fc2, ... layers, `gen_minibatch()` labelling its random 0/1 rows in a
python loop, `torch.manual_seed(seed)`, the loss and the optimizer with their settings written out, the training loop
that prints `i = ... loss = ...` every 100 iterations, and finally the trained network's outputs on the truth table.
For `TrialConfig()` it is the lecture's program plus the seed line and the final table. It needs only PyTorch, and
prints the log the lab's engine computes for that seed: digit for digit for small networks and minibatches like the
lecture's, up to the last digits otherwise (`agreement`; tests/core/test_export.py runs the scripts).

The script is built from one template (`string.Template`) and a few helpers that each write one part of it.
"""

from __future__ import annotations

from string import Template

from lab.core.commands import lab_command
from lab.core.config import TrialConfig
from lab.core.optimizers import OPTIMIZERS
from lab.core.truth import TRUTH_TABLES, centre

ROWS = "[[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]"  # the truth table's inputs, in lab.core.tasks' order
CONDITIONS = {  # when gen_minibatch() labels row j true: the lecture writes AND as the first one
    "and": ("(inputs[j, 0] == 1.0) and (inputs[j, 1] == 1.0)", "AND / AND関数"),
    "or": ("(inputs[j, 0] == 1.0) or (inputs[j, 1] == 1.0)", "OR / OR関数"),
    "nand": ("not ((inputs[j, 0] == 1.0) and (inputs[j, 1] == 1.0))", "NAND / NAND関数"),
    "xor": ("inputs[j, 0] != inputs[j, 1]", "XOR / XOR関数 (linearly non-separable / 線形分離不可能)"),
}
ACTIVATIONS = {  # hidden activation: (call, comment on the first layer that uses it)
    "sigmoid": ("torch.sigmoid({})", "sigmoid activation / 活性化関数としてシグモイド関数を利用"),
    "tanh": ("torch.tanh({})", "tanh activation / 活性化関数としてtanh関数を利用"),
    "relu": ("torch.relu({})", "ReLU activation / 活性化関数としてReLU関数を利用"),
    "identity": ("{}", "no activation (identity) / 活性化関数なし(恒等関数)"),
}
LOSSES = {
    "mse": ("nn.MSELoss()", "squared-error loss / 損失関数の生成(二乗損失関数)"),
    "bce": ("nn.BCELoss()", "binary cross-entropy loss / 損失関数の生成(交差エントロピー損失)"),
}
TORCH_DEFAULTS = {  # torch.optim's own defaults: settings equal to these are left out of the optimizer line
    "momentum": 0.0,
    "betas": (0.9, 0.999),
    "weight_decay": {"adamw": 0.01},  # 0 for the others
}

TEMPLATE = Template('''\
# The lecture's AND-learning program (PyTorchを使う: AND関数学習), exported by the AND-learning optimizer lab.
#
# config: $config_json
# seed:   $seed
# run:    python this_file.py  (needs only PyTorch)
# It prints the loss every 100 iterations, as the lab computes it for this config and seed with
#     $lab_command
# ($agreement), and at the end the trained network's outputs on the truth table.

import torch  # tensors / テンソル計算など
import torch.nn as nn  # building networks / ネットワーク構築用
import torch.optim as optim  # optimizers / 最適化関数

mbs = $mbs  # minibatch size / ミニバッチサイズ
$data

class Net(nn.Module):  # a subclass of nn.Module / nn.Module を継承
    def __init__(self):  # the constructor / コンストラクタ
        super(Net, self).__init__()
$layers

    def forward(self, x):  # the forward computation / 推論計算をforwardに書く
$forward
        return x


$gen_minibatch


torch.manual_seed($seed)  # fixes the initial weights and the minibatches / 乱数の種(初期値とミニバッチを固定)
model = Net()  # the network / ネットワークインスタンス生成
${init}\
loss_func = $loss  # $loss_comment
optimizer = $optimizer  # the optimizer ($optimizer_name) / オプティマイザの生成(${optimizer_name}を利用)
for i in range($steps):
    inputs, result = gen_minibatch()  # a minibatch / ミニバッチの生成
    optimizer.zero_grad()  # clear the gradients / オプティマイザの勾配情報初期化
    outputs = model(inputs)  # the forward pass / 推論計算
    loss = loss_func(outputs, result)  # the loss / 損失値の計算
    loss.backward()  # backpropagation / 誤差逆伝播法(後ろ向き計算の実行)
    optimizer.step()  # update the parameters / 学習可能パラメータの更新
    if i % 100 == 0:
        print('i =', i, 'loss =', loss.item())  # the loss / 損失関数値の表示

# the trained network on the truth table / 学習後のネットワークの出力(真理値表)
table = torch.tensor($rows)$table_encoding
targets = $targets  # $task_name
with torch.no_grad():
    outputs = model(table)
for x, output, target in zip(table.tolist(), outputs.tolist(), targets):
    print('x =', x, 'output =', [round(v, 4) for v in output], 'target =', target)
$errors''')


def script(config: TrialConfig, seed: int = 0, exact: bool | None = None) -> str:
    """A complete, runnable PyTorch script: the lecture's program for this config and seed (`exact`: whether the
    engine follows the plain program bitwise here, when the caller knows; else probed: `follows_plain_program`)."""
    spec = OPTIMIZERS[config.optimizer]
    loss, loss_comment = LOSSES[config.loss_fn]
    return TEMPLATE.substitute(
        config_json=config.canonical_json(),
        seed=int(seed),
        agreement=agreement(config, exact),
        lab_command=lab_command(config, seed),
        mbs=config.batch_size,
        data=_data(config),
        layers="\n".join(_layers(config)),
        forward="\n".join(_forward(config)),
        gen_minibatch=_gen_minibatch(config),
        init=_init(config),
        loss=loss,
        loss_comment=loss_comment,
        optimizer=optimizer_call(config),
        optimizer_name=spec.label,
        steps=config.steps,
        rows=ROWS,
        table_encoding=" * 2 - 1  # inputs ±1 / 入力は±1" if config.encoding == "pm1" else "",
        targets=_targets(config),
        task_name=config.task.upper(),
        errors=_errors(config),
    )


# ---- the parts ---------------------------------------------------------------------------------------------------
def optimizer_call(config: TrialConfig) -> str:
    """`optim.Adam(model.parameters(), lr=0.1)`: the resolved settings, written literally (repr: exact floats); those
    equal to torch.optim's own defaults are left out, so the lecture's line stays the lecture's."""
    spec = OPTIMIZERS[config.optimizer]
    args = ["model.parameters()", f"lr={config.lr!r}"]
    if config.momentum is not None and (config.momentum != TORCH_DEFAULTS["momentum"] or spec.name != "rmsprop"):
        args.append(f"momentum={config.momentum!r}")  # momentum / nesterov: always shown, they are about it
    if config.optimizer == "nesterov":
        args.append("nesterov=True")
    if config.beta1 is not None and (config.beta1, config.beta2) != TORCH_DEFAULTS["betas"]:
        args.append(f"betas=({config.beta1!r}, {config.beta2!r})")
    if config.weight_decay != TORCH_DEFAULTS["weight_decay"].get(config.optimizer, 0.0):
        args.append(f"weight_decay={config.weight_decay!r}")
    if config.eps is not None:  # None: torch.optim's default
        args.append(f"eps={config.eps!r}")
    return f"optim.{spec.class_name}({', '.join(args)})"


def agreement(config: TrialConfig, exact: bool | None = None) -> str:
    """How closely the script's log matches the engine's on this machine (tests/core/test_export.py): digit for digit
    where the engine follows this machine's kernels (lab.core.exact.arithmetic); elsewhere, and for nn.BCELoss's
    reported loss, the last digits may differ."""
    if config.loss_fn == "bce":
        return "up to the last digits: nn.BCELoss rounds its logarithms its own way"
    if exact is None:
        from lab.core.exact.arithmetic import follows_plain_program

        exact = follows_plain_program(config)
    if not exact:
        return "up to float rounding in the last digits: wide layers or large minibatches sum in another order"
    return "digit for digit"


def _layers(config: TrialConfig) -> list[str]:
    sizes = config.layer_sizes
    if not config.bias:
        return [
            f"        self.fc{k} = nn.Linear({fan_in}, {fan_out}, bias=False)  # W_{k}, no bias / バイアスなし"
            for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1)
        ]
    return [
        f"        self.fc{k} = nn.Linear({fan_in}, {fan_out})  # W_{k}, b_{k}"
        for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1)
    ]


def _forward(config: TrialConfig) -> list[str]:
    n = config.depth + 1
    lines = []
    for k in range(1, n + 1):
        name = config.output if k == n else config.activation
        call, comment = ACTIVATIONS[name]
        line = f"        x = {call.format(f'self.fc{k}(x)')}"
        if k == 1:
            line += f"  # {comment}"
        elif k == n and config.output != "sigmoid":
            line += "  # the output: linear / 出力層は恒等関数(線形出力)"
        elif k == n and config.activation != "sigmoid":
            line += "  # the output: sigmoid / 出力層はシグモイド関数"
        lines.append(line)
    return lines


def _labels(config: TrialConfig, indent: str) -> list[str]:
    """Assignments of row j's label: the lecture's `result[j] = 1.0`, or its first example's [1, 0] / [0, 1]."""
    if config.encoding == "onehot":
        true = [f"{indent}result[j, 0] = 1.0", f"{indent}result[j, 1] = 0.0"]
        false = [f"{indent}result[j, 0] = 0.0", f"{indent}result[j, 1] = 1.0"]
    else:
        true, false = [f"{indent}result[j] = 1.0"], [f"{indent}result[j] = 0.0"]
    return true + [indent[4:] + "else:"] + false


def _gen_minibatch(config: TrialConfig) -> str:
    if config.finite:
        return _finite_minibatch(config)
    condition, comment = CONDITIONS[config.task]
    if config.full_batch:
        head = [
            "def gen_minibatch():  # the whole truth table every step / 毎回、真理値表の4行すべて",
            f"    inputs = torch.tensor({ROWS})",
        ]
    else:
        head = [
            "def gen_minibatch():",
            "    inputs = torch.bernoulli(0.5 * torch.ones(mbs, 2))  # random 0/1 / (0,1)ランダム乱数テンソル",
        ]
    return "\n".join(
        [
            *head,
            f"    result = torch.Tensor(mbs, {config.outputs})",
            "    for j in range(mbs):",
            f"        if {condition}:  # {comment}",
            *_labels(config, " " * 12),
            _returned(config),
        ]
    )


def _returned(config: TrialConfig) -> str:
    """gen_minibatch's return: the 0/1 rows and their labels, or with pm1 the rows as ±1 and the labels centred."""
    if config.encoding != "pm1":
        return "    return inputs, result"
    return (f"    return 2 * inputs - 1, result - {centre(config.task)!r}  # inputs ±1, the target centred "
            "/ 入力は±1、目標値は平均を引いたもの")


def _finite_minibatch(config: TrialConfig) -> str:
    if config.full_batch:
        return "\n".join(
            [
                "def gen_minibatch():  # the whole training set every step, in order / 毎回、訓練データすべて",
                "    return x_train, y_train",
            ]
        )
    return "\n".join(
        [
            "def minibatches():  # shuffled epochs, an incomplete last minibatch dropped / エポックごとにシャッフル",
            "    while True:",
            "        order = torch.randperm(len(x_train))",
            "        for b in range(len(x_train) // mbs):",
            "            rows = order[b * mbs:(b + 1) * mbs]",
            "            yield x_train[rows], y_train[rows]",
            "",
            "",
            "batches = minibatches()",
            "",
            "",
            "def gen_minibatch():",
            "    return next(batches)",
        ]
    )


def _data(config: TrialConfig) -> str:
    """Finite noisy data sets (lab.core.data), drawn from their own generator before the trial's seed is set."""
    if not config.finite:
        return ""
    truth = ", ".join(f"{float(v)!r}" for v in TRUTH_TABLES[config.task])
    encode = "torch.stack([value, 1.0 - value], dim=1)" if config.encoding == "onehot" else "value.unsqueeze(1)"
    lines = [
        "",
        "# finite noisy data / 有限個のノイズ付きデータ: each example a truth-table row plus Gaussian noise,",
        "# some labels flipped, drawn from the data's own generator: the same data sets for every seed",
        f"data_generator = torch.Generator().manual_seed({config.data_seed})",
        f"corners = torch.tensor({ROWS})",
        f"truth = torch.tensor([{truth}])  # {config.task.upper()} on those rows",
        "",
        "",
        "def make_set(n):",
        "    corner = torch.randint(0, 4, (n,), generator=data_generator)",
        f"    x = corners[corner] + {config.noise!r} * torch.randn(n, 2, generator=data_generator)",
        f"    flip = torch.rand(n, generator=data_generator) < {config.label_flip!r}",
        "    value = torch.where(flip, 1.0 - truth[corner], truth[corner])",
        f"    return x, {encode}",
        "",
        "",
        f"x_train, y_train = make_set({config.n_train})  # training data / 訓練データ",
        f"x_val, y_val = make_set({config.n_val})  # validation data / 検証データ",
        f"x_test, y_test = make_set({config.n_test})  # test data / テストデータ",
    ]
    if config.folds is not None:
        size = config.n_train // config.folds
        lines += [
            f"# {config.folds}-fold cross-validation: fold {config.fold} of the training set validates, the rest "
            "trains / 交差検証",
            f"held = torch.zeros({config.n_train}, dtype=torch.bool)",
            f"held[{config.fold * size}:{(config.fold + 1) * size}] = True",
            "x_val, y_val = x_train[held], y_train[held]",
            "x_train, y_train = x_train[~held], y_train[~held]",
        ]
    return "\n".join(lines) + "\n"


INIT_LINES = {  # the init's torch.nn.init call on one layer's weight, and its comment
    "xavier": ("nn.init.xavier_uniform_(fc.weight)", "Xavier (Glorot) init / Xavierの初期値"),
    "orthogonal": ("nn.init.orthogonal_(fc.weight, gain={gain!r})", "orthogonal init / 直交行列による初期値"),
    "gaussian": ("nn.init.normal_(fc.weight, 0.0, 1.0 / fc.in_features ** 0.5)",
                 "scaled Gaussian init, N(0, 1/fan_in) / 正規分布による初期値"),
}


def _init(config: TrialConfig) -> str:
    """The init's functions after `model = Net()`, layer by layer, and σ (`init_scale`) multiplying every parameter."""
    scale = config.init_scale
    layers = ", ".join(f"model.fc{k}" for k in range(1, config.depth + 2))
    lines = []
    if config.init in INIT_LINES:
        call, comment = INIT_LINES[config.init]
        lines += [f"for fc in ({layers}):  # {comment}",
                  "    " + call.format(gain=1.0 if scale is None else scale),
                  *(["    nn.init.zeros_(fc.bias)"] if config.bias else [])]
    if scale is not None and config.init != "orthogonal":
        lines += ["with torch.no_grad():  # the initial scale σ / 初期値の大きさ",
                  "    for p in model.parameters():",
                  f"        p.mul_({scale!r})"]
    return "".join(line + "\n" for line in lines)


def _targets(config: TrialConfig) -> str:
    values = TRUTH_TABLES[config.task]
    if config.encoding == "onehot":
        return "[" + ", ".join("[1, 0]" if v else "[0, 1]" for v in values) + "]"
    if config.encoding == "pm1":
        return "[" + ", ".join(repr(v - centre(config.task)) for v in values) + "]"
    return "[" + ", ".join(str(v) for v in values) + "]"


def _errors(config: TrialConfig) -> str:
    if not config.finite:
        return ""
    wrong = (
        "(out.argmax(1) != y.argmax(1))" if config.encoding == "onehot" else "((out[:, 0] > 0.5) != (y[:, 0] > 0.5))"
    )
    return (
        "\n".join(
            [
                "",
                "",
                "def error_rate(x, y):  # the fraction of examples answered wrongly / 誤り率",
                "    with torch.no_grad():",
                "        out = model(x)",
                f"    return {wrong}.float().mean().item()",
                "",
                "",
                "print('train error =', error_rate(x_train, y_train))  # training error / 訓練誤差",
                "print('val error =', error_rate(x_val, y_val))",
                "print('test error =', error_rate(x_test, y_test))  # test error / テスト誤差",
            ]
        )
        + "\n"
    )
