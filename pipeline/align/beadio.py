"""Reading and writing alignments, and reading the aligner's input files.

Bead text format (Vecalign/Bertalign): one bead per line, ``[src_ids]:[tgt_ids]``, 0-based
sentence numbers, e.g. ``[0,1]:[0]`` (2-1) or ``[5]:[]`` (a source sentence left unaligned).
Spaces inside the brackets are accepted on reading and never written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

from unmt.errors import UserError
from unmt.fileio import is_jsonl, jsonl_records, read_lines
from unmt.records import Bead, Segment

_BEAD = re.compile(r"^\s*\[([\d,\s]*)\]\s*:\s*\[([\d,\s]*)\]\s*$")


def format_bead(bead: Bead) -> str:
    """``[0,1]:[0]``."""
    return "[{}]:[{}]".format(",".join(map(str, bead.src)), ",".join(map(str, bead.tgt)))


def parse_bead(text: str) -> Bead:
    """Parse one ``[i,j]:[k]`` line; raises ``ValueError`` when it is not one."""
    m = _BEAD.match(text)
    if m is None:
        raise ValueError(f"not a bead of the form [0,1]:[0]: {text.strip()[:60]!r}")

    def ids(part: str) -> tuple[int, ...]:
        return tuple(int(x) for x in part.replace(" ", "").split(",") if x.strip())

    return Bead(ids(m.group(1)), ids(m.group(2)))


def read_beads(path: str | Path) -> list[Bead]:
    """Read a bead file (blank lines skipped); bad lines raise :class:`UserError`."""
    beads: list[Bead] = []
    for lineno, line in enumerate(read_text_lines(path), 1):
        if not line.strip():
            continue
        try:
            beads.append(parse_bead(line))
        except ValueError as exc:
            raise UserError(
                str(exc), path=path, line=lineno, hint="expected one bead per line like [0,1]:[0]"
            ) from None
    return beads


def write_beads(
    fh: IO[str],
    beads: Iterable[Bead],
    fmt: str = "beads",
    src: Sequence[str] | None = None,
    tgt: Sequence[str] | None = None,
) -> int:
    """Write beads as ``beads``, ``tsv`` (bead, score, texts) or ``jsonl``; return the count."""
    n = 0
    for bead in beads:
        s_text = " ".join(src[i] for i in bead.src) if src is not None else ""
        t_text = " ".join(tgt[j] for j in bead.tgt) if tgt is not None else ""
        if fmt == "beads":
            fh.write(format_bead(bead) + "\n")
        elif fmt == "tsv":
            clean = [x.replace("\t", " ") for x in (s_text, t_text)]
            fh.write(f"{format_bead(bead)}\t{bead.score:.4f}\t{clean[0]}\t{clean[1]}\n")
        elif fmt == "jsonl":
            rec = bead.to_json() | {"src_text": s_text, "tgt_text": t_text}
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        else:
            raise ValueError(f"unknown alignment format {fmt!r}; known: beads, tsv, jsonl")
        n += 1
    return n


def read_text_lines(path: str | Path) -> list[str]:
    """The lines of a UTF-8 file; missing or undecodable files raise :class:`UserError`."""
    return read_lines(path)


def read_sentences(path: str | Path) -> tuple[list[str], list[Segment] | None]:
    """Read one sentence per line, or segment JSONL (``unmt segment`` output).

    A ``.jsonl`` file, or one whose first non-blank line is a JSON object, is read as segments;
    returns the texts and the segments (``None`` for plain text). Blank lines of a plain-text
    file are kept as empty sentences so line numbers stay those of the file.
    """
    lines = read_text_lines(path)
    if not is_jsonl(path, lines):
        return [ln.strip() for ln in lines], None
    hint = "give one sentence per line, or unmt segment's JSONL"
    segments: list[Segment] = []
    for lineno, data in jsonl_records(
        path, lines, field="text", hint=hint, bad_record="not a segment record (no 'text' field)"
    ):
        try:
            segments.append(
                Segment.from_json({"id": "", "doc": "", "block": "", "label": "", "sent": 0} | data)
            )
        except (ValueError, TypeError) as exc:
            raise UserError(
                f"not a segment record ({exc})", path=path, line=lineno, hint=hint
            ) from None
    return [seg.text for seg in segments], segments


def read_mt(path: str | Path) -> list[str]:
    """Read machine translations: one per line, or ``unmt translate``'s JSONL (``mt`` field)."""
    lines = read_text_lines(path)
    if not is_jsonl(path, lines):
        return [ln.strip() for ln in lines]
    records = jsonl_records(
        path,
        lines,
        field="mt",
        hint="give one translation per line, or unmt translate's JSONL",
        bad_record="not a translation record (no 'mt' text)",
    )
    return [data["mt"] for _, data in records]
