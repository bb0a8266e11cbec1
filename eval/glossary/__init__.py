"""Glossaries: loading (TSV/CSV, TBX, UNBIS), merging, and checking against a human translation.

Modules: ``load`` (``Entry``, ``Glossary``, ``load_glossaries``), ``delimited``, ``tbx``,
``check`` (``unmt glossary check``).
"""
