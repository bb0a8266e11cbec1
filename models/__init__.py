"""MT backends (transformers, CTranslate2), model loading and the tiny random-weight test model.

Nothing heavy is imported here: torch, transformers and ctranslate2 are imported inside the
backend that needs them.
"""
