"""The real report E/CN.15/2021/5 (PDF text) and a property test over arbitrary input.

The expectations for the real document are computed here from its raw lines, independently of
the segmenter, plus golden counts, labels, line numbers and hashes (no text is copied).
"""

from __future__ import annotations

import hashlib

import pytest
from conftest import shared_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unmt.pipeline.segment.clean import nonspace
from unmt.pipeline.segment.segmenter import segment_file, segment_text, split_sentences
from unmt.pipeline.segment.structure import parse

REPORT = "samples/E-CN.15-2021-5.zh.txt"
#: 1-based raw line numbers of the 27 headings, from 一. 导言 to 四. 结论
HEADING_LINES = [
    50, 162, 259, 263, 296, 413, 492, 502, 506, 608, 632, 654, 697, 750,
    754, 766, 834, 876, 931, 947, 959, 998, 1095, 1154, 1197, 1225, 1243,
]  # fmt: skip
HEADING_LABELS = [
    "一.", "二.", "三.", "A.", "1.", "2.", "3.", "(a)", "", "", "", "", "", "(b)",
    "", "", "", "", "(c)", "(d)", "", "(e)", "4.", "5.", "B.", "C.", "四.",
]  # fmt: skip
FOOTNOTE_LINE = 47


def _expected_paragraphs(raw: str) -> list[str]:
    """Paragraph n = its lines from the line starting ``n.`` up to the next structure line,
    links and the footnote line left out, the label cut off, whitespace removed."""
    lines = raw.split("\n")
    stops = set(HEADING_LINES) | {FOOTNOTE_LINE}
    paragraphs: list[str] = []
    current: list[str] | None = None
    for number, line in enumerate(lines, 1):
        s = line.strip()
        if not s or s.startswith("https://undocs.org/") or number == FOOTNOTE_LINE:
            continue
        label = f"{len(paragraphs) + 1}."
        if number not in stops and s.startswith(label) and number > FOOTNOTE_LINE:
            current = [s[len(label) :]]
            paragraphs.append("")
        elif number in stops:
            current = None
        elif current is not None:
            current.append(s)
        if current is not None:
            paragraphs[-1] = nonspace("".join(current))
    return paragraphs


@pytest.fixture(scope="module")
def report() -> tuple:
    path = shared_path(REPORT)
    raw = path.read_text(encoding="utf-8")
    return raw, *segment_file(path)


def test_all_99_paragraphs_in_order_with_their_pdf_text(report: tuple) -> None:
    raw, doc, _ = report
    paragraphs = [b for b in doc.blocks if b.kind == "paragraph"]
    assert [b.label for b in paragraphs] == [str(n) for n in range(1, 100)]
    assert [b.index for b in paragraphs] == list(range(1, 100))
    expected = _expected_paragraphs(raw)
    assert len(expected) == 99
    for block, text in zip(paragraphs, expected, strict=True):
        assert nonspace(block.text) == text, f"paragraph {block.label}"
    digest = hashlib.sha256("\n".join(nonspace(b.text) for b in paragraphs).encode()).hexdigest()
    assert digest[:16] == "b93f640188fe59eb"


def test_the_27_headings_are_found_as_headings(report: tuple) -> None:
    raw, doc, _ = report
    headings = [b for b in doc.blocks if b.kind == "heading"]
    assert [b.line for b in headings] == HEADING_LINES
    assert [b.label for b in headings] == HEADING_LABELS
    lines = raw.split("\n")
    for block in headings:
        # the heading's whole line, nothing merged into it and it into nothing else
        assert nonspace(block.label + block.text) == nonspace(lines[block.line - 1])


def test_title_footnote_links_and_segments(report: tuple) -> None:
    raw, doc, segments = report
    kinds = [b.kind for b in doc.blocks]
    assert kinds.index("heading") == kinds.count("title") + 1  # title blocks, footnote, 一.
    assert [(b.label, b.line) for b in doc.blocks if b.kind == "footnote"] == [("*", 47)]
    titles = [b for b in doc.blocks if b.kind == "title"]
    # body, session, date, agenda item, the 3-line agenda title joined, report title, "by",
    # summary heading, summary
    assert [b.line for b in titles] == [1, 3, 5, 7, 9, 19, 23, 27, 29]
    assert len(doc.links) == 21
    assert all(link.startswith("https://undocs.org/ch/") for link in doc.links)
    assert len(segments) == 298
    assert len({s.id for s in segments}) == len(segments)
    assert not any("undocs.org" in s.text or "\n" in s.text for s in segments)
    joined = "\n".join(s.text for s in segments)
    assert hashlib.sha256(joined.encode()).hexdigest()[:16] == "1b34797d5d83c1a0"
    assert doc.sha256 == hashlib.sha256(raw.encode("utf-8")).hexdigest()


# -- property: nothing lost, added or moved ----------------------------------------------------

_FRAGMENTS = st.sampled_from(
    [
        "1. ", "2. ", "3. ", "一. ", "A. ", "(a) ", "* ", "  ", " ", "\n", "\n\n", "\r\n",
        "https://undocs.org/ch/A/RES/74/194\n", "。", "！", "？", "……", "；", "“", "”", "《",
        "》", "（", "）", "(", ")", "2.5", "6(c)", "E/CN.15/2021/1", "西非", "会员国",
        "Member States. ", "e.g. ", "No. 5", "\u3000", "\t", "\n2/19\n", "\nV.21-01617 (C)\n",
    ]
)  # fmt: skip
_TEXTS = st.lists(
    st.one_of(_FRAGMENTS, st.text(alphabet="甲乙丙丁abcXYZ0129.-*:", max_size=8)), max_size=40
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXTS, lang=st.sampled_from(["zh", "en"]))
def test_every_character_is_kept_or_removed_as_furniture(text: str, lang: str) -> None:
    """Per input line, in order: furniture removed + text kept == the line (whitespace aside);
    per block, in order: its kept text == its segments. Together: the non-whitespace characters
    of all segments plus the furniture are those of the input, in order, none lost or added."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    parsed = parse(normalised, lang, trace=True)
    by_line: dict[int, str] = {}
    by_block: dict[int, str] = {}
    for piece in parsed.pieces:
        by_line[piece.line] = by_line.get(piece.line, "") + nonspace(piece.text)
        if piece.block >= 0:
            by_block[piece.block] = by_block.get(piece.block, "") + nonspace(piece.text)
    for number, line in enumerate(normalised.split("\n"), 1):
        assert by_line.get(number, "") == nonspace(line)
    _, segments = segment_text(text, lang)
    assert "".join(nonspace(s.text) for s in segments) == "".join(
        by_block.get(i, "") for i in range(len(parsed.blocks))
    )
    for i, block in enumerate(parsed.blocks):
        assert nonspace(block.text) == by_block.get(i, "")
        spans = split_sentences(block.text, lang)
        assert "".join(nonspace(block.text[s:e]) for s, e in spans) == nonspace(block.text)
    assert all("\n" not in s.text and s.text == s.text.strip() and s.text for s in segments)
