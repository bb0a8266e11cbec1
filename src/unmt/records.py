"""The typed, frozen records that flow between stages, with a JSON round trip.

Every stage reads and writes these as JSONL (one ``to_json()`` object per line). ``from_json``
ignores keys it does not know, so later versions can add fields without breaking old readers.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self, get_args

BlockKind = Literal["title", "heading", "paragraph", "footnote", "line", "table"]
BLOCK_KINDS: tuple[str, ...] = get_args(BlockKind)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return value.to_json()  # type: ignore[attr-defined]
    return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """The field names of a record class, read once (``dataclasses.fields`` is slow per row)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


class _JsonRecord:
    """Mixin: ``to_json`` / ``from_json`` for flat frozen dataclasses."""

    _nested: ClassVar[dict[str, type]] = {}

    def to_json(self) -> dict[str, Any]:
        """A dict of plain JSON types (tuples become lists, nested records dicts)."""
        return {name: _plain(getattr(self, name)) for name in _field_names(type(self))}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        """Rebuild a record from ``to_json`` output; unknown keys are ignored."""
        kwargs: dict[str, Any] = {}
        nested_fields = cls._nested
        for name in _field_names(cls):
            if name not in data:
                continue
            value = data[name]
            nested = nested_fields.get(name) if nested_fields else None
            if nested is not None and value is not None:
                value = tuple(nested.from_json(v) for v in value)  # type: ignore[attr-defined]
            elif isinstance(value, list):
                value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
            kwargs[name] = value
        return cls(**kwargs)


@dataclass(frozen=True, slots=True)
class Block(_JsonRecord):
    """A structural unit of a document: title, heading, numbered paragraph or footnote.

    Attributes:
        kind: ``title``, ``heading``, ``paragraph``, ``footnote``, ``table`` (its rows one a
            line, cells separated by `` | ``) or ``line`` (a line-aligned file).
        label: the printed label (``8``, ``A.``, ``(a)``, ``一.``, ``*``); empty when there is none.
        text: the cleaned text, without the label, on one line.
        index: 1-based position among blocks of the same kind in the document.
        links: ``https://undocs.org/...`` links found on the block's page.
        line: 1-based line of the input where the block starts (0 when unknown).
    """

    kind: str
    label: str
    text: str
    index: int = 0
    links: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class Document(_JsonRecord):
    """One input document after ingest and structure recognition."""

    _nested: ClassVar[dict[str, type]] = {"blocks": Block}

    id: str
    language: str
    source: str
    sha256: str
    blocks: tuple[Block, ...] = ()
    links: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Segment(_JsonRecord):
    """One sentence of a block, with a stable id such as ``<doc>:p8.s3`` or ``<doc>:h5.s1``.

    Attributes:
        id: ``<doc>:<kind letter><block index>.s<sentence index>``; kind letters are
            ``t`` title, ``h`` heading, ``p`` paragraph, ``f`` footnote.
        doc: the document id.
        block: the block kind.
        label: the block's label (paragraph number, heading label).
        sent: 1-based sentence index inside the block.
        text: the sentence text, one line.
        start: start character offset of the sentence inside the block text.
        end: end character offset (exclusive) inside the block text.
    """

    id: str
    doc: str
    block: str
    label: str
    sent: int
    text: str
    start: int = 0
    end: int = 0


