"""CC-CEDICT parsing for the aligner's dictionary: inline lines, merging, errors, the cache."""

from __future__ import annotations

import pickle
from collections.abc import Iterator

import pytest

from unmt.errors import UserError
from unmt.pipeline.align import cedict as align_cedict
from unmt.pipeline.align.cedict import (
    CedictFormatError,
    load_cedict,
    parse_cedict,
    parse_line,
    sense_words,
)
from unmt.pipeline.align.lexicon import invert, load_lexicon

REPORT = (
    "報告 报告 [bao4 gao4] /to inform/to report/to make known/report/speech/talk/lecture/"
    "CL:篇[pian1],份[fen4],個|个[ge4],通[tong4]/"
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (REPORT, ("报告", ["inform", "report", "make", "known", "speech", "talk", "lecture"])),
        (
            "會 会 [kuai4] /to balance an account/accounting/accountant/",
            ("会", ["balance", "account", "accounting", "accountant"]),
        ),
        (  # classifier in parentheses, "used up" is all function words
            "光 光 [guang1] /light; ray (CL:道[dao4])/used up; finished/",
            ("光", ["light", "ray", "finished"]),
        ),
        (  # pronunciation note skipped
            "像模像樣 像模像样 [xiang4 mu2 xiang4 yang4] /solemn/presentable/"
            "Taiwan pr. [xiang4 mo2 xiang4 yang4]/",
            ("像模像样", ["solemn", "presentable"]),
        ),
        (  # literal gloss skipped, (idiom) removed
            "家給人足 家给人足 [jia1 ji3 ren2 zu2] /lit. each household provided for, enough for "
            "the individual (idiom); comfortably off/",
            ("家给人足", ["comfortably"]),
        ),
        ("説 说 [shuo1] /variant of 說|说[shuo1]/", None),
        ("分子 分子 [fen4 zi5] /Taiwan variant of 份子[fen4 zi5]/", None),
        ("水 水 [Shui3] /surname Shui/", None),
        ("通菜 通菜 [tong1 cai4] /see 蕹菜[weng4 cai4]/", None),
        ("病 病 [bing4] /the disease found in 2019 by scientists in Wuhan/", None),  # a description
        ("3C 3C [san1 C] /computers, communications, and consumer electronics/", None),
        ("# CC-CEDICT", None),
        ("#! entries=122143", None),
        ("", None),
    ],
)
def test_parse_line(line: str, expected: tuple[str, list[str]] | None) -> None:
    assert parse_line(line) == expected


@pytest.mark.parametrize(
    ("sense", "words"),
    [
        ("to make known", ["make", "known"]),
        ("(coll.) awesome", ["awesome"]),
        ("(abbr. for 安全理事會|安全理事会[An1 quan2 Li3 shi4 hui4])", []),
        ("COVID-19", ["covid"]),
        ("old variant of 罔[wang3]", []),
        ("classifier for number of washes", []),
    ],
)
def test_sense_words(sense: str, words: list[str]) -> None:
    assert sense_words(sense) == words


def test_parse_cedict_merges_readings_and_traditional_forms() -> None:
    lines = [
        "# comment",
        "會 会 [hui4] /to meet/meeting/",
        "會 会 [kuai4] /to balance an account/",
        "会 会 [hui4] /meeting; gathering/",
        "上帝 上帝 [Shang4 di4] /God/",
    ]
    table = parse_cedict(lines)
    assert table == {"会": ("meet", "meeting", "balance", "account", "gathering"), "上帝": ("god",)}
    assert invert(table)["meeting"] == ("会",)


def test_parse_cedict_malformed_line_names_it() -> None:
    with pytest.raises(CedictFormatError) as err:
        parse_cedict(["# header", REPORT, "報告 报告 no pinyin here"])
    assert err.value.line == 3


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    load_cedict.cache_clear()
    load_lexicon.cache_clear()
    yield
    load_cedict.cache_clear()
    load_lexicon.cache_clear()


@pytest.mark.usefixtures("fresh_cache")
def test_load_cedict_real_file_and_cache() -> None:
    table = load_cedict()
    assert len(table) > 80_000
    assert table["委员会"] == ("committee",)
    assert "report" in table["报告"]
    cache = align_cedict._cache_file(align_cedict.cedict_path())
    assert cache.is_file()
    # a later process reads the cached table, keyed by the data file and parser version
    with cache.open("wb") as fh:
        pickle.dump({"测试": ("test",)}, fh)
    load_cedict.cache_clear()
    assert load_cedict() == {"测试": ("test",)}
    cache.write_bytes(b"not a pickle")  # a damaged cache is parsed again
    load_cedict.cache_clear()
    assert load_cedict()["委员会"] == ("committee",)


def test_missing_package_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(align_cedict, "CEDICT_PACKAGE", "unmt_no_such_package")
    with pytest.raises(UserError, match="CC-CEDICT data not found"):
        align_cedict.cedict_path()
