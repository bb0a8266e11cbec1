"""Sentence splitting, Chinese and English: tiny inline cases, one per rule."""

from __future__ import annotations

import itertools

import pytest

from unmt.errors import UserError
from unmt.pipeline.segment.segmenter import split_sentences


def _sentences(text: str, lang: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text, lang)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第一句。第二句。", ["第一句。", "第二句。"]),
        ("真的吗？是的！", ["真的吗？", "是的！"]),
        ("真的吗？！当然。", ["真的吗？！", "当然。"]),
        ("联系有所加强……该办公室将继续。", ["联系有所加强……", "该办公室将继续。"]),
        # closing quotes and brackets stay with the sentence they close
        ("他说：“培训很有用。”各国需求增长。", ["他说：“培训很有用。”", "各国需求增长。"]),
        ("见附件（第 5 段。）下一句。", ["见附件（第 5 段。）", "下一句。"]),
        ("引文「甲。」乙。", ["引文「甲。」", "乙。"]),
        # never inside 《》 or quotes
        ("发布了《实用指南。第二版》，各国欢迎。", ["发布了《实用指南。第二版》，各国欢迎。"]),
        ("称为“甲。乙”的工具。下一句。", ["称为“甲。乙”的工具。", "下一句。"]),
        # ； and ： do not end a sentence
        ("包括：甲；乙；丙。完。", ["包括：甲；乙；丙。", "完。"]),
        # numbers and document symbols
        ("其中 42.5% 为女性。下一句。", ["其中 42.5% 为女性。", "下一句。"]),
        ("临时议程项目 6(c) 所述。下一句。", ["临时议程项目 6(c) 所述。", "下一句。"]),
        ("见 E/CN.15/2021/1。下一句。", ["见 E/CN.15/2021/1。", "下一句。"]),
        ("第 2396 (2017)号决议。完。", ["第 2396 (2017)号决议。", "完。"]),
        # an unmatched quote does not swallow the rest of the paragraph
        ("他说：“未闭合。第二句。第三句。", ["他说：“未闭合。", "第二句。", "第三句。"]),
        ("没有句号的标题", ["没有句号的标题"]),
        ("  前后空白。  ", ["前后空白。"]),
        ("", []),
    ],
)
def test_chinese_sentences(text: str, expected: list[str]) -> None:
    assert _sentences(text, "zh") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It works. It splits.", ["It works.", "It splits."]),
        ("Why? Because! Done.", ["Why?", "Because!", "Done."]),
        ("See No. 5 of the list. Then stop.", ["See No. 5 of the list.", "Then stop."]),
        ("As set out in para. 6(c) above. Next.", ["As set out in para. 6(c) above.", "Next."]),
        ("Resolution 2396 (2017). It was adopted.", ["Resolution 2396 (2017).", "It was adopted."]),
        ("See A/RES/74/194. Next one.", ["See A/RES/74/194.", "Next one."]),
        ("See document E/CN.15/2021/5 here.", ["See document E/CN.15/2021/5 here."]),
        (
            "Some States, e.g. Mali, agreed. Others not.",
            ["Some States, e.g. Mali, agreed.", "Others not."],
        ),
        ("That is, i.e. The Office did it.", ["That is, i.e. The Office did it."]),
        ("It rose by 2.5 per cent. Then fell.", ["It rose by 2.5 per cent.", "Then fell."]),
        ("Mr. J. Smith spoke. He agreed.", ["Mr. J. Smith spoke.", "He agreed."]),
        ('He said: "It helped." Demand grew.', ['He said: "It helped."', "Demand grew."]),
        ("It ended (see annex). Next.", ["It ended (see annex).", "Next."]),
        ("Done in 2020. 2021 was worse.", ["Done in 2020.", "2021 was worse."]),
        ("the U.S. delegation spoke.", ["the U.S. delegation spoke."]),
        ("one ... two. Three.", ["one ... two.", "Three."]),
        ("No full stop here", ["No full stop here"]),
        ("51. The Commission met. It agreed.", ["51. The Commission met.", "It agreed."]),
        ("III. Conclusions", ["III. Conclusions"]),
        (
            "In Prosecutor v. Kunarac, the Chamber held.",
            ["In Prosecutor v. Kunarac, the Chamber held."],
        ),
    ],
)
def test_english_sentences(text: str, expected: list[str]) -> None:
    assert _sentences(text, "en") == expected


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_spans_cover_every_non_space_character(lang: str) -> None:
    text = "甲。 乙“丙。”丁？ One. Two (2017). A/RES/74/194 e.g. x. "
    spans = split_sentences(text, lang)
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == text.replace(" ", "")
    assert all(s < e for s, e in spans)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_unknown_language_is_a_user_error() -> None:
    with pytest.raises(UserError, match="zh, en"):
        split_sentences("x", "fr")
