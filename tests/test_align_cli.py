"""``unmt align`` and ``unmt eval align``, and the alignment scorer, on hand-made files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unmt.eval.align_score import merge_by_units, score_alignments
from unmt.pipeline.align.beadio import parse_bead, read_sentences
from unmt.pipeline.cli.main import main

ZH = [
    "委员会审议了E/CN.15/2021/5号文件。",
    "这是一个额外的句子，英文中没有。",
    "会议于下午6时结束。",
]
EN = ["The Commission considered document E/CN.15/2021/5.", "The meeting rose at 6 p.m."]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("gold", "pred", "strict", "lax"),
    [
        # (strict P, R, F1), (lax P, R, F1)
        (["[0]:[0]", "[1]:[1]"], ["[0]:[0]", "[1]:[1]"], (1, 1, 1), (1, 1, 1)),
        (["[0]:[0]", "[1]:[1]"], ["[0,1]:[0,1]"], (0, 0, 0), (1, 1, 1)),
        # a predicted deletion counts in precision, never in recall
        (["[0]:[0]", "[1]:[]", "[2]:[1]"], ["[0]:[0]", "[1,2]:[1]"], (0.5, 0.5, 0.5), (1, 1, 1)),
        (["[0]:[0]", "[1]:[1]"], ["[0]:[]", "[]:[0]", "[1]:[1]"], (1 / 3, 1 / 2, 0.4),
         (1 / 3, 1 / 2, 0.4)),
        (["[0]:[0]"], ["[0]:[1]", "[]:[0]"], (0, 0, 0), (0, 0, 0)),
    ],
)  # fmt: skip
def test_scorer_hand_made(gold: list, pred: list, strict: tuple, lax: tuple) -> None:
    g = [(b.src, b.tgt) for b in map(parse_bead, gold)]
    p = [(b.src, b.tgt) for b in map(parse_bead, pred)]
    s = score_alignments([(g, p)])
    assert (s.strict_p, s.strict_r, s.strict_f1) == pytest.approx(strict)
    assert (s.lax_p, s.lax_r, s.lax_f1) == pytest.approx(lax)


def test_scorer_sums_documents() -> None:
    one = [((0,), (0,))]
    s = score_alignments([(one, one), (one, [((0,), (1,))])])
    assert (s.strict_p, s.strict_r, s.n_pred, s.n_gold) == (0.5, 0.5, 2, 2)


def test_merge_by_units() -> None:
    beads = [((0,), (0,)), ((1,), (1,)), ((), (2,)), ((2,), (3,)), ((3,), (4,))]
    src_units = ["v1", "v2", "v2", "v3"]
    tgt_units = ["v1", "v2", "v2", "v2", "v3"]
    assert merge_by_units(beads, src_units, tgt_units) == [
        ((0,), (0,)),
        ((1, 2), (1, 2, 3)),
        ((3,), (4,)),
    ]


@pytest.mark.parametrize("text", ["[0, 1] : [2]", "[]:[3]", "[4]:[]"])
def test_parse_bead_accepts_spaces(text: str) -> None:
    bead = parse_bead(text)
    assert bead.src or bead.tgt


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("beads", lambda out: out.splitlines() == ["[0]:[0]", "[1]:[]", "[2]:[1]"]),
        ("tsv", lambda out: out.splitlines()[1].split("\t")[2] == ZH[1]),
        ("jsonl", lambda out: json.loads(out.splitlines()[2])["tgt"] == [1]),
    ],
)
def test_cli_align_formats(tmp_path: Path, fmt: str, check: object) -> None:
    src = _write(tmp_path / "源文件.zh", ZH)  # non-ASCII path
    tgt = _write(tmp_path / "ref.en", EN)
    out = tmp_path / "out" / "a.txt"
    assert main(["align", str(src), str(tgt), "-o", str(out), "--format", fmt]) == 0
    assert check(out.read_text("utf-8"))  # type: ignore[operator]


def test_cli_align_segment_jsonl(tmp_path: Path) -> None:
    def seg(label: str, sent: int, text: str) -> str:
        rec = {"id": f"d:p{label}.s{sent}", "doc": "d", "block": "paragraph", "label": label,
               "sent": sent, "text": text}  # fmt: skip
        return json.dumps(rec, ensure_ascii=False)

    src = _write(
        tmp_path / "s.jsonl", [seg("1", 1, "委员会审议了报告。"), seg("2", 1, "会议结束。")]
    )
    en = [("1", 1, "The Committee considered the report."), ("2", 1, "The meeting rose."),
          ("2", 2, "Done.")]  # fmt: skip
    tgt = _write(tmp_path / "t.jsonl", [seg(*x) for x in en])
    texts, segs = read_sentences(src)
    assert segs is not None and texts[1] == "会议结束。"
    out = tmp_path / "a.beads"
    assert main(["align", str(src), str(tgt), "-o", str(out)]) == 0
    assert out.read_text().splitlines() == ["[0]:[0]", "[1]:[1,2]"]


@pytest.mark.parametrize(
    ("mt_lines", "src_lines", "message"),
    [
        (["one"], ZH, "--mt has 1 lines but SRC has 3"),
        (None, None, "file not found"),
        (["--embeddings"], ZH, "sentence-transformers"),
    ],
)
def test_cli_align_bad_input_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mt_lines: list | None,
    src_lines: list | None, message: str,
) -> None:  # fmt: skip
    src = tmp_path / "src.zh"
    if src_lines is not None:
        _write(src, src_lines)
    tgt = _write(tmp_path / "tgt.en", EN)
    out = tmp_path / "out.beads"
    args = ["align", str(src), str(tgt), "-o", str(out)]
    if mt_lines == ["--embeddings"]:
        args += ["--embeddings", "no/such-model"]
    elif mt_lines is not None:
        args += ["--mt", str(_write(tmp_path / "mt.en", mt_lines))]
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("empty", [[], ["", "  "]], ids=["empty", "blank"])
def test_cli_align_empty_side_is_refused(
    tmp_path: Path, empty: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    src = _write(tmp_path / "src.zh", empty)
    tgt = _write(tmp_path / "tgt.en", EN)
    out = tmp_path / "out.beads"
    assert main(["align", str(src), str(tgt), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("unmt: error: ") and "src.zh: no sentences to align" in err
    assert not out.exists()


def test_cli_eval_align(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = _write(tmp_path / "gold", ["[0]:[0]", "[1]:[]", "[2]:[1]"])
    pred = _write(tmp_path / "pred", ["[0]:[0]", "[1,2]:[1]"])
    assert main(["eval", "align", "--gold", str(gold), "--pred", str(pred),
                 "--gold", str(gold), "--pred", str(gold), "--json"]) == 0  # fmt: skip
    figures = json.loads(capsys.readouterr().out)
    assert figures["strict_p"] == pytest.approx(4 / 5)
    assert figures["strict_r"] == pytest.approx(3 / 4)
    assert figures["n_pred"] == 5


@pytest.mark.parametrize(
    ("lines", "args_extra", "message"),
    [
        (["[0]:[0]", "0-0"], [], "pred:2: not a bead"),
        (["[0]:[0]"], ["--gold", "x"], "2 --gold files but 1 --pred"),
    ],
)
def test_cli_eval_align_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list, args_extra: list,
    message: str,
) -> None:  # fmt: skip
    gold = _write(tmp_path / "gold", ["[0]:[0]"])
    pred = _write(tmp_path / "pred", lines)
    assert main(["eval", "align", "--gold", str(gold), "--pred", str(pred), *args_extra]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00bad", "src.zh:1: not UTF-8 text"),
        ('{"text": "一。"}\n{"txt": 1}\n'.encode(), "src.zh:2: not a segment record"),
    ],
)
def test_cli_align_unreadable_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    src = tmp_path / "src.zh"
    src.write_bytes(content)
    tgt = _write(tmp_path / "tgt.en", EN)
    out = tmp_path / "out.beads"
    assert main(["align", str(src), str(tgt), "-o", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_cli_align_mt_from_translation_jsonl(tmp_path: Path) -> None:
    zh = ["他们到了。", "我们走吧。", "天气很好。"]
    en = ["The weather is fine.", "They have arrived.", "Let us go.", "The weather is fine."]
    mt = ["They arrived.", "Let us go.", "The weather is good."]
    records = [
        json.dumps({"id": f"d:p1.s{k}", "text": z, "mt": m}, ensure_ascii=False)
        for k, (z, m) in enumerate(zip(zh, mt, strict=True))
    ]
    out = tmp_path / "out.beads"
    args = ["align", str(_write(tmp_path / "s.zh", zh)), str(_write(tmp_path / "t.en", en))]
    args += ["--mt", str(_write(tmp_path / "mt.jsonl", records)), "-o", str(out)]
    assert main(args) == 0
    assert out.read_text().splitlines() == ["[]:[0]", "[0]:[1]", "[1]:[2]", "[2]:[3]"]
    _write(tmp_path / "bad.jsonl", ['{"id": "x", "text": "no mt"}'])
    assert main([*args[:3], "--mt", str(tmp_path / "bad.jsonl")]) == 2


@pytest.mark.parametrize(
    ("en_lines", "beads"),
    [
        # paragraph 2 is two sentences on both sides (CC-CEDICT knows 主席 as "chairperson",
        # not "chair")
        (["1. The Committee considered the report.", "",
          "2. The meeting rose at six. The Chairperson made closing remarks."],
         ["[0]:[0]", "[1]:[1]", "[2]:[2]"]),
        # the closing remark is paragraph 3 in English: paragraphs anchor, so it stays apart
        (["1. The Committee considered the report.", "", "2. The meeting rose at six.", "",
          "3. The Chairperson made closing remarks."],
         ["[0]:[0]", "[1]:[1]", "[2]:[]", "[]:[2]"]),
    ],
)  # fmt: skip
def test_cli_align_segment_raw_documents(
    tmp_path: Path, en_lines: list[str], beads: list[str]
) -> None:
    zh = _write(
        tmp_path / "doc.zh.txt", ["1. 委员会审议了报告。", "", "2. 会议于六时结束。主席致闭幕词。"]
    )
    en = _write(tmp_path / "doc.en.txt", en_lines)
    out = tmp_path / "out.tsv"
    assert main(["align", "--segment", str(zh), str(en), "-o", str(out), "--format", "tsv"]) == 0
    rows = [line.split("\t") for line in out.read_text("utf-8").splitlines()]
    assert [r[0] for r in rows] == beads
    assert rows[1][2] == "会议于六时结束。"
