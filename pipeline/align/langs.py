"""Which languages an alignment is between: given ones checked, missing ones detected."""

from __future__ import annotations

from unmt.errors import UserError


def choose_languages(
    src_text: str,
    tgt_text: str,
    src_lang: str | None,
    tgt_lang: str | None,
    paths: tuple[str | None, str | None] = (None, None),
) -> tuple[str, str, str | None]:
    """The languages to align with, and a note when they were detected against the defaults.

    A language given is checked against the script of its side (a clear mismatch is an error);
    one left out is the detected one, else the other side's other language, else zh (SRC) /
    en (TGT). SRC and TGT in one language is an error.

    Raises:
        UserError: the same language on both sides, or a given language its side is clearly
            not written in.
    """
    from unmt.script import NAMES, Script

    found = {side: Script.of(text) for side, text in (("SRC", src_text), ("TGT", tgt_text))}
    given = {"SRC": src_lang, "TGT": tgt_lang}
    for side, lang in given.items():
        if lang is not None and not found[side].fits(lang):
            flag = f"--{side.lower()}-lang"
            raise UserError(
                f"{side} is given as {NAMES[lang]} ({flag} {lang}) but its text is "
                f"{found[side].describe()}",
                path=paths[0 if side == "SRC" else 1],
                hint=f"fix {flag}, or leave it out to detect the language",
            )
    other = {"zh": "en", "en": "zh"}
    src = src_lang or found["SRC"].lang() or (other[tgt_lang] if tgt_lang else None)
    tgt = tgt_lang or found["TGT"].lang() or (other[src] if src else None)
    src = src or (other[tgt] if tgt else "zh")
    tgt = tgt or other[src]
    if src == tgt:
        raise UserError(
            f"SRC and TGT are both {NAMES[src]}: unmt aligns Chinese with English",
            hint="give a Chinese and an English file (--src-lang/--tgt-lang name them)",
        )
    note = None
    if (src, tgt) != ("zh", "en") and (src_lang is None or tgt_lang is None):
        note = (
            f"SRC is {NAMES[src]} and TGT {NAMES[tgt]}: aligning with "
            f"--src-lang {src} --tgt-lang {tgt}"
        )
    return src, tgt, note
