"""Similarity sources for the sentence aligner: length, lexical anchors, dictionary, MT bridge.

Every source turns a sentence into a set of string features in a space shared by both sides;
the aligner compares the union of the features of a bead's source sentences with the union of
its target sentences (Dice overlap), next to a Gale-Church length cost. Features are kept only
when they occur on both sides of the document and in at most a fifth of its sentences, and are
then packed into Python ``int`` bit sets, so that the union of a span is ``|`` and the overlap
``(a & b).bit_count()``.

Sources (names for :class:`SimSettings.sources`):

* ``anchors``: numbers (``2015``, ``1,000`` = ``1000``), document symbols (``E/CN.15/2021/5``)
  and Latin-script tokens (``COVID-19``, ``UNODC``) found in both languages;
* ``dict``: for zh/en pairs, English words map to the Chinese terms of
  :mod:`unmt.pipeline.align_dict` that occur in the Chinese sentence (and UN glossary phrases);
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

from unmt.pipeline.align_dict import Lexicon, load_lexicon

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
    """Per sentence of one side: length in Chinese-character units and a feature bit set.

    ``vectors``: unit-length sentence embeddings, an ``(n, d)`` numpy array, when the optional
    embeddings source is on (else ``None``).
    """

    lengths: tuple[float, ...]
    masks: tuple[int, ...]
    vectors: Any = None


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

    def zh_terms(self, text: str) -> set[str]:
        return {term for _end, term in self.automaton.iter(text)}

    def en_phrases(self, text: str) -> set[int]:
        if not len(self.phrases):
            return set()
        norm = " " + " ".join(w.lower() for w in _EN_WORD.findall(text)) + " "
        return {i for _end, ids in self.phrases.iter(norm) for i in ids}


_FINDERS: dict[int, _TermFinder] = {}


def dictionary_features(texts: Sequence[str], lang: str, lexicon: Lexicon) -> list[set[str]]:
    """``d:<term>`` features: Chinese terms found in zh texts, or translations of en words."""
    finder = _FINDERS.get(id(lexicon))
    if finder is None:
        finder = _FINDERS[id(lexicon)] = _TermFinder(lexicon)
    out: list[set[str]] = []
    for text in texts:
        if lang == "zh":
            terms = finder.zh_terms(text)
            feats = {"d:" + t for t in terms}
            feats |= {f"g:{i}" for t in terms for i in finder.zh_phrase_ids.get(t, ())}
        else:
            feats = {"d:" + t for w in _EN_WORD.findall(text) for t in lexicon.lookup(w.lower())}
            feats |= {f"g:{i}" for i in finder.en_phrases(text)}
        out.append(feats)
    return out


def _pack(
    src_sets: list[set[str]], tgt_sets: list[set[str]], settings: SimSettings
) -> tuple[list[int], list[int]]:
    def doc_freq(sets: Iterable[set[str]]) -> dict[str, int]:
        df: dict[str, int] = {}
        for s in sets:
            for f in s:
                df[f] = df.get(f, 0) + 1
        return df

    sdf, tdf = doc_freq(src_sets), doc_freq(tgt_sets)
    keep = sorted(set(sdf) & set(tdf))
    if len(src_sets) >= settings.min_df_lines and len(tgt_sets) >= settings.min_df_lines:
        smax, tmax = settings.max_df * len(src_sets), settings.max_df * len(tgt_sets)
        keep = [f for f in keep if sdf[f] <= smax and tdf[f] <= tmax]
    # fold very large vocabularies (long same-language texts) so bit sets stay cheap to combine
    index = {f: i % settings.max_bits for i, f in enumerate(keep)}

    def masks(sets: list[set[str]]) -> list[int]:
        out = []
        for s in sets:
            m = 0
            for f in s:
                i = index.get(f)
                if i is not None:
                    m |= 1 << i
            out.append(m)
        return out

    log.debug("alignment features kept: %d", len(keep))
    return masks(src_sets), masks(tgt_sets)


def feature_sets(
    src: Sequence[str],
    tgt: Sequence[str],
    *,
    src_lang: str = "zh",
    tgt_lang: str = "en",
    mt: Sequence[str] | None = None,
    settings: SimSettings | None = None,
) -> tuple[list[set[str]], list[set[str]]]:
    """The string features of every source and target sentence (before packing)."""
    settings = settings or SimSettings()
    unknown = sorted(set(settings.sources) - set(KNOWN_SOURCES))
    if unknown:
        raise ValueError(f"unknown similarity sources {unknown}; known: {list(KNOWN_SOURCES)}")
    src_sets: list[set[str]] = [set() for _ in src]
    tgt_sets: list[set[str]] = [set() for _ in tgt]
    if "anchors" in settings.sources:
        for s, text in zip(src_sets, src, strict=True):
            s |= anchor_features(text)
        for s, text in zip(tgt_sets, tgt, strict=True):
            s |= anchor_features(text)
    if src_lang == tgt_lang and "surface" in settings.sources:
        for s, text in zip(src_sets, src, strict=True):
            s |= surface_features(text, src_lang)
        for s, text in zip(tgt_sets, tgt, strict=True):
            s |= surface_features(text, tgt_lang)
    if {src_lang, tgt_lang} == {"zh", "en"} and "dict" in settings.sources and src and tgt:
        lexicon = load_lexicon(settings.glossary)
        for sets, texts, lang in ((src_sets, src, src_lang), (tgt_sets, tgt, tgt_lang)):
            for s, feats in zip(sets, dictionary_features(texts, lang, lexicon), strict=True):
                s |= feats
    if mt is not None:
        for s, text in zip(src_sets, mt, strict=True):
            s |= surface_features(text, tgt_lang, prefix="m:")
        for s, text in zip(tgt_sets, tgt, strict=True):
            s |= surface_features(text, tgt_lang, prefix="m:")
    return src_sets, tgt_sets


def pack_features(
    src: Sequence[str],
    tgt: Sequence[str],
    src_sets: list[set[str]],
    tgt_sets: list[set[str]],
    *,
    src_lang: str = "zh",
    tgt_lang: str = "en",
    settings: SimSettings | None = None,
) -> tuple[SideFeatures, SideFeatures]:
    """Lengths and packed feature bit sets of both sides of one document."""
    smasks, tmasks = _pack(src_sets, tgt_sets, settings or SimSettings())
    return (
        SideFeatures(tuple(text_length(t, src_lang) for t in src), tuple(smasks)),
        SideFeatures(tuple(text_length(t, tgt_lang) for t in tgt), tuple(tmasks)),
    )
