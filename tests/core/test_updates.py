"""lab.core.exact.updates: replayed steps are `torch.optim`'s own steps, bitwise, for every optimizer of the lab."""

import threading

import pytest
import torch

from lab.core.exact import updates
from lab.core.optimizers import OPTIMIZERS


def _pair(name: str, **settings):
    """Two identical (param, grad view) setups with one optimizer each, as the engine builds them: two param groups
    over views of one stacked tensor, with `.grad` a fixed view written in place."""
    spec = OPTIMIZERS[name]
    options = {"lr": spec.default_lr, **spec.defaults, **settings}
    built = []
    for _ in range(2):
        theta = torch.linspace(-1, 1, 9 * 6).view(9, 6).clone()
        grad = torch.zeros_like(theta)
        groups = []
        for cols in (slice(0, 4), slice(4, 6)):
            param = theta[:, cols]
            param.grad = grad[:, cols]
            groups.append({"params": [param], **spec.options(**options)})
        built.append((theta, grad, spec.torch_class(groups, foreach=False)))
    return built


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_replayed_steps_equal_plain_steps(name):
    (theta_a, grad_a, plain), (theta_b, grad_b, opt) = _pair(name)
    replayed = updates.Replayed(opt)
    generator = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for _ in range(25):
            g = torch.randn(theta_a.shape, generator=generator)
            grad_a.copy_(g)
            grad_b.copy_(g)
            plain.step()
            replayed.step()
            assert torch.equal(theta_a, theta_b)
    assert replayed.calls is not None and len(replayed.calls) == 2  # the later steps were replays, one per group
    for pa, pb in zip(plain.state, opt.state):
        for key, value in plain.state[pa].items():
            assert torch.equal(torch.as_tensor(value), torch.as_tensor(opt.state[pb][key])), key


def test_the_state_is_the_optimizers_own():
    """Replays update the optimizer's state in place: its step count advances with every step."""
    _, (_, _, opt) = _pair("adam")
    replayed = updates.Replayed(opt)
    with torch.no_grad():
        for _ in range(5):
            replayed.step()
    for group in opt.param_groups:
        assert int(opt.state[group["params"][0]]["step"]) == 5


def test_another_threads_step_is_not_recorded():
    """A plain optimizer stepping in another thread while the first step records is left out of the replay."""
    (_, _, other), (_, _, opt) = _pair("adam")
    replayed = updates.Replayed(opt)
    stop = threading.Event()

    def busy():
        with torch.no_grad():
            while not stop.is_set():
                other.step()

    thread = threading.Thread(target=busy)
    thread.start()
    try:
        with torch.no_grad():
            for _ in range(20):
                replayed.step()
    finally:
        stop.set()
        thread.join()
    assert all(args[0][0] is opt.param_groups[k]["params"][0] for k, (_, args, _) in enumerate(replayed.calls))
