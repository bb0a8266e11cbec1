"""Hostile PDFs: compression bombs in every form PDFium decodes are refused before PDFium reads
them, in bounded memory; a page tree that contains itself is one clear error. The PDFs are
written byte by byte here (small payloads against a small ``limit``)."""

from __future__ import annotations

import base64
import binascii
import zlib
from pathlib import Path

import pytest
from conftest import EXAMPLES, shared_path
from pdf_kit import pdf_bytes

from unmt.errors import UserError
from unmt.pipeline.bench.pdfdoc import render_pdf
from unmt.pipeline.cli.main import main
from unmt.pipeline.segment import pdfbomb
from unmt.pipeline.segment.ingest import read_input
from unmt.pipeline.segment.pdf import check_inflated_size
from unmt.pipeline.segment.pdfdecode import Pipe, chain

MIB = 2**20
TEXT = b"BT /F1 12 Tf 72 700 Td (Member States reaffirmed their commitment.) Tj ET"
ZEROS = zlib.compress(bytes(2 * MIB), 9)  # 2 MiB in about 2 KB


def _pdf(contents: bytes, *extra: bytes, kids: bytes = b"3 0 R", trailer: bytes = b"") -> bytes:
    """A one-page PDF: object 4 is the page's content stream (``contents``: the whole object
    body), objects 6... are ``extra``; the cross-reference table is exact."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count 1 >>" % kids,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        contents,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *extra,
    ]
    return pdf_bytes(objs, trailer)


def _stream(
    data: bytes, info: bytes = b"", eol: bytes = b"\n", length: bytes | None = None
) -> bytes:
    size = b"%d" % len(data) if length is None else length
    return b"<< /Length %s %s>>\nstream%s" % (size, info, eol) + data + b"\nendstream"


def lzw_encode(data: bytes) -> bytes:
    """PDF's LZW (early change 1), checked against PDFium: it extracts text encoded so."""
    out, acc, nbits = bytearray(), 0, 0

    def emit(code: int, width: int) -> None:
        nonlocal acc, nbits
        acc, nbits = (acc << width) | code, nbits + width
        while nbits >= 8:
            nbits -= 8
            out.append((acc >> nbits) & 0xFF)

    table, width, nxt, w = {bytes([i]): i for i in range(256)}, 9, 258, b""
    emit(256, width)
    for c in data:
        if w + bytes([c]) in table:
            w += bytes([c])
            continue
        emit(table[w], width)
        table[w + bytes([c])], nxt = nxt, nxt + 1
        if nxt == 1 << width and width < 12:
            width += 1
        if nxt >= 4094:
            emit(256, width)
            table, width, nxt = {bytes([i]): i for i in range(256)}, 9, 258
        w = bytes([c])
    emit(table[w], width)
    emit(257, width)
    return bytes(out + (bytes([(acc << (8 - nbits)) & 0xFF]) if nbits else b""))


def lzw_bomb(codes: int) -> bytes:
    """LZW codes 0, 258, 259, ...: code 258+k stands for k+2 zero bytes (no encoder needed:
    ``codes`` codes decode to about codes**2/2 bytes)."""
    out, acc, nbits, entries = bytearray(), 0, 0, 0
    for i, code in enumerate([256, 0, *range(258, 258 + codes), 257]):
        width = 9 + sum(entries + 1 >= t for t in (254, 766, 1790))
        acc, nbits = (acc << width) | code, nbits + width
        while nbits >= 8:
            nbits -= 8
            out.append((acc >> nbits) & 0xFF)
        entries += i >= 2
    return bytes(out + (bytes([(acc << (8 - nbits)) & 0xFF]) if nbits else b""))


def rl_encode(data: bytes) -> bytes:
    """RunLength: 128-byte runs of one byte, literal runs otherwise."""
    out, i = bytearray(), 0
    while i < len(data):
        run = 1
        while i + run < len(data) and run < 128 and data[i + run] == data[i]:
            run += 1
        if run > 1:
            out += bytes([257 - run, data[i]])
        else:
            out += bytes([0, data[i]])
        i += run
    return bytes(out + b"\x80")


