"""The dashboard's one compute module: the budget, the store, every cache of computed results (`forget_results` clears
them) and the training a page asks for."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from lab.core import budget
from lab.core.config import TrialConfig
from lab.dashboard import jobs, memo
from lab.dashboard.memo import remembered
from lab.dashboard.shell import tr
from lab.dashboard.views import depth as depth_view
from lab.dashboard.views import lecture as lecture_view
from lab.dashboard.views import optimizers as optimizers_view
from lab.dashboard.views import results as results_view
from lab.science import digests
from lab.storage.derived import stored_tests
from lab.storage.service import ComputeService, QueueFull
from lab.storage.store import Store, default_root


def entry_summary(key: str):
    table = results_view.entry_table(store(), key, tr("lr"))
    return table if table is not None else pd.DataFrame()


def entry_csv(key: str, stride: int = 1) -> bytes:
    """One entry's curves at every `stride`-th step (built when the download is clicked)."""
    return results_view.entry_csv(store(), key, stride)


def delete_entry(key: str, name: str) -> None:
    store().delete(key)
    forget_results()
    st.session_state.pop("res.confirm", None)
    st.session_state["res.key"] = None
    st.session_state["res.deleted"] = name


def curves_csv(configs: tuple, n_seeds: int, stride: int = 1) -> bytes:
    """Every seed's curves of the configs at every `stride`-th step (built when the download is clicked)."""
    return optimizers_view.curves_csv(store(), list(configs), n_seeds, stride)


# ---- compute budget ------------------------------------------------------------------------------------------------
def max_work() -> int:
    return budget.max_work(_setting("max_work", "LAB_MAX_WORK"))


def _setting(name: str, env: str):
    """A hosted-mode setting: `.streamlit/secrets.toml`'s `name`, else the environment variable `env`."""
    try:
        value = st.secrets.get(name)
    except Exception:  # noqa: BLE001 - no secrets file
        value = None
    return value if value is not None else os.environ.get(env)


def allow_delete() -> bool:
    """Whether visitors may delete stored results: off unless the teacher turns it on (`allow_delete = true` in
    secrets, or LAB_ALLOW_DELETE=1), so a shared server's visitors are read-only by default."""
    value = _setting("allow_delete", "LAB_ALLOW_DELETE")
    return value is not None and str(value).strip().lower() in ("1", "true", "yes", "on")


def within_budget(configs, trials_each: int) -> bool:
    """True if the request fits the budget; else an error saying the limit, and False."""
    needed, limit = budget.work(configs, trials_each), max_work()
    if needed <= limit:
        return True
    st.error(tr("budget.over", needed=f"{needed:,}", limit=f"{limit:,}"), icon=":material/block:")
    return False


# ---- bounded caches of computed results (shared by every session of the server) ----------------------------------
def store() -> Store:
    """The store of this server (LAB_STORE), one object per folder and size limit."""
    return _store(str(default_root()), os.environ.get("LAB_STORE_MAX_MB"))


@st.cache_resource(show_spinner=False)
def _store(root: str, max_mb: str | None) -> Store:  # max_mb: part of the key (Store reads it from the environment)
    return Store(Path(root).resolve())


def _root() -> str:
    return str(store().root)


# ---- training: in the worker processes of one service per server, never in this process ---------------------------
def workers() -> int | None:
    """Worker processes (`workers` in secrets or LAB_WORKERS; default: the cores)."""
    value = _setting("workers", "LAB_WORKERS")
    return int(value) if value not in (None, "") else None


def device() -> str:
    """Where the workers train (`device` in secrets or LAB_DEVICE: cpu, cuda, cuda:N; default cpu)."""
    value = _setting("device", "LAB_DEVICE")
    return str(value).strip() if value not in (None, "") else "cpu"


@st.cache_resource(show_spinner=False)
def service() -> ComputeService:
    """The server's one pool of worker processes (started on first use)."""
    return ComputeService(workers=workers(), device=device(), preload=jobs.PRELOAD)


POLL_S = 0.3  # how often a waiting page looks at its request's progress


