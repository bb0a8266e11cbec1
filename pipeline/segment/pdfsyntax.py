"""Just enough PDF object syntax to find every stream PDFium could decode, read the way PDFium
reads it.

PDFium finds objects through the cross-reference table, whose offsets can point anywhere, so the
check does not trust any one reading of the file: every ``obj`` keyword in it starts an object
(see :func:`parse_file`), parsed with PDFium's loose rules (non-name dictionary keys are skipped,
``endobj`` closes a dictionary, at most 64 levels of nesting), and every dictionary followed by
the ``stream`` keyword, at any depth, is a stream. A stream's data starts after the end of the
line that holds ``stream`` (``\\r``, ``\\n`` or ``\\r\\n``, as PDFium's ``ToNextLine``) and ends
at ``/Length`` when that length is followed by ``endstream``; otherwise at the later of the first
whole-word ``endstream`` and ``endobj`` (PDFium takes the earlier: counting more is the safe side).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

_WS = rb"\x00\t\n\f\r "
REGULAR = rb"[^\x00\t\n\f\r ()<>\[\]{}/%]"
_SKIP = rb"(?:[\x00\t\n\f\r ]|%[^\r\n]*)"
_TOKEN = re.compile(
    _SKIP + rb"*(?:(<<|>>|[\[\]()<]|/" + REGULAR + rb"*|" + REGULAR + rb"+)|(.))?", re.S
)
_WORDS = re.compile(rb"[^\x00\t\n\f\r ]+")
_NUMERIC = re.compile(rb"[0-9+\-.]+")
_REF_TAIL = re.compile(_SKIP + rb"+([0-9+\-.]+)" + _SKIP + rb"+R(?!" + REGULAR + rb")")
_OBJ = re.compile(rb"obj(?!" + REGULAR + rb")")  # a literal first: a fast search
_HEADER_TAIL = re.compile(
    rb"(?<![0-9+\-.])([0-9+\-.]+)(?:[\x00\t\n\f\r ]|%[^\r\n]*[\r\n])+[0-9+\-.]+"
    rb"(?:[\x00\t\n\f\r ]|%[^\r\n]*[\r\n])+\Z"
)
_STRING_SPECIAL = re.compile(rb"[()\\]")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_WHITE = frozenset(b"\x00\t\n\f\r ")
_NOT_DELIMITED = frozenset(range(256)) - frozenset(b"\x00\t\n\f\r ()<>[]{}/%")
_EOL = re.compile(rb"\r\n?|\n")
_ENDSTREAM_AT = re.compile(rb"(?:\r\n|\r|\n)?" + _SKIP + rb"*endstream")
_ENDSTREAM = re.compile(rb"endstream(?![^\x00\t\n\f\r ])")
_ENDOBJ = re.compile(rb"endobj(?![^\x00\t\n\f\r ])")
_ENDOBJ_ANY = re.compile(rb"endobj")
_STREAM_WORD = re.compile(rb"stream(?!" + REGULAR + rb")")
_TRAILER = re.compile(rb"trailer(?!" + REGULAR + rb")")
MAX_DEPTH = 64  # PDFium's kParserMaxRecursionDepth


class Name(bytes):
    """A PDF name, ``#xx`` escapes decoded, without its slash."""


def _name(token: bytes) -> Name:
    if b"#" not in token:
        return Name(token[1:])
    return Name(_NAME_ESCAPE.sub(lambda e: bytes([int(e[1], 16)]), token[1:]))


@dataclass(frozen=True, slots=True)
class Ref:
    """An indirect reference ``num gen R``."""

    num: int


@dataclass(slots=True)
class Stream:
    """A stream: its dictionary and where its data starts in the buffer parsed."""

    info: dict[bytes, Any]
    start: int


_CLOSE_ARRAY, _CLOSE_DICT, _FAIL = object(), object(), object()


def _number(word: bytes) -> int | float | None:
    if len(word) > 32:  # PDFium saturates; no offset, length or object number is this long
        return None
    try:
        return int(word)
    except ValueError:
        try:
            return float(word)
        except ValueError:
            return None


