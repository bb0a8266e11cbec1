"""The ``unmt`` command line: one module a command, each exposing ``add_parser(subparsers)``.

``main`` holds the registry and the entry point; ``options`` the option groups several commands
share (glossaries, translation settings). Command modules import their stage lazily, inside
the function that runs, so ``unmt --help`` and the light commands stay fast.
"""
