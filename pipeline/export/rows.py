"""Reading the finished rows of one or more run directories, for the exporters.

Each finished document of a run has ``docs/<doc>/pairs.jsonl`` (written by the run's score
stage): one :class:`~unmt.records.Pair` per alignment bead (or per segment when there is no
reference).

Several run directories merge (inputs sharded over several runs): documents are taken in the
order of the run directories, then of each manifest. The same document (same source sha256) in
two runs is taken once; two different documents with one id are an error.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.pipeline.run.pairing import MISMATCH
from unmt.pipeline.run.rundir import RunDir, sha256_file
from unmt.pipeline.run.state import DocEntry
from unmt.records import Pair

log = logging.getLogger(__name__)

PAIRS_FILE = "pairs.jsonl"
ROWS_STAGE = "score"
#: how the reason of a finished document left out for its mismatch flag starts
FLAGGED = "flagged"


@dataclass
class ExportSet:
    """What the exporters write: finished documents' rows and what was left out.

    Attributes:
        runs: the run directories read.
        docs: doc id -> its entry in the run's state, for the documents exported, in order.
        pairs: doc id -> path of its ``pairs.jsonl``.
        skipped: doc id -> why it was not exported (failed, unfinished, duplicate).
        settings: the first run's settings (model, glossaries, ...).
        signatures: signature name -> value, merged over runs (first wins).
        translators: every run's translator identity (model, revision, backend...), once each.
        glossaries: every run's glossary files, once each.
        meaningless: the documents whose machine translation came from a random-weight model
            (meaningless: never exported as a translation).
    """

    runs: list[Path]
    docs: dict[str, DocEntry] = field(default_factory=dict)
    pairs: dict[str, Path] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    signatures: dict[str, Any] = field(default_factory=dict)
    translators: list[dict[str, Any]] = field(default_factory=list)
    glossaries: list[str] = field(default_factory=list)
    meaningless: set[str] = field(default_factory=set)
    #: called with the number of lines of each document read (a progress bar), when set
    progress: Callable[[int], None] | None = None

    @property
    def flagged(self) -> list[str]:
        """The documents of ``skipped`` that finished and were left out only for their mismatch
        flag (kept by ``unmt run --accept-mismatch``; ``include_flagged`` exports them)."""
        return [d for d, why in self.skipped.items() if why.startswith(FLAGGED)]

    def rows(self) -> Iterator[Pair]:
        """Every row of every exported document, in order, one at a time (each format decides
        which it leaves out: :mod:`unmt.pipeline.export.formats`).

        The files are the run's own, checked against the sha256 the run recorded
        (:func:`collect`), so they are parsed without the bounds put on a user's JSONL.

        Raises:
            UserError: a row that is not a :class:`~unmt.records.Pair` (file and line named).
        """
        loads, from_json = json.loads, Pair.from_json
        for doc_id, path in self.pairs.items():
            hint = f"a broken row of document {doc_id}; run `unmt run` again on this run directory"
            line = 0
            with open(path, encoding="utf-8") as fh:
                for line, text in enumerate(fh, 1):
                    if not text.strip():
                        continue
                    try:
                        pair = from_json(loads(text))
                    except (ValueError, TypeError, KeyError, AttributeError) as exc:
                        raise UserError(
                            f"not a pairs row ({exc})", path=path, line=line, hint=hint
                        ) from None
                    yield pair
            if self.progress is not None:
                self.progress(line)  # a document at a time: the bar moves, rows do not wait


def _finished_pairs(
    run: RunDir, doc_id: str, entry: DocEntry, include_flagged: bool = False
) -> tuple[Path | None, str]:
    """The document's pairs file when its rows stage finished intact, else why not (a reason
    that starts with :data:`FLAGGED` when the document finished but is flagged)."""
    if entry.status == "failed":
        return None, f"failed: {entry.error or 'unknown error'}"
    stage = entry.stages.get(ROWS_STAGE)
    if stage is None or stage.status != "done":
        return None, "unfinished (not scored yet)"
    for rel, digest in stage.outputs.items():
        if not rel.endswith("/" + PAIRS_FILE):
            continue
        path = run.path / rel
        if not path.is_file() or sha256_file(path) != digest:
            return None, f"unfinished ({rel} missing or changed since the run)"
        mismatch = [f for f in entry.flags if f.startswith(MISMATCH)]
        if mismatch and not include_flagged:
            return None, f"{FLAGGED} ({'; '.join(mismatch)}); --include-flagged exports it"
        return path, ""
    return None, "unfinished (no pairs file recorded)"


def collect(run_dirs: Sequence[str | Path], *, include_flagged: bool = False) -> ExportSet:
    """Read the manifests of ``run_dirs`` and gather their finished documents.

    A document kept with ``unmt run --accept-mismatch`` (its reference did not look like its
    translation) is left out unless ``include_flagged``.
    """
    if not run_dirs:
        raise UserError("no run directory given", hint="name at least one RUN_DIR")
    result = ExportSet(runs=[])
    sources: dict[str, str] = {}
    for rd in run_dirs:
        run = RunDir(rd, create=False)
        if not run.is_run:
            raise UserError(
                "not a run directory (no state.sqlite or manifest.json)",
                path=run.path,
                hint="give a directory written by `unmt run`",
            )
        result.runs.append(run.path)
        manifest = run.meta
        try:
            entries = run.documents()
        finally:
            run.close()
        if not result.settings:
            result.settings = dict(manifest.get("settings", {}))
        for name, value in manifest.get("signatures", {}).items():
            result.signatures.setdefault(name, value)
        translator = manifest.get("translator")
        if translator and translator not in result.translators:
            result.translators.append(translator)
        meaningless = bool(translator and translator.get("meaningless"))
        for glossary in manifest.get("settings", {}).get("glossaries") or []:
            if str(glossary) not in result.glossaries:
                result.glossaries.append(str(glossary))
        for doc_id, entry in entries.items():
            sha = str(entry.sha256 or "")
            if doc_id in sources:
                if sources[doc_id] == sha:
                    log.warning("%s: %s appears in two runs; exported once", run.path, doc_id)
                    continue
                raise UserError(
                    f"two different documents share the id {doc_id!r}",
                    path=run.path,
                    hint="give them distinct ids (a --pairs manifest's third column)",
                )
            path, why = _finished_pairs(run, doc_id, entry, include_flagged)
            if path is None:
                result.skipped[doc_id] = why
                continue
            sources[doc_id] = sha
            result.skipped.pop(doc_id, None)
            result.docs[doc_id] = entry
            result.pairs[doc_id] = path
            if meaningless:
                result.meaningless.add(doc_id)
    return result
