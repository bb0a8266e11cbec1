"""The PDF filters PDFium decodes into memory, as push decoders that never hold more than a chunk.

Each decoder takes its input in pieces (:meth:`feed`) and gives its output in pieces of at most
about :data:`CHUNK` bytes, so a stream that would decode to gigabytes is counted, not held. They
decode the way PDFium does (``fpdf_parser_decode.cpp``, ``flatemodule.cpp``): ASCIIHex skips
characters that are not hex digits and ends at ``>``; ASCII85 skips white space, takes ``z`` as
four zero bytes anywhere and ends at any other character outside ``!``..``u``; RunLength ends at
128; LZW (9 to 12-bit codes, early change, at most 4,094 table entries of at most 4,000 bytes)
ends at code 257 or at a code it cannot decode; Flate ends at the end of its zlib stream or at
the first damaged byte (what came before counts). The full names and PDFium's abbreviations
(``/AHx /A85 /Fl /LZW /RL``) are both taken; ``/DecodeParms`` only sets LZW's early change
(predictors make data smaller, never larger).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator
from typing import Protocol

CHUNK = 1 << 20
_HEX_DIGITS = b"0123456789abcdefABCDEF"
_NOT_HEX = bytes(b for b in range(256) if b not in _HEX_DIGITS)
_A85_SKIP = b"\r\n \t"
_A85_END = re.compile(rb"[^!-uz]")
_A85_VALUES = bytes((b - 33) % 256 for b in range(256))


class Decoder(Protocol):
    """A push decoder: :attr:`done` once it has met its end-of-data mark."""

    done: bool

    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def close(self) -> Iterator[bytes]: ...


class Flate:
    done = False

    def __init__(self) -> None:
        self._z = zlib.decompressobj()

    def feed(self, data: bytes) -> Iterator[bytes]:
        while not self.done:
            try:
                out = self._z.decompress(data, CHUNK)
            except zlib.error:
                self.done = True  # PDFium keeps what came before the damage
                return
            data = self._z.unconsumed_tail
            if out:
                yield out
            if self._z.eof:
                self.done = True
            elif not data and len(out) < CHUNK:
                return

    def close(self) -> Iterator[bytes]:
        return iter(())


class AsciiHex:
    done = False

    def __init__(self) -> None:
        self._odd = b""

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.done:
            return
        end = data.find(b">")
        if end >= 0:
            data, self.done = data[:end], True
        digits = self._odd + data.translate(None, _NOT_HEX)
        cut = len(digits) & ~1
        self._odd = digits[cut:]
        if cut:
            yield bytes.fromhex(digits[:cut].decode("ascii"))
        if self.done:
            yield from self.close()

    def close(self) -> Iterator[bytes]:
        if self._odd:
            yield bytes.fromhex((self._odd + b"0").decode("ascii"))
            self._odd = b""


def _a85(groups: bytes) -> bytes:
    """Whole 5-character groups of ASCII85, all at once: the digits of each column are spread
    into 32-bit slots of one big integer, and Horner's rule runs on the five columns (a group
    past 2**32, which PDFium wraps, spills into its neighbour: only invalid data differs)."""
    n = len(groups) // 5
    if not n:
        return b""
    digits = groups.translate(_A85_VALUES)
    total = 0
    for k in range(5):
        slots = bytearray(4 * n)
        slots[3::4] = digits[k : 5 * n : 5]
        total = total * 85 + int.from_bytes(slots, "big")
    return (total & ((1 << (32 * n)) - 1)).to_bytes(4 * n, "big")


class Ascii85:
    done = False

    def __init__(self) -> None:
        self._part = b""  # an unfinished group

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.done:
            return
        data = data.translate(None, _A85_SKIP)
        end = _A85_END.search(data)
        if end is not None:
            data, self.done = data[: end.start()], True
        pieces = (self._part + data).split(b"z")
        out = bytearray()
        for k, piece in enumerate(pieces):
            whole = len(piece) - len(piece) % 5
            out += _a85(piece[:whole])
            if k < len(pieces) - 1:
                out += bytes(4)  # "z" drops a partial group, as PDFium does
            else:
                self._part = piece[whole:]
        for i in range(0, len(out), CHUNK):
            yield bytes(out[i : i + CHUNK])
        if self.done:
            yield from self.close()

    def close(self) -> Iterator[bytes]:
        if len(self._part) > 1:
            yield _a85(self._part + b"u" * (5 - len(self._part)))[: len(self._part) - 1]
        self._part = b""


class RunLength:
    done = False

    def __init__(self) -> None:
        self._rest = b""

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.done:
            return
        buf, i, out = self._rest + data, 0, bytearray()
        while i < len(buf):
            n = buf[i]
            if n == 128:
                self.done = True
                break
            size = n + 2 if n < 128 else 2
            if i + size > len(buf):
                break
            out += buf[i + 1 : i + size] if n < 128 else buf[i + 1 : i + 2] * (257 - n)
            i += size
            if len(out) >= CHUNK:
                yield bytes(out)
                out.clear()
        self._rest = b"" if self.done else buf[i:]
        if out:
            yield bytes(out)

    def close(self) -> Iterator[bytes]:
        if self._rest:  # a cut-off run: PDFium fills it with zero bytes
            n = self._rest[0]
            yield bytes(n + 1 if n < 128 else 257 - n)
            self._rest = b""


class Lzw:
    done = False

    def __init__(self, early_change: int = 1) -> None:
        self._early = 1 if early_change else 0
        self._acc = self._bits = 0
        self._width = 9
        self._table: list[bytes] = []
        self._old: bytes | None = None

    def _add(self, entry: bytes) -> None:
        if len(self._table) + self._early == 4094:
            return
        self._table.append(entry[-4000:])
        size = len(self._table) + self._early
        if size in (512 - 258, 1024 - 258, 2048 - 258):
            self._width += 1

    def feed(self, data: bytes) -> Iterator[bytes]:
        out = bytearray()
        for byte in data:
            if self.done:
                break
            self._acc = (self._acc << 8) | byte
            self._bits += 8
            while self._bits >= self._width and not self.done:
                self._bits -= self._width
                code = self._acc >> self._bits
                self._acc &= (1 << self._bits) - 1
                self._code(code, out)
            if len(out) >= CHUNK:
                yield bytes(out)
                out.clear()
        if out:
            yield bytes(out)

    def _code(self, code: int, out: bytearray) -> None:
        if code == 256:
            self._width, self._table, self._old = 9, [], None
            return
        if code == 257:
            self.done = True
            return
        if code < 256:
            entry = bytes((code,))
        elif self._old is None:
            self.done = True  # PDFium gives up
            return
        elif code - 258 < len(self._table):
            entry = self._table[code - 258]
        else:
            entry = self._old + self._old[:1]
        out += entry
        if self._old is not None:
            self._add(self._old + entry[:1])
        self._old = entry

    def close(self) -> Iterator[bytes]:
        return iter(())


_FILTERS: dict[bytes, Callable[[int], Decoder]] = {
    b"FlateDecode": lambda _: Flate(),
    b"Fl": lambda _: Flate(),
    b"LZWDecode": Lzw,
    b"LZW": Lzw,
    b"ASCII85Decode": lambda _: Ascii85(),
    b"A85": lambda _: Ascii85(),
    b"ASCIIHexDecode": lambda _: AsciiHex(),
    b"AHx": lambda _: AsciiHex(),
    b"RunLengthDecode": lambda _: RunLength(),
    b"RL": lambda _: RunLength(),
}


def chain(filters: list[tuple[bytes, int]]) -> list[Decoder]:
    """The decoders of a filter list (name, LZW early change), up to the first one PDFium does
    not decode into memory (an image codec, an unknown name); ``Crypt`` is skipped."""
    out: list[Decoder] = []
    for name, early in filters:
        if name == b"Crypt":
            continue
        make = _FILTERS.get(name)
        if make is None:
            break
        out.append(make(early))
    return out


class Pipe:
    """Data through a chain of decoders: every decoder's output is counted by ``count`` (PDFium
    holds each stage whole), the last one's goes to ``sink``. A decoder that has ended takes no
    more input, but the stages before it go on to their own end, as in PDFium."""

    def __init__(
        self, stages: list[Decoder], count: Callable[[int], None], sink: Callable[[bytes], None]
    ) -> None:
        self.stages, self._count, self._sink = stages, count, sink

    @property
    def done(self) -> bool:
        return not self.stages or self.stages[0].done

    def _push(self, level: int, pieces: Iterator[bytes]) -> None:
        for piece in pieces:
            self._count(len(piece))
            if level + 1 < len(self.stages):
                self._push(level + 1, self.stages[level + 1].feed(piece))
            else:
                self._sink(piece)

    def feed(self, data: bytes) -> None:
        if self.stages:
            self._push(0, self.stages[0].feed(data))

    def close(self) -> None:
        for level, stage in enumerate(self.stages):
            self._push(level, stage.close())
