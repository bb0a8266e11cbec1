"""PDF input: UN-layout PDFs rendered by the tests segment exactly like their text; PDFs without a
usable text layer are refused with the page named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import EXAMPLES, shared_path
from pdf_kit import pdf_bytes

from unmt.errors import UserError
from unmt.pipeline.bench.pdfdoc import render_pdf
from unmt.pipeline.cli.main import main
from unmt.pipeline.segment.clean import nonspace
from unmt.pipeline.segment.ingest import read_input
from unmt.pipeline.segment.pdf import load_pages
from unmt.pipeline.segment.segmenter import segment_file

JOB = "21-01828 (C)"
SYMBOL = "E/CN.15/2021/5"
FURNITURE = re.compile(r"21-01828|\*2101828\*|\b\d{1,2}/\d{1,2}\b|^E/CN\.15/2021/5$")


def _blocks(path: Path, lang: str) -> list[tuple[str, str, str]]:
    doc, _ = segment_file(path, lang=lang)
    return [(b.kind, b.label, nonspace(b.text)) for b in doc.blocks]


@pytest.mark.parametrize(("name", "lang"), [("un-report.zh.txt", "zh"), ("un-report.en.txt", "en")])
def test_pdf_segments_like_its_text(tmp_path: Path, name: str, lang: str) -> None:
    txt = EXAMPLES / name
    pdf = tmp_path / "doc.pdf"
    # 24 lines a page: pages break inside paragraphs, so furniture sits mid-paragraph
    pages = render_pdf(txt.read_text(encoding="utf-8"), pdf, lang=lang, max_lines=24)
    assert pages >= 3
    printed = [ln.text for page in load_pages(pdf) for ln in page.lines]
    assert any(JOB in t for t in printed) and any(t == SYMBOL for t in printed)  # furniture drawn
    doc_t, segs_t = segment_file(txt, lang=lang, doc_id="d")
    doc_p, segs_p = segment_file(pdf, lang=lang, doc_id="d")
    assert [(s.id, s.text) for s in segs_p] == [(s.id, s.text) for s in segs_t]
    assert [b.links for b in doc_p.blocks] == [b.links for b in doc_t.blocks]
    assert not any(FURNITURE.search(s.text) for s in segs_p)


def test_shared_sample_as_pdf(tmp_path: Path) -> None:
    sample = shared_path("samples/E-CN.15-2021-5.zh.txt")
    pdf = tmp_path / "E-CN.15-2021-5.pdf"
    pages = render_pdf(sample.read_text(encoding="utf-8"), pdf, symbol=SYMBOL, job=JOB)
    from_text, from_pdf = _blocks(sample, "zh"), _blocks(pdf, "zh")
    assert from_pdf == from_text
    numbered = [b for b in from_pdf if b[0] == "paragraph" and b[1]]
    assert [int(b[1]) for b in numbered] == list(range(1, 100))
    assert sum(b[0] == "heading" for b in from_pdf) == 27
    doc, segments = segment_file(pdf)
    assert len(segments) == 298 and not any(FURNITURE.search(s.text) for s in segments)
    assert doc.links == segment_file(sample)[0].links and len(doc.links) == 21
    raw = read_input(pdf)
    assert raw.encoding == "pdf" and len(raw.page_lines) == pages and raw.symbol == SYMBOL


def test_a_recurring_running_header_is_furniture(tmp_path: Path) -> None:
    text = (EXAMPLES / "un-report.en.txt").read_text(encoding="utf-8")
    pdf = tmp_path / "h.pdf"
    render_pdf(text, pdf, lang="en", symbol="Crime Commission, thirty-second session", max_lines=12)
    segments = segment_file(pdf, lang="en")[1]
    assert [s.text for s in segments] == [
        s.text for s in segment_file(EXAMPLES / "un-report.en.txt", lang="en")[1]
    ]
    assert not any("thirty-second session" in s.text and "Crime" in s.text for s in segments)


def _raw_pdf(content: bytes) -> bytes:
    """A one-page PDF whose font has no Unicode map (Identity CIDs, no ToUnicode, no font file)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /X /Flags 4 /FontBBox [0 0 1000 1000] "
        b"/ItalicAngle 0 /Ascent 900 /Descent -100 /CapHeight 700 /StemV 80 >>",
    ]
    return pdf_bytes(objs)


def _cid_lines(first_code: int) -> bytes:
    return b"".join(
        b"BT /F1 10 Tf 72 %d Td <%s> Tj ET\n"
        % (700 - 15 * k, b"".join(b"%04X" % (first_code + i + 40 * k) for i in range(40)))
        for k in range(5)
    )


def _image_only_pdf(path: Path, pages: int) -> None:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        page = pdf.new_page(595, 842)
        image = pdfium.PdfImage.new(pdf)
        image.set_bitmap(pdfium.PdfBitmap.new_native(40, 40, raw.FPDFBitmap_BGR))
        image.set_matrix(pdfium.PdfMatrix().scale(500, 700))
        page.insert_obj(image)
        page.gen_content()
    pdf.save(str(path))


