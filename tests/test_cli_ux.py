"""Small things a new user meets on the command line (issue 14): where a report went, warnings
that name the file and line, a hint for a swallowed INPUT, dropped documents named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLES

from unmt.pipeline.cli.main import main

ZH, EN = EXAMPLES / "un-report.zh.txt", EXAMPLES / "un-report.en.txt"


def _lines(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_score_says_where_the_report_went_and_leaves_ter_to_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _lines(tmp_path / "s.txt", "会员国重申承诺。\n秘书长提交了报告。\n" * 10)
    hyp = _lines(tmp_path / "h.txt", "Member States reaffirmed.\nThe report was submitted.\n" * 10)
    out = tmp_path / "r.json"
    assert (
        main(["score", "--src", str(src), "--hyp", str(hyp), "--ref", str(hyp), "-o", str(out)])
        == 0
    )
    assert f"report: {out}" in capsys.readouterr().out
    assert main(["score", "--src", str(src), "--hyp", str(hyp), "--ref", str(hyp), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["bleu"] is not None and summary["chrf"] is not None and summary["ter"] is None
    assert main(["score", "--src", str(src), "--hyp", str(hyp), "--ref", str(hyp), "--json",
                 "--metrics", "bleu,chrf,ter"]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out.splitlines()[-1]).get("ter") is not None


def test_segmentation_warnings_name_the_file_and_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    doc = _lines(tmp_path / "j.zh.txt", "一. 导言\n\n1. 第一段。\n\n2. 第二段。\n\n5. 第五段。\n")
    assert main(["segment", str(doc), "-o", str(tmp_path / "o.jsonl")]) == 0
    assert f"{doc}: line 7: paragraph numbers jump from 2 to 5" in caplog.text


def test_an_input_swallowed_by_reference_gets_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--reference", str(EN), str(ZH), "-o", "/tmp/never-made"]) == 2
    err = capsys.readouterr().err
    assert "--reference took every file after it" in err and "put the INPUT files first" in err


def test_documents_dropped_from_a_run_are_named(
    tmp_path: Path, tiny_model_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "run"
    other = _lines(tmp_path / "other.zh.txt", "一. 导言\n\n1. 毒品和犯罪问题办公室提供了援助。\n")
    args = ["-o", str(out), "--model", str(tiny_model_dir), "--quiet"]
    assert main(["run", str(ZH), str(other), *args]) == 0
    assert main(["run", str(ZH), *args]) == 0
    assert "1 document(s) of this run directory are not among the inputs" in caplog.text
    assert "other" in caplog.text and (out / "docs" / "other" / "segments.zh.jsonl").is_file()


def test_dash_is_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import io
    import sys

    def stdin(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))

    stdin(ZH.read_bytes())
    assert main(["segment", "-", "--format", "txt"]) == 0
    from unmt.pipeline.segment.segmenter import segment_file

    want = [s.text for s in segment_file(ZH)[1]]
    assert capsys.readouterr().out.splitlines() == want
    hyp = _lines(tmp_path / "h.txt", "Member States reaffirmed their commitment.\n")
    stdin("会员国重申承诺。\n".encode())
    assert main(["score", "--src", "-", "--hyp", str(hyp), "--json"]) == 0
    stdin(b"%PDF-1.7 not on stdin")
    assert main(["segment", "-"]) == 2
    assert "give it as a file name" in capsys.readouterr().err


def test_glossary_info_takes_glossary_and_names_the_shipped_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["glossary", "info"]) == 0
    assert "the shipped UN glossary: " in capsys.readouterr().out
    g = _lines(tmp_path / "mine.tsv", "zh\ten\n会员国\tMember States\n")
    assert main(["glossary", "info", "--glossary", str(g)]) == 0
    assert capsys.readouterr().out.startswith("mine@")


def test_run_progress_counts_segments_batch_by_batch(tmp_path: Path, tiny_model_dir: Path) -> None:
    """One big document moves the translation progress batch by batch, in segments."""
    from unmt.models.options import TranslateOptions
    from unmt.models.translate import open_translator
    from unmt.pipeline.bench.segment import synthetic
    from unmt.pipeline.run import stages as st
    from unmt.pipeline.segment.segmenter import segment_file

    doc = _lines(tmp_path / "big.zh.txt", synthetic(ZH.read_text(encoding="utf-8"), "zh", 30_000))
    segments = segment_file(doc)[1]
    seg_path = tmp_path / "segments.jsonl"
    seg_path.write_text("".join(json.dumps(s.to_json()) + "\n" for s in segments), "utf-8")
    ticks: list[int] = []
    options = TranslateOptions(model=str(tiny_model_dir), no_cache=True, quiet=True, batch_size=4)
    with open_translator(options) as translator:
        st.translate_stage(
            seg_path, translator, {"translations": tmp_path / "t.jsonl"}, ticks.append
        )
    assert sum(ticks) == len(segments) and len(ticks) > 3


def test_every_help_text_states_its_default() -> None:
    """An option with a default (other than off, none or empty) says it in its help."""
    import argparse

    from unmt.pipeline.cli.main import build_parser

    missing: list[str] = []

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, [*prefix, name])
                continue
            if action.help == argparse.SUPPRESS or isinstance(action, argparse._HelpAction):
                continue
            if action.default in (None, False, [], (), argparse.SUPPRESS):
                continue
            if "default" not in (action.help or "").lower():
                missing.append(
                    f"{' '.join(prefix)} {'/'.join(action.option_strings) or action.dest}"
                )

    walk(build_parser(), ["unmt"])
    assert missing == []


def test_progress_bar_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bar writes to standard error when it is a terminal, counts every step, opens
    once there is something to count, and grows with extend (a run's next chunk)."""
    import io
    import sys

    from unmt.progress import Progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    quiet = Progress("x", 5)
    quiet.update(3)
    assert quiet.n == 3 and quiet._bar is None  # not a terminal (pytest captures stderr)
    err = Tty()
    monkeypatch.setattr(sys, "stderr", err)
    bar = Progress("translating", 0, leave=True)
    assert bar._bar is None  # nothing to count yet
    bar.extend(4)
    bar.update(2)
    bar.catch_up(4)
    bar.extend(6)
    bar.update(1)
    assert (bar.n, bar.total, bar._bar.n, bar._bar.total) == (5, 10, 5, 10)
    bar.close()
    assert "translating" in err.getvalue() and "5/10" in err.getvalue()
    assert Progress("off", 3, enabled=False)._bar is None


def test_bench_score_without_unbis_names_flags_that_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 23: the missing UNBIS thesaurus is given as a glossary (there is no --unbis)."""
    import re

    from unmt.pipeline.bench import score
    from unmt.pipeline.cli.main import build_parser

    monkeypatch.setattr(score, "_DATA", tmp_path / "no-shared-data")
    lines = str(_lines(tmp_path / "x.txt", "会员国重申承诺。\n"))
    assert main(["bench", "score", "--src", lines, "--hyp", lines, "--ref", lines]) == 2
    err = capsys.readouterr().err
    assert "unbis_thesaurus_6lang.tsv" in err and "--glossary un --glossary" in err
    parser = build_parser("bench")
    for flag in set(re.findall(r"--[a-z][a-z-]*", err)):  # every flag named exists
        assert parser.parse_known_args(["bench", "score", flag, "x"])[1] == [], flag
