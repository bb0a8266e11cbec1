"""Word's number formats (``w:numFmt``): a counter as Word displays it in a list label.

:func:`format_number` covers the formats of UN documents and of Chinese and Japanese Word:
``decimal`` (``decimalZero``, full- and half-width, enclosed in a circle, in parentheses or
with a full stop), ``upperRoman``/``lowerRoman`` (to 3999), ``upperLetter``/``lowerLetter``
(Word repeats the letter past z: ``aa``, ``bb``, ...; at most 8 times), ``ordinal`` (``1st``),
Chinese and Japanese counting (``chineseCounting`` 一 ... 十 十一 ... 二十 ... 一百零一;
``chineseLegalSimplified`` 壹贰叁; ``japaneseCounting`` 百一 without 零), ``ideographDigital``
(一〇), the heavenly stems (``ideographTraditional`` 甲乙丙) and earthly branches
(``ideographZodiac`` 子丑寅), ``ideographEnclosedCircle`` (㈠), ``none`` (an empty number).
Any other format, and a number past the limits above, is shown as a decimal number
(:data:`KNOWN` tells the caller which formats are known).
"""

from __future__ import annotations

from collections.abc import Callable

#: the largest roman number written (larger: decimal; no label can grow without bound)
MAX_ROMAN = 3999
#: the most letters of one lettered number (``aaaaaaaa``; larger: decimal)
MAX_LETTERS = 8
_DIGITS = "〇一二三四五六七八九"
_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))  # fmt: skip


def _roman(n: int) -> str:
    if n > MAX_ROMAN:
        return str(n)
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def _letter(n: int, first: str) -> str:
    """Word's letters: a..z, then aa..zz, aaa... (the letter repeated, not a base-26 count);
    past :data:`MAX_LETTERS` letters, a decimal number."""
    times, k = divmod(n - 1, 26)
    return chr(ord(first) + k) * (times + 1) if times < MAX_LETTERS else str(n)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _counting(n: int, digits: str, units: str, *, zero: str, one_ten: bool) -> str:
    """A number in Chinese-style counting: ``digits`` 0-9, ``units`` 十百千 and 万; ``zero``
    stands for skipped places (零 in Chinese; Japanese leaves them out, and writes 百 for
    一百); ``one_ten``: 一十 is written out (else 十 alone at the start)."""
    if n == 0:
        return digits[0]
    if n >= 10_000:
        high, low = divmod(n, 10_000)
        rest = _counting(low, digits, units, zero=zero, one_ten=True) if low else ""
        gap = zero if low and low < 1000 else ""
        return _counting(high, digits, units, zero=zero, one_ten=one_ten) + units[3] + gap + rest
    out: list[str] = []
    pending_zero = False
    for power in (3, 2, 1, 0):
        d = n // 10**power % 10
        if d == 0:
            pending_zero = bool(out)
            continue
        if pending_zero and zero:
            out.append(zero)
        pending_zero = False
        unit = units[power - 1] if power else ""
        lead = not out and not one_ten and d == 1 and (power == 1 or (power > 1 and not zero))
        out.append(unit if lead else digits[d] + unit)
    return "".join(out)


def _enclosed(n: int, first: int, last: int) -> str:
    return chr(first + n - 1) if 1 <= n <= last - first + 1 else str(n)


def _chinese(n: int) -> str:
    return _counting(n, _DIGITS, "十百千万", zero="零", one_ten=False)


_FULL = str.maketrans("0123456789-", "０１２３４５６７８９－")
_IDEOGRAPH_DIGITS = str.maketrans("0123456789", _DIGITS)
_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}" if 0 <= n < 10 else str(n),
    "decimalFullWidth": lambda n: str(n).translate(_FULL),
    "decimalFullWidth2": lambda n: str(n).translate(_FULL),
    "decimalHalfWidth": str,
    "decimalEnclosedCircle": lambda n: _enclosed(n, 0x2460, 0x2473),
    "decimalEnclosedCircleChinese": lambda n: _enclosed(n, 0x2460, 0x2473),
    "decimalEnclosedParen": lambda n: _enclosed(n, 0x2474, 0x2487),
    "decimalEnclosedFullstop": lambda n: _enclosed(n, 0x2488, 0x249B),
    "upperRoman": lambda n: _roman(n) if n > 0 else str(n),
    "lowerRoman": lambda n: _roman(n).lower() if n > 0 else str(n),
    "upperLetter": lambda n: _letter(n, "A") if n > 0 else str(n),
    "lowerLetter": lambda n: _letter(n, "a") if n > 0 else str(n),
    "ordinal": _ordinal,
    "chineseCounting": _chinese,
    "chineseCountingThousand": _chinese,
    "taiwaneseCounting": _chinese,
    "taiwaneseCountingThousand": _chinese,
    "japaneseCounting": lambda n: _counting(n, _DIGITS, "十百千万", zero="", one_ten=False),
    "chineseLegalSimplified": lambda n: _counting(n, _LEGAL, "拾佰仟万", zero="零", one_ten=True),
    "ideographDigital": lambda n: str(n).translate(_IDEOGRAPH_DIGITS),
    "taiwaneseDigital": lambda n: str(n).translate(_IDEOGRAPH_DIGITS),
    "ideographTraditional": lambda n: _STEMS[(n - 1) % 10] if n > 0 else str(n),
    "ideographZodiac": lambda n: _BRANCHES[(n - 1) % 12] if n > 0 else str(n),
    "ideographEnclosedCircle": lambda n: _enclosed(n, 0x3220, 0x3229),
    "none": lambda n: "",
}

#: the formats :func:`format_number` knows (``bullet`` is none: a bullet is no number)
KNOWN = frozenset(_FORMATS)


def format_number(n: int, fmt: str) -> str:
    """``n`` as Word displays it in the number format ``fmt`` (unknown formats: decimal)."""
    return _FORMATS.get(fmt, str)(n)
