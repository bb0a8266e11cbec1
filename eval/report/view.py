"""What the HTML and Markdown reports share: number formats, summary rows, highlight spans."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
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


def summary_rows(result: ScoreResult) -> list[tuple[str, str]]:
    """(label, value) pairs of the report's summary table."""
    t = result.terms
    g = result.glossary
    members = ", ".join(f"{m['name']} ({m['sha256'][:12]})" for m in g.get("members", []))
    return [
        *_model_row(result),
        ("segments", str(result.n_segments)),
        ("documents", str(len(result.documents))),
        ("BLEU", fmt(result.scores.get("bleu"))),
        ("chrF", fmt(result.scores.get("chrf"))),
        ("TER", fmt(result.scores.get("ter"))),
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
