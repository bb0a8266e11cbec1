"""Numbered paragraphs in every numbering UN documents use (1., 13.1, an annex from 1 again),
the hints a document's reader passes to the structure rules, and table blocks' segments."""

from __future__ import annotations

import pytest

from unmt.pipeline.segment.hints import CELL, LineHint
from unmt.pipeline.segment.numbering import Numbering, label_of
from unmt.pipeline.segment.segmenter import block_segments
from unmt.pipeline.segment.structure import parse


@pytest.mark.parametrize(
    ("line", "label", "rest"),
    [
        ("15. The Committee", "15", "The Committee"),
        ("13.1 The International Trade Centre", "13.1", "The International Trade Centre"),
        ("13.12. The Centre", "13.12", "The Centre"),
        ("A.1 Annex paragraph", "A.1", "Annex paragraph"),
        ("１５．会员国", "15", "会员国"),
        ("2023 (actual)", None, None),
        ("A. Proposed programme plan", None, None),
        ("IV. Analysis", None, None),
    ],
)
def test_paragraph_labels(line: str, label: str | None, rest: str | None) -> None:
    found = label_of(line)
    assert (found.name, found.rest) == (label, rest) if found else label is None


def _body(lines: list[str], lang: str = "en") -> list[tuple[str, str, str]]:
    return [(b.kind, b.label, b.text) for b in parse("\n".join(lines), lang).blocks]


def test_section_numbered_paragraphs_run_in_their_series() -> None:
    blocks = _body([
        "13.1 The International Trade Centre is responsible for the business aspects.",
        "13.2 In the context of the 2030 Agenda, Member States recognized trade and",
        "13.5 percentage points of growth (a number inside a sentence).",
        "13.3 The objective is to enhance inclusive growth.",
        "14.1 A new section begins with its own series.",
    ])  # fmt: skip
    labels = [label for kind, label, _ in blocks if kind == "paragraph"]
    assert labels == ["13.1", "13.2", "13.3", "14.1"]
    assert "13.5 percentage points" in blocks[1][2]  # mid-sentence: not a paragraph


def test_an_annex_starts_the_numbering_again() -> None:
    blocks = _body([
        "1. The first paragraph of the report.",
        "2. The second paragraph of the report.",
        "Annex",
        "1. The annex has its own paragraphs.",
        "2. And a second one.",
    ])  # fmt: skip
    assert [b[1] for b in blocks if b[0] == "paragraph"] == ["1", "2", "1", "2"]


def test_a_restart_without_an_annex_is_no_paragraph() -> None:
    numbering = Numbering()
    numbering.take(label_of("14. Fourteen.") or pytest.fail())
    assert numbering.accepts(label_of("1. Legal aid") or pytest.fail(), after_sentence=True) is None
    numbering.annex = True
    assert numbering.accepts(label_of("1. Legal aid") or pytest.fail(), after_sentence=True)


def test_hints_decide_over_the_text_rules() -> None:
    lines = [
        "1. The first paragraph of the report goes on",
        "Category | Amount",  # a table in the middle of the paragraph
        "Posts | 12",
        "on the next page after the table.",
        "Regional activities",  # a body line: the layout says it is no heading
        "* The note of the page",
        "that goes on on the next page.",
        "Vacant posts",
    ]
    hints = (
        LineHint("body"),
        LineHint("table", True),
        LineHint("table", False),
        LineHint("body"),
        LineHint("body"),
        LineHint("footnote", True, "*"),
        LineHint("footnote", False),
        LineHint("heading", True),
    )
    blocks = [(b.kind, b.label, b.text) for b in parse("\n".join(lines), "en", hints=hints).blocks]
    assert blocks == [
        ("paragraph", "1", "The first paragraph of the report goes on on the next page after the "
         "table. Regional activities"),
        ("table", "", "Category | Amount\nPosts | 12"),
        ("footnote", "*", "The note of the page that goes on on the next page."),
        ("heading", "", "Vacant posts"),
    ]  # fmt: skip


def test_a_table_block_is_one_segment_a_row() -> None:
    parsed = parse(
        f"Category{CELL}Amount\nPosts{CELL}12", "en",
        hints=(LineHint("table", True), LineHint("table", False)),
    )  # fmt: skip
    (block,) = parsed.blocks
    segments = block_segments(block, "doc", "en")
    assert [(s.id, s.text) for s in segments] == [
        ("doc:x1.s1", f"Category{CELL}Amount"),
        ("doc:x1.s2", f"Posts{CELL}12"),
    ]
    assert all(block.text[s.start : s.end] == s.text for s in segments)
