"""Glossary loaders, merging, errors and the traditional-character check."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from unmt.errors import UserError
from unmt.eval.glossary.load import (
    Glossary,
    load_glossaries,
    load_glossary,
    shipped_glossary_path,
    traditional_chars_in,
)

TBX_2008 = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="en">
 <martifHeader><fileDesc><sourceDesc><p>test</p></sourceDesc></fileDesc></martifHeader>
 <text><body>
  <termEntry id="te1">
   <descrip type="subjectField">criminal justice</descrip>
   <langSet xml:lang="zh-CN"><tig><term>司法协助</term></tig></langSet>
   <langSet xml:lang="en">
    <tig><term>mutual legal assistance</term>
     <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
    <tig><term>MLA</term>
     <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote></tig>
    <tig><term>judicial assistance</term>
     <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
   </langSet>
  </termEntry>
  <termEntry id="te2">
   <langSet xml:lang="zh"><ntig><termGrp><term>会员国</term></termGrp></ntig></langSet>
   <langSet xml:lang="en-GB"><ntig><termGrp><term>Member States</term></termGrp></ntig></langSet>
  </termEntry>
  <termEntry id="te3">
   <langSet xml:lang="fr"><tig><term>Etats membres</term></tig></langSet>
  </termEntry>
 </body></text>
</martif>
"""

TBX_V3 = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
 <tbxHeader><fileDesc><sourceDesc><p>test</p></sourceDesc></fileDesc></tbxHeader>
 <text><body>
  <conceptEntry id="c1">
   <descrip type="definition">Individuals who travel abroad to join terrorist groups.</descrip>
   <langSec xml:lang="zh">
    <termSec><term>外国恐怖主义作战人员</term>
     <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
    <termSec><term>外国恐怖主义战斗人员</term>
     <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote></termSec>
   </langSec>
   <langSec xml:lang="en">
    <termSec><term>foreign fighters</term>
     <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termSec>
    <termSec><term>foreign terrorist fighters</term>
     <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
   </langSec>
  </conceptEntry>
 </body></text>
