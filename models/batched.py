"""The batching layer of a translator: protected spans, splitting, token-budget batches.

:class:`Batched` turns texts into engine calls and back: each text has its protected spans
masked (URLs, e-mail addresses, UN symbols), is split at clause punctuation when longer than
``split_tokens`` source tokens, and its pieces are sorted by length and cut into batches under
a token budget. :meth:`Batched.batches` yields, after every engine call, the texts whose pieces
are all done -- restored and flagged -- so the layer above (:mod:`unmt.models.cached`) can
commit them at once and an interrupted run loses at most one batch.

How long an output may be is a :class:`DecodingPolicy`: :class:`LengthCap` (production: at most
``2 * source + 10`` tokens, flag ``max-length`` when reached); a benchmark passes its own (exact
output lengths) instead of a branch in this code.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from unmt.models.backends.base import Backend, Decoding
from unmt.models.batching import plan_batches
from unmt.models.family import TextTokenizer
from unmt.models.protect import protect, restore
from unmt.models.split import split_encoded


@dataclass(frozen=True)
class TranslationResult:
    """The translation of one text and the flags naming anything unusual about it."""

    mt: str
    flags: tuple[str, ...] = ()


def output_limit(source_tokens: int, max_positions: int) -> int:
    """Most output tokens allowed for a source of ``source_tokens`` tokens."""
    return max(1, min(max_positions - 1, 2 * source_tokens + 10))


class DecodingPolicy(Protocol):
    """Decoding settings of one batch and each sequence's length limit.

    Called with the batch's original texts (one per piece) and source pieces; returns the
    batch's :class:`Decoding` and, per sequence, the output length at which it is cut and
    flagged ``max-length``.
    """

    def __call__(
        self, texts: Sequence[str], sources: Sequence[list[str]]
    ) -> tuple[Decoding, list[int]]: ...


@dataclass(frozen=True)
class LengthCap:
    """The production policy: outputs of at most :func:`output_limit` tokens."""

    beam: int
    max_positions: int

    def __call__(
        self, texts: Sequence[str], sources: Sequence[list[str]]
    ) -> tuple[Decoding, list[int]]:
        limits = [output_limit(len(s), self.max_positions) for s in sources]
        return Decoding(beam=self.beam, max_length=max(limits)), limits


@dataclass
class _Pending:
    spans: tuple[Any, ...]
    pieces: list[list[str]]
    outputs: list[str | None]
    flags: list[str] = field(default_factory=list)

    def finish(self) -> TranslationResult:
        joined = " ".join(o for o in self.outputs if o)
        text, missing = restore(joined, self.spans)
        return TranslationResult(
            text, tuple(self.flags + (["protected-missing"] if missing else []))
        )


class Batched:
    """Texts in, results out, through token-budget batches of one engine.

    Args:
        tokenizer: returns the model's tokenizer (called once, when first needed).
        backend: returns the engine (called once, when the first batch runs: a call answered
            entirely by the cache above never loads it).
        policy: the decoding policy.
        split_tokens: texts longer than this (source tokens) are split.
        batch_size: most pieces per engine call.
        max_batch_tokens: most padded source tokens per engine call.
    """

    def __init__(
        self,
        tokenizer: Callable[[], TextTokenizer],
        backend: Callable[[], Backend],
        policy: DecodingPolicy,
        *,
        split_tokens: int,
        batch_size: int,
        max_batch_tokens: int,
    ) -> None:
        self._load_tokenizer, self._load_backend = tokenizer, backend
        self._tokenizer: TextTokenizer | None = None
        self._backend: Backend | None = None
        self.policy = policy
        self.split_tokens = split_tokens
        self.batch_size = batch_size
        self.max_batch_tokens = max_batch_tokens
        self.model_calls = 0
        self.engine_seconds = 0.0

    @property
    def tokenizer(self) -> TextTokenizer:
        if self._tokenizer is None:
            self._tokenizer = self._load_tokenizer()
        return self._tokenizer

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            self._backend = self._load_backend()
        return self._backend

    @property
    def loaded(self) -> bool:
        """Whether the engine has been loaded."""
        return self._backend is not None

    def _plan(self, texts: Sequence[str]) -> tuple[dict[str, _Pending], list[tuple[str, int]]]:
        tok = self.tokenizer
        pending: dict[str, _Pending] = {}
        jobs: list[tuple[str, int]] = []
        masked_all = [protect(t) for t in texts]
        whole = tok.encode([m for m, _ in masked_all])
        for text, (masked, spans), pieces in zip(texts, masked_all, whole, strict=True):
            item = _Pending(spans, [pieces], [None])
            if len(pieces) > self.split_tokens:
                item.pieces, hard = split_encoded(
                    masked, pieces, lambda t: tok.encode([t])[0], self.split_tokens
                )
                item.outputs = [None] * len(item.pieces)
                item.flags += ["split"] + (["hard-split"] if hard else [])
            pending[text] = item
            jobs.extend((text, i) for i in range(len(item.pieces)))
        return pending, jobs

    def batches(
        self, texts: Sequence[str], needed: Collection[str] | None = None
    ) -> Iterator[dict[str, TranslationResult]]:
        """Translate distinct non-empty ``texts``; after each engine call, yield the texts it
        finished (every piece done) with their results.

        The batches are planned over all of ``texts``, always the same way for the same list;
        with ``needed``, only the batches holding a piece of a needed text run (whole, with
        their other members). So a text's translation never depends on which others were
        already known (a resumed run equals an uninterrupted one, byte for byte, even where the
        engine's output depends on the batch: CTranslate2 on CPU, float32 or int8).
        """
        if not texts or (needed is not None and not needed):
            return
        pending, jobs = self._plan(texts)
        lengths = [len(pending[t].pieces[i]) for t, i in jobs]
        for batch in plan_batches(lengths, self.batch_size, self.max_batch_tokens):
            if needed is not None and not any(jobs[j][0] in needed for j in batch):
                continue
            sources = [pending[jobs[j][0]].pieces[jobs[j][1]] for j in batch]
            decoding, limits = self.policy([jobs[j][0] for j in batch], sources)
            start = time.perf_counter()
            outputs = self.backend.translate_pieces(sources, decoding)
            self.engine_seconds += time.perf_counter() - start
            self.model_calls += 1
            finished: dict[str, TranslationResult] = {}
            for k, (j, out, limit) in enumerate(zip(batch, outputs, limits, strict=True)):
                text, i = jobs[j]
                item = pending[text]
                if len(out) >= limit:
                    out = out[:limit]
                    if "max-length" not in item.flags:
                        item.flags.append("max-length")
                item.outputs[i] = self.tokenizer.decode([out])[0] if sources[k] else ""
                if all(o is not None for o in item.outputs):
                    finished[text] = item.finish()
            yield finished
