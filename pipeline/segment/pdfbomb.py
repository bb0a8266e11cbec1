"""Refusing PDF compression bombs before PDFium reads them.

PDFium decodes a stream whole into memory (every stage of its filter chain), so a 2 MB file whose
streams inflate to gigabytes ends the process (``SIGABRT``, nothing printed). This check decodes,
in bounded chunks, every stream PDFium could decode and refuses the file when the decoded bytes
add up to more than :data:`MAX_INFLATED`:

* every stream of the file, found as :mod:`unmt.pipeline.segment.pdfsyntax` describes, and the
  streams inside object streams (whose objects can also be the ``/Length`` or ``/Filter`` of
  others);
* every filter chain of ASCIIHex, ASCII85, Flate, LZW and RunLength, in any order, full or
  abbreviated names, given directly or through indirect objects
  (:mod:`unmt.pipeline.segment.pdfdecode`); each stage's output counts, as PDFium holds each;
* inline images (``BI ... ID``) inside the decoded streams, which PDFium decodes to find their end.

An encrypted PDF is refused outright: its streams cannot be checked without decrypting them, and
PDFium opens one that has only an owner password. The check holds a chunk at a time, except the
decoded data of object streams (at most :data:`MAX_OBJECT_STREAM` each).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.pipeline.segment.pdfdecode import CHUNK, Pipe, chain
from unmt.pipeline.segment.pdfsyntax import (
    REGULAR,
    Later,
    Name,
    Parser,
    Ref,
    Stream,
    object_stream,
    parse_file,
    stream_end,
    value_at,
)

#: most bytes the streams of a PDF may decode to (a UN report's: a few MB)
MAX_INFLATED = 512 * 2**20
#: most bytes one object stream may decode to (they hold small objects: a few hundred KB)
MAX_OBJECT_STREAM = 32 * 2**20
_HINT = "re-save it with a PDF tool, or give the document as .txt or .docx"
_BI = re.compile(rb"BI(?!" + REGULAR + rb")")  # a literal first: a fast search
_REGULAR_BYTES = frozenset(range(256)) - frozenset(b"\x00\t\n\f\r ()<>[]{}/%")
_INLINE_DICT_MAX = 1 << 16
_ID = re.compile(rb"(?<![^\x00\t\n\f\r ()<>\[\]{}%])ID[\x00\t\n\f\r ]")


class _Budget:
    def __init__(self, limit: int, path: str | Path) -> None:
        self.total, self.limit, self.path = 0, limit, path

    def add(self, size: int) -> None:
        self.total += size
        if self.total > self.limit:
            raise UserError(
                f"the PDF's streams inflate to more than {self.limit // 2**20} MiB: a damaged or "
                "hostile file",
                path=self.path,
                hint=_HINT,
            )


class _Objects:
    """The objects of the file by number (every definition), and those of its object streams,
    parsed when first asked for."""

    def __init__(self, found: dict[int, list[Any]], path: str | Path) -> None:
        self._found, self.path = found, path
        self._later: dict[int, list[tuple[Parser, int]]] = {}

    def add_later(self, later: Later) -> None:
        for num, entries in later.items():
            self._later.setdefault(num, []).extend(entries)

    def add_stream(self, parser: Parser, where: dict[int, int]) -> None:
        self.add_later({num: [(parser, pos)] for num, pos in where.items()})

    def get(self, num: int) -> list[Any]:
        for parser, pos in self._later.pop(num, []):
            value = value_at(parser, pos)
            if value is not None:
                self._found.setdefault(num, []).append(value)
        return self._found.get(num, [])


_MISSING = object()  # what a reference to an object not found stands for


def _resolve(value: Any, objects: _Objects, depth: int = 0) -> list[Any]:
    """What a value stands for: itself, or every definition of the object it refers to."""
    if not isinstance(value, Ref):
        return [value]
    if depth > 8:
        return [_MISSING]
    found = [v for d in objects.get(value.num) for v in _resolve(d, objects, depth + 1)]
    return found or [_MISSING]


def _integers(value: Any, objects: _Objects) -> list[int] | None:
    """The integers a value can be; None when it refers to an object not found."""
    values = _resolve(value, objects)
    if _MISSING in values:
        return None
    return [
        int(v)
        for v in values
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    ]


def _missing_filter(path: str | Path) -> UserError:
    return UserError(
        "a stream's /Filter refers to an object that is not in the PDF: a damaged file",
        path=path,
        hint=_HINT,
    )


def _chains(
    info: dict[bytes, Any], objects: _Objects, inline: bool = False
) -> list[list[tuple[bytes, int]]]:
    """Every filter chain a stream dictionary can mean: ``[(name, lzw_early_change), ...]``."""
    filters = info.get(b"Filter", info.get(b"F") if inline else None)
    parms = info.get(b"DecodeParms", info.get(b"DP") if inline else None)
    chains = []
    for value in _resolve(filters, objects):
        if value is _MISSING:
            raise _missing_filter(objects.path)
        names = value if isinstance(value, list) else [value]
        entries = []
        for i, item in enumerate(names):
            names_found = _resolve(item, objects)
            if _MISSING in names_found:
                raise _missing_filter(objects.path)
            name = next((n for n in names_found if isinstance(n, Name)), None)
            if name is None:
                break
            parm = next(iter(_resolve(parms, objects)), None)
            if isinstance(parm, list):
                parm = next(iter(_resolve(parm[i], objects)), None) if i < len(parm) else None
            early = parm.get(b"EarlyChange", 1) if isinstance(parm, dict) else 1
            entries.append((bytes(name), early if isinstance(early, int) else 1))
        chains.append(entries)
    return chains


def _plain_inline(buf: bytes, pos: int) -> bool:
    """Whether the inline image whose ``BI`` ends at ``pos`` surely has no filter: its ``ID``
    is near and no ``/F``, name escape or string comes before it (the common case, no parse)."""
    end = _ID.search(buf, pos, pos + 4096)
    return end is not None and not any(
        mark in buf[pos : end.start()] for mark in (b"/F", b"#", b"(", b"<")
    )


class _InlineImages:
    """Finds the inline images of content (fed in pieces) and decodes each, counted."""

    def __init__(self, budget: _Budget, objects: _Objects) -> None:
        self._budget, self._objects = budget, objects
        self._tail, self._resume = b"", 0
        self._active: list[Pipe] = []

    def feed(self, data: bytes) -> None:
        self._active = [p for p in self._active if not p.done]
        for pipe in self._active:
            pipe.feed(data)
        buf, self._tail = self._tail + data, b""
        parser = Parser(buf)
        for m in _BI.finditer(buf):
            if m.end() <= self._resume or (m.start() and buf[m.start() - 1] in _REGULAR_BYTES):
                continue  # seen in the last piece, or the end of a longer word
            if _plain_inline(buf, m.end()):
                continue
            found = parser.inline_image(m.end())
            if found is None:
                if len(buf) - m.start() < _INLINE_DICT_MAX:
                    self._tail, self._resume = buf[m.start() :], 0
                    return
                continue
            info, start = found
            if start < 0:
                continue
            for filters in _chains(info, self._objects, inline=True):
                pipe = Pipe(chain(filters), self._budget.add, lambda _: None)
                pipe.feed(buf[start:])
                self._active.append(pipe)
        self._tail = buf[-3:]
        self._resume = len(self._tail)

    def close(self) -> None:
        for pipe in self._active:
            pipe.close()


def _decode(
    buf: bytes,
    stream: Stream,
    objects: _Objects,
    budget: _Budget,
    keep: bool = False,
) -> bytes:
    """Decode one stream, counting; its decoded data when ``keep`` (an object stream)."""
    end = stream_end(buf, stream.start, _integers(stream.info.get(b"Length"), objects))
    kept = bytearray()
    image = stream.info.get(b"Subtype") == b"Image"
    inline: _InlineImages | None = None

    def sink(piece: bytes) -> None:
        if keep:
            kept.extend(piece)
            if len(kept) > MAX_OBJECT_STREAM:
                raise UserError(
                    f"an object stream of the PDF decodes to more than "
                    f"{MAX_OBJECT_STREAM // 2**20} MiB: a damaged or hostile file",
                    path=budget.path,
                    hint=_HINT,
                )
        if inline is not None:
            inline.feed(piece)

    for filters in _chains(stream.info, objects) or [[]]:
        inline = None if image or keep else _InlineImages(budget, objects)
        stages = chain(filters)
        if not stages:
            if inline is None and not keep:
                continue  # raw data (or an image codec's): nothing PDFium inflates
            for at in range(stream.start, end, CHUNK):
                sink(buf[at : min(at + CHUNK, end)])  # raw data: only its inline images count
        else:
            pipe = Pipe(stages, budget.add, sink)
            for at in range(stream.start, end, CHUNK):
                pipe.feed(buf[at : min(at + CHUNK, end)])
                if pipe.done:
                    break
            pipe.close()
        if inline is not None:
            inline.close()
    return bytes(kept)


def _encrypted(trailers: list[dict[bytes, Any]], streams: list[Stream]) -> bool:
    dicts = trailers + [s.info for s in streams if s.info.get(b"Type") == b"XRef"]
    return any(b"Encrypt" in d for d in dicts)


def check_inflated_size(data: bytes, path: str | Path, limit: int | None = None) -> int:
    """Decode every stream of a PDF (see the module docstring) in bounded chunks and refuse it
    when they add up to more than ``limit`` bytes (default :data:`MAX_INFLATED`); returns the
    decoded total.

    Raises:
        UserError: more than ``limit`` bytes, an object stream larger than
            :data:`MAX_OBJECT_STREAM`, or an encrypted PDF.
    """
    budget = _Budget(MAX_INFLATED if limit is None else limit, path)
    parser, found, later, trailers = parse_file(data)
    objects = _Objects(found, path)
    objects.add_later(later)
    streams = sorted(parser.streams.values(), key=lambda s: s.start)
    if _encrypted(trailers, streams):
        raise UserError(
            "the PDF is encrypted (even one that opens without a password cannot be checked)",
            path=path,
            hint="save an unprotected copy (e.g. qpdf --decrypt IN OUT) and give that",
        )
    inner: list[Parser] = []
    rest: list[Stream] = []
    for stream in streams:  # object streams first: they hold objects the others refer to
        kind = _resolve(stream.info.get(b"Type"), objects)
        first = _integers(stream.info.get(b"First"), objects) or []
        if b"ObjStm" not in kind and not (_MISSING in kind and first):
            rest.append(stream)
            continue
        content = _decode(data, stream, objects, budget, keep=True)
        count = max(_integers(stream.info.get(b"N"), objects) or [], default=0)
        for start in first[:1]:
            sub, where = object_stream(content, count, start)
            objects.add_stream(sub, where)
            inner.append(sub)
    for stream in rest:
        _decode(data, stream, objects, budget)
    for sub in inner:  # streams inside object streams: not allowed, but PDFium would read them
        for stream in list(sub.streams.values()):
            _decode(sub.buf, stream, objects, budget)
    return budget.total
