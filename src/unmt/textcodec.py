"""Decoding the bytes of a Chinese or English text file, whatever encoding it came in.

One rule for every reader of documents and glossaries:

* a byte-order mark decides (UTF-8, UTF-16 LE/BE);
* NUL bytes without a BOM: UTF-16 LE or BE when one of the two decodes to plausible text (ASCII,
  Han characters, CJK punctuation), else the file is binary;
* valid UTF-8 is UTF-8; mostly valid UTF-8 with a few bad bytes is broken UTF-8 (an error naming
  the offset), not a legacy encoding;
* otherwise GB18030 (a superset of GBK and GB2312) and Big5 (code page 950) are both tried, and
  the one whose characters are the common ones of its own repertoire wins: GB2312's level-1
  hanzi (lead bytes B0-D7) for GB18030, Big5's frequently used characters (lead bytes A4-C6) for
  Big5. Text in one decoded as the other is mostly rare characters, kana, Greek or Cyrillic.
  When neither looks like Chinese (a Latin-1 or cp1252 file) the file is refused.

Every failure is a :class:`UserError` naming the file and the byte offset; nothing is ever
decoded into mojibake silently.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from unmt.errors import UserError

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_BINARY_MAGIC = (b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0")
_MIN_COMMON = 0.6  # the winning legacy decoding has at least this share of common characters
_MIN_PLAUSIBLE = 0.9  # a BOM-less UTF-16 decoding has at least this share of plausible ones
HINT = "save the file as UTF-8 text"


def _plausible(ch: str) -> bool:
    o = ord(ch)
    return (
        (0x20 <= o < 0x7F)
        or ch in "\n\r\t\f"
        or 0x3000 <= o <= 0x303F  # CJK punctuation
        or 0x4E00 <= o <= 0x9FFF
        or 0xFF00 <= o <= 0xFFEF
        or ch in "“”‘’…—·"
    )


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """``(text, codec)`` when ``data`` is BOM-less UTF-16 that decodes to plausible text."""
    if len(data) < 4 or len(data) % 2:
        return None
    best: tuple[float, str, str] | None = None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        sample = text[:20000]
        share = sum(map(_plausible, sample)) / len(sample)
        if share >= _MIN_PLAUSIBLE and (best is None or share > best[0]):
            best = (share, text, codec)
    return None if best is None else (best[1], best[2])


def _common_share(text: str, codec: str) -> float:
    """The share of the non-ASCII characters of ``text`` that are common ones of ``codec``."""
    lo, hi = (0xB0, 0xD7) if codec == "gb18030" else (0xA4, 0xC6)
    table = "gb2312" if codec == "gb18030" else "cp950"
    common = total = 0
    for ch in text[:50000]:
        if ch.isascii():
            continue
        total += 1
        if 0x3000 <= ord(ch) <= 0x303F or 0xFF00 <= ord(ch) <= 0xFFEF:
            common += 1  # punctuation and full-width forms are common in both
            continue
        try:
            lead = ch.encode(table)[0]
        except UnicodeEncodeError:
            continue
        common += lo <= lead <= hi
    return common / total if total else 1.0


def _strict(data: bytes, codec: str, path: str | Path) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise UserError(
            f"cannot decode the file as {codec}: invalid bytes at byte offset {exc.start}",
            path=path,
            hint=HINT,
        ) from None


def _try(data: bytes, codec: str) -> tuple[str | None, int]:
    try:
        return data.decode(codec), -1
    except UnicodeDecodeError as exc:
        return None, exc.start


def decode_bytes(data: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """Decode the bytes of a text file; return ``(text, encoding)``.

    ``encoding`` is ``utf-8``, ``utf-8-sig``, ``utf-16``, ``utf-16-le``, ``utf-16-be``,
    ``gb18030`` or ``big5``.

    Raises:
        UserError: binary data, or bytes that are valid in none of the supported encodings or
            would decode to mojibake (the message names the byte offset of the first bad byte).
    """
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", path), "utf-8-sig"
    if data.startswith(_UTF16_BOMS):
        return _strict(data, "utf-16", path), "utf-16"
    head = data[:8192]
    if head.startswith(_BINARY_MAGIC):
        raise UserError(
            "this is a binary file (a .docx/image), not plain text",
            path=path,
            hint="give a .txt file (UTF-8, UTF-16, GB18030 or Big5), or a .docx/.pdf file named so",
        )
    if b"\x00" in head:
        found = _utf16_without_bom(data)
        if found is None:
            raise UserError(
                "this is a binary file (it contains NUL bytes), not plain text",
                path=path,
                hint="give a .txt file (UTF-8, UTF-16, GB18030 or Big5) or a .docx/.pdf file",
            )
        return found
    utf8, utf8_error = _try(data, "utf-8")
    if utf8 is not None:
        return utf8, "utf-8"
    # Mostly-valid UTF-8 with a few bad bytes is broken UTF-8, not GB18030: GB text almost never
    # forms valid multi-byte UTF-8 sequences.
    loose = data.decode("utf-8", errors="replace")
    bad = loose.count("\ufffd")
    good = sum(1 for ch in loose if ord(ch) > 0x7F) - bad
    if good >= 4 * bad:
        raise UserError(
            f"invalid UTF-8 at byte offset {utf8_error}",
            path=path,
            hint="fix or remove the damaged bytes, or " + HINT,
        )
    gb, gb_error = _try(data, "gb18030")
    big5, big5_error = _try(data, "cp950")
    if gb is None and big5 is None:
        raise UserError(
            f"cannot decode the file as UTF-8 (bad byte at offset {utf8_error}), GB18030 "
            f"(offset {gb_error}) or Big5 (offset {big5_error})",
            path=path,
            hint=HINT,
        )
    scores = {
        codec: _common_share(text, codec)
        for codec, text in (("gb18030", gb), ("big5", big5))
        if text is not None
    }
    codec = max(scores, key=lambda c: (scores[c], c == "gb18030"))
    if scores[codec] < _MIN_COMMON:
        raise UserError(
            f"invalid UTF-8 at byte offset {utf8_error}, and the file does not look like GB18030 "
            "or Big5 Chinese either (a Latin-1 or Windows code page file?)",
            path=path,
            hint=HINT,
        )
    text = gb if codec == "gb18030" else big5
    assert text is not None
    return text, codec
