"""The gold scorer of ``unmt bench segment --gold`` (the rules of ../shared/data/un_pdf's README),
on small inline cases, and the bench on the shared genuine PDFs when they are there."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHARED_DATA

from unmt.pipeline.bench.seggold import run_gold, score_blocks
from unmt.records import Block

GOLD = {
    "pages": 2,
    "paragraphs": [
        {"label": "1", "start": "The Committee notes", "end": "in 2026."},
        {"label": "2", "start": "Expenditure was", "end": "per cent.1", "end_nomarks": "per cent."},
        {"label": "3", "start": "Never printed", "end": "anywhere."},
    ],
    "headings": [
        {"label": "I", "text": "Introduction"},
        {"label": "", "text": "Subprogramme 6 Trade promotion"},
        {"label": "", "text": "Vacant posts"},
    ],
    "footnotes": [{"mark": "1", "start": "Excludes one-time requirements"}],
    "furniture": ["A/80/604", "2/12"],
    "furniture_in_body": {"A/80/604": 1},
    "tables": {"items": [{"header": ["Approved (2024/25)", "Variance", "Amount"]}]},
}


def _blocks() -> list[Block]:
    return [
        Block("title", "", "A/80/604"),  # the masthead: allowed once
        Block("heading", "I.", "Introduction"),
        Block("paragraph", "1", "The  Committee notes the report in 2026."),
        Block("paragraph", "2.", "Expenditure was 15.0 per cent."),
        Block("paragraph", "", "Excludes one-time requirements for termination."),  # in body
        Block("heading", "", "Subprogramme 6"),
        Block("heading", "", "Trade promotion"),
        Block("heading", "", "Variance Amount"),  # table header cells
        Block("paragraph", "", "A/80/604 2/12 text"),  # two leaks: the symbol's second time
        Block("footnote", "1", "Excludes one-time requirements for termination."),
    ]


def test_each_rule_on_an_inline_case() -> None:
    score = score_blocks(_blocks(), GOLD)
    assert (score.paragraphs_found, score.paragraphs) == (2, 3)  # the nomarks end counts
    assert (score.headings_found, score.headings) == (2, 3)  # two heading blocks joined
    assert (score.footnotes_separated, score.footnotes) == (0, 1)  # its text in the body
    assert score.furniture_leaks == 2
    assert score.table_cells_as_blocks == 1
    assert score.missed == ["paragraph 3: Never printed"]


def test_a_wrong_label_or_a_cut_paragraph_is_not_found() -> None:
    blocks = [
        Block("paragraph", "4", "The Committee notes the report in 2026."),
        Block("paragraph", "1", "The Committee notes the report"),
    ]
    assert score_blocks(blocks, GOLD).paragraphs_found == 0


def test_the_bench_on_the_shared_genuine_pdfs(capsys: pytest.CaptureFixture[str]) -> None:
    folder = SHARED_DATA / "un_pdf"
    if not folder.is_dir():
        pytest.skip(f"shared data not available: {folder}")
    assert run_gold(Path(folder)) == 0
    out = capsys.readouterr().out
    assert out.count("\n") >= 9 and "total" in out and "paragraph recall" in out
