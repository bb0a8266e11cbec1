"""Which script a text is written in: enough to tell Chinese from English, and both from garbage.

unmt takes Chinese sources and English references; a file of the other language (or a PDF whose
text layer is garbage) must be caught before it is segmented, aligned or translated. Counting
letters is enough for that: UN Chinese documents have 88-99% Han characters among their letters
(the rest is Latin: symbols, acronyms, URLs), English ones none. A text with fewer than
:data:`MIN_LETTERS` letters is not judged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from unmt.errors import UserError

MIN_LETTERS = 20
_ZH_MIN = 0.3  # a Chinese text has at least this share of Han characters among its letters
_EN_MAX_HAN = 0.1  # an English text has at most this share of Han characters
_EN_MIN_LATIN = 0.5  # and at least this share of Latin letters
NAMES = {"zh": "Chinese", "en": "English"}


def _is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF


@dataclass(frozen=True, slots=True)
class Script:
    """Letter counts of a text: Han characters, Latin letters (with accents), other letters."""

    han: int = 0
    latin: int = 0
    other: int = 0

    @classmethod
    def of(cls, text: str) -> Script:
        han = latin = other = 0
        for ch in text:
            if ch.isascii():
                latin += ch.isalpha()
            elif _is_han(ch):
                han += 1
            elif ch.isalpha():
                if ord(ch) < 0x250:  # Latin-1 supplement and Latin extended
                    latin += 1
                else:
                    other += 1
        return cls(han, latin, other)

    def __add__(self, other: Script) -> Script:
        return Script(self.han + other.han, self.latin + other.latin, self.other + other.other)

    @property
    def letters(self) -> int:
        return self.han + self.latin + self.other

    def share(self, what: str) -> float:
        """The share of ``han``, ``latin`` or ``other`` among the letters (0 without letters)."""
        return getattr(self, what) / self.letters if self.letters else 0.0

    def lang(self) -> str | None:
        """``zh``, ``en``, or None (too few letters, or neither)."""
        if self.letters < MIN_LETTERS:
            return None
        if self.share("han") >= _ZH_MIN:
            return "zh"
        if self.share("han") <= _EN_MAX_HAN and self.share("latin") >= _EN_MIN_LATIN:
            return "en"
        return None

    def fits(self, lang: str) -> bool:
        """False only when the text clearly is not ``lang`` (short texts always fit)."""
        if self.letters < MIN_LETTERS:
            return True
        if lang == "zh":
            return self.share("han") >= _ZH_MIN
        if lang == "en":
            return self.share("han") <= _EN_MAX_HAN and self.share("latin") >= _EN_MIN_LATIN
        return True

    def describe(self) -> str:
        """``97% Han characters, 3% Latin letters`` (the two largest parts)."""
        parts = sorted(
            (
                (self.han, "Han characters"),
                (self.latin, "Latin letters"),
                (self.other, "other letters"),
            ),
            reverse=True,
        )
        shown = [f"{round(100 * n / self.letters)}% {name}" for n, name in parts[:2] if n]
        return ", ".join(shown) + f" of {self.letters} letters" if shown else "no letters"


def mismatch(text: str, lang: str) -> str | None:
    """Why ``text`` is not in ``lang`` (``zh``/``en``), or None when it may be."""
    script = Script.of(text)
    if script.fits(lang):
        return None
    found = script.lang()
    looks = f"looks {NAMES[found]}" if found else "is neither Chinese nor English"
    return f"the text {looks} ({script.describe()}), not {NAMES.get(lang, lang)}"


def require_lang(texts: Sequence[str], lang: str, path: str | Path, role: str) -> None:
    """Raise :class:`UserError` (exit 2) when ``texts`` clearly are not in ``lang``.

    ``role`` names the file in the message (``SRC``, ``HYP``, ``REF``, ``INPUT``).
    """
    problem = mismatch("\n".join(texts[:5000]), lang)
    if problem is not None:
        raise UserError(
            f"{role}: {problem}",
            path=path,
            hint=f"{role} must be the {NAMES[lang]} side; check the order of the files",
        )
