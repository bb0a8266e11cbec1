"""``unmt run`` end to end with the tiny model: the example pair, a document without reference,
a reference whose paragraphs differ, failing documents, re-run skipping, --jobs, export."""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES

from unmt.eval.glossary.load import glossary_paths
from unmt.pipeline.cli.main import main
from unmt.pipeline.export.tmx import check_tmx
from unmt.pipeline.run.rundir import output_files

NO_REF_ZH = (
    "一. 导言\n\n1. 会员国重申打击恐怖主义的承诺。秘书长提交了报告。\n\n"
    "2. 联合国毒品和犯罪问题办公室提供了援助。\n"
)
OUTPUTS = ("segments.zh.jsonl", "translations.jsonl", "terms.jsonl", "pairs.jsonl", "report.json")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("输入 inputs")
    zh, en = EXAMPLES / "un-report.zh.txt", EXAMPLES / "un-report.en.txt"
    (base / "norefs.zh.txt").write_text(NO_REF_ZH, encoding="utf-8")
    (base / "empty.zh.txt").write_text("  \n\n", encoding="utf-8")
    shutil.copy(zh, base / "short-ref.zh.txt")
    # the reference without its last numbered paragraph: paragraph counts differ
    lines = en.read_text(encoding="utf-8").splitlines()
    last = max(i for i, line in enumerate(lines) if re.match(r"\d+\. ", line))
    (base / "short-ref.en.txt").write_text("\n".join(lines[:last]) + "\n", encoding="utf-8")
    pairs = base / "pairs.tsv"
    (base / "binary.zh.txt").write_bytes(bytes(range(256)) * 4)
    pairs.write_text(
        "short-ref.zh.txt\tshort-ref.en.txt\nmissing.zh.txt\t\tgone\nbinary.zh.txt\n", "utf-8"
    )
    return {"zh": zh, "en": en, "base": base, "pairs": pairs}


def run_args(inputs: dict[str, Path], out: Path, model: Path, *extra: str) -> list[str]:
    base = inputs["base"]
    return [
        "run", str(inputs["zh"]), str(base / "norefs.zh.txt"), str(base / "empty.zh.txt"),
        "--reference", str(inputs["en"]), "", "",
        "--pairs", str(inputs["pairs"]), "-o", str(out), "--model", str(model),
        "--backend", "ctranslate2", "--quiet", *extra,
    ]  # fmt: skip


