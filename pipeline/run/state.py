"""The run's state store: per-document, per-stage records in SQLite (WAL) inside the run directory.

``RUN_DIR/state.sqlite`` holds four tables:

- ``meta``: run-level fields (settings, versions, translator identity, signatures, summary);
- ``documents``: one :class:`DocEntry` per document (status, error, flags, inputs and hashes);
- ``stages``: one :class:`StageRecord` per document and stage (key, settings, input and output
  hashes, seconds, info);
- ``files``: the sha256 of every file hashed, with the inode, size and mtime it had, so that a
  re-run hashes only the files that changed (the same rule git's index uses).

Every change is one small transaction (a stage result, a document's status), never a rewrite of
the whole state: the cost of recording a document does not grow with the corpus. A reader
(``unmt export``, a worker process) sees the last committed state. ``manifest.json`` is an export
of the store for people, written when a run ends.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.fileio import loads_json, read_text

STATE_FILE = "state.sqlite"
STATE_FORMAT = 1
_TOOL = "unmt-run-state"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (doc TEXT PRIMARY KEY, pos INTEGER, entry TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stages (
    doc TEXT NOT NULL, stage TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (doc, stage)
);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, ino INTEGER, size INTEGER, mtime_ns INTEGER, sha256 TEXT NOT NULL
);
"""
_INDEX = "CREATE INDEX IF NOT EXISTS documents_pos ON documents (pos, doc)"
_MAPS = ("settings", "inputs", "outputs", "info")
#: the run-level fields that are JSON objects
META_OBJECTS = ("settings", "versions", "translator", "corpus", "summary")
_FIX = "remove it to start the run's bookkeeping afresh (translations stay in the cache)"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


@dataclass
class StageRecord:
    """One finished stage of one document.

    Attributes:
        key: the stage key (sha256 of stage name, settings and input hashes).
        settings: the settings that keyed it (as JSON).
        inputs: input name -> sha256.
        outputs: output path relative to the run directory -> sha256.
        seconds: how long it ran.
        info: what the stage reported (counts, figures).
        status: ``done`` (only finished stages are recorded).
    """

    key: str
    settings: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)
    status: str = "done"

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "key": self.key,
            "settings": self.settings,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "seconds": self.seconds,
            "info": self.info,
        }

    @classmethod
    def from_json(cls, data: Any, where: str) -> StageRecord:
        """Rebuild a record; a hand-edited one of the wrong shape is a :class:`UserError`."""
        if not isinstance(data, dict) or not isinstance(data.get("key"), str):
            raise ValueError(f"{where}: a stage record must be an object with a 'key'")
        maps = {k: data.get(k) or {} for k in _MAPS}
        if not all(isinstance(v, dict) for v in maps.values()):
            raise ValueError(f"{where}: settings, inputs, outputs and info must be objects")
        maps["settings"] = shared_settings(maps["settings"])
        for name in ("inputs", "outputs"):  # hashes shared with the files table and other stages
            maps[name] = {sys.intern(str(k)): sys.intern(str(v)) for k, v in maps[name].items()}
        return cls(
            key=data["key"],
            seconds=float(data.get("seconds") or 0.0),
            status=str(data.get("status", "done")),
            **maps,
        )


_SHARED: dict[str, dict[str, Any]] = {}


def shared_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """One object for equal stage settings: every document of a run records the same settings
    for a stage (the translation's alone are 2 KB), so a corpus keeps one copy, not one per
    document. The object returned must not be changed."""
    blob = json.dumps(settings, sort_keys=True, default=str)
    found = _SHARED.get(blob)
    if found is None:
        if len(_SHARED) >= 4096:
            _SHARED.clear()
        found = _SHARED[blob] = settings
    return found


