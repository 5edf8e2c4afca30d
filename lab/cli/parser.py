"""`python -m lab`: the parser of every subcommand, and `main`."""

from __future__ import annotations

import argparse
import os
import sys

from lab.cli.compare import add_command as add_compare_command
from lab.cli.flags import (
    Parser,
    add_config_flags,
    add_device_flag,
    add_record_flags,
    add_seed_flags,
    add_workers_flag,
    flag,
)
from lab.cli.run import cmd_export_script, cmd_run
from lab.cli.sweep import add_commands
from lab.core.config import ConfigError


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m lab", allow_abbrev=False,
                    description="AND-learning optimizer lab: the lecture's 2-2-1 network, trained exactly, many seeds.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    run = commands.add_parser("run", allow_abbrev=False, help="train one config for some seeds and print the log",
                              description="Train one config for some seeds; with no flags, the lecture's program.")
    add_config_flags(run)
    add_seed_flags(run)
    add_device_flag(run)
    add_record_flags(run, stored=False)
    add_workers_flag(run, "local processes at most (default: 2, or 1 on one core): many trials train on several, "
                          "each with PyTorch and its own --memory-mb (about 0.5 GiB each by default), a few in this "
                          "process alone, whichever is quicker")
    out = run.add_argument_group("output")
    out.add_argument("--csv", metavar="PATH", help="write one row per trial (config, seed, solved, steps_to_solve, "
                                                   "final_loss, diverged) to this CSV file (default: none)")
    out.add_argument("--curves", metavar="PATH", help="write one row per trial and step (config, seed, step, loss, "
                                                      "table_loss, table_error, grad norms) to this CSV; with "
                                                      "--record every:K every K-th step (default: none)")
    out.add_argument("--quiet", action="store_true", help="print only the summary, not the log (default: off)")
    run.set_defaults(handler=cmd_run)
    export = commands.add_parser("export-script", allow_abbrev=False, help="print one trial as a standalone PyTorch "
                                 "script in the lecture's style", description="Write the lecture's PyTorch program for "
                                 "a config and seed; run, it prints the same log as `run --seed-list SEED`.")
    add_config_flags(export)
    export.add_argument("--seed", default="0", metavar="N", help="the trial's seed, 0 to 2147483647 (default: 0)")
    export.add_argument("--output", metavar="PATH", help="write the script to this file (default: stdout)")
    export.set_defaults(handler=cmd_export_script)
    add_commands(commands, add_seed_flags, add_device_flag)
    add_compare_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:  # --help (0) or argparse's own error (2, already printed)
        return e.code if isinstance(e.code, int) else 0
    try:
        return args.handler(args)
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
