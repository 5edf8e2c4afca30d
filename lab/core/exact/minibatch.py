"""Where a step's minibatch comes from: one source per kind of training data, chosen once per pass (`source`).

* `FullTable`: the whole truth table every step (`full_batch` on the lecture's task).
* `TrainingSet`: a finite training set (lab.core.data), each trial's rows of the step run through the net.
* `TableRows` and `RowKinds`: the lecture's stream of random 0/1 rows (`gen_minibatch()`). A net's output on a 0/1
  input row is its output on that truth-table row, computed the same way, so the engine runs the forward pass on the
  4 table rows only and takes each minibatch row's activations from them, rounded as the plain program rounds that row
  of the minibatch: `TableRows` where every minibatch row is rounded as the table rows are, `RowKinds` where some are
  not.

Each source gives the step's minibatch through the net, `forward(step, table_acts)` (the activations [x, h1, ...,
output] and the targets, each (rows, units, trials)), given the net's activations on the 4 table rows before the
update; and the step's minibatch loss, `loss` (per step) or `deferred_losses` (after the pass, from the table's
outputs, where that is cheaper and gives the same numbers).
"""

from __future__ import annotations

import torch

from lab.core.exact import arithmetic
from lab.core.runs import STEPS_AT_ONCE, elementwise_loss, mean_per_trial


def source(config, net, table, table_y, rows_of, table_arith, batch_arith, train=None):
    """The minibatch source of a pass: `rows_of` is, per step, minibatch row and trial, which table row the stream
    draws or which training row (None: the full truth table); `train` the training set's (inputs, targets)."""
    if config.finite:
        return TrainingSet(config.loss_fn, net, *train, rows_of, batch_arith)
    if rows_of is None:
        return FullTable(config.loss_fn, table_y)
    kinds = row_kinds(batch_arith, table_arith, config.batch_size, table.device)
    if kinds is None:
        return TableRows(config.loss_fn, table, net.layers, table_y, rows_of)
    return RowKinds(config.loss_fn, net, table, table_y, rows_of, kinds)


class Source:
    """A step's minibatch loss, computed as the plain program computes it, after the step's forward pass."""

    def __init__(self, kind):
        self.kind = kind

    def forward(self, step, table_acts):
        """The minibatch of `step` through the net: its activations [x, h1, ..., output] and its targets, given the
        net's activations on the 4 truth-table rows before the update."""
        raise NotImplementedError

    def loss(self, step, acts, y, out):
        """Writes the minibatch loss of `step` into out[step] (each trial's mean over its rows and outputs)."""
        out[step] = mean_per_trial(elementwise_loss(self.kind, acts[-1], y))

    def deferred_losses(self, outputs, out):
        """After the pass: the losses that `loss` left out, from the table's outputs before each update."""


class FullTable(Source):
    """Every step's minibatch is the 4 truth-table rows, in order: their activations are the minibatch's."""

    def __init__(self, kind, table_y):
        super().__init__(kind)
        self.table_y = table_y

    def forward(self, step, table_acts):
        return table_acts, self.table_y


class TrainingSet(Source):
    """A finite training set: at each step, each trial's own rows of it (`rows_of` (steps, mbs, trials): shuffled
    epochs, or every row in order), through the net with the plain program's arithmetic for a minibatch."""

    def __init__(self, kind, net, train_x, train_y, rows_of, batch_arith):
        super().__init__(kind)
        self.net, self.arith = net, batch_arith
        self.xs = train_x[:, :, 0][rows_of].permute(0, 1, 3, 2).contiguous()  # (steps, mbs, 2, trials)
        self.ys = train_y[:, :, 0][rows_of].permute(0, 1, 3, 2).contiguous()  # (steps, mbs, out, trials)

    def forward(self, step, table_acts):
        return self.net.forward(self.xs[step], self.arith), self.ys[step]


def row_kinds(batch_arith, table_arith, mbs, dev):
    """None when every minibatch row is rounded as the truth-table rows are (then a minibatch row's activations are
    those of its table row); else, per kind of minibatch row, an arithmetic for the 4 table rows that rounds them as
    that kind does, and a (mbs, 1, 1) mask of the minibatch rows of that kind."""
    signatures = [batch_arith.row_signature(r) for r in range(mbs)]
    table = {table_arith.row_signature(r) for r in range(4)}
    if len(set(signatures)) <= 1 and table == set(signatures[:1]):
        return None
    return [(arithmetic.on_device(arithmetic.uniform_rows(batch_arith, sig, 4), dev),
             torch.tensor([s == sig for s in signatures], device=dev).view(mbs, 1, 1))
            for sig in dict.fromkeys(signatures)]