@dataclass
class DocEntry:
    """One document of a run: where it comes from, how far it got, what went wrong."""

    source: str = ""
    reference: str | None = None
    sha256: str | None = None
    reference_sha256: str | None = None
    status: str = "pending"
    error: str | None = None
    flags: list[str] = field(default_factory=list)
    stages: dict[str, StageRecord] = field(default_factory=dict)

    def to_json(self, *, stages: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source": self.source,
            "reference": self.reference,
            "sha256": self.sha256,
            "reference_sha256": self.reference_sha256,
            "status": self.status,
            "error": self.error,
            "flags": list(self.flags),
        }
        if stages:
            out["stages"] = {name: r.to_json() for name, r in self.stages.items()}
        return out

    @classmethod
    def from_json(cls, data: Any, where: str) -> DocEntry:
        """Rebuild an entry (``stages`` included when present); the wrong shape is a ValueError."""
        if not isinstance(data, dict):
            raise ValueError(f"{where}: a document entry must be an object, not {data!r:.40}")
        flags = data.get("flags") or []
        if not isinstance(flags, list):
            raise ValueError(f"{where}: 'flags' must be a list")
        stages_json = data.get("stages") or {}
        if not isinstance(stages_json, dict):
            raise ValueError(f"{where}: 'stages' must be an object")
        for name in ("source", "reference", "sha256", "reference_sha256", "status", "error"):
            if not isinstance(data.get(name), str | None):
                raise ValueError(f"{where}: {name!r} must be text")
        return cls(
            source=str(data.get("source") or ""),
            reference=data.get("reference"),
            sha256=data.get("sha256"),
            reference_sha256=data.get("reference_sha256"),
            status=str(data.get("status") or "pending"),
            error=data.get("error"),
            flags=[str(f) for f in flags],
            stages={
                str(k): StageRecord.from_json(v, f"{where} stage {k}")
                for k, v in stages_json.items()
            },
        )


