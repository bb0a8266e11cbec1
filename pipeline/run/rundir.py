"""The run directory: its state store, the run lock, per-document stage files, stage skipping.

A run directory is the unit of work of ``unmt run``. Its state store (``state.sqlite``,
:mod:`unmt.pipeline.run.state`) records the inputs (paths and sha256), the settings, library
versions, signatures, and for every document the status, flags, error and, per stage, a *key*,
the output files with their sha256, and the time it took. ``manifest.json`` is the same content
as one JSON file for people, written when a run ends; run directories made before the store
existed (a ``manifest.json`` only) are migrated into a store the first time ``unmt run`` opens
them, and read as they are by ``unmt export``.

A stage's key is the sha256 of its name, its settings and the sha256 of each of its inputs. A
stage is skipped when the store holds the same key and every recorded output still exists with
the recorded sha256; ``force`` redoes it. Every output is written atomically and each finished
stage is one transaction in the store, so a run killed at any point leaves only complete files
and a store that names exactly the stages that finished. A file is hashed again only when its
inode, size or modification time changed since it was last hashed.

One ``unmt run`` at a time: the run holds an exclusive lock on ``RUN_DIR/run.lock``; a second
one exits at once naming the first. The lock is the operating system's (``flock``), so it dies
with its process: a lock left by a killed run is simply taken over.

Layout::

    RUN_DIR/state.sqlite  run.lock  manifest.json
    RUN_DIR/docs/<doc>/<stage files>.jsonl
    RUN_DIR/report.html | report.md | report.json
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from unmt import __version__
from unmt.errors import UserError
from unmt.fileio import atomic_output, claim_folder
from unmt.pipeline.run.lock import LOCK_FILE, RunLock
from unmt.pipeline.run.state import (
    STATE_FILE,
    DocEntry,
    StageRecord,
    StateStore,
    read_manifest,
    shared_settings,
)

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
CACHE_NAME = "cache.sqlite"
#: the run's own bookkeeping (SQLite side files included), as opposed to its outputs
BOOKKEEPING = (MANIFEST, STATE_FILE, LOCK_FILE, CACHE_NAME)
_MISSING = object()
MANIFEST_FORMAT = 1
DOCS_DIR = "docs"
#: documents and file hashes kept in memory at once (the store holds all of them)
_DOC_CACHE = 256
_FILE_CACHE = 4096
_VERSIONED = ("sacrebleu", "transformers", "ctranslate2", "torch", "datasets", "sentencepiece")


def sha256_file(path: str | Path) -> str:
    """The hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def stage_key(stage: str, settings: Mapping[str, Any], inputs: Mapping[str, str]) -> str:
    """The sha256 identifying one stage run: its name, settings and input hashes."""
    blob = json.dumps(
        {"stage": stage, "settings": settings, "inputs": dict(inputs)},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


#: the folder of a run directory where every temporary file of a run is made (and cleared
#: by the next run): unmt never deletes a file of the run directory by a name pattern
STAGING_DIR = ".staging"


def check_run_path(path: Path, *, create: bool = True) -> None:
    """Raise :class:`UserError` when the run directory's path cannot be a run directory.

    With ``create`` (``unmt run``): it is missing, an empty folder, or a run directory (it
    holds a state store or a manifest); any other folder is the user's and left alone.
    Without (``unmt export``): it must not be a file.
    """
    if create:
        claim_folder(
            path,
            kind="run directory",
            marks=(STATE_FILE, MANIFEST, LOCK_FILE, CACHE_NAME),
            hint="give `unmt run -o` a new or empty folder, or an earlier run directory",
        )
    elif path.exists() and not path.is_dir():
        raise UserError(
            "the run directory is a file",
            path=path,
            hint="give the directory that `unmt run -o` wrote",
        )


def output_files(run_dir: str | Path) -> dict[str, bytes]:
    """Every output file of a run directory (bookkeeping left out): relative path -> bytes.

    What two runs are compared by (resumed vs uninterrupted, one engine vs another).
    """
    root = Path(run_dir)
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(BOOKKEEPING)
    }


