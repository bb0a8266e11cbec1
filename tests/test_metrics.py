"""Term summaries from raw hits, the per-term table, and sacreBLEU statistics."""

from __future__ import annotations

import pytest

from unmt.eval.metrics import (
    RefStats,
    StatTotals,
    TermTally,
    rendering_key,
    summarize_terms,
    term_table,
)
from unmt.records import TermHit


def hit(entry: str, found: bool, rendering: str | None = None, **kw: object) -> TermHit:
    return TermHit(
        seg=str(kw.pop("seg", "1")),
        entry=entry,
        zh=str(kw.pop("zh", entry)),
        start=0,
        end=1,
        en=str(kw.pop("en", entry.upper())),
        found=found,
        rendering=rendering if rendering is not None else (entry if found else None),
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("hits", "acc", "acc_ref", "consistency", "forbidden"),
    [
        ([], None, None, None, 0),
        ([hit("a", True), hit("b", False)], 0.5, None, None, 0),
        # reference-confirmed: only occurrences whose English the reference uses
        ([hit("a", True, in_ref=True), hit("b", False, in_ref=False)], 0.5, 1.0, None, 0),
        ([hit("a", False, in_ref=True), hit("b", True, in_ref=False)], 0.5, 0.0, None, 0),
        # consistency: share of the most frequent rendering of each repeated entry
        (
            [hit("a", True, "State"), hit("a", True, "States"), hit("a", True, "nation")],
            1,
            None,
            2 / 3,
            0,
        ),
        ([hit("a", True, "x"), hit("a", False)], 0.5, None, 0.5, 0),
        ([hit("a", False), hit("a", False)], 0.0, None, 0.0, 0),
        (
            [hit("a", True, "x"), hit("a", True, "x"), hit("b", True, "y"), hit("b", True, "z")],
            1.0,
            None,
            3 / 4,
            0,
        ),
        # forbidden renderings count once each
        ([hit("a", False, "bad", forbidden=(("bad", 0, 3), ("bad", 5, 8)))], 0.0, None, None, 2),
    ],
)
def test_summarize_terms(
    hits: list[TermHit],
    acc: float | None,
    acc_ref: float | None,
    consistency: float | None,
    forbidden: int,
) -> None:
    s = summarize_terms(hits)
    assert s.occurrences == len(hits)
    assert s.term_accuracy == (pytest.approx(acc) if acc is not None else None)
    assert s.term_accuracy_ref == (pytest.approx(acc_ref) if acc_ref is not None else None)
    assert s.consistency == (pytest.approx(consistency) if consistency is not None else None)
    assert s.forbidden == forbidden


def test_term_table_groups_renderings() -> None:
    hits = [
        hit("ms", True, "Member States", zh="会员国"),
        hit("ms", True, "member state", zh="会员国"),
        hit("ms", True, "Member States", zh="会员国", in_ref=True),
        hit("ms", False, zh="会员国"),
        hit("sg", True, "Secretary-General", zh="秘书长"),
    ]
    rows = term_table(hits)
    assert [r.entry for r in rows] == ["ms", "sg"]
    ms = rows[0]
    assert (ms.occurrences, ms.hits, ms.ref_occurrences, ms.ref_hits) == (4, 3, 1, 1)
    assert ms.accuracy == pytest.approx(0.75)
    assert ms.renderings == (("Member States", 3), ("", 1))
    assert ms.to_json()["renderings"] == [["Member States", 3], ["", 1]]


def test_tally_in_batches_equals_all_at_once() -> None:
    """The corpus report adds one document's hits at a time: the figures must not depend on
    how the hits were cut."""
    hits = [
        hit("ms", True, "Member States", zh="会员国", in_ref=True),
        hit("sg", False, zh="秘书长"),
        hit("ms", True, "member state", zh="会员国"),
        hit("ms", False, "nations", zh="会员国", forbidden=(("nations", 0, 7),)),
        hit("sg", True, "Secretary-General", zh="秘书长", in_ref=True),
        hit("sg", True, "Secretary General", zh="秘书长"),
    ]
    tally = TermTally()
    for cut in ([0, 1], [], [2, 3, 4], [5]):
        tally.add(hits[i] for i in cut)
    assert tally.summary() == summarize_terms(hits)
    assert tally.table() == term_table(hits)
    assert tally.summary().consistency == pytest.approx(4 / 6)  # 2 of 3 each (a miss never counts)


