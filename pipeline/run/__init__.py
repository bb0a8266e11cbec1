"""Batch runs: the run directory, its settings, inputs, per-document stages and the corpus report.

Modules: ``config`` (``RunConfig``: the one declaration of every run setting), ``inputs``
(documents and references), ``rundir`` (the manifest and stage skipping), ``stages`` (the
per-document stage functions), ``corpus`` (the corpus report), ``runner`` (``run_documents``).
May import every layer below it.
"""
