"""Segmentation: ingest (txt, docx), cleaning of PDF furniture, structure, sentences.

Modules: ``ingest`` (decode files), ``clean`` (line-level rules), ``structure`` (blocks:
title, headings, numbered paragraphs, footnotes), ``spans``, ``sentences_zh``, ``sentences_en``
(sentence splitters), ``segmenter`` (``segment_file``/``segment_text``: the stage's API).
Imports only the kernel (:mod:`unmt`).
"""
