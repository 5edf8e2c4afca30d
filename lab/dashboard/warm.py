"""`python -m lab warm`: every page's default view computed into the store before a class opens the link, so that no
page's first view trains anything: the trials each page shows by default, and what the pages derive from them (the
depth page's Hessian tests, activation traces and the spectrum of its first stall; the lecture page's replay; the
landscape page's surface). Training runs in worker processes as on the server (lab.compute.service; here one pool
does both kinds of job, so that each uses every core), chunk by chunk, each chunk stored at once: an interrupted
warm-up loses nothing and a second one trains only what is missing. No Streamlit here."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field

from lab.compute import jobs
from lab.compute.chunks import chunk_seeds
from lab.compute.service import ComputeService
from lab.core.config import TrialConfig
from lab.dashboard.depth import state as depth
from lab.dashboard.depth.tables import stall_options
from lab.dashboard.generalization import state as generalization
from lab.dashboard.landscape import state as landscape
from lab.dashboard.lecture import state as lecture
from lab.dashboard.neurons import state as neurons
from lab.dashboard.optimizers import state as optimizers
from lab.dashboard.shared.replay import replayable
from lab.dashboard.tuning import state as tuning
from lab.science import digests
from lab.storage.store import Store


@dataclass(frozen=True)
class View:
    """One page's default view: the seeds of each config it shows, and the derived results it reads."""

    page: str
    trials: list[tuple[TrialConfig, list[int]]]
    derived: list[tuple] = field(default_factory=list)  # (job, *arguments after the store's root)

    @property
    def n_trials(self) -> int:
        return sum(len(seeds) for _, seeds in self.trials)


def seeds(n: int) -> list[int]:
    return list(range(n))


def default_views() -> list[View]:
    """The pages' default views, in the navigation's order (the depth page's spectrum needs its trials first: see
    `stall_jobs`)."""
    lec, opt, deep = lecture.DEFAULT, optimizers.DEFAULT, depth.DEFAULT
    gen, tun, neu, land = generalization.DEFAULT, tuning.DEFAULT, neurons.DEFAULT, landscape.DEFAULT
    xor = [TrialConfig(task="xor", width=w) for w in neurons.WIDTHS]
    shown = xor[neurons.WIDTHS.index(neu.width)]
    return [
        View("neurons", [(c, seeds(neurons.SUCCESS_SEEDS)) for c in xor] + [(shown, [neu.seed])],
             [(jobs.replay_frames, shown, neu.seed)]),
        View("lecture", [(lec.config, [lec.seed])],
             [(jobs.replay_frames, lec.config, lec.seed)] if replayable(lec.config) else []),
        View("optimizers", [(c, seeds(opt.seeds)) for c in opt.configs()]),
        View("depth", [(c, seeds(deep.seeds)) for c in deep.configs()],
             [(jobs.hessian_tests, c, deep.seeds, deep.tests) for c in deep.grid()]
             + [(jobs.trace_bands, deep.config(deep.activation, deep.depth, init=deep.trace_init))]),
        View("generalization", [(gen.config, seeds(gen.seeds))]),
        View("tuning", [(c, seeds(tun.seeds)) for c in tun.lr_configs() + tun.batch_configs()]),
        View("landscape", [(land.configs()[0], [land.seed])],
             [(jobs.landscape_tables, tuple(land.configs()), land.seed, land.normalize)]),
    ]


