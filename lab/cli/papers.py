"""`python -m lab papers`: what the papers behind the lecture say, measured on the lecture's nets.

Each claim of lab/science/papers/claims.py (fixed before measuring: statistic, expected value, verdict thresholds) is
measured by lab.compute.papers; the command prints one row per claim with its verdict and, with `--csv`, writes the
tidy table (paper, claim_id, claim, setting, expected, measured, ci_lo, ci_hi, n, verdict; UTF-8 with BOM); with
`--publish DIR`, the table as the repository ships it (lab.science.papers.published). What the engine trains goes
through the result store, and each paper's rows are kept there: a second run reads them back.

PyTorch, pandas and the store's modules are imported only when the measuring starts.
"""

from __future__ import annotations

import argparse
import sys

from lab.cli.flags import add_store_flag, add_workers_flag, check_writable, workers_from_args
from lab.core.config import ConfigError
from lab.science.papers.claims import PAPERS

DEFAULT_SEEDS = 100  # lab.compute.papers.DEFAULT_SEEDS (named here so that the help needs no PyTorch)
MAX_SEEDS = 2000


def seeds_from(text: str | None) -> int:
    if text is None:
        return DEFAULT_SEEDS
    try:
        n = int(str(text).strip())
    except ValueError:
        n = 0
    if not 10 <= n <= MAX_SEEDS:
        raise ConfigError("seeds", f"must be a whole number from 10 to {MAX_SEEDS} (got {text!r})")
    return n


def papers_from(text: str | None) -> list[str]:
    if text is None:
        return list(PAPERS)
    chosen = [p.strip().lower() for p in str(text).split(",") if p.strip()]
    unknown = [p for p in chosen if p not in PAPERS]
    if unknown or not chosen:
        raise ConfigError("only", f"must name papers among {', '.join(PAPERS)} (got {text!r})")
    return list(dict.fromkeys(chosen))


def printable(table):
    """The table for the terminal: numbers in 4 significant digits, the long texts left to the CSV."""
    fmt = lambda x: "" if x != x else f"{x:.4g}"  # noqa: E731 - NaN prints as nothing
    out = table[["claim_id", "expected", "measured", "ci_lo", "ci_hi", "n", "verdict"]].copy()
    for column in ("measured", "ci_lo", "ci_hi"):
        out[column] = out[column].map(fmt)
    return out


def cmd_papers(args: argparse.Namespace) -> int:
    n_seeds = seeds_from(args.seeds)
    papers = papers_from(args.only)
    workers = workers_from_args(args)
    if args.csv is not None:
        check_writable("csv", args.csv)
    if args.publish is not None and args.only is not None:
        raise ConfigError("publish", "publishes the whole table: leave out --only")
    from lab.cli.flags import write_csv
    from lab.cli.store import open_store
    from lab.compute import papers as measuring
    from lab.compute.sweep import duration

    store = open_store(args.store, write=True)

    def progress(paper: str, seconds: float, read_back: bool) -> None:
        said = "read back from the store" if read_back else "measured"
        print(f"{paper}: {said} in {duration(seconds) if seconds >= 1 else f'{seconds:.2f} s'}", file=sys.stderr,
              flush=True)

    table, figures = measuring.claims_table(papers, n_seeds, store, workers, progress)
    print(printable(table).to_string(index=False))
    print()
    for claim_id, note in zip(table["claim_id"], table["note"]):
        print(f"{claim_id}: {note}")
    if args.csv is not None:
        write_csv("csv", table[list(measuring.CSV_COLUMNS)], args.csv, bom=True)
    if args.publish is not None:
        from lab.science.papers import published

        found = {paper: {"claims": table[table["paper"] == paper].reset_index(drop=True), **figures[paper]}
                 for paper in papers}
        try:
            written = published.write(args.publish, measuring.provenance(n_seeds), found)
        except OSError as error:
            raise ConfigError("publish", f"cannot write to {args.publish!r} ({error.strerror or error})") from None
        size = sum(path.stat().st_size for path in written)
        print(f"published {len(written)} files ({size / 1024:.0f} KiB) to {args.publish}", file=sys.stderr)
    return 0


def add_command(commands) -> None:
    """Register `papers` with the subcommands' parser (`commands`, from `add_subparsers`)."""
    papers = commands.add_parser(
        "papers", allow_abbrev=False, help="measure what the papers behind the lecture claim, with a verdict each",
        description="Measure each claim of the papers behind the lecture (Saxe et al. 2014, Glorot & Bengio 2010, "
                    "Dauphin et al. 2014, Fukumizu & Amari 2000, Choi et al. 2019, Schmidt et al. 2021) on the "
                    "lecture's nets and print one row per claim with its verdict (holds, holds qualitatively, does "
                    "not hold here), decided by thresholds fixed in lab/science/papers/claims.py before measuring. "
                    "What the engine trains is stored, and so are the results: a second run reads them back.")
    papers.add_argument("--only", metavar="PAPER", help=f"only these papers, comma-separated: {', '.join(PAPERS)} "
                                                        "(default: all)")
    papers.add_argument("--seeds", metavar="N", help=f"seeds per trained config, 10 to {MAX_SEEDS} (default: "
                                                     f"{DEFAULT_SEEDS}; the Saxe and Dauphin rows use their own fixed "
                                                     "counts, stated in the setting)")
    papers.add_argument("--csv", metavar="FILE", help="write the table (paper, claim_id, claim, setting, expected, "
                                                      "measured, ci_lo, ci_hi, n, verdict) as CSV, UTF-8 with BOM "
                                                      "(default: none)")
    papers.add_argument("--publish", metavar="DIR",
                        help="also write the table with its notes, the figures' tables and where and when they were "
                             "measured into DIR (CSV files and about.json; the repository ships "
                             "lab/science/papers/measured, which the Papers page shows where its store holds no "
                             "table; default: none)")
    add_store_flag(papers)
    add_workers_flag(papers)
    papers.set_defaults(handler="lab.cli.papers:cmd_papers")
