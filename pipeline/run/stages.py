"""The per-document stages of ``unmt run``, as functions from input files to output files.

Each function reads the files of earlier stages, calls the stage's own module (segmentation,
translation, alignment, scoring) and writes its outputs atomically; :mod:`unmt.pipeline.run.runner`
decides whether a stage needs to run (:class:`unmt.pipeline.run.rundir.RunDir`).

Files of one document (``RUN_DIR/docs/<doc>/``):

- ``segments.zh.jsonl`` / ``segments.en.jsonl``: :class:`Segment` records;
- ``translations.jsonl``: :class:`Translation` records, one per Chinese segment;
- ``beads.jsonl``: :class:`Bead` records (only with a reference);
- ``terms.jsonl``: :class:`TermHit` records; ``pairs.jsonl``: :class:`Pair` records, the rows
  the exporters read (:mod:`unmt.pipeline.export.rows`); ``stats.json``: the number of rows and
  their sacreBLEU sufficient statistics, from which the corpus report computes corpus BLEU, chrF
  and TER exactly without scoring again.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.fileio import atomic_output, read_records, write_jsonl
from unmt.pipeline.run.config import RunConfig
from unmt.records import Bead, Pair, PairTerm, Segment, Translation

log = logging.getLogger(__name__)


#: what to do when a run's file is in the other language
_LANG_FIX = {
    "zh": "a run's INPUT documents are the Chinese ones: give the Chinese file as the source "
    "and the English one as its --reference",
    "en": "a --reference is the English translation of its source: give the English file",
}


def segment_stage(
    source: Path, lang: str, doc_id: str, paths: dict[str, Path], *, lines: bool = False
) -> dict[str, Any]:
    """Segment one document (``lines``: one segment per line) into ``paths["segments"]``.

    Raises:
        UserError: unreadable input, or a text that is clearly not in ``lang``.
    """
    from unmt.pipeline.segment.ingest import read_input
    from unmt.pipeline.segment.segmenter import check_language, segment_lines, segment_raw

    raw = read_input(source)
    check_language(raw, lang, fix=_LANG_FIX[lang])
    split = segment_lines if lines else segment_raw
    document, segments = split(raw, lang, doc_id)
    n = write_jsonl(paths["segments"], (s.to_json() for s in segments))
    paragraphs = sum(1 for b in document.blocks if b.kind == "paragraph")
    return {
        "segments": n,
        "paragraphs": paragraphs,
        "numbered": sum(1 for b in document.blocks if b.kind == "paragraph" and b.label),
        "blocks": len(document.blocks),
        "symbol": raw.symbol,
    }


def paragraph_flag(zh_paragraphs: int, en_paragraphs: int) -> str | None:
    """The flag recorded when source and reference number their paragraphs differently (the
    numbered paragraphs of each side: 1., 13.1, an annex's own; unnumbered ones, whose
    division the two languages' layouts may differ in, are not counted)."""
    if zh_paragraphs == en_paragraphs:
        return None
    return f"paragraph-count-mismatch: zh {zh_paragraphs}, en {en_paragraphs} (aligned anyway)"


PROBE_LINES = 300  # lines of a 1-1 line-aligned pair aligned to measure how well they pair


def align_stage(
    zh_path: Path,
    en_path: Path,
    mt_path: Path,
    paths: dict[str, Path],
    *,
    lines: bool = False,
    realign: bool = False,
) -> dict[str, Any]:
    """Align the Chinese segments with the reference's (MT as a bridge) into ``beads``.

    Line-aligned files (``lines``) whose non-blank lines are the same line numbers on both
    sides are paired 1-1 without the aligner (``realign`` runs it anyway); their first
    :data:`PROBE_LINES` lines are aligned to measure how well they pair.
    """
    from unmt.pipeline.align.aligner import align_segments, score_beads
    from unmt.pipeline.run.pairing import bead_evidence, same_line_share

    zh, en = read_records(zh_path, Segment), read_records(en_path, Segment)
    mt = [t.mt for t in read_records(mt_path, Translation)]
    method = "aligner"
    if (
        lines
        and not realign
        and [s.id.split(":")[-1] for s in zh] == [s.id.split(":")[-1] for s in en]
    ):
        method = "lines"
        beads = score_beads(
            [s.text for s in zh], [s.text for s in en], [Bead((i,), (i,)) for i in range(len(zh))],
            mt=mt,
        )  # fmt: skip
        k = min(PROBE_LINES, len(zh))
        probe = align_segments(zh[:k], en[:k], mt=mt[:k])
        evidence = bead_evidence(probe, k, k)
        evidence.update(same_line=same_line_share(probe, k), probed_lines=k)
    else:
        beads = align_segments(zh, en, mt=mt) if zh and en else _one_sided(len(zh), len(en))
        evidence = bead_evidence(beads, len(zh), len(en))
    n = write_jsonl(paths["beads"], (b.to_json() for b in beads))
    shapes: dict[str, int] = {}
    for b in beads:
        shapes[b.shape] = shapes.get(b.shape, 0) + 1
    return {"beads": n, "shapes": dict(sorted(shapes.items())), "method": method} | evidence


def _one_sided(n_src: int, n_tgt: int) -> list[Bead]:
    return [Bead((i,), ()) for i in range(n_src)] + [Bead((), (j,)) for j in range(n_tgt)]


def _join(texts: Sequence[str], lang: str) -> str:
    return ("" if lang == "zh" else " ").join(t.strip() for t in texts if t.strip())


def build_pairs(
    zh: list[Segment],
    mts: list[Translation],
    en: list[Segment] | None,
    beads: list[Bead] | None,
) -> list[Pair]:
    """The export rows before scoring: one per bead, or one per segment without reference."""
    with_ref = en is not None and beads is not None
    if en is None or beads is None:
        beads = [Bead((i,), (i,)) for i in range(len(zh))]
    pairs = []
    for b in beads:
        src = [zh[i] for i in b.src]
        mt = _join([mts[i].mt for i in b.src], "en")
        tgt = [en[j] for j in b.tgt] if with_ref and en is not None else []
        en_text, origin = (
            (_join([s.text for s in tgt], "en"), "reference") if with_ref else (mt, "mt")
        )
        head = (src or tgt)[0]
        if src:
            uid = "+".join(s.id for s in src)
        else:
            uid = f"{head.doc}:en:" + "+".join(s.id.split(":", 1)[-1] for s in tgt)
        pairs.append(
            Pair(
                id=uid,
                doc=head.doc,
                para=head.label,
                block=head.block,
                zh=_join([s.text for s in src], "zh"),
                en=en_text,
                en_origin=origin,
                mt=mt,
                bead=b.shape,
                align=b.score if with_ref and src and tgt else None,
            )
        )
    return pairs


def score_pairs(
    pairs: list[Pair], with_ref: bool, matcher: Any, context: dict[str, str], *, jobs: int = 1
) -> Any:
    """Score export rows with :func:`unmt.eval.scoring.score_segments` (one line per bead).

    The reference side is used when ``with_ref`` (every row has one); otherwise only term
    figures are computed.
    """
    from unmt.eval.scoring import score_segments

    with_ref = with_ref and bool(pairs)
    return score_segments(
        [p.zh for p in pairs],
        [p.mt for p in pairs],
        [p.en for p in pairs] if with_ref else None,
        matcher,
        seg_ids=[p.id for p in pairs],
        doc_ids=[p.doc for p in pairs],
        context=context,
        jobs=jobs,
    )


def score_stage(
    pairs: list[Pair],
    with_ref: bool,
    matcher: Any,
    context: dict[str, str],
    paths: dict[str, Path],
) -> dict[str, Any]:
    """Score one document: ``terms`` (TermHit records), ``pairs`` (export rows) and reports."""
    from unmt.eval.report.write import write_report

    result = score_pairs(pairs, with_ref, matcher, context)
    rows = []
    for pair, seg in zip(pairs, result.segments, strict=True):
        two_sided = with_ref and pair.zh and pair.en
        rows.append(
            dataclasses.replace(
                pair,
                terms=tuple(PairTerm(h.zh, h.en, h.found) for h in seg.hits),
                chrf=None if seg.chrf is None or not two_sided else round(seg.chrf, 4),
            )
        )
    write_jsonl(paths["terms"], (h.to_json() for h in result.hits))
    write_jsonl(paths["pairs"], (r.to_json() for r in rows))
    stats = result.ref_stats.stats_json() if result.ref_stats is not None else None
    with atomic_output(paths["stats"]) as fh:  # what the corpus report sums, exactly
        json.dump({"segments": len(rows), "sacrebleu": stats}, fh, separators=(",", ":"))
    for name in ("html", "md", "json"):
        write_report(result, paths[name])
    summary = result.summary_json()
    keep = ("bleu", "chrf", "ter", "term_accuracy", "term_occurrences", "term_hits")
    return {"rows": len(rows), **{k: summary.get(k) for k in keep}}


def load_pairs(doc_dir: Path, has_reference: bool) -> list[Pair]:
    """A translated (and aligned) document's rows, rebuilt from its stage files."""
    zh = read_records(doc_dir / "segments.zh.jsonl", Segment)
    mts = read_records(doc_dir / "translations.jsonl", Translation)
    if [t.id for t in mts] != [s.id for s in zh]:
        raise RuntimeError("translations.jsonl does not match segments.zh.jsonl; use --force")
    en = beads = None
    if has_reference:
        en = read_records(doc_dir / "segments.en.jsonl", Segment)
        beads = read_records(doc_dir / "beads.jsonl", Bead)
    return build_pairs(zh, mts, en, beads)


@functools.lru_cache(maxsize=4)
def term_matcher(glossary_paths: tuple[str, ...], min_zh_chars: int = 1) -> Any:
    """The compiled term matcher of glossary files (the shipped one when none)."""
    from unmt.eval.glossary.load import load_glossaries
    from unmt.eval.terms.matcher import TermMatcher

    return TermMatcher(load_glossaries(list(glossary_paths)), min_zh_chars=min_zh_chars)


def run_term_matcher(config: RunConfig) -> Any:
    """The term matcher of a run: its glossary files and ``min_zh_chars``."""
    files = tuple(str(g) for g in run_glossary_files(config))
    return term_matcher(files, config.min_zh_chars)


def run_glossary_files(config: RunConfig) -> list[Path]:
    """The glossary files whose hashes key the score stage: those given, then the shipped one
    unless ``no_default_glossary`` (:func:`unmt.eval.glossary.load.glossary_paths`)."""
    from unmt.eval.glossary.load import glossary_paths

    return glossary_paths(config.glossaries, default=not config.no_default_glossary)


def translate_stage(
    seg_path: Path,
    translator: Any,
    paths: dict[str, Path],
    tick: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Translate one document's Chinese segments into ``paths["translations"]``; ``tick(n)``
    after every n segments done (a progress bar)."""
    from unmt.models.translate import translate_segments

    segments = read_records(seg_path, Segment)
    calls = getattr(translator, "model_calls", 0)
    translations = translate_segments(segments, translator, tick)
    n = write_jsonl(paths["translations"], (t.to_json() for t in translations))
    flagged = sum(1 for t in translations if t.flags)
    return {
        "segments": n,
        "flagged": flagged,
        "model_calls": getattr(translator, "model_calls", 0) - calls,
    }


class TranslatorUnavailable(UserError):
    """The run's model cannot be opened: the whole run stops (exit 2), not one document."""


def open_run_translator(config: RunConfig, default_cache: Path) -> Any:
    """Open the translator of ``config`` (the engine itself loads on first use)."""
    from unmt.models.translate import open_translator

    options = dataclasses.replace(
        config.translate, cache=config.translate.cache or default_cache, quiet=config.quiet
    )
    try:
        return open_translator(options)
    except UserError as exc:
        raise TranslatorUnavailable(exc.what, path=exc.path, line=exc.line, hint=exc.hint) from exc