def _wait(ticket, text) -> None:
    """Show `ticket`'s progress (and its place in the queue) until it is done; release it however this ends (a rerun
    raised by the next st.* call, a closed tab), so work nobody waits for any more is cancelled."""
    try:
        if not ticket.done:
            bar = st.progress(0.0, text=tr("queue.start"))
            while not ticket.done:
                ahead = ticket.position
                label = tr("queue.waiting", ahead=ahead) if ahead and not ticket.trained else \
                    text(ticket.trained, ticket.total)
                bar.progress(min(1.0, ticket.trained / max(1, ticket.total)), text=label)
                ticket.wait(POLL_S)
            bar.empty()
        ticket.result()
    finally:
        ticket.release()


def ensure(items, text=None) -> bool:
    """Make sure the store holds every (config, seeds) of `items` (seeds: a list, or n for 0..n-1): what it lacks is
    queued for the workers (joining work already queued or running for other visitors) while the page shows the
    progress. False, with a message, when the queue is full."""
    items = [(config, range(seeds) if isinstance(seeds, int) else list(seeds)) for config, seeds in items]
    try:
        ticket = service().request(_root(), items)
    except QueueFull:
        st.warning(tr("queue.full"), icon=":material/hourglass_top:")
        return False
    _wait(ticket, text or (lambda done, total: tr("queue.training", done=done, total=total)))
    return True


def train(configs, n_seeds: int) -> bool:
    """Seeds 0..n-1 of every config in the store: what is missing is trained if it fits the budget (else a message,
    and False); what is stored already costs nothing."""
    todo = [c for c in dict.fromkeys(configs) if store().missing(c, range(n_seeds))]
    return within_budget(todo, n_seeds) and ensure([(c, n_seeds) for c in todo])


def in_worker(fn, *args):
    """`fn(*args)` computed in a worker process (one flight per arguments), waiting with a spinner."""
    ticket = service().call(fn, *args)
    try:
        if not ticket.wait(POLL_S):  # most answers come sooner: no spinner for them
            with st.spinner(tr("training")):
                while not ticket.wait(POLL_S):
                    pass
        ticket.result()
        return service().value(ticket)
    finally:
        ticket.release()


def store_entries():
    """The store's listing, read again only when its folder changed (an entry written, replaced or deleted)."""
    return _entries(_root(), os.stat(_root()).st_mtime_ns)


@remembered
def _entries(root: str, version: int):
    return results_view.entries(Store(root))


# ---- bounded caches of what pages show (shared by every session; built from stored results only) ---------------
@remembered
def _trial(root: str, config: TrialConfig, seed: int) -> lecture_view.Trial:
    return in_worker(jobs.trial_view, root, config, seed)


def trial(config: TrialConfig, seed: int) -> lecture_view.Trial:
    ensure([(config, [seed])])
    return _trial(_root(), config, seed)


@remembered
def _digests(root: str, configs: tuple, n_seeds: int, smooth: int) -> list[digests.Digest]:
    return in_worker(jobs.digest_list, root, configs, n_seeds, smooth)


def digests_of(configs, n_seeds: int, smooth: int = 1) -> list[digests.Digest]:
    """Each config's digest over seeds 0..n-1, built by a worker from stored results (call `ensure` first)."""
    return _digests(_root(), tuple(configs), n_seeds, smooth)


@remembered
def _from_digests(root: str, fn, configs: tuple, n_seeds: int, smooth: int, args: tuple):
    return fn(_digests(root, configs, n_seeds, smooth), *args)


def from_digests(fn, configs, n_seeds: int, smooth: int, *args):
    """`fn(digests, *args)` (a module's function) over the configs' digests (`digests_of`), remembered for every
    visitor: a table a page builds from digests costs a look-up a view."""
    return _from_digests(_root(), fn, tuple(configs), n_seeds, smooth, args)


def digest(config: TrialConfig, n_seeds: int, smooth: int = 1) -> digests.Digest:
    return digests_of([config], n_seeds, smooth)[0]


def evidence(configs, n_seeds: int, lr_word: str = "lr"):
    """The optimizers page's pairwise table and Kaplan–Meier curves over seeds 0..n-1 (from stored results)."""
    return from_digests(optimizers_view.evidence, configs, n_seeds, 1, lr_word)


def cache_mb() -> float:
    """Megabytes all caches of results may hold together (`cache_mb` in secrets or LAB_CACHE_MB; default 256)."""
    value = _setting("cache_mb", "LAB_CACHE_MB")
    return float(value) if value not in (None, "") else float(memo.DEFAULT_MB)


