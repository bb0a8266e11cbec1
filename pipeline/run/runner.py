"""``unmt run``'s orchestration: many documents -> per-document stage files and reports.

Per document: segment (and segment the reference) -> translate -> align with the reference when
there is one (never without: source and MT are 1-1 by construction) -> score -> report; then a
corpus report over every finished document. Documents go through in chunks of
:data:`CHUNK_DOCS` (in input order), each chunk in three phases:

1. *prepare* (cheap, over documents in ``jobs`` processes): segmentation;
2. *translate* (one model, documents in order): the translator is opened only when some document
   needs translating, and its persistent cache (``RUN_DIR/cache.sqlite`` unless ``cache`` is
   set) makes an interrupted run resume without translating a segment twice;
3. *finish* (cheap, in ``jobs`` processes): alignment, scoring, the document's report.

The engine (its worker processes, its translator) lives for the whole run; chunks keep what a
run holds in memory to one chunk's documents however large the corpus (the state store holds
the rest), and every document's files are the same whatever the chunking.

A document that fails (missing file, bad encoding, empty) is recorded in the manifest and the
corpus report; the others go on. Each stage is skipped when its inputs and settings did not
change (:class:`unmt.pipeline.run.rundir.RunDir`); ``force`` redoes every stage.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import functools
import logging
import multiprocessing
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from unmt.errors import UserError
from unmt.fileio import WriteError, hash_checked_outputs, real_path, shown_path, staging_folder
from unmt.pipeline.run import stages as st
from unmt.pipeline.run.codekey import STAGE_CODE, stage_code_key
from unmt.pipeline.run.config import EXECUTION_SETTINGS, RunConfig
from unmt.pipeline.run.corpus import corpus_report, score_context
from unmt.pipeline.run.inputs import DocInput, collect_documents
from unmt.pipeline.run.pairing import MISMATCH, PairingEvidence, pairing_problems
from unmt.pipeline.run.rundir import (
    CACHE_NAME,
    RunDir,
    check_run_path,
    library_versions,
)
from unmt.pipeline.run.state import DocEntry
from unmt.pipeline.run.table import DocContext, stages_of
from unmt.progress import Progress

log = logging.getLogger(__name__)

#: documents taken through the three phases together (see the module docstring)
CHUNK_DOCS = 128


@dataclass
class RunSummary:
    """The outcome of a run."""

    run_dir: Path
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    flagged: dict[str, str] = field(default_factory=dict)
    report: Path | None = None
    seconds: float = 0.0
    segments: int = 0

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, UserError):
        return exc.render()
    return f"{type(exc).__name__}: {exc}"


#: the checks a stage table names -> whether they run after alignment (pairing evidence)
_AFTER_ALIGNMENT = {"pairing-before-translation": False, "pairing": True}


class DocStages:
    """Runs the declared stages (:data:`unmt.pipeline.run.table.STAGES`) of documents against a
    run directory, and the checks that follow them."""

    def __init__(self, run: RunDir, config: RunConfig) -> None:
        self.run = run
        self.config = config

    def context(self, doc: DocInput, **extra: Any) -> DocContext:
        return DocContext(doc, self.run.doc_dir(doc.doc_id), self.config, **extra)

    def run_phase(self, doc: DocInput, phase: str, **extra: Any) -> None:
        """Every stage of ``phase`` that applies to ``doc``, each followed by its check."""
        ctx = self.context(doc, **extra)
        for stage in stages_of(phase):
            if not stage.applies(ctx):
                continue
            settings = stage.settings(ctx)
            if stage.code is not None:
                settings["code"] = stage_code_key(stage.code)
            self.run.stage(
                doc.doc_id,
                stage.name,
                settings=settings,
                inputs=stage.inputs(ctx),
                outputs=stage.outputs,
                run=functools.partial(stage.run, ctx),
                force=self.config.force,
            )
            if stage.check is not None:
                self.check_pairing(doc, aligned=_AFTER_ALIGNMENT[stage.check])
        if phase == "prepare":
            self.after_segmentation(doc)

    def prepare(self, doc: DocInput) -> None:
        """Segment the source (and reference)."""
        self.run_phase(doc, "prepare")

    def after_segmentation(self, doc: DocInput) -> None:
        stages = self.run.document(doc.doc_id).stages
        if stages["segment.zh"].info["segments"] == 0:
            raise UserError("no text to translate after segmentation", path=doc.source)

    def check_pairing(self, doc: DocInput, *, aligned: bool) -> None:
        """Fail a document whose reference does not look like its translation; with
        ``accept_mismatch``, flag it instead (export then leaves it out by default).

        Before alignment (``aligned=False``) only paragraph counts and symbols are compared,
        so that a clear mismatch is not translated first; the paragraph-count flag is set then.
        """
        stages = self.run.document(doc.doc_id).stages
        zh, en = stages["segment.zh"].info, stages["segment.en"].info
        evidence = PairingEvidence.of(zh, en, stages["align"].info if aligned else {})
        problems = pairing_problems(evidence)
        if problems and not self.config.accept_mismatch:
            raise UserError(
                "the reference does not look like a translation of the source: "
                + "; ".join(problems),
                path=doc.reference,
                hint="check which reference goes with which source (--reference order, "
                "--pairs); --accept-mismatch keeps such a document, flagged",
            )
        flag = st.paragraph_flag(zh.get("numbered", 0), en.get("numbered", 0))
        flags = ([flag] if flag else []) + [f"{MISMATCH}: {p}" for p in problems]
        self.run.set_document(doc.doc_id, flags=flags)

    def translate(
        self,
        doc: DocInput,
        translator: Any,
        identity: dict[str, Any],
        tick: Callable[[int], None] | None = None,
    ) -> None:
        """Translate the Chinese segments with the run's one translator (``tick``: progress)."""
        self.run_phase(doc, "translate", translator=translator, identity=identity, tick=tick)

    def finish(self, doc: DocInput) -> None:
        """Align (with a reference), score and report one translated document."""
        self.run_phase(doc, "finish", context=score_context(self.run))


