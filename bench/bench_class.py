"""The class load test: the real server (`streamlit run app.py`) loaded by simulated students, one run, one table.

    python bench/bench_class.py --scenario spread --visitors 50 --arrive 5 --warm
    python bench/bench_class.py --scenario spread --visitors 50 --arrive 5 --warm --opened
    python bench/bench_class.py --scenario spread --visitors 50 --arrive 5 --warm --serve
    python bench/bench_class.py --scenario cold-compare --visitors 20
    python bench/bench_class.py --scenario one --page depth --query "lang=ja" --json one.json
    python bench/bench_class.py --scenario host --class-after 180
    python bench/bench_class.py --scenario exercise --class-after 180
    python bench/bench_class.py --scenario classrun --visitors 100 --arrive 60

Starts the server on a free localhost port with a store it is given (`--store`) or a fresh temporary one (LAB_STORE),
waits for /_stcore/health, and lets N visitors arrive evenly over `--arrive` seconds. Each loads its page over
Streamlit's websocket protocol as a browser does (see visitors.py) and keeps it open, like an open tab, until every
visitor has finished or failed. Meanwhile a thread polls /_stcore/health every 0.2 s (its latency is what a page
waiting for the server feels) and another samples the resident memory of the server and its child processes.

Scenarios:
  spread        N visitors over every page's default view, round robin over the 8 pages, ?lang=en and ?lang=ja in
                turn. With --warm the store is first warmed (`python -m lab warm`, as a teacher does before class);
                the measured server then starts cold on the warmed store. With --opened the teacher opens the
                home page once before the class arrives (the server has then loaded the app and its libraries). With
                --serve the server is started by `python -m lab serve --no-warm`, which opens every page's default
                view in both languages before it says it is ready (the README's hosting commands).
  cold-compare  first one visitor alone, then N visitors together, on one not-yet-computed optimizer comparison, each
                run on a fresh store and a fresh server: does the server train once for all?
  one           one visitor on --page with --query (the "one visitor alone" baseline).
  host          the hosted link: a fresh store (or --store), `streamlit run app.py` alone with its self-warm on; the
                teacher opens the home page, and --class-after seconds later (default 180) N visitors (default 50)
                arrive within --arrive seconds over every page's default view, as in spread. Also prints the
                warm-up's duration and when each page's default view was ready (from the server's log).
  exercise      the hosted link, then a class doing exercises: as host up to the class, then 30 students (--visitors)
                each open the lecture page with their own seed (1000, 1001, ...) within 10 s, then 30 each open the
                optimizer comparison with their own learning rate for Adam; each phase must finish within 10 s p95.
  classrun      one class run (bench/classrun_scenario.py): N students (default 100) press "Add my run" within
                --arrive seconds (default 60) while every page refreshes its class picture; server by `serve`.

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
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path

import psutil

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from class_report import (  # noqa: E402
    COMPARE_VISITORS,
    PAGES,
    SPREAD_VISITORS,
    finite,
    print_phase,
    print_targets,
    print_warm_up,
    summarize,
    targets,
)
from classrun_scenario import STUDENTS, run_classrun  # noqa: E402
from visitors import ROOT, Server, Visit, visit  # noqa: E402

LANGS = ["en", "ja"]
COMPARE_QUERY = "steps=300&seeds=20&opts=adam,sgd,momentum"  # small, and not the optimizers page's default
INTERVAL = 0.2  # seconds between health polls and between memory samples
HEALTH_TIMEOUT = 5.0
EXERCISE_VISITORS, EXERCISE_ARRIVE_S = 30, 10.0
# the requirement


# ---- sampling while visitors run -----------------------------------------------------------------------------------
class Sampler:
    """Two threads: one polls /_stcore/health every `INTERVAL` s and keeps (t, latency s, ok); one samples every
    `INTERVAL` s the RSS of the server process plus all its descendants, and each one's CPU time."""

    def __init__(self, port: int, pid: int):
        self.port, self.pid = port, pid
        self.health: list[tuple[float, float, bool]] = []
        self.rss: list[tuple[float, int, int, int]] = []  # t, total bytes, server process bytes, processes
        self.pss: list[tuple[float, int]] = []  # t, total proportional set size (each second; Linux)
        self.cpu: dict[int, float] = {}  # pid -> last seen user + system seconds
        self.peaks: dict[int, tuple[str, int]] = {}  # pid -> (what the process is, its peak RSS)
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
        for tick, t in enumerate(self._ticks()):
            total = main = count = pss = 0
            try:
                procs = [server, *server.children(recursive=True)]
            except psutil.Error:
                break
            for proc in procs:
                try:
                    rss = proc.memory_info().rss
                    times = proc.cpu_times()
                    if tick % 5 == 0:  # proportional set size: pages shared by the processes (libraries) counted once
                        pss += getattr(proc.memory_full_info(), "pss", 0)
                except psutil.Error:
                    continue
                total, count = total + rss, count + 1
                main = rss if proc.pid == self.pid else main
                kind, peak = self.peaks.get(proc.pid) or (role(proc, self.pid), 0)
                self.peaks[proc.pid] = (kind, max(peak, rss))
                self.cpu[proc.pid] = times.user + times.system
            self.rss.append((round(t, 3), total, main, count))
            if pss:
                self.pss.append((round(t, 3), pss))


