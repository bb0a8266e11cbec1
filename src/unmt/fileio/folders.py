"""Folders unmt writes: a run directory, an export, a model folder.

A folder output is created new, or is an empty folder, or is a folder of the same kind that unmt
made: it holds that kind's *mark*, a file unmt writes into every such folder (a run directory's
state store, an export's ``.unmt-export.json``, a tiny model's ``unmt-tiny-model.json``).
Anything else -- a folder of the user's, with files unmt did not write -- is refused before any
work: unmt never writes into it and never deletes from it.

Inside its own folders unmt deletes only the files it wrote, by the names it recorded: a folder
published with :func:`published_folder` lists its files in its mark, and the next publication
replaces those files and removes those of them it no longer writes, leaving every other file (a
note the user added) where it is.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.fileio.write import atomic_output, umask, write_error

#: the temporary folder :func:`published_folder` fills inside the destination (its own name)
STAGING_PREFIX = ".unmt-staging."


def _entries(folder: Path, limit: int = 4) -> list[str]:
    names = []
    for entry in os.scandir(folder):
        names.append(entry.name)
        if len(names) >= limit:
            break
    return names


def claim_folder(path: str | Path, *, kind: str, marks: tuple[str, ...], hint: str) -> Path:
    """Check that ``path`` may be written as an output folder of ``kind`` (see the module
    docstring): missing, an empty folder, or a folder holding one of ``marks``.

    Nothing is created. Returns ``path`` as a ``Path``.

    Raises:
        UserError: a file, or a folder holding anything but unmt's ``kind`` (naming a few of
            its entries).
    """
    folder = Path(path)
    if not folder.exists():
        if folder.is_symlink():  # a dangling link: do not create whatever it points to
            raise UserError(f"the {kind} is a symbolic link to nothing", path=folder, hint=hint)
        return folder
    if not folder.is_dir():
        raise UserError(f"the {kind} is a file", path=folder, hint=hint)
    try:
        if any((folder / mark).is_file() for mark in marks):
            return folder
        entries = _entries(folder)
    except OSError as exc:
        raise UserError(f"cannot read the {kind} ({exc.strerror})", path=folder) from None
    if entries:
        shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
        raise UserError(
            f"the folder is not a unmt {kind} and holds files unmt did not write ({shown}); "
            "unmt writes only into a new or empty folder or one of its own",
            path=folder,
            hint=hint,
        )
    return folder


def _read_mark(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _own_files(mark: dict[str, Any]) -> list[str]:
    files = mark.get("files")
    if not isinstance(files, list):
        return []
    return [f for f in files if isinstance(f, str) and _safe_relative(f)]


def _safe_relative(rel: str) -> bool:
    """A relative path that stays inside its folder (a mark file could have been edited)."""
    p = Path(rel)
    return bool(rel) and not p.is_absolute() and ".." not in p.parts


def _files_under(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()
    )


@contextlib.contextmanager
def published_folder(
    path: str | Path,
    *,
    kind: str,
    mark: str,
    hint: str,
    legacy: Callable[[Path], list[str]] | None = None,
) -> Iterator[Path]:
    """Yield an empty staging folder; on success its files replace unmt's own files in ``path``.

    ``path`` is claimed first (:func:`claim_folder` with ``mark``). The block writes its files,
    the mark (a JSON object) among them, into the staging folder (inside ``path``, so every
    move is a rename). Then each file is moved into place, the files the previous mark listed
    and the new one does not are removed, and the mark is written last with ``files``: every
    file of this publication. ``legacy(path)`` names the files of a folder whose mark predates
    the ``files`` list. On any exception nothing of ``path`` changes but a new, still empty
    folder is removed again.

    Raises:
        UserError: ``path`` may not be written (see :func:`claim_folder`); a full disk.
    """
    dest = claim_folder(path, kind=kind, marks=(mark,), hint=hint)
    created = not dest.exists()
    try:
        dest.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=dest))
    except OSError as exc:
        raise (write_error(exc, dest) or exc) from None
    try:
        yield staging
        _publish(dest, staging, mark, legacy)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            with contextlib.suppress(OSError):
                dest.rmdir()  # only while still empty: a failed first publication


def _publish(
    dest: Path, staging: Path, mark: str, legacy: Callable[[Path], list[str]] | None
) -> None:
    fields = _read_mark(staging / mark)
    (staging / mark).unlink(missing_ok=True)
    new = _files_under(staging)
    old_mark = _read_mark(dest / mark)
    if (dest / mark).is_file() and "files" not in old_mark and legacy is not None:
        old = [f for f in legacy(dest) if _safe_relative(f)]
    else:
        old = _own_files(old_mark)
    gone = [f for f in old if f not in set(new) and f != mark]
    # the mark names every file that may be unmt's while the files move: a run killed here
    # leaves nothing of its own unlisted
    with atomic_output(dest / mark) as fh:
        json.dump({**fields, "files": sorted({*old, *new})}, fh, indent=1, ensure_ascii=False)
    for rel in new:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir() and not target.is_symlink():
            raise UserError(
                f"cannot write {rel}: the folder holds a folder of that name",
                path=dest,
                hint="move it away, or export into a new folder",
            )
        os.replace(staging / rel, target)
    for rel in gone:
        target = dest / rel
        if target.is_symlink() or target.is_file():
            target.unlink()
            with contextlib.suppress(OSError):  # a folder of unmt's own files, now empty
                if target.parent != dest:
                    target.parent.rmdir()
    with atomic_output(dest / mark) as fh:
        json.dump({**fields, "files": new}, fh, indent=1, ensure_ascii=False)


@contextlib.contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """Yield an empty folder beside ``path``; on success it replaces ``path`` (files or not).

    For unmt's own cache folders only (a converted model under the unmt cache folder), never
    for a path the user named: the old folder is removed whole. On any exception the temporary
    folder is removed and ``path`` is left as it was. A concurrent reader sees the old folder
    or the new one, never half of one.
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~umask())
        old = None
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".old", dir=dest.parent))
            os.replace(dest, old / "x")
        os.replace(tmp, dest)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
