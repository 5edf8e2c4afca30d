"""What the engine records besides the curves, when asked: evaluations on finite data sets (`Evaluator`) and each
hidden layer's mean activation and saturation on the truth table (`Tracer`)."""

from __future__ import annotations

import torch

from lab.core import data, models, tasks
from lab.core.runs import elementwise_loss, wrong_answers


class Evaluator:
    """Loss and error rate on the training, validation and test sets at the steps data.eval_steps names."""

    def __init__(self, net, config, trials, dev):
        self.net, self.kind = net, config.loss_fn
        sets = data.make_sets(config)
        self.inputs = {name: s.x.to(dev).unsqueeze(-1).expand(-1, 2, trials) for name, s in sets.items()}
        self.targets = {name: tasks.encode(s.value, config.encoding).to(dev).unsqueeze(-1).expand(-1, -1, trials)
                        for name, s in sets.items()}
        self.steps = data.eval_steps(config)
        self.values = {f"{name}_{what}": torch.empty(len(self.steps), trials, device=dev)
                       for name in sets for what in ("loss", "error")}
        self.next = 0

    def maybe_record(self, step):
        if self.next < len(self.steps) and self.steps[self.next] == step:
            for name, x in self.inputs.items():
                o, y = self.net.forward(x)[-1], self.targets[name]
                torch.mean(elementwise_loss(self.kind, o, y), dim=(0, 1), out=self.values[f"{name}_loss"][self.next])
                torch.mean(wrong_answers(o, y, axis=1), dim=0, out=self.values[f"{name}_error"][self.next])
            self.next += 1

    def arrays(self, cols) -> dict:
        return {"steps": list(self.steps), **{k: v[:, cols].T.cpu().numpy() for k, v in self.values.items()}}


class Tracer:
    """Per step and hidden layer, on the truth table: the mean activation, and the fraction of units whose
    activation's slope is under a tenth of its largest (sigmoid: h(1-h) < 0.025; tanh: 1-h^2 < 0.1; ReLU: off)."""

    SATURATED = 0.1

    def __init__(self, net, steps, trials, dev):
        self.net = net
        hidden = len(net.layers) - 1
        self.mean = torch.empty(steps, hidden, trials, device=dev)
        self.saturated = torch.empty(steps, hidden, trials, device=dev)
        self.peak = torch.empty(trials, device=dev)  # the activation's largest slope, per trial
        for cols, name in net.segments:
            self.peak[cols] = 0.25 if name == "sigmoid" else 1.0

    def record(self, i, acts):
        for l, h in enumerate(acts[1:-1]):
            torch.mean(h, dim=(0, 1), out=self.mean[i, l])
            slope = models.activation_backward(self.net.segments, torch.ones_like(h), h)
            torch.mean((slope < self.SATURATED * self.peak).float(), dim=(0, 1), out=self.saturated[i, l])

    def arrays(self, cols):
        as_np = lambda t: t[..., cols].permute(2, 0, 1).cpu().numpy()  # noqa: E731
        return as_np(self.mean), as_np(self.saturated)
