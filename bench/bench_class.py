"""The class load test: the real server (`streamlit run app.py`) loaded by simulated students, one run, one table.

    python bench/bench_class.py --scenario spread --visitors 50 --arrive 5 --warm
    python bench/bench_class.py --scenario cold-compare --visitors 20
    python bench/bench_class.py --scenario one --page depth --query "lang=ja" --json one.json

Starts the server on a free localhost port with a store it is given (`--store`) or a fresh temporary one (LAB_STORE),
waits for /_stcore/health, and lets N visitors arrive evenly over `--arrive` seconds. Each loads its page over
Streamlit's websocket protocol as a browser does (see visitors.py) and keeps it open, like an open tab, until every
visitor has finished or failed. Meanwhile a thread polls /_stcore/health every 0.2 s (its latency is what a page
waiting for the server feels) and another samples the resident memory of the server and its child processes.

Scenarios:
  spread        N visitors over every page's default view, round robin over the 7 pages, ?lang=en and ?lang=ja in
                turn. With --warm the store is first warmed (one visitor per page to completion, on a server of its
                own); the measured server then starts cold on the warmed store.
  cold-compare  first one visitor alone, then N visitors together, on one not-yet-computed optimizer comparison, each
                run on a fresh store and a fresh server: does the server train once for all?
  one           one visitor on --page with --query (the "one visitor alone" baseline).

Prints per run: time to first element (first delta with a new element) and to finished (script_finished
FINISHED_SUCCESSFULLY), p50/p95/max; exceptions seen; failures and timeouts; health-check latency p95/max; the server's
peak RSS (with its children), its CPU time, this client's CPU time and the load average; then the requirement's
targets beside the measured numbers, PASS/FAIL. `--json FILE` writes the raw numbers. The server is always stopped at
the end (also on Ctrl-C and errors); every wait is bounded, so the whole run ends by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import math
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path

import psutil

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from visitors import ROOT, Server, Visit, visit  # noqa: E402

PAGES = ["", "optimizers", "depth", "generalization", "tuning", "neurons", "results"]  # URL paths; "" = home
LANGS = ["en", "ja"]
COMPARE_QUERY = "steps=300&seeds=20&opts=adam,sgd,momentum"  # small, and not the optimizers page's default
INTERVAL = 0.2  # seconds between health polls and between memory samples
HEALTH_TIMEOUT = 5.0
GIB = 2**30
# the requirement
FIRST_P95_S, FINISHED_P95_S, SPREAD_VISITORS, SPREAD_ARRIVE_S = 1.0, 5.0, 50, 5.0
COMPARE_RATIO, COMPARE_VISITORS, HEALTH_MAX_S, RSS_MAX = 1.5, 20, 0.250, GIB


# ---- sampling while visitors run -----------------------------------------------------------------------------------
class Sampler:
    """Two threads: one polls /_stcore/health every `INTERVAL` s and keeps (t, latency s, ok); one samples every
    `INTERVAL` s the RSS of the server process plus all its descendants, and each one's CPU time."""

    def __init__(self, port: int, pid: int):
        self.port, self.pid = port, pid
        self.health: list[tuple[float, float, bool]] = []
        self.rss: list[tuple[float, int, int, int]] = []  # t, total bytes, server process bytes, processes
        self.cpu: dict[int, float] = {}  # pid -> last seen user + system seconds
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=f, daemon=True) for f in (self._poll_health, self._sample_memory)]
        self.t0 = time.monotonic()

    def __enter__(self) -> Sampler:
        self.t0 = time.monotonic()
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(HEALTH_TIMEOUT + 2)

    def _ticks(self):
        k = 0
        while not self._stop.is_set():
            yield time.monotonic() - self.t0
            k += 1
            self._stop.wait(max(0.0, self.t0 + k * INTERVAL - time.monotonic()))

    def _poll_health(self) -> None:
        for t in self._ticks():
            start, ok = time.perf_counter(), False
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HEALTH_TIMEOUT)
                try:
                    conn.request("GET", "/_stcore/health")
                    response = conn.getresponse()
                    ok = response.status == 200 and response.read() == b"ok"
                finally:
                    conn.close()
            except OSError:
                pass
            self.health.append((round(t, 3), time.perf_counter() - start, ok))

    def _sample_memory(self) -> None:
        try:
            server = psutil.Process(self.pid)
        except psutil.Error:
            return
        for t in self._ticks():
            total = main = count = 0
            try:
                procs = [server, *server.children(recursive=True)]
            except psutil.Error:
                break
            for proc in procs:
                try:
                    rss = proc.memory_info().rss
                    times = proc.cpu_times()
                except psutil.Error:
                    continue
                total, count = total + rss, count + 1
                main = rss if proc.pid == self.pid else main
                self.cpu[proc.pid] = times.user + times.system
            self.rss.append((round(t, 3), total, main, count))