def role(proc: psutil.Process, server: int) -> str:
    """What a process of the server's tree is: the web process, a worker, multiprocessing's resource tracker."""
    if proc.pid == server:
        return "web process"
    try:
        line = " ".join(proc.cmdline())
    except psutil.Error:
        return "?"
    return "resource tracker" if "resource_tracker" in line else "worker" if "multiprocessing" in line else line[:40]


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
    serve = getattr(args, "serve", False)
    with Server(store, log, port=args.port, app_dir=args.app_dir, serve=serve,
                start_timeout=600.0 if serve else 90.0) as server:
        with Sampler(server.port, server.proc.pid) as sampler:
            if getattr(args, "opened", False):  # the teacher opens the link once, then the class arrives
                teacher = run(visit(server.port, "", "lang=en", args.timeout))
                print(f"   the teacher's visit: {teacher.outcome} in {teacher.finished} s", flush=True)
            visits = run(drive(server.port, specs, args.arrive if len(specs) > 1 else 0.0, args.timeout))
    return {"name": name, "note": note, "store": str(store), "log": str(log), "server_start_s": server.started_s,
            "load_before": load_before, "load_after": loadavg(), "client_cpu_s": time.process_time() - client_cpu,
            "server_cpu_s": sum(sampler.cpu.values()), "visits": [asdict(v) for v in visits],
            "health": sampler.health, "rss": sampler.rss, "pss": sampler.pss}


def exercises(n: int) -> list[tuple[str, list[tuple[str, str]]]]:
    """The two exercises: each student's own seed on the lecture page, each one's own learning rate for Adam."""
    return [("seeds", [("", f"lang={LANGS[i % 2]}&seed={1000 + i}") for i in range(n)]),
            ("rates", [("optimizers", f"lang={LANGS[i % 2]}&lr_adam={0.002 + 0.0005 * i:g}") for i in range(n)])]


def within(samples: list, start: float, end: float) -> list:
    return [sample for sample in samples if start <= sample[0] <= end]


