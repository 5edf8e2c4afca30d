"""How work is cut into pieces, for the server's service and for sweeps alike: a config's seeds in pieces of at most
`size`, each within one block of `size` consecutive seed numbers (k·size to (k+1)·size - 1). So two requests for
overlapping seeds ask for equal pieces (the service's flights match across visitors), and seeds 0..n-1 are cut as
they come. The service sizes its pieces by work (`chunk_seeds`: progress to report, start-up to amortise); a sweep
packs pieces of one network shape into units up to its memory and workers' size (lab.compute.sweep.plan)."""

from __future__ import annotations

from lab.core.budget import weight
from lab.core.config import TrialConfig

CHUNK_WORK = 200_000  # weighted trial-steps per service job: small enough to report progress, large enough to amortise


def pieces(seeds, size: int) -> list[tuple[int, ...]]:
    """`seeds` in pieces of at most `size`, each within one block of `size` consecutive seed numbers: the blocks in the
    order their first seed comes, each block's seeds in the order given (sort them first for pieces equal whoever
    asks)."""
    size = max(1, int(size))
    blocks: dict[int, list[int]] = {}
    for seed in seeds:
        blocks.setdefault(seed // size, []).append(seed)
    return [tuple(block) for block in blocks.values()]


def chunk_seeds(config: TrialConfig, seeds, work: int = CHUNK_WORK) -> list[tuple[int, ...]]:
    """`seeds` in pieces of about `work` weighted trial-steps, sorted: equal pieces whoever asks, so flights match."""
    return pieces(sorted(seeds), work // (config.steps * weight(config)))
