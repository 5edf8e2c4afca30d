"""The lecture's AND-learning program, as the lecture writes it (one trial), for benchmarks to time against."""

import torch
import torch.nn as nn
import torch.optim as optim

mbs = 5  # ミニバッチサイズ


class Net(nn.Module):
    def __init__(self):
        super().__init__()
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


def lecture_trial(seed: int, steps: int = 1000) -> list[float]:
    """One trial: the lecture's training loop after torch.manual_seed(seed); returns every step's loss."""
    torch.manual_seed(seed)
    model = Net()
    loss_func = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=0.1)
    losses = []
    for _ in range(steps):
        inputs, result = gen_minibatch()
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = loss_func(outputs, result)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


HIDDEN = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "identity": nn.Identity}


def plain_trial(config, seed: int) -> list[float]:
    """The lecture's loop for another config (depth, activation, optimizer, ...): one nn.Sequential, one trial.
    For timing only; the correctness reference is tests/reference.py."""
    from lab.core.optimizers import OPTIMIZERS
    from lab.core.tasks import targets

    torch.manual_seed(seed)
    sizes = config.layer_sizes
    layers = []
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers += [nn.Linear(fan_in, fan_out), nn.Sigmoid() if k == len(sizes) - 2 else HIDDEN[config.activation]()]
    model = nn.Sequential(*layers)
    loss_func = nn.BCELoss() if config.loss_fn == "bce" else nn.MSELoss()
    optimizer = OPTIMIZERS[config.optimizer].build(model.parameters(), **config.optimizer_kwargs())
    losses = []
    for _ in range(config.steps):
        inputs = torch.bernoulli(0.5 * torch.ones(config.batch_size, 2))
        result = targets(config.task, config.encoding, inputs)
        optimizer.zero_grad()
        loss = loss_func(model(inputs), result)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
