"""Scoring a set of segments: the API other stages call (reports: :mod:`unmt.eval.report`).

Public API (used by ``unmt score`` and by batch runs for per-document and corpus reports)::

    from unmt.eval.report.write import write_report
    from unmt.eval.scoring import score_segments

    result = score_segments(src, hyp, ref, glossary, seg_ids=ids, doc_ids=docs,
                            context={"model": "Helsinki-NLP/opus-mt-zh-en@rev"})
    result.summary_json()   # the flat ``unmt score --json`` object
    result.to_json()        # everything: summary, documents, terms, segments with hits
    result.for_document(d)  # a ScoreResult re-cut to one document, without re-scoring
    write_report(result, "report.html")   # .html, .md / .markdown or .json, by suffix

``src``, ``hyp`` and ``ref`` are line-aligned lists of strings (``ref`` may be ``None``); an
empty hypothesis counts as a miss for every term of its source. ``glossary`` is a loaded
:class:`~unmt.eval.glossary.load.Glossary` (``None``: the shipped one) or an already compiled
:class:`~unmt.eval.terms.matcher.TermMatcher` (compile once, score many documents). ``context`` adds
``key:value`` pairs (segmenter version, model id and revision, beam, backend) to the term
signature. BLEU/chrF/TER need ``ref``; ``metrics`` chooses among them (TER is slow: about
10 ms a segment; ``jobs`` > 1 spreads it over processes).
"""

from __future__ import annotations

import itertools
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, overload

from unmt.eval.glossary.load import Glossary, load_glossaries
from unmt.eval.metrics import (
    SACREBLEU_METRICS,
    RefStats,
    StatTotals,
    TermRow,
    TermSummary,
    TermTally,
    summarize_terms,
    term_table,
)
from unmt.eval.terms.matcher import TermMatcher
from unmt.records import TermHit
from unmt.signature import Signature

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SegmentResult:
    """One segment: its texts, its raw term hits and its sentence chrF."""

    id: str
    doc: str
    src: str
    hyp: str
    ref: str | None
    hits: tuple[TermHit, ...]
    chrf: float | None = None

    def to_json(self) -> dict[str, Any]:
        """Texts, chrF, the term summary of the segment and its hits."""
        return {
            "id": self.id,
            "doc": self.doc,
            "src": self.src,
            "hyp": self.hyp,
            "ref": self.ref,
            "chrf": self.chrf,
            **summarize_terms(self.hits).to_json(),
            "hits": [h.to_json() for h in self.hits],
        }


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """Figures of one document."""

    doc: str
    segments: int
    terms: TermSummary
    scores: Mapping[str, float | None]

    def to_json(self) -> dict[str, Any]:
        """Flat dict: ``doc``, ``segments``, BLEU/chrF/TER and the term figures."""
        return {"doc": self.doc, "segments": self.segments, **self.scores, **self.terms.to_json()}


