"""Similarity sources for the sentence aligner: length, lexical anchors, dictionary, MT bridge.

Every source gives a sentence two sets of string features: what it *has* (``own``) and what it
can *match* on the other side (``reach``). For most sources both are the same set (a number, a
Latin token, a word of the MT); the dictionary is asymmetric: an English sentence has its words
(``w:council``) and reaches their Chinese translations (``d:理事会``), a Chinese sentence has its
dictionary words (``d:理事会``) and reaches the English words they translate (``w:council``).
The similarity of a bead is a Dice-like coverage,

    (|own(src) & reach(tgt)| + |own(tgt) & reach(src)|) / (|own(src)| + |own(tgt)|),

which is plain Dice for symmetric features, and for the dictionary counts each word once however
many translations it has. Features are kept only when one side has them and the other can reach
them, and only when at most a fifth of a side's sentences have them; they are then packed into
Python ``int`` bit sets, so that the union of a span is ``|`` and an overlap is
``(a & b).bit_count()``. Next to it the aligner uses a Gale-Church style length cost.

Sources (names for :class:`SimSettings.sources`):

* ``anchors``: numbers (``2015``, ``1,000`` = ``1000``), document symbols (``E/CN.15/2021/5``)
  and Latin-script tokens (``COVID-19``, ``UNODC``) found in both languages;
* ``dict``: for zh/en pairs, the dictionary of :mod:`unmt.pipeline.align.lexicon` (Chinese words
  found by longest match) and UN glossary phrases;
* ``surface``: for two texts in one language, their own content words (zh: character bigrams);
* the MT bridge (``mt=`` given): the source's translation, compared with the target in the
  target language, Bleualign-style.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from unmt.pipeline.align.lexicon import Lexicon, load_lexicon

log = logging.getLogger(__name__)

#: Gale-Church constants for zh/en, fitted on ../shared/data/un/UNv1.0.devset.{zh,en} (4,000
#: line pairs, characters other than whitespace): English characters per Chinese character
#: c = sum(en) / sum(zh) = 3.192, and the variance of (en - c * zh) / zh = 17.71 English
#: characters per Chinese character. Lengths are counted in "Chinese character units" (English
#: length / c), where the variance per unit is 17.71 / c**2 = 1.738.
EN_CHARS_PER_ZH_CHAR = 3.192
ZH_EN_VARIANCE_PER_UNIT = 17.71 / EN_CHARS_PER_ZH_CHAR**2
#: Variance per character for two texts in one language (an assumption, not fitted).
SAME_LANGUAGE_VARIANCE = 1.0

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_EN_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_LATIN_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-/.][A-Za-z0-9]+)*")
_SYMBOL = re.compile(r"[A-Z]{1,5}(?:/[A-Za-z0-9.]+){1,8}")
KNOWN_SOURCES = ("anchors", "dict", "surface")


@dataclass(frozen=True)
class SimSettings:
    """Which similarity sources to use, and how to turn a document's features into bit sets.

    Attributes:
        sources: names from :data:`KNOWN_SOURCES`.
        max_df: features found in more than this share of one side's sentences are dropped
            (only for documents of at least ``min_df_lines`` sentences).
        glossary: also use the UN glossary phrases in the ``dict`` source.
        max_bits: feature indices are folded modulo this (bit sets stay small).
    """

    sources: tuple[str, ...] = KNOWN_SOURCES
    max_df: float = 0.2
    min_df_lines: int = 30
    glossary: bool = True
    max_bits: int = 8192


@dataclass(frozen=True)
class SideFeatures:
    """Per sentence of one side: length in Chinese-character units and feature bit sets.

    ``masks``: the features a sentence has; ``reach``: those it can match on the other side.

    ``vectors``: unit-length sentence embeddings, an ``(n, d)`` numpy array, when the optional
    embeddings source is on (else ``None``). ``bridge``: the bridge's unit-length rows
    (:mod:`unmt.pipeline.align.bridge`: MT n-grams for the source side, lexical rows, or both
    side by side), or ``None``.
    """

    lengths: tuple[float, ...]
    masks: tuple[int, ...]
    vectors: Any = None
    reach: tuple[int, ...] = ()
    bridge: Any = None


def text_length(text: str, lang: str) -> float:
    """Length in Chinese-character units (English characters divided by the fitted ratio)."""
    n = sum(1 for ch in text if not ch.isspace())
    return n / EN_CHARS_PER_ZH_CHAR if lang == "en" else float(n)


def length_variance(src_lang: str, tgt_lang: str) -> float:
    """Variance per length unit of the Gale-Church model for this language pair."""
    return SAME_LANGUAGE_VARIANCE if src_lang == tgt_lang else ZH_EN_VARIANCE_PER_UNIT


def anchor_features(text: str) -> set[str]:
    """Numbers, document symbols and Latin-script tokens, normalised so both languages agree."""
    feats = {"a:" + m.group().replace(",", "").lstrip("0") for m in _NUMBER.finditer(text)}
    feats |= {"a:" + m.group().lower() for m in _SYMBOL.finditer(text)}
    for m in _LATIN_TOKEN.finditer(text):
        tok = m.group()
        if len(tok) >= 2 and (not tok.islower() or any(ch.isdigit() for ch in tok)):
            feats.add("a:" + tok.lower())
    return feats


def surface_features(text: str, lang: str, prefix: str = "s:") -> set[str]:
    """Content-bearing surface units of a text in its own language."""
    if lang == "zh":
        chars = [ch for ch in text if _CJK.match(ch)]
        return {prefix + a + b for a, b in itertools.pairwise(chars)}
    return {prefix + w.lower() for w in _EN_WORD.findall(text) if len(w) > 1}


class _TermFinder:
    """All dictionary terms occurring in a Chinese text (Aho-Corasick over the lexicon)."""

    def __init__(self, lexicon: Lexicon) -> None:
        import ahocorasick

        self.automaton = ahocorasick.Automaton()
        terms = {t for ts in lexicon.words.values() for t in ts}
        terms |= {zh for _, zh in lexicon.phrases}
        for term in terms:
            self.automaton.add_word(term, term)
        self.zh_phrase_ids: dict[str, list[int]] = {}
        for i, (_en, zh) in enumerate(lexicon.phrases):
            self.zh_phrase_ids.setdefault(zh, []).append(i)
        self.phrases = ahocorasick.Automaton()
        for i, (en, _zh) in enumerate(lexicon.phrases):
            key = f" {en} "
            if key not in self.phrases:
                self.phrases.add_word(key, [])
            self.phrases.get(key).append(i)
        self.automaton.make_automaton()
        if lexicon.phrases:
            self.phrases.make_automaton()
        self.lexicon = lexicon
        self._reverse: dict[str, list[str]] | None = None

    def zh_terms(self, text: str) -> set[str]:
        """Every dictionary term occurring in the text, overlapping ones included."""
        return {term for _end, term in self.automaton.iter(text)}

    def zh_words(self, text: str) -> set[str]:
        """The text cut into dictionary words by longest match from the left."""
        longest: dict[int, int] = {}
        for end, term in self.automaton.iter(text):
            start = end - len(term) + 1
            longest[start] = max(longest.get(start, 0), len(term))
        words, pos = set(), 0
        while pos < len(text):
            n = longest.get(pos, 0)
            if n:
                words.add(text[pos : pos + n])
                pos += n
            else:
                pos += 1
        return words

    def headwords(self, term: str) -> list[str]:
        """English headwords with this Chinese term among their translations."""
        if self._reverse is None:
            reverse: dict[str, list[str]] = {}
            for word, terms in self.lexicon.words.items():
                for t in terms:
                    reverse.setdefault(t, []).append(word)
            self._reverse = reverse
        return self._reverse.get(term, [])

    def en_phrases(self, text: str) -> set[int]:
        if not len(self.phrases):
            return set()
        norm = " " + " ".join(w.lower() for w in _EN_WORD.findall(text)) + " "
        return {i for _end, ids in self.phrases.iter(norm) for i in ids}


_FINDERS: dict[int, _TermFinder] = {}


Feats = tuple[set[str], set[str]]
"""A sentence's (own, reach) feature sets; symmetric features are in both."""

