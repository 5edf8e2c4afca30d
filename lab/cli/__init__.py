"""The command line: `python -m lab run|export-script|sweep|store|compare|warm|serve` (lab/cli/parser.py)."""

from lab.cli.parser import build_parser, main

__all__ = ["build_parser", "main"]
