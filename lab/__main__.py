"""`python -m lab run ...`: see lab/cli.py."""

from lab.cli.parser import main

raise SystemExit(main())