def _guard(run: RunDir, doc: DocInput, step: Callable[[], None]) -> None:
    """Run ``step`` for ``doc``; a failure is recorded on the document, not raised."""
    try:
        step()
    except (st.TranslatorUnavailable, WriteError, sqlite3.OperationalError):
        raise  # the run cannot go on: stop it (exit 2) instead of failing every document
    except Exception as exc:  # one document failing must not stop the others
        log.debug("%s failed", doc.doc_id, exc_info=True)
        run.set_document(doc.doc_id, status="failed", error=_error_text(exc))


def _step(stages: DocStages, doc: DocInput, phase: str) -> None:
    if phase == "prepare":
        stages.prepare(doc)
    else:
        stages.finish(doc)


def _init_worker(level: int) -> None:
    """A worker process logs like the command (``unmt:`` prefix, its level; ``--quiet``: errors
    only) and dies with its parent (Linux: a parent killed with SIGKILL leaves no worker)."""
    logging.basicConfig(level=level, format="unmt: %(levelname)s: %(message)s", force=True)
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the line above ran
            os._exit(1)


def _worker(run_path: str, config: RunConfig, doc: DocInput, phase: str) -> DocEntry:
    """Process-pool entry: one phase of one document; returns its entry (the parent records it)."""
    run = RunDir(run_path, persist=False, only=doc.doc_id)
    try:
        with hash_checked_outputs():
            _guard(run, doc, functools.partial(_step, DocStages(run, config), doc, phase))
        return run.document(doc.doc_id)
    finally:
        run.close()


def _worker_pool(config: RunConfig) -> concurrent.futures.ProcessPoolExecutor:
    """``config.jobs`` worker processes for the cheap phases (started once per run)."""
    ctx = multiprocessing.get_context("spawn")
    level = logging.getLogger("unmt").getEffectiveLevel()
    if config.quiet:
        level = max(level, logging.ERROR)
    return concurrent.futures.ProcessPoolExecutor(
        config.jobs, mp_context=ctx, initializer=_init_worker, initargs=(level,)
    )


def _each(
    run: RunDir,
    config: RunConfig,
    docs: list[DocInput],
    phase: str,
    pool: Callable[[], concurrent.futures.ProcessPoolExecutor] | None = None,
) -> None:
    """Run a cheap phase over ``docs``, in ``pool()``'s processes when ``jobs`` > 1."""
    docs = [d for d in docs if run.document(d.doc_id).status != "failed"]
    if config.jobs == 1 or len(docs) < 2 or pool is None:
        stages = DocStages(run, config)
        for doc in docs:
            _guard(run, doc, functools.partial(_step, stages, doc, phase))
        return
    executor = pool()
    futures = {executor.submit(_worker, str(run.path), config, d, phase): d for d in docs}
    for fut in concurrent.futures.as_completed(futures):
        doc = futures[fut]
        try:
            entry = fut.result()
        except WriteError:
            raise
        except Exception as exc:  # a crashed worker fails its document only
            run.set_document(doc.doc_id, status="failed", error=_error_text(exc))
            continue
        run.put_entry(doc.doc_id, entry)


