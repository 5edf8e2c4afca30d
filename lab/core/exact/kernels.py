"""The arithmetic this machine's PyTorch uses for the plain program's small tensors, learned once by probing.

Trial *s* of the engine equals the plain program after `torch.manual_seed(s)` only if every number is computed with
the same roundings. Two kinds of kernel decide them, and both depend on the CPU the code runs on:

* **Products.** Each `nn.Linear` runs three small matrix products per step: the forward `addmm(b, x, W.t())`, and in
  the backward the weight gradient and (below the output layer) the input gradient. On the CPU they go through the
  BLAS library's sgemm, which chooses a kernel by CPU vendor, instruction set (AVX2, AVX-512) and shape: some add the
  products one by one, some use fused multiply-adds or several accumulators, some treat the last rows differently.
  `product_plan` runs the real ops under autograd on random inputs and finds, for every output position, a recipe
  (lab.core.exact.recipes) that reproduces all of them bitwise — or None when some position fits no recipe.
* **Activations.** ATen computes sigmoid and tanh of a contiguous tensor with its vectorised exp in blocks of
  2 × (vector width) elements and with the C library's exp for the rest, and the two differ in the last bit for some
  inputs. `vector_elements` finds which elements of an n-element tensor take the vectorised path.

Probes run on first use for each shape and are kept for the life of the process (a few ms each). Environment
settings that change the kernels (`MKL_CBWR`, `ATEN_CPU_CAPABILITY`, ...) are read by the libraries when torch loads,
so the probes see exactly the kernels the plain program would use in this process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

import torch
import torch.nn.functional as F

from lab.core.exact import recipes

ROLES = ("forward", "grad_weight", "grad_bias", "grad_input")
SAMPLES = 512  # random inputs per probe; a wrong recipe differs from the kernel on a good share of them
SEARCH_SAMPLES = 48  # for the exhaustive search's first pass (survivors are then checked on all samples)


@dataclass(frozen=True)
class ProductPlan:
    """One product's recipe per output position, positions laid out as the engine lays the product out:
    forward (rows, fan_out); grad_weight (fan_out, fan_in); grad_bias (1, fan_out); grad_input (rows, fan_in)."""

    shape: tuple[int, int]
    trees: tuple  # the distinct recipes
    index: tuple[int, ...]  # per position, row-major: which of `trees`

    def tree_at(self, row: int, col: int):
        return self.trees[self.index[row * self.shape[1] + col]]

    def row(self, r: int) -> tuple:
        """The recipes of output row r, one per column."""
        return tuple(self.tree_at(r, c) for c in range(self.shape[1]))

    @cached_property
    def program(self) -> recipes.Program:
        """The recipes as one straight-line program, built once (the plan is used every step)."""
        return recipes.Program(self.trees)

    def masks(self, device) -> list[torch.Tensor]:
        """Per recipe, a (rows, cols, 1) boolean mask of the positions that use it (broadcasts over trials); made once
        per device (on a GPU, each would otherwise be a copy from the host every step)."""
        masks = self._masks.get(device)
        if masks is None:
            index = torch.tensor(self.index, device=device).view(*self.shape, 1)
            masks = self._masks[device] = [index == k for k in range(len(self.trees))]
        return masks

    @cached_property
    def _masks(self) -> dict:
        return {}

    @staticmethod
    def from_rows(rows) -> ProductPlan:
        """A plan whose row r uses the recipes `rows[r]` (one per column)."""
        trees, index = [], []
        for row in rows:
            for tree in row:
                if tree not in trees:
                    trees.append(tree)
                index.append(trees.index(tree))
        return ProductPlan((len(rows), len(rows[0])), tuple(trees), tuple(index))


def contract(plan: ProductPlan, terms: recipes.Terms, bias=None) -> torch.Tensor:
    """The product's values as the plan's kernel computes them: `terms` broadcast to (rows, cols, trials), `bias`
    likewise (forward only)."""
    values = plan.program.run(terms, bias)
    if len(values) == 1:
        return values[0]
    out = values[0]
    for mask, value in zip(plan.masks(out.device)[1:], values[1:]):
        out = torch.where(mask, value, out)
    return out


# ---- probing the products ------------------------------------------------------------------------------------------
def _inputs(rows, fan_in, fan_out, binary, generator):
    """Random inputs spread over several binades (so that different recipes round differently), or 0/1 or ±1
    inputs."""
    def spread(*shape):
        scale = torch.exp2(torch.randint(-6, 4, shape, generator=generator).float())
        return (torch.rand(*shape, generator=generator) * 2 - 1) * scale

    if binary == "pm1":  # ±1 inputs
        x = torch.randint(0, 2, (SAMPLES, rows, fan_in), generator=generator).float() * 2 - 1
    elif binary:
        x = torch.randint(0, 2, (SAMPLES, rows, fan_in), generator=generator).float()
    else:
        x = spread(SAMPLES, rows, fan_in)
    return x, spread(SAMPLES, fan_out, fan_in), spread(SAMPLES, fan_out), spread(SAMPLES, rows, fan_out)


def _run_plain(x, w, b, g, bias=True):
    """What the plain program computes: nn.Linear's forward and backward, one sample at a time (`bias` False:
    without a bias, whose gradient is then reported as 0)."""
    z, grad_w, grad_b, grad_x = [], [], [], []
    for xi, wi, bi, gi in zip(x, w, b, g):
        xi, wi, bi = xi.clone().requires_grad_(), wi.clone().requires_grad_(), bi.clone().requires_grad_()
        out = F.linear(xi, wi, bi if bias else None)
        out.backward(gi)
        z.append(out.detach())
        grad_w.append(wi.grad)
        grad_b.append(bi.grad.unsqueeze(0) if bias else torch.zeros_like(bi).unsqueeze(0))
        grad_x.append(xi.grad)
    return torch.stack(z), torch.stack(grad_w), torch.stack(grad_b), torch.stack(grad_x)


def _terms_first(role, x, w, g) -> recipes.Terms:
    """The probe's terms, samples on the first axis: x (N, rows, fan_in), w (N, fan_out, fan_in), g (N, rows, out)."""
    if role == "forward":  # z[r, o] = b[o] + sum_i x[r, i] w[o, i]
        return recipes.Terms(x[:, :, None, :], w[:, None, :, :], -1)
    if role == "grad_weight":  # dW[o, i] = sum_r g[r, o] x[r, i]
        return recipes.Terms(g[:, :, :, None], x[:, :, None, :], 1)
    if role == "grad_bias":  # db[o] = sum_r g[r, o]: products with 1, which are exact
        return recipes.Terms(g[:, :, None, :], torch.ones(1, 1, 1, 1), 1)
    return recipes.Terms(g[:, :, :, None], w[:, None, :, :], 2)  # dx[r, i] = sum_o g[r, o] w[o, i]