@dataclass
class Parser:
    """Parses objects out of ``buf`` (a whole file, or the decoded data of an object stream);
    every stream met is kept in :attr:`streams` (keyed by where its data starts)."""

    buf: bytes
    streams: dict[int, Stream] = field(default_factory=dict)
    keywords: set[int] = field(default_factory=set)  # where each stream's keyword is

    def value(self, pos: int, depth: int = 0) -> tuple[Any, int]:
        """The object at ``pos`` and the position after it (``_FAIL`` where PDFium gets none)."""
        if depth > MAX_DEPTH:
            return _FAIL, pos
        m = _TOKEN.match(self.buf, pos)
        assert m is not None  # the pattern matches the empty string
        tok, end = m.group(1), m.end()
        if tok is None:
            return _FAIL, end
        if tok == b"<<":
            return self._dict(end, depth)
        if tok == b"[":
            items: list[Any] = []
            while True:
                item, end = self.value(end, depth + 1)
                if item is _FAIL or item is _CLOSE_ARRAY or item is _CLOSE_DICT:
                    return items, end
                items.append(item)
        if tok == b"(":
            return b"", self._string_end(end)
        if tok == b"<":
            close = self.buf.find(b">", end)
            return b"", len(self.buf) if close < 0 else close + 1
        if tok[:1] == b"/":
            return _name(tok), end
        if tok == b">>":
            return _CLOSE_DICT, m.start(1)  # PDFium leaves ">>" for the dictionary to close
        if tok == b"]":
            return _CLOSE_ARRAY, end
        if _NUMERIC.fullmatch(tok):
            ref = _REF_TAIL.match(self.buf, end)
            if ref is not None:
                num = _number(tok)
                return (Ref(int(num)) if num is not None else _FAIL), ref.end()
            return _number(tok), end
        return {b"true": True, b"false": False, b"null": None}.get(tok, _FAIL), end

    def _dict(self, pos: int, depth: int) -> tuple[Any, int]:
        info: dict[bytes, Any] = {}
        while True:
            m = _TOKEN.match(self.buf, pos)
            assert m is not None
            tok, pos = m.group(1) or m.group(2), m.end()
            if tok is None:
                return _FAIL, pos  # the file ended inside the dictionary
            if tok == b">>":
                break
            if tok == b"endobj":
                pos = m.start(1)
                break
            if tok[:1] != b"/" or tok == b"/":
                continue
            key = bytes(_name(tok))
            item, pos = self.value(pos, depth + 1)
            if item is not _FAIL and item is not _CLOSE_ARRAY and item is not _CLOSE_DICT:
                info[key] = item
        after = _TOKEN.match(self.buf, pos)
        assert after is not None
        if after.group(1) != b"stream":
            return info, pos
        self.keywords.add(after.start(1))
        eol = _EOL.search(self.buf, after.end())
        start = len(self.buf) if eol is None else eol.end()
        stream = self.streams.setdefault(start, Stream(info, start))
        length = info.get(b"Length")
        direct = [int(length)] if isinstance(length, (int, float)) else []
        return stream, stream_end(self.buf, start, direct)  # PDFium goes on after the data

    def inline_image(self, pos: int) -> tuple[dict[bytes, Any], int] | None:
        """The dictionary of the inline image whose ``BI`` ends at ``pos``, and where its data
        starts (after ``ID`` and one white-space byte); ``({}, -1)`` when this is no inline
        image, ``None`` when the buffer ends before ``ID``."""
        info: dict[bytes, Any] = {}
        for _ in range(64):  # PDFium's keys: W H BPC CS F DP D I IM L... (some tens of tokens)
            m = _TOKEN.match(self.buf, pos)
            assert m is not None
            tok, pos = m.group(1) or m.group(2), m.end()
            if tok is None:
                return None
            if tok == b"ID":
                if pos >= len(self.buf):
                    return None
                return info, pos + (self.buf[pos] in _WHITE)
            if tok[:1] != b"/":
                return {}, -1
            item, pos = self.value(pos, 1)
            if pos >= len(self.buf):
                return None
            if item is _FAIL or item is _CLOSE_ARRAY or item is _CLOSE_DICT:
                return {}, -1
            info[bytes(_name(tok))] = item
        return {}, -1

    def _string_end(self, pos: int) -> int:
        level = 0
        while True:
            m = _STRING_SPECIAL.search(self.buf, pos)
            if m is None:
                return len(self.buf)
            pos = m.end()
            ch = self.buf[m.start()]
            if ch == 0x5C:  # backslash: the next byte is escaped
                pos += 1
            elif ch == 0x28:
                level += 1
            elif level == 0:
                return pos
            else:
                level -= 1


def _whole_word(buf: bytes, pattern: re.Pattern[bytes], pos: int) -> int:
    """Where the first ``pattern`` from ``pos`` that white space (or the file's start) precedes
    begins; -1 when there is none."""
    for m in pattern.finditer(buf, pos):
        if m.start() == 0 or buf[m.start() - 1] in _WHITE:
            return m.start()
    return -1


