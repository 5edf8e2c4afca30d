"""`python -m lab`: the parser of every subcommand, and `main`.

Every command is registered one way: its module in lab/cli has `add_command(commands)`, which adds the command's
parser to the subcommands' (`commands`, from `add_subparsers`) and names its handler as "module:function"; `COMMANDS`
lists those modules, in the order `--help` shows them. The modules are light: building the parser imports neither
PyTorch nor pandas nor the store nor the dashboard. The handler is imported once the arguments are parsed, and it
imports what it needs, so `--help` and a bad flag answer at once. A command whose parser sets `passed_on` to a list
(`serve`) receives there the options it does not know; for every other command they are an error.

Stopping: Ctrl-C (SIGINT) and SIGTERM stop a command alike, within a second or two: the command ends its worker
processes (they are not waited for), prints one line on stderr saying what was kept ("stopped: nothing was kept",
"stopped: the 1,200 trials trained so far are in the store (...)") and exits with 128 + the signal's number, as a
shell reports a process the signal ended: 130 for Ctrl-C, 143 for SIGTERM. A handler says what it kept by setting
`kept` (a phrase) on the KeyboardInterrupt on its way out."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys

from lab.cli.flags import Parser, flag
from lab.core.config import ConfigError

# modules of lab/cli, in --help's order
COMMANDS = ("run", "export", "sweep", "store", "compare", "papers", "warm", "serve")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m lab", allow_abbrev=False,
                    description="AND-learning optimizer lab: the lecture's 2-2-1 network, trained exactly, many seeds.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"lab.cli.{name}").add_command(commands)
    return parser


def handler(name: str):
    """The function a command's "module:function" names, imported now."""
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)


STOPPED = (130, 143)  # the exit codes of a command stopped by Ctrl-C (SIGINT) or SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C's KeyboardInterrupt, so that it stops a command the same way."""

    signal = 15  # SIGTERM's number on every system that has it


def _terminated(signum, frame) -> None:
    raise Terminated


@contextlib.contextmanager
def sigterm_as_interrupt():
    """While it lasts, SIGTERM raises `Terminated` in the main thread (where the system has SIGTERM and this is the
    main thread; elsewhere nothing changes)."""
    previous = None
    with contextlib.suppress(AttributeError, ValueError, OSError):  # no SIGTERM, or not the main thread
        previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def stopped(stop: KeyboardInterrupt) -> int:
    """Say what was kept of a command stopped by Ctrl-C or SIGTERM; its exit code (128 + the signal's number)."""
    print(f"stopped: {getattr(stop, 'kept', 'nothing was kept')}", file=sys.stderr, flush=True)
    return 128 + (stop.signal if isinstance(stop, Terminated) else 2)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args, unknown = parser.parse_known_args(argv)
        if unknown and not isinstance(getattr(args, "passed_on", None), list):
            parser.error(f"unrecognized arguments: {' '.join(unknown)}")  # as parse_args says it
    except SystemExit as e:  # --help (0) or argparse's own error (2, already printed)
        return e.code if isinstance(e.code, int) else 0
    if unknown:
        args.passed_on = unknown
    try:
        with sigterm_as_interrupt():
            return handler(args.handler)(args)
    except ConfigError as e:
        print(f"error: {flag(e.field)}: {e.reason}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as stop:
        return stopped(stop)
    except BrokenPipeError:  # the reader went away (`python -m lab run | head`): stop quietly
        sys.stderr.close()
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