def run_hosted(name: str, classes: list[tuple[str, list[tuple[str, str]], float]], store: Path, args) -> list[dict]:
    """One server as a host starts it (`streamlit run app.py`, self-warm on), the teacher's first visit, then each
    class (name, visitors, seconds over which they arrive) in turn, the first --class-after seconds after the
    teacher's visit. A phase per class (its health polls; memory samples of the whole run so far) and one for the
    teacher."""
    log = Path(args.logs) / f"server-{name}.log"
    print(f"-- running {name}: `streamlit run app.py` with its self-warm on; store {store}", flush=True)
    load_before, client_cpu = loadavg(), time.process_time()
    phases = []
    with Server(store, log, port=args.port, app_dir=args.app_dir, self_warm=True) as server:
        with Sampler(server.port, server.proc.pid) as sampler:
            start = time.monotonic() - sampler.t0
            teacher = run(visit(server.port, "", "lang=en", args.timeout))
            print(f"   the teacher's visit: {teacher.outcome} in {teacher.finished} s", flush=True)
            phases.append(("teacher", [teacher], start, time.monotonic() - sampler.t0))
            wait = start + args.class_after - (time.monotonic() - sampler.t0)
            print(f"   the class arrives in {max(0.0, wait):.0f} s", flush=True)
            time.sleep(max(0.0, wait))
            for label, specs, arrive in classes:
                begin = time.monotonic() - sampler.t0
                visits = run(drive(server.port, specs, arrive, args.timeout))
                phases.append((label, visits, begin, time.monotonic() - sampler.t0))
                print(f"   {label}: {len(visits)} visitors done", flush=True)
    common = {"store": str(store), "log": str(log), "server_start_s": server.started_s, "load_before": load_before,
              "load_after": loadavg(), "client_cpu_s": time.process_time() - client_cpu,
              "server_cpu_s": sum(sampler.cpu.values()), "warm_up": warm_up_times(log),
              "process_peaks": sorted(sampler.peaks.values(), key=lambda kp: -kp[1])}
    return [{**common, "name": label, "note": f"{name}: {label}", "visits": [asdict(v) for v in visits],
             "health": within(sampler.health, begin, end), "rss": within(sampler.rss, 0.0, end),
             "pss": within(sampler.pss, 0.0, end), "health_all": sampler.health}
            for label, visits, begin, end in phases]


WARM_LINE = re.compile(r"self-warm: (\w+): (\d+) trials \((\d+) trained\), (\d+) derived results, ([\d.]+) s")


def warm_up_times(log: Path) -> dict:
    """From the server's log: each page's view (trials, trained, seconds) and when it was ready (seconds after the
    warm-up began), the views' and the whole warm-up's durations."""
    text = log.read_text(errors="replace")
    pages, ready = [], 0.0
    for page, trials, trained, derived, seconds in WARM_LINE.findall(text):
        ready += float(seconds)
        pages.append({"page": page, "trials": int(trials), "trained": int(trained), "derived": int(derived),
                      "seconds": float(seconds),
                      "ready_s": round(ready, 1)})
    stored = re.search(r"self-warm: views stored in ([\d.]+) s", text)
    done = re.search(r"self-warm: done in ([\d.]+) s", text)
    return {"pages": pages, "stored_s": float(stored.group(1)) if stored else None,
            "done_s": float(done.group(1)) if done else None}


