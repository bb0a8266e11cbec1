"""Metrics: term figures summarised from raw :class:`TermHit` records, and sacreBLEU scores.

Term figures (all in 0-1, ``None`` where there is nothing to count):

* ``term_accuracy`` -- occurrences rendered by the approved form or a variant / all source
  occurrences of glossary terms (WMT21 exact-match accuracy; see :mod:`unmt.eval.terms.matcher`).
* ``term_accuracy_ref`` -- the same, over only the occurrences whose accepted English the
  reference itself uses (``in_ref``): terms the human translator confirms.
* ``consistency`` -- for each entry occurring at least twice, the share of its occurrences
  rendered by its most frequent rendering (renderings compared after the matching
  canonicalisation, so ``State``/``States`` are one); occurrences with no rendering found never
  count as consistent; pooled over entries, weighted by occurrences.
* ``forbidden`` -- deprecated renderings found, each counted once.

Summaries are pure functions of a list of hits, so a report can be re-cut (per segment, per
document, per glossary) without re-scoring. BLEU, chrF and TER are sacreBLEU's own metrics with
default settings (``13a``, chrF2, tercom); :class:`RefStats` keeps sacreBLEU's per-segment
sufficient statistics, so corpus, per-document and per-segment figures come from one pass and
equal sacreBLEU's command line. (It uses sacreBLEU's ``_extract_corpus_statistics`` and
``_aggregate_and_compute``, the methods its own significance tests use; ``tests/test_metrics.py``
checks the results against the public ``corpus_score`` / ``sentence_score``.)
"""

from __future__ import annotations

import functools
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from unmt.eval.terms.english import EnText
from unmt.records import TermHit

log = logging.getLogger(__name__)

SACREBLEU_METRICS: tuple[str, ...] = ("bleu", "chrf", "ter")
#: segments per sacreBLEU statistics call (a progress step)
_CHUNK = 500


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@functools.lru_cache(maxsize=65536)
def rendering_key(text: str) -> str:
    """Canonical form of a rendering: plural, case and hyphen variants compare equal."""
    return EnText(text).key


@dataclass(frozen=True, slots=True)
class TermSummary:
    """Term figures over some set of hits (a segment, a document, a corpus)."""

    occurrences: int
    hits: int
    term_accuracy: float | None
    ref_occurrences: int
    ref_hits: int
    term_accuracy_ref: float | None
    consistency: float | None
    consistency_terms: int
    forbidden: int

    def to_json(self) -> dict[str, Any]:
        """Plain dict of the figures."""
        return {name: getattr(self, name) for name in self.__slots__}


def summarize_terms(hits: Iterable[TermHit]) -> TermSummary:
    """Term accuracy, reference-confirmed accuracy, consistency and forbidden count."""
    return TermTally(hits).summary()


@dataclass(frozen=True, slots=True)
class TermRow:
    """One line of the per-term table."""

    entry: str
    zh: str
    en: str
    glossary: str
    occurrences: int
    hits: int
    ref_occurrences: int
    ref_hits: int
    forbidden: int
    renderings: tuple[tuple[str, int], ...]  # (surface form or "" for none found, count)

    @property
    def accuracy(self) -> float | None:
        """Hits / occurrences."""
        return _ratio(self.hits, self.occurrences)

    def to_json(self) -> dict[str, Any]:
        """Plain dict, ``renderings`` as ``[[text, count], ...]`` and ``accuracy`` added."""
        data = {name: getattr(self, name) for name in self.__slots__}
        data["renderings"] = [list(r) for r in self.renderings]
        data["accuracy"] = self.accuracy
        return data


def term_table(hits: Iterable[TermHit]) -> list[TermRow]:
    """Per-entry rows, most frequent first; renderings grouped by canonical form."""
    return TermTally(hits).table()


class _EntryTally:
    """The running counts of one glossary entry's occurrences."""

    __slots__ = ("en", "forbidden", "glossary", "hits", "keys", "n", "ref_hits", "ref_n",
                 "rendered", "surface", "zh")  # fmt: skip

    def __init__(self, first: TermHit) -> None:
        self.en, self.glossary = first.en, first.glossary
        self.zh: Counter[str] = Counter()
        self.n = self.hits = self.ref_n = self.ref_hits = self.forbidden = 0
        self.keys: Counter[str] = Counter()  # rendering key, "" when none was found
        self.rendered: Counter[str] = Counter()  # rendering key of hits with a rendering
        self.surface: dict[str, Counter[str]] = defaultdict(Counter)


