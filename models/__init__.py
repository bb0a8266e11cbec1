"""Translation: model resolution, the translator and its layers, the engines, tiny test models.

Nothing heavy is imported here: torch, transformers and ctranslate2 are imported inside the
backend that needs them. Imports only the kernel (:mod:`unmt`).

Modules:
    translate: ``open_translator``, ``Translator`` (``Cached(Batched(Backend))``),
        ``translate_segments`` -- the public API of the stage; start there.
    options: ``TranslateOptions`` (the one declaration of every translation setting), the
        translation identity and the cache-key prefix.
    cached: the cache layer (dedupe, look-up, commit after every batch).
    batched: the batching layer (protected spans, splitting, token-budget batches) and the
        decoding policies.
    resolve: ``--model`` resolution (hub id, folder, ``tiny``).
    family: model families by ``config.model_type`` (Marian, M2M100/NLLB) and the tokenizer.
    batching, split, protect, cache: batch planning, long-segment splitting, protected spans,
        the SQLite translation cache.
    backends/: the backend interface and registry (``base``), CTranslate2 (``ct2``, with
        conversion into the cache), transformers (``hf``).
    tiny/: tiny random-weight MarianMT (``marian``) and M2M100/NLLB (``m2m``) models.
"""
