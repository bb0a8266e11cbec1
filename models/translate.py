"""The translation stage: options, the translator, and translating segment records.

Public API (what the run orchestration calls)::

    from unmt.models.translate import TranslateOptions, open_translator, translate_segments

    options = TranslateOptions(model="Helsinki-NLP/opus-mt-zh-en", beam=4)
    with open_translator(options) as translator:
        results = translator.translate(["联合国", ""])      # -> [TranslationResult(mt, flags)]
        records = translate_segments(segments, translator)  # -> [Translation]
        translator.identity()     # model id, revision, backend, compute type, beam, meaningless
        translator.model_calls    # number of batches the engine ran

How a call works (DESIGN.md §4, ``Cached(Batched(Backend))``): identical texts are translated
once; the persistent cache answers what it can (the model is not even loaded when it answers
everything); each remaining text has its protected spans masked, is split when longer than
``split_tokens`` source tokens, and its pieces are sorted by length and batched under a token
budget; after every batch the segments whose pieces are all done are restored, flagged and
committed to the cache, so a killed run resumes where it stopped.

Flags on a result: ``split`` (translated in pieces), ``hard-split`` (a piece had to be cut
without punctuation), ``max-length`` (an output hit its length limit), ``protected-missing``
(a protected span's placeholder was dropped by the model), ``meaningless-model`` (the tiny
random-weight model produced it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from unmt.models.backends.base import (
    Backend,
    Decoding,
    load_backend,
    resolve_backend_name,
    resolve_settings,
)
from unmt.models.batching import plan_batches
from unmt.models.cache import TranslationCache, cache_key, default_cache_path
from unmt.models.family import ModelTokenizer
from unmt.models.options import (
    CACHE_FORMAT,
    DEFAULT_BATCH_SIZE,
    DEFAULT_BATCH_TOKENS,
    TranslateOptions,
    cache_prefix,
    translation_identity,
)
from unmt.models.protect import protect, restore
from unmt.models.resolve import ResolvedModel, resolve_model
from unmt.models.split import split_encoded
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


@dataclass(frozen=True)
class TranslationResult:
    """The translation of one text and the flags naming anything unusual about it."""

    mt: str
    flags: tuple[str, ...] = ()


def output_limit(source_tokens: int, max_positions: int) -> int:
    """Most output tokens allowed for a source of ``source_tokens`` tokens."""
    return max(1, min(max_positions - 1, 2 * source_tokens + 10))


@dataclass
class _Pending:
    spans: tuple[Any, ...]
    pieces: list[list[str]]
    outputs: list[str | None]
    flags: list[str] = field(default_factory=list)


class Translator:
    """Translates texts with one model and backend; see the module docstring."""

    def __init__(
        self,
        options: TranslateOptions,
        model: ResolvedModel,
        backend_name: str,
        device: str,
        compute_type: str,
    ) -> None:
        self.options = options
        self.model = model
        self.backend_name = backend_name
        self.device = device
        self.compute_type = compute_type
        self.model_calls = 0
        self.engine_seconds = 0.0
        #: benchmarks only: (source text, source tokens) -> exact output length; a batch decodes
        #: exactly its longest forced length (``min = max``)
        self.forced_length: Callable[[str, int], int] | None = None
        self._backend: Backend | None = None
        self._tokenizer: ModelTokenizer | None = None
        self._cache: TranslationCache | None = None
        if not options.no_cache:
            self._cache = TranslationCache(options.cache or default_cache_path())
        self._prefix = cache_prefix(self.identity())

    def identity(self) -> dict[str, Any]:
        """What produced the translations: for signatures, manifests and cache keys."""
        return translation_identity(self.options, self.model, self.backend_name, self.compute_type)

    @property
    def tokenizer(self) -> ModelTokenizer:
        """The model's tokenizer (loaded on first use)."""
        if self._tokenizer is None:
            self._tokenizer = ModelTokenizer(self.model)
        return self._tokenizer

    @property
    def backend(self) -> Backend:
        """The engine (loaded on first use: a run answered by the cache never loads it)."""
        if self._backend is None:
            self._backend = load_backend(
                self.backend_name,
                self.model,
                self.tokenizer,
                device=self.device,
                compute_type=self.compute_type,
            )
        return self._backend

    def translate(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> list[TranslationResult]:
        """Translate ``texts`` (order kept; empty stays empty); ``progress(n)`` per n done."""
        tick = progress or (lambda n: None)
        unique = list(dict.fromkeys(t for t in texts if t.strip()))
        weight: dict[str, int] = {}
        for t in texts:
            weight[t] = weight.get(t, 0) + 1
        tick(sum(n for t, n in weight.items() if not t.strip()))
        keys = {t: cache_key(self._prefix, t) for t in unique}
        done: dict[str, tuple[str, tuple[str, ...]]] = {}
        if self._cache is not None:
            hits = self._cache.get_many(keys.values())
            for t in unique:
                if keys[t] in hits:
                    done[t] = hits[keys[t]]
                    tick(weight[t])
        missing = [t for t in unique if t not in done]
        if missing:
            self._translate_missing(missing, keys, done, weight, tick)
        extra = ("meaningless-model",) if self.model.meaningless else ()
        results = []
        for t in texts:
            mt, flags = done.get(t, ("", ()))
            results.append(TranslationResult(mt, flags + extra if t.strip() else ()))
        return results

    def _translate_missing(
        self,
        texts: list[str],
        keys: dict[str, str],
        done: dict[str, tuple[str, tuple[str, ...]]],
        weight: dict[str, int],
        tick: Callable[[int], None],
    ) -> None:
        tok = self.tokenizer
        pending: dict[str, _Pending] = {}
        jobs: list[tuple[str, int]] = []
        masked_all = [protect(t) for t in texts]
        whole = tok.encode([m for m, _ in masked_all])
        threshold = self.options.split_tokens
        for text, (masked, spans), pieces in zip(texts, masked_all, whole, strict=True):
            item = _Pending(spans, [pieces], [None])
            if len(pieces) > threshold:
                item.pieces, hard = split_encoded(
                    masked, pieces, lambda t: tok.encode([t])[0], threshold
                )
                item.outputs = [None] * len(item.pieces)
                item.flags += ["split"] + (["hard-split"] if hard else [])
            pending[text] = item
            jobs.extend((text, i) for i in range(len(item.pieces)))
        lengths = [len(pending[t].pieces[i]) for t, i in jobs]
        for batch in plan_batches(lengths, self.options.batch_size, self.options.max_batch_tokens):
            sources = [pending[jobs[j][0]].pieces[jobs[j][1]] for j in batch]
            limits = [output_limit(len(s), self.model.max_positions) for s in sources]
            decoding = Decoding(beam=self.options.beam, max_length=max(limits))
            if self.forced_length is not None:
                longest = max(
                    self.forced_length(jobs[j][0], len(pending[jobs[j][0]].pieces[jobs[j][1]]))
                    for j in batch
                )
                limits = [longest + 1] * len(sources)
                decoding = Decoding(self.options.beam, max_length=longest, min_length=longest)
            start = time.perf_counter()
            outputs = self.backend.translate_pieces(sources, decoding)
            self.engine_seconds += time.perf_counter() - start
            self.model_calls += 1
            finished: dict[str, tuple[str, tuple[str, ...]]] = {}
            for k, (j, out, limit) in enumerate(zip(batch, outputs, limits, strict=True)):
                text, i = jobs[j]
                item = pending[text]
                if len(out) >= limit:
                    out = out[:limit]
                    if "max-length" not in item.flags:
                        item.flags.append("max-length")
                item.outputs[i] = tok.decode([out])[0] if sources[k] else ""
                if all(o is not None for o in item.outputs):
                    finished[text] = self._finish(item)
            if self._cache is not None:
                self._cache.put_many({keys[t]: v for t, v in finished.items()})
            done.update(finished)
            tick(sum(weight[t] for t in finished))

    @staticmethod
    def _finish(item: _Pending) -> tuple[str, tuple[str, ...]]:
        joined = " ".join(o for o in item.outputs if o)
        text, missing = restore(joined, item.spans)
        flags = list(item.flags)
        if missing:
            flags.append("protected-missing")
        return text, tuple(flags)

    def close(self) -> None:
        """Close the cache."""
        if self._cache is not None:
            self._cache.close()

    def __enter__(self) -> Translator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_translator(options: TranslateOptions) -> Translator:
    """Resolve the model, backend, device and compute type; errors are ``UserError``."""
    backend_name = resolve_backend_name(options.backend)
    device, compute_type = resolve_settings(backend_name, options.device, options.compute_type)
    model = resolve_model(options.model)
    if model.meaningless:
        log.warning("model %r has random weights: its translations are meaningless", options.model)
    return Translator(options, model, backend_name, device, compute_type)


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
