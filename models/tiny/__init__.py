"""Tiny random-weight models for tests and offline smoke runs (their output is meaningless).

Modules: ``marian`` (MarianMT with a SentencePiece vocabulary trained on a few lines), ``m2m``
(M2M100 with M2M100's or NLLB's tokenizer).
"""
