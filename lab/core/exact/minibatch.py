"""The minibatch of a step, from the truth table: a net's output on a 0/1 input row is its output on that truth-table
row, computed the same way, so the engine runs the forward pass on the 4 table rows only and takes each minibatch
row's activations from them, rounded as the plain program rounds that row of the minibatch."""

from __future__ import annotations

import torch

from lab.core.exact import arithmetic
from lab.core.runs import STEPS_AT_ONCE, elementwise_loss, mean_per_trial


def row_classes(batch_arith, table_arith, mbs, dev):
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


def from_table(net, table, table_acts, picked, row_classes):
    """The minibatch's activations: each row's from its truth-table row, computed as the plain program computes
    that row of the minibatch."""
    if row_classes is None:
        return [pick(a, picked) for a in table_acts]
    batch = None
    for arith, mask in row_classes:
        acts = [pick(a, picked) for a in net.forward(table, arith)]
        batch = acts if batch is None else [torch.where(mask, a, b) for a, b in zip(acts, batch)]
    return batch


class TableRows:
    """The activations of the 4 truth-table rows, inputs and targets included, in one (units, 4, trials) tensor, so
    that each step picks every minibatch row's activations from their table rows in one op."""

    def __init__(self, table, layers, table_y):
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

    def pick(self, acts, rows_of, step: int):
        """The minibatch's activations [x, h1, ..., output] and targets, each (mbs, units, trials), for the table
        rows' activations `acts` and, for every step, the table row of each minibatch row `rows_of` (steps, mbs,
        trials). Steps are asked for in order, from 0; what it returns is overwritten by the next step's pick."""
        for view, a in zip(self.layers[1:], acts[1:]):
            view.copy_(a)
        units, _, trials = self.values.shape
        if step % STEPS_AT_ONCE == 0:  # row r, trial t: rows[r, t]·trials + t
            self.index = torch.add(self.columns, rows_of[step:step + STEPS_AT_ONCE].long(), alpha=trials)
        index = self.index[step % STEPS_AT_ONCE].view(-1)
        if self.picked is None:
            self.picked = torch.empty(units, len(index), device=self.values.device)
            picked = self.picked.view(units, -1, trials).transpose(0, 1)
            self.parts = [picked[:, start:end] for start, end in self.units]
        torch.index_select(self.values.view(units, -1), 1, index, out=self.picked)
        return self.parts[:-1], self.parts[-1]


def picked_losses(kind, outputs, table_y, rows_of, out):
    """Each step's minibatch loss (steps, trials), a few steps at a time, when every minibatch row's output is its
    table row's output before the update (`outputs`, steps + 1 of them) and `rows_of` (steps, mbs, trials) says which
    row: the same numbers as computed step by step, in far fewer ops."""
    for start in range(0, len(out), STEPS_AT_ONCE):
        rows = rows_of[start:start + STEPS_AT_ONCE].long()
        o = pick(outputs[start:start + len(rows)], rows, dim=1)
        y = pick(table_y.expand(len(rows), *table_y.shape), rows, dim=1)
        out[start:start + len(rows)] = mean_per_trial(elementwise_loss(kind, o, y))


def pick(table_rows, rows, dim=0):
    """Rows of `table_rows` (one per truth-table row along `dim`, trials last) chosen per trial by `rows`."""
    index = rows.unsqueeze(dim + 1).expand(*rows.shape[:dim + 1], table_rows.shape[dim + 1], rows.shape[-1])
    return torch.gather(table_rows, dim, index)
