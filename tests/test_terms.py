"""Chinese term matching and per-occurrence judging of the English (TermHit records)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unmt.eval.glossary.load import Entry, Glossary
from unmt.eval.terms.matcher import TermMatcher, fold_zh
from unmt.records import TermHit

ENTRIES = (
    Entry("ms", "会员国", "Member States", variants=("States Members",), glossary="t"),
    Entry("state", "国家", "States", glossary="t"),
    Entry("sg", "秘书长", "Secretary-General", glossary="t"),
    Entry("ct", "反恐怖主义", "counter-terrorism", forbidden=("anti-terrorism",), glossary="t"),
    Entry("terror", "恐怖主义", "terrorism", glossary="t"),
    Entry("unodc", "联合国毒品和犯罪问题办公室", "UNODC", variants=("Office on Drugs and Crime",)),
    Entry("ftf", "外国恐怖主义战斗人员", "foreign terrorist fighters", glossary="t"),
    Entry("un", "联合国", "United Nations", variants=("UN",), zh_variants=("联合国组织",)),
    Entry("hiv", "ＨＩＶ病毒", "HIV", glossary="t"),
)


@pytest.fixture(scope="module")
def matcher() -> TermMatcher:
    return TermMatcher(Glossary("t", "ab" * 32, ENTRIES, (("t", "ab" * 32),)))


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("会员国和国家", ["会员国", "国家"]),  # 会员国 wins over its inner 国
        ("反恐怖主义措施", ["反恐怖主义"]),  # longest first: not 恐怖主义
        ("外国恐怖主义战斗人员和恐怖主义", ["外国恐怖主义战斗人员", "恐怖主义"]),
        ("联合国毒品和犯罪问题办公室与联合国", ["联合国毒品和犯罪问题办公室", "联合国"]),
        ("联合国组织", ["联合国组织"]),  # a Chinese variant, longer than the main form
        ("hiv病毒", ["hiv病毒"]),  # full-width and case folded, original text reported
        ("没有术语。", []),
        ("", []),
    ],
)
def test_chinese_longest_match_first(matcher: TermMatcher, src: str, expected: list[str]) -> None:
    found = [src[s:e] for s, e, _ in matcher.match_source(src)]
    assert found == expected


def test_fold_keeps_length() -> None:
    text = "ＡＢＣ　联合国ｘ"
    assert len(fold_zh(text)) == len(text)
    assert fold_zh(text) == "abc 联合国x"


def test_positions_and_judgement(matcher: TermMatcher) -> None:
    src = "秘书长赞扬会员国的反恐怖主义工作。"
    hyp = "The Secretary General praised the anti-terrorism work of Member States."
    hits = matcher.score("d:p1.s1", src, hyp, doc="d")
    by = {h.entry: h for h in hits}
    assert [h.entry for h in hits] == ["sg", "ms", "ct"]
    assert (by["sg"].start, by["sg"].end, by["sg"].found) == (0, 3, True)
    assert hyp[by["sg"].hyp_start : by["sg"].hyp_end] == "Secretary General"
    assert by["ms"].rendering == "Member States" and by["ms"].in_ref is None
    ct = by["ct"]
    assert not ct.found
    assert ct.rendering == "anti-terrorism"
    assert ct.forbidden == (("anti-terrorism", 34, 48),)
    assert all(h.doc == "d" and h.seg == "d:p1.s1" for h in hits)


@pytest.mark.parametrize(
    ("src", "hyp", "found"),
    [
        # WMT21-style counting: two occurrences need two renderings
        ("会员国和会员国", "Member States and Member States", [True, True]),
        ("会员国和会员国", "Member States and their peers", [True, False]),
        ("会员国和会员国", "Member States and States Members", [True, True]),  # a variant
        ("会员国", "", [False]),  # empty hypothesis: a miss
        ("会员国", "member state's position", [True]),
    ],
)
def test_occurrences_count(matcher: TermMatcher, src: str, hyp: str, found: list[bool]) -> None:
    assert [h.found for h in matcher.score("1", src, hyp)] == found


def test_reference_confirmation(matcher: TermMatcher) -> None:
    hits = matcher.score(
        "1", "会员国和秘书长", "Member States and the Secretary-General", ref="The Member States."
    )
    assert [(h.entry, h.found, h.in_ref) for h in hits] == [
        ("ms", True, True),
        ("sg", True, False),
    ]


def test_forbidden_charged_once(matcher: TermMatcher) -> None:
    hits = matcher.score(
        "1", "反恐怖主义和反恐怖主义", "anti-terrorism, anti-terrorism, anti-terrorism"
    )
    assert [len(h.forbidden) for h in hits] == [1, 2]
    assert sum(len(h.forbidden) for h in hits) == 3


def test_forbidden_inside_accepted_is_not_flagged() -> None:
    entries = (Entry("x", "安全理事会", "Security Council", forbidden=("Council",)),)
    m = TermMatcher(Glossary("g", "0" * 64, entries))
    (hit,) = m.score("1", "安全理事会", "the Security Council")
    assert hit.found and hit.forbidden == ()


def test_term_hit_json_round_trip(matcher: TermMatcher) -> None:
    hits = matcher.score("1", "反恐怖主义", "anti-terrorism", ref="counter-terrorism")
    for hit in hits:
        data = json.loads(json.dumps(hit.to_json(), ensure_ascii=False))
        assert TermHit.from_json(data) == hit


def test_signature_names_glossary_options_and_version(matcher: TermMatcher) -> None:
    sig = matcher.signature
    assert sig.get("glossary") == "t@abababababab" and sig.get("count") == "wmt21"
    sig = str(sig)
    assert "glossary:t@abababababab" in sig
    assert "zh:longest-first" in sig and "en:ci+hyphen+plural+possessive" in sig
    assert "version:unmt-" in sig


def test_min_zh_chars_skips_short_terms() -> None:
    m = TermMatcher(Glossary("t", "ab" * 32, ENTRIES), min_zh_chars=3)
    assert [e for _, _, e in m.match_source("国家和会员国")] == [0]


def test_thousands_of_terms_compile_once() -> None:
    entries = tuple(Entry(f"e{i}", f"术语{i:04d}号", f"term {i}") for i in range(3000))
    m = TermMatcher(Glossary("big", "0" * 64, entries))
    hits = m.score("1", "见术语0042号和术语2999号。", "see term 42 and term 2999")
    assert [(h.entry, h.found) for h in hits] == [("e42", True), ("e2999", True)]


def test_golden_unbis_sample_on_ecn15_reference() -> None:
    """Real data: the E/CN.15 dev lines, their human English as hypothesis, UNBIS crime sample."""
    import hashlib

    from tests.conftest import shared_path
    from unmt.eval.glossary.load import load_glossaries
    from unmt.eval.scoring import score_segments

    src = shared_path("un/UNv1.0.devset.E-CN15-subset.zh").read_text(encoding="utf-8")
    en = shared_path("un/UNv1.0.devset.E-CN15-subset.en").read_text(encoding="utf-8")
    glossary = load_glossaries([shared_path("terminology/unbis_sample_crime_terrorism.tsv")])
    result = score_segments(src.splitlines(), en.splitlines(), None, glossary)
    s = result.summary_json()
    assert (s["segments"], s["term_occurrences"], s["term_hits"], s["forbidden"]) == (56, 41, 27, 0)
    assert (s["consistency"], s["consistency_terms"]) == (pytest.approx(8 / 15), 7)
    rows = {r.zh: (r.occurrences, r.hits) for r in result.table}
    assert rows["腐败"] == (4, 4) and rows["恐怖主义"] == (4, 3) and rows["监狱改革"] == (2, 2)
    key = sorted((h.seg, h.entry, h.start, h.end, h.found) for h in result.hits)
    digest = hashlib.sha256(json.dumps(key).encode()).hexdigest()[:16]
    assert digest == "c6f9d198ee85c78a"


def test_entries_sharing_forms_do_not_share_spans() -> None:
    """安全理事会 x2 and 安理会 x2 in one segment: each "Security Council" goes to one
    occurrence, and "Council's" to 安理会, never to 安全理事会 (the case of issue 14)."""
    entries = (
        Entry("sc", "安全理事会", "Security Council", glossary="t"),
        Entry("sc-short", "安理会", "Security Council", variants=("Council",), glossary="t"),
    )
    m = TermMatcher(Glossary("t", "cd" * 32, entries, (("t", "cd" * 32),)))
    src = "安全理事会审议了报告。安理会成员发言。安全理事会通过决议。安理会主席致辞。"
    hyp = (
        "The Security Council considered the report. The Council's members spoke. "
        "The Security Council adopted a resolution. The Council's President spoke."
    )
    hits = m.score("1", src, hyp, hyp)
    got = [(h.zh, h.rendering, h.found, h.in_ref) for h in hits]
    assert got == [
        ("安全理事会", "Security Council", True, True),
        ("安理会", "Council's", True, True),
        ("安全理事会", "Security Council", True, True),
        ("安理会", "Council's", True, True),
    ]
    assert [(h.ref_start, h.ref_end) for h in hits] == [(h.hyp_start, h.hyp_end) for h in hits]
    one = m.score("2", "安全理事会和安理会", "The Security Council met.")
    assert [h.found for h in one] == [True, False]  # one span credits one occurrence


def test_context_dependent_terms(tmp_path: Path) -> None:
    """大会 is "General Assembly" in general and "the Conference" in a document that holds
    缔约国会议; a contextual-only entry (缔约方 here) is matched only in its context."""
    from unmt.eval.glossary.load import load_glossary
    from unmt.eval.scoring import score_segments

    text = (
        "zh\ten\tcontext\n大会\tGeneral Assembly\t\n大会\tthe Conference\t缔约国会议|缔约方会议\n"
        "缔约方\tParties\t缔约方会议\n"
    )
    path = tmp_path / "ctx.tsv"
    path.write_text(text, encoding="utf-8")
    glossary = load_glossary(path)
    assert glossary.issues == ()  # a general and a contextual 大会: two rules, no conflict
    contexts = [e.context for e in glossary.entries]
    assert contexts == [(), ("缔约国会议", "缔约方会议"), ("缔约方会议",)]
    m = TermMatcher(glossary)
    src = ["大会通过了决议。", "缔约国会议第十届会议。", "大会决定。"]
    hyp = ["The General Assembly adopted it.", "The tenth session.", "The Conference decided."]
    plain = score_segments(src[:1], hyp[:1], None, m, doc_ids=["ga"], metrics=())
    assert [(h.en, h.found) for h in plain.hits] == [("General Assembly", True)]
    conf = score_segments(src, hyp, None, m, doc_ids=["cop"] * 3, metrics=())
    assert [(h.zh, h.en, h.found) for h in conf.hits] == [
        ("大会", "the Conference", False),  # the context holds for the whole document
        ("大会", "the Conference", True),
    ]
    assert m.match_source("缔约方提交了报告。") == []  # contextual only: not outside its context
    active = m.active("缔约方会议。缔约方提交了报告。")
    assert [i for _, _, i in m.match_source("缔约方提交了报告。", active)] == [2]


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("特斯法马里亚姆先生发言。", []),  # 马里 inside a name (Tesfamariam): not Mali
        ("在马里和尼日尔。", ["马里"]),
        ("马里政府代表发言。", ["马里"]),  # 马里政府 = 马里 + 政府, a compound of words
        ("减轻贫穷现象。", []),  # 象 inside 现象
        ("为加强反腐败要素。", ["腐败"]),  # 反- is an affix: anti-corruption
        ("美国司法部", ["司法"]),  # -部: Department of Justice
        ("保护象和犀牛。", ["象"]),  # a word of its own
    ],
)
def test_short_terms_do_not_match_inside_words(src: str, expected: list[str]) -> None:
    entries = (
        Entry("mali", "马里", "Mali", glossary="t"),
        Entry("eleph", "象", "elephants", glossary="t"),
        Entry("corr", "腐败", "corruption", glossary="t"),
        Entry("just", "司法", "justice", glossary="t"),
    )
    m = TermMatcher(Glossary("t", "12" * 32, entries, (("t", "12" * 32),)))
    assert [src[s:e] for s, e, _ in m.match_source(src)] == expected
