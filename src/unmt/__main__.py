"""``python -m unmt`` is the same as the ``unmt`` command."""

from unmt.pipeline.cli.main import main

raise SystemExit(main())
