"""`python -m lab`: the parser of every subcommand, and `main`.

Every command is registered one way: its module in lab/cli has `add_command(commands)`, which adds the command's
parser to the subcommands' (`commands`, from `add_subparsers`) and names its handler as "module:function"; `COMMANDS`
lists those modules, in the order `--help` shows them. The modules are light: building the parser imports neither
PyTorch nor pandas nor the store nor the dashboard. The handler is imported once the arguments are parsed, and it
imports what it needs, so `--help` and a bad flag answer at once. A command whose parser sets `passed_on` to a list
(`serve`) receives there the options it does not know; for every other command they are an error."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from lab.cli.flags import Parser, flag
from lab.core.config import ConfigError

COMMANDS = ("run", "export", "sweep", "store", "compare", "warm", "serve")  # modules of lab/cli, in --help's order


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
        return handler(args.handler)(args)
    except ConfigError as e:
        print(f"error: {flag(e.field)}: {e.reason}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`python -m lab run | head`): stop quietly
        sys.stderr.close()
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
