"""Scoring a segmentation against hand-checked gold structure (``../shared/data/un_pdf``).

The gold format and the rules are those of the shared set's README; this module implements them
on unmt's blocks (``Block.kind``: title, heading, paragraph, footnote, table):

- a gold paragraph is *found* when a paragraph block with the same label (a trailing dot
  ignored) starts with its ``start`` and ends with its ``end`` (or the ``*_nomarks`` variants),
  whitespace ignored;
- a gold heading is *found* when a heading block's text, optionally preceded by its label and
  optionally followed by a footnote mark, equals it (whitespace ignored), or when up to four
  consecutive heading blocks joined do;
- a footnote is *separated* when its ``start`` occurs in no block but footnote blocks (beyond the
  gold's ``start_elsewhere``);
- a *furniture leak* is an occurrence of a furniture string (whole tokens, longest first, no
  overlaps) in a block that is not furniture, beyond the gold's ``furniture_in_body``;
- a *table cell taken as a heading or paragraph* is a heading block, or an unlabelled paragraph
  block, that matches no gold heading and whose words all belong to the header cells of one
  gold table.

Scores are counts, so documents add up; :func:`score_blocks` is a pure function of the blocks
and the gold.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from unmt.records import Block

_WORD = re.compile(r"\w+(?:[.,/'’-]\w+)*")
_MARK = re.compile(r"(?:\d{1,2}|\*{1,3})$")


def _squash(text: str) -> str:
    return "".join(text.split())


@dataclass
class GoldScore:
    """What a segmentation got of one document's gold (counts: documents add up)."""

    paragraphs: int = 0
    paragraphs_found: int = 0
    headings: int = 0
    headings_found: int = 0
    footnotes: int = 0
    footnotes_separated: int = 0
    furniture_leaks: int = 0
    table_cells_as_blocks: int = 0
    pages: int = 0
    missed: list[str] = field(default_factory=list)

    def add(self, other: GoldScore) -> None:
        for f in fields(self):
            if f.name != "missed":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        self.missed += other.missed

    def share(self, found: str, total: str) -> float:
        n = getattr(self, total)
        return getattr(self, found) / n if n else 1.0


def load_gold(path: str | Path) -> dict[str, Any]:
    """A gold file (``<name>.gold.json``) as a dict."""
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


def _paragraph_found(gold: dict[str, Any], blocks: list[Block]) -> bool:
    starts = {_squash(gold["start"]), _squash(gold.get("start_nomarks", gold["start"]))}
    ends = {_squash(gold["end"]), _squash(gold.get("end_nomarks", gold["end"]))}
    label = gold["label"].rstrip(".")
    for b in blocks:
        if b.kind != "paragraph" or b.label.rstrip(".") != label:
            continue
        text = _squash(b.text)
        if any(text.startswith(s) for s in starts) and any(text.endswith(e) for e in ends):
            return True
    return False


def _heading_texts(block: Block) -> set[str]:
    """The forms a heading block may match: its text, with its label before it, without a
    footnote mark after it."""
    text = _squash(block.text)
    forms = {text, _squash(block.label.rstrip(".")) + text, _squash(block.label) + text}
    bare = _MARK.sub("", text)
    forms |= {bare, _squash(block.label.rstrip(".")) + bare}
    return {f for f in forms if f}


def _headings_found(gold: list[dict[str, Any]], blocks: list[Block]) -> tuple[int, set[int]]:
    """How many gold headings are found, and the positions of the heading blocks that matched."""
    found, used = 0, set()
    for item in gold:
        want = {_squash(item["text"]), _squash(item["label"] + item["text"])}
        hit: list[int] = []
        for i, block in enumerate(blocks):
            if block.kind != "heading":
                continue
            if _heading_texts(block) & want:
                hit = [i]
                break
            label, joined = _squash(block.label.rstrip(".")), ""
            for j in range(i, min(i + 4, len(blocks))):  # consecutive heading blocks joined
                if blocks[j].kind != "heading":
                    break
                joined += (
                    _MARK.sub("", _squash(blocks[j].text)) if j > i else _squash(blocks[j].text)
                )
                if j > i and (joined in want or label + joined in want):
                    hit = list(range(i, j + 1))
                    break
            if hit:
                break
        if hit:
            found += 1
            used.update(hit)
    return found, used


def _footnotes_separated(gold: list[dict[str, Any]], blocks: list[Block]) -> int:
    body = [_squash(b.text) for b in blocks if b.kind != "footnote"]
    n = 0
    for item in gold:
        start = _squash(item["start"])
        if sum(text.count(start) for text in body) <= int(item.get("start_elsewhere", 0)):
            n += 1
    return n


def _furniture_leaks(gold: dict[str, Any], blocks: list[Block]) -> int:
    strings = sorted(set(gold.get("furniture", [])), key=len, reverse=True)
    allowed = dict(gold.get("furniture_in_body", {}))
    seen: dict[str, int] = {}
    for b in blocks:
        text = " ".join(b.text.split())
        taken: list[tuple[int, int]] = []
        for s in strings:
            for m in re.finditer(r"(?<!\S)" + re.escape(" ".join(s.split())) + r"(?!\S)", text):
                if any(m.start() < e and s_ < m.end() for s_, e in taken):
                    continue
                taken.append((m.start(), m.end()))
                seen[s] = seen.get(s, 0) + 1
    return sum(max(0, n - int(allowed.get(s, 0))) for s, n in seen.items())


