"""Word's automatic numbering, rule by rule, as pure functions over XML (no .docx written):
number formats (numfmt), counters and restarts (docxnum), style inheritance (docxstyle)."""

from __future__ import annotations

import pytest
from docx_kit import XMLNS, abstract, lvl, num, numbering_xml
from lxml import etree

from unmt.pipeline.segment.docxnum import MAX_START, numbering_of
from unmt.pipeline.segment.docxstyle import Styles
from unmt.pipeline.segment.numfmt import format_number


@pytest.mark.parametrize(
    ("n", "fmt", "shown"),
    [
        (7, "decimal", "7"),
        (7, "decimalZero", "07"),
        (4, "upperRoman", "IV"),
        (1994, "upperRoman", "MCMXCIV"),
        (9, "lowerRoman", "ix"),
        (1, "upperLetter", "A"),
        (26, "lowerLetter", "z"),
        (27, "upperLetter", "AA"),  # Word repeats the letter: aa, bb, ... not ab
        (28, "lowerLetter", "bb"),
        (53, "lowerLetter", "aaa"),
        (26 * 8 + 1, "lowerLetter", "209"),  # past 8 letters: decimal, no label grows unbounded
        (4000, "upperRoman", "4000"),
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (11, "chineseCounting", "十一"),
        (20, "chineseCounting", "二十"),
        (21, "chineseCounting", "二十一"),
        (100, "chineseCounting", "一百"),
        (101, "chineseCounting", "一百零一"),
        (110, "chineseCounting", "一百一十"),
        (1001, "chineseCounting", "一千零一"),
        (10010, "chineseCounting", "一万零一十"),
        (11, "chineseCountingThousand", "十一"),
        (10, "japaneseCounting", "十"),
        (101, "japaneseCounting", "百一"),
        (11, "chineseLegalSimplified", "壹拾壹"),
        (10, "ideographDigital", "一〇"),
        (3, "ideographTraditional", "丙"),
        (12, "ideographZodiac", "亥"),
        (2, "ideographEnclosedCircle", "㈡"),
        (12, "decimalFullWidth", "１２"),
        (3, "decimalEnclosedCircle", "③"),
        (3, "decimalEnclosedParen", "⑶"),
        (22, "ordinal", "22nd"),
        (12, "ordinal", "12th"),
        (5, "none", ""),
        (5, "someFutureFormat", "5"),  # unknown: decimal
    ],
)
def test_number_formats(n: int, fmt: str, shown: str) -> None:
    assert format_number(n, fmt) == shown


def _ppr(numid: int | None = None, ilvl: int | None = None, style: str = "") -> object:
    inner = f'<w:pStyle w:val="{style}"/>' if style else ""
    if numid is not None or ilvl is not None:
        inner += "<w:numPr>"
        inner += f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else ""
        inner += f'<w:numId w:val="{numid}"/>' if numid is not None else ""
        inner += "</w:numPr>"
    return etree.fromstring(f"<w:pPr {XMLNS}>{inner}</w:pPr>")


def _styles(*styles: str) -> Styles:
    return Styles(etree.fromstring(f"<w:styles {XMLNS}>{''.join(styles)}</w:styles>"))


def _style(sid: str, based: str = "", numpr: str = "", name: str = "") -> str:
    base = f'<w:basedOn w:val="{based}"/>' if based else ""
    ppr = f"<w:pPr><w:numPr>{numpr}</w:numPr></w:pPr>" if numpr else ""
    return (
        f'<w:style w:type="paragraph" w:styleId="{sid}"><w:name w:val="{name or sid}"/>'
        f"{base}{ppr}</w:style>"
    )


def _labels(
    xml: bytes, paragraphs: list[tuple[int | None, int | None, str]], styles: Styles | None = None
) -> tuple[list[str | None], list[str]]:
    """The label of each paragraph (numId, ilvl, style) in turn, and the warnings."""
    numbering = numbering_of(etree.fromstring(xml), styles or _styles())
    out = []
    for numid, ilvl, style in paragraphs:
        got = numbering.label(_ppr(numid, ilvl, style), style)
        out.append(got[0] if got else None)
    return out, numbering.warnings


