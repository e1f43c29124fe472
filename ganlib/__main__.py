"""`python -m ganlib ...` is the same as the `ganlib` command."""

from ganlib.cli import main

raise SystemExit(main())
