"""What the papers page reads from the server's store: each paper's stored rows and figure tables (kept by
`python -m lab papers` with the anchor entry), read again only when that file changed. Nothing here measures."""

from __future__ import annotations

import os

from lab.compute import papers as measuring
from lab.dashboard import work
from lab.dashboard.memo import remembered
from lab.storage.store import Store

SEEDS = measuring.DEFAULT_SEEDS  # the table the page reads: the command's default


def _version(store: Store, paper: str) -> int:
    path = store.derived_path(measuring.ANCHOR.key(), measuring.kept_name(paper, SEEDS))
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


def stored(paper: str) -> dict | None:
    """One paper's rows ("claims") and figure tables, or None if the store holds none."""
    store = work.store()
    version = _version(store, paper)
    return _stored(work.root(), paper, version) if version else None


@remembered
def _stored(root: str, paper: str, version: int) -> dict | None:
    return measuring.stored(Store(root), paper, SEEDS)
