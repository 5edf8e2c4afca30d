"""`python -m lab run ...`: see lab/cli.py."""

from .cli import main

raise SystemExit(main())
