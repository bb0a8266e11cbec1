"""The pipeline: segment/, align/, run/ (batch runs), export/, cli/ (the ``unmt`` command) and
bench/ (``unmt bench``). Each subpackage's docstring lists its modules and what it may import.
"""