# ---- one run: a server, its visitors --------------------------------------------------------------------------------
async def drive(port: int, specs: list[tuple[str, str]], arrive: float, timeout: float) -> list[Visit]:
    """The visitors arrive evenly over `arrive` seconds; each page stays open until every visitor is done."""
    stay_open = asyncio.Event()
    pending = len(specs)
    close_by = time.monotonic() + arrive + timeout + 5

    def done(_visit: Visit) -> None:
        nonlocal pending
        pending -= 1
        if pending == 0:
            stay_open.set()

    async def arrival(i: int, page: str, query: str) -> Visit:
        offset = arrive * i / len(specs)
        await asyncio.sleep(offset)
        record = await visit(port, page, query, timeout, stay_open, close_by, done)
        record.arrival = round(offset, 3)
        return record

    tasks = [arrival(i, page, query) for i, (page, query) in enumerate(specs)]
    return await asyncio.wait_for(asyncio.gather(*tasks), arrive + timeout + 30)


def run(coro):
    """asyncio.run, quiet about the tasks an interruption cancels (Ctrl-C is handled by asyncio.Runner itself)."""
    def handler(loop, context):
        if not isinstance(context.get("exception"), asyncio.CancelledError):
            loop.default_exception_handler(context)
    with asyncio.Runner() as runner:
        runner.get_loop().set_exception_handler(handler)
        return runner.run(coro)


def loadavg() -> list[float] | None:
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


def run_phase(name: str, specs: list[tuple[str, str]], store: Path, args, note: str) -> dict:
    log = Path(args.logs) / f"server-{name}.log"
    print(f"-- running {name}: {len(specs)} visitor(s), {note}; store {store}", flush=True)
    load_before, client_cpu = loadavg(), time.process_time()
    with Server(store, log, port=args.port, app_dir=args.app_dir) as server:
        with Sampler(server.port, server.proc.pid) as sampler:
            visits = run(drive(server.port, specs, args.arrive if len(specs) > 1 else 0.0, args.timeout))
    return {"name": name, "note": note, "store": str(store), "log": str(log), "server_start_s": server.started_s,
            "load_before": load_before, "load_after": loadavg(), "client_cpu_s": time.process_time() - client_cpu,
            "server_cpu_s": sum(sampler.cpu.values()), "visits": [asdict(v) for v in visits],
            "health": sampler.health, "rss": sampler.rss}


def warm(store: Path, args) -> dict:
    """One visitor per page, one after another, each to completion, on a server of its own."""
    print(f"-- warming {store}: one visitor per page, one after another", flush=True)
    times = {}
    with Server(store, Path(args.logs) / "server-warm.log", port=args.port, app_dir=args.app_dir) as server:
        for page in PAGES:
            record = run(visit(server.port, page, "lang=en", args.warm_timeout))
            times[page or "(home)"] = record.finished
            print(f"   /{page:<15} {record.outcome:<9} {fmt(record.finished)} s"
                  + (f"  exceptions: {len(record.exceptions)}" if record.exceptions else "")
                  + (f"  {record.error}" if record.error else ""), flush=True)
    return times


# ---- numbers ---------------------------------------------------------------------------------------------------------
def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile; inf stands for a visitor that never got there."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def fmt(x: float | None, scale: float = 1.0, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isinf(x)):
        return "never"
    if isinstance(x, float) and math.isnan(x):
        return "-"
    return f"{x * scale:.{digits}f}"


def secs(x: float) -> str:
    return "never" if math.isinf(x) else f"{fmt(x)} s"


def summarize(phase: dict) -> dict:
    visits = phase["visits"]
    inf = math.inf
    first = [v["first_element"] if v["first_element"] is not None else inf for v in visits]
    finished = [v["finished"] if v["outcome"] == "finished" else inf for v in visits]
    health = [latency for _, latency, _ in phase["health"]]
    rss = phase["rss"]
    peak = max(rss, key=lambda r: r[1]) if rss else (0, 0, 0, 0)
    return {
        "visitors": len(visits),
        "first": {p: pct(first, p) for p in (50, 95, 100)},
        "finished": {p: pct(finished, p) for p in (50, 95, 100)},
        "exceptions": sum(len(v["exceptions"]) for v in visits),
        "visitors_with_exception": sum(1 for v in visits if v["exceptions"]),
        "timeouts": sum(1 for v in visits if v["outcome"] == "timeout"),
        "errors": sum(1 for v in visits if v["outcome"] not in ("finished", "timeout")),
        "no_navigation": sum(1 for v in visits if v["outcome"] == "finished" and not v["navigation"]),
        "health_polls": len(health), "health_failed": sum(1 for *_, ok in phase["health"] if not ok),
        "health": {p: pct(health, p) for p in (50, 95, 100)},
        "peak_rss": peak[1], "peak_rss_server": peak[2], "peak_processes": max((r[3] for r in rss), default=0),
    }


