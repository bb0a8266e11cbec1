"""The run's reports: the term-signature context and the corpus report over all documents.

Per-document reports are written by the score stage (:func:`unmt.pipeline.run.stages.score_stage`);
the corpus report (``RUN_DIR/report.html|md|json``) is combined from what each finished document's
score stage kept -- its raw term hits and its sacreBLEU sufficient statistics -- so corpus figures
are true corpus figures (not averages of documents) without scoring anything twice.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from unmt.eval.scoring import DocumentPart, combine_documents
from unmt.fileio import read_records
from unmt.pipeline.run import stages as st
from unmt.pipeline.run.codekey import stage_code_key
from unmt.pipeline.run.config import RunConfig
from unmt.pipeline.run.rundir import DOCS_DIR, RunDir, stage_key
from unmt.records import TermHit


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


def _document_part(doc_dir: Path, doc: str) -> DocumentPart:
    """What the corpus needs of one scored document: its hits and sufficient statistics."""
    stats = json.loads((doc_dir / "stats.json").read_text(encoding="utf-8"))
    hits = tuple(read_records(doc_dir / "terms.jsonl", TermHit))
    return DocumentPart(doc, int(stats["segments"]), hits, stats["sacrebleu"])


def corpus_report(
    run: RunDir,
    config: RunConfig,
    done: list[str],
    failed: dict[str, str],
    flags: Mapping[str, Sequence[str]] | None = None,
) -> Path | None:
    """Write ``report.html|md|json`` over every finished document; skipped when unchanged.

    Built from what each document's score stage kept (``terms.jsonl``, ``stats.json``): no term
    is matched and no segment scored again, and corpus BLEU/chrF/TER are exact (summed
    sufficient statistics of the documents with a reference; the summary says how many of the
    documents that is when not all). The report holds the summary, the per-document table
    (linking to each document's report) and the term table; segments are in the per-document
    reports. Failed documents and flags are listed in its details. It is redone when its key
    changes or any of its files changed since.
    ``flags`` (the done documents' flags; one missing from it has none) saves reading each
    document's entry again. The per-document rows go to a temporary file as they are combined
    and each format is written as a stream, so memory does not grow with the corpus.
    """
    from unmt.eval.report.write import write_report

    if not done:
        return None
    paths = {name: run.path / f"report.{name}" for name in ("html", "md", "json")}
    matcher = st.run_term_matcher(config)
    context = score_context(run)
    if flags is None:
        flags = {d: run.document(d).flags for d in done}
    flags = {d: list(f) for d, f in flags.items() if f}  # the flagged documents only
    docs_dir = os.path.join(run.path, DOCS_DIR)  # strings: two files per document
    inputs = hashlib.sha256()  # every input file's hash, streamed: no dict of the corpus
    for d in done:
        for name in ("terms.jsonl", "stats.json"):
            inputs.update(f"{d}/{name}\t{run.digest(os.path.join(docs_dir, d, name))}\n".encode())
    key = stage_key(
        "corpus",
        {
            "code": stage_code_key("corpus"),
            "context": context,
            "failed": failed,
            "terms": str(matcher.signature),
            "flags": flags,
        },
        {"documents": inputs.hexdigest()},
    )
    previous = run.meta.get("corpus") or {}
    recorded = previous.get("outputs") or {}
    if (
        not config.force
        and previous.get("key") == key
        and all(p.is_file() and recorded.get(n) == run.digest(p) for n, p in paths.items())
    ):
        return paths["html"]
    parts = (_document_part(run.doc_dir(d), d) for d in done)  # one document in memory at a time
    result = combine_documents(parts, matcher, context=context)
    details = dict(result.details)
    for doc_id, error in failed.items():
        details[f"failed:{doc_id}"] = f"document {doc_id} FAILED: {error}"
    for doc_id in done:
        for flag in flags.get(doc_id, ()):
            details[f"flag:{doc_id}"] = f"document {doc_id}: {flag}"
    links = {d: f"{DOCS_DIR}/{d}/report.html" for d in done}
    name = f"corpus of {len(done)} documents"  # not the folder: runs compare byte for byte
    result = dataclasses.replace(result, details=details, document_links=links, name=name)
    for path in paths.values():
        write_report(result, path)
    signatures = {k: str(v) for k, v in result.signature.items()}
    for d in done:
        align = run.document(d).stages.get("align")
        if align:
            signatures["align"] = align.settings.get("aligner", "")
            break
    run.update(
        corpus={
            "key": key,
            "documents": len(done),
            "failed": len(failed),
            "outputs": {n: run.digest(p) for n, p in paths.items()},
        },
        signatures=signatures,
    )
    return paths["html"]