Features = tuple[tuple[str, ...], tuple[str, ...]]
"""A sentence's (own, reach) features as :func:`feature_sets` returns them: tuples of distinct
strings (20,000 UN sentence pairs: RSS after :func:`feature_sets` 719 MiB with sets, 462 MiB
with tuples)."""


def _finder(lexicon: Lexicon) -> _TermFinder:
    finder = _FINDERS.get(id(lexicon))
    if finder is None:
        finder = _FINDERS[id(lexicon)] = _TermFinder(lexicon)
    return finder


class _Tags:
    """One string object per tagged feature (``d:理事会``), however many sentences have it:
    a long document's feature sets then share their strings (20,000 UN sentence pairs: RSS
    after :func:`feature_sets` 1,158 MiB with a fresh string per sentence, 719 MiB shared)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.made: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        tag = self.made.get(text)
        if tag is None:
            tag = self.made[text] = self.prefix + text
        return tag


def english_headwords(texts: Sequence[str], lexicon: Lexicon) -> set[str]:
    """The dictionary headwords of the words of some English texts."""
    heads = {lexicon.entry(w.lower())[0] for text in texts for w in _EN_WORD.findall(text)}
    heads.discard("")
    return heads


def english_dictionary_features(
    texts: Sequence[str], lexicon: Lexicon, present: set[str] | None = None
) -> list[Feats]:
    """Own ``w:<headword>`` and reach ``d:<translation>``, plus glossary phrases ``g:<n>``.

    Args:
        present: when given, only translations in this set are reached (the Chinese words of
            the other side: a common English word has hundreds of translations).
    """
    finder = _finder(lexicon)
    w_tag, d_tag = _Tags("w:"), _Tags("d:")
    out: list[Feats] = []
    for text in texts:
        own: set[str] = set()
        reach: set[str] = set()
        for w in _EN_WORD.findall(text):
            head, terms = lexicon.entry(w.lower())
            if head:
                own.add(w_tag(head))
                if present is None:
                    reach.update(map(d_tag, terms))
                else:
                    reach.update(d_tag(t) for t in terms if t in present)
        phrases = {f"g:{i}" for i in finder.en_phrases(text)}
        out.append((own | phrases, reach | phrases))
    return out


def chinese_dictionary_features(
    texts: Sequence[str], lexicon: Lexicon, headwords: set[str]
) -> list[Feats]:
    """Own ``d:<word>`` (longest-match words) and reach ``w:<headword>`` for the English
    headwords in ``headwords`` translated by any term in the text, plus glossary phrases."""
    finder = _finder(lexicon)
    w_tag, d_tag = _Tags("w:"), _Tags("d:")
    out: list[Feats] = []
    for text in texts:
        terms = finder.zh_terms(text)
        own = set(map(d_tag, finder.zh_words(text)))
        reach = {w_tag(h) for t in terms for h in finder.headwords(t) if h in headwords}
        phrases = {f"g:{i}" for t in terms for i in finder.zh_phrase_ids.get(t, ())}
        out.append((own | phrases, reach | phrases))
    return out


def _pack(
    src: Sequence[Features], tgt: Sequence[Features], settings: SimSettings
) -> tuple[tuple[list[int], list[int]], tuple[list[int], list[int]]]:
    def doc_freq(sets: Iterable[Iterable[str]]) -> dict[str, int]:
        df: dict[str, int] = {}
        for s in sets:
            for f in s:
                df[f] = df.get(f, 0) + 1
        return df

    s_own, s_reach = doc_freq(f[0] for f in src), doc_freq(f[1] for f in src)
    t_own, t_reach = doc_freq(f[0] for f in tgt), doc_freq(f[1] for f in tgt)
    # a feature matters when one side has it and the other side can match it
    usable = (s_own.keys() & t_reach.keys()) | (t_own.keys() & s_reach.keys())
    if len(src) >= settings.min_df_lines and len(tgt) >= settings.min_df_lines:
        smax, tmax = settings.max_df * len(src), settings.max_df * len(tgt)
        usable = {f for f in usable if s_own.get(f, 0) <= smax and t_own.get(f, 0) <= tmax}
    # fold very large vocabularies (long same-language texts) so bit sets stay cheap to combine
    index = {f: i % settings.max_bits for i, f in enumerate(sorted(usable))}

    def mask(features: Iterable[str]) -> int:
        m = 0
        for f in features:
            i = index.get(f)
            if i is not None:
                m |= 1 << i
        return m

    log.debug("alignment features kept: %d", len(index))
    return (
        ([mask(f[0]) for f in src], [mask(f[1]) for f in src]),
        ([mask(f[0]) for f in tgt], [mask(f[1]) for f in tgt]),
    )


def _add_symmetric(feats: list[Feats], more: Iterable[set[str]]) -> None:
    for (own, reach), extra in zip(feats, more, strict=True):
        own |= extra
        reach |= extra


def add_symmetric_features(feats: list[Features], more: Iterable[set[str]]) -> None:
    """Add features that are both had and matched (learned pairs) to each sentence of
    :func:`feature_sets`'s lists, in place."""
    for k, extra in enumerate(more):
        if extra:
            own, reach = feats[k]
            feats[k] = (
                own + tuple(sorted(extra.difference(own))),
                reach + tuple(sorted(extra.difference(reach))),
            )


