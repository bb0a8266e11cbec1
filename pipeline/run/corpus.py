"""The run's reports: the term-signature context and the corpus report over all documents.

Per-document reports are written by the score stage (:func:`unmt.pipeline.run.stages.score_stage`);
the corpus report (``RUN_DIR/report.html|md|json``) re-scores the rows of every finished document
in one :func:`unmt.eval.scoring.score_segments` call, so corpus figures are true corpus figures
(not averages), and adds the failed documents and flags to the report's details.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from unmt.fileio import read_records
from unmt.pipeline.run import stages as st
from unmt.pipeline.run.codekey import stage_code_key
from unmt.pipeline.run.config import RunConfig
from unmt.pipeline.run.rundir import RunDir, stage_key
from unmt.records import Pair


def score_context(run: RunDir) -> dict[str, str]:
    """The settings named in term signatures: segmenter, model and revision, beam, backend."""
    from unmt.pipeline.segment.segmenter import SEGMENTER_VERSION

    t = run.meta.get("translator") or {}
    context = {"seg": SEGMENTER_VERSION}
    if t:
        context["model"] = f"{t.get('model')}@{t.get('revision') or 'local'}"
        context.update(beam=str(t.get("beam")), backend=str(t.get("backend")))
        if t.get("meaningless"):
            context["meaningless"] = "yes"
    return context


def corpus_report(
    run: RunDir, config: RunConfig, done: list[str], failed: dict[str, str]
) -> Path | None:
    """Write ``report.html|md|json`` over every finished document; skipped when unchanged.

    Failed documents are listed in the report's details. BLEU/chrF/TER appear at corpus level
    only when every finished document had a reference.
    """
    from unmt.eval.report.write import write_report

    if not done:
        return None
    paths = {name: run.path / f"report.{name}" for name in ("html", "md", "json")}
    glossaries = st.glossary_files(config.glossaries)
    matcher = st.term_matcher(tuple(str(g) for g in glossaries))
    context = score_context(run)
    docs = run.documents()
    inputs = {d: run.doc_dir(d) / "pairs.jsonl" for d in done}
    key = stage_key(
        "corpus",
        {
            "code": stage_code_key("corpus"),
            "context": context,
            "failed": failed,
            "terms": str(matcher.signature),
            "flags": {d: docs[d].flags for d in done},
        },
        {d: run.digest(p) for d, p in inputs.items()},
    )
    previous = run.meta.get("corpus") or {}
    if not config.force and previous.get("key") == key and all(p.is_file() for p in paths.values()):
        return paths["html"]
    pairs: list[Pair] = []
    for d in done:  # the rows the key hashed: each document's pairs.jsonl, not rebuilt again
        pairs += read_records(inputs[d], Pair)
    with_ref = all(docs[d].reference is not None for d in done)
    result = st.score_pairs(pairs, with_ref, matcher, context, jobs=config.jobs)
    details = dict(result.details)
    for doc_id, error in failed.items():
        details[f"failed:{doc_id}"] = f"document {doc_id} FAILED: {error}"
    for doc_id in done:
        for flag in docs[doc_id].flags:
            details[f"flag:{doc_id}"] = f"document {doc_id}: {flag}"
    result = dataclasses.replace(result, details=details)
    for path in paths.values():
        write_report(result, path)
    signatures = {k: str(v) for k, v in result.signature.items()}
    for d in done:
        align = docs[d].stages.get("align")
        if align:
            signatures["align"] = align.settings.get("aligner", "")
            break
    run.update(
        corpus={"key": key, "documents": len(done), "failed": len(failed)},
        signatures=signatures,
    )
    return paths["html"]
