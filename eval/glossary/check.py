"""Checking a glossary against a human translation: does the reference use the approved terms?

For every entry, the source lines containing its Chinese term are found (longest match first,
non-overlapping, over all the glossary's Chinese forms at once, with a pyahocorasick automaton:
the scoring stage's :class:`unmt.eval.terms.matcher.TermMatcher` where installed, else a local one),
and for those lines the line-aligned reference is searched for the approved English form or a
variant.

English matching uses the scoring stage's matcher, :mod:`unmt.eval.terms.english` (case, hyphen,
plural and possessive tolerant, on word boundaries), so the check and ``unmt score`` agree on what
counts as a rendering. Where that module is not installed, a local normalisation is used: both
sides are lower-cased; curly apostrophes become straight; a possessive ``'s`` / ``s'`` is dropped;
every character other than a letter or digit separates words, so hyphens and whitespace do not
matter; each word is reduced by simple plural rules (``-ies`` -> ``-y``; ``-sses``, ``-xes``,
``-ches``, ``-shes`` lose ``-es``; a final ``-s`` goes unless the word ends in ``ss``, ``us`` or
``is``); a hyphenated term also matches written solid (``counter-terrorism`` =
``counterterrorism``). A term matches when its word sequence occurs on word boundaries.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from unmt.eval.glossary.load import Entry, Glossary

log = logging.getLogger(__name__)

_POSSESSIVE = re.compile(r"(?<=[a-z0-9])'s\b|(?<=s)'(?=\s|$)")
_WORD = re.compile(r"[^\W_]+")
_MAX_EXAMPLES = 5


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def normalize_english(text: str) -> str:
    """Space-separated, lower-cased, plural/possessive-reduced words, padded with spaces."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = _POSSESSIVE.sub("", text)
    return " " + " ".join(_stem(w) for w in _WORD.findall(text)) + " "


def english_forms(term: str) -> tuple[str, ...]:
    """Normalised forms of one English term (a hyphenated term also written solid)."""
    forms = {normalize_english(term)}
    if "-" in term:
        forms.add(normalize_english(term.replace("-", "")))
    return tuple(f for f in forms if f.strip())


class _LocalMatcher:
    """English matching by :func:`normalize_english` (fallback)."""

    name = "local"

    def compile(self, terms: Sequence[str]) -> Any:
        return tuple(f for t in terms for f in english_forms(t))

    def prepare(self, text: str) -> Any:
        return normalize_english(text)

    def contains(self, prepared: Any, compiled: Any) -> bool:
        return any(f in prepared for f in compiled)


class _ScoringMatcher:
    """English matching by the scoring stage's :mod:`unmt.eval.terms.english`."""

    name = "terms_en"

    def __init__(self) -> None:
        from unmt.eval.terms.english import EnText, compile_form

        self._text = EnText
        self._compile = compile_form

    def compile(self, terms: Sequence[str]) -> Any:
        return [f for t in terms for f in self._compile(t)]

    def prepare(self, text: str) -> Any:
        return self._text(text)

    def contains(self, prepared: Any, compiled: Any) -> bool:
        return bool(compiled) and bool(prepared.find(compiled))


def english_matcher(prefer_local: bool = False) -> _LocalMatcher | _ScoringMatcher:
    """The scoring stage's English matcher when available, else the local one."""
    if not prefer_local:
        try:
            return _ScoringMatcher()
        except ImportError:
            log.debug("unmt.eval.terms.english not available; using the local English matcher")
    return _LocalMatcher()


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


def _automaton(entries: Sequence[Entry]) -> Any:
    import ahocorasick

    auto = ahocorasick.Automaton()
    for index, entry in enumerate(entries):
        for form in entry.zh_forms:
            if not auto.exists(form):
                auto.add_word(form, (len(form), index))
    auto.make_automaton()
    return auto


def entries_in_line(automaton: Any, line: str) -> set[int]:
    """Indexes of the entries whose Chinese form occurs in ``line``, longest match first."""
    spans = []
    for end, (length, index) in automaton.iter(line):
        spans.append((end - length + 1, end + 1, index))
    spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
    taken = [False] * len(line)
    found = set()
    for start, stop, index in spans:
        if not any(taken[start:stop]):
            taken[start:stop] = [True] * (stop - start)
            found.add(index)
    return found


def _source_finder(glossary: Glossary, scoring: bool) -> Callable[[str], set[int]]:
    """Line -> indexes of the entries found in it: the scorer's ``TermMatcher`` or a local one."""
    if scoring:
        try:
            from unmt.eval.terms.matcher import TermMatcher
        except ImportError:
            log.debug("unmt.eval.terms.matcher not available; using the local Chinese matcher")
        else:
            term_matcher = TermMatcher(glossary)
            return lambda line: {index for _, _, index in term_matcher.match_source(line)}
    automaton = _automaton(glossary.entries)
    return lambda line: entries_in_line(automaton, line)


def check_glossary(
    glossary: Glossary,
    src_lines: Sequence[str],
    ref_lines: Sequence[str],
    matcher: _LocalMatcher | _ScoringMatcher | None = None,
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
    find_terms = _source_finder(glossary, scoring=isinstance(matcher, _ScoringMatcher))
    forms = [matcher.compile(e.accepted) for e in entries]
    banned = [matcher.compile(e.forbidden) for e in entries]
    forbidden = [0] * len(entries)
    for number, (src, ref) in enumerate(zip(src_lines, ref_lines, strict=True), 1):
        found = find_terms(src)
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