def test_private_use_glyphs_are_refused_naming_the_page(tmp_path: Path) -> None:
    pdf = tmp_path / "pua.pdf"
    pdf.write_bytes(_raw_pdf(_cid_lines(0xE000)))
    with pytest.raises(UserError) as exc:
        read_input(pdf)
    message = exc.value.render()
    assert "page 1:" in message and "map to no character" in message and "OCR" in message


def test_unmapped_glyphs_fail_the_language_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "cid.pdf"
    pdf.write_bytes(_raw_pdf(_cid_lines(0x300)))  # glyph ids read as arbitrary code points
    assert main(["segment", str(pdf), "--lang", "zh"]) == 2
    err = capsys.readouterr().err
    assert "neither Chinese nor English" in err and "OCR" in err


def test_scanned_pdf_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = tmp_path / "scan.pdf"
    _image_only_pdf(pdf, 2)
    assert main(["segment", str(pdf)]) == 2
    err = capsys.readouterr().err
    assert "images only (a scan)" in err and "ocrmypdf" in err


def test_broken_and_empty_pdfs(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    with pytest.raises(UserError, match="not a readable PDF"):
        read_input(broken)
    import pypdfium2 as pdfium

    blank = pdfium.PdfDocument.new()
    blank.new_page(595, 842)
    blank.save(str(tmp_path / "blank.pdf"))
    with pytest.raises(UserError, match="no page of the PDF has a text layer: no text"):
        read_input(tmp_path / "blank.pdf")


def test_pdf_named_txt_is_read_as_pdf(tmp_path: Path) -> None:
    pdf = tmp_path / "doc.txt"
    render_pdf((EXAMPLES / "un-report.zh.txt").read_text(encoding="utf-8"), pdf)
    assert read_input(pdf).encoding == "pdf"
    assert len(segment_file(pdf)[1]) == len(segment_file(EXAMPLES / "un-report.zh.txt")[1])


def test_segment_cli_and_run_take_pdfs(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zh, en = tmp_path / "un-report.zh.pdf", tmp_path / "un-report.en.pdf"
    render_pdf((EXAMPLES / "un-report.zh.txt").read_text(encoding="utf-8"), zh, max_lines=20)
    render_pdf((EXAMPLES / "un-report.en.txt").read_text(encoding="utf-8"), en, lang="en")
    out = tmp_path / "seg.txt"
    assert main(["segment", str(zh), "--format", "txt", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").splitlines() == [
        s.text for s in segment_file(EXAMPLES / "un-report.zh.txt")[1]
    ]
    # a directory of PDFs: the English one is its reference, found by the .en tag
    run = tmp_path / "run"
    code = main(
        ["run", str(zh), "--reference", str(en), "-o", str(run), "--model", str(tiny_model_dir),
         "--backend", "ctranslate2", "--quiet"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    pairs = (run / "docs" / "un-report" / "pairs.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(pairs) >= 30


def test_encrypted_pdf_is_refused_with_the_fix(tmp_path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    path = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(path), encrypt=StandardEncryption("secret"))
    c.drawString(72, 700, "Member States reaffirmed their commitment.")
    c.showPage()
    c.save()
    with pytest.raises(UserError) as exc:
        read_input(path)
    assert "encrypted" in exc.value.render() and "qpdf --decrypt" in exc.value.render()


def test_align_segment_takes_pdfs(tmp_path: Path) -> None:
    zh, en = tmp_path / "r.zh.pdf", tmp_path / "r.en.pdf"
    render_pdf((EXAMPLES / "un-report.zh.txt").read_text(encoding="utf-8"), zh, max_lines=20)
    render_pdf((EXAMPLES / "un-report.en.txt").read_text(encoding="utf-8"), en, lang="en")
    from_pdf, from_txt = tmp_path / "pdf.align", tmp_path / "txt.align"
    assert main(["align", "--segment", str(zh), str(en), "-o", str(from_pdf)]) == 0
    assert main(["align", "--segment", str(EXAMPLES / "un-report.zh.txt"),
                 str(EXAMPLES / "un-report.en.txt"), "-o", str(from_txt)]) == 0  # fmt: skip
    assert from_pdf.read_text() == from_txt.read_text()


def test_a_pdf_compression_bomb_is_refused_before_pdfium(tmp_path: Path) -> None:
    import zlib

    from unmt.pipeline.segment.pdf import check_inflated_size

    text = (EXAMPLES / "un-report.zh.txt").read_text(encoding="utf-8")
    normal = tmp_path / "normal.pdf"
    render_pdf(text, normal, compress=True)
    assert check_inflated_size(normal.read_bytes(), normal) > 0  # its streams are Flate
    assert len(segment_file(normal)[1]) == len(segment_file(EXAMPLES / "un-report.zh.txt")[1])
    bomb_stream = zlib.compress(b"\0" * (24 * 2**20), 9)  # 24 MiB in about 24 KB
    bomb = tmp_path / "bomb.pdf"
    head = b"\n5 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(bomb_stream)
    bomb.write_bytes(_raw_pdf(b"BT ET") + head + bomb_stream + b"\nendstream\nendobj\n")
    with pytest.raises(UserError, match="inflate to more than 16 MiB"):
        check_inflated_size(bomb.read_bytes(), bomb, limit=16 * 2**20)
