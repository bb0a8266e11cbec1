"""English rendering matching: the documented case, hyphen, plural and possessive rules."""

from __future__ import annotations

import pytest

from unmt.eval.terms.english import EnText, canonical, compile_form, english_contains


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("States", "state"),
        ("State's", "state"),
        ("State’s", "state"),
        ("policies", "policy"),
        ("processes", "process"),
        ("taxes", "tax"),
        ("matches", "match"),
        ("children", "child"),
        ("women", "woman"),
        ("chairmen", "chairman"),
        ("crises", "crisis"),
        ("crisis", "crisis"),
        ("status", "status"),
        ("analysis", "analysis"),
        ("analyses", "analysis"),
        ("its", "its"),
        ("gas", "gas"),
        ("COUNTERTERRORISM", "counterterrorism"),
    ],
)
def test_canonical_token(token: str, expected: str) -> None:
    assert canonical(token) == expected


@pytest.mark.parametrize(
    ("form", "text", "matched"),
    [
        # case-insensitive, plural, possessive
        ("Member State", "All Member States agreed.", "Member States"),
        ("MEMBER STATES", "each member state's view", "member state's"),
        ("Member States", "the Member States' views", "Member States"),
        ("policy", "national policies", "policies"),
        ("indigenous peoples", "indigenous peoples'issues", "indigenous peoples"),
        ("Côte d'Ivoire", "in Côte d’Ivoire.", "Côte d’Ivoire"),
        # hyphens: a hyphen is a space or nothing, on either side
        ("counter-terrorism", "counter terrorism measures", "counter terrorism"),
        ("counter-terrorism", "counterterrorism measures", "counterterrorism"),
        ("counterterrorism", "Counter-Terrorism Committee", "Counter-Terrorism"),
        ("Secretary-General", "the Secretary General said", "Secretary General"),
        # whitespace and punctuation between words do not matter
        ("mutual legal assistance", "mutual  legal\tassistance", "mutual  legal\tassistance"),
        ("resolution 1373 (2001)", "resolution 1373(2001) and", "resolution 1373(2001)"),
        # a trailing bracketed qualifier is optional
        ("AVERAGE (MARITIME LAW)", "the general average applies", "average"),
        ("Bolivia (Plurinational State of)", "Bolivia (Plurinational State of)", None),
    ],
)
def test_form_matches(form: str, text: str, matched: str | None) -> None:
    found = EnText(text).find(compile_form(form))
    assert found, f"{form!r} not found in {text!r}"
    start, end, _ = found[0]
    assert text[start:end] == (matched if matched is not None else text)


@pytest.mark.parametrize(
    ("form", "text"),
    [
        ("State", "statement of the statehood"),  # word boundaries
        ("terrorism", "counterterrorism"),  # no match inside a solid compound
        ("counter terrorism", "counterterrorism"),  # spaces are not hyphens
        ("Member States", "member of States"),  # token order and adjacency
        ("UN", "a run"),
        ("", "anything"),
    ],
)
def test_form_does_not_match(form: str, text: str) -> None:
    assert not EnText(text).find(compile_form(form))


def test_longest_form_wins_and_matches_do_not_overlap() -> None:
    forms = compile_form("State") + compile_form("Member State")
    text = "Member States and States"
    found = EnText(text).find(forms)
    assert [text[s:e] for s, e, _ in found] == ["Member States", "States"]
    assert [i for _, _, i in found] == [1, 0]


def test_repeated_matches_are_all_found() -> None:
    text = "UNODC, UNODC and unodc"
    assert len(EnText(text).find(compile_form("UNODC"))) == 3


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Member States", "member state", True),
        ("counter-terrorism", "counterterrorism", True),
        ("counter-terrorism", "counter terrorism", True),
        ("Member States", "States", False),
    ],
)
def test_rendering_key(a: str, b: str, same: bool) -> None:
    assert (EnText(a).key == EnText(b).key) is same


def test_english_contains() -> None:
    assert english_contains("the Counter-Terrorism Committee", ["counterterrorism committee"])
    assert not english_contains("the committee", ["counterterrorism committee"])
    assert not english_contains("anything", [])
