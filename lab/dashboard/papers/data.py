"""What the papers page reads: each paper's rows and figure tables from the server's store (kept by `python -m lab
papers` with the anchor entry, read again only when that file changed), else the table the repository ships
(lab/science/papers/measured, written by `python -m lab papers --publish`) when it was measured for this claims file.
Nothing here measures: a fresh store shows the shipped table at once."""

from __future__ import annotations

import os

from lab.compute import papers as measuring
from lab.dashboard import work
from lab.dashboard.memo import remembered
from lab.science.papers import published
from lab.storage.store import Store

SEEDS = measuring.DEFAULT_SEEDS  # the table the page reads: the command's default


def _version(store: Store, paper: str) -> int:
    path = store.derived_path(measuring.ANCHOR.key(), measuring.kept_name(paper, SEEDS))
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


def stored(paper: str) -> dict | None:
    """One paper's rows ("claims") and figure tables in the server's store, or None if the store holds none."""
    store = work.store()
    version = _version(store, paper)
    return _stored(work.root(), paper, version) if version else None


@remembered
def _stored(root: str, paper: str, version: int) -> dict | None:
    return measuring.stored(Store(root), paper, SEEDS)


def shipped_about() -> dict | None:
    """`about.json` of the shipped table (date, commit, torch, machine, seeds) if it was measured for this claims
    file, else None."""
    about = published.about()
    return about if about is not None and about.get("claims_digest") == published.claims_digest() else None


def shipped(paper: str) -> dict | None:
    """One paper's rows and figure tables as the repository ships them, or None (none shipped, or measured for
    another claims file)."""
    if shipped_about() is None:
        return None
    directory = published.MEASURED
    return _shipped(str(directory), os.stat(directory / published.ABOUT).st_mtime_ns).get(paper)


@remembered
def _shipped(directory: str, version: int) -> dict:
    return published.read(directory) or {}


def tables(paper: str) -> tuple[dict | None, str]:
    """(one paper's rows and figure tables, where from: "store", "shipped" or "none")."""
    if (found := stored(paper)) is not None:
        return found, "store"
    if (found := shipped(paper)) is not None:
        return found, "shipped"
    return None, "none"
