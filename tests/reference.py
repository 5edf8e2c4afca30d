"""Independent plain-PyTorch references for the engine tests.

Nothing here imports lab's engine, models, tasks or optimizers: every trial is the ordinary one-network program,
written the way a student would write it, so the tests compare the stacked engine against PyTorch itself.

* `LECTURE_SOURCE` is the lecture notebook's code, verbatim: class Net, gen_minibatch with a python loop, MSELoss,
  Adam(lr=0.1), `print('i =', i, 'loss =', loss.item())` every 100 steps. `lecture_program(seed, steps)` runs that text.
* `plain_run(config, seed)` is the same program generalised to every TrialConfig setting.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math

import torch
from torch import nn, optim

TABLE_ROWS = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
FUNCTIONS = {
    "and": lambda a, b: a and b,
    "or": lambda a, b: a or b,
    "nand": lambda a, b: not (a and b),
    "xor": lambda a, b: a != b,
}


# ---- the lecture's program -----------------------------------------------------------------------------------------
LECTURE_SOURCE = """\
import torch
import torch.nn as nn
import torch.optim as optim
mbs = 5
class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(2, 2)
        self.fc2 = nn.Linear(2, 1)
    def forward(self, x):
        x = torch.sigmoid(self.fc1(x))
        x = torch.sigmoid(self.fc2(x))
        return x
def gen_minibatch():
    inputs = torch.bernoulli(0.5 * torch.ones(mbs, 2))
    result = torch.Tensor(mbs, 1)
    for j in range(mbs):
        if (inputs[j, 0] == 1.0) and (inputs[j, 1] == 1.0):
            result[j] = 1.0
        else:
            result[j] = 0.0
    return inputs, result
model = Net()
loss_func = nn.MSELoss()
optimizer = optim.Adam(model.parameters(), lr=0.1)
for i in range(1000):
    inputs, result = gen_minibatch()
    optimizer.zero_grad()
    outputs = model(inputs)
    loss = loss_func(outputs, result)
    loss.backward()
    optimizer.step()
    if i % 100 == 0:
        print('i =', i, 'loss =', loss.item())
"""  # the lecture notebook's code cells (comments dropped; its `model= Net()` spaced as PEP 8 spaces it)


@contextlib.contextmanager
def single_threaded():
    """Run with one intra-op thread: only for speed (PyTorch's thread pool costs more than it saves on these tiny
    tensors); the numbers are the same with any thread count for these sizes."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the lecture's code has no single {old!r}"
    return text.replace(old, new)


@functools.cache
def lecture_code(steps: int):
    """LECTURE_SOURCE, compiled with three changes and nothing else: the loop runs `steps` iterations instead of 1000,
    `torch.manual_seed(seed)` comes right before `model = Net()` (where the exported script puts it), and every step's
    loss.item() is also appended to `losses` (`seed` and `losses` are given as globals)."""
    text = _replace_once(LECTURE_SOURCE, "for i in range(1000):", f"for i in range({steps}):")
    text = _replace_once(text, "\nmodel = Net()\n", "\ntorch.manual_seed(seed)\nmodel = Net()\n")
    text = _replace_once(text, "    optimizer.step()\n", "    optimizer.step()\n    losses.append(loss.item())\n")
    return compile(text, "<the lecture's program>", "exec")


def lecture_program(seed: int, steps: int = 1000):
    """Run the lecture's code (LECTURE_SOURCE) after torch.manual_seed(seed), for `steps` iterations. Returns (the lines
    it prints, every step's loss.item())."""
    losses: list[float] = []
    buffer = io.StringIO()
    with single_threaded(), contextlib.redirect_stdout(buffer):
        exec(lecture_code(steps), {"__name__": "__lecture__", "seed": seed, "losses": losses})
    return buffer.getvalue().splitlines(), losses


# ---- the same program for any config ------------------------------------------------------------------------------
HIDDEN = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "identity": nn.Identity}


