"""Protected spans: URLs, e-mail addresses and UN document symbols never reach the model.

``protect`` replaces each span with a placeholder (``ZXQ1``, ``ZXQ2``, ...: Latin letters and a
digit, which MT models copy through); ``restore`` puts the original spans back into the
translation and reports the ones whose placeholder the model dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: placeholder for the n-th protected span of a segment (1-based)
PLACEHOLDER = "ZXQ{n}"
_PLACEHOLDER_RE = re.compile(r"Z\s*X\s*Q\s*(\d+)", re.IGNORECASE)

_URL = r"(?:https?://|www\.)[^\s<>\"'，。；：！？、）】」》]+"
_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
# UN document symbols: an upper-case series (A, E, S, ST, CCPR, ...) then at least one
# "/part", optionally "(year)" for Security Council resolutions: E/CN.15/2021/1, A/RES/74/194,
# S/RES/2396 (2017), A/HRC/45/L.1, E/2021/L.5/Add.1
_SYMBOL = (
    r"(?<![A-Za-z0-9/._-])[A-Z]{1,6}(?:/(?:[A-Z][A-Za-z]*(?:\.\d+)?|\d+(?:\.\d+)?|[A-Z]\.\d+))+"
    r"(?:\s?[（(]\d{4}[)）])?"
)
SPAN_RE = re.compile(f"(?P<url>{_URL})|(?P<email>{_EMAIL})|(?P<symbol>{_SYMBOL})")
_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class Span:
    """One protected span: its kind (``url``, ``email``, ``symbol``) and text."""

    kind: str
    text: str


def find_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of every protected span in ``text``, left to right."""
    found = []
    for m in SPAN_RE.finditer(text):
        kind = m.lastgroup or "span"
        start, end = m.span()
        if kind == "url":
            while end > start and text[end - 1] in _TRAILING:
                end -= 1
        elif kind == "symbol" and not any(c.isdigit() for c in text[start:end]):
            continue
        found.append((start, end, kind))
    return found


def protect(text: str) -> tuple[str, tuple[Span, ...]]:
    """Replace protected spans by placeholders; return the masked text and the spans."""
    spans: list[Span] = []
    parts: list[str] = []
    pos = 0
    for start, end, kind in find_spans(text):
        spans.append(Span(kind, text[start:end]))
        before = text[pos:start]
        parts.append(before)
        left = " " if start > 0 and not text[start - 1].isspace() else ""
        right = "" if end >= len(text) or text[end].isspace() else " "
        parts.append(f"{left}{PLACEHOLDER.format(n=len(spans))}{right}")
        pos = end
    if not spans:
        return text, ()
    parts.append(text[pos:])
    return "".join(parts), tuple(spans)


def restore(translation: str, spans: tuple[Span, ...]) -> tuple[str, tuple[Span, ...]]:
    """Put ``spans`` back for their placeholders; return the text and the spans still missing.

    A span counts as present when its placeholder was restored or the model copied the span
    itself.
    """
    if not spans:
        return translation, ()
    used: set[int] = set()

    def _sub(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if 1 <= n <= len(spans):
            used.add(n)
            return spans[n - 1].text
        return m.group(0)

    text = _PLACEHOLDER_RE.sub(_sub, translation)
    missing = tuple(s for i, s in enumerate(spans, 1) if i not in used and s.text not in text)
    return text, missing
