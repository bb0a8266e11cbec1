"""What the HTML and Markdown reports share: number formats, summary rows, highlight spans."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from unmt.eval.metrics import TermRow
    from unmt.eval.scoring import ScoreResult, SegmentResult

Span = tuple[int, int, str, str]  # start, end, class (ok / miss / bad), tooltip


def fmt(value: float | None, digits: int = 2) -> str:
    """A number with ``digits`` decimals, or ``n/a``."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def pct(value: float | None) -> str:
    """A 0-1 ratio as a percentage with one decimal, or ``n/a``."""
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _model_row(result: ScoreResult) -> list[tuple[str, str]]:
    """The model named in the term signature's context, with a warning for random weights."""
    terms = result.signature.get("terms")
    model = terms.get("model") if terms is not None else None
    if model is None:
        return []
    if terms is not None and terms.get("meaningless") == "yes":
        model += " (RANDOM WEIGHTS: a smoke-test model, its translations are meaningless)"
    return [("model", model)]


REPORT_KIND = "unmt terminology and quality report"


def report_title(result: ScoreResult) -> str:
    """The page title: what the report is of (the document, or the run), then its kind."""
    what = result.name
    if not what and len(result.documents) == 1:
        what = result.documents[0].doc
    elif not what and result.documents:
        what = f"{len(result.documents)} documents"
    return f"{what}: {REPORT_KIND}" if what else REPORT_KIND


_METRICS = (("BLEU", "bleu"), ("chrF", "chrf"), ("TER", "ter"))


def _reference_score(result: ScoreResult, key: str) -> str:
    """A corpus BLEU/chrF/TER, with how many documents it is over when not all of them."""
    value, over = result.scores.get(key), result.reference_documents
    if value is None or over is None:
        return fmt(value)
    return f"{fmt(value)} over {over} of {len(result.documents)} documents with a reference"


def summary_rows(result: ScoreResult) -> list[tuple[str, str]]:
    """(label, value) pairs of the report's summary table."""
    t = result.terms
    g = result.glossary
    members = ", ".join(f"{m['name']} ({m['sha256'][:12]})" for m in g.get("members", []))
    return [
        *_model_row(result),
        ("segments", str(result.n_segments)),
        ("documents", str(len(result.documents))),
        *((name, _reference_score(result, key)) for name, key in _METRICS),
        ("term accuracy", f"{pct(t.term_accuracy)} ({t.hits} of {t.occurrences} occurrences)"),
        (
            "reference-confirmed term accuracy",
            f"{pct(t.term_accuracy_ref)} ({t.ref_hits} of {t.ref_occurrences} occurrences)",
        ),
        ("consistency", f"{pct(t.consistency)} (over {t.consistency_terms} repeated terms)"),
        ("forbidden renderings", str(t.forbidden)),
        ("glossary", f"{g.get('entries', 0)} entries from {members}"),
        ("glossary issues", str(g.get("issues", 0))),
    ]


def _no_overlap(spans: list[Span]) -> list[Span]:
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (s[0], s[0] - s[1])):
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def reference_spans(seg: SegmentResult) -> list[Span]:
    """Spans of the reference where it uses a term's approved English (or a variant)."""
    return _no_overlap(
        [(h.ref_start, h.ref_end, "ok", f"reference for {h.zh} → {h.en}") for h in seg.hits
         if h.ref_start >= 0]
    )  # fmt: skip


def segment_spans(seg: SegmentResult) -> tuple[list[Span], list[Span], list[tuple[str, str]]]:
    """Source spans, hypothesis spans and the ``(zh, en)`` of missed occurrences."""
    src: list[Span] = []
    hyp: list[Span] = []
    missing: list[tuple[str, str]] = []
    for h in seg.hits:
        if h.found:
            cls = "ok"
        elif h.rendering is not None:
            cls = "bad"
        else:
            cls = "miss"
        src.append((h.start, h.end, cls, f"{h.en} [{h.entry}]"))
        if h.hyp_start >= 0:
            what = "approved/variant" if h.found else "forbidden"
            hyp.append((h.hyp_start, h.hyp_end, cls, f"{what} for {h.zh} → {h.en}"))
        for text, start, end in h.forbidden:
            if start != h.hyp_start:
                hyp.append((start, end, "bad", f"forbidden {text!r} for {h.zh} → {h.en}"))
        if not h.found:
            missing.append((h.zh, h.en))
    return _no_overlap(src), _no_overlap(hyp), missing


def sort_key(value: float | None) -> str:
    """A sort key for a table cell: the number, or -1 for n/a."""
    return "-1" if value is None else f"{value:.6f}"


Piece = tuple[str, str, str]  # text, class ("" for plain text), tooltip


def pieces(text: str, spans: list[Span]) -> list[Piece]:
    """``text`` cut at ``spans`` (which do not overlap): the plain and the marked pieces."""
    out: list[Piece] = []
    pos = 0
    for start, end, cls, title in spans:
        out.append((text[pos:start], "", ""))
        out.append((text[start:end], cls, title))
        pos = end
    out.append((text[pos:], "", ""))
    return out


