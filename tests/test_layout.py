"""Each layout rule of a UN PDF (``unmt.pipeline.segment.layout``) on small inline pages: lines
placed by hand (text, position, type), no PDF needed. The genuine PDFs are measured by
``unmt bench segment --gold`` (tests/test_seggold.py)."""

from __future__ import annotations

from unmt.pipeline.segment.hints import CELL
from unmt.pipeline.segment.layout import classify, furniture, geometry
from unmt.pipeline.segment.pdf import PdfLine, PdfPage

L = 123.0  # the body column's left edge
R = 488.0  # its right edge


def ln(
    text: str,
    y: float,
    x: float = L,
    *,
    size: float = 10.0,
    bold: bool = False,
    italic: bool = False,
    x1: float | None = None,
    rotated: bool = False,
    text_x: float | None = None,
) -> PdfLine:
    right = x1 if x1 is not None else min(R, x + 5.2 * len(text))
    return PdfLine(text, x, y, size, right, bold, italic, rotated, text_x if text_x else x)


def body(n: int, top: float = 700.0) -> list[PdfLine]:
    """``n`` full lines of a paragraph, the last one short and ending a sentence."""
    lines = [ln(f"text of the paragraph goes on here and on {k}", top - 12 * k, x1=R)
             for k in range(n - 1)]  # fmt: skip
    return [*lines, ln("and it ends here.", top - 12 * (n - 1), x1=250.0)]


def page(number: int, lines: list[PdfLine], rules: tuple[float, ...] = ()) -> PdfPage:
    return PdfPage(number, 792.0, tuple(lines), (), 0, 612.0, rules)


def roles(pages: list[PdfPage]) -> list[tuple[str, bool, str]]:
    return [(p.hint.role, p.hint.starts, p.text) for p in classify(pages) if not p.furniture]


def after_title(lines: list[PdfLine]) -> list[PdfPage]:
    """``lines`` as the second page, after a first page whose title area ends at paragraph 1
    (the title area of the first page is left to the text rules)."""
    return [page(1, [ln("1. The first paragraph ends here.", 700)]), page(2, lines)]


def test_geometry_is_the_commonest_type_and_left_edge() -> None:
    geo = geometry([page(1, [*body(6), ln("Small note", 300, 60.0, size=8.0)])])
    assert (geo.size, geo.left) == (10.0, L) and geo.right > 400


def test_running_headers_alternating_between_odd_and_even_pages_are_furniture() -> None:
    pages = []
    for n in range(1, 9):
        header = "Part IV International cooperation" if n % 2 == 0 else "Section 13 Trade Centre"
        pages.append(page(n, [ln(header, 733, 60.0, size=8.5, bold=True), *body(5),
                              ln(f"{n}/8", 36, 60.0, size=8.5)]))  # fmt: skip
    pages[4] = page(5, [ln("A line printed once at the top", 733, 60.0), *body(5)])
    found = furniture(pages)
    headers = {(p, i) for p, pg in enumerate(pages) for i, x in enumerate(pg.lines)
               if x.text.startswith(("Part IV", "Section 13"))}  # fmt: skip
    assert headers <= found  # 4 odd and 4 even pages: each a quarter or more of the pages
    assert (4, 0) not in found  # printed once


def test_a_sideways_symbol_on_a_landscape_page_is_furniture() -> None:
    pages = [page(1, [*body(4), ln("A/80/596", 95, 740.0, rotated=True),
                      ln("26-00883 23/24", 552, 40.0, size=7.0, rotated=True)])]  # fmt: skip
    assert {(0, 4), (0, 5)} <= furniture(pages)


def test_footnotes_under_a_drawn_rule_start_at_their_hanging_marks() -> None:
    lines = [
        *body(4),
        ln("1 Excludes one-time requirements for termination", 130, 117.0, size=8.0),
        ln("entitlements payable to staff members.", 120, L, size=8.0),
        ln("2 A second note.", 110, 117.0, size=8.0),
    ]
    next_page = [*body(3), ln("of the second note, on the next page.", 100, L, size=8.0)]
    got = roles([page(1, lines, rules=(145.0,)), page(2, next_page, rules=(112.0,))])
    notes = [r for r in got if r[0] == "footnote"]
    assert notes == [
        ("footnote", True, "1 Excludes one-time requirements for termination"),
        ("footnote", False, "entitlements payable to staff members."),
        ("footnote", True, "2 A second note."),
        ("footnote", False, "of the second note, on the next page."),  # goes on
    ]
    labels = [p.hint.label for p in classify([page(1, lines, rules=(145.0,))])
              if p.hint.role == "footnote"]  # fmt: skip
    assert labels == ["1", "", "2"]


def test_a_rule_of_underscores_is_a_footnote_rule_and_is_dropped() -> None:
    lines = [*body(4), ln("__________________", 84, 99.0, size=8.0, bold=True),
             ln("1 Resource variance amounts are in thousands.", 73, 117.0, size=5.5)]  # fmt: skip
    placed = classify([page(1, lines)])
    assert [p.text for p in placed if p.furniture] == ["__________________"]
    assert [p.hint.role for p in placed if not p.furniture][-1] == "footnote"


