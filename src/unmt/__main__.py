"""``python -m unmt`` is the same as the ``unmt`` command."""

from unmt.pipeline.cli import main

raise SystemExit(main())
