"""`python -m lab export-script`: one trial as a standalone PyTorch script in the lecture's style
(lab/core/export.py)."""

from __future__ import annotations

import argparse
import sys

from lab.cli.flags import add_config_flags, check_writable, config_from_args
from lab.core.config import ConfigError


def cmd_export_script(args: argparse.Namespace) -> int:
    """The trial as a standalone PyTorch script in the lecture's style (lab/core/export.py), on stdout or in a file."""
    from lab.core.config import MAX_SEED
    from lab.core.export import script

    config = config_from_args(args)
    seed = int(args.seed) if args.seed.strip().isdigit() else -1
    if not 0 <= seed <= MAX_SEED:
        raise ConfigError("seed", f"must be a whole number from 0 to {MAX_SEED} (got {args.seed!r})")
    if args.output is None:
        try:
            sys.stdout.write(script(config, seed))
        except UnicodeEncodeError:  # a terminal that cannot show the Japanese comments: UTF-8 bytes regardless
            sys.stdout.buffer.write(script(config, seed).encode())
        return 0
    check_writable("output", args.output)
    try:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(script(config, seed))
    except OSError as e:
        raise ConfigError("output", f"could not write {args.output!r}: {e.strerror or e}") from None
    return 0


def add_command(commands) -> None:
    """Register `export-script` with the subcommands' parser (`commands`, from `add_subparsers`)."""
    export = commands.add_parser("export-script", allow_abbrev=False, help="print one trial as a standalone PyTorch "
                                 "script in the lecture's style", description="Write the lecture's PyTorch program for "
                                 "a config and seed; run, it prints the same log as `run --seed-list SEED`.")
    add_config_flags(export)
    export.add_argument("--seed", default="0", metavar="N", help="the trial's seed, 0 to 2147483647 (default: 0)")
    export.add_argument("--output", metavar="PATH", help="write the script to this file (default: stdout)")
    export.set_defaults(handler="lab.cli.export:cmd_export_script")
