"""Reports of a :class:`unmt.eval.scoring.ScoreResult`: HTML, Markdown and JSON.

Modules: ``write`` (``write_report``, by suffix), ``view`` (what both renderings show),
``html``, ``markdown``.
"""
