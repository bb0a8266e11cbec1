"""Batch runs: the run directory, its settings, inputs, per-document stages and the corpus report.

Modules: ``config`` (``RunConfig``: the one declaration of every run setting), ``inputs``
(documents and references), ``state`` (the SQLite state store), ``lock`` (the run lock),
``rundir`` (the run directory and stage skipping), ``codekey``, ``stages`` (the
per-document stage functions), ``corpus`` (the corpus report), ``runner`` (``run_documents``,
the local engine), ``ray_engine`` (``--engine ray``), ``ray_local`` (its own local Ray instance).
May import every layer below it.
"""
