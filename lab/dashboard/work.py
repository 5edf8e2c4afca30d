"""The work a page asks for, done in the server's worker processes (lab.compute), never in the web process: trials
made sure of in the store (`ensure`, `train`: queued, with the page showing progress and its place in the queue) and a
job's result (`result`, a job of `lab.compute.jobs`) through the server's one cache.

Which results are kept where, and for how long:

- the result store (`lab.storage.store`, a folder of Parquet files): every trained trial, by config; until deleted,
  or evicted least recently used first past the server's bound (`settings.store_max_mb`: 500 MB unless set), never
  the pages' default views;
- files beside an entry (`lab.storage.derived`): what a job derived from it (Hessian tests, traces, spectra, replays,
  landscapes); as long as the entry;
- the server's cache (`lab.dashboard.memo`, in the web process): job results, the tables pages build from them and
  chart specs, the objects themselves; 6 hours at most, least recently used out first past `cache_mb`, emptied by
  `forget_results`;
- `st.cache_resource`: the worker service and the store handle; the server's life;
- `lab.dashboard.exactness`: whether the engine is bitwise the plain program here, per network shape; the server's
  life.
"""

from __future__ import annotations

import threading
import time
import weakref
from pathlib import Path

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lab.compute import jobs
from lab.compute.service import ComputeService, QueueFull, SessionFull, open_services
from lab.compute.workers import limit_malloc_arenas
from lab.core import budget
from lab.dashboard import memo, settings
from lab.dashboard.memo import remembered
from lab.dashboard.shell import tr
from lab.storage.store import Store, default_root

POLL_S = 0.3  # how often a waiting page looks at its request's progress


# ---- the store and the workers: one of each per server ------------------------------------------------------------
def store() -> Store:
    """The store of this server (LAB_STORE), one object per folder and size bound: bounded by default
    (`settings.store_max_mb`), so that no visitor can fill the disk; the pages' default views are never evicted."""
    return _store(str(default_root()), settings.store_max_mb())


@st.cache_resource(show_spinner=False)
def _store(root: str, max_mb: float) -> Store:
    from lab.dashboard.warm import default_views  # the pages' states: read once per server

    pinned = {config.key() for view in default_views() for config, _ in view.trials}
    return Store(Path(root).resolve(), max_mb=max_mb, pinned=pinned)


def root() -> str:
    return str(store().root)


@st.cache_resource(show_spinner=False)
def service() -> ComputeService:
    """The server's worker processes (started on first use), and a thread that cancels what closed sessions left
    queued (`sweep_sessions`)."""
    limit_malloc_arenas()  # the web process's script threads too: freed memory reused, not kept per thread
    pool = ComputeService(workers=settings.workers(), device=settings.device(), preload=jobs.PRELOAD,
                          max_queue=settings.max_queue(), session_jobs=settings.session_jobs())
    threading.Thread(target=sweep_sessions, args=(weakref.ref(pool),), name="lab-session-sweep", daemon=True).start()
    return pool


SWEEP_S = 2.0  # how often the server looks for sessions that ended with work queued


def session_id() -> str | None:
    """The visitor's session (one browser tab; a reload is a new one), None outside a script run."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def sweep_sessions(pool_ref) -> None:
    """Every SWEEP_S seconds, release the tickets of the sessions the server no longer knows (a tab closed, reloaded
    or gone quiet): their queued work that no other session waits for is cancelled. Streamlit also stops a
    disconnected session's script, which releases its ticket; this catches what a stopped script cannot (a wait
    outside st.* calls). Ends with the service."""
    while (pool := pool_ref()) is not None and pool in open_services():
        if runtime.exists():
            known = runtime.get_instance().is_active_session
            for session in pool.sessions():
                if session is not None and not known(session):
                    pool.forget_session(session)
        del pool
        time.sleep(SWEEP_S)


# ---- training ------------------------------------------------------------------------------------------------------
def within_budget(configs, trials_each: int) -> bool:
    """True if the request fits the budget; else an error saying the limit, and False."""
    needed, limit = budget.work(configs, trials_each), settings.max_work()
    if needed <= limit:
        return True
    st.error(tr("budget.over", needed=f"{needed:,}", limit=f"{limit:,}"), icon=":material/block:")
    return False


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
    queued for the workers (joining work already queued or running for other visitors; taking turns with the other
    visitors' sessions) while the page shows the progress. False, with a message, when this visitor has too much
    queued already or the whole queue is full."""
    items = [(config, range(seeds) if isinstance(seeds, int) else list(seeds)) for config, seeds in items]
    try:
        ticket = service().request(store(), items, session=session_id())
    except SessionFull:
        st.warning(tr("queue.session_full", limit=settings.session_jobs()), icon=":material/hourglass_top:")
        return False
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


# ---- jobs' results, remembered for every visitor ------------------------------------------------------------------
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


@remembered
def _result(store_root: str, job, args: tuple):
    return in_worker(job, store_root, *args)


def result(job, *args):
    """`job(store, *args)`, a job of `lab.compute.jobs.JOBS`, computed by a worker from this server's store and
    remembered for every visitor (call `ensure` first for the trials it reads)."""
    if jobs.JOBS.get(job.__name__) is not job:
        raise ValueError(f"{job.__module__}.{job.__qualname__} is not a job of lab.compute.jobs")
    return _result(root(), job, tuple(args))


@remembered
def _derived(fn, job, args: tuple, fn_args: tuple):
    return fn(result(job, *args), *fn_args)


def derived(fn, job, args: tuple, *fn_args):
    """`fn(result(job, *args), *fn_args)` (`fn`: a module's function), remembered for every visitor: a table a page
    builds from a job's result costs a look-up a view."""
    return _derived(fn, job, tuple(args), fn_args)


def digests_of(configs, n_seeds: int, smooth: int = 1):
    """Each config's digest over seeds 0..n-1 (`lab.science.digests`), built by a worker from stored results."""
    return result(jobs.digest_list, tuple(configs), n_seeds, smooth)


def from_digests(fn, configs, n_seeds: int, smooth: int, *args):
    """`fn(digests, *args)` over the configs' digests (`digests_of`), remembered for every visitor."""
    return derived(fn, jobs.digest_list, (tuple(configs), n_seeds, smooth), *args)


def digest(config, n_seeds: int, smooth: int = 1):
    return digests_of([config], n_seeds, smooth)[0]


# ---- the cache -----------------------------------------------------------------------------------------------------
def cached_bytes() -> int:
    """Bytes the server's cache of results and chart specs holds (`lab.dashboard.memo`: each value's pickled size)."""
    return memo.held_bytes()


def bound_caches() -> None:
    """Keep the cache of results and chart specs within `cache_mb` (least recently used out first)."""
    memo.limit(int(settings.cache_mb() * 2**20))


def forget_results() -> None:
    """After the store changed under them (an entry deleted), or to free memory: every cache of results and charts."""
    memo.clear()


# ---- what several pages show: one stored trial and its replay ----------------------------------------------------
def trial(config, seed: int):
    """One stored trial as the pages show it (`lab.science.inspect.Trial`), trained first if the store lacks it."""
    ensure([(config, [seed])])
    return result(jobs.trial, config, seed)


def replay(config, seed: int) -> dict:
    """One trial's replay frames (`jobs.replay_frames`), computed by a worker and kept with the trial's entry."""
    ensure([(config, [seed])])
    return result(jobs.replay_frames, config, seed)
