"""Chinese sentence splitting.

A sentence ends after 。！？ (also a run of them, such as ？！) or after an ellipsis ……, together
with any closing quotes and brackets that follow (”’」』）》…), so they stay with the sentence
they close. A sentence never ends inside a matched pair of quotes or brackets (《》, “”, （）,
「」 ...): the end mark inside “...。” ends the sentence only once the quote is closed. Unmatched
quotes and brackets (a typo, or a quotation that runs across paragraphs) are ignored, so one stray
“ cannot glue the rest of a paragraph into one sentence. ； and ： never end a sentence, and neither
does the ASCII full stop, so ``2.5``, ``6(c)`` and ``E/CN.15/2021/1`` are never split.

Only the marks and brackets are visited (one regular-expression scan), not every character.
"""

from __future__ import annotations

import re

from unmt.pipeline.segment.spans import spans_from_cuts

_OPEN_TO_CLOSE = {
    "“": "”",
    "‘": "’",
    "「": "」",
    "『": "』",
    "《": "》",
    "〈": "〉",
    "（": "）",
    "(": ")",
    "【": "】",
    "〔": "〕",
    "［": "］",
}
_CLOSERS = frozenset(_OPEN_TO_CLOSE.values())
_TOKEN = re.compile(
    r"(?P<end>(?:[。！？｡]|…{2,}|⋯{2,})[。！？｡!?…⋯]*)"
    r"|(?P<bracket>[“”‘’「」『』《》〈〉（）()【】〔〕［］])"
)


def _matched(text: str, brackets: list[re.Match[str]]) -> set[int]:
    """Positions of the opening and closing brackets that pair up."""
    stack: list[tuple[str, int]] = []
    matched: set[int] = set()
    for m in brackets:
        ch, pos = m.group(), m.start()
        if ch in _OPEN_TO_CLOSE:
            stack.append((ch, pos))
        elif ch in _CLOSERS:
            # pop to the nearest opener of the same kind; skipped openers stay unmatched
            for k in range(len(stack) - 1, -1, -1):
                if _OPEN_TO_CLOSE[stack[k][0]] == ch:
                    matched.add(stack[k][1])
                    matched.add(pos)
                    del stack[k:]
                    break
    return matched


def split_zh(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` in ``text``, without surrounding whitespace.

    Every non-whitespace character of ``text`` lies in exactly one span, spans are in order.
    """
    tokens = list(_TOKEN.finditer(text))
    matched = _matched(text, [m for m in tokens if m.lastgroup == "bracket"])
    cuts: list[int] = []
    depth = 0
    pending = -1  # end of an end mark seen inside brackets
    for m in tokens:
        if m.lastgroup == "end":
            if depth == 0:
                cuts.append(m.end())
            else:
                pending = m.end()
            continue
        pos = m.start()
        if pos not in matched:
            # an unmatched closer right after a cut stays with the sentence before it
            if cuts and cuts[-1] == pos and m.group() in _CLOSERS:
                cuts[-1] = m.end()
            continue
        if m.group() in _OPEN_TO_CLOSE:
            depth += 1
            pending = -1
        else:
            depth -= 1
            if pending == pos:
                pending = m.end()
                if depth == 0:
                    cuts.append(pending)
                    pending = -1
            elif cuts and cuts[-1] == pos and depth == 0:
                cuts[-1] = m.end()
    return spans_from_cuts(text, cuts)
