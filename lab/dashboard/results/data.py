"""What the stored-results page reads from and does to the server's store: its listing (read again only when the
store's folder changed), an entry's summary and curves file, and deleting an entry."""

from __future__ import annotations

import os

import pandas as pd

from lab.dashboard import work
from lab.dashboard.memo import remembered
from lab.dashboard.results import tables
from lab.dashboard.shell import tr
from lab.storage.store import Store


def entries():
    """The store's listing, read again only when its folder changed (an entry written, replaced or deleted)."""
    return _entries(work.root(), os.stat(work.root()).st_mtime_ns)


@remembered
def _entries(root: str, version: int):
    return tables.entries(Store(root))


def summary(key: str) -> pd.DataFrame:
    table = tables.entry_table(work.store(), key, tr("lr"))
    return table if table is not None else pd.DataFrame()


def curves_csv(key: str, stride: int = 1) -> bytes:
    """One entry's curves at every `stride`-th step (built when the download is clicked)."""
    return tables.entry_csv(work.store(), key, stride)


# ---- the page's callbacks, on its widgets' values (`values`: the session state) ------------------------------------
def delete(values, key: str, name: str) -> None:
    """on_click of "delete": the entry goes, every cache of results is emptied, the page says what was deleted."""
    work.store().delete(key)
    work.forget_results()
    values.pop("res.confirm", None)
    values["res.key"] = None
    values["res.deleted"] = name


def forget_selection(values) -> None:
    values["res.key"] = None


def ask_delete(values, key: str) -> None:
    values["res.confirm"] = key


def cancel_delete(values) -> None:
    values.pop("res.confirm", None)