OUTLINE = numbering_xml(
    abstract(
        1,
        lvl(0, "chineseCounting", "%1、"),
        lvl(1, "upperRoman", "%2."),
        lvl(2, "lowerLetter", "(%3)"),
    ),
    num(1, 1),
)


def test_a_level_restarts_when_a_higher_level_advances() -> None:
    seq = [(1, 0, ""), (1, 2, ""), (1, 2, ""), (1, 1, ""), (1, 2, ""), (1, 0, ""), (1, 1, "")]
    assert _labels(OUTLINE, seq)[0] == ["一、", "(a)", "(b)", "I.", "(a)", "二、", "I."]


@pytest.mark.parametrize(
    ("restart", "third"),
    [(0, "(c)"), (1, "(c)"), (2, "(a)")],  # never; after level 1 only; after level 2 (default)
)
def test_lvl_restart_says_after_which_level(restart: int, third: str) -> None:
    xml = numbering_xml(
        abstract(
            1,
            lvl(0, "decimal", "%1."),
            lvl(1, "upperLetter", "%2."),
            lvl(2, "lowerLetter", "(%3)", restart=restart),
        ),
        num(1, 1),
    )
    seq = [(1, 0, ""), (1, 2, ""), (1, 2, ""), (1, 1, ""), (1, 2, "")]
    assert _labels(xml, seq)[0] == ["1.", "(a)", "(b)", "A.", third]


def test_a_label_shows_higher_levels_an_unused_one_at_its_start() -> None:
    # a programme budget fascicle: section 13's paragraphs 13.1, 13.2, no level-0 paragraph
    xml = numbering_xml(
        abstract(1, lvl(0, "decimal", "%1", start=13), lvl(1, "decimal", "%1.%2")), num(1, 1)
    )
    assert _labels(xml, [(1, 1, ""), (1, 1, "")])[0] == ["13.1", "13.2"]
    seq = [(1, 0, ""), (1, 1, ""), (1, 1, ""), (1, 0, ""), (1, 1, "")]
    assert _labels(xml, seq)[0] == ["13", "13.1", "13.2", "14", "14.1"]


def test_lists_of_one_abstract_share_counters_and_a_start_override_restarts() -> None:
    xml = numbering_xml(
        abstract(1, lvl(0, "decimal", "%1.")), num(1, 1), num(2, 1), num(3, 1, {0: 1})
    )
    seq = [(1, 0, ""), (1, 0, ""), (2, 0, ""), (3, 0, ""), (3, 0, ""), (1, 0, "")]
    assert _labels(xml, seq)[0] == ["1.", "2.", "3.", "1.", "2.", "3."]


def test_a_level_override_replaces_the_format() -> None:
    xml = numbering_xml(abstract(1, lvl(0, "decimal", "%1.")), num(1, 1)).replace(
        b"</w:num>",
        b'<w:lvlOverride w:ilvl="0">' + lvl(0, "upperLetter", "%1)").encode() + b"</w:lvlOverride>"
        b"</w:num>",
    )
    assert _labels(xml, [(1, 0, ""), (1, 0, "")])[0] == ["A)", "B)"]


def test_a_legal_level_shows_decimal_numbers() -> None:
    legal = lvl(1, "lowerLetter", "%1.%2").replace("</w:lvl>", "<w:isLgl/></w:lvl>")
    xml = numbering_xml(abstract(1, lvl(0, "upperRoman", "%1."), legal), num(1, 1))
    assert _labels(xml, [(1, 0, ""), (1, 1, "")])[0] == ["I.", "1.1"]


def test_a_bullet_is_no_number() -> None:
    xml = numbering_xml(abstract(1, lvl(0, "bullet", "\uf0b7")), num(1, 1))
    assert _labels(xml, [(1, 0, "")])[0] == [""]


