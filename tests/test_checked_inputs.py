"""Inputs are checked, not assumed: languages by script, reference pairings by evidence, and
line-aligned corpora read one segment per line (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLES, shared_path

from unmt.pipeline.align.beadio import read_beads
from unmt.pipeline.align.langs import choose_languages
from unmt.pipeline.cli.main import main
from unmt.pipeline.run.pairing import PairingEvidence, pairing_problems
from unmt.pipeline.run.rundir import RunDir
from unmt.script import Script, mismatch

ZH, EN = EXAMPLES / "un-report.zh.txt", EXAMPLES / "un-report.en.txt"


def test_script_tells_chinese_english_and_neither() -> None:
    zh, en = ZH.read_text(encoding="utf-8"), EN.read_text(encoding="utf-8")
    assert Script.of(zh).lang() == "zh" and Script.of(en).lang() == "en"
    assert Script.of("\u0300" * 50).lang() is None  # combining marks: neither
    assert Script.of("短").lang() is None and Script.of("短").fits("en")  # too short to judge
    assert mismatch(zh, "zh") is None and mismatch(en, "en") is None
    assert "looks English" in (mismatch(en, "zh") or "")
    assert "looks Chinese" in (mismatch(zh, "en") or "")


def test_segment_detects_english_and_refuses_a_wrong_lang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    out, ref = tmp_path / "auto.jsonl", tmp_path / "en.jsonl"
    assert main(["segment", str(EN), "-o", str(out)]) == 0
    assert "segmenting it as --lang en" in caplog.text
    assert main(["segment", str(EN), "--lang", "en", "-o", str(ref)]) == 0
    assert out.read_bytes() == ref.read_bytes()
    assert main(["segment", str(EN), "--lang", "zh"]) == 2
    assert "looks English" in capsys.readouterr().err
    assert main(["segment", str(ZH), "--lang", "en"]) == 2
    assert "looks Chinese" in capsys.readouterr().err


def test_align_swaps_detected_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    en_txt, zh_txt = tmp_path / "en.txt", tmp_path / "zh.txt"
    assert main(["segment", str(EN), "--format", "txt", "-o", str(en_txt)]) == 0
    assert main(["segment", str(ZH), "--format", "txt", "-o", str(zh_txt)]) == 0
    auto, explicit = tmp_path / "auto.align", tmp_path / "explicit.align"
    capsys.readouterr()
    assert main(["align", str(en_txt), str(zh_txt), "-o", str(auto)]) == 0
    assert "--src-lang en --tgt-lang zh" in caplog.text
    args = ["align", str(en_txt), str(zh_txt), "-o", str(explicit)]
    assert main([*args, "--src-lang", "en", "--tgt-lang", "zh"]) == 0
    assert auto.read_text() == explicit.read_text()
    beads = read_beads(auto)
    assert sum(1 for b in beads if b.src and b.tgt) >= 0.9 * len(beads)
    assert main(["align", str(zh_txt), str(zh_txt), "--src-lang", "zh", "--tgt-lang", "zh"]) == 2
    assert "both Chinese" in capsys.readouterr().err
    assert main(["align", str(en_txt), str(zh_txt), "--src-lang", "zh"]) == 2
    assert "--src-lang zh" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("src", "tgt", "given", "expected"),
    [
        ("中文" * 20, "English words " * 5, (None, None), ("zh", "en", False)),
        ("English words " * 5, "中文" * 20, (None, None), ("en", "zh", True)),
        ("x", "y", (None, None), ("zh", "en", False)),  # too short: the defaults
        ("x", "y", (None, "zh"), ("en", "zh", True)),
        ("English words " * 5, "y", ("en", None), ("en", "zh", True)),
    ],
)
def test_choose_languages(
    src: str, tgt: str, given: tuple[str | None, str | None], expected: tuple[str, str, bool]
) -> None:
    s, t, note = choose_languages(src, tgt, *given)
    assert (s, t, note is not None) == expected


def test_swapped_un_devset_aligns_1_1() -> None:
    """The UN dev set given English first, no flags: the languages are swapped, not guessed."""
    zh = shared_path("un/UNv1.0.devset.zh").read_text(encoding="utf-8").splitlines()[:600]
    en = shared_path("un/UNv1.0.devset.en").read_text(encoding="utf-8").splitlines()[:600]
    from unmt.pipeline.align.aligner import align_sentences

    src_lang, tgt_lang, _ = choose_languages("\n".join(en), "\n".join(zh), None, None)
    beads = align_sentences(en, zh, src_lang=src_lang, tgt_lang=tgt_lang)
    hits = sum(1 for b in beads if b.src == b.tgt and len(b.src) == 1)
    assert hits / len(en) >= 0.97


def test_pairing_problems_thresholds() -> None:
    good = PairingEvidence(9, 9, "", "", 0.0, 0.85, 30)
    assert pairing_problems(good) == []
    assert pairing_problems(PairingEvidence(12, 11, "", "", 0.05, 0.6, 30)) == []
    assert (
        "symbols differ"
        in pairing_problems(
            PairingEvidence(9, 9, "E/CN.15/2021/5", "E/CN.15/2023/5", 0.0, 0.8, 30)
        )[0]
    )
    assert "far apart" in pairing_problems(PairingEvidence(99, 9, "", "", 0.0, 0.8, 30))[0]
    assert "no counterpart" in pairing_problems(PairingEvidence(9, 9, "", "", 0.6, 0.8, 30))[0]
    assert "barely similar" in pairing_problems(PairingEvidence(9, 9, "", "", 0.2, 0.15, 30))[0]
    assert pairing_problems(PairingEvidence(9, 9, "", "", 0.2, 0.15, 3)) == []  # too few beads


def _run(tiny: Path, out: Path, *args: str) -> list[str]:
    return ["run", *args, "-o", str(out), "--model", str(tiny), "--backend", "ctranslate2",
            "--quiet"]  # fmt: skip


def _entry(out: Path, doc: str) -> object:
    run = RunDir(out, create=False)
    try:
        return run.documents()[doc]
    finally:
        run.close()


def test_run_fails_a_reference_of_another_document(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the source without its numbered paragraphs 5-9 and the example reference: a different text
    base = tmp_path / "in"
    base.mkdir()
    other = base / "other.zh.txt"
    other.write_text(
        "一. 导言\n\n"
        + "".join(
            f"{n}. 毒品和犯罪问题办公室在第{n}个国家举办了讲习班。各国专家讨论了司法协助。\n\n"
            for n in range(1, 40)
        ),
        encoding="utf-8",
    )
    out = tmp_path / "run"
    assert main(_run(tiny_model_dir, out, str(other), "--reference", str(EN))) == 1
    captured = capsys.readouterr()
    assert "0 of 1 document(s) done" in captured.out and "1 failed" in captured.out
    assert "does not look like a translation" in captured.err and "far apart" in captured.err
    assert not (out / "docs" / "other" / "translations.jsonl").exists()  # not translated first
    assert main(["export", str(out), "-o", str(tmp_path / "x")]) == 2
    # kept on request: done but flagged, and left out of the export unless asked for
    assert (
        main(_run(tiny_model_dir, out, str(other), "--reference", str(EN), "--accept-mismatch"))
        == 0
    )
    captured = capsys.readouterr()
    assert "(1 flagged)" in captured.out and "flagged: other: mismatch" in captured.err
    assert main(["export", str(out), "-o", str(tmp_path / "x")]) == 2
    assert "--include-flagged" in capsys.readouterr().err
    assert main(["export", str(out), "-o", str(tmp_path / "x"), "--include-flagged"]) == 0
    # the true pair passes the same checks
    good = tmp_path / "good"
    assert main(_run(tiny_model_dir, good, str(ZH), "--reference", str(EN))) == 0
    assert _entry(good, "un-report").flags == []  # type: ignore[attr-defined]


def test_run_fails_documents_in_the_wrong_language(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(f"{EN}\t\tenglish-source\n{ZH}\t{ZH}\tchinese-ref\n{ZH}\t{EN}\tgood\n")
    assert main(_run(tiny_model_dir, out, "--pairs", str(pairs))) == 1
    captured = capsys.readouterr()
    assert "1 of 3 document(s) done" in captured.out and "2 failed" in captured.out
    assert "english-source: " in captured.err and "looks English" in captured.err
    assert "chinese-ref: " in captured.err and "looks Chinese" in captured.err


def _lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


DEV_ZH = [
    "会员国重申打击恐怖主义的承诺。",
    "秘书长提交了关于技术援助的报告。",
    "毒品和犯罪问题办公室向各国提供了立法援助。",
    "委员会审议了该项目。",
    "各国专家讨论了司法协助和引渡问题。",
    "报告最后提出了结论和建议。",
]
DEV_EN = [
    "Member States reaffirmed their commitment to countering terrorism.",
    "The Secretary-General submitted a report on technical assistance.",
    "The Office on Drugs and Crime provided legislative assistance to States.",
    "The Commission considered the item.",
    "Experts from States discussed mutual legal assistance and extradition.",
    "The report ends with conclusions and recommendations.",
]


def test_run_lines_pairs_line_aligned_files_1_1(tmp_path: Path, tiny_model_dir: Path) -> None:
    zh, en = _lines(tmp_path / "c.zh", DEV_ZH), _lines(tmp_path / "c.en", DEV_EN)
    out = tmp_path / "run"
    assert main(_run(tiny_model_dir, out, str(zh), "--reference", str(en), "--lines")) == 0
    align = _entry(out, "c").stages["align"]  # type: ignore[attr-defined]
    assert align.info["method"] == "lines" and align.info["shapes"] == {"1-1": 6}
    rows = [json.loads(x) for x in (out / "docs/c/pairs.jsonl").read_text().splitlines()]
    assert [(r["zh"], r["en"]) for r in rows] == list(zip(DEV_ZH, DEV_EN, strict=True))
    assert rows[0]["id"] == "c:l1.s1" and rows[0]["bead"] == "1-1"
    # line-paired beads carry the score the aligner gives such a bead (real UN sentence pairs)
    assert all(0 <= r["align"] <= 1 for r in rows) and max(r["align"] for r in rows) > 0.2
    # without --lines the files are documents: paragraphs found by the text rules, aligned
    flat = tmp_path / "flat"
    assert main(_run(tiny_model_dir, flat, str(zh), "--reference", str(en))) == 0
    first = json.loads((flat / "docs/c/pairs.jsonl").read_text().splitlines()[0])
    assert first["block"] == "paragraph" and first["id"] == "c:p1.s1"
    assert _entry(flat, "c").stages["align"].info["method"] == "aligner"  # type: ignore[attr-defined]
    # --realign runs the aligner on the same files
    again = tmp_path / "again"
    assert (
        main(_run(tiny_model_dir, again, str(zh), "--reference", str(en), "--lines", "--realign"))
        == 0
    )
    assert _entry(again, "c").stages["align"].info["method"] == "aligner"  # type: ignore[attr-defined]


def test_run_lines_with_unequal_files_aligns_and_manifest_format(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    _lines(tmp_path / "u.zh", DEV_ZH)
    _lines(tmp_path / "u.en", [*DEV_EN[:3], "An extra English line with no source.", *DEV_EN[3:]])
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(json.dumps({"zh": "u.zh", "en": "u.en", "format": "lines"}) + "\n")
    out = tmp_path / "run"
    assert main(_run(tiny_model_dir, out, "--pairs", str(pairs))) == 0
    info = _entry(out, "u").stages["align"].info  # type: ignore[attr-defined]
    assert info["method"] == "aligner" and info["shapes"].get("1-1", 0) >= 5


def test_run_lines_of_another_corpus_fails(tmp_path: Path, tiny_model_dir: Path) -> None:
    zh = _lines(tmp_path / "s.zh", DEV_ZH)
    en = _lines(tmp_path / "s.en", DEV_EN[3:] + DEV_EN[:3])  # same count, lines do not match
    out = tmp_path / "run"
    assert main(_run(tiny_model_dir, out, str(zh), "--reference", str(en), "--lines")) == 1
    assert "does not look like a translation" in str(_entry(out, "s").error)  # type: ignore[attr-defined]


@pytest.mark.slow
def test_un_devset_as_lines_exports_4000_rows(tmp_path: Path, tiny_model_dir: Path) -> None:
    zh, en = shared_path("un/UNv1.0.devset.zh"), shared_path("un/UNv1.0.devset.en")
    out = tmp_path / "run"
    assert main(_run(tiny_model_dir, out, str(zh), "--reference", str(en), "--lines")) == 0
    info = _entry(out, "UNv1.0.devset").stages["align"].info  # type: ignore[attr-defined]
    assert info["shapes"] == {"1-1": 4000} and info["method"] == "lines"
    export = tmp_path / "x"
    assert main(["export", str(out), "-o", str(export), "--format", "tmx"]) == 0
    assert (export / "unmt.zh-en.tmx").read_text(encoding="utf-8").count("<tu ") == 4000


def test_translate_and_score_refuse_files_in_the_wrong_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zh, en = _lines(tmp_path / "zh.txt", DEV_ZH * 2), _lines(tmp_path / "en.txt", DEV_EN * 2)
    assert main(["translate", str(en), "--model", "tiny", "-o", str(tmp_path / "o.txt")]) == 2
    assert "INPUT: the text looks English" in capsys.readouterr().err
    assert not (tmp_path / "o.txt").exists()
    assert main(["score", "--src", str(en), "--hyp", str(en), "--ref", str(en)]) == 2
    assert "SRC: the text looks English" in capsys.readouterr().err
    assert main(["score", "--src", str(zh), "--hyp", str(en), "--ref", str(zh)]) == 2
    assert "REF: the text looks Chinese" in capsys.readouterr().err
    assert main(["glossary", "check", "--src", str(en), "--ref", str(en)]) == 2
    assert "SRC: the text looks English" in capsys.readouterr().err
    out = tmp_path / "r.json"
    assert (
        main(["score", "--src", str(zh), "--hyp", str(en), "--ref", str(en), "-o", str(out)]) == 0
    )


def test_shared_sample_with_the_example_reference_fails_and_exports_nothing(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = shared_path("samples/E-CN.15-2021-5.zh.txt")
    out = tmp_path / "run"
    assert main(_run(tiny_model_dir, out, str(sample), "--reference", str(EN))) == 1
    assert "zh 99, en 9" in capsys.readouterr().err
    assert main(["export", str(out), "-o", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()