def finite(value):
    """JSON has no infinity: a time never reached is written as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def print_phase(phase: dict, s: dict) -> None:
    print(f"   {'':<22}{'p50':>9}{'p95':>9}{'max':>9}")
    for label, key, scale in (("first element (s)", "first", 1), ("finished (s)", "finished", 1),
                              ("health check (ms)", "health", 1000)):
        print(f"   {label:<22}" + "".join(f"{fmt(s[key][p], scale, 2 if scale == 1 else 0):>9}" for p in (50, 95, 100)))
    print(f"   exceptions seen: {s['exceptions']} (on {s['visitors_with_exception']} visitors); "
          f"failed: {s['timeouts'] + s['errors']} (timeouts {s['timeouts']}, errors {s['errors']}); "
          f"health polls: {s['health_polls']}, failed {s['health_failed']}")
    if s["no_navigation"]:
        print(f"   {s['no_navigation']} visitor(s) finished without a navigation message (a bare page, no frame)")
    mib = 2**20
    print(f"   server peak RSS: {s['peak_rss'] / mib:.0f} MiB (server process {s['peak_rss_server'] / mib:.0f} MiB, "
          f"{s['peak_processes']} processes); server CPU {phase['server_cpu_s']:.1f} s; "
          f"client CPU {phase['client_cpu_s']:.1f} s; load average {phase['load_before']} -> {phase['load_after']}")
    pages = sorted({v["page"] for v in phase["visits"]}, key=lambda p: PAGES.index(p) if p in PAGES else len(PAGES))
    if len(pages) > 1:
        print(f"   {'page':<16}{'n':>3}{'first p50':>11}{'finished p50':>14}{'max':>8}{'exc':>5}{'failed':>8}")
        for page in pages:
            mine = [v for v in phase["visits"] if v["page"] == page]
            first = [v["first_element"] if v["first_element"] is not None else math.inf for v in mine]
            done = [v["finished"] if v["outcome"] == "finished" else math.inf for v in mine]
            print(f"   /{page:<15}{len(mine):>3}{fmt(pct(first, 50)):>11}{fmt(pct(done, 50)):>14}"
                  f"{fmt(pct(done, 100)):>8}{sum(len(v['exceptions']) for v in mine):>5}"
                  f"{sum(v['outcome'] != 'finished' for v in mine):>8}")
    for v in phase["visits"]:
        for text in v["exceptions"][:1]:
            print(f"   exception on /{v['page']}?{v['query']}: {text.splitlines()[0][:200]}")
            break
    errors = {v["error"] for v in phase["visits"] if v["error"]}
    for error in sorted(errors)[:5]:
        print(f"   error: {error}")


def targets(scenario: str, phases: list[dict], summaries: list[dict], args) -> list[dict]:
    """The requirement's targets that this run measures: (a) spread, (b) and (c) cold-compare, (d) always."""
    rows = []

    def row(label, required, measured, ok, conditions=""):
        rows.append({"target": label, "required": required, "measured": measured, "pass": bool(ok),
                     "conditions": conditions})

    if scenario == "spread":
        s = summaries[-1]
        differ = []
        if s["visitors"] != SPREAD_VISITORS:
            differ.append(f"{s['visitors']} visitors, not {SPREAD_VISITORS}")
        if args.arrive > SPREAD_ARRIVE_S:
            differ.append(f"arriving within {args.arrive:g} s, not {SPREAD_ARRIVE_S:g}")
        if not (args.warm or args.store):
            differ.append("fresh store, not warmed")
        cond = "; ".join(differ)
        row("(a) p95 first element", f"<= {FIRST_P95_S:.2f} s", secs(s["first"][95]),
            s["first"][95] <= FIRST_P95_S, cond)
        row("(a) p95 finished", f"<= {FINISHED_P95_S:.2f} s", secs(s["finished"][95]),
            s["finished"][95] <= FINISHED_P95_S, cond)
        row("(a) exceptions", "0", str(s["exceptions"]), s["exceptions"] == 0, cond)
    if scenario == "cold-compare":
        alone, many = summaries
        limit = COMPARE_RATIO * alone["finished"][95]
        cond = "" if many["visitors"] == COMPARE_VISITORS else f"{many['visitors']} visitors, not {COMPARE_VISITORS}"
        row("(b) p95 finished, N vs alone", f"<= {COMPARE_RATIO:g} x {fmt(alone['finished'][95])} = {fmt(limit)} s",
            f"{secs(many['finished'][95])} ({many['finished'][95] / alone['finished'][95]:.2f} x)",
            many["finished"][95] <= limit, cond)
        row("(c) health check during (b)", f"<= {HEALTH_MAX_S * 1000:.0f} ms (max)",
            f"{fmt(many['health'][100], 1000, 0)} ms (p95 {fmt(many['health'][95], 1000, 0)} ms)",
            many["health"][100] <= HEALTH_MAX_S and many["health_failed"] == 0, cond)
    peak = max(s["peak_rss"] for s in summaries)
    row("(d) server peak RSS", f"<= {RSS_MAX / 2**20:.0f} MiB", f"{peak / 2**20:.0f} MiB", peak <= RSS_MAX)
    if any(s["timeouts"] + s["errors"] for s in summaries):
        row("every visitor finished", "0 failed", str(sum(s["timeouts"] + s["errors"] for s in summaries)), False)
    return rows