def library_versions() -> dict[str, str]:
    """Versions of unmt, Python and the libraries whose behaviour shapes the outputs."""
    versions = {"unmt": __version__, "python": platform.python_version()}
    for name in _VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


class RunDir:
    """A run directory and its state; thread-safe for concurrent stages of different documents.

    Args:
        path: the run directory; created when missing. A path that is a file is a ``UserError``.
        create: create the directory (``False`` for read-only use such as ``unmt export``).
        persist: write every change to the state store, holding the run lock from the start
            (:meth:`acquire`); ``False`` in worker processes, whose document entries the parent
            process records.
        only: the document a worker process works on (read ahead of its first use).

    Documents are read from the store when first used and kept in a small cache: a run's
    memory does not grow with its corpus. Every change is written to the store at once, so a
    cached entry can always be dropped; without a store to write to (a worker, ``unmt
    export``, a run of an earlier unmt read in place) entries stay until the object goes.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        create: bool = True,
        persist: bool = True,
        only: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.persist = persist and create
        check_run_path(self.path, create=create)
        if create:
            self.path.mkdir(parents=True, exist_ok=True)
        elif not self.path.is_dir():
            raise UserError("no such run directory", path=self.path, hint="run `unmt run` first")
        self._lock = threading.RLock()
        self._run_lock: RunLock | None = None
        #: path -> ((inode, size, mtime_ns), sha256) of files hashed or read from the store
        self._files: OrderedDict[str, tuple[tuple[int, int, int], str]] = OrderedDict()
        self.store: StateStore | None = None
        self.meta: dict[str, Any] = {}
        #: documents used lately (all of them where there is no store to read them again from)
        self._docs: OrderedDict[str, DocEntry] = OrderedDict()
        self._all_loaded = False  # _docs is every document (a manifest read in place)
        #: whether anything was recorded since opening (else manifest.json is still current)
        self.dirty = False
        if self.persist:  # before the store is opened: a second run changes nothing
            self.acquire()
        try:
            self._open(create, only)
        except BaseException:
            self.release()
            raise

    # -- opening and migrating --------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    @property
    def state_path(self) -> Path:
        return self.path / STATE_FILE

    @property
    def is_run(self) -> bool:
        """Whether this folder holds a run (a state store or a manifest)."""
        return self.store is not None or self.manifest_path.is_file()

    def _open(self, create: bool, only: str | None) -> None:
        if self.state_path.is_file():
            self.store = StateStore(self.state_path, create=False, readonly=not self.persist)
            self.meta = {k: v for k, v in self.store.meta().items() if k not in ("tool", "format")}
            if only is not None:
                self.document(only)
            return
        if self.manifest_path.is_file():
            self.meta, docs = read_manifest(self.manifest_path)
            if self.persist:  # a run directory of an earlier unmt: migrate it
                log.info("%s: moving manifest.json into a state store", self.path)
                self.store = StateStore(self.state_path)
                self.store.put_meta(**self.meta)
                self.store.put_documents(docs.items(), replace=True)
            else:
                self._docs, self._all_loaded = OrderedDict(docs), True
            return
        if self.persist:
            self.store = StateStore(self.state_path)
        self._all_loaded = self.store is None

    @property
    def _evictable(self) -> bool:
        """Whether a cached entry may be dropped: every change of it is in the store."""
        return self.persist and self.store is not None

    def acquire(self) -> None:
        """Take the run lock (a ``UserError`` naming the holder when another run has it)."""
        if self._run_lock is None:
            self._run_lock = RunLock(self.path)

    def release(self) -> None:
        """Release the run lock and close the store."""
        if self._run_lock is not None:
            self._run_lock.release()
            self._run_lock = None

    def close(self) -> None:
        self.release()
        if self.store is not None:
            self.store.close()

    # -- files ------------------------------------------------------------------------------
    def digest(self, path: str | Path) -> str:
        """:func:`sha256_file`, read again only when the file's inode, size or mtime changed.

        A stage's outputs are the next stages' inputs and the corpus report's inputs: each is
        hashed when written and not read again while it stays as it was, in this run or the next
        (the state store keeps each file's last hash with its inode, size and mtime).
        """
        key = os.path.abspath(path)  # strings, not Path objects: this runs per file per stage
        st = os.stat(key)
        sig = (st.st_ino, st.st_size, st.st_mtime_ns)
        with self._lock:
            known = self._files.get(key)
            if known is not None and known[0] == sig:
                self._files.move_to_end(key)
                return known[1]
            digest = self.store.file_digest(key, sig) if self.store is not None else None
        if digest is None:
            digest = sys.intern(sha256_file(key))  # one string for the same hash everywhere
            with self._lock:
                if (store := self._writable()) is not None:
                    store.put_file(key, sig, digest)
        with self._lock:
            self._remember_files({key: (sig, digest)})
        return digest

    def _remember_files(self, files: Mapping[str, tuple[tuple[int, int, int], str]]) -> None:
        self._files.update(files)
        for key in files:
            self._files.move_to_end(key)
        while len(self._files) > _FILE_CACHE:
            self._files.popitem(last=False)

    def _writable(self) -> StateStore | None:
        """The store to record a change in (marking the state changed), or None (a worker)."""
        if not self.persist or self.store is None:
            return None
        self.dirty = True
        return self.store

    @property
    def staging(self) -> Path:
        """Where this run makes its temporary files and folders (:data:`STAGING_DIR`)."""
        return self.path / STAGING_DIR

    def remove_stale_parts(self) -> int:
        """Empty the staging folder of what a killed run left in it; return how many entries.

        Only that folder, by its name: nothing else of the run directory is deleted. Call it
        only while holding the run lock: another run's temporary files are not stale.
        """
        folder = self.staging
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            folder.unlink()  # not unmt's folder: a link or file put in its place
        if not folder.is_dir():
            return 0
        n = 0
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
            n += 1
        if n:
            log.info("removed %d temporary file(s) left by an interrupted run", n)
        return n

    # -- run-level fields -------------------------------------------------------------------
    def update(self, **fields: Any) -> None:
        """Set run-level fields (settings, versions, signatures, ...), one transaction."""
        with self._lock:
            changed = {k: v for k, v in fields.items() if self.meta.get(k, _MISSING) != v}
            self.meta.update(changed)
            if changed and (store := self._writable()) is not None:
                store.put_meta(**changed)

    def iter_documents(self, *, by_id: bool = False) -> Iterator[tuple[str, DocEntry]]:
        """Every document with its entry, one at a time (registration order, or by id)."""
        if self.store is None or self._all_loaded:
            with self._lock:
                items = list(self._docs.items())
            yield from (sorted(items) if by_id else items)
            return
        with self._lock:  # without a store to write to, the cached entries may be newer
            newer = {} if self._evictable else {
                d: e for d, e in self._docs.items() if e.stages or e != DocEntry()
            }  # fmt: skip
        for doc, entry in self.store.iter_documents(by_id=by_id):
            yield doc, newer.pop(doc, entry)
        for doc in sorted(newer):  # changed here but recorded nowhere (a worker's new entry)
            yield doc, newer[doc]

    def manifest(self) -> dict[str, Any]:
        """The whole state as one JSON-ready dict (what ``manifest.json`` holds)."""
        docs = {d: e.to_json() for d, e in self.iter_documents()}
        with self._lock:
            return {**self.meta, "format": MANIFEST_FORMAT, "documents": docs}

    def write_manifest(self) -> None:
        """Write ``manifest.json`` (atomically) from the state, unless it is already current.

        Written one document at a time, straight from the store: the same bytes as
        ``json.dumps(self.manifest(), indent=1, sort_keys=True)``, in memory that does not
        grow with the corpus.
        """
        if not self.persist or (not self.dirty and self.manifest_path.is_file()):
            return

        def dump(value: Any, depth: int) -> str:
            text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
            return text.replace("\n", "\n" + " " * depth)  # JSON strings hold no raw newline

        with self._lock:
            meta = {**self.meta, "format": MANIFEST_FORMAT}
        keys = sorted([*meta, "documents"])
        with atomic_output(self.manifest_path) as fh:
            fh.write("{")
            for i, key in enumerate(keys):
                fh.write(("," if i else "") + "\n " + json.dumps(key, ensure_ascii=False) + ": ")
                if key != "documents":
                    fh.write(dump(meta[key], 1))
                    continue
                n = 0
                for doc, entry in self.iter_documents(by_id=True):
                    fh.write(("," if n else "{") + "\n  " + json.dumps(doc, ensure_ascii=False))
                    fh.write(": " + dump(entry.to_json(), 2))
                    n += 1
                fh.write("\n }" if n else "{}")
            fh.write("\n}\n")

    # -- documents --------------------------------------------------------------------------
    def doc_dir(self, doc_id: str) -> Path:
        return self.path / DOCS_DIR / doc_id

    def document(self, doc_id: str) -> DocEntry:
        """A document's entry (created empty, not yet recorded, when new)."""
        with self._lock:
            entry = self._docs.get(doc_id)
            if entry is not None:
                self._docs.move_to_end(doc_id)
                return entry
            entry = None if self._all_loaded else self._load(doc_id)
            return self._keep(doc_id, entry if entry is not None else DocEntry())

    def recorded(self, doc_id: str) -> DocEntry | None:
        """A document's recorded fields (its stages possibly left out), or ``None`` when new."""
        with self._lock:
            entry = self._docs.get(doc_id)
            if entry is not None or self._all_loaded or self.store is None:
                return entry
            return self.store.entry(doc_id)

    def _load(self, doc_id: str) -> DocEntry | None:
        """Read a document from the store, with the hashes of the files in its folder."""
        if self.store is None:
            return None
        entry = self.store.document(doc_id)
        if entry is not None and entry.stages:
            folder = os.path.abspath(self.doc_dir(doc_id)) + os.sep
            self._remember_files(self.store.files_under(folder))
        return entry

    def _keep(self, doc_id: str, entry: DocEntry) -> DocEntry:
        self._docs[doc_id] = entry
        if self._evictable:
            while len(self._docs) > _DOC_CACHE:
                self._docs.popitem(last=False)
        return entry

    def set_document(self, doc_id: str, **fields: Any) -> None:
        """Update fields of a document's entry (status, error, flags), one transaction."""
        with self._lock:
            entry = self.document(doc_id)
            if all(getattr(entry, name) == value for name, value in fields.items()):
                return  # nothing changes: nothing to record
            for name, value in fields.items():
                setattr(entry, name, value)
            if (store := self._writable()) is not None:
                store.put_document(doc_id, entry)

    def put_entry(self, doc_id: str, entry: DocEntry) -> None:
        """Record a whole entry (a worker process's result), stages included."""
        with self._lock:
            if self.document(doc_id) == entry:
                return
            self._keep(doc_id, entry)
            if (store := self._writable()) is not None:
                store.put_documents([(doc_id, entry)], replace=False)

    def register(self, entries: Iterable[tuple[str, DocEntry]]) -> list[str]:
        """Make ``entries`` the run's documents, in order; return the ids dropped from the state.

        ``entries`` is read once, one at a time (it may read the state as it goes). Each
        entry's fields and position are recorded where they differ (re-registering an
        unchanged corpus writes nothing); its stages are kept as recorded (a new document has
        none), whatever the entry holds. Documents not among ``entries`` are dropped, their
        files left in place.
        """
        with self._lock:
            if self.store is None or not self.persist:
                docs = OrderedDict(entries)
                dropped = [d for d in self._docs if d not in docs]
                self._docs, self._all_loaded = docs, True
                return dropped
            seen: set[str] = set()
            with self.store.batch():  # one commit for the whole corpus
                for pos, (doc_id, entry) in enumerate(entries):
                    seen.add(doc_id)
                    if self.store.place_document(doc_id, pos, entry):
                        self.dirty = True
                    self._docs.pop(doc_id, None)  # read again, stages and all, when used
                dropped = [d for d in self.store.doc_ids() if d not in seen]
                if dropped:
                    self.store.drop_documents(dropped)
                    self.dirty = True
                    for d in dropped:
                        self._docs.pop(d, None)
            return dropped

    def documents(self) -> dict[str, DocEntry]:
        """Every document (read whole: for small runs and tests; see :meth:`iter_documents`)."""
        return dict(self.iter_documents())

    # -- stages -----------------------------------------------------------------------------
    def is_current(
        self, doc_id: str, stage: str, key: str, outputs: Mapping[str, str] | None = None
    ) -> bool:
        """Whether a stage with this key finished and its outputs are intact.

        ``outputs`` (name -> file name) are the outputs the stage declares now: a record that
        lacks one of them (written before the stage gained it) is not current.
        """
        with self._lock:
            record = self.document(doc_id).stages.get(stage)
        if record is None or record.status != "done" or record.key != key:
            return False
        if outputs is not None:
            expected = {f"{DOCS_DIR}/{doc_id}/{name}" for name in outputs.values()}
            if not expected <= set(record.outputs):
                log.info("%s: %s gained outputs since it ran; redoing", doc_id, stage)
                return False
        root = str(self.path)
        for rel, digest in record.outputs.items():
            path = os.path.join(root, rel)
            if not os.path.isfile(path) or self.digest(path) != digest:
                log.info("%s: %s output %s changed; redoing", doc_id, stage, rel)
                return False
        return True

    def stage(
        self,
        doc_id: str,
        stage: str,
        *,
        settings: Mapping[str, Any],
        inputs: Mapping[str, str | Path],
        outputs: Mapping[str, str],
        run: Callable[[dict[str, Path]], dict[str, Any] | None],
        force: bool = False,
    ) -> None:
        """Run one stage of one document unless it is current.

        Args:
            doc_id: the document.
            stage: the stage name (``segment``, ``translate``, ...).
            settings: everything besides the inputs that changes the outputs.
            inputs: name -> file; their sha256 go into the key.
            outputs: name -> file name inside the document's folder.
            run: writes every output (atomically) given name -> path; may return extra info
                (counts, identities) kept with the stage's record.
            force: run even when current.
        """
        hashes = {name: self.digest(p) for name, p in sorted(inputs.items())}
        key = stage_key(stage, settings, hashes)
        paths = {name: self.doc_dir(doc_id) / fname for name, fname in outputs.items()}
        if not force and self.is_current(doc_id, stage, key, outputs):
            log.info("%s: %s is up to date; skipped", doc_id, stage)
            return
        self.doc_dir(doc_id).mkdir(parents=True, exist_ok=True)
        with self._lock:
            dropped = self.document(doc_id).stages.pop(stage, None)
            if dropped is not None and (store := self._writable()) is not None:
                store.put_stage(doc_id, stage, None)
        start = time.perf_counter()
        info = self._publish(stage, paths, run)
        seconds = time.perf_counter() - start
        record = StageRecord(
            key=key,
            settings=shared_settings(json.loads(json.dumps(dict(settings), default=str))),
            inputs=hashes,
            outputs={self._rel(p): self.digest(p) for p in paths.values()},
            seconds=round(seconds, 4),
            info=info,
        )
        with self._lock:
            self.document(doc_id).stages[stage] = record
            if (store := self._writable()) is not None:
                store.put_stage(doc_id, stage, record)

    def _publish(
        self,
        stage: str,
        paths: dict[str, Path],
        run: Callable[[dict[str, Path]], dict[str, Any] | None],
    ) -> dict[str, Any]:
        """Run a stage into a staging folder, then move its outputs into place together.

        If the stage fails (a full disk half-way through its reports), none of its new outputs
        appear and its record stays dropped, so the next run redoes it.
        """
        self.staging.mkdir(exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{stage}.", dir=self.staging))
        try:
            staged = {name: staging / p.name for name, p in paths.items()}
            info = run(staged) or {}
            missing = [str(paths[n]) for n, p in staged.items() if not p.is_file()]
            if missing:
                raise RuntimeError(f"stage {stage} did not write {', '.join(missing)}")
            for name, p in staged.items():
                os.replace(p, paths[name])
            return info
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.path).as_posix()