class StateStore:
    """The SQLite store of one run directory (see the module docstring).

    Args:
        path: the ``state.sqlite`` file.
        create: create it when missing (a new run); else it must exist.
        readonly: open it for reading only (``unmt export``, worker processes).

    Raises:
        UserError: not a unmt state store, another format, or corrupt (exit 2, nothing changed).
    """

    def __init__(self, path: str | Path, *, create: bool = True, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        existed = self.path.is_file()
        if not existed and not create:
            raise UserError("no state store", path=self.path, hint="run `unmt run` first")
        try:
            if readonly:
                uri = f"file:{self.path}?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
            else:
                self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            if not existed:
                self._db.executescript(_SCHEMA)
                self.put_meta(tool=_TOOL, format=STATE_FORMAT)
            self._check()  # before anything is written: a foreign file stays as it was
            self._validate()  # entries are read as they are used: find a broken one now
            if not readonly:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.execute(_INDEX)  # stores of an earlier unmt lack it
        except sqlite3.OperationalError as exc:
            if any(w in str(exc) for w in ("disk I/O error", "full", "readonly", "unable to open")):
                raise UserError(
                    f"cannot open the run's state store ({exc})",
                    path=self.path,
                    hint="an input/output problem, not damage to the store: free some disk "
                    "space or check the folder's permissions, then run the command again",
                ) from None
            raise UserError(
                f"the run's state store is corrupt or not SQLite ({exc})", path=self.path, hint=_FIX
            ) from None
        except sqlite3.DatabaseError as exc:
            raise UserError(
                f"the run's state store is corrupt or not SQLite ({exc})", path=self.path, hint=_FIX
            ) from None

    def _check(self) -> None:
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master")}
        if not {"meta", "documents", "stages", "files"} <= tables:
            raise UserError("not a unmt state store (tables missing)", path=self.path, hint=_FIX)
        meta = self.meta()
        if meta.get("tool") != _TOOL:
            raise UserError("not a unmt state store", path=self.path, hint=_FIX)
        if meta.get("format") != STATE_FORMAT:
            raise UserError(
                f"state store format {meta.get('format')!r}; this unmt reads {STATE_FORMAT}",
                path=self.path,
                hint=_FIX,
            )

    def _validate(self) -> None:
        """Raise :class:`UserError` for the first entry or stage record of the wrong shape (a
        hand edit), before the run changes anything. One pass in SQLite's own JSON functions;
        where SQLite lacks them, broken entries are found when read."""
        shape = {
            "documents": ("doc, NULL, entry", "entry", ("flags", "array"), ("stages", "object")),
            "stages": ("doc, stage, record", "record", *((k, "object") for k in _MAPS)),
        }
        for table, (columns, col, *fields) in shape.items():
            tests = [f"NOT json_valid({col})", f"json_type({col}) IS NOT 'object'"]
            if table == "stages":
                tests.append(f"json_type({col}, '$.key') IS NOT 'text'")
            for name, kind in fields:
                tests.append(f"json_type({col}, '$.{name}') NOT IN ('{kind}', 'null')")
            try:
                row = self._db.execute(
                    f"SELECT {columns} FROM {table} WHERE {' OR '.join(tests)} LIMIT 1"
                ).fetchone()
            except sqlite3.OperationalError as exc:
                if "no such function" in str(exc):
                    return
                raise
            if row is None:
                continue
            doc, stage, text = row
            where = f"document {doc!r}" + (f" stage {stage!r}" if stage else "")
            try:
                data = json.loads(text)
                (StageRecord if stage else DocEntry).from_json(data, where)
            except (ValueError, TypeError) as exc:
                raise self._broken(exc) from None
            raise self._broken(ValueError(f"{where}: an entry of the wrong shape"))

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Make every write inside one transaction (registering a corpus: one commit)."""
        with self._tx():
            yield

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction; inside another (:meth:`batch`) it is part of that one."""
        if self.readonly:
            raise RuntimeError("the state store was opened read-only")
        if self._db.in_transaction:
            yield self._db
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- reading ----------------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        """Every run-level field (a value that is not JSON, or an object field that is not an
        object, is a broken store: a :class:`UserError`)."""
        out: dict[str, Any] = {}
        for key, text in self._db.execute("SELECT key, value FROM meta"):
            want = "a JSON object" if key in META_OBJECTS else "JSON"
            try:
                value = loads_json(text)
            except (UserError, TypeError):  # not JSON, or not text at all
                raise self._broken(ValueError(f"run field {key!r} is not {want}")) from None
            if key in META_OBJECTS and not isinstance(value, dict):
                raise self._broken(ValueError(f"run field {key!r} is not {want}"))
            out[key] = value
        return out

    def _broken(self, exc: Exception) -> UserError:
        what = f"a state store entry is broken ({exc})"
        return UserError(what, path=self.path, hint=_FIX)

    def entry(self, doc: str) -> DocEntry | None:
        """One document's fields, its stages left out, or ``None`` when it is not recorded."""
        row = self._db.execute("SELECT entry FROM documents WHERE doc = ?", (doc,)).fetchone()
        if row is None:
            return None
        try:
            return DocEntry.from_json(json.loads(row[0]), f"document {doc!r}")
        except (ValueError, TypeError) as exc:
            raise self._broken(exc) from None

    def document(self, doc: str) -> DocEntry | None:
        """One document with its stages, or ``None`` when it is not recorded."""
        try:
            entry = self.entry(doc)
            if entry is None:
                return None
            rows = self._db.execute(
                "SELECT stage, record FROM stages WHERE doc = ? ORDER BY rowid", (doc,)
            )
            for stage, text in rows:
                where = f"document {doc!r} stage {stage!r}"
                entry.stages[stage] = StageRecord.from_json(json.loads(text), where)
        except (ValueError, TypeError) as exc:  # json errors are ValueErrors too
            raise self._broken(exc) from None
        return entry

    def iter_documents(self, *, by_id: bool = False) -> Iterator[tuple[str, DocEntry]]:
        """Every document with its stages, one at a time: in registration order, or sorted by
        id (as ``manifest.json`` lists them). Memory does not grow with the corpus."""
        order = "doc" if by_id else "pos, doc"
        where: str = ""
        args: tuple[Any, ...] = ()  # then the keyset of the page read last
        while True:  # pages of 256 documents by keyset, so no cursor stays open between them
            rows = self._db.execute(
                f"SELECT doc, pos FROM documents {where} ORDER BY {order} LIMIT 256", args
            ).fetchall()
            if not rows:
                return
            for doc, _ in rows:
                entry = self.document(doc)
                if entry is not None:
                    yield doc, entry
            doc, pos = rows[-1]
            if by_id:
                where, args = "WHERE doc > ?", (doc,)
            else:
                where, args = "WHERE pos > ? OR (pos = ? AND doc > ?)", (pos, pos, doc)

    def documents(self) -> dict[str, DocEntry]:
        """Every document with its stages, in registration order (read whole)."""
        return dict(self.iter_documents())

    def doc_ids(self) -> list[str]:
        """Every document id, in registration order."""
        return [r[0] for r in self._db.execute("SELECT doc FROM documents ORDER BY pos")]

    def files_under(self, prefix: str) -> dict[str, tuple[tuple[int, int, int], str]]:
        """The recorded files whose path starts with ``prefix`` (a folder's path and ``/``)."""
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)  # the primary key's range, no scan
        rows = self._db.execute(
            "SELECT path, ino, size, mtime_ns, sha256 FROM files WHERE path >= ? AND path < ?",
            (prefix, upper),
        )
        return {p: ((i, s, m), sys.intern(h)) for p, i, s, m, h in rows}

    def file_digest(self, path: str, sig: tuple[int, int, int]) -> str | None:
        """The recorded sha256 of ``path`` if it still has the inode, size and mtime ``sig``."""
        row = self._db.execute(
            "SELECT ino, size, mtime_ns, sha256 FROM files WHERE path = ?", (path,)
        ).fetchone()
        if row is None or tuple(row[:3]) != sig:
            return None
        return str(row[3])

    # -- writing (one transaction each) -----------------------------------------------------
    def put_meta(self, **fields: Any) -> None:
        with self._tx() as db:
            db.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [(k, _dumps(v)) for k, v in fields.items()],
            )

    def put_documents(self, entries: Iterable[tuple[str, DocEntry]], *, replace: bool) -> None:
        """Write documents with their stages; ``replace`` drops every other document first."""
        with self._tx() as db:
            if replace:
                db.execute("DELETE FROM documents")
                db.execute("DELETE FROM stages")
            for pos, (doc, entry) in enumerate(entries):
                db.execute(
                    "INSERT OR REPLACE INTO documents (doc, pos, entry) VALUES (?, "
                    "COALESCE((SELECT pos FROM documents WHERE doc = ?), ?), ?)",
                    (doc, doc, pos, _dumps(entry.to_json(stages=False))),
                )
                db.execute("DELETE FROM stages WHERE doc = ?", (doc,))
                db.executemany(
                    "INSERT INTO stages (doc, stage, record) VALUES (?, ?, ?)",
                    [(doc, s, _dumps(r.to_json())) for s, r in entry.stages.items()],
                )

    def place_document(self, doc: str, pos: int, entry: DocEntry) -> bool:
        """Record a document's fields at position ``pos`` (its stages stay as recorded);
        return whether anything changed."""
        text = _dumps(entry.to_json(stages=False))
        row = self._db.execute("SELECT pos, entry FROM documents WHERE doc = ?", (doc,)).fetchone()
        if row is not None and row[0] == pos and row[1] == text:
            return False
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO documents (doc, pos, entry) VALUES (?, ?, ?)",
                (doc, pos, text),
            )
        return True

    def drop_documents(self, docs: Iterable[str]) -> None:
        """Forget documents and their stages."""
        with self._tx() as db:
            for doc in docs:
                db.execute("DELETE FROM documents WHERE doc = ?", (doc,))
                db.execute("DELETE FROM stages WHERE doc = ?", (doc,))

    def put_document(self, doc: str, entry: DocEntry) -> None:
        """Write one document's fields (not its stages)."""
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO documents (doc, pos, entry) VALUES (?, "
                "COALESCE((SELECT pos FROM documents WHERE doc = ?), "
                "(SELECT COALESCE(MAX(pos), -1) + 1 FROM documents)), ?)",
                (doc, doc, _dumps(entry.to_json(stages=False))),
            )

    def put_stage(self, doc: str, stage: str, record: StageRecord | None) -> None:
        """Record (or, with ``None``, forget) one stage of one document."""
        with self._tx() as db:
            if record is None:
                db.execute("DELETE FROM stages WHERE doc = ? AND stage = ?", (doc, stage))
            else:
                db.execute(  # a stage of a document not registered yet registers it
                    "INSERT OR IGNORE INTO documents (doc, pos, entry) VALUES "
                    "(?, (SELECT COALESCE(MAX(pos), -1) + 1 FROM documents), ?)",
                    (doc, _dumps(DocEntry().to_json(stages=False))),
                )
                db.execute(
                    "INSERT OR REPLACE INTO stages (doc, stage, record) VALUES (?, ?, ?)",
                    (doc, stage, _dumps(record.to_json())),
                )

    def put_file(self, path: str, sig: tuple[int, int, int], sha256: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO files (path, ino, size, mtime_ns, sha256) "
                "VALUES (?, ?, ?, ?, ?)",
                (path, *sig, sha256),
            )

    def close(self) -> None:
        self._db.close()


def read_manifest(path: Path) -> tuple[dict[str, Any], dict[str, DocEntry]]:
    """The run-level fields and documents of a ``manifest.json`` (a run of an earlier unmt)."""
    hint = "remove it, or run again with --force into a new directory"
    data = loads_json(read_text(path, hint=hint), path=path, hint=hint)
    if not isinstance(data, dict) or not isinstance(data.get("documents"), dict):
        raise UserError("not a unmt run manifest (no 'documents' object)", path=path)
    try:
        docs = {
            str(d): DocEntry.from_json(e, f"document {d!r}") for d, e in data["documents"].items()
        }
    except ValueError as exc:
        raise UserError(
            f"a manifest entry is broken ({exc})",
            path=path,
            hint="remove the entry, or run again into a new directory",
        ) from None
    meta = {k: v for k, v in data.items() if k not in ("documents", "format")}
    return meta, docs