def stream_end(buf: bytes, start: int, lengths: list[int] | None) -> int:
    """Where the data of a stream starting at ``start`` ends (see the module docstring);
    ``lengths`` None: its ``/Length`` refers to an object not found (then: the end of ``buf``,
    as the filters stop at their own end-of-data marks)."""
    if lengths is None:
        return len(buf)
    valid = [
        start + n
        for n in lengths
        if n >= 0 and start + n < len(buf) and _ENDSTREAM_AT.match(buf, start + n)
    ]
    if valid:
        return max(valid)
    found = [_whole_word(buf, _ENDSTREAM, start), _whole_word(buf, _ENDOBJ, start)]
    return max(found) if max(found) >= 0 else len(buf)


def _object_number(buf: bytes, obj: int) -> int | None:
    """The object number of the header ``N G obj`` whose ``obj`` starts at ``obj`` (white space
    and comments between them within 64 bytes), or None."""
    m = _HEADER_TAIL.search(buf, max(0, obj - 64), obj)
    if m is None:
        return None
    num = _number(m.group(1))
    return int(num) if num is not None else None


Later = dict[int, list[tuple[Parser, int]]]  # objects to parse when asked for: (parser, where)


def parse_file(buf: bytes) -> tuple[Parser, dict[int, list[Any]], Later, list[dict[bytes, Any]]]:
    """Every object of a PDF file: the parser (with all its streams), the objects by number
    (every definition), the objects left to parse when asked for, and the trailer dictionaries.

    Every ``obj`` keyword starts an object, whether or not a header's numbers can be read before
    it. An object is parsed at once when a ``stream`` keyword comes before the next ``endobj``;
    the others (no stream in them) when first asked for. Should a ``stream`` keyword be left
    that no object parsed took (an ``endobj`` hidden in a string...), every object is parsed.
    """
    parser = Parser(buf)
    keywords = [
        m.start()
        for m in _STREAM_WORD.finditer(buf)
        if m.start() == 0 or buf[m.start() - 1] not in _NOT_DELIMITED
    ]
    ends = [m.start() for m in _ENDOBJ_ANY.finditer(buf)]
    objects: dict[int, list[Any]] = {}
    later: Later = {}
    unnumbered: list[int] = []
    for m in _OBJ.finditer(buf):
        if m.start() and buf[m.start() - 1] in _NOT_DELIMITED:
            continue  # "endobj" and the like
        num, pos = _object_number(buf, m.start()), m.end()
        stop = ends[i] if (i := bisect.bisect_left(ends, pos)) < len(ends) else len(buf)
        k = bisect.bisect_left(keywords, pos)
        if k < len(keywords) and keywords[k] < stop:
            value = value_at(parser, pos)
            if num is not None and value is not None:
                objects.setdefault(num, []).append(value)
        elif num is not None:
            later.setdefault(num, []).append((parser, pos))
        else:
            unnumbered.append(pos)
    if not parser.keywords.issuperset(keywords):
        for entries in later.values():
            for _, pos in entries:
                parser.value(pos)
        for pos in unnumbered:
            parser.value(pos)
    trailers = []
    for m in _TRAILER.finditer(buf):
        value = value_at(parser, m.end())
        if isinstance(value, dict):
            trailers.append(value)
    return parser, objects, later, trailers


def object_stream(data: bytes, count: int, first: int) -> tuple[Parser, dict[int, int]]:
    """A decoded object stream (``/N`` objects, the first at ``/First``): its parser and where
    each object starts. When the data holds the ``stream`` keyword (no valid object stream
    does), every object is parsed at once, so that the parser's streams are all there."""
    parser = Parser(data)
    numbers: list[int] = []
    for word in _WORDS.findall(data, 0, max(0, first))[: 2 * max(0, count)]:
        number = _number(word)
        if not isinstance(number, int):
            break
        numbers.append(number)
    where = {
        num: first + offset
        for num, offset in zip(numbers[::2], numbers[1::2], strict=False)
        if 0 <= first + offset < len(data)
    }
    if _whole_word(data, _STREAM_WORD, 0) >= 0 or b">stream" in data:
        for pos in where.values():
            parser.value(pos)
    return parser, where


def value_at(parser: Parser, pos: int) -> Any:
    """The object at ``pos``, or None when PDFium would read none."""
    value, _ = parser.value(pos)
    return None if value is _FAIL else value