def test_small_numbered_lines_without_a_rule_are_no_footnotes() -> None:
    lines = [*body(3), ln("2297 (XXII) International Trade Centre", 181, 60.0, size=8.5)]
    assert roles(after_title(lines))[-1][0] == "table"


def test_cells_on_one_baseline_are_one_row_and_a_table_ends_at_a_numbered_paragraph() -> None:
    lines = [
        *body(3),
        ln("Table 1", 640),  # a caption at the column's edge starts the table
        ln("Category", 620, 60.0, size=7.0),
        ln("Approved", 620, 198.0, size=7.0),
        ln("Variance", 620, 480.0, size=7.0),
        ln("Military observers 8 8", 600, 60.0, size=8.5),
        ln("Head of Mission – Post was vacant", 588, x1=300.0),  # a row in body type
        ln("15. The proposed resources for military personnel amount to a sum that is", 560),
    ]
    got = roles(after_title(lines))
    tables = [r for r in got if r[0] == "table"]
    assert tables == [
        ("table", True, "Table 1"),
        ("table", False, CELL.join(["Category", "Approved", "Variance"])),
        ("table", False, "Military observers 8 8"),
        ("table", False, "Head of Mission – Post was vacant"),
    ]
    assert got[-1][0] != "table"


def _styled_doc(extra: list[PdfLine]) -> list[PdfPage]:
    """A page whose headings are bold (three at least: the type marks headings)."""
    lines = [
        ln("I. Introduction", 760, 100.0, size=14.0, bold=True, text_x=L),
        *body(3, top=740),
        ln("Mandates", 690, bold=True),
        *body(2, top=675),
        *extra,
    ]
    return [page(1, [ln("1. A first paragraph.", 770), *lines])]  # fmt: skip


def test_bold_lines_after_a_finished_sentence_are_headings_bold_sentences_are_not() -> None:
    got = roles(_styled_doc([
        ln("Vacant posts", 640, italic=True),
        ln("The Advisory Committee recommends the approval of the posts.", 628, bold=True),
        ln("The Committee notes the report of the", 616, x1=R),
        ln("Secretary-General in its bold conclusion", 604, bold=True, x1=R),
    ]))  # fmt: skip
    kinds = {text: role for role, _, text in got}
    assert kinds["Vacant posts"] == "heading"
    assert kinds["The Advisory Committee recommends the approval of the posts."] == "body"
    assert kinds["Secretary-General in its bold conclusion"] == "body"  # mid-sentence
    assert kinds["I. Introduction"] == "heading" and kinds["Mandates"] == "heading"


def test_a_heading_goes_on_over_aligned_close_lines_and_stops_at_a_gap_or_an_offset() -> None:
    got = roles(_styled_doc([
        ln("II. Budget performance report for the period", 640, 96.0, size=14.0, bold=True,
           text_x=L),
        ln("to 30 June 2025", 625, size=14.0, bold=True),
        ln("Subprogramme 6", 590, size=12.0, bold=True),
        ln("Objective", 564, size=12.0, bold=True),  # a line and a half further: another
        ln("Annex", 540, 57.0, size=14.0, bold=True),
        ln("Organization chart", 519, 121.0, size=14.0, bold=True),  # not aligned
    ]))  # fmt: skip
    heads = [(starts, text) for role, starts, text in got if role == "heading"]
    assert heads[-6:] == [
        (True, "II. Budget performance report for the period"),
        (False, "to 30 June 2025"),
        (True, "Subprogramme 6"),
        (True, "Objective"),
        (True, "Annex"),
        (True, "Organization chart"),
    ]


def test_the_first_page_s_title_area_is_left_to_the_text_rules() -> None:
    lines = [ln("General Assembly", 720, size=20.0, bold=True), ln("Eightieth session", 690, 60.0),
             ln("Report of the Secretary-General", 660, bold=True), *body(3, 600)]  # fmt: skip
    assert {p.hint.role for p in classify([page(1, lines)]) if not p.furniture} == {""}


def test_without_typographic_headings_the_text_rules_decide() -> None:
    lines = [ln("1. The first paragraph.", 700), ln("Regional activities", 680), *body(3, 660)]
    assert {p.hint.role for p in classify([page(1, lines)]) if not p.furniture} == {""}


def test_a_label_in_the_margin_puts_its_line_in_the_column() -> None:
    geo = geometry([page(1, body(5))])
    assert geo.in_column(ln("13.1 The International Trade Centre", 600, 92.0, text_x=L))
    assert not geo.in_column(ln("Table caption at the page margin", 600, 60.0))


def test_a_line_in_body_type_or_a_starred_note_is_no_furniture_however_often_it_recurs() -> None:
    pages = [
        page(n, [ln("The same paragraph line again", 770, x1=R), *body(4, 750),
                 ln("* E/CN.15/2099/1.", 60, size=8.0)])
        for n in range(1, 9)
    ]  # fmt: skip
    assert furniture(pages) == set()


def test_a_starred_note_in_small_type_stays_a_footnote_in_a_styled_document() -> None:
    got = roles(_styled_doc([ln("Vacant posts", 640, italic=True),
                             ln("* E/CN.15/2021/1.", 600, size=8.0)]))  # fmt: skip
    assert ("heading", True, "Vacant posts") in got  # the type marks headings here
    assert ("footnote", True, "* E/CN.15/2021/1.") in got
