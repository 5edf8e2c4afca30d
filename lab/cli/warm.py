"""`python -m lab warm`: every dashboard page's default view computed into the store before a class opens the link.
The work is the dashboard's (lab/dashboard/warm.py: only it knows what its pages show), imported when the command
runs."""

from __future__ import annotations

# the pages of lab.dashboard.warm.default_views, in its order (named here so that the help needs no dashboard import;
# tests/dashboard/test_warm.py checks that both agree)
PAGES = ("neurons", "lecture", "optimizers", "depth", "generalization", "tuning", "landscape")


def add_command(commands) -> None:
    """Register `warm` with the subcommands' parser (`commands`, from `add_subparsers`)."""
    warm = commands.add_parser(
        "warm", allow_abbrev=False, help="compute every dashboard page's default view into the store before a class",
        description="Compute every dashboard page's default view into the store, so that a class opening the link "
                    "at once waits for nothing. Safe to interrupt and to run again: only what is missing is trained.")
    warm.add_argument("--store", metavar="DIR", help="the store to fill (default: LAB_STORE, else the lab's "
                                                     "default store; the server must use the same)")
    warm.add_argument("--workers", type=int, metavar="N", help="worker processes (default: the cores)")
    warm.add_argument("--pages", metavar="A,B", help="only these pages (default: every page with a default view: "
                                                     + ",".join(PAGES) + ")")
    warm.set_defaults(handler="lab.dashboard.warm:warm_command")
