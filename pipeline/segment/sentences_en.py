"""English sentence splitting with rules that know United Nations usage.

Used for English reference translations. A sentence ends at ``.``, ``!`` or ``?`` (with any
closing quotes or brackets after it) followed by whitespace and a word that does not start with a
lower-case letter, unless the full stop belongs to an abbreviation:

* listed abbreviations (``No.``, ``para.``, ``Mr.``, ``Add.`` ...; the data file
  ``pipeline/data/en_abbreviations.txt``);
* dotted short forms such as ``e.g.``, ``i.e.``, ``U.S.``, ``a.m.``;
* a single capital initial (``J. Smith``);
* a paragraph or list label at the start (``51. The Commission ...``, ``III. Conclusions``).

Document symbols (``A/RES/74/194``, ``E/CN.15/2021/5``), decimals (``2.5``) and
``resolution 2396 (2017)`` contain no full stop followed by a space, so they never split.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from unmt.pipeline.segment.spans import spans_from_cuts

_CANDIDATE = re.compile(r"(?P<mark>[.!?…]+)(?P<close>[\"'”’)\]]*)(?=\s+[\"'“‘(\[]*(?P<next>\S))")
_DOTTED = re.compile(r"[A-Za-z]{1,2}(?:\.[A-Za-z]{1,2})+")
_WORD_OPENERS = "\"'“‘(["
_LABEL_ONLY = re.compile(r"[(\[]?(?:\d{1,4}|[IVXLCivxlc]{1,6}|[A-Za-z])[.)\]]*")


@functools.cache
def abbreviations() -> frozenset[str]:
    """The abbreviations (without their final full stop) after which no sentence ends."""
    text = (
        resources.files("unmt.pipeline")
        .joinpath("data/en_abbreviations.txt")
        .read_text(encoding="utf-8")
    )
    return frozenset(
        s for s in (line.strip() for line in text.splitlines()) if s and not s.startswith("#")
    )


def _word_before(text: str, end: int) -> str:
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end].lstrip(_WORD_OPENERS)


def _is_abbreviation(word: str, abbrevs: frozenset[str]) -> bool:
    if word in abbrevs:
        return True
    if len(word) == 1 and word.isupper():
        return True
    return _DOTTED.fullmatch(word) is not None


def split_en(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` in ``text``, without surrounding whitespace."""
    abbrevs = abbreviations()
    cuts: list[int] = []
    for m in _CANDIDATE.finditer(text):
        nxt = m.group("next")
        if nxt.islower():
            continue
        mark = m.group("mark")
        if mark == "." and _is_abbreviation(_word_before(text, m.start("mark")), abbrevs):
            continue
        if _LABEL_ONLY.fullmatch(text[cuts[-1] if cuts else 0 : m.end()].strip()):
            continue  # a paragraph or list label such as "51." or "III." is no sentence
        cuts.append(m.end())
    return spans_from_cuts(text, cuts)