def test_a_style_numbers_its_paragraphs_through_based_on() -> None:
    styles = _styles(
        _style("ParaBase", numpr='<w:numId w:val="1"/>'),
        _style("Para", based="ParaBase"),
        _style("Other"),
    )
    xml = numbering_xml(abstract(1, lvl(0, "decimal", "%1.")), num(1, 1))
    seq = [(None, None, "Para"), (None, None, "Other"), (None, None, "Para"), (0, None, "Para")]
    # numId 0 takes the style's numbering off one paragraph, and that is no mistake
    assert _labels(xml, seq, styles) == (["1.", None, "2.", None], [])


def test_a_style_without_a_level_takes_the_level_that_names_it() -> None:
    styles = _styles(_style("H2", numpr='<w:numId w:val="1"/>'))
    xml = numbering_xml(
        abstract(1, lvl(0, "upperRoman", "%1."), lvl(1, "upperLetter", "%2.", style="H2")),
        num(1, 1),
    )
    assert _labels(xml, [(1, 0, ""), (None, None, "H2")], styles)[0] == ["I.", "A."]


HOSTILE = {
    "a numId numbering.xml lacks": ((9, 0, ""), "numId 9"),
    "a level out of range": ((1, 12, ""), "level 12"),
    "a level that is not defined": ((1, 5, ""), "no level 5"),
    "a negative level": ((1, -1, ""), "level -1"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_number_word_would_not_show_is_left_out_with_a_warning(case: str) -> None:
    paragraph, warning = HOSTILE[case]
    labels, warnings = _labels(OUTLINE, [paragraph, (1, 0, "")])
    assert labels == [None, "一、"]
    assert any(warning in w for w in warnings), warnings


@pytest.mark.parametrize(
    ("level", "warning"),
    [
        (lvl(0, "decimal", "%1.", start=MAX_START + 1), "starts at"),
        (lvl(0, "lowerLetter", "%1.", start="99999999999999999999"), "starts at"),
        (lvl(0, "decimal", "%1." * 100), "label text"),
        (lvl(0, "decimal", "%1.", start="abc"), "starts at"),
        (lvl(0, "decimal", "%1." * 9, start=12345), "characters long"),
    ],
)
def test_a_hostile_level_is_ignored_with_a_warning(level: str, warning: str) -> None:
    xml = numbering_xml(abstract(1, level), num(1, 1), num(2, 1, {0: 10**12}))
    labels, warnings = _labels(xml, [(1, 0, ""), (2, 0, "")])
    assert labels == [None, None]
    assert any(warning in w for w in warnings), warnings
    assert any("restarts at" in w for w in warnings)


def test_a_cycle_of_based_on_is_cut_with_a_warning() -> None:
    styles = _styles(_style("A", based="B"), _style("B", based="A", numpr='<w:numId w:val="1"/>'))
    labels, _ = _labels(OUTLINE, [(None, None, "A"), (None, None, "B")], styles)
    assert labels == ["一、", "二、"]
    assert any("cycle" in w for w in styles.warnings)


@pytest.mark.parametrize(
    ("sid", "name", "role"),
    [
        ("Heading1", "heading 1", "heading"),
        ("1", "heading 2", "heading"),  # Chinese Word's ids, Word's built-in names
        ("HCh", "_ H _Ch", "heading"),  # United Nations templates
        ("H23", "_ H_2/3", "heading"),
        ("H1G", "_ H_1_G", "heading"),
        ("SingleTxt", "__Single Txt", "body"),
        ("Title", "Title", "title"),
        ("TitleHCH", "Title_H_CH", "title"),
        ("Normal", "Normal", "body"),
    ],
)
def test_heading_styles(sid: str, name: str, role: str) -> None:
    assert _styles(_style(sid, name=name)).role(sid, None) == role


def test_an_outline_level_makes_a_heading_and_9_is_body_text() -> None:
    styles = _styles(
        '<w:style w:type="paragraph" w:styleId="Big"><w:name w:val="Big"/>'
        '<w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>',
        _style("Bigger", based="Big"),
    )
    body = etree.fromstring(f'<w:pPr {XMLNS}><w:outlineLvl w:val="9"/></w:pPr>')
    assert [styles.role("Big", None), styles.role("Bigger", None)] == ["heading", "heading"]
    assert styles.role("Bigger", body) == "body"
