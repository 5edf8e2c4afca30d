"""The `classrun` scenario of bench/bench_class.py: a class of N students in one class run.

The server is started by `python -m lab serve --no-warm` (every page opened once) on a fresh store, the class runs
in SQLite in its folder. The teacher starts a run of the lecture's program (written to the database as the page's
start button does), then N students arrive evenly over `--arrive` seconds (60 by default): each opens
`/class?code=…`, sets a seed of its own and presses "Add my run" (over Streamlit's websocket protocol: visitors.py),
and keeps the page open, rerunning its class picture every few seconds as a browser does, until every student has
seen their result and two more refreshes have passed.

Measured: the time from pressing "Add my run" to the page showing the student's own result (p50/p95/max), whether
every run was counted once (the database holds N runs of N distinct seeds, and every open page's last "Runs in this
class" says N), the health check's latency while it runs (p95/max), and the bytes one refresh of the class picture
sends (p50/p95/max, and at the end, with every run in)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from class_report import fmt, pct
from visitors import Server, visit

from lab.core.config import TrialConfig
from lab.dashboard.classrun.texts import STRINGS
from lab.storage.classruns import ClassStore, default_url

STUDENTS, ARRIVE_S = 100, 60.0
ANSWER_P95_S, HEALTH_P95_S = 3.0, 0.250
LINGER_S = 15.0  # the pages stay open this long after the last answer: each refreshes at least twice


def text(key: str, lang: str, **values) -> str:
    return STRINGS[key][1 if lang == "ja" else 0].format(**values)


async def students(port: int, code: str, n: int, arrive: float, timeout: float) -> list:
    stay_open = asyncio.Event()
    answered = 0
    close_by = time.monotonic() + arrive + timeout + LINGER_S + 30

    def done(_record) -> None:
        nonlocal answered
        answered += 1
        if answered == n:
            asyncio.get_running_loop().call_later(LINGER_S, stay_open.set)

    async def student(i: int):
        lang = "ja" if i % 2 else "en"
        seed = 1000 + 37 * i  # each its own
        await asyncio.sleep(arrive * i / n)
        press = (text("cls.add.button", lang), {text("cls.seed", lang): seed})
        record = await visit(port, "class", f"code={code}&lang={lang}", timeout, stay_open, close_by, done,
                             press=press, answer=text("cls.add.done", lang, seed=seed))
        record.arrival = round(arrive * i / n, 3)
        return record, seed, lang

    return await asyncio.gather(*(student(i) for i in range(n)))


def run_classrun(args, scratch: Path, sampler_cls, runner) -> dict:
    """One class: the server, the students, the numbers (printed; returned for --json)."""
    os.environ.pop("LAB_CLASS_DB", None)  # SQLite in the store's folder, as a server without the setting has
    store, log = args.store or scratch / "store", scratch / "logs" / "server-classrun.log"
    n, arrive = args.visitors or STUDENTS, args.arrive if args.arrive_given else ARRIVE_S
    print(f"-- running classrun: {n} students over {arrive:.0f} s; store {store}", flush=True)
    with Server(store, log, port=args.port, app_dir=args.app_dir, serve=True, start_timeout=600.0) as server:
        db = ClassStore(default_url(store))
        code, _ = db.start(TrialConfig())
        with sampler_cls(server.port, server.proc.pid) as sampler:
            results = runner(students(server.port, code, n, arrive, args.timeout))
        rows = db.runs_since(code)
        db.dispose()
    records = [r for r, _, _ in results]
    waits = [r.answered - r.pressed if r.answered is not None and r.pressed is not None else float("inf")
             for r in records]
    health = [latency for _, latency, _ in sampler.health]
    count_label = {lang: text("cls.count", lang) for lang in ("en", "ja")}
    last_counts = [r.metrics.get(count_label[lang]) for r, _, lang in results]
    refresh = [b for r in records for b in r.refresh_bytes]
    final_refresh = [r.refresh_bytes[-1] for r in records if r.refresh_bytes]
    seeds = [row.seed for row in rows]
    numbers = {
        "students": n, "answered": sum(1 for w in waits if w != float("inf")),
        "answer_s": {p: pct(waits, p) for p in (50, 95, 100)},
        "db_runs": len(rows), "db_distinct_seeds": len(set(seeds)),
        "wanted_seeds_in_db": len(set(seeds) & {seed for _, seed, _ in results}),
        "pages_showing_all": sum(1 for c in last_counts if c == f"{n:,}"),
        "health_s": {p: pct(health, p) for p in (50, 95, 100)}, "health_failed": sum(1 for *_, ok in sampler.health
                                                                                      if not ok),
        "refresh_bytes": {p: pct(refresh, p) for p in (50, 95, 100)}, "refreshes": len(refresh),
        "final_refresh_bytes": {p: pct(final_refresh, p) for p in (50, 95, 100)},
        "exceptions": sum(len(r.exceptions) for r in records), "timeouts": sum(r.outcome == "timeout" for r in records),
        "errors": [r.error for r in records if r.error][:5],
    }
    print_classrun(numbers)
    return {"name": "classrun", "numbers": numbers, "log": str(log),
            "visits": [{"seed": seed, "lang": lang, "pressed": r.pressed, "answered": r.answered,
                        "outcome": r.outcome, "refresh_bytes": r.refresh_bytes, "last_count": r.metrics.get(
                            count_label[lang])} for r, seed, lang in results],
            "health": sampler.health}


def print_classrun(x: dict) -> None:
    n = x["students"]
    rows = [
        ("students who saw their own result", f"{x['answered']} of {n}", x["answered"] == n),
        ("\"Add my run\" to own result, p50 / p95 / max",
         " / ".join(f"{fmt(x['answer_s'][p])} s" for p in (50, 95, 100)), x["answer_s"][95] <= ANSWER_P95_S),
        ("runs in the database (distinct seeds)", f"{x['db_runs']} ({x['db_distinct_seeds']})",
         x["db_runs"] == x["db_distinct_seeds"] == x["wanted_seeds_in_db"] == n),
        ("open pages whose last count is every run", f"{x['pages_showing_all']} of {n}", x["pages_showing_all"] == n),
        ("health check p50 / p95 / max",
         " / ".join(f"{fmt(x['health_s'][p], 1000, 0)} ms" for p in (50, 95, 100)),
         x["health_s"][95] <= HEALTH_P95_S and not x["health_failed"]),
        ("bytes per refresh p50 / p95 / max", " / ".join(f"{x['refresh_bytes'][p]:,.0f}" for p in (50, 95, 100))
         + f" ({x['refreshes']} refreshes)", None),
        ("bytes per refresh with every run in, p50 / max",
         " / ".join(f"{x['final_refresh_bytes'][p]:,.0f}" for p in (50, 100)), None),
        ("exceptions, timeouts", f"{x['exceptions']}, {x['timeouts']}", not x["exceptions"] and not x["timeouts"]),
    ]
    print(f"\n== classrun: {n} students, one class run of the lecture's program, server by `python -m lab serve`, "
          "SQLite")
    width = max(len(r[0]) for r in rows)
    for name, value, ok in rows:
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        print(f"  {name:<{width}}  {value:<40} {verdict}")
    for error in x["errors"]:
        print(f"  error: {error}", file=sys.stderr)
