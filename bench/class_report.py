"""The load benchmark's report: percentiles of the visitors' times, one table per phase, the hosting targets."""

from __future__ import annotations

import math

from visitors import PAGES  # noqa: F401 - the pages' URL paths ("" = home), also this module's

GIB = 2**30
FIRST_P95_S, FINISHED_P95_S, SPREAD_VISITORS, SPREAD_ARRIVE_S = 1.0, 5.0, 50, 5.0
COMPARE_RATIO, COMPARE_VISITORS, HEALTH_MAX_S, RSS_MAX = 1.5, 20, 0.250, GIB
SMALL_HOST = 658 * 2**20  # the hosted link's memory target: the small free host's 690 MB
EXERCISE_P95_S = 10.0


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
        "peak_pss": max((p[1] for p in phase.get("pss", [])), default=0),
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
          f"{s['peak_processes']} processes; peak PSS, shared pages counted once: {s['peak_pss'] / mib:.0f} MiB); "
          f"server CPU {phase['server_cpu_s']:.1f} s; "
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
    if scenario in ("host", "exercise"):
        hosted_rows(scenario, phases, summaries, row)
        return rows
    peak = max(s["peak_rss"] for s in summaries)
    row("(d) server peak RSS", f"<= {RSS_MAX / 2**20:.0f} MiB", f"{peak / 2**20:.0f} MiB", peak <= RSS_MAX)
    if any(s["timeouts"] + s["errors"] for s in summaries):
        row("every visitor finished", "0 failed", str(sum(s["timeouts"] + s["errors"] for s in summaries)), False)
    return rows


def hosted_rows(scenario: str, phases: list[dict], summaries: list[dict], row) -> None:
    """The hosted link's targets: the class (host) or each exercise within its bounds; the health check and the
    process tree's memory over the whole run (warm-up included)."""
    for phase, s in zip(phases[1:], summaries[1:]):
        if scenario == "host":
            row(f"{phase['name']}: p95 first element", f"<= {FIRST_P95_S:.2f} s", secs(s["first"][95]),
                s["first"][95] <= FIRST_P95_S)
            row(f"{phase['name']}: p95 finished", f"<= {FINISHED_P95_S:.2f} s", secs(s["finished"][95]),
                s["finished"][95] <= FINISHED_P95_S)
        else:
            row(f"{phase['name']}: p95 finished", f"<= {EXERCISE_P95_S:.2f} s", secs(s["finished"][95]),
                s["finished"][95] <= EXERCISE_P95_S)
        row(f"{phase['name']}: exceptions", "0", str(s["exceptions"]), s["exceptions"] == 0)
    health = [latency for _, latency, _ in phases[-1]["health_all"]]
    p95, worst = pct(health, 95), pct(health, 100)
    row("health check, whole run", f"p95 <= {HEALTH_MAX_S * 1000:.0f} ms", f"p95 {fmt(p95, 1000, 0)} ms, max "
        f"{fmt(worst, 1000, 0)} ms", p95 <= HEALTH_MAX_S)
    peak = max(s["peak_rss"] for s in summaries)
    row("process tree peak RSS, summed", f"<= {SMALL_HOST / 2**20:.0f} MiB", f"{peak / 2**20:.0f} MiB",
        peak <= SMALL_HOST)
    if any(s["timeouts"] + s["errors"] for s in summaries):
        row("every visitor finished", "0 failed", str(sum(s["timeouts"] + s["errors"] for s in summaries)), False)


def print_warm_up(warm_up: dict) -> None:
    """The self-warm's duration and each page's ready time (seconds after the teacher's first visit started it)."""
    print("\n== the self-warm (from the server's log; seconds after the first visit)")
    for page in warm_up["pages"]:
        print(f"   {page['page']:<16} ready at {page['ready_s']:>7.1f} s  ({page['trials']:,} trials, "
              f"{page['trained']:,} trained, {page['seconds']:.1f} s)")
    print(f"   views stored in {fmt(warm_up['stored_s'], 1, 1)} s; warm-up done (pages opened) in "
          f"{fmt(warm_up['done_s'], 1, 1)} s" if warm_up["done_s"] is not None else
          "   the warm-up had not finished when the run ended")


def print_targets(rows: list[dict]) -> None:
    print("\n== targets")
    for r in rows:
        print(f"   {r['target']:<30} {r['required']:<28} {r['measured']:<24} {'PASS' if r['pass'] else 'FAIL'}"
              + (f"   [this run: {r['conditions']}]" if r["conditions"] else ""))


# ---- main ----------------------------------------------------------------------------------------------------------
