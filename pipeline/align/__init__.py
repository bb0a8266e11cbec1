"""Sentence alignment: a pure DP over beads with pluggable similarity sources.

Modules: ``aligner`` (``align_sentences``/``align_segments``: the stage's API), ``dp`` (the
banded dynamic programme), ``sim`` (length, anchors, dictionary and MT-bridge features),
``lexicon`` and ``cedict`` (bilingual dictionary: CC-CEDICT plus glossary phrases), ``embed``
(optional sentence embeddings), ``learn`` (word pairs from a first pass), ``beadio`` (reading and
writing sentence and bead files). Imports the kernel and, for glossary phrases, ``unmt.eval``.
"""
