"""Finding English term renderings in a sentence, tolerant of case, hyphens, plurals, possessives.

Both the sentence and every term form go through the same canonicaliser, and a form matches where
its canonical token sequence occurs as a whole-token run in the sentence's. The rules (each one is
tested in ``tests/test_terms_en.py``):

1. **Tokens** are runs of letters and digits; every other character (spaces, punctuation,
   brackets, slashes, apostrophes: ``peoples'issues`` is ``peoples issues``) only separates
   tokens, so matching is whitespace and punctuation insensitive and always on word boundaries.
2. **Case**: tokens are case-folded (``COUNTER-TERRORISM`` = ``counter-terrorism``).
3. **Possessives**: an ``s`` right after an apostrophe (``'s`` / ``’s``) is dropped
   (``State's`` = ``State``); a trailing apostrophe (``States'``) only ends a token.
4. **Plurals**, by rules applied to every token: a word listed in
   ``data/en_irregular_plurals.tsv`` maps to its singular (``children`` -> ``child``); ``-men`` ->
   ``-man``; words of four letters or more ending in ``-ies`` -> ``-y``; ``-sses``, ``-xes``,
   ``-ches``, ``-shes``, ``-zzes`` lose ``-es``; a final ``-s`` is dropped unless the word ends in
   ``-ss``, ``-us`` or ``-is`` or has three letters or fewer. Known gap: ``-us`` nouns with
   ``-uses`` plurals (``viruses``) do not meet their singular.
5. **Hyphens** (``-``, U+2010, U+2011, soft hyphen): a hyphen separates tokens like a space, and
   the sentence and the form are also compared with every hyphen removed (words joined), so
   ``counter-terrorism`` matches ``counter terrorism``, ``counter-terrorism`` and
   ``counterterrorism``, and ``counterterrorism`` matches ``counter-terrorism``.
6. A form ending in a bracketed qualifier (``AVERAGE (MARITIME LAW)``) also matches without it.

Positions are character offsets into the original sentence, spanning whole original tokens (and
the closing bracket when the form ends with one).
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

_TOKEN = re.compile(r"[^\W_]+")
_APOSTROPHES = frozenset("'’")
_JOINERS = frozenset("-\u2010\u2011\u00ad")
_QUALIFIER = re.compile(r"^(.*\S)\s*\([^()]*\)\s*$")
_ES_ENDINGS = ("sses", "xes", "ches", "shes", "zzes")
_KEEP_S = ("ss", "us", "is")

#: the options that change what matches, for signatures
EN_MATCH_OPTIONS = "ci+hyphen+plural+possessive+punct"


@functools.cache
def _irregular() -> dict[str, str]:
    text = resources.files("unmt.eval").joinpath("data/en_irregular_plurals.tsv")
    table: dict[str, str] = {}
    for line in text.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        plural, singular = line.split("\t")[:2]
        table[plural.strip()] = singular.strip()
    return table


@functools.lru_cache(maxsize=65536)
def canonical(token: str) -> str:
    """The canonical form of one token: case-folded, possessive dropped, singular."""
    t = token.casefold().replace("’", "'")
    if t.endswith("'s"):
        t = t[:-2]
    irregular = _irregular().get(t)
    if irregular is not None:
        return irregular
    if len(t) <= 3:
        return t
    if t.endswith("men"):
        return t[:-3] + "man"
    if t.endswith("ies") and len(t) > 4:
        return t[:-3] + "y"
    if t.endswith(_ES_ENDINGS):
        return t[:-2]
    if t.endswith("s") and not t.endswith(_KEEP_S):
        return t[:-1]
    return t


@dataclass(frozen=True, slots=True)
class _Stream:
    """A sentence as `` tok tok tok `` plus where each token starts there and in the original."""

    text: str
    starts: tuple[int, ...]  # start of each token in ``text``
    spans: tuple[tuple[int, int], ...]  # original (start, end) of each token

    def find(self, phrase: str, n_tokens: int) -> list[tuple[int, int]]:
        """Original spans of every occurrence of `` phrase `` (``n_tokens`` tokens long)."""
        out: list[tuple[int, int]] = []
        pos = self.text.find(phrase)
        while pos >= 0:
            first = bisect_right(self.starts, pos + 1) - 1
            out.append((self.spans[first][0], self.spans[first + n_tokens - 1][1]))
            pos = self.text.find(phrase, pos + 1)
        return out


def _streams(text: str) -> tuple[_Stream, _Stream | None]:
    """The split stream (hyphens separate) and, when there is a hyphen, the joined stream."""
    raw: list[tuple[str, int, int]] = []
    for m in _TOKEN.finditer(text):
        s, e = m.span()
        if raw and m.group() in ("s", "S") and raw[-1][2] == s - 1 and text[s - 1] in _APOSTROPHES:
            raw[-1] = (raw[-1][0], raw[-1][1], e)  # possessive: the span covers it
        else:
            raw.append((m.group(), s, e))
    split = _build([(canonical(tok), s, e) for tok, s, e in raw])
    if not any(c in _JOINERS for c in text):
        return split, None
    merged: list[tuple[str, int, int]] = []
    for tok, s, e in raw:
        if merged and s - merged[-1][2] == 1 and text[s - 1] in _JOINERS:
            prev, ps, _ = merged[-1]
            merged[-1] = (prev + tok, ps, e)
        else:
            merged.append((tok, s, e))
    return split, _build([(canonical(tok), s, e) for tok, s, e in merged])


def _build(tokens: list[tuple[str, int, int]]) -> _Stream:
    parts = [" "]
    starts: list[int] = []
    pos = 1
    for tok, _, _ in tokens:
        starts.append(pos)
        parts.append(tok)
        parts.append(" ")
        pos += len(tok) + 1
    return _Stream("".join(parts), tuple(starts), tuple((s, e) for _, s, e in tokens))


@dataclass(frozen=True, slots=True)
class EnForm:
    """One English form, compiled: its text and canonical phrases (split and joined)."""

    text: str
    phrases: tuple[tuple[str, int], ...]  # (`` a b c ``, token count), one or two distinct


@functools.lru_cache(maxsize=65536)
def compile_form(form: str) -> tuple[EnForm, ...]:
    """Compile a form (and its unqualified variant when it ends in a bracketed qualifier)."""
    texts = [form]
    qualified = _QUALIFIER.match(form)
    if qualified:
        texts.append(qualified.group(1))
    out = []
    for text in texts:
        split, joined = _streams(text)
        phrases = {(split.text, len(split.starts))}
        if joined is not None:
            phrases.add((joined.text, len(joined.starts)))
        phrases = {p for p in phrases if p[1] > 0}
        if phrases:
            out.append(EnForm(text, tuple(sorted(phrases))))
    return tuple(out)


class EnText:
    """A sentence prepared once for many form look-ups."""

    __slots__ = ("_joined", "_split", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._split, self._joined = _streams(text)

    @property
    def key(self) -> str:
        """The canonical tokens run together: equal for plural, case and hyphen variants."""
        return self._split.text.replace(" ", "")

    def _close(self, form: EnForm, end: int) -> int:
        """Extend a span over the closing bracket that ends the form (``... (2001)``)."""
        if form.text.endswith(")") and self.text[end : end + 1] == ")":
            return end + 1
        return end

    def find(self, forms: Sequence[EnForm]) -> list[tuple[int, int, int]]:
        """Non-overlapping matches ``(start, end, form index)`` in text order, longest first.

        A form is searched in both the split and the joined stream of the sentence.
        """
        found: set[tuple[int, int, int]] = set()
        for i, form in enumerate(forms):
            for phrase, n in form.phrases:
                for stream in (self._split, self._joined):
                    if stream is not None:
                        found.update(
                            (s, self._close(form, e), i) for s, e in stream.find(phrase, n)
                        )
        if not found:
            return []
        chosen: list[tuple[int, int, int]] = []
        for s, e, i in sorted(found, key=lambda m: (m[0] - m[1], m[0], m[2])):
            if all(e <= cs or s >= ce for cs, ce, _ in chosen):
                chosen.append((s, e, i))
        chosen.sort()
        return chosen


def english_contains(text: str, forms: Sequence[str]) -> bool:
    """Whether ``text`` holds any of the English ``forms`` under the rules above."""
    compiled = [f for form in forms for f in compile_form(form)]
    return bool(compiled) and bool(EnText(text).find(compiled))
