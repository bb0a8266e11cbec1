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
* Japanese is refused, never read as Chinese mojibake: EUC-JP's kana rows are GB2312's kana rows
  (lead bytes A4/A5) and Big5's commonest characters, so EUC-JP text decodes "well" as either;
  bytes that decode strictly as EUC-JP or Shift-JIS (cp932) to text whose non-ASCII characters
  are at least a fifth kana, with the particles of Japanese prose (``の``, ``に``, ``は``...) at
  least one in twenty, are Japanese (Chinese text, whatever its encoding, never is: 4,000 UN
  lines in GB18030 and Big5 have no line that passes). The 7-bit ISO-2022 encodings (JP, CN,
  KR), whose escape sequences are valid ASCII, are refused by those sequences.

Every failure is a :class:`UserError` naming the file and the byte offset; nothing is ever
decoded into mojibake silently.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from unmt.errors import UserError

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_BINARY_MAGIC = (b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0")
_MIN_COMMON = 0.6  # the winning legacy decoding has at least this share of common characters
_MIN_PLAUSIBLE = 0.9  # a BOM-less UTF-16 decoding has at least this share of plausible ones
HINT = "save the file as UTF-8 text"
_KANA = re.compile("[\u3041-\u3096\u30a1-\u30fa]")
_PARTICLES = frozenset("のにはをがてたでとしもる")
_MIN_KANA, _MIN_PARTICLES, _MIN_KANA_COUNT = 0.2, 0.05, 3
_JAPANESE = (("euc_jp", "EUC-JP"), ("cp932", "Shift-JIS"))
_ISO2022 = re.compile(rb"\x1b\$(?:[@B]|\(D|\)[ACEG]|\*H|\+[I-M])")
_ISO2022_NAMES = {b"@": "JP", b"B": "JP", b"(": "JP", b")C": "KR"}


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


def _japanese(data: bytes) -> str | None:
    """The name of the Japanese encoding ``data`` is in (see the module docstring), or None."""
    for codec, name in _JAPANESE:
        try:  # a prefix is enough to tell, and a long file is not decoded twice more
            text = codecs.getincrementaldecoder(codec)().decode(data[:100_000], final=False)
        except UnicodeDecodeError:
            continue
        wide = [ch for ch in text if not ch.isascii()]
        kana = len(_KANA.findall(text))
        particles = sum(ch in _PARTICLES for ch in wide)
        if (
            kana >= _MIN_KANA_COUNT
            and kana >= _MIN_KANA * len(wide)
            and particles >= _MIN_PARTICLES * len(wide)
        ):
            return name
    return None


def _not_chinese(encoding: str, path: str | Path, iconv: str) -> UserError:
    return UserError(
        f"the file looks like Japanese text in {encoding}, not Chinese"
        if "JP" in encoding or "Shift" in encoding
        else f"the file is in {encoding} (a 7-bit encoding of escape sequences), not UTF-8",
        path=path,
        hint=f"unmt reads Chinese and English: convert the file to UTF-8 if it is the right one "
        f"(e.g. iconv -f {iconv} -t UTF-8 IN > OUT)",
    )


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
    iso2022 = _ISO2022.search(head)
    if iso2022 is not None:
        tail = iso2022.group()[2:]
        kind = _ISO2022_NAMES.get(tail[:1], _ISO2022_NAMES.get(tail, "CN"))
        raise _not_chinese(f"ISO-2022-{kind}", path, f"ISO-2022-{kind}")
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
    japanese = _japanese(data)
    if japanese is not None:
        raise _not_chinese(japanese, path, "EUC-JP" if japanese == "EUC-JP" else "CP932")
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
