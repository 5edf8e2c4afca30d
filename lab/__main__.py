"""`python -m lab COMMAND ...`: the command line (lab/cli/parser.py lists its commands)."""

from lab.cli.parser import main

raise SystemExit(main())