SAMPLE = bytes(range(256)) * 3 + b"Member States " * 400 + bytes(300) + b"\x80\x00~>>z"


@pytest.mark.parametrize(
    ("names", "encoded"),
    [
        ([b"FlateDecode"], zlib.compress(SAMPLE)),
        ([b"Fl"], zlib.compress(SAMPLE)),
        ([b"ASCIIHexDecode"], binascii.hexlify(SAMPLE, b"\n", 30) + b" >"),
        ([b"AHx"], binascii.hexlify(SAMPLE) + b"a>"),  # an odd digit: one more byte, 0xA0
        ([b"ASCII85Decode"], base64.a85encode(SAMPLE, wrapcol=70) + b"~>"),
        ([b"A85"], base64.a85encode(SAMPLE, foldspaces=False) + b"~>"),
        ([b"RunLengthDecode"], rl_encode(SAMPLE)),
        ([b"LZWDecode"], lzw_encode(SAMPLE)),
        ([b"A85", b"Fl"], base64.a85encode(zlib.compress(SAMPLE)) + b"~>"),
        ([b"AHx", b"LZW", b"RL"], binascii.hexlify(lzw_encode(rl_encode(SAMPLE))) + b">"),
    ],
)
@pytest.mark.parametrize("piece", [7, 1 << 20])
def test_each_filter_decodes_like_pdfium(names: list[bytes], encoded: bytes, piece: int) -> None:
    out: list[bytes] = []
    counted: list[int] = []
    pipe = Pipe(chain([(n, 1) for n in names]), counted.append, out.append)
    for at in range(0, len(encoded), piece):
        pipe.feed(encoded[at : at + piece])
    pipe.close()
    want = SAMPLE + b"\xa0" if names == [b"AHx"] else SAMPLE
    assert b"".join(out) == want
    assert sum(counted) >= len(want)


def test_lzw_bomb_decodes_to_its_size() -> None:
    out: list[int] = []
    pipe = Pipe(chain([(b"LZW", 1)]), lambda n: None, lambda b: out.append(len(b)))
    pipe.feed(lzw_bomb(2000))
    assert sum(out) == 1 + sum(k + 2 for k in range(2000))