class Engine(Protocol):
    """Where a run's work happens; results are always recorded by the driver (this process).

    One engine serves a whole run, chunk after chunk: what it starts (processes, a model,
    actors) it starts once and releases in :meth:`close`.
    """

    def each(self, docs: list[DocInput], phase: str) -> None:
        """Run a cheap phase (``prepare``: segmentation; ``finish``: align, score, report)."""

    def translate_all(self, docs: list[DocInput], *, progress: bool) -> None:
        """Translate every live document of ``docs``."""

    def close(self) -> None:
        """Release what the engine started."""


class LocalEngine:
    """This machine: cheap phases in ``--jobs`` processes, translation through one model."""

    def __init__(self, run: RunDir, config: RunConfig) -> None:
        self.run, self.config = run, config
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._translator: Any = None
        self._identity: dict[str, Any] = {}
        self._bar: Progress | None = None

    def _workers(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = _worker_pool(self.config)
        return self._pool

    def each(self, docs: list[DocInput], phase: str) -> None:
        _each(self.run, self.config, docs, phase, self._workers)

    def translate_all(self, docs: list[DocInput], *, progress: bool) -> None:
        """Translate every live document of ``docs`` in order through the run's one translator.

        The translator is opened (model resolved, identity known: cheap) at the first chunk with
        a live document, because its identity (model revision or weights hash, backend,
        compute type) is part of the translate stage's key; the engine itself loads only if a
        segment is not cached. The progress bar counts segments over the whole run.
        """
        run = self.run
        live = [d for d in docs if run.document(d.doc_id).status != "failed"]
        if not live:
            return
        if self._translator is None:
            self._translator = st.open_run_translator(self.config, run.path / CACHE_NAME)
            self._identity = self._translator.identity()
            run.update(translator=self._identity)
            self._bar = Progress("translating", 0, enabled=progress, leave=True)
        bar = self._bar
        assert bar is not None
        stages = DocStages(run, self.config)
        sizes = [run.document(d.doc_id).stages["segment.zh"].info["segments"] for d in live]
        bar.extend(sum(sizes))
        for doc, size in zip(live, sizes, strict=True):
            start = bar.n
            step = functools.partial(
                stages.translate, doc, self._translator, self._identity, bar.update
            )
            _guard(run, doc, step)
            bar.catch_up(start + size)

    def close(self) -> None:
        try:
            if self._bar is not None:
                self._bar.close()
            if self._translator is not None:
                self._translator.close()
        finally:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)


def _unnamed(doc: DocInput) -> bool:
    """Whether a file name of ``doc`` is not UTF-8 (Python holds its bad bytes as surrogates,
    which the state store and every JSON output refuse)."""
    return any(p is not None and shown_path(p) != str(p) for p in (doc.source, doc.reference))


def _register(run: RunDir, config: RunConfig, docs: list[DocInput]) -> None:
    """Record inputs, settings and versions; start each document's entry afresh or keep it."""

    def entries() -> Iterator[tuple[str, DocEntry]]:
        for doc in docs:  # one document at a time: a corpus is never held in memory whole
            old = run.recorded(doc.doc_id) or DocEntry()
            entry = DocEntry(
                source=shown_path(doc.source),
                reference=None if doc.reference is None else shown_path(doc.reference),
                stages=old.stages,  # the stages stay as recorded (none for a new document)
            )
            if _unnamed(doc):  # failed below; its file is not hashed (the store keys by name)
                yield doc.doc_id, entry
                continue
            if old.status == "done":
                # a finished document stays "done" (and keeps its flags) while its stages are
                # checked again; any stage that fails marks it failed
                entry.status, entry.flags = "done", list(old.flags)
            if doc.source.is_file():
                entry.sha256 = run.digest(doc.source)
            if doc.reference is not None and doc.reference.is_file():
                entry.reference_sha256 = run.digest(doc.reference)
            yield doc.doc_id, entry

    dropped = sorted(run.register(entries()))
    if dropped:
        shown = ", ".join(dropped[:10]) + (
            f" and {len(dropped) - 10} more" if len(dropped) > 10 else ""
        )
        log.warning(
            "%d document(s) of this run directory are not among the inputs any more and are "
            "left out of its state: %s (their files stay in %s)",
            len(dropped),
            shown,
            run.path / "docs",
        )
    settings = {
        k: v
        for k, v in dataclasses.asdict(config).items()
        if k not in (*EXECUTION_SETTINGS, "translate")
    }
    settings.update(config.translation_settings(), cache=config.translate.cache)
    run.update(settings=settings, versions=library_versions())
    for doc in docs:
        if _unnamed(doc):
            error = (
                f"{shown_path(doc.source)}: a file name that is not UTF-8; rename the file "
                "(e.g. `convmv -f gbk -t utf8`) and run again"
            )
            run.set_document(doc.doc_id, status="failed", error=error)
            continue
        for label, path in (("source", doc.source), ("reference", doc.reference)):
            if path is not None and not path.is_file():
                what = "not a file" if path.exists() else "no such file"
                if path.is_symlink() and not path.exists():
                    what = "a symbolic link to nothing, or in a loop"
                error = f"{path}: {what} ({label}); check the path"
                run.set_document(doc.doc_id, status="failed", error=error)