</tbx>
"""

# name, text, expected (id, zh, en, variants, forbidden, line) of the first entry, entry count
LOADER_CASES = [
    (
        "plain.tsv",
        "zh\ten\n会员国\tMember States\n秘书长\tSecretary-General\n",
        ("plain:2", "会员国", "Member States", (), (), 2),
        2,
    ),
    (
        "aliases.tsv",
        "# a comment\n\nChinese\tEnglish\tvariants\tforbidden\n"
        "反恐\tcounter-terrorism\tcounterterrorism | anti-terrorism\tanti-terror\n",
        (
            "aliases:4",
            "反恐",
            "counter-terrorism",
            ("counterterrorism", "anti-terrorism"),
            ("anti-terror",),
            4,
        ),
        1,
    ),
    (
        "quoted.csv",
        'source,target,variants,id\n"化学、生物、放射和核","chemical, biological, radiological '
        'and nuclear","CBRN",cbrn\n',
        (
            "cbrn",
            "化学、生物、放射和核",
            "chemical, biological, radiological and nuclear",
            ("CBRN",),
            (),
            2,
        ),
        1,
    ),
    (
        "langcodes.csv",
        "zh-CN,English,note\n安全理事会,Security Council,principal organ\n",
        ("langcodes:2", "安全理事会", "Security Council", (), (), 2),
        1,
    ),
    (
        "unbis.tsv",
        "identifier\ten\tzh\tfr\tes\tru\tar\turl\n"
        "1000049\tADMINISTRATION OF JUSTICE\t司法行政\tADMINISTRATION DE LA JUSTICE\t"
        "ADMINISTRACION DE JUSTICIA\tОтправление правосудия\tإقامة العدل\thttp://x/1000049\n",
        ("1000049", "司法行政", "ADMINISTRATION OF JUSTICE", (), (), 2),
        1,
    ),
    (
        "basic.tbx",
        TBX_2008,
        ("te1", "司法协助", "mutual legal assistance", ("MLA",), ("judicial assistance",), 5),
        2,
    ),
    (
        "v3.xml",
        TBX_V3,
        ("c1", "外国恐怖主义作战人员", "foreign terrorist fighters", (), ("foreign fighters",), 5),
        1,
    ),
]


@pytest.mark.parametrize(("name", "text", "first", "count"), LOADER_CASES)
def test_loaders(tmp_path: Path, name: str, text: str, first: tuple, count: int) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    glossary = load_glossary(path)
    entry = glossary.entries[0]
    assert (entry.id, entry.zh, entry.en, entry.variants, entry.forbidden, entry.line) == first
    assert len(glossary) == count
    assert glossary.name == path.stem
    assert entry.glossary == path.stem
    assert glossary.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert glossary.members == ((path.stem, glossary.sha256),)


@pytest.mark.parametrize(("encoding", "declared"), [("utf-16", "UTF-16"), ("utf-8-sig", "UTF-8")])
def test_tbx_in_other_encodings(tmp_path: Path, encoding: str, declared: str) -> None:
    path = tmp_path / "terms.txt"  # recognised by content, not by name
    path.write_bytes(TBX_V3.replace("UTF-8", declared).encode(encoding))
    assert load_glossary(path).entries[0].en == "foreign terrorist fighters"


def test_tbx_details(tmp_path: Path) -> None:
    v3 = tmp_path / "v3.tbx"
    v3.write_text(TBX_V3, encoding="utf-8")
    entry = load_glossary(v3).entries[0]
    assert entry.zh_variants == ("外国恐怖主义战斗人员",)
    assert entry.note.startswith("Individuals who travel")
    basic = tmp_path / "basic.tbx"
    basic.write_text(TBX_2008, encoding="utf-8")
    glossary = load_glossary(basic)
    assert glossary.entries[0].domain == "criminal justice"
    # the French-only concept is reported, not silently dropped
    assert any("te3" in issue and "no Chinese" in issue for issue in glossary.issues)


def test_trailing_empty_fields_may_be_left_out(tmp_path: Path) -> None:
    path = tmp_path / "trimmed.tsv"
    path.write_text("zh\ten\tvariants\tnote\n会员国\tMember States\n", encoding="utf-8")
    entry = load_glossary(path).entries[0]
    assert (entry.en, entry.variants, entry.note) == ("Member States", (), "")


def test_zh_variants_column_and_non_ascii_path(tmp_path: Path) -> None:
    path = tmp_path / "词汇表 UN.tsv"
    path.write_text(
        "zh\ten\tzh_variants\n反恐委员会执行局\tCTED\t反恐怖主义委员会执行局\n", encoding="utf-8"
    )
    entry = load_glossary(path).entries[0]
    assert entry.zh_forms == ("反恐委员会执行局", "反恐怖主义委员会执行局")


# file name, bytes, expected line (None: no line), words expected in the message
ERROR_CASES = [
    ("no_en.tsv", "zh\tnote\n会员国\tx\n".encode(), 1, "no en column"),
    ("short.tsv", "zh\ten\tvariants\n会员国\tMember States\n秘书长\n".encode(), 3, "malformed row"),
    ("swapped.tsv", "note\ten\tzh\n会员国\tMember States\n".encode(), 2, "malformed row"),
    ("long.tsv", "zh\ten\n会员国\tMember States\textra\n".encode(), 2, "malformed row"),
    ("bad.csv", 'zh,en\n会员国,"Member States\n'.encode(), 2, "malformed CSV"),
    ("empty.tsv", b"# nothing here\n\n", None, "no header"),
    ("header_only.csv", b"zh,en\n", None, "no usable rows"),
    ("blank_rows.tsv", "zh\ten\n会员国\t\n".encode(), None, "no usable rows"),
    ("latin1.tsv", "zh\ten\nabc\tdéf\n".encode("latin-1"), 2, "not valid UTF-8"),
    ("broken.tbx", b'<?xml version="1.0"?>\n<martif>\n<text>\n</martif>\n', 4, "invalid XML"),
    ("other.xml", b'<?xml version="1.0"?>\n<html><body/></html>\n', 2, "not a TBX file"),
    ("noterms.tbx", b"<martif><text><body></body></text></martif>", None, "no usable rows"),
]


@pytest.mark.parametrize(("name", "data", "line", "words"), ERROR_CASES)
def test_bad_glossaries(
    tmp_path: Path, name: str, data: bytes, line: int | None, words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UserError) as info:
        load_glossary(path)
    err = info.value
    assert err.path == str(path)
    assert err.line == line
    assert words in err.render()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not found"):
        load_glossary(tmp_path / "absent.tsv")


def _write(tmp_path: Path, name: str, rows: str) -> Path:
    path = tmp_path / name
    path.write_text("zh\ten\n" + rows, encoding="utf-8")
    return path


def test_merge_earlier_wins_and_reports(tmp_path: Path) -> None:
    first = _write(tmp_path, "first.tsv", "大会\tGeneral Assembly\n会员国\tMember States\n")
    second = _write(
        tmp_path,
        "second.tsv",
        "大会\tConference\n会员国\tmember states\n秘书长\tSecretary-General\n",
    )
    merged = load_glossaries([first, second])
    assert [(e.zh, e.en, e.glossary) for e in merged.entries] == [
        ("大会", "General Assembly", "first"),
        ("会员国", "Member States", "first"),
        ("秘书长", "Secretary-General", "second"),
    ]
    assert merged.name == "first+second"
    conflicts = [i for i in merged.issues if "conflict" in i]
    duplicates = [i for i in merged.issues if "duplicate" in i]
    assert len(conflicts) == 1 and "second:2" in conflicts[0] and "first:2" in conflicts[0]
    assert len(duplicates) == 1 and "second:3" in duplicates[0]
    hashes = sorted(sha for _, sha in merged.members)
    assert merged.sha256 == hashlib.sha256("\n".join(hashes).encode()).hexdigest()
    assert [name for name, _ in merged.members] == ["first", "second"]
    assert merged.signature.startswith("first@")


def test_duplicates_within_one_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "dups.tsv", "决议\tresolution\n决议\tresolutions\n决议\tresolution\n")
    glossary = load_glossary(path)
    assert len(glossary) == 1
    assert sum("conflict" in i for i in glossary.issues) == 1
    assert sum("duplicate" in i for i in glossary.issues) == 1


def test_single_and_default(tmp_path: Path) -> None:
    path = _write(tmp_path, "one.tsv", "会员国\tMember States\n")
    assert load_glossaries([path]) == load_glossary(path)
    shipped = load_glossaries([])
    assert shipped.name == "un_glossary"
    assert shipped_glossary_path().is_file()
    assert isinstance(shipped, Glossary)
    assert load_glossaries(["un"]) == shipped  # the shipped glossary by name


def test_a_glossary_of_ones_own_adds_to_the_shipped_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from unmt.eval.glossary.load import glossary_paths

    mine = _write(tmp_path, "mine.tsv", "会员国\tmember nations\n缔约国会议\tConference\n")
    shipped = shipped_glossary_path()
    assert glossary_paths([mine]) == [mine, shipped]
    assert glossary_paths([mine], default=False) == [mine]
    assert glossary_paths(["un", mine]) == [shipped, mine]  # the order given: earlier wins
    assert glossary_paths([mine, "un"]) == [mine, shipped]  # listed once
    with pytest.raises(UserError, match="no glossary"):
        glossary_paths([], default=False)
    merged = load_glossaries([mine], default=True)
    ms = next(e for e in merged.entries if "会员国" in e.zh_forms)
    assert ms.en == "member nations"  # one's own wins over the shipped entry
    assert len(merged) > len(load_glossary(mine))  # the UN entries are there too
    monkeypatch.chdir(tmp_path)
    (tmp_path / "un").write_text("秘书长\tSG\n", encoding="utf-8")
    assert glossary_paths(["un"], default=False) == [Path("un")]  # a real file named un wins


@pytest.mark.parametrize(
    ("text", "traditional"),
    [
        ("联合国毒品和犯罪问题办公室", ""),
        ("聯合國毒品和犯罪問題辦公室", "聯國問題辦"),
        ("安全理事会", ""),
        ("安全理事會", "會"),
        ("乾坤", ""),  # 乾 is also a simplified character
        ("于是", ""),
    ],
)
def test_traditional_chars(text: str, traditional: str) -> None:
    assert traditional_chars_in(text) == traditional


def test_traditional_entries_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, "trad.tsv", "會員國\tMember States\n秘书长\tSecretary-General\n")
    glossary = load_glossary(path)
    assert len(glossary) == 2  # reported, kept
    reports = [i for i in glossary.issues if "traditional" in i]
    assert len(reports) == 1
    assert "trad:2" in reports[0] and "會員國" in reports[0]
