"""``unmt bench``: benchmarks that print their figures (one module a benchmark).

``data`` is the one rule for finding the shared data folder (``../shared/data`` next to the
repository, or ``$UNMT_SHARED_DATA``).
"""
