"""MT backends (transformers, CTranslate2), model loading and the tiny random-weight test model.

Nothing heavy is imported here: torch, transformers and ctranslate2 are imported inside the
backend that needs them.

Modules:
    translate: ``TranslateOptions``, ``open_translator``, ``Translator``, ``translate_segments``
        (the public API of the stage; start there).
    options: ``TranslateOptions``, the translation identity and the cache-key prefix
        (re-exported by ``translate``).
    resolve: the unmt cache root and ``--model`` resolution (hub id, folder, ``tiny``).
    family: model families by ``config.model_type`` (Marian, M2M100/NLLB) and the tokenizer.
    backend, backend_hf, backend_ct2: the backend interface, registry and the two engines
        (``backend_ct2`` also converts models into the cache).
    batching, split, protect, cache: token-budget batching, long-segment splitting, protected
        spans, the SQLite translation cache.
    tiny: the tiny random-weight MarianMT (meaningless output) for tests and demos.
    tiny_m2m: tiny random-weight M2M100 models with M2M100's or NLLB's tokenizer (tests of the
        M2M100/NLLB family).
    cli_translate, cli_models, bench_translate: ``unmt translate``, ``unmt models``,
        ``unmt bench translate``.
"""
