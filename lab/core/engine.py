"""The vectorised training loop: many trials (seeds, and configs of one shape) trained in one stacked pass.

Trials are the last, contiguous axis of every tensor: parameters are a (P, trials) tensor, activations
(rows, units, trials). A layer is then a broadcast product summed over its inputs, which for these tiny matrices is far
cheaper than a batched matmul, and sums as this machine's `addmm` does in the plain program (lab.core.exact, which
learns how at first use). The backward pass applies the formulas autograd applies to the plain program (`addmm`'s
backward, `sigmoid_backward`, ...), and each block of trials (one config) is updated by its own `torch.optim`
optimizer on a view of the stacked parameters. Every optimizer here is elementwise, so each trial gets exactly its own
update: trial *s* reproduces the plain PyTorch program run after `torch.manual_seed(s)` (see tests/core/test_engine.py).

Each step is the lecture's: a minibatch through the net, its loss, backward, the optimizer's step. The minibatch comes
from a source chosen once per pass (lab.core.exact.minibatch: the lecture's stream, the full truth table, a finite
training set); before the update the net runs on the 4 truth-table rows (recorded: the net's outputs before each
update), and the stream takes each minibatch row's activations from them. Each step's gradient norm per layer is
recorded; losses and error rates are computed from the records afterwards.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import torch

from lab.core import data, models, tasks
from lab.core.config import INITS, ConfigError, TrialConfig
from lab.core.exact import arithmetic, minibatch, updates
from lab.core.exact.stacked import LOSS_GRAD, StackedNet, segments
from lab.core.observers import Evaluator, Tracer
from lab.core.optimizers import OPTIMIZERS
from lab.core.recording import LARGE_REQUEST, Recording, keep_heap_small, reduce
from lab.core.runs import Runs


def resolve_device(device: str | torch.device = "cpu") -> torch.device:
    name = str(device)
    if name not in ("cpu", "cuda") and not name.startswith("cuda:"):
        raise ConfigError("device", f"must be cpu or cuda (got {name!r})")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError("device", "CUDA was asked for but no CUDA GPU is available here; use --device cpu")
    return torch.device(name)


def train(config: TrialConfig, seeds, device="cpu", trace: bool = False, checkpoint_every: int | None = None,
          record: Recording | None = None) -> Runs:
    """Train one config for each seed, all seeds at once. `trace`: also record each hidden layer's mean activation
    and saturated fraction on the truth table at every step (Runs.activation_mean, Runs.saturation).
    `checkpoint_every` k: also keep the parameters before steps 0, k, 2k, ... and after the last step
    (Runs.checkpoints: {"steps": [...], "params": (n, checkpoints, P)}), for replays and loss landscapes.
    `record` (lab.core.recording): keep what it says, training in passes that fit its memory setting."""
    return train_group([(config, list(seeds))], device=device, trace=trace, checkpoint_every=checkpoint_every,
                       record=record)[0]


def train_group(items, device="cpu", trace: bool = False, checkpoint_every: int | None = None,
                record: Recording | None = None) -> list[Runs]:
    """Train several (config, seeds) blocks of one shape (equal `shape_key`): in one stacked pass, or with `record`
    in passes of at most `record.trials_per_pass` trials, each reduced to what `record` keeps as it finishes."""
    items = [(config, list(seeds)) for config, seeds in items]
    if len({config.shape_key() for config, _ in items}) != 1:
        raise ValueError("train_group needs configs of one shape (see TrialConfig.shape_key)")
    if record is not None and (trace or checkpoint_every):
        raise ValueError("trace and checkpoints are kept by a plain full recording only (record=None)")
    # trials ordered by activation, then optimizer settings: few activation segments, few optimizer param groups
    order = sorted(range(len(items)), key=lambda k: (items[k][0].activation, _settings(items[k][0])))
    ordered, dev = [items[k] for k in order], resolve_device(device)
    with _single_threaded():  # per-op threading only costs here: the tensors are small and the ops many
        if record is None:
            results = _train_stacked(ordered, dev, trace, checkpoint_every)
        else:
            results = _train_passes(ordered, dev, record)
    back = {k: runs for k, runs in zip(order, results)}
    return [back[k] for k in range(len(items))]


def _train_passes(items, dev, record: Recording) -> list[Runs]:
    """The items' trials in passes of at most `record.trials_per_pass` trials (in order), each pass's Runs reduced
    to what `record` keeps as soon as it finishes; on a CPU `record.passes_at_once` passes at a time, each in its own
    thread (the ops release the GIL; a trial's numbers do not depend on its pass). Then each item's parts joined."""
    grad_at = None if record.full else record.curve_steps(items[0][0].steps)
    flat = [(k, config, seed) for k, (config, seeds) in enumerate(items) for seed in seeds]
    threads = record.passes_at_once(dev.type)
    passes = _split(flat, record.trials_per_pass(items[0][0], dev.type), threads)
    if len(passes) > 1 or len(flat) >= LARGE_REQUEST:  # each pass's memory back to the system when it is freed
        keep_heap_small()

    def one_pass(trials) -> list[tuple[int, Runs]]:
        chunk: dict[int, tuple] = {}
        for k, config, seed in trials:
            chunk.setdefault(k, (config, []))[1].append(seed)
        with _single_threaded():  # in this thread too
            results = _train_stacked(list(chunk.values()), dev, grad_at=grad_at)
            return [(k, reduce(runs, record)) for k, runs in zip(chunk, results)]

    parts: list[list[Runs]] = [[] for _ in items]
    if min(threads, len(passes)) == 1:  # in this thread: Ctrl-C stops the pass under way, as it stops a plain one
        finished = map(one_pass, passes)
    else:
        pool = ThreadPoolExecutor(min(threads, len(passes)))
        finished = pool.map(one_pass, passes)
    try:
        for done in finished:
            for k, runs in done:
                parts[k].append(runs)
    finally:
        if min(threads, len(passes)) > 1:  # stopped (Ctrl-C): the passes not started are dropped, not waited for
            pool.shutdown(wait=True, cancel_futures=True)
    return [Runs.concat(p) for p in parts]


def _split(trials: list, size: int, threads: int) -> list[list]:
    """`trials` in passes of at most `size`, as few as may be; but at least one per thread while each pass keeps
    MIN_THREAD_TRIALS trials (a small request then still uses every core). Passes differ in size by at most one."""
    count = max(-(-len(trials) // size), min(threads, len(trials) // MIN_THREAD_TRIALS))
    count = max(1, count)
    bounds = [len(trials) * j // count for j in range(count + 1)]
    return [trials[a:b] for a, b in zip(bounds, bounds[1:])]


MIN_THREAD_TRIALS = 256  # the fewest trials worth a thread of their own: fewer, and the per-op overhead dominates


def _settings(config: TrialConfig) -> tuple:
    return (config.optimizer, *config.optimizer_kwargs().items())


@contextmanager
def _single_threaded():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def checkpoint_steps(steps: int, every: int) -> list[int]:
    """The steps before which parameters are kept: 0, every, 2·every, ... and `steps` (after the last update)."""
    if every < 1:
        raise ValueError("checkpoint_every must be >= 1")
    return sorted({*range(0, steps, every), steps})


def _train_stacked(items, dev, trace=False, checkpoint_every=None, grad_at=None) -> list[Runs]:
    """One stacked pass over the items' trials; `grad_at`: the steps whose gradient norms are kept (None: all)."""
    first = items[0][0]
    steps = first.steps
    layers = models.layout(first.layer_sizes)

    theta, rows_of, blocks = _starts(items, dev)  # rows_of: table rows (stream) or training-set rows (finite)
    trials = theta.shape[1]
    table = tasks.table_inputs(first.encoding).to(dev).unsqueeze(-1).expand(4, 2, trials)  # (row, input, trial)
    table_y = tasks.targets(first.task, first.encoding, tasks.TABLE_INPUTS.to(dev)).unsqueeze(-1)
    table_y = table_y.expand(4, first.outputs, trials)
    grad = torch.zeros_like(theta)
    optimizers = _optimizers(items, blocks, theta, grad)
    net = StackedNet(theta, grad, layers, segments(blocks, [c.activation for c, _ in items]), first.bias, first.output)
    hidden = frozenset(c.activation for c, _ in items)
    inputs = arithmetic.input_kind(first)
    table_arith = arithmetic.on_device(arithmetic.rows_arithmetic(
        first.layer_sizes, hidden, 4, inputs, first.bias, first.output), dev)
    batch_arith = arithmetic.on_device(arithmetic.rows_arithmetic(
        first.layer_sizes, hidden, first.batch_size, inputs, first.bias, first.output), dev)
    tracer = Tracer(net, steps, trials, dev) if trace and len(layers) > 1 else None
    evaluator = Evaluator(net, first, trials, dev) if first.finite else None
    train = None if evaluator is None else (evaluator.inputs["train"], evaluator.targets["train"])
    source = minibatch.source(first, net, table, table_y, rows_of, table_arith, batch_arith, train)
    loss_grad = LOSS_GRAD[first.loss_fn]

    outputs = torch.empty(steps + 1, 4, first.outputs, trials, device=dev)  # on the table, before each update; after
    minibatch_loss = torch.empty(steps, trials, device=dev)  # what the lecture prints
    norms = _GradNorms(layers, theta, steps, grad_at)
    kept = checkpoint_steps(steps, checkpoint_every) if checkpoint_every else []
    snapshots = torch.empty(len(kept), *theta.shape, device=dev)
    with torch.no_grad():
        for i in range(steps):
            # before the update: the net on the 4 truth-table rows, recorded (the stream's minibatches come from it)
            if kept and i % checkpoint_every == 0:
                snapshots[i // checkpoint_every].copy_(theta)
            table_acts = net.forward(table, table_arith)
            outputs[i].copy_(table_acts[-1])
            if tracer is not None:
                tracer.record(i, table_acts)
            if evaluator is not None:
                evaluator.maybe_record(i)
            # the lecture's step: a minibatch through the net, its loss, backward, the optimizers' step
            batch, y = source.forward(i, table_acts)
            source.loss(i, batch, y, minibatch_loss)
            net.backward(batch, loss_grad(batch[-1], y), batch_arith)
            norms.record(i, grad)
            for optimizer in optimizers:
                optimizer.step()
        outputs[steps].copy_(net.forward(table, table_arith)[-1])
        source.deferred_losses(outputs, minibatch_loss)
        if kept:
            snapshots[-1].copy_(theta)
        grad_sq = norms.sums()
        if evaluator is not None:
            evaluator.maybe_record(steps)
    results = Runs.collect(items, blocks, minibatch_loss, outputs, table_y, grad_sq, theta)
    for runs, cols in zip(results, blocks, strict=True):
        if tracer is not None:
            runs.activation_mean, runs.saturation = tracer.arrays(cols)
        if evaluator is not None:
            runs.evaluations = evaluator.arrays(cols)
        if kept:
            runs.checkpoints = {"steps": kept, "params": snapshots[:, :, cols].permute(2, 0, 1).cpu().numpy()}
    return results


class _GradNorms:
    """Each layer's sum of squared gradients at the steps `grad_at` names (None: every step). The gradients are kept
    whole when few (one copy a step) and summed per layer afterwards, else reduced every step."""

    def __init__(self, layers, theta, steps, grad_at):
        trials = theta.shape[1]
        self.layer_of_param = torch.zeros(len(layers), theta.shape[0], dtype=torch.float64, device=theta.device)
        for l, layer in enumerate(layers):
            self.layer_of_param[l, layer.span] = 1.0
        self.pos = None if grad_at is None else {int(step): pos for pos, step in enumerate(grad_at)}
        rows = steps if self.pos is None else len(self.pos)
        self.whole = rows * theta.numel() <= _GRAD_HISTORY_LIMIT
        self.history = torch.empty(rows, *(theta.shape if self.whole else (len(layers), trials)), device=theta.device)

    def record(self, step, grad):
        at = step if self.pos is None else self.pos.get(step)
        if at is None:
            return
        if self.whole:
            self.history[at].copy_(grad)
        else:
            self.history[at] = torch.mm(self.layer_of_param, grad.double().square()).float()

    def sums(self):
        """(steps, layers, trials), summed so that the result does not depend on how many trials were stacked: term
        by term (elementwise over trials) for small layers, in float64 for large."""
        if not self.whole:
            return self.history
        sums = []
        for layer in self.layer_of_param:
            cols = layer.nonzero().flatten().tolist()
            if len(cols) <= 64:
                acc = self.history[:, cols[0]].square()
                for c in cols[1:]:
                    acc.addcmul_(self.history[:, c], self.history[:, c])
            else:
                acc = self.history[:, cols].double().square().sum(1).float()
            sums.append(acc)
        return torch.stack(sums, 1)


def _optimizers(items, blocks, theta, grad) -> list[updates.Replayed]:
    """One torch.optim optimizer per optimizer class (its steps replayed: lab.core.exact.updates), one param group per
    optimizer setting: a view of the stacked parameters' columns that use it. Items come ordered by activation, then
    settings; when every activation segment holds the same sequence of settings blocks (a grid), a setting's columns
    in all segments form one strided view."""
    runs = []  # (columns, settings, config) with consecutive equal settings within one activation merged
    for cols, (config, _) in zip(blocks, items):
        key = (config.activation, _settings(config))
        if runs and runs[-1][1] == key and runs[-1][0].stop == cols.start:
            runs[-1] = (slice(runs[-1][0].start, cols.stop), key, config)
        else:
            runs.append((cols, key, config))
    segments = {}
    for cols, (activation, settings), config in runs:
        segments.setdefault(activation, []).append((cols, settings, config))
    layouts = {tuple((c.stop - c.start, k) for c, k, _ in seg) for seg in segments.values()}
    groups: dict[type, list[dict]] = {}

    def add(param, grad_view, config):
        param.grad = grad_view
        spec = OPTIMIZERS[config.optimizer]
        groups.setdefault(spec.torch_class, []).append({"params": [param], **spec.options(**config.optimizer_kwargs())})

    if len(segments) > 1 and len(layouts) == 1:  # a grid: settings × activations
        width = theta.shape[1] // len(segments)
        theta3, grad3 = theta.view(theta.shape[0], len(segments), width), grad.view(grad.shape[0], len(segments), width)
        for cols, _, config in next(iter(segments.values())):
            add(theta3[:, :, cols], grad3[:, :, cols], config)
    else:
        for cols, _, config in runs:
            add(theta[:, cols], grad[:, cols], config)
    # On the CPU, PyTorch picks the one-tensor-at-a-time implementation anyway; saying so skips that choice each step.
    options = {"foreach": False} if theta.device.type == "cpu" else {}
    return [updates.Replayed(torch_class(param_groups, **options)) for torch_class, param_groups in groups.items()]


def _starts(items, dev):
    """Each trial's initial parameters, then its minibatch stream, drawn from its own seed's generator (in several
    threads: the draws release the GIL). Returns theta (P, trials); for each step, minibatch row and trial, which
    truth-table row the lecture's stream draws (steps, mbs, trials) as bytes, or on finite data which training row
    (int64), or None for the full truth table; and the column block of each item."""
    first = items[0][0]
    steps, mbs, sizes = first.steps, first.batch_size, first.layer_sizes
    blocks, jobs, at = [], [], 0
    for config, seeds in items:
        blocks.append(slice(at, at + len(seeds)))
        jobs.extend((at + k, seed, config.init, config.init_scale) for k, seed in enumerate(seeds))
        at += len(seeds)
    theta = torch.empty(at, models.param_count(sizes))  # a trial's parameters adjacent while drawn; transposed after
    stream = None if first.full_batch or first.finite else torch.empty(steps, mbs, at, dtype=torch.uint8)
    batches = torch.empty(steps, mbs, at, dtype=torch.long) if first.finite else None
    draws = {init: models.init_draws(sizes, init, first.bias) for init in INITS}

    def draw(chunk):  # consecutive columns: their streams are turned into table rows together
        uniforms = None if stream is None else torch.empty(len(chunk), steps * mbs, 2)
        for k, (col, seed, init, scale) in enumerate(chunk):
            if stopped.is_set():
                return
            generator = torch.Generator().manual_seed(seed)
            models.init_params(sizes, init, generator, draws[init], out=theta[col], scale=scale, bias=first.bias)
            if uniforms is not None:
                tasks.uniform_stream(steps, mbs, generator, out=uniforms[k])
            if batches is not None:
                batches[:, :, col] = data.batch_indices(first, generator)
        if uniforms is not None:  # stored as bytes
            rows = tasks.rows_of_uniforms(uniforms).view(len(chunk), steps, mbs)
            stream[:, :, chunk[0][0]:chunk[-1][0] + 1] = rows.permute(1, 2, 0)

    threads = max(2, min(8, os.cpu_count() or 1))  # many trials (a GPU's passes): the draws take much of the time
    pool, stopped = ThreadPoolExecutor(threads), threading.Event()
    try:
        list(pool.map(draw, (jobs[k:k + _DRAW_CHUNK] for k in range(0, len(jobs), _DRAW_CHUNK))))
    except BaseException:  # stopped (Ctrl-C, SIGTERM): the draws end after their current trial, not their chunk
        stopped.set()
        raise
    finally:
        pool.shutdown(cancel_futures=True)
    rows_of = batches if batches is not None else stream
    return theta.T.contiguous().to(dev), None if rows_of is None else rows_of.to(dev), blocks


_DRAW_CHUNK = 64  # trials whose streams one thread draws, then turns into table rows in one go
_GRAD_HISTORY_LIMIT = 64_000_000  # floats (256 MB)
