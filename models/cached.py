"""The cache layer of a translator: identical texts once, the persistent cache first.

:class:`Cached` wraps a :class:`~unmt.models.batched.Batched`: it drops empty texts (they stay
empty), translates each distinct text once, answers what the SQLite cache
(:class:`~unmt.models.cache.TranslationCache`) already holds -- without loading the engine when
it holds everything -- and commits every batch's results as soon as the batch finishes, so a
killed run resumes where it stopped. Batches are planned over the whole call (cached texts
included) and only those with a missing text run, so a resumed call returns what an
uninterrupted one would have, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from unmt.models.batched import Batched, TranslationResult
from unmt.models.cache import TranslationCache, cache_key


class Cached:
    """Dedupe and cache around ``inner``; ``cache`` may be ``None`` (``--no-cache``).

    Args:
        inner: the batching layer.
        cache: the persistent cache, or ``None``.
        prefix: the cache-key prefix naming everything that produced the translations.
    """

    def __init__(self, inner: Batched, cache: TranslationCache | None, prefix: str) -> None:
        self.inner = inner
        self.cache = cache
        self.prefix = prefix

    def translate(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> list[TranslationResult]:
        """Translate ``texts`` (order kept; empty stays empty); ``progress(n)`` per n done."""
        tick = progress or (lambda n: None)
        weight: dict[str, int] = {}
        for t in texts:
            weight[t] = weight.get(t, 0) + 1
        unique = [t for t in weight if t.strip()]
        tick(sum(n for t, n in weight.items() if not t.strip()))
        keys = {t: cache_key(self.prefix, t) for t in unique}
        done: dict[str, TranslationResult] = {}
        if self.cache is not None:
            hits = self.cache.get_many(keys.values())
            for t in unique:
                if keys[t] in hits:
                    mt, flags = hits[keys[t]]
                    done[t] = TranslationResult(mt, flags)
                    tick(weight[t])
        # batches planned over every distinct text of the call, run where one is missing: a
        # cached text keeps its cached result, a missing one gets what an uninterrupted run gave
        missing = {t for t in unique if t not in done}
        for finished in self.inner.batches(unique, needed=missing):
            new = {t: r for t, r in finished.items() if t not in done}
            if self.cache is not None and new:
                self.cache.put_many({keys[t]: (r.mt, r.flags) for t, r in new.items()})
            done.update(new)
            tick(sum(weight[t] for t in new))
        return [
            done.get(t, TranslationResult("")) if t.strip() else TranslationResult("")
            for t in texts
        ]

    def close(self) -> None:
        """Close the cache."""
        if self.cache is not None:
            self.cache.close()
