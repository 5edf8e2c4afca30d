"""What makes a trial bitwise the plain PyTorch program: trial *s* of a stacked pass computes every number with the
roundings the plain program (`torch.manual_seed(s)`, an `nn.Module`, `torch.optim`) gets on this machine.

Read it in this order:

1. `kernels` (probe): runs this machine's real products and activations on random inputs and learns how each output
   element is summed and rounded; exactness needs it because those roundings depend on the CPU and its BLAS library.
2. `recipes` (recipe): a summation order (sequential, fused multiply-adds, several accumulators) as a tree run as a
   straight-line program over stacked tensors; exactness needs it to redo a kernel's order for every trial at once.
3. `arithmetic` (program): the plain program's arithmetic for one net shape and number of rows, built from the
   probes (`follows_plain_program` says whether every part was matched); the engine asks it once per pass.
4. `stacked` (forward/backward): the forward and backward passes of many trials' nets, each product summed with its
   recipe and each gradient with autograd's formula, so each trial's activations and gradients are the plain ones.
5. `minibatch` (a step's minibatch): where each step's rows come from (the lecture's stream of truth-table rows, the
   whole table, a finite training set), each row's activations rounded as the plain program rounds that row.
6. `updates` (optimizer step): `torch.optim`'s own update replayed without its per-step bookkeeping, so each trial's
   parameters change exactly as the plain optimizer changes them.

Importing this package imports none of them (nor PyTorch).
"""

__all__ = ["kernels", "recipes", "arithmetic", "stacked", "minibatch", "updates"]