@dataclass(frozen=True, slots=True)
class Translation(_JsonRecord):
    """The machine translation of one segment (``flags`` name anything unusual about it)."""

    id: str
    text: str
    mt: str
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Bead(_JsonRecord):
    """One alignment bead: 0-based source and target sentence indices, and a score.

    Attributes:
        src: source sentence indices, consecutive and increasing; empty for a 0-1 bead.
        tgt: target sentence indices, consecutive and increasing; empty for a 1-0 bead.
        score: how similar the two sides are, 0 to 1 (the Dice overlap of their features, as
            computed by :mod:`unmt.pipeline.align.sim`); 0 for 1-0 and 0-1 beads.
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float = 0.0

    @property
    def shape(self) -> str:
        """``<sources>-<targets>``: ``1-1``, ``2-1``, ``0-1``, ..."""
        return f"{len(self.src)}-{len(self.tgt)}"


@dataclass(frozen=True, slots=True)
class TermHit(_JsonRecord):
    """One occurrence of a glossary term in a source segment and what the English did with it.

    A raw record: summaries (accuracy, consistency) are computed from lists of these afterwards.

    Attributes:
        seg: the segment id (or 1-based line number as a string for plain-text input).
        entry: the glossary entry id.
        zh: the Chinese term as it appears in the source.
        start: start character offset in the source segment.
        end: end character offset (exclusive).
        en: the approved English term.
        found: whether the approved term or an accepted variant renders this occurrence.
        rendering: the English text that renders it, as it appears in the hypothesis: an
            accepted form when ``found``, else a forbidden form assigned to it, else ``None``.
        hyp_start: start offset of ``rendering`` in the hypothesis (-1 when none).
        hyp_end: end offset (exclusive) of ``rendering`` (-1 when none).
        forbidden: deprecated renderings charged to this occurrence, as
            ``(text, start, end)`` in the hypothesis; each one is charged to one occurrence only.
        in_ref: whether the reference uses an accepted form for it (``None`` without reference).
        doc: the document id (empty when unknown).
        glossary: the name of the glossary the entry comes from.
        ref_start: start offset in the reference of the accepted form that confirms this
            occurrence (``in_ref``), -1 when none.
        ref_end: end offset (exclusive) of that form in the reference, -1 when none.
    """

    seg: str
    entry: str
    zh: str
    start: int
    end: int
    en: str
    found: bool
    rendering: str | None = None
    hyp_start: int = -1
    hyp_end: int = -1
    forbidden: tuple[tuple[str, int, int], ...] = ()
    in_ref: bool | None = None
    doc: str = ""
    glossary: str = ""
    ref_start: int = -1
    ref_end: int = -1


@dataclass(frozen=True, slots=True)
class PairTerm(_JsonRecord):
    """A glossary term of a pair's source and whether the pair's MT renders it."""

    zh: str
    en: str
    found: bool


@functools.lru_cache(maxsize=65536)
def _pair_term(zh: str, en: str, found: bool) -> PairTerm:
    """One (frozen, shared) term record for each term a corpus's rows repeat."""
    return PairTerm(zh, en, found)


@dataclass(frozen=True, slots=True)
class Pair(_JsonRecord):
    """One row of ``pairs.jsonl``: an aligned zh/en unit as the dataset and TMX exports see it.

    Attributes:
        id: the source segment ids joined by ``+`` (``<doc>:en:<ids>`` for a target-only bead).
        doc: the document id.
        para: the label of the first segment's block.
        block: the kind of the first segment's block.
        zh: the Chinese side (segments joined).
        en: the English side: the reference's sentences, or the MT without a reference.
        en_origin: ``reference`` or ``mt``.
        mt: the machine translation of the Chinese side.
        bead: the bead shape (``2-1``; ``1-1`` for every row without a reference).
        terms: the glossary terms of the source and whether the MT renders them.
        chrf: sentence chrF of the MT against the reference (``None`` without one, or one-sided).
        align: the aligner's similarity of the bead's two sides, 0 to 1 (:attr:`Bead.score`;
            ``None`` without a reference and for one-sided beads).
    """

    _nested: ClassVar[dict[str, type]] = {"terms": PairTerm}

    id: str
    doc: str
    para: str
    block: str
    zh: str
    en: str
    en_origin: str
    mt: str
    bead: str
    terms: tuple[PairTerm, ...] = ()
    chrf: float | None = None
    align: float | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        """:meth:`_JsonRecord.from_json` for the row exports read a million times: the fields
        taken by name, unknown keys ignored, missing optional ones at their defaults."""
        get = data.get
        terms = tuple(_pair_term(t["zh"], t["en"], t["found"]) for t in get("terms") or ())
        return cls(
            data["id"], data["doc"], data["para"], data["block"], data["zh"], data["en"],
            data["en_origin"], data["mt"], data["bead"], terms, get("chrf"), get("align"),
        )  # fmt: skip