def build_model(config) -> nn.Sequential:
    """(2, width × depth, outputs) nn.Linear layers, the hidden activation between them, a sigmoid at the end (or
    nothing: a linear output)."""
    sizes = [2] + [config.width] * config.depth + [2 if config.encoding == "onehot" else 1]
    modules = []
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        modules.append(nn.Linear(fan_in, fan_out, bias=getattr(config, "bias", True)))
        last = k == len(sizes) - 2
        output = nn.Sigmoid() if getattr(config, "output", "sigmoid") == "sigmoid" else nn.Identity()
        modules.append(output if last else HIDDEN[config.activation]())
    model = nn.Sequential(*modules)
    scale = getattr(config, "init_scale", None)
    for module in model:  # the init's own function, layer by layer, after the model is built
        if not isinstance(module, nn.Linear):
            continue
        if config.init == "xavier":
            nn.init.xavier_uniform_(module.weight)
        elif config.init == "orthogonal":
            nn.init.orthogonal_(module.weight, gain=1.0 if scale is None else scale)
        elif config.init == "gaussian":
            nn.init.normal_(module.weight, 0.0, 1.0 / math.sqrt(module.in_features))
        if config.init != "pytorch" and module.bias is not None:
            nn.init.zeros_(module.bias)
    if scale is not None and config.init != "orthogonal":  # σ multiplies every initial weight and bias
        with torch.no_grad():
            for p in model.parameters():
                p.mul_(scale)
    return model


def build_optimizer(config, params):
    """torch.optim straight from the table in lab/core/optimizers.py's docstring (hyper-parameters as resolved; ε
    passed where the config sets it)."""
    eps = getattr(config, "eps", None)
    if eps is not None:
        return _with_eps(config, params, eps)
    name, lr, wd = config.optimizer, config.lr, config.weight_decay
    if name == "sgd":
        return optim.SGD(params, lr=lr, weight_decay=wd)
    if name == "momentum":
        return optim.SGD(params, lr=lr, momentum=config.momentum, weight_decay=wd)
    if name == "nesterov":
        return optim.SGD(params, lr=lr, momentum=config.momentum, nesterov=True, weight_decay=wd)
    if name == "adagrad":
        return optim.Adagrad(params, lr=lr, weight_decay=wd)
    if name == "adadelta":
        return optim.Adadelta(params, lr=lr, weight_decay=wd)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, momentum=config.momentum, weight_decay=wd)
    if name == "adam":
        return optim.Adam(params, lr=lr, betas=(config.beta1, config.beta2), weight_decay=wd)
    if name == "adamw":
        return optim.AdamW(params, lr=lr, betas=(config.beta1, config.beta2), weight_decay=wd)
    raise ValueError(name)


def _with_eps(config, params, eps):
    name, lr, wd = config.optimizer, config.lr, config.weight_decay
    if name == "adagrad":
        return optim.Adagrad(params, lr=lr, weight_decay=wd, eps=eps)
    if name == "adadelta":
        return optim.Adadelta(params, lr=lr, weight_decay=wd, eps=eps)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, momentum=config.momentum, weight_decay=wd, eps=eps)
    if name == "adam":
        return optim.Adam(params, lr=lr, betas=(config.beta1, config.beta2), weight_decay=wd, eps=eps)
    if name == "adamw":
        return optim.AdamW(params, lr=lr, betas=(config.beta1, config.beta2), weight_decay=wd, eps=eps)
    raise ValueError(f"{name} has no eps")


def label(task, encoding, a, b):
    value = float(bool(FUNCTIONS[task](bool(a), bool(b))))
    if encoding == "pm1":  # the target centred: minus its mean over the 4 rows
        mean = sum(float(bool(FUNCTIONS[task](bool(x), bool(y)))) for x, y in TABLE_ROWS) / 4
        return [value - mean]
    return [value] if encoding == "scalar" else [value, 1.0 - value]


def net_inputs(config, inputs):
    """What the net is fed: the 0/1 rows, or with the pm1 encoding 2x - 1 (±1)."""
    return inputs * 2 - 1 if config.encoding == "pm1" else inputs


def make_targets(config, inputs):
    return torch.tensor([label(config.task, config.encoding, int(a), int(b)) for a, b in inputs.tolist()])


def table_targets(config):
    return torch.tensor([label(config.task, config.encoding, a, b) for a, b in TABLE_ROWS])


def table_wrong(config, outputs: torch.Tensor) -> float:
    """Fraction of the 4 rows answered wrongly: threshold 0.5 (scalar), argmax (onehot)."""
    y = table_targets(config)
    if config.encoding == "pm1":  # halfway between the two centred targets
        t = (y.max() + y.min()).item() / 2
        wrong = (outputs[:, 0] > t) != (y[:, 0] > t)
    elif config.encoding == "scalar":
        wrong = (outputs[:, 0] > 0.5) != (y[:, 0] > 0.5)
    else:
        wrong = outputs.argmax(1) != y.argmax(1)
    return wrong.float().mean().item()