def test_stat_totals_equal_scoring_at_once() -> None:
    """Summed sufficient statistics, part by part, give sacreBLEU's corpus figures exactly."""
    whole = RefStats(HYPS, REFS)
    totals = StatTotals()
    for lo, hi in ((0, 1), (1, 1), (1, 4)):
        totals.add(RefStats(HYPS[lo:hi], REFS[lo:hi]).stats_json())
    summed = totals.ref_stats()
    assert summed is not None and totals.metrics == whole.metrics
    assert summed.scores() == whole.scores()
    assert [summed.detail(m) for m in whole.metrics] == [whole.detail(m) for m in whole.metrics]
    totals.add(None)  # a part without a reference: left out, counted
    again = totals.ref_stats()
    assert again is not None and again.scores() == whole.scores()
    assert (totals.with_stats, totals.parts) == (3, 4)
    assert StatTotals().ref_stats() is None


def test_rendering_key() -> None:
    assert rendering_key("Counter-Terrorism") == rendering_key("counterterrorism")


HYPS = ["The cat sat on the mat.", "Peace and security.", "", "A completely different line"]
REFS = ["The cat sat on the mat.", "Peace and international security.", "Nothing.", "Other words"]


def test_ref_stats_equal_sacrebleu() -> None:
    from sacrebleu.metrics import BLEU, CHRF, TER

    stats = RefStats(HYPS, REFS)
    scores = stats.scores()
    assert scores["bleu"] == round(BLEU().corpus_score(HYPS, [REFS]).score, 2)
    assert scores["chrf"] == round(CHRF().corpus_score(HYPS, [REFS]).score, 2)
    assert scores["ter"] == round(TER().corpus_score(HYPS, [REFS]).score, 2)
    chrf = CHRF()
    assert stats.segment_chrf() == [
        round(chrf.sentence_score(h, [r]).score, 2) for h, r in zip(HYPS, REFS, strict=True)
    ]
    sub = stats.scores([0, 1])
    assert sub["bleu"] == round(BLEU().corpus_score(HYPS[:2], [REFS[:2]]).score, 2)
    assert stats.signatures["bleu"].startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp")
    assert "nc:6" in stats.signatures["chrf"] and "tok:tercom" in stats.signatures["ter"]
    assert stats.detail("bleu").startswith("BLEU = ")


def test_ref_stats_parallel_ter_equals_serial() -> None:
    hyps, refs = HYPS * 60, REFS * 60
    serial = RefStats(hyps, refs, ("ter",)).scores()["ter"]
    parallel = RefStats(hyps, refs, ("ter",), jobs=2)
    assert parallel.scores()["ter"] == serial
    assert "tok:tercom" in parallel.signatures["ter"]


def test_ref_stats_only_requested_metrics() -> None:
    stats = RefStats(HYPS, REFS, ("bleu",))
    assert stats.scores()["chrf"] is None and stats.segment_chrf() is None
    with pytest.raises(ValueError, match="unknown metrics"):
        RefStats(HYPS, REFS, ("meteor",))
    with pytest.raises(ValueError, match="references"):
        RefStats(HYPS, REFS[:2])


def test_ref_stats_in_chunks_with_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    """Statistics computed a chunk at a time (a progress step each) equal one call's."""
    import unmt.eval.metrics as metrics

    whole = RefStats(HYPS, REFS)
    monkeypatch.setattr(metrics, "_CHUNK", 1)
    ticks: list[int] = []
    chunked = RefStats(HYPS, REFS, progress=ticks.append)
    assert chunked.stats_json() == whole.stats_json() and chunked.scores() == whole.scores()
    assert sum(ticks) == len(HYPS) * len(whole.metrics) and set(ticks) == {1}