def _bomb_variants() -> dict[str, bytes]:
    a85 = base64.a85encode(ZEROS) + b"~>"
    hexed = binascii.hexlify(ZEROS) + b">"
    run = bytes([129, 0]) * (2 * MIB // 128) + b"\x80"  # RunLength: 128 zero bytes per 2 bytes
    inline = TEXT + b"\nq BI /W 8 /H 8 /BPC 8 /CS /G /F /Fl ID\n" + ZEROS + b"\nEI Q\n"
    objstm = zlib.compress(b"9 0 " + _stream(ZEROS, b"/Filter /FlateDecode "))
    objstm_head = b"<< /Type /ObjStm /N 1 /First 4 /Filter /Fl /Length %d >>\nstream\n" % len(
        objstm
    )
    filter_stm = zlib.compress(b"9 0 /FlateDecode")
    return {
        "EOL CR alone": _pdf(_stream(ZEROS, b"/Filter /FlateDecode ", eol=b"\r")),
        "EOL CRLF": _pdf(_stream(ZEROS, b"/Filter /FlateDecode ", eol=b"\r\n")),
        "spaces before EOL": _pdf(_stream(ZEROS, b"/Filter /FlateDecode ", eol=b"  \n")),
        "comment before stream": _pdf(
            b"<< /Length %d /Filter /FlateDecode >> %% x\nstream\n" % len(ZEROS)
            + ZEROS
            + b"\nendstream"
        ),
        "no space before stream": _pdf(
            b"<</Length %d/Filter/FlateDecode>>stream\n" % len(ZEROS) + ZEROS + b"endstream"
        ),
        "AHx then Fl": _pdf(_stream(hexed, b"/Filter [/AHx /Fl] ")),
        "ASCIIHex then Flate": _pdf(_stream(hexed, b"/Filter [/ASCIIHexDecode /FlateDecode] ")),
        "A85 then Flate": _pdf(_stream(a85, b"/Filter [/A85 /FlateDecode] ")),
        "Flate twice": _pdf(_stream(zlib.compress(ZEROS), b"/Filter [/Fl /Fl] ")),
        "name escapes": _pdf(_stream(ZEROS, b"/Filter /Fl#61te#44ecode ")),
        "LZW": _pdf(_stream(lzw_bomb(2100), b"/Filter /LZWDecode ")),
        "RunLength": _pdf(_stream(run, b"/Filter /RL ")),
        "RunLength then Flate": _pdf(_stream(rl_encode(ZEROS), b"/Filter [/RL /Fl] ")),
        "filter by reference": _pdf(TEXT, _stream(ZEROS, b"/Filter 7 0 R "), b"/FlateDecode"),
        "filter array item by reference": _pdf(
            TEXT, _stream(hexed, b"/Filter [/AHx 7 0 R] "), b"/FlateDecode"
        ),
        "length by reference": _pdf(
            _stream(ZEROS, b"/Filter /Fl ", length=b"6 0 R"), b"%d" % len(ZEROS)
        ),
        "length missing": _pdf(b"<< /Filter /FlateDecode >>\nstream\n" + ZEROS + b"\nendstream"),
        "length too short": _pdf(_stream(ZEROS, b"/Filter /Fl ", length=b"10")),
        "stream nested in an array": _pdf(
            TEXT, b"[ 1 2 " + _stream(ZEROS, b"/Filter /Fl ") + b" 3 ]"
        ),
        "stream in an object stream": _pdf(TEXT, objstm_head + objstm + b"\nendstream"),
        "filter in an object stream": _pdf(
            _stream(ZEROS, b"/Filter 9 0 R "),
            b"<< /Type /ObjStm /N 1 /First 4 /Filter /Fl /Length %d >>\nstream\n" % len(filter_stm)
            + filter_stm
            + b"\nendstream",
        ),
        "inline image": _pdf(_stream(inline)),
        "inline image, escaped key": _pdf(_stream(inline.replace(b"/F /Fl", b"/#46 /Fl"))),
        "inline image, a key ending in ID": _pdf(
            _stream(inline.replace(b"/F /Fl", b"/WID 1 /F /Fl"))
        ),
        "inline image in a Flate content stream": _pdf(
            _stream(zlib.compress(inline), b"/Filter /Fl ")
        ),
        "endobj in a string": _pdf(
            b"<< /Filter /FlateDecode /Note ( endobj ) /Length %d >>\nstream\n" % len(ZEROS)
            + ZEROS
            + b"\nendstream"
        ),
        "header with a comment": _pdf(TEXT, _stream(ZEROS, b"/Filter 7 0 R "))
        + b"7 0 %% the filter\nobj /FlateDecode endobj\n",
    }


BOMBS = _bomb_variants()


@pytest.mark.parametrize("name", list(BOMBS))
def test_every_bomb_is_counted(tmp_path: Path, name: str) -> None:
    path = tmp_path / "bomb.pdf"
    with pytest.raises(UserError, match="inflate to more than 1 MiB") as exc:
        check_inflated_size(BOMBS[name], path, limit=MIB)
    assert str(path) in exc.value.render() and "\n" not in exc.value.render()
    assert 2 * MIB <= check_inflated_size(BOMBS[name], path, limit=64 * MIB) <= 3 * MIB


def test_the_check_holds_a_chunk_at_a_time() -> None:
    import tracemalloc

    big = zlib.compress(bytes(64 * MIB), 9)
    data = _pdf(_stream(base64.a85encode(big) + b"~>", b"/Filter [/A85 /Fl] ", eol=b"\r"))
    tracemalloc.start()
    try:
        assert check_inflated_size(data, "x.pdf") >= 64 * MIB
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < len(data) + 6 * MIB


def test_a_reference_to_a_missing_filter_is_refused() -> None:
    far = b"%% " + b"x" * 80  # a header whose numbers are too far from its "obj"
    data = _pdf(TEXT, _stream(ZEROS, b"/Filter 7 0 R ")) + b"7 0 " + far + b"\nobj /Fl endobj\n"
    with pytest.raises(UserError, match="refers to an object that is not in the PDF"):
        check_inflated_size(data, "x.pdf", limit=MIB)
    # a /Length that refers to nothing: the data runs to the end of the file
    missing = _pdf(_stream(ZEROS, b"/Filter /Fl ", length=b"99 0 R"))
    assert check_inflated_size(missing, "x.pdf") == 2 * MIB


def test_an_object_stream_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdfbomb, "MAX_OBJECT_STREAM", MIB)
    body = b"<< /Type /ObjStm /N 1 /First 4 /Filter /Fl /Length %d >>\nstream\n" % len(ZEROS)
    with pytest.raises(UserError, match="object stream of the PDF decodes to more than 1 MiB"):
        check_inflated_size(_pdf(TEXT, body + ZEROS + b"\nendstream"), "x.pdf")


