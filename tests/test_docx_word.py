"""A .docx as Word stores it: automatic numbers, heading styles, tables and footnotes, read
into lines and hints and segmented (the .docx files are built with tests/docx_kit.py)."""

from __future__ import annotations

import logging
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import shared_path
from docx_kit import (
    abstract,
    blocks_as_docx,
    footnote_ref,
    footnotes_xml,
    lvl,
    num,
    number,
    numbering_xml,
    save,
)
from lxml import etree

from unmt.pipeline.segment.hints import LineHint
from unmt.pipeline.segment.ingest import read_input
from unmt.pipeline.segment.segmenter import segment_file

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _blocks(path: Path) -> list[tuple[str, str, str]]:
    doc, _ = segment_file(path, doc_id="d")
    return [(b.kind, b.label, b.text) for b in doc.blocks]


def test_shared_sample_with_word_numbering_segments_as_its_text(tmp_path: Path) -> None:
    """The shared sample as Word holds it (numbers not typed, "List Number" paragraphs,
    headings numbered 一. / A. / 1. / (a) by their own list, the footnote a Word footnote):
    its paragraphs and headings are those of the text, and so are all its segments."""
    sample = shared_path("samples/E-CN.15-2021-5.zh.txt")
    doc, want = segment_file(sample, doc_id="d")
    path = blocks_as_docx(doc.blocks, tmp_path / "E-CN.15-2021-5.zh.docx")
    assert "1. 预防恐怖主义" not in path.read_bytes().decode("latin-1")  # numbers not typed
    start = time.perf_counter()
    got_doc, got = segment_file(path, doc_id="d")
    assert time.perf_counter() - start < 5
    for kind, total in (("paragraph", 99), ("heading", 27)):
        expected = Counter((b.kind, b.label, b.text) for b in doc.blocks if b.kind == kind)
        found = Counter((b.kind, b.label, b.text) for b in got_doc.blocks if b.kind == kind)
        assert sum(expected.values()) == total
        assert found == expected
    # the footnote comes at the end instead of after the title: same ids, same texts
    assert sorted((s.id, s.text) for s in got) == sorted((s.id, s.text) for s in want)