def _matching(trees, terms, bias, reference):
    """For each tree, a (positions,) boolean tensor: where it reproduces every sample."""
    memo: dict = {}
    out = []
    for tree in trees:
        value = recipes.evaluate(tree, terms, bias, memo).expand_as(reference)
        out.append((value == reference).all(0).flatten())
    return out


@cache
def product_plan(role: str, rows: int, fan_in: int, fan_out: int, binary: bool = False,
                 bias_term: bool = True) -> ProductPlan | None:
    """The recipe of every output position of one product of a (rows × fan_in → fan_out) `nn.Linear` step, as this
    process's kernels compute it; `binary`: the layer's inputs are 0/1 (the lecture's truth-table rows), or ±1
    ("pm1"). None when
    some position is reproduced by no recipe (then the engine cannot be bitwise for this shape here). `bias_term`
    False: a layer without a bias (the forward product is then a plain matrix product)."""
    generator = torch.Generator().manual_seed(1234 + rows * 97 + fan_in * 13 + fan_out)
    x, w, b, g = _inputs(rows, fan_in, fan_out, binary, generator)
    with torch.enable_grad():
        results = dict(zip(ROLES, _run_plain(x, w, b, g, bias_term)))
    reference = results[role]
    terms = _terms_first(role, x, w, g)
    bias = b[:, None, :] if role == "forward" and bias_term else None
    n_terms, positions = len(terms), reference[0].numel()
    chosen: list = [None] * positions
    fusable = role != "grad_bias"
    candidates = recipes.families(n_terms, bias is not None, fusable)
    for tree, ok in zip(candidates, _matching(candidates, terms, bias, reference)):
        for p in ok.nonzero().flatten().tolist():
            chosen[p] = chosen[p] or tree
    if None in chosen:  # an unusual kernel: try every recipe over these few terms
        few = slice(0, SEARCH_SAMPLES)
        short = recipes.Terms(terms.a[few], terms.b[few], terms.dim)
        every = recipes.all_trees(n_terms, bias is not None, limit=5, fusable=fusable)
        hopeful = [t for t, ok in zip(every, _matching(every, short, None if bias is None else bias[few],
                                                       reference[few])) if ok.any()]
        for tree, ok in zip(hopeful, _matching(hopeful, terms, bias, reference)):
            for p in ok.nonzero().flatten().tolist():
                chosen[p] = chosen[p] or tree
    if None in chosen:
        return None
    trees = tuple(dict.fromkeys(chosen))
    return ProductPlan(tuple(reference.shape[1:]), trees, tuple(trees.index(t) for t in chosen))


# ---- probing the activations ---------------------------------------------------------------------------------------
VECTOR_OPS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh}


def scalar_path(op: str, z: torch.Tensor) -> torch.Tensor:
    """The activation computed element by element (ATen's scalar loop, as on a small tensor): a strided input
    keeps it off the vectorised loop."""
    strided = torch.empty(*z.shape, 2, dtype=z.dtype, device=z.device)[..., 0]
    strided.copy_(z)
    return VECTOR_OPS[op](strided)


def vector_path(op: str, z: torch.Tensor) -> torch.Tensor:
    """The activation computed by the vectorised loop for every element: padded to whole vector blocks."""
    flat = z.reshape(-1)
    padded = torch.zeros(-(-flat.numel() // 64) * 64 + 64, dtype=z.dtype, device=z.device)
    padded[: flat.numel()] = flat
    return VECTOR_OPS[op](padded)[: flat.numel()].view(z.shape)


@cache
def vector_elements(op: str, n: int) -> tuple[bool, ...] | None:
    """For an n-element contiguous tensor, which elements the activation computes on the vectorised path; all False
    when both paths agree on this machine (nothing to tell apart); None if some element matches neither path."""
    generator = torch.Generator().manual_seed(4321 + n)
    z = (torch.rand(SAMPLES, n, generator=generator) * 2 - 1) * 8
    plain = torch.stack([VECTOR_OPS[op](row.clone()) for row in z])
    scalar, vector = scalar_path(op, z), vector_path(op, z)
    if torch.equal(scalar, vector):
        return (False,) * n
    is_scalar, is_vector = (plain == scalar).all(0), (plain == vector).all(0)
    if not bool((is_scalar | is_vector).all()):
        return None
    return tuple(bool(v) for v in (is_vector & ~is_scalar).tolist())
