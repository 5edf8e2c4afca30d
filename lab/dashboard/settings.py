"""The server's settings, each from `.streamlit/secrets.toml` (the host's secrets) or else the environment, in one
place; the README's "Hosting" lists them. Read on every use, so a changed secret takes effect without a restart."""

from __future__ import annotations

import os

import streamlit as st

from lab.core import budget
from lab.dashboard import memo


def setting(name: str, env: str):
    """A hosted-mode setting: `.streamlit/secrets.toml`'s `name`, else the environment variable `env`."""
    try:
        value = st.secrets.get(name)
    except Exception:  # noqa: BLE001 - no secrets file
        value = None
    return value if value is not None else os.environ.get(env)


def max_work() -> int:
    """The largest request, in weighted trial-steps (`max_work` or LAB_MAX_WORK)."""
    return budget.max_work(setting("max_work", "LAB_MAX_WORK"))


def allow_delete() -> bool:
    """Whether visitors may delete stored results: off unless the teacher turns it on (`allow_delete = true` in
    secrets, or LAB_ALLOW_DELETE=1), so a shared server's visitors are read-only by default."""
    value = setting("allow_delete", "LAB_ALLOW_DELETE")
    return value is not None and str(value).strip().lower() in ("1", "true", "yes", "on")


def workers() -> int | None:
    """Worker processes (`workers` in secrets or LAB_WORKERS; default: the cores)."""
    value = setting("workers", "LAB_WORKERS")
    return int(value) if value not in (None, "") else None


def device() -> str:
    """Where the workers train (`device` in secrets or LAB_DEVICE: cpu, cuda, cuda:N; default cpu)."""
    value = setting("device", "LAB_DEVICE")
    return str(value).strip() if value not in (None, "") else "cpu"


def cache_mb() -> float:
    """Megabytes the server's cache of results and chart specs may hold (`cache_mb` or LAB_CACHE_MB; default 256)."""
    value = setting("cache_mb", "LAB_CACHE_MB")
    return float(value) if value not in (None, "") else float(memo.DEFAULT_MB)


OFF = ("0", "false", "no", "off")


def self_warm() -> bool:
    """Whether the server warms its own store and caches once started (`self_warm` or LAB_SELF_WARM; default on:
    0, false, no or off turn it off). See `lab.dashboard.selfwarm`."""
    value = setting("self_warm", "LAB_SELF_WARM")
    return value is None or str(value).strip().lower() not in OFF


def self_warm_pages() -> list[str] | None:
    """The pages the server's self-warm prepares (`self_warm_pages` or LAB_SELF_WARM_PAGES: names separated by
    commas, e.g. "lecture,results"); None (the default): every page."""
    value = setting("self_warm_pages", "LAB_SELF_WARM_PAGES")
    if value is None or not str(value).strip():
        return None
    names = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return [name for name in (str(n).strip() for n in names) if name]


def class_db_url() -> str | None:
    """The class runs' database (`class_db_url` in secrets or LAB_CLASS_DB: a SQLAlchemy URL such as
    postgresql+psycopg://user:password@host/db); None (the default): SQLite in the store's folder
    (`lab.storage.classruns`)."""
    value = setting("class_db_url", "LAB_CLASS_DB")
    return str(value).strip() if value not in (None, "") and str(value).strip() else None
