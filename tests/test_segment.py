"""Structure and segments: PDF clean-up, headings vs paragraphs, ids, the example report."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import EXAMPLES

from unmt.errors import UserError
from unmt.pipeline.segment.clean import is_page_line, join_lines, nonspace
from unmt.pipeline.segment.segmenter import (
    SEGMENTER_VERSION,
    doc_id_from_path,
    segment_file,
    segment_text,
)


def _kinds(text: str, lang: str = "zh") -> list[tuple[str, str, str]]:
    doc, _ = segment_text(text, lang)
    return [(b.kind, b.label, b.text) for b in doc.blocks]


@pytest.mark.parametrize(
    ("lines", "lang", "joined"),
    [
        (
            ["预防恐怖主义对于实现可持续发", "展议程至关重要。"],
            "zh",
            "预防恐怖主义对于实现可持续发展议程至关重要。",
        ),
        (
            ["毒品和犯罪问题办公室在 2020", "年提供了援助。"],
            "zh",
            "毒品和犯罪问题办公室在 2020 年提供了援助。",
        ),
        (["开始长达一个月的 COVID-19", "封闭期。"], "zh", "开始长达一个月的 COVID-19 封闭期。"),
        (["第 2396 (2017)", "号决议。"], "zh", "第 2396 (2017)号决议。"),
        (["冠状病毒病（COVID-19）", "健康危机"], "zh", "冠状病毒病（COVID-19）健康危机"),
        (["the United Nations", "Office"], "en", "the United Nations Office"),
        (["capacity-", "building"], "en", "capacity-building"),
        (["he said “yes”", "and left"], "en", "he said “yes” and left"),
    ],
)
def test_hard_wrapped_lines_are_rejoined(lines: list[str], lang: str, joined: str) -> None:
    assert join_lines(lines, lang) == joined


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("2/19", True),
        ("V.21-01617 (C)", True),
        ("V.21-01617 (C)    050521    060521", True),
        ("*2101617*", True),
        ("E/CN.15/2021/5", True),
        ("A/75/123/Add.1", True),
        ("72/284 号决议。", False),
        ("E/CN.15/2021/1。", False),
        ("2020", False),
        ("A. 立法援助", False),
        ("III. Conclusions", False),
        ("* E/CN.15/2021/1。", False),
    ],
)
def test_page_furniture_lines(line: str, furniture: bool) -> None:
    assert is_page_line(line) is furniture


def test_page_furniture_inside_a_paragraph_is_dropped() -> None:
    text = "1. 第一段的前半部分，\n\n2/19 \nV.21-01617 (C)\n E/CN.15/2021/5\n  第一段的后半部分。\n"
    doc, segments = segment_text(text)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("paragraph", "第一段的前半部分，第一段的后半部分。")
    ]
    assert len(segments) == 1


# A small report in PDF-extraction shape: blank lines, page-break indentation, link lines.
REPORT = "\n".join(
    [
        " 预防犯罪和刑事司法委员会 ",
        "",
        "临时议程*项目 6(c) ",
        "",
        " * E/CN.15/2099/1。 ",
        "https://undocs.org/ch/E/CN.15/2099/1",
        "  一. 导言 ",
        "",
        "1. 第一段第一句。第一段",
        "第二句。",
        "",
        "  A. 立法援助 ",
        "",
        "2. 第二段。",
        "https://undocs.org/ch/A/RES/74/194",
        "https://undocs.org/ch/S/RES/2396(2017)",
        "  第二段续。",
        "西非 ",
        "",
        "3. 第三段包括：",
        "(a) 甲项；",
        "(b) 乙项。",
        "  1. 司法协助 ",
        "",
        "4. 第四段提到 2.5 和 6(c)。",
        "",
    ]
)


def test_report_structure() -> None:
    doc, segments = segment_text(REPORT, "zh", doc_id="r")
    got = [(b.kind, b.label, b.index, b.line) for b in doc.blocks]
    assert got == [
        ("title", "", 1, 1),
        ("title", "", 2, 3),
        ("footnote", "*", 1, 5),
        ("heading", "一.", 1, 7),
        ("paragraph", "1", 1, 9),
        ("heading", "A.", 2, 12),
        ("paragraph", "2", 2, 14),
        ("heading", "", 3, 18),
        ("paragraph", "3", 3, 20),
        ("heading", "1.", 4, 23),
        ("paragraph", "4", 4, 25),
    ]
    texts = {(b.kind, b.index): b.text for b in doc.blocks}
    assert texts["paragraph", 1] == "第一段第一句。第一段第二句。"
    assert texts["paragraph", 2] == "第二段。第二段续。"
    assert texts["paragraph", 3] == "第三段包括：(a) 甲项；(b) 乙项。"
    assert texts["heading", 3] == "西非"
    assert [s.id for s in segments][:5] == ["r:t1.s1", "r:t2.s1", "r:f1.s1", "r:h1.s1", "r:p1.s1"]
    assert [s.id for s in segments if s.label == "1"] == ["r:p1.s1", "r:p1.s2"]
    assert doc.links == (
        "https://undocs.org/ch/E/CN.15/2099/1",
        "https://undocs.org/ch/A/RES/74/194",
        "https://undocs.org/ch/S/RES/2396(2017)",
    )
    # links belong to the blocks of their page
    by_line = {b.line: b.links for b in doc.blocks}
    assert by_line[1] == ("https://undocs.org/ch/E/CN.15/2099/1",)
    assert by_line[14] == doc.links[1:]
    assert by_line[25] == ()
    assert all("undocs.org" not in s.text and "\n" not in s.text for s in segments)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # a paragraph number out of sequence is a heading when short ...
        (
            "1. 甲。\n2. 乙。\n1. 立法援助\n3. 丙。",
            ["paragraph", "paragraph", "heading", "paragraph"],
        ),
        # ... and a list item inside a paragraph is not a heading
        ("1. 包括：\n(a) 甲；\n(b) 乙。\n2. 丙。", ["paragraph", "paragraph"]),
        # a short line that does not follow a sentence end is a continuation
        ("1. 毒品和犯罪问题办公室的工作\n西非\n2. 丙。", ["paragraph", "paragraph"]),
        # a short line after a finished sentence and before a paragraph is a bare heading
        ("1. 甲。\n西非\n2. 乙。", ["paragraph", "heading", "paragraph"]),
        ("1. 甲。\n（一）概况\n2. 乙。", ["paragraph", "heading", "paragraph"]),
        ("1. 甲。\n二、 概况\n2. 乙。", ["paragraph", "heading", "paragraph"]),
        # a small gap in the numbering after a sentence end still starts a paragraph
        ("1. 甲。\n3. 乙。", ["paragraph", "paragraph"]),
        # a heading too long for one line goes on on the next, short line
        (
            "1. 甲。\n二. 执行国际反恐公约和议定书方面的技术援助以及关于预防和打击"
            "恐怖主义的国际文书的\n批准情况\n2. 乙。",
            ["paragraph", "heading", "paragraph"],
        ),
        # ... but a long numbered line followed by a sentence is a paragraph's text
        (
            "1. 甲。\n二. 执行国际反恐公约和议定书方面的技术援助以及关于预防和打击"
            "恐怖主义的国际文书的\n批准情况。\n2. 乙。",
            ["paragraph", "paragraph"],
        ),
        # a footnote in the middle of a paragraph does not end it
        ("1. 甲乙\n* E/CN.15/1。\n丙丁。\n2. 戊。", ["paragraph", "footnote", "paragraph"]),
    ],
)
def test_structure_cases(text: str, kinds: list[str]) -> None:
    assert [k for k, _, _ in _kinds(text)] == kinds


@pytest.mark.parametrize(
    ("lines", "titles"),
    [
        # a centred title over three lines is one block; a differently indented line is not
        (
            ["委员会", "统一并协调联合国毒品和犯罪问题办公室及会员国",
             "在预防犯罪和刑事司法领域的工作：批准并执行", "关于预防和打击恐怖主义的国际文书",
             "  秘书长的报告"],
            ["委员会",
             "统一并协调联合国毒品和犯罪问题办公室及会员国在预防犯罪和刑事司法领域的工作："
             "批准并执行关于预防和打击恐怖主义的国际文书",
             "秘书长的报告"],
        ),
        # a line that ends a sentence ends the title block
        (
            ["第一行很长很长很长很长很长很长很长很长很长很长。", "第二行"],
            ["第一行很长很长很长很长很长很长很长很长很长很长。", "第二行"],
        ),
    ],
)  # fmt: skip
def test_title_lines(lines: list[str], titles: list[str]) -> None:
    blocks = _kinds("\n".join([*lines, "一. 导言", "1. 甲。"]))
    assert [text for kind, _, text in blocks if kind == "title"] == titles


def test_english_structure() -> None:
    text = (
        "Commission on Crime Prevention\n\nI. Introduction\n\n1. The Office helped. It\n"
        "trained staff.\n\nWest Africa\n\n2. Member States may consider: (a) one;\n"
        "(b) strengthening their capacity.\n\n1. Mutual legal assistance\n\n3. Done.\n"
    )
    blocks = _kinds(text, "en")
    assert [(k, label) for k, label, _ in blocks] == [
        ("title", ""),
        ("heading", "I."),
        ("paragraph", "1"),
        ("heading", ""),
        ("paragraph", "2"),
        ("heading", "1."),
        ("paragraph", "3"),
    ]
    assert blocks[2][2] == "The Office helped. It trained staff."


def test_english_heading_wrapped_over_two_lines() -> None:
    text = (
        "I. Introduction\n\n1. The Office helped.\n\nII. Technical assistance in implementing "
        "the international conventions and\nprotocols related to terrorism\n\n2. Done.\n"
    )
    blocks = _kinds(text, "en")
    assert [(k, label) for k, label, _ in blocks] == [
        ("heading", "I."),
        ("paragraph", "1"),
        ("heading", "II."),
        ("paragraph", "2"),
    ]
    assert blocks[2][2].endswith("conventions and protocols related to terrorism")


def test_docx_lines_are_never_joined(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in ["联合国报告", "一. 导言", "1. 第一段", "没有编号的一段。", "2. 第二段。"]:
        document.add_paragraph(line)
    path = tmp_path / "r.docx"
    document.save(str(path))
    doc, _ = segment_file(path)
    assert [(b.kind, b.label, b.text) for b in doc.blocks] == [
        ("title", "", "联合国报告"),
        ("heading", "一.", "导言"),
        ("paragraph", "1", "第一段"),
        ("paragraph", "", "没有编号的一段。"),
        ("paragraph", "2", "第二段。"),
    ]


@pytest.mark.parametrize(
    ("name", "doc_id"),
    [
        ("un-report.zh.txt", "un-report"),
        ("un-report.en.txt", "un-report"),
        ("E-CN.15-2021-5.zh.txt", "E-CN.15-2021-5"),
        ("E-CN.15-2021-5", "E-CN.15-2021-5"),
        ("a.zh-CN.docx", "a"),
        ("my report (final).docx", "my_report_final"),
        ("报告 2021.txt", "报告_2021"),
        ("README", "README"),
        ("---.txt", "doc"),
        ("plain", "plain"),
    ],
)
def test_default_doc_id(name: str, doc_id: str) -> None:
    assert doc_id_from_path(Path("/some/dir") / name) == doc_id


@pytest.mark.parametrize("bad", ["a b", "a:b", ""])
def test_bad_doc_id(bad: str) -> None:
    with pytest.raises(UserError, match="document id"):
        segment_text("1. 甲。", doc_id=bad)


def test_example_report_golden() -> None:
    doc, segments = segment_file(EXAMPLES / "un-report.zh.txt")
    assert doc.id == "un-report"
    assert [b.label for b in doc.blocks if b.kind == "paragraph"] == [str(i) for i in range(1, 10)]
    assert [b.label for b in doc.blocks if b.kind == "heading"] == [
        "一.", "二.", "A.", "", "1.", "B.", "三.",
    ]  # fmt: skip
    kinds = [b.kind for b in doc.blocks]
    assert (kinds.count("title"), kinds.count("footnote"), len(segments)) == (9, 1, 37)
    assert len(doc.links) == 5
    joined = "\n".join(s.id + "\t" + s.text for s in segments)
    assert (
        hashlib.sha256(joined.encode()).hexdigest()[:16] == "6427fcb5835f87d4"
    )  # ids only changed: un-report.zh: -> un-report:
    again = segment_file(EXAMPLES / "un-report.zh.txt")
    assert again == (doc, segments)


def test_example_english_golden() -> None:
    doc, segments = segment_file(EXAMPLES / "un-report.en.txt", lang="en")
    assert [b.label for b in doc.blocks if b.kind == "paragraph"] == [str(i) for i in range(1, 10)]
    assert [b.label for b in doc.blocks if b.kind == "heading"] == [
        "I.", "II.", "A.", "", "1.", "B.", "III.",
    ]  # fmt: skip
    assert len(segments) == 39
    assert all(nonspace(s.text) for s in segments)


def test_segment_spans_point_into_block_text() -> None:
    doc, segments = segment_file(EXAMPLES / "un-report.zh.txt")
    blocks = {(b.kind, b.index): b for b in doc.blocks}
    for seg in segments:
        kind_index = int(seg.id.rsplit(":", 1)[1][1:].split(".")[0])
        block = blocks[seg.block, kind_index]
        assert block.text[seg.start : seg.end] == seg.text
        assert seg.label == block.label


def test_segmenter_version_is_set() -> None:
    assert SEGMENTER_VERSION.startswith("seg-")
