"""Which documents a run covers: inputs, references, and pairs manifests.

- INPUT arguments are files, directories or globs. A directory contributes its ``.txt``,
  ``.docx`` and ``.pdf`` files (sorted, not recursive).
- Without ``--reference``, the inputs' English files are paired with their Chinese ones by
  file name (:mod:`unmt.pipeline.run.namepairs`: ``X.zh.pdf`` + ``X.en.docx``, ``X_C.pdf`` +
  ``X_E.pdf``, ...), each English file becoming its Chinese file's reference; a line on stderr
  (unless ``quiet``) says how many pairs were made and names the files left unpaired. Files a
  pairs manifest names are left out of the directories and globs first (the manifest decides
  their pairing); files named one by one stay, as given.
- With ``--reference`` nothing is paired by name: the references pair with the inputs in order
  (their counts must match; an empty string stands for "no reference" for that input), and a
  directory contributes only its Chinese files (its English ones, by the same name rules, are
  left out).
- A pairs manifest is TSV (``zh path<TAB>en path[<TAB>doc id[<TAB>format]]``; ``#`` comments;
  the en column may be empty) or JSONL (``{"zh": ..., "en": ..., "id": ..., "format": ...}``).
  ``format`` is ``lines`` (one segment per line, as ``--lines``), ``document`` (a document to
  segment) or empty (the run's ``--lines`` setting). Relative paths are relative to the
  manifest's folder.
- A document id is the file name without its extension and a trailing ``.zh`` tag
  (``E-CN.15-2021-5.zh.txt`` -> ``E-CN.15-2021-5``), made folder-safe and unique (a repeated
  id gets ``-2``, ``-3``..., and a warning says so).

A file that does not exist is not an error here: the document fails in the run (recorded in the
manifest) and the others go on. A glob matching nothing is an error.
"""

from __future__ import annotations

import glob
import logging
from dataclasses import dataclass
from pathlib import Path

from unmt.docid import clean_doc_id, doc_id_from_path
from unmt.errors import UserError
from unmt.fileio import (
    JSONL_SUFFIXES,
    MAX_CONFIG_BYTES,
    loads_json,
    read_text,
    real_path,
    shown_path,
)
from unmt.pipeline.run.namepairs import SHOWN, english_files, pair_by_name

log = logging.getLogger(__name__)

DOC_SUFFIXES = (".txt", ".docx", ".pdf")
FORMATS = ("lines", "document")
_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class DocInput:
    """One document of a run: its id, Chinese source, English reference (if any), and whether
    its files are line-aligned (``None``: the run's ``--lines`` setting)."""

    doc_id: str
    source: Path
    reference: Path | None = None
    lines: bool | None = None


def _expand(patterns: list[str], *, english: bool) -> list[tuple[Path, bool]]:
    """Files named by ``patterns``, in the order given, each with whether it was named as a
    file (not found in a directory or by a glob); ``english``: directories give their English
    files too."""
    out: list[tuple[Path, bool]] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix.lower() in DOC_SUFFIXES
            )
            if not english:
                tagged = english_files(found)
                found = [p for p in found if p not in tagged]
            if not found:
                raise UserError(
                    "no .txt, .docx or .pdf documents in this directory",
                    path=path,
                    hint="name the files, or a directory that holds Chinese documents",
                )
            out.extend((p, False) for p in found)
        elif _GLOB_CHARS & set(pattern) and not path.exists():
            matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True))
            matches = [p for p in matches if p.is_file()]
            if not matches:
                raise UserError(f"no file matches {pattern!r}", hint="check the pattern")
            out.extend((p, False) for p in matches)
        else:
            out.append((path, True))  # missing files fail later, as a document
    return out


def expand_inputs(patterns: list[str]) -> list[Path]:
    """Files named by ``patterns`` (files, directories without their English files, globs),
    in the order given."""
    return [path for path, _ in _expand(patterns, english=False)]


def _unique(ids: list[str], sources: list[Path]) -> list[str]:
    """``ids`` made unique: a repeated id gets ``-2``, ``-3``..., with a warning that names the
    files, the ids they got and the fix."""
    seen: set[str] = set()
    out = []
    clashes: dict[str, list[int]] = {}
    for i, doc_id in enumerate(ids):
        candidate, n = doc_id, 1
        while candidate in seen:
            n += 1
            candidate = f"{doc_id}-{n}"
        if n > 1:
            clashes.setdefault(doc_id, [ids.index(doc_id)]).append(i)
        seen.add(candidate)
        out.append(candidate)
    for doc_id, where in clashes.items():
        log.warning(
            "%d documents have the id %r: %s; give each its id in a --pairs manifest's third "
            "column, or rename the files",
            len(where),
            doc_id,
            ", ".join(f"{sources[i]} -> {out[i]}" for i in where),
        )
    return out


