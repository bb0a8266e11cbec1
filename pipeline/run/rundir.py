"""The run directory: ``manifest.json``, per-document stage files, and stage skipping.

A run directory is the unit of work of ``unmt run``. Its ``manifest.json`` records the inputs
(paths and sha256), the settings, library versions, signatures, and for every document the status,
flags, error and, per stage, a *key*, the output files with their sha256, and the time it took.

A stage's key is the sha256 of its name, its settings and the sha256 of each of its inputs. A
stage is skipped when the manifest holds the same key and every recorded output still exists with
the recorded sha256; ``force`` redoes it. Every output is written atomically and the manifest is
rewritten (atomically) after each finished stage, so a run killed at any point leaves only
complete files and a manifest that names exactly the stages that finished.

Layout::

    RUN_DIR/manifest.json
    RUN_DIR/docs/<doc>/<stage files>.jsonl
    RUN_DIR/report.html | report.md | report.json
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import threading
import time
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from unmt import __version__
from unmt.errors import UserError
from unmt.fileio import atomic_output

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
DOCS_DIR = "docs"
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
    """A run directory and its manifest; thread-safe for concurrent stages of different documents.

    Args:
        path: the run directory; created when missing. A path that is a file is a ``UserError``.
        create: create the directory (``False`` for read-only use such as ``unmt export``).
        persist: save the manifest on every change; ``False`` in worker processes, whose
            document entries the parent process merges and saves.
    """

    def __init__(self, path: str | Path, *, create: bool = True, persist: bool = True) -> None:
        self.path = Path(path)
        self.persist = persist
        if self.path.exists() and not self.path.is_dir():
            raise UserError(
                "the run directory is a file",
                path=self.path,
                hint=(
                    "give a new or existing directory to `unmt run -o`"
                    if create
                    else "give the directory that `unmt run -o` wrote"
                ),
            )
        if create:
            self.path.mkdir(parents=True, exist_ok=True)
        elif not self.path.is_dir():
            raise UserError("no such run directory", path=self.path, hint="run `unmt run` first")
        self._lock = threading.RLock()
        self._digests: dict[Path, tuple[tuple[int, int, int], str]] = {}
        self.manifest: dict[str, Any] = self._load()

    def digest(self, path: str | Path) -> str:
        """:func:`sha256_file`, hashed once per run while the file keeps its inode, size and mtime.

        A stage's outputs are the next stages' inputs and the corpus report's inputs: each is
        hashed when written (or checked) and not read again. The memory lasts as long as this
        object, i.e. one run; a new run hashes every file afresh.
        """
        p = Path(path)
        st = p.stat()
        sig = (st.st_ino, st.st_size, st.st_mtime_ns)
        with self._lock:
            known = self._digests.get(p)
        if known is not None and known[0] == sig:
            return known[1]
        digest = sha256_file(p)
        with self._lock:
            self._digests[p] = (sig, digest)
        return digest

    def remove_stale_parts(self) -> int:
        """Delete temporary ``.*.part`` files a killed run left behind; return how many."""
        n = 0
        for part in self.path.rglob(".*.part"):
            if part.is_file():
                part.unlink(missing_ok=True)
                n += 1
        if n:
            log.info("removed %d temporary file(s) left by an interrupted run", n)
        return n

    # -- manifest -------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    def _load(self) -> dict[str, Any]:
        if not self.manifest_path.exists():
            return {"format": MANIFEST_FORMAT, "documents": {}}
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UserError(
                f"manifest is not valid JSON ({exc})",
                path=self.manifest_path,
                hint="remove it, or run again with --force into a new directory",
            ) from exc
        if not isinstance(data, dict) or not isinstance(data.get("documents"), dict):
            raise UserError(
                "not a unmt run manifest (no 'documents' object)", path=self.manifest_path
            )
        return data

    def save(self) -> None:
        """Rewrite ``manifest.json`` atomically."""
        if not self.persist:
            return
        with self._lock:
            self.manifest["format"] = MANIFEST_FORMAT
            text = json.dumps(self.manifest, ensure_ascii=False, indent=1, sort_keys=True)
            with atomic_output(self.manifest_path) as fh:
                fh.write(text + "\n")

    def update(self, **fields: Any) -> None:
        """Set top-level manifest fields (settings, versions, signatures, ...) and save."""
        with self._lock:
            self.manifest.update(fields)
            self.save()

    # -- documents ------------------------------------------------------------------------
    def doc_dir(self, doc_id: str) -> Path:
        return self.path / DOCS_DIR / doc_id

    def document(self, doc_id: str) -> dict[str, Any]:
        """The manifest entry of a document (created empty when new)."""
        with self._lock:
            docs = self.manifest.setdefault("documents", {})
            return docs.setdefault(doc_id, {"stages": {}, "status": "pending"})

    def set_document(self, doc_id: str, **fields: Any) -> None:
        """Update fields of a document's entry (status, error, flags, inputs) and save."""
        with self._lock:
            self.document(doc_id).update(fields)
            self.save()

    def documents(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return dict(self.manifest.get("documents", {}))

    # -- stages ---------------------------------------------------------------------------
    def is_current(self, doc_id: str, stage: str, key: str) -> bool:
        """Whether a stage with this key finished and its outputs are intact."""
        with self._lock:
            entry = self.document(doc_id).get("stages", {}).get(stage)
        if not entry or entry.get("status") != "done" or entry.get("key") != key:
            return False
        for rel, digest in entry.get("outputs", {}).items():
            path = self.path / rel
            if not path.is_file() or self.digest(path) != digest:
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
                (counts, identities) stored in the manifest.
            force: run even when current.
        """
        hashes = {name: self.digest(p) for name, p in sorted(inputs.items())}
        key = stage_key(stage, settings, hashes)
        paths = {name: self.doc_dir(doc_id) / fname for name, fname in outputs.items()}
        if not force and self.is_current(doc_id, stage, key):
            log.info("%s: %s is up to date; skipped", doc_id, stage)
            return
        self.doc_dir(doc_id).mkdir(parents=True, exist_ok=True)
        with self._lock:
            self.document(doc_id).setdefault("stages", {}).pop(stage, None)
            self.save()
        start = time.perf_counter()
        info = run(paths) or {}
        seconds = time.perf_counter() - start
        missing = [str(p) for p in paths.values() if not p.is_file()]
        if missing:
            raise RuntimeError(f"stage {stage} did not write {', '.join(missing)}")
        record = {
            "status": "done",
            "key": key,
            "settings": json.loads(json.dumps(dict(settings), default=str)),
            "inputs": hashes,
            "outputs": {self._rel(p): self.digest(p) for p in paths.values()},
            "seconds": round(seconds, 4),
            "info": info,
        }
        with self._lock:
            self.document(doc_id).setdefault("stages", {})[stage] = record
            self.save()

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.path).as_posix()
