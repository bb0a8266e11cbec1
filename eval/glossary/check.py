"""Checking a glossary against a human translation: does the reference use the approved terms?

For every entry, the source lines containing its Chinese term are found by the scoring stage's
:class:`unmt.eval.terms.matcher.TermMatcher` (longest match first, non-overlapping, over all the
glossary's Chinese forms at once), and for those lines the line-aligned reference is searched for
the approved English form or a variant with the scoring stage's English rules
(:mod:`unmt.eval.terms.english`: case, hyphen, plural and possessive tolerant, on word
boundaries), so the check and ``unmt score`` agree on what counts as a rendering.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from unmt.eval.glossary.load import Glossary
from unmt.eval.terms.english import EnText, compile_form
from unmt.eval.terms.matcher import TermMatcher

_MAX_EXAMPLES = 5


class EnglishMatcher:
    """English matching by the scoring stage's rules (:mod:`unmt.eval.terms.english`)."""

    name = "terms_en"

    def compile(self, terms: Sequence[str]) -> Any:
        return [f for t in terms for f in compile_form(t)]

    def prepare(self, text: str) -> Any:
        return EnText(text)

    def contains(self, prepared: Any, compiled: Any) -> bool:
        return bool(compiled) and bool(prepared.find(compiled))


def english_matcher() -> EnglishMatcher:
    """The English matcher the check uses (the scoring stage's rules)."""
    return EnglishMatcher()


@dataclass(frozen=True)
class TermCheck:
    """How one entry fares against the reference."""

    id: str
    zh: str
    en: str
    glossary: str
    occurrences: int  # source lines containing the Chinese term
    agreeing: int  # of those, lines whose reference has the approved form or a variant
    disagreeing_lines: tuple[int, ...] = field(default=())  # first few, 1-based
    forbidden_in_ref: int = 0  # of those, lines whose reference uses a forbidden rendering

    @property
    def agreement(self) -> float | None:
        return self.agreeing / self.occurrences if self.occurrences else None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "zh": self.zh,
            "en": self.en,
            "glossary": self.glossary,
            "occurrences": self.occurrences,
            "agreeing": self.agreeing,
            "agreement": self.agreement,
            "disagreeing_lines": list(self.disagreeing_lines),
            "forbidden_in_ref": self.forbidden_in_ref,
        }


def check_glossary(
    glossary: Glossary,
    src_lines: Sequence[str],
    ref_lines: Sequence[str],
    matcher: EnglishMatcher | None = None,
) -> list[TermCheck]:
    """One :class:`TermCheck` per glossary entry, in glossary order.

    ``matcher`` defaults to :func:`english_matcher`.

    Raises:
        ValueError: the two sides have different numbers of lines.
    """
    if len(src_lines) != len(ref_lines):
        raise ValueError(f"{len(src_lines)} source lines but {len(ref_lines)} reference lines")
    entries = glossary.entries
    counts = [0] * len(entries)
    agree = [0] * len(entries)
    misses: list[list[int]] = [[] for _ in entries]
    if not entries:
        return []
    matcher = matcher or english_matcher()
    term_matcher = TermMatcher(glossary)
    forms = [matcher.compile(e.accepted) for e in entries]
    banned = [matcher.compile(e.forbidden) for e in entries]
    forbidden = [0] * len(entries)
    active = term_matcher.active("\n".join(src_lines))  # SRC is taken as one document
    for number, (src, ref) in enumerate(zip(src_lines, ref_lines, strict=True), 1):
        found = {index for _, _, index in term_matcher.match_source(src, active)}
        if not found:
            continue
        prepared = matcher.prepare(ref)
        for index in found:
            counts[index] += 1
            if matcher.contains(prepared, forms[index]):
                agree[index] += 1
            elif len(misses[index]) < _MAX_EXAMPLES:
                misses[index].append(number)
            if banned[index] and matcher.contains(prepared, banned[index]):
                forbidden[index] += 1
    return [
        TermCheck(e.id, e.zh, e.en, e.glossary, counts[i], agree[i], tuple(misses[i]), forbidden[i])
        for i, e in enumerate(entries)
    ]