def run_documents(config: RunConfig, *, progress: bool = True) -> RunSummary:
    """Run every stage of every document of ``config``; return what finished and failed."""
    start = time.perf_counter()
    docs = collect_documents(config.inputs, config.references, config.pairs, quiet=config.quiet)
    _inputs_outside(Path(config.output or ""), config, docs)
    check_run_path(Path(config.output or ""))
    _preflight(config)  # before the run directory is touched
    run = RunDir(config.output or "")
    try:
        run.acquire()
        run.remove_stale_parts()
        for stage in STAGE_CODE:  # read the code the stages key on now, as it is imported
            stage_code_key(stage)
        # every stage output is hash-checked before reuse; temporary files go to .staging
        with hash_checked_outputs(), staging_folder(run.staging):
            summary = _run(run, config, docs, progress=progress)
            run.write_manifest()
    finally:
        run.close()
    summary.seconds = time.perf_counter() - start
    return summary


def _inputs_outside(run_dir: Path, config: RunConfig, docs: list[DocInput]) -> None:
    """Refuse a run whose inputs lie inside its run directory (``unmt run docs -o docs``):
    a run directory is unmt's, and what is in it may be replaced."""
    root = real_path(run_dir)
    given: list[str | Path | None] = [config.pairs, *config.glossaries]
    for doc in docs:
        given += [doc.source, doc.reference]
    for path in given:
        if path is None or str(path) in ("-", "un"):
            continue
        resolved = real_path(path)
        if resolved == root or root in resolved.parents:
            raise UserError(
                "an input is inside the run directory, which unmt owns and may overwrite",
                path=path,
                hint=f"keep the inputs outside {run_dir}, or give `-o` another folder",
            )


def _preflight(config: RunConfig) -> None:
    """Check what every document needs before the first one: the glossaries load (a missing,
    malformed or hostile glossary is exit 2 now, not after every document was translated) and
    the model resolves (a hub id that is neither cached nor reachable); a translation cache
    path that is no cache (a pipe, a device, another program's file) is refused."""
    from unmt.models.cache import check_cache_path
    from unmt.models.resolve import resolve_model

    st.run_term_matcher(config)
    resolve_model(config.translate.model, quiet=config.quiet)
    if config.translate.cache and not config.translate.no_cache:
        check_cache_path(Path(config.translate.cache))


def _run(run: RunDir, config: RunConfig, docs: list[DocInput], *, progress: bool) -> RunSummary:
    _register(run, config, docs)
    if config.engine == "ray":
        from unmt.pipeline.run.ray_engine import RayEngine

        engine: Engine = RayEngine(run, config)
    else:
        engine = LocalEngine(run, config)
    summary = RunSummary(run_dir=run.path)
    flags: dict[str, tuple[str, ...]] = {}
    try:
        for start in range(0, len(docs), CHUNK_DOCS):
            chunk = docs[start : start + CHUNK_DOCS]
            engine.each(chunk, "prepare")
            engine.translate_all(chunk, progress=progress and not config.quiet)
            engine.each(chunk, "finish")
            _tally(run, chunk, summary, flags)  # while the chunk's entries are at hand
    finally:
        engine.close()
    summary.report = corpus_report(run, config, summary.done, summary.failed, flags)
    run.update(summary={"done": len(summary.done), "failed": summary.failed})
    return summary


def _tally(
    run: RunDir, docs: list[DocInput], summary: RunSummary, flags: dict[str, tuple[str, ...]]
) -> None:
    """Count a finished chunk's documents into the summary (and the corpus report's flags)."""
    for doc in docs:
        entry = run.document(doc.doc_id)
        if entry.status == "failed":
            summary.failed[doc.doc_id] = entry.error or "failed"
            continue
        run.set_document(doc.doc_id, status="done", error=None)  # written only if it changes
        summary.done.append(doc.doc_id)
        if entry.flags:
            flags[doc.doc_id] = tuple(entry.flags)
        mismatch = [f for f in entry.flags if f.startswith(MISMATCH)]
        if mismatch:
            summary.flagged[doc.doc_id] = "; ".join(mismatch)
        summary.segments += entry.stages["segment.zh"].info["segments"]