def _frozen(feats: list[Feats]) -> list[Features]:
    out: list[Any] = feats
    for k, (own, reach) in enumerate(feats):
        out[k] = (tuple(own), tuple(reach))  # each pair of sets is freed as it goes
    return out


def feature_sets(
    src: Sequence[str],
    tgt: Sequence[str],
    *,
    src_lang: str = "zh",
    tgt_lang: str = "en",
    mt: Sequence[str] | None = None,
    settings: SimSettings | None = None,
) -> tuple[list[Features], list[Features]]:
    """The (own, reach) string features of every source and target sentence."""
    settings = settings or SimSettings()
    unknown = sorted(set(settings.sources) - set(KNOWN_SOURCES))
    if unknown:
        raise ValueError(f"unknown similarity sources {unknown}; known: {list(KNOWN_SOURCES)}")
    src_f: list[Feats] = [(set(), set()) for _ in src]
    tgt_f: list[Feats] = [(set(), set()) for _ in tgt]
    if "anchors" in settings.sources:
        _add_symmetric(src_f, map(anchor_features, src))
        _add_symmetric(tgt_f, map(anchor_features, tgt))
    if src_lang == tgt_lang and "surface" in settings.sources:
        _add_symmetric(src_f, (surface_features(t, src_lang) for t in src))
        _add_symmetric(tgt_f, (surface_features(t, tgt_lang) for t in tgt))
    if {src_lang, tgt_lang} == {"zh", "en"} and "dict" in settings.sources and src and tgt:
        lexicon = load_lexicon(settings.glossary)
        en_f, zh_f = (src_f, tgt_f) if src_lang == "en" else (tgt_f, src_f)
        en_texts, zh_texts = (src, tgt) if src_lang == "en" else (tgt, src)
        heads = english_headwords(en_texts, lexicon)
        zh_dict = chinese_dictionary_features(zh_texts, lexicon, heads)
        present = {f[2:] for own, _ in zh_dict for f in own if f.startswith("d:")}
        en_dict = english_dictionary_features(en_texts, lexicon, present)
        for feats, extra in ((en_f, en_dict), (zh_f, zh_dict)):
            # the (larger) dictionary sets take the others in: no second copy of them
            for k, ((own, reach), (more_own, more_reach)) in enumerate(
                zip(feats, extra, strict=True)
            ):
                more_own |= own
                more_reach |= reach
                feats[k] = (more_own, more_reach)
        del zh_dict, en_dict
    if mt is not None:
        _add_symmetric(src_f, (surface_features(t, tgt_lang, prefix="m:") for t in mt))
        _add_symmetric(tgt_f, (surface_features(t, tgt_lang, prefix="m:") for t in tgt))
    return _frozen(src_f), _frozen(tgt_f)


def pack_features(
    src: Sequence[str],
    tgt: Sequence[str],
    src_feats: Sequence[Features],
    tgt_feats: Sequence[Features],
    *,
    src_lang: str = "zh",
    tgt_lang: str = "en",
    settings: SimSettings | None = None,
) -> tuple[SideFeatures, SideFeatures]:
    """Lengths and packed feature bit sets of both sides of one document."""
    (s_own, s_reach), (t_own, t_reach) = _pack(src_feats, tgt_feats, settings or SimSettings())
    return (
        SideFeatures(
            tuple(text_length(t, src_lang) for t in src), tuple(s_own), None, tuple(s_reach)
        ),
        SideFeatures(
            tuple(text_length(t, tgt_lang) for t in tgt), tuple(t_own), None, tuple(t_reach)
        ),
    )