def read_pairs(path: str | Path) -> list[DocInput]:
    """Read a TSV or JSONL pairs manifest."""
    manifest = Path(path)
    text = read_text(manifest, hint="save the manifest as UTF-8", limit=MAX_CONFIG_BYTES)
    base = manifest.parent
    jsonl = manifest.suffix.lower() in JSONL_SUFFIXES  # every line an object, not only "{..."
    rows: list[tuple[str, str, str, str]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if jsonl or line.lstrip().startswith("{"):
            obj = loads_json(line, path=manifest, line=n)
            texts = ("zh", "en", "id")
            if (
                not isinstance(obj, dict)
                or not isinstance(obj.get("zh"), str)
                or not all(isinstance(obj.get(k), str | None) for k in texts)
            ):
                raise UserError(
                    'a JSONL pair needs a "zh" path (and "en", "id" as text, if given)',
                    path=manifest,
                    line=n,
                    hint='{"zh": "a.zh.txt", "en": "a.en.txt", "id": "a"}',
                )
            row = (obj["zh"], str(obj.get("en") or ""), str(obj.get("id") or ""))
            rows.append((*row, _format(obj.get("format"), manifest, n)))
            continue
        cols = line.split("\t")
        if n == 1 and cols[0].strip().lower() in ("zh", "source", "zh_path"):
            continue  # a header line
        if len(cols) > 4 or not cols[0].strip():
            raise UserError(
                f"expected 'zh path<TAB>en path[<TAB>doc id[<TAB>format]]', got {len(cols)} "
                "column(s)",
                path=manifest,
                line=n,
                hint="separate the columns with one tab each",
            )
        cols += [""] * (4 - len(cols))
        fmt = _format(cols[3].strip(), manifest, n)
        rows.append((cols[0].strip(), cols[1].strip(), cols[2].strip(), fmt))
    if not rows:
        raise UserError("the pairs manifest lists no documents", path=manifest)
    ids = _unique(
        [clean_doc_id(i) if i else doc_id_from_path(zh) for zh, _, i, _ in rows],
        [base / zh for zh, _, _, _ in rows],
    )
    return [
        DocInput(doc_id, base / zh, (base / en) if en else None, None if not f else f == "lines")
        for doc_id, (zh, en, _, f) in zip(ids, rows, strict=True)
    ]


def _format(value: object, manifest: Path, line: int) -> str:
    if value in (None, ""):
        return ""
    if value not in FORMATS:
        raise UserError(
            f"unknown format {value!r}",
            path=manifest,
            line=line,
            hint="use 'lines' (one segment per line), 'document', or leave it empty",
        )
    return str(value)


def collect_documents(
    inputs: list[str], references: list[str], pairs: str | None = None, *, quiet: bool = False
) -> list[DocInput]:
    """The run's documents: expanded inputs paired with references (or, without references,
    with their English versions by name), then the pairs manifest."""
    listed = read_pairs(pairs) if pairs else []
    if references:
        files = expand_inputs(inputs) if inputs else []
        if len(references) != len(files):
            raise UserError(
                f"{len(references)} reference(s) for {len(files)} input document(s)",
                hint="give one --reference per input, in the same order, or use --pairs",
            )
        docs = [
            DocInput("", f, Path(r) if r else None) for f, r in zip(files, references, strict=True)
        ]
    else:
        docs = _paired_by_name(inputs, listed, quiet=quiet)
    docs += listed
    ids = _unique([d.doc_id or doc_id_from_path(d.source) for d in docs], [d.source for d in docs])
    return [DocInput(i, d.source, d.reference, d.lines) for i, d in zip(ids, docs, strict=True)]


def _paired_by_name(inputs: list[str], listed: list[DocInput], *, quiet: bool) -> list[DocInput]:
    """The inputs' Chinese files, each with its English version by name (when there is one)."""
    covered = {real_path(p) for d in listed for p in (d.source, d.reference) if p is not None}
    found = _expand(inputs, english=True) if inputs else []
    result = pair_by_name([p for p, named in found if named or real_path(p) not in covered])
    if result.english_alone and not result.pairs and not listed:
        raise UserError(
            f"no Chinese document among the inputs, only English ones: "
            f"{', '.join(shown_path(p) for p in result.english_alone[:SHOWN])}",
            hint="give the Chinese documents (an English one pairs with its Chinese one by name)",
        )
    if not quiet and (result.paired or result.english_alone):
        log.warning("%s", result.line())
    return [DocInput("", zh, en) for zh, en in result.pairs]
