"""The persistent translation cache (SQLite).

One table maps a key (SHA-256 over the translator's identity, its decoding settings and the
source text) to the translation and its flags. The database runs in WAL mode with a busy
timeout, so two processes can read and write it at once; every ``put_many`` is one committed
transaction, so a process killed half-way loses at most the batch in flight.

A cache this tool created carries its mark (SQLite ``application_id`` 0x756E6D74, "unmt"; older
caches are known by their one table). Only such a file, when it cannot be read, is moved aside
(``<name>.corrupt-<time>``) with a warning and rebuilt. Anything else at the cache path -- a
directory, a text file, another program's database -- is refused (exit 2) and left untouched.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import stat
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from unmt.errors import UserError

log = logging.getLogger(__name__)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS translations "
    "(key TEXT PRIMARY KEY, mt TEXT NOT NULL, flags TEXT NOT NULL)"
)
_CHUNK = 500
APPLICATION_ID = 0x756E6D74  # "unmt" in the SQLite header of every cache this tool creates
_SQLITE_MAGIC = b"SQLite format 3\x00"


def _not_ours(path: Path, what: str) -> UserError:
    return UserError(
        f"the translation cache path holds {what}, not a unmt translation cache; it is left "
        "untouched",
        path=path,
        hint="give --cache a new file name (e.g. cache.sqlite), or remove the file yourself",
    )


def check_cache_path(path: Path) -> None:
    """Refuse a cache path that holds anything but a unmt cache (or nothing, or an empty file).

    Raises:
        UserError: a directory, a device, named pipe or socket, a file that is not SQLite, or
            another program's database.
    """
    if path.is_dir():
        raise UserError(
            "the translation cache path is a directory",
            path=path,
            hint=f"give a file name, e.g. --cache {path / 'cache.sqlite'}",
        )
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UserError(
            f"cannot use the translation cache path ({exc.strerror})", path=path
        ) from None
    if not stat.S_ISREG(st.st_mode):  # a FIFO, a device, a socket: never moved aside
        raise _not_ours(path, "a device, named pipe or socket")
    if st.st_size == 0:
        return
    with open(path, "rb") as fh:
        head = fh.read(100)
    if not head.startswith(_SQLITE_MAGIC):
        raise _not_ours(path, "a file that is not a database")
    app_id = int.from_bytes(head[68:72], "big") if len(head) >= 72 else 0
    if app_id == APPLICATION_ID:
        return
    if app_id:
        raise _not_ours(path, "another program's database")
    try:  # a cache made before the mark: known by its one table
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError:
        raise _not_ours(path, "an unreadable database without unmt's mark") from None
    if tables - {"translations"}:
        raise _not_ours(path, "another program's database")


def default_cache_path() -> Path:
    """``<unmt cache root>/translations.sqlite3``."""
    from unmt.cachedirs import cache_root

    return cache_root() / "translations.sqlite3"


def settings_digest(settings: Mapping[str, Any]) -> str:
    """A stable hex digest of a JSON-able settings mapping (the key prefix)."""
    blob = json.dumps(settings, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def cache_key(prefix: str, text: str) -> str:
    """The key of ``text`` under a settings digest."""
    return hashlib.sha256(f"{prefix}\x00{text}".encode()).hexdigest()


def _entry(mt: Any, flags: Any) -> tuple[str, tuple[str, ...]] | None:
    """A cached row as ``(mt, flags)``, or ``None`` when it is not what unmt stores (text, and
    a JSON list of strings)."""
    if not isinstance(mt, str) or not isinstance(flags, str):
        return None
    try:
        parsed = json.loads(flags)
    except (ValueError, RecursionError):
        return None
    if not isinstance(parsed, list) or not all(isinstance(f, str) for f in parsed):
        return None
    return mt, tuple(parsed)


class TranslationCache:
    """SQLite-backed ``key -> (mt, flags)`` store, safe for concurrent processes."""

    def __init__(self, path: str | Path) -> None:
        from unmt.cachedirs import file_lock

        self.path = Path(path)
        check_cache_path(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # opening (creating the table, switching to WAL) is serialised between processes: a
        # second opener could otherwise meet "database is locked", which is no corruption
        with file_lock(self.path.with_name(f".{self.path.name}.lock")):
            self._db = self._open_or_rebuild()

    def _open_or_rebuild(self) -> sqlite3.Connection:
        try:
            return self._open()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                # another process holds the database: no reason to move it aside
                raise UserError(
                    f"the translation cache is locked by another process ({exc})",
                    path=self.path,
                    hint="wait for the other run to finish, or pass --cache OTHER_FILE",
                ) from None
            return self._rebuild(exc)
        except sqlite3.DatabaseError as exc:
            return self._rebuild(exc)

    def _rebuild(self, exc: sqlite3.DatabaseError) -> sqlite3.Connection:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d%H%M%S')}")
        log.warning(
            "translation cache %s is unreadable (%s); moved aside to %s and rebuilt",
            self.path,
            exc,
            aside,
        )
        os.replace(self.path, aside)
        for suffix in ("-wal", "-shm"):
            side = Path(f"{self.path}{suffix}")
            if side.exists():
                os.replace(side, Path(f"{aside}{suffix}"))
        return self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=60000")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
            if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.execute("SELECT count(*) FROM translations WHERE key = ''").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def get_many(self, keys: Iterable[str]) -> dict[str, tuple[str, tuple[str, ...]]]:
        """The cached entries among ``keys``."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, tuple[str, tuple[str, ...]]] = {}
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, mt, flags FROM translations WHERE key IN ({marks})", chunk
            )
            for key, mt, flags in rows:
                entry = _entry(mt, flags)
                if entry is None:  # damaged by hand or by another program: translate again
                    log.warning("translation cache %s: a broken entry is ignored", self.path)
                    continue
                found[key] = entry
        return found

    def put_many(self, items: Mapping[str, tuple[str, tuple[str, ...]]]) -> None:
        """Store ``items`` in one committed transaction."""
        if not items:
            return
        rows = [(k, mt, json.dumps(list(flags))) for k, (mt, flags) in items.items()]
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?)", rows)

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM translations").fetchone()[0])

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()
