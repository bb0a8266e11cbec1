"""Term matching: glossary terms in the Chinese source, their renderings in the English.

A :class:`TermMatcher` is compiled once per glossary: one Aho-Corasick automaton over every
Chinese form (so thousands of terms cost little more than a few) and every English form
(approved, variants, forbidden) pre-tokenised by :mod:`unmt.eval.terms.english`.

Chinese matching: all glossary forms found in the segment compete, the longest first (ties: the
leftmost), and a match is kept only where it overlaps none kept before, so ``会员国`` wins over
``国``. Comparison folds full-width ASCII to ASCII and Latin letters to lower case; character
offsets are those of the original segment. A match of one or two characters inside a longer
word or a name (马里 in 特斯法马里亚姆, 象 in 现象) is dropped (:mod:`unmt.eval.terms.words`).

English matching, per source occurrence, counts like WMT21's exact-match term accuracy with
repeated terms: the n-th occurrence of an entry in a segment is *found* when the hypothesis holds
at least n non-overlapping accepted forms (approved or variant) of that entry. Forbidden
renderings that overlap no accepted form are charged to the occurrences left unfound first (as
their ``rendering``), any others to the last occurrence; each is counted once. With a reference,
``in_ref`` says the same of the reference.

Entries of one segment do not share a span of the hypothesis (or the reference): when two
source terms have accepted forms in common (安全理事会 and 安理会 both accept "Security
Council", 安理会 also "Council"), the entry with the longer Chinese term claims its spans
first, and the other is judged on what is left. So "Council's" is not credited to 安全理事会
because 安理会's occurrences also matched it, and one "Security Council" does not count for
both terms.

Context-dependent entries (``Entry.context``): an entry with a context applies instead of the
general entry of the same Chinese term in a document whose source holds one of its context words
(:meth:`TermMatcher.active`); a contextual entry with no general entry is matched only there.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from unmt import __version__
from unmt.eval.glossary.load import Entry, Glossary
from unmt.eval.terms.english import EN_MATCH_OPTIONS, EnForm, EnText, compile_form
from unmt.eval.terms.words import MAX_CHECKED, WORDS_OPTION, inside_a_word, segment
from unmt.records import TermHit
from unmt.signature import Signature

log = logging.getLogger(__name__)

ZH_MATCH_OPTIONS = f"longest-first+fullwidth-fold+{WORDS_OPTION}"


@functools.cache
def _zh_fold_table() -> dict[int, int]:
    table = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
    table.update({c: c - 0xFEE0 + 32 for c in range(0xFF21, 0xFF3B)})
    table.update({c: c + 32 for c in range(ord("A"), ord("Z") + 1)})
    table[0x3000] = 0x20
    return table


def fold_zh(text: str) -> str:
    """Fold full-width ASCII and Latin capitals, keeping the length (offsets stay valid)."""
    return text.translate(_zh_fold_table())


@dataclass(frozen=True, slots=True)
class _Compiled:
    entry: Entry
    accepted: list[EnForm]
    forbidden: list[EnForm]


class TermMatcher:
    """A glossary compiled for matching; reusable across segments and documents.

    Args:
        glossary: the (merged) glossary.
        min_zh_chars: Chinese forms shorter than this are not matched.
    """

    def __init__(self, glossary: Glossary, *, min_zh_chars: int = 1) -> None:
        import ahocorasick

        self.glossary = glossary
        self.min_zh_chars = min_zh_chars
        self._entries: list[_Compiled] = []
        self._automaton = ahocorasick.Automaton()
        #: folded Chinese form -> (context words, entry index) of its context-dependent entries
        self._contextual: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        shadowed = 0
        for entry in glossary.entries:
            index = len(self._entries)
            self._entries.append(
                _Compiled(
                    entry,
                    [f for text in entry.accepted for f in compile_form(text)],
                    [f for text in entry.forbidden for f in compile_form(text)],
                )
            )
            for form in entry.zh_forms:
                key = fold_zh(form.strip())
                if len(key) < min_zh_chars:
                    continue
                if entry.context:
                    words = tuple(fold_zh(w) for w in entry.context)
                    self._contextual.setdefault(key, []).append((words, index))
                    continue
                if key in self._automaton:
                    shadowed += 1
                    continue
                self._automaton.add_word(key, (len(key), index))
        for key in self._contextual:  # matched only where a context is active
            if key not in self._automaton:
                self._automaton.add_word(key, (len(key), -1))
        if len(self._automaton):
            self._automaton.make_automaton()
        if shadowed:
            log.info("%d Chinese forms shadowed by an earlier entry", shadowed)

    @property
    def signature(self) -> Signature:
        """What decides the term figures: glossary members, matching options, unmt version."""
        return Signature.of(
            glossary=self.glossary.signature,
            zh=ZH_MATCH_OPTIONS,
            min=self.min_zh_chars,
            en=EN_MATCH_OPTIONS,
            count="wmt21",
            version=f"unmt-{__version__}",
        )

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, index: int) -> Entry:
        """The glossary entry behind a match index."""
        return self._entries[index].entry

    @property
    def has_contexts(self) -> bool:
        """Whether the glossary has context-dependent entries."""
        return bool(self._contextual)

    def active(self, document: str) -> frozenset[int]:
        """The context-dependent entries that apply in a document with this source text."""
        if not self._contextual:
            return frozenset()
        folded = fold_zh(document)
        return frozenset(
            index
            for rules in self._contextual.values()
            for words, index in rules
            if any(w and w in folded for w in words)
        )

    def _resolve(self, key: str, index: int, active: frozenset[int]) -> int:
        """The entry a match of ``key`` stands for: an active contextual one, else ``index``."""
        if active:
            for _, candidate in self._contextual.get(key, ()):
                if candidate in active:
                    return candidate
        return index

    def match_source(
        self, text: str, active: frozenset[int] = frozenset()
    ) -> list[tuple[int, int, int]]:
        """Non-overlapping Chinese term matches ``(start, end, entry index)`` in text order;
        ``active``: the document's context-dependent entries (:meth:`active`)."""
        if not len(self._automaton) or not text:
            return []
        folded = fold_zh(text)
        candidates = []
        for end, (length, index) in self._automaton.iter(folded):
            start = end + 1 - length
            if self._contextual:
                index = self._resolve(folded[start : end + 1], index, active)
                if index < 0:
                    continue  # a contextual term outside its context
            candidates.append((start, end + 1, index))
        if len(candidates) <= 1:
            return _words_only(text, candidates)
        candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
        taken = bytearray(len(text))
        kept = []
        for start, end, index in candidates:
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * (end - start)
                kept.append((start, end, index))
        kept.sort()
        return _words_only(text, kept)

    def score(
        self,
        seg: str,
        src: str,
        hyp: str,
        ref: str | None = None,
        doc: str = "",
        active: frozenset[int] = frozenset(),
    ) -> list[TermHit]:
        """Match the source and judge each occurrence in the hypothesis (and reference);
        ``active``: the document's context-dependent entries (:meth:`active`)."""
        matches = self.match_source(src, active)
        if not matches:
            return []
        by_entry: dict[int, list[tuple[int, int]]] = {}
        for start, end, index in matches:
            by_entry.setdefault(index, []).append((start, end))
        hyp_text = EnText(hyp)
        ref_text = EnText(ref) if ref is not None else None
        hits: list[TermHit] = []
        claimed: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])  # hyp, ref
        order = sorted(by_entry, key=lambda i: (-max(e - s for s, e in by_entry[i]), by_entry[i]))
        for index in order:  # longer (more specific) source terms claim their spans first
            hits.extend(
                self._judge(index, by_entry[index], src, hyp_text, ref_text, seg, doc, claimed)
            )
        hits.sort(key=lambda h: h.start)
        return hits

    def _judge(
        self,
        index: int,
        spans: Sequence[tuple[int, int]],
        src: str,
        hyp: EnText,
        ref: EnText | None,
        seg: str,
        doc: str,
        claimed: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], []),
    ) -> list[TermHit]:
        compiled = self._entries[index]
        entry = compiled.entry
        every = hyp.find(compiled.accepted)
        accepted = _free(every, claimed[0])
        bad: list[tuple[int, int, int]] = []
        if compiled.forbidden:
            bad = [
                m
                for m in hyp.find(compiled.forbidden)
                if all(m[1] <= a[0] or m[0] >= a[1] for a in every)
            ]
        in_ref = None
        in_ref_spans: list[tuple[int, int, int]] = []
        if ref is not None:
            in_ref_spans = _free(ref.find(compiled.accepted), claimed[1])
            in_ref = len(in_ref_spans)
            claimed[1].extend((s, e) for s, e, _ in in_ref_spans[: len(spans)])
        claimed[0].extend((s, e) for s, e, _ in accepted[: len(spans)])
        out = []
        for k, (start, end) in enumerate(spans):
            rendering, hs, he = None, -1, -1
            charged: tuple[tuple[str, int, int], ...] = ()
            if k < len(accepted):
                hs, he, _ = accepted[k]
                rendering = hyp.text[hs:he]
            else:
                j = k - len(accepted)
                if j < len(bad):
                    hs, he, _ = bad[j]
                    rendering = hyp.text[hs:he]
                    charged = ((rendering, hs, he),)
            if k == len(spans) - 1:
                extra = bad[max(0, len(spans) - len(accepted)) :]
                charged += tuple((hyp.text[s:e], s, e) for s, e, _ in extra)
            out.append(
                TermHit(
                    seg=seg,
                    entry=entry.id,
                    zh=src[start:end],
                    start=start,
                    end=end,
                    en=entry.en,
                    found=k < len(accepted),
                    rendering=rendering,
                    hyp_start=hs,
                    hyp_end=he,
                    forbidden=charged,
                    in_ref=None if in_ref is None else k < in_ref,
                    doc=doc,
                    glossary=entry.glossary,
                    ref_start=in_ref_spans[k][0] if k < len(in_ref_spans) else -1,
                    ref_end=in_ref_spans[k][1] if k < len(in_ref_spans) else -1,
                )
            )
        return out


def _free(
    matches: list[tuple[int, int, int]], claimed: list[tuple[int, int]]
) -> list[tuple[int, int, int]]:
    """The matches that overlap no span another entry of the segment has claimed."""
    if not claimed:
        return matches
    return [m for m in matches if all(m[1] <= s or m[0] >= e for s, e in claimed)]


def _words_only(text: str, matches: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The matches minus short ones inside a longer word or a name (:mod:`.words`)."""
    if not any(end - start <= MAX_CHECKED for start, end, _ in matches):
        return matches
    words = segment(text)
    return [m for m in matches if m[1] - m[0] > MAX_CHECKED or not inside_a_word(words, m[0], m[1])]