def _table_cells(gold: dict[str, Any], blocks: list[Block], matched: set[int]) -> int:
    tables = [
        {w.lower() for cell in t.get("header", []) for w in _WORD.findall(cell)}
        for t in gold.get("tables", {}).get("items", [])
    ]
    tables = [t for t in tables if t]
    n = 0
    for i, b in enumerate(blocks):
        if i in matched or not (b.kind == "heading" or (b.kind == "paragraph" and not b.label)):
            continue
        words = {w.lower() for w in _WORD.findall(b.text)}
        if words and any(words <= t for t in tables):
            n += 1
    return n


def score_blocks(blocks: list[Block], gold: dict[str, Any]) -> GoldScore:
    """Score one document's blocks against its gold (see the module docstring)."""
    score = GoldScore(pages=int(gold.get("pages", 0)))
    score.paragraphs = len(gold.get("paragraphs", []))
    for item in gold.get("paragraphs", []):
        if _paragraph_found(item, blocks):
            score.paragraphs_found += 1
        else:
            score.missed.append(f"paragraph {item['label']}: {item['start'][:30]}")
    score.headings = len(gold.get("headings", []))
    score.headings_found, matched = _headings_found(gold.get("headings", []), blocks)
    score.footnotes = len(gold.get("footnotes", []))
    score.footnotes_separated = _footnotes_separated(gold.get("footnotes", []), blocks)
    score.furniture_leaks = _furniture_leaks(gold, blocks)
    score.table_cells_as_blocks = _table_cells(gold, blocks, matched)
    return score


def _documents(folder: Path) -> list[tuple[Path, Path]]:
    out = []
    for gold in sorted(folder.glob("*.gold.json")):
        stem = gold.name[: -len(".gold.json")]
        for suffix in (".pdf", ".docx", ".txt"):
            doc = gold.with_name(stem + suffix)
            if doc.is_file():
                out.append((doc, gold))
                break
    return out


def run_gold(folder: Path, lang: str | None = None) -> int:
    """``unmt bench segment --gold DIR``: every document against its gold, and the total.

    The language is detected from each document's script unless ``lang`` is given.
    """
    import time

    from unmt.errors import UserError
    from unmt.pipeline.segment.ingest import read_input
    from unmt.pipeline.segment.segmenter import segment_raw
    from unmt.script import Script

    docs = _documents(folder)
    if not docs:
        raise UserError(
            "no <name>.gold.json beside a <name>.pdf/.docx/.txt",
            path=folder,
            hint="give the folder of a gold set (see ../shared/data/un_pdf/README.md)",
        )
    head = (
        f"{'document':<22}{'pages':>6}{'paragraphs':>12}{'headings':>10}{'footnotes':>11}"
        f"{'leaks':>7}{'cells':>7}{'pages/s':>9}"
    )
    print(f"unmt bench segment --gold {folder}: found / gold (paragraphs start and end exact)")
    print(head)
    total, seconds = GoldScore(), 0.0
    for doc, gold_path in docs:
        gold = load_gold(gold_path)
        start = time.perf_counter()
        raw = read_input(doc)
        lang_ = lang or Script.of(raw.text).lang() or "zh"
        document, _ = segment_raw(raw, lang_)
        took = time.perf_counter() - start
        seconds += took
        score = score_blocks(list(document.blocks), gold)
        total.add(score)
        print(
            f"{doc.stem[:21]:<22}{score.pages:>6}"
            f"{f'{score.paragraphs_found}/{score.paragraphs}':>12}"
            f"{f'{score.headings_found}/{score.headings}':>10}"
            f"{f'{score.footnotes_separated}/{score.footnotes}':>11}"
            f"{score.furniture_leaks:>7}{score.table_cells_as_blocks:>7}"
            f"{score.pages / took if took else 0:>9.0f}"
        )
    print(
        f"{'total':<22}{total.pages:>6}"
        f"{f'{total.paragraphs_found}/{total.paragraphs}':>12}"
        f"{f'{total.headings_found}/{total.headings}':>10}"
        f"{f'{total.footnotes_separated}/{total.footnotes}':>11}"
        f"{total.furniture_leaks:>7}{total.table_cells_as_blocks:>7}"
        f"{total.pages / seconds if seconds else 0:>9.0f}"
    )
    print(
        f"paragraph recall {total.share('paragraphs_found', 'paragraphs'):.2f} (target >= 0.98), "
        f"heading recall {total.share('headings_found', 'headings'):.2f} (>= 0.93), footnotes "
        f"separated {total.share('footnotes_separated', 'footnotes'):.2f} (>= 0.95), furniture "
        f"leaks {total.furniture_leaks} (0), table cells as headings or paragraphs "
        f"{total.table_cells_as_blocks} (0), {total.pages / seconds:.0f} pages/s (>= 100)"
    )
    return 0