def cached_bytes() -> int:
    """Bytes the server's cache of results and chart specs holds (`lab.dashboard.memo`: each value's pickled size)."""
    return memo.held_bytes()


def bound_caches() -> None:
    """Keep the cache of results and chart specs within `cache_mb` (least recently used out first)."""
    memo.limit(int(cache_mb() * 2**20))


def forget_results() -> None:
    """After the store changed under them (an entry deleted), or to free memory: every cache of results and charts."""
    memo.clear()


# ---- the pages' other caches: all here, all cleared by `forget_results` ------------------------------------------
@remembered
def _depth_digests(root: str, configs: tuple, n_seeds: int) -> list:
    return in_worker(jobs.depth_digest_list, root, configs, n_seeds)


def depth_digests(configs, n_seeds: int) -> dict:
    """Each config's depth digest over seeds 0..n-1, built by a worker from stored results, by config."""
    return dict(zip(configs, _depth_digests(_root(), tuple(configs), n_seeds), strict=True))


@remembered
def _depth_stats(root: str, configs: tuple, n_seeds: int, tests_each: tuple) -> pd.DataFrame:
    digests = _depth_digests(root, configs, n_seeds)
    return depth_view.stats_table(digests, [_hessian_tests(root, c, n_seeds, t) for c, t in zip(configs, tests_each)])


def depth_stats(configs, n_seeds: int, tests_each) -> pd.DataFrame:
    """The depth page's statistics table (`views.depth.stats_table`) over seeds 0..n-1, each config's Hessian test
    of at most `tests_each[i]` stalls."""
    return _depth_stats(_root(), tuple(configs), n_seeds, tuple(tests_each))


@remembered
def _hessian_tests(root: str, config: TrialConfig, n_seeds: int, tests: int) -> dict:
    found = stored_tests(Store(root), config, n_seeds, tests)
    return found if found is not None else in_worker(jobs.hessian_tests, root, config, n_seeds, tests)


def hessian_tests(config: TrialConfig, n_seeds: int, tests: int) -> dict:
    """The Hessian test of at most `tests` stalled trials among seeds 0..n-1 (kept with the entry once computed)."""
    return _hessian_tests(_root(), config, n_seeds, tests)


@remembered
def _trace(root: str, config: TrialConfig):
    return in_worker(jobs.trace_bands, root, config)


def trace(config: TrialConfig):
    """The activation trace's bands of `config` (kept with its entry once computed)."""
    return _trace(_root(), config)


@remembered
def _spectrum(root: str, config: TrialConfig, seed: int, step: int):
    return in_worker(jobs.spectrum, root, config, seed, step)


def spectrum(config: TrialConfig, seed: int, step: int):
    return _spectrum(_root(), config, seed, step)


@remembered
def _finite_digest(root: str, config: TrialConfig, n_seeds: int):
    return in_worker(jobs.finite_digest, root, config, n_seeds)


def finite_digest(config: TrialConfig, n_seeds: int):
    return _finite_digest(_root(), config, n_seeds)


@remembered
def _tuning_tables(root: str, lr_configs: tuple, batch_configs: tuple, n_seeds: int):
    return in_worker(jobs.tuning_tables, root, lr_configs, batch_configs, n_seeds)


def tuning_tables(lr_configs, batch_configs, n_seeds: int):
    return _tuning_tables(_root(), tuple(lr_configs), tuple(batch_configs), n_seeds)


@remembered
def _replay(root: str, config: TrialConfig, seed: int) -> dict:
    return in_worker(jobs.replay_frames, root, config, seed)


def replay(config: TrialConfig, seed: int) -> dict:
    """One trial's frames for the lecture page's replay (`jobs.replay_frames`): computed in a worker, kept with the
    trial's entry."""
    ensure([(config, [seed])])
    return _replay(_root(), config, seed)


@remembered
def _landscape(root: str, configs: tuple, seed: int, normalize: bool) -> dict:
    return in_worker(jobs.landscape_tables, root, configs, seed, normalize)


def landscape(configs: tuple, seed: int, normalize: bool) -> dict:
    """The loss surface through the optimizers' paths (`jobs.landscape_tables`): computed in a worker, kept with the
    first config's entry (its trial stored first)."""
    ensure([(configs[0], [seed])])
    return _landscape(_root(), tuple(configs), seed, normalize)
