"""Splitting segments that are too long for the model, so nothing is ever silently truncated.

A segment over the threshold (in source tokens) is cut after clause punctuation (``；：，`` and
their ASCII forms, and sentence ends), and the clauses are packed greedily back into pieces that
fit. A clause that alone exceeds the threshold is cut in halves (at the space nearest the middle
when there is one) until every piece fits; that last resort is reported as a *hard* split so the
caller can flag the segment. Translations of the pieces are joined with a space.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: default threshold in source tokens (the model itself takes 512 positions)
DEFAULT_SPLIT_TOKENS = 200
_CLAUSE_END = re.compile(r"(?<=[；：，;:,。！？!?])")


def _halve(text: str) -> tuple[str, str]:
    mid = len(text) // 2
    spaces = [m.start() for m in re.finditer(r"\s", text)]
    if spaces:
        cut = min(spaces, key=lambda i: abs(i - mid))
        if 0 < cut < len(text) - 1:
            return text[:cut], text[cut:]
    return text[:mid], text[mid:]


def _hard_split(text: str, count: Callable[[str], int], threshold: int) -> list[str]:
    if count(text) <= threshold or len(text) < 2:
        return [text]
    left, right = _halve(text)
    return _hard_split(left, count, threshold) + _hard_split(right, count, threshold)


def split_long(
    text: str, count: Callable[[str], int], threshold: int = DEFAULT_SPLIT_TOKENS
) -> tuple[list[str], bool]:
    """Cut ``text`` into pieces of at most ``threshold`` tokens (as measured by ``count``).

    Returns:
        The pieces (concatenated they give ``text`` back) and whether a hard split was needed.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    if count(text) <= threshold:
        return [text], False
    clauses = [c for c in _CLAUSE_END.split(text) if c]
    pieces: list[str] = []
    hard = False
    current = ""
    for clause in clauses:
        if current and count(current + clause) <= threshold:
            current += clause
            continue
        if current:
            pieces.append(current)
        if count(clause) <= threshold:
            current = clause
        else:
            pieces.extend(_hard_split(clause, count, threshold))
            hard = True
            current = ""
    if current:
        pieces.append(current)
    return pieces, hard


def split_encoded(
    text: str, pieces: list[str], encode: Callable[[str], list[str]], threshold: int
) -> tuple[list[list[str]], bool]:
    """:func:`split_long` for a ``text`` already tokenised into ``pieces``: the pieces of each
    part, and whether a hard split was needed. ``split_long`` measures every part it returns,
    so each string goes through ``encode`` once."""
    encoded = {text: pieces}

    def pieces_of(part: str) -> list[str]:
        if part not in encoded:
            encoded[part] = encode(part)
        return encoded[part]

    parts, hard = split_long(text, lambda part: len(pieces_of(part)), threshold)
    return [pieces_of(p) for p in parts], hard
