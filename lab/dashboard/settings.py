"""The server's settings, each from `.streamlit/secrets.toml` (the host's secrets) or else the environment, in one
place; the README's "Hosting" lists them. Read on every use, so a changed secret takes effect without a restart."""

from __future__ import annotations

import logging
import math
import os

import streamlit as st

from lab.core import budget
from lab.dashboard import memo

log = logging.getLogger(__name__)


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


SMALL_HOST_MB = 658  # MiB: Streamlit Community Cloud's smallest memory, 690 MB (its published limits, February 2024)
WEB_MB, WORKER_MB = 300, 350  # MiB a server's web process and each worker may come to hold (measured: the README)


def memory_mb() -> float:
    """MiB the whole server (its web process and worker processes) may hold (`memory_mb` or LAB_MEMORY_MB; default
    658, the small free host's size): the worker count and the cache's size follow from it."""
    return positive("memory_mb", "LAB_MEMORY_MB", SMALL_HOST_MB)


def cores() -> int:
    """The cores this process may run on (a `taskset` pins it to fewer than the machine has)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else (os.cpu_count() or 1)


def workers() -> int:
    """Worker processes (`workers` in secrets or LAB_WORKERS); unset: as many as `memory_mb` holds beside the web
    process (WORKER_MB each), at most the cores, at least one (one on the small host: it trains and reads)."""
    value = setting("workers", "LAB_WORKERS")
    if value not in (None, ""):
        return int(value)
    return max(1, min(cores(), int((memory_mb() - WEB_MB) // WORKER_MB)))


def device() -> str:
    """Where the workers train (`device` in secrets or LAB_DEVICE: cpu, cuda, cuda:N; default cpu)."""
    value = setting("device", "LAB_DEVICE")
    return str(value).strip() if value not in (None, "") else "cpu"


def cache_mb() -> float:
    """Megabytes the server's cache of results and chart specs may hold (`cache_mb` or LAB_CACHE_MB); unset: a tenth
    of `memory_mb`, at most 256 (65 on the small host)."""
    value = setting("cache_mb", "LAB_CACHE_MB")
    return float(value) if value not in (None, "") else min(float(memo.DEFAULT_MB), round(memory_mb() / 10))


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


def positive(name: str, env: str, default: float) -> float:
    """A positive number setting; `default` when unset, or (with a line in the server's log) when it is not one."""
    value = setting(name, env)
    if value in (None, ""):
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        log.warning("setting %s / %s: %r is not a positive number; using %s", name, env, value, default)
        return default
    return number


SERVER_STORE_MB = 500.0  # a server's store bound unless set: no visitor can fill the disk (the CLI has none)


def store_max_mb() -> float:
    """Megabytes the server's store may hold (`store_max_mb` or LAB_STORE_MAX_MB; default 500): past it the least
    recently used entries are evicted, never the pages' default views."""
    return positive("store_max_mb", "LAB_STORE_MAX_MB", SERVER_STORE_MB)


MAX_QUEUE = 512  # pieces of training queued or running on the server at most
SESSION_JOBS = 128  # pieces one visitor's session may have queued (the largest default view, tuning's, is 74)


def max_queue() -> int:
    """Pieces of training the server may have queued or running (`max_queue` or LAB_MAX_QUEUE; default 512)."""
    return int(positive("max_queue", "LAB_MAX_QUEUE", MAX_QUEUE))


def session_jobs() -> int:
    """Pieces of training one visitor's session may have queued (`session_jobs` or LAB_SESSION_JOBS; default 128)."""
    return int(positive("session_jobs", "LAB_SESSION_JOBS", SESSION_JOBS))


def class_db_url() -> str | None:
    """The class runs' database (`class_db_url` in secrets or LAB_CLASS_DB: a SQLAlchemy URL such as
    postgresql+psycopg://user:password@host/db); None (the default): SQLite in the store's folder
    (`lab.storage.classruns`)."""
    value = setting("class_db_url", "LAB_CLASS_DB")
    return str(value).strip() if value not in (None, "") and str(value).strip() else None
