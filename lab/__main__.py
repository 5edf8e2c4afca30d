"""`python -m lab COMMAND ...`: the command line (lab/cli); `warm`, which computes the dashboard's default views
into the store (lab/dashboard/warm.py; the dashboard's, since only it knows what its pages show); and `serve`, which
warms, starts the dashboard and opens every page before a class (lab/dashboard/serve.py)."""

import sys

if sys.argv[1:2] == ["warm"]:
    from lab.dashboard.warm import main

    raise SystemExit(main(sys.argv[2:]))
if sys.argv[1:2] == ["serve"]:
    from lab.dashboard.serve import main

    raise SystemExit(main(sys.argv[2:]))

from lab.cli.parser import main  # noqa: E402

raise SystemExit(main())
