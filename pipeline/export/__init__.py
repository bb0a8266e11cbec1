"""Exports of run directories: Hugging Face dataset (Parquet + card) and TMX.

Modules: ``rows`` (the rows of one or several run directories), ``hf``, ``tmx``.
"""