@pytest.fixture(scope="module")
def finished(
    inputs: dict[str, Path], tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("运行 run") / "run"
    code = main(run_args(inputs, out, tiny_model_dir))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {"out": out, "code": code, "manifest": manifest}


def test_run_records_every_document(finished: dict[str, Any]) -> None:
    assert finished["code"] == 1  # three documents failed
    docs = finished["manifest"]["documents"]
    assert {d: e["status"] for d, e in docs.items()} == {
        "un-report": "done", "norefs": "done", "empty": "failed",
        "short-ref": "done", "gone": "failed", "binary": "failed",
    }  # fmt: skip
    assert "binary.zh.txt" in docs["binary"]["error"]  # the reader names the file
    assert "no text" in docs["empty"]["error"] or "empty" in docs["empty"]["error"]
    assert "no such file" in docs["gone"]["error"]
    assert set(docs["un-report"]["stages"]) == {
        "segment.zh", "segment.en", "translate", "align", "score"
    }  # fmt: skip
    assert set(docs["norefs"]["stages"]) == {"segment.zh", "translate", "score"}
    assert len(docs["un-report"]["sha256"]) == 64
    assert docs["short-ref"]["flags"][0].startswith("paragraph-count-mismatch: zh ")
    assert docs["un-report"]["flags"] == []
    m = finished["manifest"]
    assert m["translator"]["meaningless"] is True and m["versions"]["unmt"]
    assert m["settings"]["model"].endswith("tiny-marian")
    assert "seg:seg-" in m["signatures"]["terms"] and "meaningless:yes" in m["signatures"]["terms"]
    assert m["signatures"]["align"].startswith("align-") and "mt:yes" in m["signatures"]["align"]


def test_reference_documents_are_aligned_and_scored(finished: dict[str, Any]) -> None:
    d = finished["out"] / "docs" / "un-report"
    for name in (*OUTPUTS, "segments.en.jsonl", "beads.jsonl", "report.html"):
        assert (d / name).is_file(), name
    zh, en = read_jsonl(d / "segments.zh.jsonl"), read_jsonl(d / "segments.en.jsonl")
    beads = read_jsonl(d / "beads.jsonl")
    assert [i for b in beads for i in b["src"]] == list(range(len(zh)))
    assert [j for b in beads for j in b["tgt"]] == list(range(len(en)))
    rows = read_jsonl(d / "pairs.jsonl")
    assert len(rows) == len(beads)
    assert {r["en_origin"] for r in rows} == {"reference"}
    assert all(r["chrf"] is not None for r in rows if r["zh"] and r["en"])
    scores = {(tuple(b["src"]), tuple(b["tgt"])): b["score"] for b in beads}
    assert [r["align"] for r in rows] == [
        scores[k] if k[0] and k[1] else None
        for k in ((tuple(b["src"]), tuple(b["tgt"])) for b in beads)
    ]  # the bead's score; none for a one-sided bead
    assert max(r["align"] or 0 for r in rows) > 0.3
    assert sum(len(r["terms"]) for r in rows) == len(read_jsonl(d / "terms.jsonl")) > 0
    report = json.loads((d / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["bleu"] is not None


def test_documents_without_reference_are_never_aligned(finished: dict[str, Any]) -> None:
    d = finished["out"] / "docs" / "norefs"
    assert not (d / "beads.jsonl").exists() and not (d / "segments.en.jsonl").exists()
    rows, mts = read_jsonl(d / "pairs.jsonl"), read_jsonl(d / "translations.jsonl")
    assert [r["id"] for r in rows] == [t["id"] for t in mts]
    assert all(r["bead"] == "1-1" and r["en_origin"] == "mt" and r["chrf"] is None for r in rows)
    assert all(r["align"] is None for r in rows)
    assert [r["en"] for r in rows] == [r["mt"] for r in rows] == [t["mt"] for t in mts]


def test_corpus_report_lists_documents_and_failures(finished: dict[str, Any]) -> None:
    out = finished["out"]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert {d["doc"] for d in report["documents"]} == {"un-report", "norefs", "short-ref"}
    # one finished document has no reference: the figures are over the other two
    assert report["summary"]["bleu"] is not None and report["summary"]["reference_documents"] == 2
    assert "over 2 of 3 documents with a reference" in (out / "report.md").read_text("utf-8")
    details = " ".join(report["details"].values())
    assert "document gone FAILED" in details and "document empty FAILED" in details
    assert "paragraph-count-mismatch" in details
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "document gone FAILED" in html


def test_rerun_skips_every_stage(
    finished: dict[str, Any],
    inputs: dict[str, Path],
    tiny_model_dir: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = finished["out"]
    before = output_files(out)
    with caplog.at_level(logging.INFO):
        assert main(run_args(inputs, out, tiny_model_dir)) == 1
    skipped = [r.getMessage() for r in caplog.records if "up to date; skipped" in r.getMessage()]
    assert len(skipped) == 5 + 3 + 5  # un-report, norefs, short-ref stages
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for doc, entry in manifest["documents"].items():  # stage records untouched (times included)
        assert entry["stages"] == finished["manifest"]["documents"][doc]["stages"]
    after = output_files(out)
    assert after == before
    stdout = capsys.readouterr().out
    assert "3 of 6 document(s) done" in stdout and f"report: {out / 'report.html'}" in stdout


def test_changed_glossary_rescores_without_translating(
    finished: dict[str, Any], inputs: dict[str, Path], tiny_model_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    shutil.copytree(finished["out"], out)
    glossary = tmp_path / "g.tsv"
    glossary.write_text("zh\ten\n会员国\tMember States\n", encoding="utf-8")
    before = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["documents"]
    args = run_args(inputs, out, tiny_model_dir, "--glossary", str(glossary))
    assert main([*args, "--no-default-glossary"]) == 1  # this glossary alone
    after = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["documents"]
    for doc in ("un-report", "norefs"):
        assert after[doc]["stages"]["translate"] == before[doc]["stages"]["translate"]
        assert after[doc]["stages"]["score"]["key"] != before[doc]["stages"]["score"]["key"]
    terms = read_jsonl(out / "docs" / "norefs" / "terms.jsonl")
    assert {t["zh"] for t in terms} == {"会员国"}
    assert main(args) == 1  # without the flag the shipped UN glossary is added after it
    terms = read_jsonl(out / "docs" / "norefs" / "terms.jsonl")
    assert {"会员国", "秘书长"} <= {t["zh"] for t in terms}
    assert "导言" in {t["zh"] for t in terms}  # a two-character term of the UN glossary
    assert main([*args, "--min-zh-chars", "3"]) == 1  # terms shorter than 3 are not matched
    terms = read_jsonl(out / "docs" / "norefs" / "terms.jsonl")
    assert "导言" not in {t["zh"] for t in terms} and "会员国" in {t["zh"] for t in terms}


def test_jobs_2_gives_the_same_outputs(
    finished: dict[str, Any], inputs: dict[str, Path], tiny_model_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    out.mkdir()
    shutil.copy(finished["out"] / "cache.sqlite", out / "cache.sqlite")  # no model work needed
    assert main(run_args(inputs, out, tiny_model_dir, "--jobs", "2")) == 1
    for doc in ("un-report", "norefs", "short-ref"):
        for name in OUTPUTS:
            a = finished["out"] / "docs" / doc / name
            assert (out / "docs" / doc / name).read_bytes() == a.read_bytes(), (doc, name)
    docs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["documents"]
    assert docs["gone"]["status"] == "failed" and docs["short-ref"]["flags"]


def test_export_of_a_real_run(finished: dict[str, Any], tmp_path: Path) -> None:
    from datasets import load_dataset

    out = tmp_path / "export"
    assert main(["export", str(finished["out"]), "-o", str(out), "--quiet"]) == 0
    ds = load_dataset(str(out), split="train")
    rows = [
        r for d in ("un-report", "norefs", "short-ref")
        for r in read_jsonl(finished["out"] / "docs" / d / "pairs.jsonl")
    ]  # fmt: skip
    one_sided = sum(1 for r in rows if not r["zh"].strip() or not r["en"].strip())
    # the tiny model's translations are meaningless: never exported as a translation
    mt = sum(1 for r in rows if r["en_origin"] == "mt" and r["zh"].strip() and r["en"].strip())
    assert one_sided >= 1 and mt >= 1 and ds.num_rows == len(rows) - one_sided - mt
    assert set(ds["doc"][:]) == {"un-report", "short-ref"}  # norefs has only MT
    assert "1-1" in ds["bead"][:] and set(ds["en_origin"][:]) == {"reference"}
    assert check_tmx(out / "unmt.zh-en.tmx") == len(rows) - one_sided - mt
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "meaningless" in card and "**Incomplete:** 3 document(s)" in card
    assert f"machine translation of a random-weight model: {mt}" in card


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--model", "no-such-org/no-such-model"], "no-such-org/no-such-model"),
        (["--beam", "0"], "--beam: expected at least 1, not 0"),
    ],
)
def test_run_level_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    zh = tmp_path / "a.zh.txt"
    zh.write_text(NO_REF_ZH, encoding="utf-8")
    assert main(["run", str(zh), "-o", str(tmp_path / "run"), "--quiet", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("unmt: error: ") and needle in err and "Traceback" not in err


def test_run_dir_that_is_a_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "run"
    f.write_text("x", encoding="utf-8")
    assert main(["run", str(EXAMPLES / "un-report.zh.txt"), "-o", str(f)]) == 2
    assert "the run directory is a file" in capsys.readouterr().err


def test_segment_and_run_give_the_same_segment_ids(
    finished: dict[str, Any], inputs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """One document-id rule (unmt.docid) for every command: the ids of `unmt segment` on a
    file are the ids `unmt run` writes for it."""
    for src, doc in ((inputs["zh"], "un-report"), (inputs["base"] / "norefs.zh.txt", "norefs")):
        assert main(["segment", str(src)]) == 0
        ids = [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]
        seg_file = finished["out"] / "docs" / doc / "segments.zh.jsonl"
        run_ids = [r["id"] for r in read_jsonl(seg_file)]
        assert ids == run_ids and ids[0].startswith(f"{doc}:")


def test_corpus_report_equals_scoring_every_row_at_once(finished: dict[str, Any]) -> None:
    """The corpus report is combined from the documents' hits and sufficient statistics; its
    figures are those of scoring all the documents' rows in one call."""
    from unmt.fileio import read_records
    from unmt.pipeline.run import stages as st
    from unmt.records import Pair

    out = finished["out"]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    done = [d["doc"] for d in report["documents"]]
    pairs = [p for d in done for p in read_records(out / "docs" / d / "pairs.jsonl", Pair)]
    matcher = st.term_matcher(tuple(str(g) for g in glossary_paths([])))
    again = st.score_pairs(pairs, False, matcher, {}).summary_json()
    summary = report["summary"]
    for key in ("segments", "term_accuracy", "term_occurrences", "term_hits", "consistency"):
        assert summary[key] == again[key], key
    assert report["segments"] == []  # segments are in the per-document reports
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "href='docs/un-report/report.html'" in html


def test_tampered_corpus_report_is_rewritten(
    finished: dict[str, Any], inputs: dict[str, Path], tiny_model_dir: Path
) -> None:
    out = finished["out"]
    good = (out / "report.json").read_bytes()
    (out / "report.json").write_text("{}", encoding="utf-8")
    assert main(run_args(inputs, out, tiny_model_dir)) == 1
    assert (out / "report.json").read_bytes() == good
