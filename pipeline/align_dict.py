"""The English-Chinese dictionary used as a similarity source by the sentence aligner.

Two sources, both data files:

* the English-to-Chinese word list shipped by the PyPI package ``cedict`` 0.1.0 (its
  ``cedict/csv/EnWords.csv``: about 104,000 English headwords, each with a free-text Chinese
  gloss such as ``n.光,日光,发光体,灯adj.轻的``); the glosses are cut into Chinese terms here.
  Despite the package's name this is not CC-CEDICT: its metadata credit the word list
  github.com/1eez/103976. Names and domain words it lacks are learned per document
  (:mod:`unmt.pipeline.align_learn`);
* the UN glossary (:func:`unmt.eval.glossary.load_glossaries`), when that module is installed:
  its entries give whole-phrase pairs (``Security Council`` / ``安全理事会``).

:func:`load_lexicon` parses both once per process and returns a :class:`Lexicon`.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import logging
import re
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

_POS = re.compile(
    r"\b(?:n|v|vt|vi|adj|adv|art|conj|prep|pron|num|int|interj|vbl|abbr|aux|pl|a|ad|na)\."
)
_BRACKETS = re.compile(r"\[[^\]]*\]|<[^>]*>|\([^)]*\)|（[^）]*）|【[^】]*】")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_INFLECTED = re.compile(
    r"([a-z]+) ?的(?:过去式|过去分词|现在分词|复数|第三人称|比较级|最高级)[\u4e00-\u9fff,，]*"
)
_ELLIPSIS = re.compile(r"[\u4e00-\u9fff]*(?:\.\.\.|…)[\u4e00-\u9fff]*")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


@dataclass(frozen=True)
class Lexicon:
    """English word -> Chinese terms, plus whole-phrase pairs from the UN glossary.

    Attributes:
        words: lower-case English headword -> Chinese terms (``light`` -> ``光``, ``日光``...).
        phrases: (lower-case English phrase, Chinese term) pairs from the glossary.
        source: a short description of what was loaded, for signatures and logs.
    """

    words: dict[str, tuple[str, ...]]
    phrases: tuple[tuple[str, str], ...] = ()
    source: str = ""
    _memo: dict[str, tuple[str, tuple[str, ...]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def entry(self, word: str) -> tuple[str, tuple[str, ...]]:
        """(headword, Chinese terms) for an English word form, trying its plain stem when it is
        inflected (``waters`` -> ``water``); ``("", ())`` when there is none."""
        hit = self._memo.get(word)
        if hit is None:
            hit = ("", ())
            for form in candidate_stems(word):
                terms = self.words.get(form, ())
                if terms:
                    hit = (form, terms)
                    break
            self._memo[word] = hit
        return hit

    def lookup(self, word: str) -> tuple[str, ...]:
        """Chinese terms for an English word form (see :meth:`entry`)."""
        return self.entry(word)[1]


def candidate_stems(word: str) -> list[str]:
    """The word itself, then plausible base forms (plurals, past tenses, archaic ``-eth``)."""
    forms = [word]
    for suffix, repl in (
        ("ies", "y"),
        ("ied", "y"),
        ("eth", ""),
        ("eth", "e"),
        ("est", ""),
        ("ing", ""),
        ("ing", "e"),
        ("ed", ""),
        ("ed", "e"),
        ("es", ""),
        ("s", ""),
        ("'s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: len(word) - len(suffix)] + repl)
    return forms


def gloss_terms(gloss: str) -> list[str]:
    """Cut a free-text Chinese gloss into terms (``n.光,日光adj.轻的`` -> 光, 日光, 轻的, 轻)."""
    base = _INFLECTED.search(gloss)
    if base is not None:
        gloss = gloss[: base.start()] + " " + gloss[base.end() :]
    text = _BRACKETS.sub(" ", _ELLIPSIS.sub(" ", _POS.sub(" ", gloss)))
    terms: list[str] = []
    for run in _CJK_RUN.findall(text):
        if run.startswith("的"):
            continue
        for term in (run, run[:-1] if len(run) > 1 and run[-1] == "的" else ""):
            if term and term not in terms:
                terms.append(term)
    return terms


def _read_word_list() -> dict[str, tuple[str, ...]]:
    path = importlib.resources.files("cedict") / "csv" / "EnWords.csv"
    raw: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for row in reader:
            if len(row) >= 2 and row[0] and _WORD.fullmatch(row[0].strip().lower()):
                raw.setdefault(row[0].strip().lower(), row[1])
    words: dict[str, tuple[str, ...]] = {}
    for word, gloss in raw.items():
        terms = gloss_terms(gloss)
        base = _INFLECTED.search(gloss)
        if base is not None and base.group(1) in raw:
            terms += [t for t in gloss_terms(raw[base.group(1)]) if t not in terms]
        if terms:
            words[word] = tuple(terms)
    return words


def _read_glossary_phrases() -> tuple[tuple[str, str], ...]:
    try:
        from unmt.eval.glossary import load_glossaries
    except ImportError:
        log.info("unmt.eval.glossary not available: aligning without the UN glossary")
        return ()
    try:
        glossary = load_glossaries([])
    except Exception as exc:  # the glossary is an optional extra source
        log.warning("UN glossary not loaded for alignment: %s", exc)
        return ()
    pairs: list[tuple[str, str]] = []
    for entry in getattr(glossary, "entries", ()):
        zh = str(getattr(entry, "zh", "") or "").strip()
        forms = [str(getattr(entry, "en", "") or "")]
        forms += [str(v) for v in getattr(entry, "variants", ()) or ()]
        for en in forms:
            en = " ".join(_WORD.findall(en.lower()))
            if zh and en:
                pairs.append((en, zh))
    return tuple(pairs)


@functools.lru_cache(maxsize=2)
def load_lexicon(glossary: bool = True) -> Lexicon:
    """Load the word list (and, with ``glossary``, the UN glossary phrases); cached per process."""
    words = _read_word_list()
    phrases = _read_glossary_phrases() if glossary else ()
    source = f"cedict-EnWords:{len(words)}" + (f"+unglossary:{len(phrases)}" if phrases else "")
    log.info("alignment lexicon: %s", source)
    return Lexicon(words=words, phrases=phrases, source=source)