class RowKinds(Source):
    """The lecture's stream where minibatch rows are rounded unlike the table rows: per kind of minibatch row, the
    forward pass on the 4 table rows rounded as that kind is, each minibatch row's activations taken from its kind's."""

    def __init__(self, kind, net, table, table_y, rows_of, kinds):
        super().__init__(kind)
        self.net, self.table, self.table_y, self.rows_of, self.kinds = net, table, table_y, rows_of, kinds

    def forward(self, step, table_acts):
        picked = self.rows_of[step].long()
        batch = None
        for arith, mask in self.kinds:
            acts = [pick(a, picked) for a in self.net.forward(self.table, arith)]
            batch = acts if batch is None else [torch.where(mask, a, b) for a, b in zip(acts, batch)]
        return batch, pick(self.table_y, picked)


class TableRows(Source):
    """The lecture's stream where every minibatch row is rounded as its table row: the activations of the 4 table rows,
    inputs and targets included, in one (units, 4, trials) tensor, so that each step picks every minibatch row's
    activations from their table rows in one op. Its losses are taken after the pass, from the table's outputs."""

    def __init__(self, kind, table, layers, table_y, rows_of):
        super().__init__(kind)
        self.table_y, self.rows_of = table_y, rows_of
        widths = [table.shape[1], *(layer.fan_out for layer in layers), table_y.shape[1]]
        ends = torch.tensor(widths).cumsum(0).tolist()
        self.units = list(zip([0, *ends[:-1]], ends))
        trials = table.shape[-1]
        self.values = torch.empty(ends[-1], 4, trials, device=table.device)
        self.layers = [self.layer(k) for k in range(len(widths))]  # views of `values`, made once
        self.layers[0].copy_(table)
        self.layers[-1].copy_(table_y)
        self.columns = torch.arange(trials, device=table.device)
        self.index = None  # the flat index of every minibatch row, for STEPS_AT_ONCE steps from the last multiple
        self.picked = self.parts = None  # the minibatch's values (units, mbs·trials) and their views, per layer

    def layer(self, k):
        """Layer k's (or the targets') slice, as (rows, units, trials)."""
        start, end = self.units[k]
        return self.values[start:end].transpose(0, 1)

    def forward(self, step, table_acts):
        """Steps are asked for in order, from 0; what it returns is overwritten by the next step's."""
        for view, a in zip(self.layers[1:], table_acts[1:]):
            view.copy_(a)
        units, _, trials = self.values.shape
        if step % STEPS_AT_ONCE == 0:  # row r, trial t: rows[r, t]·trials + t
            self.index = torch.add(self.columns, self.rows_of[step:step + STEPS_AT_ONCE].long(), alpha=trials)
        index = self.index[step % STEPS_AT_ONCE].view(-1)
        if self.picked is None:
            self.picked = torch.empty(units, len(index), device=self.values.device)
            picked = self.picked.view(units, -1, trials).transpose(0, 1)
            self.parts = [picked[:, start:end] for start, end in self.units]
        torch.index_select(self.values.view(units, -1), 1, index, out=self.picked)
        return self.parts[:-1], self.parts[-1]

    def loss(self, step, acts, y, out):
        pass  # deferred_losses: the same numbers in far fewer ops

    def deferred_losses(self, outputs, out):
        """Each step's minibatch loss (steps, trials), a few steps at a time: every minibatch row's output is its table
        row's output before the update (`outputs`, steps + 1 of them)."""
        for start in range(0, len(out), STEPS_AT_ONCE):
            rows = self.rows_of[start:start + STEPS_AT_ONCE].long()
            o = pick(outputs[start:start + len(rows)], rows, dim=1)
            y = pick(self.table_y.expand(len(rows), *self.table_y.shape), rows, dim=1)
            out[start:start + len(rows)] = mean_per_trial(elementwise_loss(self.kind, o, y))


def pick(table_rows, rows, dim=0):
    """Rows of `table_rows` (one per truth-table row along `dim`, trials last) chosen per trial by `rows`."""
    index = rows.unsqueeze(dim + 1).expand(*rows.shape[:dim + 1], table_rows.shape[dim + 1], rows.shape[-1])
    return torch.gather(table_rows, dim, index)
