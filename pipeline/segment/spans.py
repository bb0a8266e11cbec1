"""Turning sentence cut points into trimmed character spans (shared by the zh and en splitters)."""

from __future__ import annotations


def spans_from_cuts(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    """Spans between consecutive cut offsets, without surrounding whitespace; empty ones dropped."""
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*cuts, len(text)]:
        s, e = start, cut
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))
        start = cut
    return spans
