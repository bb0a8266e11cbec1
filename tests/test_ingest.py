"""Reading input: encodings, line ends, .docx, and every kind of bad input."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import pytest

from unmt.errors import UserError
from unmt.pipeline.segment.ingest import decode_bytes, read_input

TEXT = "1. 毒品和犯罪问题办公室协助会员国。\n2. 司法协助 2020 年。\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),  # with BOM (native order)
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),  # no BOM, detected from the NUL pattern
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("gbk"), "gb18030"),
    ],
)
def test_encodings_are_detected(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(data)
    raw = read_input(path)
    assert raw.text == TEXT
    assert raw.encoding == encoding
    assert raw.sha256 == hashlib.sha256(data).hexdigest()
    assert raw.wrapped


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"a\r\nb\r\n", "a\nb\n"),
        (b"a\rb", "a\nb"),
        (b"a\fb", "a\nb"),  # form feed: a page break in pdftotext output
    ],
)
def test_line_ends_are_normalised(tmp_path: Path, data: bytes, text: str) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(data)
    assert read_input(path).text == text


def test_docx_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("一. 导言")
    document.add_paragraph("1. 第一段。")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "甲"
    table.cell(0, 1).text = "乙"
    document.add_paragraph("2. 第二段。")
    path = tmp_path / "报告.docx"
    document.save(str(path))
    raw = read_input(path)
    # a table row is one line, its cells joined by " | ", a table's first row starting it
    assert raw.text.split("\n") == ["一. 导言", "1. 第一段。", "甲 | 乙", "2. 第二段。"]
    assert [h.role for h in raw.hints] == ["", "", "table", ""]
    assert raw.hints[2].starts
    assert raw.encoding == "docx"
    assert not raw.wrapped


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b" \n\t\r\n\xe3\x80\x80\n", "only whitespace"),
        ("nul.txt", b"abc\x00\x01\x02\x03\xff\x00\x00", "binary"),
        ("zip.txt", b"PK\x03\x04" + bytes(range(256)), "binary"),
        ("bad-utf8.txt", "第一句。".encode() + b"\xff\xfe" + "第二句。".encode(), "byte offset 12"),
        ("broken.docx", b"this is not a zip file", "not a readable .docx"),
        # Latin-1 bytes would decode as GB18030 mojibake: refused, not guessed
        ("latin1.txt", "cafés".encode("latin-1"), "byte offset 3"),
    ],
)
def test_bad_input_is_a_user_error(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UserError, match=message) as exc:
        read_input(path)
    assert str(path) in exc.value.render()
    assert "\n" not in exc.value.render()


def test_undecodable_in_every_encoding_names_offsets() -> None:
    data = b"\x81\x30\xff\xfe\x80"  # not UTF-8, not GB18030
    with pytest.raises(UserError, match=r"offset \d+"):
        decode_bytes(data, "x.txt")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        read_input(tmp_path / "missing.txt")
    with pytest.raises(UserError, match="directory"):
        read_input(tmp_path)


def test_non_ascii_path(tmp_path: Path) -> None:
    folder = tmp_path / "联合国 文件"
    folder.mkdir()
    path = folder / "报告 Ünïcode.txt"
    path.write_text(TEXT, encoding="utf-8")
    assert read_input(path).text == TEXT


@pytest.mark.parametrize("text", ["甲", "会员国", "2. 司法协助。", "一. 导言\n1. 第一段。"])
def test_short_gbk_text_is_gb18030(text: str) -> None:
    assert decode_bytes(text.encode("gbk"), "x.txt") == (text, "gb18030")


TRADITIONAL = "聯合國毒品和犯罪問題辦公室向會員國提供了技術援助。\n秘書長的報告。\n"
CJK_ONLY = "会员国重申打击恐怖主义的承诺。秘书长提交了报告。\n"  # almost no ASCII: few NUL bytes


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (TRADITIONAL.encode("big5"), TRADITIONAL, "big5"),
        ("會員國".encode("big5"), "會員國", "big5"),
        (TEXT.encode("gbk"), TEXT, "gb18030"),  # GBK bytes are valid Big5 too: GB wins
        (CJK_ONLY.encode("utf-16-le"), CJK_ONLY, "utf-16-le"),
        (CJK_ONLY.encode("utf-16-be"), CJK_ONLY, "utf-16-be"),
    ],
)
def test_big5_and_bomless_utf16(data: bytes, text: str, encoding: str) -> None:
    assert decode_bytes(data, "x.txt") == (text, encoding)


@pytest.mark.parametrize(
    "data", ["Grüße aus Köln, schöne Äpfel".encode("cp1252"), "naïve café".encode("latin-1")]
)
def test_latin1_is_refused_not_mojibake(data: bytes) -> None:
    with pytest.raises(UserError, match="UTF-8"):
        decode_bytes(data, "x.txt")


@pytest.mark.parametrize("codec", ["gbk", "big5", "utf-16"])
def test_glossaries_take_the_document_encodings(tmp_path: Path, codec: str) -> None:
    from unmt.eval.glossary.load import load_glossary

    zh = "會員國" if codec == "big5" else "会员国"
    path = tmp_path / "terms.csv"
    path.write_bytes(f"zh,en\n{zh},Member States\n秘書長,Secretary-General\n".encode(codec))
    glossary = load_glossary(path)
    assert [e.zh for e in glossary.entries][:1] == [zh]


def _line_docx(path: Path, lines: list[str]) -> None:
    """One Word paragraph a line, leading spaces turned into a left indent (as Word does)."""
    import docx
    from docx.shared import Pt

    document = docx.Document()
    for line in lines:
        if line.strip():
            paragraph = document.add_paragraph(line.strip())
            spaces = len(line) - len(line.lstrip())
            if spaces:
                paragraph.paragraph_format.left_indent = Pt(5 * spaces)
    document.save(str(path))


def test_docx_made_from_a_pdf_is_rejoined(tmp_path: Path) -> None:
    from conftest import EXAMPLES

    from unmt.pipeline.segment.segmenter import segment_file

    txt = EXAMPLES / "un-report.zh.txt"
    lines_docx, paras_docx = tmp_path / "lines.docx", tmp_path / "paras.docx"
    _line_docx(lines_docx, txt.read_text(encoding="utf-8").splitlines())
    doc, expected = segment_file(txt, doc_id="d")
    assert read_input(lines_docx).wrapped
    assert [(s.id, s.text) for s in segment_file(lines_docx, doc_id="d")[1]] == [
        (s.id, s.text) for s in expected
    ]
    # a structured .docx (one Word paragraph a paragraph) is read as before: never joined
    _line_docx(paras_docx, [b.text for b in doc.blocks])
    raw = read_input(paras_docx)
    assert not raw.wrapped
    assert [s.text for s in segment_file(paras_docx, doc_id="d")[1]] == [s.text for s in expected]


def test_shared_sample_as_line_docx(tmp_path: Path) -> None:
    from conftest import shared_path

    from unmt.pipeline.segment.segmenter import segment_file

    sample = shared_path("samples/E-CN.15-2021-5.zh.txt")
    path = tmp_path / "sample.docx"
    _line_docx(path, sample.read_text(encoding="utf-8").splitlines())
    got = segment_file(path, doc_id="d")[1]
    want = segment_file(sample, doc_id="d")[1]
    assert len(got) == 298 and [(s.id, s.text) for s in got] == [(s.id, s.text) for s in want]
