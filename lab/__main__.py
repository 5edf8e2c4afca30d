"""`python -m lab COMMAND ...`: the command line (lab/cli/parser.py lists its commands).

A command stopped by Ctrl-C or SIGTERM (exit code 130 or 143) has already ended its worker processes and said what was
kept: it runs the exit functions (multiprocessing's clean-up of its semaphores among them), then leaves at once,
skipping the rest of Python's finalisation (which takes seconds with PyTorch's memory to free)."""

import atexit
import os
import sys

from lab.cli.parser import STOPPED, main

code = main()
if code in STOPPED:
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(code)
raise SystemExit(code)