def plain_run(config, seed: int, steps: int | None = None, trace: bool = True) -> dict:
    """Train one plain nn.Sequential after torch.manual_seed(seed), with `config.steps` (or `steps`) iterations.

    Returns
      losses:        per-step minibatch loss.item(), before each update (what the lecture prints)
      table_outputs: (steps + 1, 4, outputs) the outputs on the 4 truth-table rows before each update and after the last
      grad_norms:    (steps, layers) each Linear layer's gradient norm, sqrt(|dW|^2 + |db|^2), at each step
      params:        the trained parameters flattened in model order (W1 row-major, b1, W2, b2, ...)
    trace=False leaves out table_outputs and grad_norms (None): the loop then computes only what the lecture's loop
    does, for timing it (bench/bench_sweep.py); the losses and parameters are the same."""
    steps = config.steps if steps is None else steps
    with single_threaded():
        torch.manual_seed(seed)
        model = build_model(config)
        criterion = nn.BCELoss() if config.loss_fn == "bce" else nn.MSELoss()
        optimizer = build_optimizer(config, model.parameters())
        linears = [m for m in model if isinstance(m, nn.Linear)]
        table = torch.tensor(TABLE_ROWS)
        losses, table_outputs, grad_norms = [], [], []
        for _ in range(steps):
            if trace:
                with torch.no_grad():
                    table_outputs.append(model(net_inputs(config, table)))
            if config.full_batch:
                inputs = table.clone()
            else:
                inputs = torch.bernoulli(0.5 * torch.ones(config.batch_size, 2))
            labels = make_targets(config, inputs)
            optimizer.zero_grad()
            loss = criterion(model(net_inputs(config, inputs)), labels)
            loss.backward()
            if trace:
                grad_norms.append([(m.weight.grad.square().sum()
                                    + (0.0 if m.bias is None else m.bias.grad.square().sum())).sqrt().item()
                                   for m in linears])
            optimizer.step()
            losses.append(loss.item())
        if trace:
            with torch.no_grad():
                table_outputs.append(model(net_inputs(config, table)))
    params = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    return {
        "losses": losses,
        "table_outputs": torch.stack(table_outputs) if trace else None,
        "grad_norms": torch.tensor(grad_norms) if trace else None,
        "params": params,
    }


# ---- finite noisy data: the same program with a DataLoader-style loop ----------------------------------------------
def plain_data_sets(config):
    """Training, validation and test sets drawn from torch.Generator(data_seed): corner, noise, flips, per set."""
    generator = torch.Generator().manual_seed(config.data_seed)
    corners = torch.tensor(TABLE_ROWS)
    sets = {}
    for name, n in (("train", config.n_train), ("val", config.n_val), ("test", config.n_test)):
        corner = torch.randint(0, 4, (n,), generator=generator)
        x = corners[corner] + config.noise * torch.randn(n, 2, generator=generator)
        value = torch.tensor([float(bool(FUNCTIONS[config.task](bool(a), bool(b))))
                              for a, b in corners[corner].tolist()])
        flip = torch.rand(n, generator=generator) < config.label_flip
        value = torch.where(flip, 1.0 - value, value)
        y = value.unsqueeze(1) if config.encoding == "scalar" else torch.stack([value, 1.0 - value], 1)
        sets[name] = (x, y)
    return sets


def plain_finite_run(config, seed: int) -> dict:
    """A plain training loop over a fixed training set: after torch.manual_seed(seed), each epoch shuffles with
    torch.randperm and takes full minibatches (the incomplete last one dropped); full batch takes every row in order.
    Returns per-step losses and the final error rate on each set."""
    sets = plain_data_sets(config)
    x_train, y_train = sets["train"]
    with single_threaded():
        torch.manual_seed(seed)
        model = build_model(config)
        criterion = nn.BCELoss() if config.loss_fn == "bce" else nn.MSELoss()
        optimizer = build_optimizer(config, model.parameters())
        losses = []
        while len(losses) < config.steps:
            # full batch: every row, in order, every step (no shuffling, nothing drawn)
            order = torch.arange(config.n_train) if config.full_batch else torch.randperm(config.n_train)
            for b in range(config.n_train // config.batch_size):
                rows = order[b * config.batch_size:(b + 1) * config.batch_size]
                optimizer.zero_grad()
                loss = criterion(model(x_train[rows]), y_train[rows])
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
                if len(losses) == config.steps:
                    break
        errors = {}
        with torch.no_grad():
            for name, (x, y) in sets.items():
                out = model(x)
                wrong = (out[:, 0] > 0.5) != (y[:, 0] > 0.5) if config.encoding == "scalar" else \
                    out.argmax(1) != y.argmax(1)
                errors[name] = wrong.float().mean().item()
    return {"losses": losses, "errors": errors}