def stall_jobs(store: Store) -> list[tuple]:
    """The depth page's default Hessian spectrum and replay of its first stalled trial of the focus config (once
    its trials are trained); none when no trial stalls."""
    state = depth.DEFAULT
    focus = state.focus()
    options = stall_options(digests.depth_digest(store, focus, state.seeds).stalled)
    if not options:
        return []
    seed = next(iter(options))
    start, end, _ = options[seed]
    return [(jobs.spectrum, focus, seed, (start + end) // 2)] + \
        ([(jobs.replay_frames, focus, seed)] if replayable(focus) else [])


def wait(ticket, label: str, out=sys.stdout) -> None:
    """Print `label`'s progress until `ticket` is done (raising what the work raised)."""
    shown = -1
    while not ticket.done:
        if ticket.trained != shown:
            shown = ticket.trained
            print(f"\r  {label}: {shown:,}/{ticket.total:,}", end="", file=out, flush=True)
        time.sleep(0.5)
    ticket.result()


def warm(store: Store, views: list[View], workers: int | None = None, out=sys.stdout) -> list[dict]:
    """Compute every view into `store`; per page: trials shown, trials trained, derived results computed, seconds."""
    rows = []
    service = ComputeService(workers=workers, split=False)  # both kinds of job on every core
    stopped = True  # Ctrl-C, SIGTERM or an error: the workers are ended, their running jobs abandoned
    try:
        for view in views:
            rows.append(warm_view(service, store, view, lambda ticket, label: wait(ticket, label, out)))
            print(f"\r  {view.page}: {view.n_trials:,} trials ({rows[-1]['trained']:,} trained), "
                  f"{rows[-1]['derived']} derived results, {rows[-1]['seconds']:.1f} s", file=out, flush=True)
        stopped = False
    finally:
        service.shutdown(kill=stopped)
    return rows


def warm_view(service: ComputeService, store: Store, view: View, waiting, together: bool = True) -> dict:
    """Compute one view into `store` through `service` (its trials first, then what is derived from them), waiting
    for each request with `waiting(ticket, label)`; each ticket is released once done. `together`: everything queued
    at once (a warm-up's own workers); else a few pieces at a time, as many as the service has workers, so that a
    server's visitors' requests are queued after at most those. The view's row: trials shown, trials trained,
    derived results computed, seconds."""
    root, start = str(store.root.resolve()), time.perf_counter()
    missing = sum(len(store.missing(c, s)) for c, s in view.trials)

    def done(ticket, label: str) -> None:
        try:
            waiting(ticket, label)
        finally:
            ticket.release()

    if together:
        done(service.request(store, view.trials), f"{view.page}: trials")
    else:
        todo = [(c, list(chunk)) for c, seeds in view.trials for chunk in chunk_seeds(c, store.missing(c, seeds))]
        for first in range(0, len(todo), service.workers):  # the service cuts each piece as it is: flights match
            done(service.request(store, todo[first:first + service.workers]), f"{view.page}: trials")
    derived = view.derived + (stall_jobs(store) if view.page == "depth" else [])
    if together:
        tickets = [service.call(job, root, *args) for job, *args in derived]
        for ticket in tickets:
            done(ticket, f"{view.page}: derived results")
    else:  # one at a time: a server's visitors' jobs are queued between them
        for job, *args in derived:
            done(service.call(job, root, *args), f"{view.page}: derived results")
    return {"page": view.page, "trials": view.n_trials, "trained": missing, "derived": len(derived),
            "seconds": time.perf_counter() - start}


def warm_command(args: argparse.Namespace) -> int:
    """`python -m lab warm` with its parsed arguments (lab/cli/warm.py: --store, --workers, --pages)."""
    views = default_views()
    if args.pages:
        wanted = [p.strip() for p in args.pages.split(",") if p.strip()]
        unknown = sorted(set(wanted) - {v.page for v in views})
        if unknown or not wanted:
            print(f"error: --pages: unknown page {', '.join(unknown) or '(none given)'}; choose from "
                  + ", ".join(v.page for v in views), file=sys.stderr)
            return 2
        views = [v for v in views if v.page in wanted]
    if args.workers is not None and args.workers < 1:
        print("error: --workers: must be at least 1", file=sys.stderr)
        return 2
    store = Store(args.store)
    print(f"warming {store.root} with {len(views)} pages' default views", flush=True)
    start = time.perf_counter()
    try:
        rows = warm(store, views, args.workers)
    except KeyboardInterrupt as stop:  # Ctrl-C or SIGTERM: lab.cli.parser says what was kept and exits
        print(flush=True)  # ends the progress line
        stop.kept = "what was trained so far is in the store (run again to finish)"
        raise
    print(f"done in {time.perf_counter() - start:.1f} s: {sum(r['trained'] for r in rows):,} trials trained, "
          f"{sum(r['trials'] for r in rows):,} shown by default", flush=True)
    return 0