def warm(store: Path, args) -> dict:
    """`python -m lab warm --store STORE`, as a teacher runs it before class (its own worker processes)."""
    print(f"-- warming {store}: python -m lab warm", flush=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lab", "warm", "--store", str(store)], cwd=args.app_dir, check=True,
                   timeout=args.warm_timeout, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    print(f"   warmed in {seconds:.1f} s", flush=True)
    return {"python -m lab warm": seconds}


# ---- numbers ---------------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=["spread", "cold-compare", "one", "host", "exercise", "classrun"],
                        default="spread")
    parser.add_argument("--visitors", type=int, default=None,
                        help="default: 50 (spread, host), 20 (cold-compare), 30 (exercise), 100 (classrun)")
    parser.add_argument("--class-after", type=float, default=180.0,
                        help="host, exercise: seconds from the teacher's first visit to the class's arrival")
    parser.add_argument("--arrive", type=float, default=None,
                        help="seconds over which the visitors arrive (default 5; classrun: 60)")
    parser.add_argument("--timeout", type=float, default=120.0, help="per visitor: seconds to finished")
    parser.add_argument("--store", type=Path, default=None,
                        help="the result store (cold-compare: its subfolders one/ and class/); else fresh temporary")
    parser.add_argument("--warm", action="store_true", help="spread: warm the store first (python -m lab warm)")
    parser.add_argument("--serve", action="store_true",
                        help="spread: start the server as the README's hosting section does, `python -m lab serve "
                             "--no-warm` (every page opened once before the class arrives)")
    parser.add_argument("--opened", action="store_true",
                        help="spread: one visit of the home page before the class arrives (the teacher checks the "
                             "link), so the server has loaded the app; default: the class meets a server that has "
                             "run nothing")
    parser.add_argument("--warm-timeout", type=float, default=900.0, help="seconds the warm-up may take")
    parser.add_argument("--page", default="", help="one: the URL path ('' = home)")
    parser.add_argument("--query", default=None,
                        help=f"one / cold-compare: the query string without '?' (cold-compare: {COMPARE_QUERY})")
    parser.add_argument("--port", type=int, default=None, help="default: a free port")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="where app.py is (default: this repository)")
    parser.add_argument("--json", type=Path, default=None, help="write the raw numbers here")
    args = parser.parse_args(argv)
    args.arrive_given = args.arrive is not None
    args.arrive = 5.0 if args.arrive is None else args.arrive
    if args.scenario == "cold-compare" and args.warm:
        parser.error("cold-compare measures fresh stores; --warm does not apply")
    n = args.visitors or {"spread": SPREAD_VISITORS, "cold-compare": COMPARE_VISITORS, "one": 1,
                          "host": SPREAD_VISITORS, "exercise": EXERCISE_VISITORS, "classrun": STUDENTS}[args.scenario]
    if not 1 <= n <= 500:
        parser.error("--visitors must be between 1 and 500")

    def stop(signum, frame):  # SIGTERM ends the run like Ctrl-C: the servers are stopped on the way out
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)

    scratch = Path(tempfile.mkdtemp(prefix="lab-bench-class-"))
    args.logs = scratch / "logs"
    phases, warmed = [], None
    try:
        if args.scenario == "classrun":  # its own report (bench/classrun_scenario.py)
            phase = run_classrun(args, scratch, Sampler, run)
            if args.json:
                args.json.write_text(json.dumps(finite({"cpus": os.cpu_count(), "phase": phase}), indent=1,
                                                default=str))
            return 0
        if args.scenario == "spread":
            store = args.store or scratch / "store"
            specs = [(PAGES[i % len(PAGES)], f"lang={LANGS[i % len(LANGS)]}") for i in range(n)]
            if args.warm:
                warmed = warm(store, args)
            note = "warmed store" if args.warm else ("given store" if args.store else "fresh store")
            note += ", started by `python -m lab serve` (every page opened)" if args.serve else \
                ", opened once by the teacher" if args.opened else ", server not opened before"
            phases.append(run_phase("spread", specs, store, args, f"every page's default view, {note}"))
        elif args.scenario == "cold-compare":
            query = args.query if args.query is not None else COMPARE_QUERY
            base = args.store or scratch
            specs = [("optimizers", query)]
            phases.append(run_phase("alone", specs, base / "one", args, f"/optimizers?{query}, fresh store"))
            phases.append(run_phase("class", specs * n, base / "class", args, f"/optimizers?{query}, fresh store"))
        elif args.scenario in ("host", "exercise"):
            classes = [("class", [(PAGES[i % len(PAGES)], f"lang={LANGS[i % len(LANGS)]}") for i in range(n)],
                        args.arrive)] if args.scenario == "host" else \
                [(label, specs, EXERCISE_ARRIVE_S) for label, specs in exercises(n)]
            phases += run_hosted(args.scenario, classes, args.store or scratch / "store", args)
            print_warm_up(phases[0]["warm_up"])
            print("   peak RSS per process: " + ", ".join(f"{kind} {rss / 2**20:.0f} MiB"
                                                       for kind, rss in phases[0]["process_peaks"]))
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