class TermTally:
    """Term figures of hits added a batch at a time, in memory bounded by the glossary.

    :func:`summarize_terms` and :func:`term_table` of every hit added so far, without keeping
    the hits: the corpus report adds one document at a time.
    """

    def __init__(self, hits: Iterable[TermHit] = ()) -> None:
        self._entries: dict[str, _EntryTally] = {}
        self.add(hits)

    def add(self, hits: Iterable[TermHit]) -> None:
        """Count more hits."""
        for h in hits:
            t = self._entries.get(h.entry)
            if t is None:
                t = self._entries[h.entry] = _EntryTally(h)
            t.n += 1
            t.hits += bool(h.found)
            if h.in_ref:
                t.ref_n += 1
                t.ref_hits += bool(h.found)
            t.forbidden += len(h.forbidden)
            t.zh[h.zh] += 1
            key = rendering_key(h.rendering) if h.rendering else ""
            t.keys[key] += 1
            t.surface[key][h.rendering or ""] += 1
            if h.rendering:
                t.rendered[key] += 1

    def summary(self) -> TermSummary:
        """What :func:`summarize_terms` gives for every hit added."""
        entries = self._entries.values()
        n = sum(t.n for t in entries)
        found = sum(t.hits for t in entries)
        ref_n = sum(t.ref_n for t in entries)
        ref_hits = sum(t.ref_hits for t in entries)
        repeated = [t for t in entries if t.n >= 2]
        same = sum(max(t.rendered.values(), default=0) for t in repeated)
        total = sum(t.n for t in repeated)
        return TermSummary(
            occurrences=n,
            hits=found,
            term_accuracy=_ratio(found, n),
            ref_occurrences=ref_n,
            ref_hits=ref_hits,
            term_accuracy_ref=_ratio(ref_hits, ref_n),
            consistency=_ratio(same, total),
            consistency_terms=len(repeated),
            forbidden=sum(t.forbidden for t in entries),
        )

    def table(self) -> list[TermRow]:
        """What :func:`term_table` gives for every hit added."""
        rows = [
            TermRow(
                entry=entry,
                zh=t.zh.most_common(1)[0][0],
                en=t.en,
                glossary=t.glossary,
                occurrences=t.n,
                hits=t.hits,
                ref_occurrences=t.ref_n,
                ref_hits=t.ref_hits,
                forbidden=t.forbidden,
                renderings=tuple(
                    (t.surface[key].most_common(1)[0][0], n) for key, n in t.keys.most_common()
                ),
            )
            for entry, t in self._entries.items()
        ]
        rows.sort(key=lambda r: (-r.occurrences, r.zh))
        return rows


