"""The translation stage: options, the translator, and translating segment records.

Public API (what the run orchestration calls)::

    from unmt.models.translate import TranslateOptions, open_translator, translate_segments

    options = TranslateOptions(model="Helsinki-NLP/opus-mt-zh-en", beam=4)
    with open_translator(options) as translator:
        results = translator.translate(["联合国", ""])      # -> [TranslationResult(mt, flags)]
        records = translate_segments(segments, translator)  # -> [Translation]
        translator.identity()     # model id, revision, backend, compute type, beam, meaningless
        translator.model_calls    # number of batches the engine ran

How a call works: the translator is the composition ``Cached(Batched(Backend))``:

- the backend (:mod:`unmt.models.backends`) turns a batch of token sequences into token
  sequences, and is loaded only when a batch runs;
- :class:`~unmt.models.batched.Batched` masks protected spans, splits long texts, cuts
  length-sorted token-budget batches and yields each batch's finished texts, with a decoding
  policy (:class:`~unmt.models.batched.LengthCap` unless the caller passes another);
- :class:`~unmt.models.cached.Cached` translates identical texts once, answers what the
  persistent cache holds and commits after every batch, so a killed run resumes where it stopped.

Flags on a result: ``split`` (translated in pieces), ``hard-split`` (a piece had to be cut
without punctuation), ``max-length`` (an output hit its length limit), ``protected-missing``
(a protected span's placeholder was dropped by the model), ``meaningless-model`` (the tiny
random-weight model produced it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from unmt.models.backends.base import Backend, load_backend, resolve_backend_name, resolve_settings
from unmt.models.batched import Batched, DecodingPolicy, LengthCap, TranslationResult, output_limit
from unmt.models.cache import TranslationCache, default_cache_path
from unmt.models.cached import Cached
from unmt.models.family import ModelTokenizer, TextTokenizer
from unmt.models.options import (
    CACHE_FORMAT,
    DEFAULT_BATCH_SIZE,
    DEFAULT_BATCH_TOKENS,
    TranslateOptions,
    cache_prefix,
    translation_identity,
)
from unmt.models.resolve import ResolvedModel, resolve_model
from unmt.models.spm import (
    FastTokenizer,
    SentencePieceTokenizer,
    fast_tokenizer_file,
    spm_files,
)
from unmt.records import Segment, Translation

log = logging.getLogger(__name__)

__all__ = [
    "CACHE_FORMAT",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_BATCH_TOKENS",
    "TranslateOptions",
    "TranslationResult",
    "Translator",
    "open_translator",
    "output_limit",
    "translate_segments",
]


class Translator:
    """One model and backend as ``Cached(Batched(Backend))``; see the module docstring.

    Args:
        options: the translation settings.
        model: the resolved model.
        backend_name, device, compute_type: resolved once by :func:`open_translator`.
        policy: the decoding policy (default :class:`~unmt.models.batched.LengthCap`).
    """

    def __init__(
        self,
        options: TranslateOptions,
        model: ResolvedModel,
        backend_name: str,
        device: str,
        compute_type: str,
        policy: DecodingPolicy | None = None,
    ) -> None:
        self.options = options
        self.model = model
        self.backend_name = backend_name
        self.device = device
        self.compute_type = compute_type
        self.batched = Batched(
            self._load_tokenizer,
            self._load_backend,
            policy or LengthCap(options.beam, model.max_positions),
            split_tokens=options.split_tokens,
            batch_size=options.batch_size,
            max_batch_tokens=options.max_batch_tokens,
        )
        cache = (
            None if options.no_cache else TranslationCache(options.cache or default_cache_path())
        )
        self.cached = Cached(self.batched, cache, cache_prefix(self.identity()))

    def _load_tokenizer(self) -> TextTokenizer:
        """sentencepiece alone on the CTranslate2 path (no transformers, no torch) where the
        model allows it; the model's Hugging Face tokenizer otherwise."""
        if self.backend_name == "ctranslate2":
            if spm_files(self.model) is not None:
                return SentencePieceTokenizer(self.model)
            if fast_tokenizer_file(self.model) is not None:
                return FastTokenizer(self.model)
        return ModelTokenizer(self.model)

    def _load_backend(self) -> Backend:
        return load_backend(
            self.backend_name,
            self.model,
            self.batched.tokenizer,
            device=self.device,
            compute_type=self.compute_type,
        )

    def identity(self) -> dict[str, Any]:
        """What produced the translations: for signatures, manifests and cache keys."""
        return translation_identity(self.options, self.model, self.backend_name, self.compute_type)

    @property
    def tokenizer(self) -> TextTokenizer:
        """The model's tokenizer (loaded on first use)."""
        return self.batched.tokenizer

    @property
    def backend(self) -> Backend:
        """The engine (loaded on first use: a call answered by the cache never loads it)."""
        return self.batched.backend

    @property
    def model_calls(self) -> int:
        """Engine calls (batches) so far."""
        return self.batched.model_calls

    @property
    def engine_seconds(self) -> float:
        """Seconds spent inside the engine so far."""
        return self.batched.engine_seconds

    def translate(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> list[TranslationResult]:
        """Translate ``texts`` (order kept; empty stays empty); ``progress(n)`` per n done."""
        results = self.cached.translate(texts, progress)
        if not self.model.meaningless:
            return results
        extra = ("meaningless-model",)
        return [
            TranslationResult(r.mt, r.flags + extra) if t.strip() else r
            for t, r in zip(texts, results, strict=True)
        ]

    def close(self) -> None:
        """Close the cache."""
        self.cached.close()

    def __enter__(self) -> Translator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_translator(
    options: TranslateOptions, *, policy: DecodingPolicy | None = None
) -> Translator:
    """Resolve the model, backend, device and compute type (once); errors are ``UserError``."""
    backend_name = resolve_backend_name(options.backend)
    device, compute_type = resolve_settings(backend_name, options.device, options.compute_type)
    model = resolve_model(options.model, quiet=options.quiet)
    if model.meaningless:
        log.warning("model %r has random weights: its translations are meaningless", options.model)
    return Translator(options, model, backend_name, device, compute_type, policy)


def translate_segments(
    segments: Sequence[Segment],
    translator: Translator,
    progress: Callable[[int], None] | None = None,
) -> list[Translation]:
    """Translate segment records, in order, into ``Translation`` records."""
    results = translator.translate([s.text for s in segments], progress)
    return [
        Translation(id=s.id, text=s.text, mt=r.mt, flags=r.flags)
        for s, r in zip(segments, results, strict=True)
    ]