def test_ordinary_pdfs_pass(tmp_path: Path) -> None:
    plain = _pdf(_stream(zlib.compress(TEXT), b"/Filter /FlateDecode "))
    assert check_inflated_size(plain, "x.pdf", limit=MIB) == len(TEXT)
    text = (EXAMPLES / "un-report.zh.txt").read_text(encoding="utf-8")
    for compress in (False, True):
        path = tmp_path / f"r{compress}.pdf"
        render_pdf(text, path, compress=compress)
        assert (check_inflated_size(path.read_bytes(), path) > 0) == compress


def test_genuine_un_pdfs_pass() -> None:
    folder = shared_path("un_pdf")
    for pdf in sorted(folder.glob("*.pdf")):
        total = check_inflated_size(pdf.read_bytes(), pdf)
        assert MIB // 2 < total < 16 * MIB, pdf.name


def test_an_owner_password_pdf_is_refused(tmp_path: Path) -> None:
    """PDFium opens a PDF encrypted with an owner password only; its streams cannot be checked."""
    import pypdfium2 as pdfium
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    path = tmp_path / "owner.pdf"
    c = canvas.Canvas(str(path), encrypt=StandardEncryption("", ownerPassword="owner"))
    c.drawString(72, 700, "Member States reaffirmed their commitment.")
    c.showPage()
    c.save()
    assert len(pdfium.PdfDocument(str(path))) == 1  # no password needed
    with pytest.raises(UserError, match="encrypted") as exc:
        read_input(path)
    assert "qpdf --decrypt" in exc.value.render()


def test_a_bomb_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(pdfbomb, "MAX_INFLATED", MIB)
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(BOMBS["EOL CR alone"])
    out = tmp_path / "out" / "seg.jsonl"
    out.parent.mkdir()
    assert main(["segment", str(bomb), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"unmt: error: {bomb}: the PDF's streams inflate to more than 1 MiB: a damaged or "
        "hostile file; re-save it with a PDF tool, or give the document as .txt or .docx"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.pdf", "out"]
    assert not any(out.parent.iterdir())


@pytest.mark.parametrize(
    "kids",
    [
        b"2 0 R",  # the page tree's root is its own kid
        b"6 0 R",  # a child /Pages node whose kid is the root
    ],
)
def test_a_page_tree_that_contains_itself(
    tmp_path: Path, kids: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    loop = b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"
    path = tmp_path / "loop.pdf"
    path.write_bytes(_pdf(_stream(TEXT), loop, kids=kids))
    with pytest.raises(UserError, match="page tree is broken") as exc:
        read_input(path)
    assert "page 1" in exc.value.render()
    assert main(["segment", str(path), "-o", str(tmp_path / "o.jsonl")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    # the same file with a sound page tree reads
    path.write_bytes(_pdf(_stream(TEXT), loop))
    assert "Member States" in read_input(path).text