class DocumentRows(Sequence[DocumentResult]):
    """Per-document rows kept in an anonymous temporary file instead of memory.

    Appended once (a corpus report's documents), then read in order as often as needed (once
    per report format); memory stays flat however many documents a corpus has. ``metrics``,
    when set, names the BLEU/chrF/TER figures that stand: the others read as None.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 -- lives as long as the rows
        self._n = 0
        self.metrics: frozenset[str] | None = None

    def append(self, row: DocumentResult) -> None:
        data = pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.write(len(data).to_bytes(4, "little") + data)
        self._n += 1

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[DocumentResult]:
        self._file.flush()
        fd, offset = self._file.fileno(), 0
        for _ in range(self._n):
            size = int.from_bytes(os.pread(fd, 4, offset), "little")
            row: DocumentResult = pickle.loads(os.pread(fd, size, offset + 4))
            offset += 4 + size
            if self.metrics is not None:
                keep = self.metrics
                row = replace(
                    row, scores={m: v if m in keep else None for m, v in row.scores.items()}
                )
            yield row

    @overload
    def __getitem__(self, index: int) -> DocumentResult: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[DocumentResult]: ...
    def __getitem__(self, index: int | slice) -> DocumentResult | Sequence[DocumentResult]:
        if isinstance(index, slice):
            return tuple(self)[index]
        if not -self._n <= index < self._n:
            raise IndexError(index)
        return next(itertools.islice(self, index % self._n, None))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class ScoreResult:
    """Everything scored over a set of segments; summaries are derived from the raw hits."""

    segments: tuple[SegmentResult, ...]
    terms: TermSummary
    scores: Mapping[str, float | None]
    documents: Sequence[DocumentResult]  # a tuple, or DocumentRows (a corpus report)
    table: tuple[TermRow, ...]
    signature: Mapping[str, Signature]
    glossary: Mapping[str, Any]
    details: Mapping[str, str] = field(default_factory=dict)
    #: the sacreBLEU sufficient statistics behind ``scores`` (None without a reference)
    ref_stats: RefStats | None = field(default=None, compare=False, repr=False)
    #: segments scored, when ``segments`` does not hold them (a corpus built from documents)
    segment_count: int | None = None
    #: document id -> where that document's own report is (relative to this report)
    document_links: Mapping[str, str] = field(default_factory=dict)
    #: what the report is of ("run corpus-2026"), for its title; empty: named by its documents
    name: str = ""
    #: the documents BLEU/chrF/TER are over when not every one has a reference, else None
    reference_documents: int | None = None

    @property
    def n_segments(self) -> int:
        """How many segments were scored."""
        return len(self.segments) if self.segment_count is None else self.segment_count

    @property
    def hits(self) -> list[TermHit]:
        """All raw term hits, in segment order."""
        return [h for s in self.segments for h in s.hits]

    def summary_json(self) -> dict[str, Any]:
        """The flat summary object (``unmt score --json``)."""
        return {
            "segments": self.n_segments,
            "documents": len(self.documents),
            "reference_documents": self.reference_documents,
            **dict.fromkeys(SACREBLEU_METRICS),
            **self.scores,
            "term_accuracy": self.terms.term_accuracy,
            "term_accuracy_ref": self.terms.term_accuracy_ref,
            "consistency": self.terms.consistency,
            "term_occurrences": self.terms.occurrences,
            "term_hits": self.terms.hits,
            "term_occurrences_ref": self.terms.ref_occurrences,
            "term_hits_ref": self.terms.ref_hits,
            "consistency_terms": self.terms.consistency_terms,
            "forbidden": self.terms.forbidden,
            "signature": {k: str(v) for k, v in self.signature.items()},
            "glossary": dict(self.glossary),
        }

    def json_parts(self) -> list[tuple[str, Any]]:
        """The keys of :meth:`to_json` in order; its lists as iterators, made as they are read."""
        return [
            ("summary", self.summary_json()),
            ("details", dict(self.details)),
            ("documents", (d.to_json() for d in self.documents)),
            ("terms", (r.to_json() for r in self.table)),
            ("segments", (s.to_json() for s in self.segments)),
        ]

    def to_json(self) -> dict[str, Any]:
        """The full report content: summary, documents, per-term table, segments with hits."""
        return {
            key: list(value) if isinstance(value, Iterator) else value
            for key, value in self.json_parts()
        }

    def for_document(self, doc: str) -> ScoreResult:
        """This result restricted to one document (BLEU/chrF/TER from that document's stats)."""
        segments = tuple(s for s in self.segments if s.doc == doc)
        if not segments:
            raise KeyError(doc)
        found = next(d for d in self.documents if d.doc == doc)
        hits = [h for s in segments for h in s.hits]
        return replace(
            self,
            segments=segments,
            terms=found.terms,
            scores=found.scores,
            documents=(found,),
            table=tuple(term_table(hits)),
            details={},
        )


def _doc_of(seg_id: str) -> str:
    return seg_id.rsplit(":", 1)[0] if ":" in seg_id else ""


def score_segments(
    src: Sequence[str],
    hyp: Sequence[str],
    ref: Sequence[str] | None = None,
    glossary: Glossary | TermMatcher | None = None,
    *,
    seg_ids: Sequence[str] | None = None,
    doc_ids: Sequence[str] | None = None,
    metrics: Sequence[str] = SACREBLEU_METRICS,
    jobs: int = 1,
    context: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ScoreResult:
    """Match terms and compute every figure; see the module docstring. ``progress(n)`` is
    called as segments are matched, then as each sacreBLEU metric gets through them.

    Raises:
        ValueError: the lists are not the same length.
    """
    n = len(src)
    for name, seq in (("hyp", hyp), ("ref", ref), ("seg_ids", seg_ids), ("doc_ids", doc_ids)):
        if seq is not None and len(seq) != n:
            raise ValueError(f"{n} source segments but {len(seq)} {name}")
    if isinstance(glossary, TermMatcher):
        matcher = glossary
    else:
        matcher = TermMatcher(glossary if glossary is not None else load_glossaries([]))
    ids = list(seg_ids) if seg_ids is not None else [str(i) for i in range(1, n + 1)]
    docs = list(doc_ids) if doc_ids is not None else [_doc_of(i) for i in ids]
    stats = None
    if ref is not None and metrics and n:
        stats = RefStats(hyp, ref, metrics, jobs, progress=progress)
    chrf = stats.segment_chrf() if stats is not None else None
    active: dict[str, frozenset[int]] = dict.fromkeys(docs, frozenset())
    if matcher.has_contexts:  # each document's text decides its context-dependent entries
        doc_text: dict[str, list[str]] = {}
        for i in range(n):
            doc_text.setdefault(docs[i], []).append(src[i])
        active = {d: matcher.active("\n".join(lines)) for d, lines in doc_text.items()}
    segments = tuple(
        SegmentResult(
            id=ids[i],
            doc=docs[i],
            src=src[i],
            hyp=hyp[i],
            ref=ref[i] if ref is not None else None,
            hits=tuple(
                matcher.score(
                    ids[i],
                    src[i],
                    hyp[i],
                    ref[i] if ref is not None else None,
                    docs[i],
                    active[docs[i]],
                )
            ),
            chrf=chrf[i] if chrf is not None else None,
        )
        for i in _counted(n, progress)
    )
    by_doc: dict[str, list[int]] = {}
    for i, d in enumerate(docs):
        by_doc.setdefault(d, []).append(i)
    empty: dict[str, float | None] = dict.fromkeys(SACREBLEU_METRICS)
    documents = tuple(
        DocumentResult(
            doc=d,
            segments=len(idx),
            terms=summarize_terms(h for i in idx for h in segments[i].hits),
            scores=stats.scores(idx) if stats is not None else empty,
        )
        for d, idx in by_doc.items()
    )
    hits = [h for s in segments for h in s.hits]
    return ScoreResult(
        segments=segments,
        terms=summarize_terms(hits),
        scores=stats.scores() if stats is not None else empty,
        documents=documents,
        table=tuple(term_table(hits)),
        signature=_signature(matcher, context, stats),
        glossary=_glossary_info(matcher),
        details={m: stats.detail(m) for m in stats.metrics} if stats is not None else {},
        ref_stats=stats,
    )


def _signature(
    matcher: TermMatcher, context: Mapping[str, str] | None, stats: RefStats | None
) -> dict[str, Signature]:
    signature = {"terms": matcher.signature.extend(context or {})}
    if stats is not None:
        signature.update((k, Signature.parse(v)) for k, v in stats.signatures.items())
    return signature


def _glossary_info(matcher: TermMatcher) -> dict[str, Any]:
    g = matcher.glossary
    return {
        "name": g.name,
        "entries": len(g.entries),
        "members": [{"name": m, "sha256": sha} for m, sha in g.members],
        "issues": len(g.issues),
    }


@dataclass(frozen=True)
class DocumentPart:
    """What a scored document keeps for the corpus: its raw hits and its sufficient statistics.

    Attributes:
        doc: the document id.
        segments: how many segments it has.
        hits: its raw term hits (``terms.jsonl``).
        stats: :meth:`RefStats.stats_json` of its segments, or ``None`` without a reference.
    """

    doc: str
    segments: int
    hits: tuple[TermHit, ...]
    stats: Mapping[str, list[list[Any]]] | None = None


def _counted(n: int, progress: Callable[[int], None] | None, step: int = 500) -> Iterator[int]:
    """``range(n)``, calling ``progress`` every ``step`` items and at the end."""
    for i in range(n):
        yield i
        if progress is not None and ((i + 1) % step == 0 or i + 1 == n):
            progress((i % step) + 1)


def combine_documents(
    parts: Iterable[DocumentPart],
    matcher: TermMatcher,
    *,
    context: Mapping[str, str] | None = None,
) -> ScoreResult:
    """The corpus result of documents already scored, without matching or scoring again.

    Term figures come from the documents' raw hits; BLEU/chrF/TER from the summed sufficient
    statistics of the documents that have them (exactly what scoring those documents' segments
    at once gives; ``reference_documents`` says how many when some have none). ``parts`` is
    consumed once, one document at a time, and no hit or statistic is kept past its document:
    memory grows with the glossary and the number of documents (one small row each, kept in a
    temporary file: :class:`DocumentRows`), not with segments or hits. The result holds no
    segments (``segment_count`` says how many): each document's own report shows them.
    """
    tally, totals = TermTally(), StatTotals()
    documents = DocumentRows()
    empty: dict[str, float | None] = dict.fromkeys(SACREBLEU_METRICS)
    start = 0
    for p in parts:
        start += p.segments
        tally.add(p.hits)
        totals.add(p.stats)
        own = RefStats.from_stats([dict(p.stats)]) if p.stats is not None and p.segments else None
        scores = own.scores() if own is not None else empty
        documents.append(DocumentResult(p.doc, p.segments, summarize_terms(p.hits), scores))
    documents.metrics = frozenset(totals.metrics)  # only those every doc with a reference has
    stats = totals.ref_stats()
    return ScoreResult(
        segments=(),
        terms=tally.summary(),
        scores=stats.scores() if stats is not None else empty,
        documents=documents,
        table=tuple(tally.table()),
        signature=_signature(matcher, context, stats),
        glossary=_glossary_info(matcher),
        details={m: stats.detail(m) for m in stats.metrics} if stats is not None else {},
        ref_stats=stats,
        segment_count=start,
        reference_documents=totals.with_stats if 0 < totals.with_stats < totals.parts else None,
    )