def _report(tmp_path: Path) -> Path:
    """A report with Word's numbering, a table and two footnotes (see the test below)."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    base = document.styles.add_style("ParaBase", WD_STYLE_TYPE.PARAGRAPH)
    number(base, 5, None)  # the paragraph list, carried by a style...
    para = document.styles.add_style("Para", WD_STYLE_TYPE.PARAGRAPH)
    para.base_style = base  # ... that another style is based on
    document.add_paragraph("预防犯罪和刑事司法委员会")
    number(document.add_paragraph("导言", style="Heading 1"), 2, 0)
    p = document.add_paragraph("会员国重申其打击恐怖主义", style="Para")
    footnote_ref(p, 1)
    p.add_run("的承诺。")
    number(document.add_paragraph("立法援助；", style="Para"), None, 1)
    number(document.add_paragraph("能力建设。", style="Para"), None, 1)
    table = document.add_table(rows=3, cols=2)
    for r, row in enumerate((("国家", "项目数"), ("", ""), ("尼日利亚", "3"))):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph("毒品和犯罪问题办公室继续提供援助。", style="Para")
    number(document.add_paragraph("西非；", style="Para"), None, 1)
    number(document.add_paragraph("结论", style="Heading 1"), 2, 0)
    number(document.add_paragraph("建议", style="Heading 2"), 2, 1)
    p = document.add_paragraph("委员会", style="Para")
    footnote_ref(p, 2)
    p.add_run("不妨审议本报告。")
    return save(
        document,
        tmp_path / "报告.docx",
        numbering=numbering_xml(
            abstract(10, lvl(0, "decimal", "%1."), lvl(1, "lowerLetter", "(%2)")),
            abstract(20, lvl(0, "chineseCounting", "%1、"), lvl(1, "upperRoman", "%2.")),
            num(5, 10),
            num(2, 20),
        ),
        footnotes=footnotes_xml({1: "E/CN.15/2021/1。", 2: "见 A/75/1。\n第二段。"}),
    )


def test_numbers_tables_and_footnotes_as_word_displays_them(tmp_path: Path) -> None:
    path = _report(tmp_path)
    raw = read_input(path)
    assert raw.text.split("\n") == [
        "预防犯罪和刑事司法委员会",
        "一、导言",  # no space after a full-width mark
        "1. 会员国重申其打击恐怖主义1的承诺。",  # the reference mark stays where it stands
        "(a) 立法援助；",
        "(b) 能力建设。",
        "国家 | 项目数",  # a table row a line; the empty row is left out
        "尼日利亚 | 3",
        "2. 毒品和犯罪问题办公室继续提供援助。",
        "(a) 西非；",  # restarted after a higher level
        "二、结论",
        "I. 建议",
        "3. 委员会2不妨审议本报告。",
        "1 E/CN.15/2021/1。",
        "2 见 A/75/1。",
        "第二段。",
    ]
    body, heading = LineHint("body"), LineHint("heading")
    assert raw.hints == (
        body,
        heading,
        body,
        body,
        body,
        LineHint("table", True),
        LineHint("table", False),
        body,
        body,
        heading,
        heading,
        body,
        LineHint("footnote", True, "1"),
        LineHint("footnote", True, "2"),
        LineHint("footnote", False),
    )
    assert not raw.wrapped
    assert _blocks(path) == [
        ("title", "", "预防犯罪和刑事司法委员会"),
        ("heading", "一、", "导言"),
        ("paragraph", "1", "会员国重申其打击恐怖主义1的承诺。"),
        ("paragraph", "", "(a) 立法援助；"),
        ("paragraph", "", "(b) 能力建设。"),
        ("table", "", "国家 | 项目数\n尼日利亚 | 3"),
        ("paragraph", "2", "毒品和犯罪问题办公室继续提供援助。"),
        ("paragraph", "", "(a) 西非；"),
        ("heading", "二、", "结论"),
        ("heading", "I.", "建议"),
        ("paragraph", "3", "委员会2不妨审议本报告。"),
        ("footnote", "1", "E/CN.15/2021/1。"),
        ("footnote", "2", "见 A/75/1。第二段。"),
    ]


def test_footnote_marks_take_the_sections_number_format(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    sect = document.sections[0]._sectPr
    sect.append(etree.fromstring(
        f'<w:footnotePr xmlns:w="{W[1:-1]}"><w:numFmt w:val="lowerRoman"/>'
        '<w:numStart w:val="3"/></w:footnotePr>'
    ))  # fmt: skip
    p = document.add_paragraph("恐怖主义")
    footnote_ref(p, 7)
    p.add_run("。")
    path = save(document, tmp_path / "r.docx", footnotes=footnotes_xml({7: "注。"}))
    assert read_input(path).text == "恐怖主义iii。\niii 注。"


def test_a_custom_mark_is_its_footnotes_mark_and_takes_no_number(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    p = document.add_paragraph("临时议程")
    footnote_ref(p, 1, custom="*")
    p.add_run("项目 6(c)")
    footnote_ref(document.add_paragraph("恐怖主义"), 2)
    notes = footnotes_xml({1: "E/CN.15/2021/1。", 2: "注。"})
    raw = read_input(save(document, tmp_path / "r.docx", footnotes=notes))
    assert raw.text.split("\n") == [
        "临时议程*项目 6(c)",
        "恐怖主义1",
        "* E/CN.15/2021/1。",
        "1 注。",
    ]
    assert raw.hints[2:] == (LineHint("footnote", True, "*"), LineHint("footnote", True, "1"))


def test_the_templates_own_numbering_and_bullets(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for text, style in (
        ("第一项", "List Number"),
        ("要点", "List Bullet"),
        ("第二项", "List Number"),
    ):
        document.add_paragraph(text, style=style)
    path = save(document, tmp_path / "r.docx")
    assert read_input(path).text.split("\n") == ["1. 第一项", "要点", "2. 第二项"]


def test_without_heading_styles_the_text_rules_decide(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for text in ("一. 导言", "1. 第一段。", "2. 第二段。"):
        document.add_paragraph(text)
    document.save(str(tmp_path / "plain.docx"))
    assert read_input(tmp_path / "plain.docx").hints == ()
    assert [k for k, _, _ in _blocks(tmp_path / "plain.docx")] == ["heading", *["paragraph"] * 2]
    # with heading styles, a heading typed in a body style is body text
    document.add_paragraph("结论", style="Heading 1")
    document.add_paragraph("二. 结论")
    document.save(str(tmp_path / "styled.docx"))
    assert _blocks(tmp_path / "styled.docx")[-2:] == [
        ("heading", "", "结论"),
        ("paragraph", "", "二. 结论"),
    ]


def test_a_nested_table_goes_on_as_rows_of_its_table(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("1. 第一段。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "区域", "活动"
    cell = table.cell(1, 0)
    cell.text = "非洲"
    cell.add_paragraph("西非")  # two paragraphs in a cell: one cell text
    inner = table.cell(1, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "讲习班", "12"
    document.add_paragraph("2. 第二段。")
    document.save(str(tmp_path / "t.docx"))
    raw = read_input(tmp_path / "t.docx")
    assert raw.text.split("\n") == ["1. 第一段。", "区域 | 活动", "非洲 西非 | ", "讲习班 | 12",
                                    "2. 第二段。"]  # fmt: skip
    assert [h.starts for h in raw.hints if h.role == "table"] == [True, False, False]


def test_a_line_break_inside_a_text_keeps_lines_and_hints_aligned(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("导言", style="Heading 1")
    p = document.add_paragraph("第一行")
    p.runs[0]._r.find(f"{W}t").text = "第一行\n第二行\r第三行"
    document.add_paragraph("结论", style="Heading 1")
    document.save(str(tmp_path / "b.docx"))
    raw = read_input(tmp_path / "b.docx")
    assert raw.text.split("\n") == ["导言", "第一行 第二行 第三行", "结论"]
    assert len(raw.hints) == 3


@pytest.mark.parametrize(
    ("ref", "warning"), [(9, "has no footnote"), (0, "has no footnote")]
)  # fmt: skip
def test_a_reference_to_a_missing_or_separator_footnote_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, ref: int, warning: str
) -> None:
    import docx

    document = docx.Document()
    p = document.add_paragraph("恐怖主义")
    footnote_ref(p, ref)
    path = save(document, tmp_path / "r.docx", footnotes=footnotes_xml({1: "注。"}))
    with caplog.at_level(logging.WARNING):
        assert read_input(path).text == "恐怖主义1"
    assert warning in caplog.text