@dataclass(frozen=True, slots=True)
class Bar:
    """One term's bar of the chart (coordinates already formatted)."""

    label: str
    en: str
    y: int
    text_y: int
    ok_w: str
    miss_x: str
    miss_w: str
    count_x: str
    hits: int
    missed: int
    occurrences: int


@dataclass(frozen=True, slots=True)
class Chart:
    """Horizontal bars of the most frequent terms: found and missed occurrences."""

    bars: list[Bar]
    width: int = 900
    label_x: int = 394
    bar_x: int = 400
    bar_h: int = 16

    @property
    def height(self) -> int:
        return len(self.bars) * (self.bar_h + 4) + 24

    @property
    def key_y(self) -> int:
        return len(self.bars) * (self.bar_h + 4) + 14


def chart(rows: Sequence[TermRow], limit: int = 20) -> Chart | None:
    """The chart of the ``limit`` most frequent terms, or None when no term occurs."""
    top = list(rows[:limit])
    if not top:
        return None
    empty = Chart([])
    biggest = max(r.occurrences for r in top)
    scale = (empty.width - empty.bar_x - 60) / biggest
    bars = []
    for i, r in enumerate(top):
        y = i * (empty.bar_h + 4)
        ok = r.hits * scale
        miss = (r.occurrences - r.hits) * scale
        label = f"{r.zh} — {r.en}"
        bars.append(
            Bar(
                label=label if len(label) <= 44 else label[:43] + "…",
                en=r.en,
                y=y,
                text_y=y + 12,
                ok_w=f"{ok:.1f}",
                miss_x=f"{empty.bar_x + ok:.1f}",
                miss_w=f"{miss:.1f}",
                count_x=f"{empty.bar_x + ok + miss + 4:.1f}",
                hits=r.hits,
                missed=r.occurrences - r.hits,
                occurrences=r.occurrences,
            )
        )
    return Chart(bars)


@dataclass(frozen=True, slots=True)
class SegmentView:
    """What a report shows of one segment: its texts cut into marked pieces, and its labels."""

    id: str
    doc: str
    classes: str
    terms: str  # the entries of its hits, tab-separated (the page's filter reads them)
    missed: str  # the entries it misses, tab-separated
    found: int
    n_hits: int
    chrf: str  # " · chrF 12.34", or ""
    src: list[Piece]
    hyp: list[Piece]
    ref: list[Piece] | None
    ref_text: str | None
    missing: list[tuple[str, str]]


def segment_view(seg: SegmentResult) -> SegmentView:
    """The view of one scored segment."""
    src_spans, hyp_spans, missing = segment_spans(seg)
    classes = ["seg"]
    if seg.hits:
        classes.append("has-terms")
    if missing:
        classes.append("has-miss")
    if any(h.forbidden for h in seg.hits):
        classes.append("has-bad")
    return SegmentView(
        id=seg.id,
        doc=seg.doc,
        classes=" ".join(classes),
        terms="\t".join(dict.fromkeys(h.entry for h in seg.hits)),
        missed="\t".join(dict.fromkeys(h.entry for h in seg.hits if not h.found)),
        found=sum(h.found for h in seg.hits),
        n_hits=len(seg.hits),
        chrf=f" · chrF {seg.chrf:.2f}" if seg.chrf is not None else "",
        src=pieces(seg.src, src_spans),
        hyp=pieces(seg.hyp, hyp_spans),
        ref=None if seg.ref is None else pieces(seg.ref, reference_spans(seg)),
        ref_text=seg.ref,
        missing=missing,
    )


def report_context(result: ScoreResult, title: str | None = None) -> dict[str, Any]:
    """What the HTML and Markdown templates are given: the report's content, ready to lay out.

    Segments are viewed one at a time as the template reaches them, and the per-document rows
    are read as they are written out, so a corpus report streams.
    """
    from unmt import __version__

    per_doc = result.documents if len(result.documents) > 1 else None
    with_segments = bool(result.segments) or not result.n_segments
    return {
        "title": title or report_title(result),
        "summary": summary_rows(result),
        "signatures": [(k, str(v)) for k, v in result.signature.items()],
        "details": list(result.details.values()),
        "chart": chart(result.table),
        "terms": result.table,
        "term_links": bool(result.segments),
        "documents": per_doc,
        "n_documents": len(result.documents),
        "links": result.document_links,
        "segments": _Segments(result.segments) if with_segments else None,
        "with_terms": sum(1 for s in result.segments if s.hits),
        "version": __version__,
        "newline": "\n",
    }


class _Segments:
    """The segments' views, made as they are iterated (``|length`` is the segment count)."""

    def __init__(self, segments: Sequence[SegmentResult]) -> None:
        self._segments = segments

    def __len__(self) -> int:
        return len(self._segments)

    def __iter__(self) -> Iterator[SegmentView]:
        return (segment_view(s) for s in self._segments)
