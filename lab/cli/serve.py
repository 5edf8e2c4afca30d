"""`python -m lab serve`: a class's server in one command (warm the store, start the dashboard, open every page once,
say "ready: <link>"). The work is the dashboard's (lab/dashboard/serve.py), imported when the command runs; the options
this parser does not know (Streamlit's `--server.*`, ...) reach it as `args.passed_on`."""

from __future__ import annotations

import argparse


def add_command(commands) -> None:
    """Register `serve` with the subcommands' parser (`commands`, from `add_subparsers`)."""
    serve = commands.add_parser(
        "serve", allow_abbrev=False, help="warm the store, start the dashboard and open every page once",
        description="Warm the store, start the dashboard and open every page once, so that a class opening the link "
                    "at once waits for nothing. Further --server.* options go to `streamlit run`.")
    serve.add_argument("--store", metavar="DIR", help="the store (default: LAB_STORE, else the lab's default)")
    serve.add_argument("--port", type=int, default=8501, help="the server's port (default: 8501)")
    serve.add_argument("--address", help="the address to listen on (default: Streamlit's, every interface)")
    serve.add_argument("--workers", type=int, metavar="N", help="worker processes (default: the cores)")
    serve.add_argument("--no-warm", action="store_true", help="skip `python -m lab warm` (the store is warm)")
    serve.add_argument("--open-only", action="store_true",
                       help="only open every page of a server already running on --port")
    serve.add_argument("--pages", metavar="A,B", help="open only these pages (URL paths; default: every page)")
    serve.add_argument("--start-timeout", type=float, default=120.0, help=argparse.SUPPRESS)
    serve.add_argument("--page-timeout", type=float, default=600.0, help=argparse.SUPPRESS)
    # passed_on, a list: the command takes the options it does not know
    serve.set_defaults(handler="lab.dashboard.serve:serve_command", passed_on=[])