class StatTotals:
    """Running sums of sacreBLEU sufficient statistics, one part (a document) at a time.

    Every metric here sums per-segment statistics before it computes a score, so the corpus
    figures of the sums are exactly those of all the segments at once, in memory that does
    not grow with the corpus. A part without statistics (no reference) is counted and left
    out: the figures are those of the parts that have them (``with_stats`` of ``parts``),
    exactly as scoring their segments together. Only metrics every such part has are kept.
    """

    def __init__(self) -> None:
        self._sums: dict[str, list[Any]] = {}
        self._common: set[str] | None = None
        self.parts = 0  # parts added
        self.with_stats = 0  # parts added that had statistics

    def add(self, stats: Mapping[str, Sequence[Sequence[Any]]] | None) -> None:
        """Add one part's :meth:`RefStats.stats_json` (``None``: that part has none)."""
        self.parts += 1
        if stats is None:
            return
        self.with_stats += 1
        names = {m for m in SACREBLEU_METRICS if m in stats}
        self._common = names if self._common is None else self._common & names
        for name in names:
            acc = self._sums.get(name)
            for row in stats[name]:  # in order, as sacreBLEU's own sum over segments
                acc = list(row) if acc is None else [a + b for a, b in zip(acc, row, strict=True)]
            if acc is not None:
                self._sums[name] = acc

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metrics every part with statistics had."""
        if not self._common:
            return ()
        return tuple(m for m in SACREBLEU_METRICS if m in self._common and m in self._sums)

    def ref_stats(self) -> RefStats | None:
        """The totals as a one-row :class:`RefStats` (corpus scores, details, signatures)."""
        names = self.metrics
        if not names:
            return None
        return RefStats.from_stats([{name: [self._sums[name]] for name in names}])


def _stats_chunk(
    name: str, hyps: Sequence[str], refs: Sequence[str], metric: Any = None
) -> list[list[Any]]:
    metric = metric if metric is not None else _metric(name)
    return list(metric._extract_corpus_statistics(list(hyps), [list(refs)]))


def _metric(name: str) -> Any:
    from sacrebleu.metrics import BLEU, CHRF, TER

    classes = {"bleu": BLEU, "chrf": CHRF, "ter": TER}
    return classes[name]()


class RefStats:
    """sacreBLEU sufficient statistics per segment, for BLEU/chrF/TER at any level.

    Args:
        hyps: hypotheses, one per segment.
        refs: references, line-aligned with ``hyps``.
        metrics: which of ``bleu``, ``chrf``, ``ter`` to compute.
        jobs: worker processes for TER (the slow one, ~10 ms a segment); 1 = in process.
        progress: called with a number of segments as each metric gets through them.
    """

    def __init__(
        self,
        hyps: Sequence[str],
        refs: Sequence[str],
        metrics: Sequence[str] = SACREBLEU_METRICS,
        jobs: int = 1,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        unknown = sorted(set(metrics) - set(SACREBLEU_METRICS))
        if unknown:
            raise ValueError(f"unknown metrics {unknown}; known: {list(SACREBLEU_METRICS)}")
        if len(hyps) != len(refs):
            raise ValueError(f"{len(hyps)} hypotheses but {len(refs)} references")
        self.metrics = tuple(m for m in SACREBLEU_METRICS if m in metrics)
        self._metrics = {name: _metric(name) for name in self.metrics}
        self._stats: dict[str, list[list[Any]]] = {}
        for name in self.metrics:
            if name == "ter" and jobs > 1 and len(hyps) >= 200:
                self._stats[name] = _parallel_stats(name, hyps, refs, jobs)
                self._metrics[name].num_refs = 1
                if progress is not None:
                    progress(len(hyps))
            else:  # per-segment statistics: chunks give exactly what one call gives
                self._stats[name] = []
                for lo in range(0, max(len(hyps), 1), _CHUNK):  # at least once: num_refs
                    part = _stats_chunk(
                        name, hyps[lo : lo + _CHUNK], refs[lo : lo + _CHUNK], self._metrics[name]
                    )
                    self._stats[name].extend(part)
                    if progress is not None:
                        progress(len(part))
        #: sacreBLEU's own signature of each metric, e.g. ``nrefs:1|case:mixed|eff:no|tok:13a|...``
        self.signatures = {name: str(m.get_signature()) for name, m in self._metrics.items()}

    def stats_json(self) -> dict[str, list[list[Any]]]:
        """The per-segment sufficient statistics, by metric (plain JSON numbers)."""
        return {name: [list(s) for s in self._stats[name]] for name in self.metrics}

    @classmethod
    def from_stats(cls, parts: Sequence[dict[str, list[list[Any]]]]) -> RefStats:
        """Statistics already computed (:meth:`stats_json` of each part), concatenated in order.

        Corpus figures from them are exactly those of scoring all the segments at once: every
        sacreBLEU metric here sums per-segment statistics before computing its score.
        """
        self = cls.__new__(cls)
        names = [m for m in SACREBLEU_METRICS if parts and all(m in p for p in parts)]
        self.metrics = tuple(names)
        self._metrics = {name: _metric(name) for name in names}
        for metric in self._metrics.values():
            metric.num_refs = 1
        self._stats = {name: [list(s) for p in parts for s in p[name]] for name in names}
        self.signatures = {name: str(m.get_signature()) for name, m in self._metrics.items()}
        return self

    @property
    def size(self) -> int:
        """Number of segments."""
        return len(next(iter(self._stats.values()), []))

    def scores(self, indices: Iterable[int] | None = None) -> dict[str, float | None]:
        """``bleu``, ``chrf``, ``ter`` (0-100, rounded as sacreBLEU prints) over ``indices``."""
        out: dict[str, float | None] = dict.fromkeys(SACREBLEU_METRICS)
        for name in self.metrics:
            stats = self._stats[name]
            chosen = stats if indices is None else [stats[i] for i in indices]
            if chosen:
                out[name] = round(
                    float(self._metrics[name]._aggregate_and_compute(chosen).score), 2
                )
        return out

    def segment_chrf(self) -> list[float] | None:
        """Sentence-level chrF of each segment (as ``sacrebleu``'s ``sentence_score``)."""
        if "chrf" not in self._stats:
            return None
        metric = self._metrics["chrf"]
        return [
            round(float(metric._aggregate_and_compute([s]).score), 2) for s in self._stats["chrf"]
        ]

    def detail(self, name: str) -> str:
        """sacreBLEU's own one-line rendering of a corpus score (``BLEU = 53.52 77.7/...``)."""
        return str(self._metrics[name]._aggregate_and_compute(self._stats[name]))


def _parallel_stats(
    name: str, hyps: Sequence[str], refs: Sequence[str], jobs: int
) -> list[list[Any]]:
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(hyps) // (jobs * 4))
    chunks = [
        (list(hyps[i : i + size]), list(refs[i : i + size])) for i in range(0, len(hyps), size)
    ]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        parts = pool.map(_stats_chunk, [name] * len(chunks), *zip(*chunks, strict=True))
        return [s for part in parts for s in part]
