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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from unmt.eval.terms.english import EnText
from unmt.records import TermHit

log = logging.getLogger(__name__)

SACREBLEU_METRICS: tuple[str, ...] = ("bleu", "chrf", "ter")


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
    hits = list(hits)
    found = sum(h.found for h in hits)
    confirmed = [h for h in hits if h.in_ref]
    by_entry: dict[str, list[TermHit]] = defaultdict(list)
    for h in hits:
        by_entry[h.entry].append(h)
    same = total = terms = 0
    for group in by_entry.values():
        if len(group) < 2:
            continue
        keys = Counter(rendering_key(h.rendering) for h in group if h.rendering)
        same += max(keys.values(), default=0)
        total += len(group)
        terms += 1
    return TermSummary(
        occurrences=len(hits),
        hits=found,
        term_accuracy=_ratio(found, len(hits)),
        ref_occurrences=len(confirmed),
        ref_hits=sum(h.found for h in confirmed),
        term_accuracy_ref=_ratio(sum(h.found for h in confirmed), len(confirmed)),
        consistency=_ratio(same, total),
        consistency_terms=terms,
        forbidden=sum(len(h.forbidden) for h in hits),
    )


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
    groups: dict[str, list[TermHit]] = defaultdict(list)
    for h in hits:
        groups[h.entry].append(h)
    rows = []
    for entry, group in groups.items():
        counts: Counter[str] = Counter()
        surface: dict[str, Counter[str]] = defaultdict(Counter)
        for h in group:
            key = rendering_key(h.rendering) if h.rendering else ""
            counts[key] += 1
            surface[key][h.rendering or ""] += 1
        renderings = tuple(
            (surface[key].most_common(1)[0][0], n) for key, n in counts.most_common()
        )
        zh = Counter(h.zh for h in group).most_common(1)[0][0]
        rows.append(
            TermRow(
                entry=entry,
                zh=zh,
                en=group[0].en,
                glossary=group[0].glossary,
                occurrences=len(group),
                hits=sum(h.found for h in group),
                ref_occurrences=sum(bool(h.in_ref) for h in group),
                ref_hits=sum(bool(h.in_ref) and h.found for h in group),
                forbidden=sum(len(h.forbidden) for h in group),
                renderings=renderings,
            )
        )
    rows.sort(key=lambda r: (-r.occurrences, r.zh))
    return rows


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
    """

    def __init__(
        self,
        hyps: Sequence[str],
        refs: Sequence[str],
        metrics: Sequence[str] = SACREBLEU_METRICS,
        jobs: int = 1,
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
            else:
                self._stats[name] = _stats_chunk(name, hyps, refs, self._metrics[name])
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
