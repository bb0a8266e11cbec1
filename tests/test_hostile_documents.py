"""Hostile and odd inputs to segment: every one is one clear line naming the file and exit 2,
never a traceback, a crash or unbounded memory. Fixtures are built here byte by byte."""

from __future__ import annotations

import io
import logging
import os
import struct
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from conftest import shared_path

from unmt.errors import UserError
from unmt.pipeline.cli.main import main
from unmt.pipeline.segment import ingest
from unmt.pipeline.segment.docxfile import MAX_ENTRIES, MAX_XML_DEPTH
from unmt.pipeline.segment.ingest import read_input
from unmt.textcodec import decode_bytes

TEXT = "1. 毒品和犯罪问题办公室协助会员国。\n2. 司法协助 2020 年。\n"
W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
BODY = b"<w:body><w:p><w:r><w:t>1. \xe4\xbc\x9a\xe5\x91\x98\xe5\x9b\xbd</w:t></w:r></w:p>"


def _base_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("1. 会员国重申承诺。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _with_part(xml: bytes, part: str = "word/document.xml") -> bytes:
    """The base .docx with one part replaced."""
    source = zipfile.ZipFile(io.BytesIO(_base_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = xml if info.filename == part else source.read(info.filename)
            target.writestr(info.filename, data)
    return out.getvalue()


def _patched(data: bytes, *, method: int | None = None, flags: int = 0) -> bytes:
    """Set the compression method, or OR in general-purpose flags, in every local and central
    header (the bytes of the entries stay as they are)."""
    out = bytearray(data)
    for magic, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = out.find(magic)
        while i >= 0:
            (flag,) = struct.unpack_from("<H", out, i + at)
            struct.pack_into("<H", out, i + at, flag | flags)
            if method is not None:
                struct.pack_into("<H", out, i + at + 2, method)
            i = out.find(magic, i + 4)
    return bytes(out)


def _entries(data: bytes, count: int) -> bytes:
    out = bytearray(data)
    end = out.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", out, end + 8, count, count)
    return bytes(out)


def _damaged(data: bytes) -> bytes:
    """document.xml's compressed bytes with some flipped: a bad CRC or a broken deflate."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    out = bytearray(data)
    for i in range(start + 10, start + 20):
        out[i] ^= 0x55
    return bytes(out)


def _nested(depth: int) -> bytes:
    return b"<w:document %s>%s%s%s</w:body></w:document>" % (
        W,
        BODY,
        b"<w:sdt>" * depth,
        b"</w:sdt>" * depth,
    )


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]><w:document %s><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>" % W
)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)

DOCX_CASES = {
    "broken XML": (_with_part(b"<w:document " + W + b">" + BODY), "not well-formed XML"),
    "billion laughs": (_with_part(LAUGHS), "defines entities"),
    "a DTD": (
        _with_part(b"<!DOCTYPE w:document><w:document %s>%s</w:body></w:document>" % (W, BODY)),
        "document type declaration",
    ),
    "256 deep": (_with_part(_nested(256)), f"nested deeper than {MAX_XML_DEPTH}"),
    "129 deep": (_with_part(_nested(MAX_XML_DEPTH - 1)), f"nested deeper than {MAX_XML_DEPTH}"),
    "broken relationships": (_with_part(b"<Relationships", "_rels/.rels"), "_rels/.rels"),
    "broken numbering.xml": (
        _with_part(b"<w:numbering %s><w:num" % W, "word/numbering.xml"),
        "numbering.xml is not well-formed",
    ),
    "broken styles.xml": (_with_part(b"<w:styles %s>" % W, "word/styles.xml"), "styles.xml"),
    "encrypted entry": (_patched(_base_docx(), flags=1), "encrypted"),
    "Deflate64 entry": (_patched(_base_docx(), method=9), "Deflate64"),
    "damaged entry": (_damaged(_base_docx()), "damaged"),
    "too many entries": (_entries(_base_docx(), MAX_ENTRIES + 1), "zip entries"),
    "Word 97-2003 .doc": (OLE, "Word 97-2003 .doc"),
    "Office encryption": (OLE + "EncryptedPackage".encode("utf-16-le"), "password-protected"),
    "not a zip": (b"this is not a zip file", "broken zip"),
}


@pytest.mark.parametrize("case", list(DOCX_CASES))
def test_hostile_docx_is_one_clear_error(tmp_path: Path, case: str) -> None:
    data, message = DOCX_CASES[case]
    path = tmp_path / "报告.docx"
    path.write_bytes(data)
    with pytest.raises(UserError, match=message) as exc:
        read_input(path)
    rendered = exc.value.render()
    assert rendered.startswith(f"{path}: ") and "\n" not in rendered
    assert "word processor" in rendered or "UTF-8" in rendered


def test_the_fixtures_differ_from_a_good_docx_only_where_broken(tmp_path: Path) -> None:
    path = tmp_path / "good.docx"
    path.write_bytes(_with_part(_nested(MAX_XML_DEPTH - 3)))  # as deep as allowed
    assert read_input(path).text == "1. 会员国"
    path.write_bytes(_base_docx())
    assert read_input(path).text == "1. 会员国重申承诺。"


def _numbered_docx(path: Path, case: str) -> Path:
    """A .docx whose numbering Word would not show: one of :data:`NUMBERING_CASES`."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx_kit import abstract, lvl, num, number, numbering_xml, save

    document = docx.Document()
    numid, ilvl, start, style = 1, 0, 1, None
    if case == "a numId that does not exist":
        numid = 9
    elif case == "a level out of range":
        ilvl = 12
    elif case == "a huge start value":
        start = 10**30
    elif case == "a cycle in basedOn":
        a = document.styles.add_style("A", WD_STYLE_TYPE.PARAGRAPH)
        b = document.styles.add_style("B", WD_STYLE_TYPE.PARAGRAPH)
        a.base_style, b.base_style, style = b, a, "A"
    number(document.add_paragraph("会员国重申承诺。", style=style), numid, ilvl)
    levels = abstract(1, lvl(0, "lowerLetter", "(%1)", start=start))
    return save(document, path, numbering=numbering_xml(levels, num(1, 1)))


NUMBERING_CASES = {
    "a numId that does not exist": ("会员国重申承诺。", "numId 9"),
    "a level out of range": ("会员国重申承诺。", "level 12"),
    "a huge start value": ("会员国重申承诺。", "starts at"),
    "a cycle in basedOn": ("(a) 会员国重申承诺。", "cycle"),
}


@pytest.mark.parametrize("case", list(NUMBERING_CASES))
def test_numbering_word_would_not_show_is_left_out_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    text, warning = NUMBERING_CASES[case]
    path = _numbered_docx(tmp_path / "报告.docx", case)
    with caplog.at_level(logging.WARNING):
        assert read_input(path).text == text
    assert any(str(path) in r.message and warning in r.message for r in caplog.records)


def test_hostile_docx_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "laughs.docx"
    path.write_bytes(DOCX_CASES["billion laughs"][0])
    assert main(["segment", str(path), "-o", str(tmp_path / "out.jsonl")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"unmt: error: {path}: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["laughs.docx"]


def test_a_device_is_no_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["segment", "/dev/zero", "-o", str(tmp_path / "out.jsonl")]) == 2
    assert "/dev/zero" in capsys.readouterr().err
    with pytest.raises(UserError, match="device"):
        read_input("/dev/urandom")


def test_standard_input_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "MAX_DOCUMENT_BYTES", 2**20)
    stdin = io.TextIOWrapper(io.BytesIO(b"x" * (2**20 + 1)))
    monkeypatch.setattr(sys, "stdin", stdin)
    with pytest.raises(UserError, match="larger than 1 MiB"):
        read_input("-")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(TEXT.encode("gb18030"))))
    assert read_input("-").text == TEXT


def test_a_named_pipe_is_read_to_its_end(tmp_path: Path) -> None:
    fifo = tmp_path / "doc.txt"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb") as fh:
            fh.write(TEXT.encode("utf-8"))

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    assert read_input(fifo).text == TEXT
    writer.join(5)


def test_a_loop_of_links_is_named(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(UserError, match="loop of symbolic links"):
        read_input(a)


JAPANESE = (
    "国際連合は、国際の平和及び安全を維持し、諸国間の友好関係を発展させることを目的としている。"
    "総会は、すべての加盟国で構成され、毎年九月に通常会期を開催する。\n"
    "この報告書は、麻薬と犯罪に関する国連事務所の活動について述べたものである。\n"
)


@pytest.mark.parametrize(
    ("codec", "name"),
    [
        ("euc_jp", "EUC-JP"),
        ("shift_jis", "Shift-JIS"),
        ("cp932", "Shift-JIS"),
        ("iso2022_jp", "ISO-2022-JP"),
    ],
)
def test_japanese_is_refused_naming_its_encoding(codec: str, name: str) -> None:
    with pytest.raises(UserError, match=f"Japanese text in {name}, not Chinese") as exc:
        decode_bytes(JAPANESE.encode(codec), "ja.txt")
    assert "UTF-8" in exc.value.render() and "ja.txt" in exc.value.render()


def test_iso2022_korean_is_refused() -> None:
    with pytest.raises(UserError, match="ISO-2022-KR"):
        decode_bytes("국제 연합은 평화를 유지한다.\n".encode("iso2022_kr"), "ko.txt")


def test_chinese_in_legacy_encodings_is_never_japanese() -> None:
    lines = shared_path("un/UNv1.0.devset.zh").read_text(encoding="utf-8").splitlines()
    text = "\n".join(lines) + "\n"
    assert decode_bytes(text.encode("gb18030"), "x.txt") == (text, "gb18030")
    big5 = text.encode("cp950", errors="ignore")
    assert decode_bytes(big5, "x.txt")[1] == "big5"
    for line in lines[:1500]:  # short texts too: whatever else, never taken for Japanese
        for data in (line.encode("gb18030"), line.encode("cp950", errors="ignore")):
            try:
                decode_bytes(data, "x.txt")
            except UserError as exc:
                assert "Japanese" not in str(exc)