def print_targets(rows: list[dict]) -> None:
    print("\n== targets")
    for r in rows:
        print(f"   {r['target']:<30} {r['required']:<28} {r['measured']:<24} {'PASS' if r['pass'] else 'FAIL'}"
              + (f"   [this run: {r['conditions']}]" if r["conditions"] else ""))


# ---- main ----------------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=["spread", "cold-compare", "one"], default="spread")
    parser.add_argument("--visitors", type=int, default=None, help="default: 50 (spread), 20 (cold-compare)")
    parser.add_argument("--arrive", type=float, default=5.0, help="seconds over which the visitors arrive")
    parser.add_argument("--timeout", type=float, default=120.0, help="per visitor: seconds to finished")
    parser.add_argument("--store", type=Path, default=None,
                        help="the result store (cold-compare: its subfolders one/ and class/); else fresh temporary")
    parser.add_argument("--warm", action="store_true", help="spread: warm the store first (one visitor per page)")
    parser.add_argument("--warm-timeout", type=float, default=600.0, help="per page while warming")
    parser.add_argument("--page", default="", help="one: the URL path ('' = home)")
    parser.add_argument("--query", default=None,
                        help=f"one / cold-compare: the query string without '?' (cold-compare: {COMPARE_QUERY})")
    parser.add_argument("--port", type=int, default=None, help="default: a free port")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="where app.py is (default: this repository)")
    parser.add_argument("--json", type=Path, default=None, help="write the raw numbers here")
    args = parser.parse_args(argv)
    if args.scenario == "cold-compare" and args.warm:
        parser.error("cold-compare measures fresh stores; --warm does not apply")
    n = args.visitors or {"spread": SPREAD_VISITORS, "cold-compare": COMPARE_VISITORS, "one": 1}[args.scenario]
    if not 1 <= n <= 500:
        parser.error("--visitors must be between 1 and 500")

    def stop(signum, frame):  # SIGTERM ends the run like Ctrl-C: the servers are stopped on the way out
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)

    scratch = Path(tempfile.mkdtemp(prefix="lab-bench-class-"))
    args.logs = scratch / "logs"
    phases, warmed = [], None
    try:
        if args.scenario == "spread":
            store = args.store or scratch / "store"
            specs = [(PAGES[i % len(PAGES)], f"lang={LANGS[i % len(LANGS)]}") for i in range(n)]
            if args.warm:
                warmed = warm(store, args)
            note = "warmed store" if args.warm else ("given store" if args.store else "fresh store")
            phases.append(run_phase("spread", specs, store, args, f"every page's default view, {note}"))
        elif args.scenario == "cold-compare":
            query = args.query if args.query is not None else COMPARE_QUERY
            base = args.store or scratch
            specs = [("optimizers", query)]
            phases.append(run_phase("alone", specs, base / "one", args, f"/optimizers?{query}, fresh store"))
            phases.append(run_phase("class", specs * n, base / "class", args, f"/optimizers?{query}, fresh store"))
        else:
            query = args.query if args.query is not None else "lang=en"
            note = "given store" if args.store else "fresh store"
            phases.append(run_phase("one", [(args.page, query)], args.store or scratch / "store", args,
                                    f"/{args.page}?{query}, {note}"))
        summaries = [summarize(p) for p in phases]
        for phase, s in zip(phases, summaries):
            print(f"\n== {phase['name']}: {s['visitors']} visitor(s), {phase['note']}")
            print_phase(phase, s)
        rows = targets(args.scenario, phases, summaries, args)
        print_targets(rows)
        if args.json:
            args.json.write_text(json.dumps(finite(
                {"args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                 "cpus": os.cpu_count(), "warm": warmed, "phases": phases, "summaries": summaries, "targets": rows}),
                indent=1, default=str))
            print(f"\nraw numbers: {args.json}")
        return 0
    except KeyboardInterrupt:
        print("\ninterrupted; the server was stopped", file=sys.stderr)
        return 130
    finally:
        for sub in ("store", "one", "class"):  # the temporary stores; a given --store is kept
            shutil.rmtree(scratch / sub, ignore_errors=True)
        if args.logs.exists():
            print(f"server logs: {args.logs}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
