"""`python -m lab COMMAND ...`: the command line (lab/cli), and `warm`, which computes the dashboard's default views
into the store (lab/dashboard/warm.py; the dashboard's, since only it knows what its pages show)."""

import sys

if sys.argv[1:2] == ["warm"]:
    from lab.dashboard.warm import main

    raise SystemExit(main(sys.argv[2:]))

from lab.cli.parser import main  # noqa: E402

raise SystemExit(main())
