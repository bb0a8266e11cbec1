"""Segmentation: ingest (txt, docx, pdf), cleaning of PDF furniture, structure, sentences.

Modules: ``ingest`` (read and decode input files), ``docxfile`` (.docx, checked as zip and XML
first), ``docxbody`` with ``docxstyle``, ``docxnum`` and ``numfmt`` (a .docx's text as Word
displays it: automatic numbers, heading styles, tables, footnotes), ``pdf`` (PDFium pages to
text), ``pdfbomb`` with ``pdfsyntax`` and ``pdfdecode`` (compression bombs refused before PDFium
reads a file), ``clean`` (line-level rules), ``structure`` (blocks: title, headings, numbered
paragraphs, footnotes), ``spans``, ``sentences_zh``, ``sentences_en`` (sentence splitters),
``segmenter`` (``segment_file``/``segment_text``: the stage's API). Imports only the kernel
(:mod:`unmt`).
"""
