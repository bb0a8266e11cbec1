"""``unmt export``: Parquet + dataset card load back with datasets, TMX parses back, bad input.

These tests build finished run directories through ``RunDir.stage`` (the same call ``unmt run``
uses to write its ``pairs.jsonl``), so they need no model; the end-to-end tests in
``test_run_e2e.py`` export a real run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from unmt.fileio import write_jsonl
from unmt.pipeline.cli.main import main
from unmt.pipeline.export.tmx import check_tmx
from unmt.pipeline.run.rundir import RunDir

REF_ROWS: list[dict[str, Any]] = [
    {
        "id": "a:p1.s1", "doc": "a", "para": "1", "block": "paragraph", "zh": "会员国重申承诺。",
        "en": "Member States reaffirmed their commitment.", "en_origin": "reference",
        "mt": "Member States reaffirm commitment.", "bead": "1-1",
        "terms": [{"zh": "会员国", "en": "Member States", "found": True}], "chrf": 61.5,
        "align": 0.8,
    },
    {
        "id": "a:p2.s1+a:p2.s2", "doc": "a", "para": "2", "block": "paragraph",
        "zh": "毒品和犯罪问题办公室 提供援助。 R&D <测试>",
        "en": "UNODC provided <help> & support.",
        "en_origin": "reference", "mt": "The Office provided aid.", "bead": "2-1",
        "terms": [{"zh": "毒品和犯罪问题办公室", "en": "UNODC", "found": False}], "chrf": 30.25,
        "align": 0.3,
    },
    {
        "id": "a:p3.s1", "doc": "a", "para": "3", "block": "paragraph", "zh": "多余的句子\x07。",
        "en": "", "en_origin": "reference", "mt": "Extra sentence.", "bead": "1-0",
        "terms": [], "chrf": 0.0,
    },
]  # fmt: skip
MT_ROWS: list[dict[str, Any]] = [
    {
        "id": "b:h1.s1", "doc": "b", "para": "一.", "block": "heading", "zh": "导言",
        "en": "Introduction", "en_origin": "mt", "mt": "Introduction", "bead": "1-1",
        "terms": [], "chrf": None,
    },
]  # fmt: skip


def make_run(
    path: Path,
    docs: dict[str, list[dict[str, Any]] | None],
    sha: str = "",
    *,
    meaningless: bool = False,
) -> Path:
    """A run directory whose documents finished (rows given) or failed (``None``);
    ``meaningless``: translated by a random-weight model."""
    run = RunDir(path)
    run.update(
        settings={"glossaries": ["/somewhere/un-terms.tsv"]},
        signatures={"terms": "glossary:un|match:exact|unmt:0.1.0"},
        translator={
            "model": "tiny (random weights)" if meaningless else "Helsinki-NLP/opus-mt-zh-en",
            "backend": "ctranslate2",
            "meaningless": meaningless,
        },
    )
    for doc_id, rows in docs.items():
        run.set_document(doc_id, source=f"{doc_id}.zh.txt", sha256=sha or doc_id * 8)
        if rows is None:
            run.set_document(doc_id, status="failed", error="empty file")
            continue
        run.stage(
            doc_id,
            "score",
            settings={},
            inputs={},
            outputs={"pairs": "pairs.jsonl"},
            run=lambda paths, rows=rows: {"rows": write_jsonl(paths["pairs"], rows)},
        )
        run.set_document(doc_id, status="done")
    return path


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return make_run(tmp_path / "运行 run", {"a": REF_ROWS, "b": MT_ROWS})


def test_hf_export_loads_back_with_datasets(run_dir: Path, tmp_path: Path) -> None:
    from datasets import Translation, load_dataset

    out = tmp_path / "导出 out"
    args = ["export", str(run_dir), "-o", str(out), "--format", "hf", "--leave-out", "none"]
    assert main([*args, "--quiet"]) == 0
    ds = load_dataset(str(out), split="train")
    assert ds.num_rows == 4
    assert isinstance(ds.features["translation"], Translation)
    assert ds.features["translation"].languages == ["zh", "en"]
    rows = list(ds)
    assert [r["id"] for r in rows] == ["a:p1.s1", "a:p2.s1+a:p2.s2", "a:p3.s1", "b:h1.s1"]
    assert [r["bead"] for r in rows] == ["1-1", "2-1", "1-0", "1-1"]
    assert rows[0]["translation"] == {"zh": "会员国重申承诺。", "en": REF_ROWS[0]["en"]}
    assert rows[3]["translation"]["en"] == "Introduction" and rows[3]["en_origin"] == "mt"
    assert rows[1]["terms"] == [{"zh": "毒品和犯罪问题办公室", "en": "UNODC", "found": False}]
    assert [r["chrf"] for r in rows] == [61.5, 30.25, 0.0, None]
    files = sorted(str(p) for p in (out / "data").glob("*.parquet"))
    plain = load_dataset("parquet", data_files=files, split="train")
    assert plain.num_rows == 4 and plain.features == ds.features


def test_dataset_card_header_lists_configs_features_splits(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["export", str(run_dir), "-o", str(out), "--shard-rows", "3", "--leave-out", "none"]
    assert main([*args, "--quiet"]) == 0
    assert len(list((out / "data").glob("train-*-of-00002.parquet"))) == 2
    text = (out / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(text.split("---\n")[1])
    assert header["configs"][0]["data_files"][0] == {
        "split": "train",
        "path": "data/train-*.parquet",
    }
    assert header["license"] == "other"  # the default: UN terms of use, to be stated
    names = [f["name"] for f in header["dataset_info"]["features"]]
    assert {"id", "doc", "para", "translation", "mt", "terms", "chrf", "bead"} <= set(names)
    assert header["dataset_info"]["splits"] == [
        {"name": "train", "num_bytes": header["dataset_info"]["splits"][0]["num_bytes"],
         "num_examples": 4}
    ]  # fmt: skip
    body = text.split("---\n", 2)[2]
    for needle in ("glossary:un|match:exact", "Helsinki-NLP/opus-mt-zh-en",
                   "documents: 2", "2-1: 1", "`un-terms.tsv`",
                   "No row was left out by a rule"):  # fmt: skip
        assert needle in body


def test_tmx_parses_back_one_unit_per_two_sided_bead(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["export", str(run_dir), "-o", str(out), "--format", "tmx", "--quiet"]) == 0
    tmx = out / "unmt.zh-en.tmx"
    # the 1-0 bead has no English, doc b's row is machine translation: no unit for either
    assert check_tmx(tmx) == 2
    root = ET.parse(tmx).getroot()
    assert root.find("header").get("srclang") == "zh-CN"  # type: ignore[union-attr]
    tu = root.find("body/tu[@tuid='a:p2.s1+a:p2.s2']")
    assert tu is not None
    segs = [t.findtext("seg") for t in tu.findall("tuv")]
    assert segs == [REF_ROWS[1]["zh"], REF_ROWS[1]["en"]]
    props = {p.get("type"): p.text for p in tu.findall("prop")}
    assert props == {"x-doc": "a", "x-para": "2", "x-bead": "2-1", "x-en-origin": "reference"}
    assert not (out / "data").exists()


def test_several_runs_merge_and_repeat_export_replaces(tmp_path: Path) -> None:
    from datasets import load_dataset

    r1 = make_run(tmp_path / "r1", {"a": REF_ROWS})
    r2 = make_run(tmp_path / "r2", {"b": MT_ROWS, "a": REF_ROWS})  # a again, same source
    out = tmp_path / "out"
    assert main(["export", str(r1), str(r2), "-o", str(out), "--quiet"]) == 0
    assert load_dataset(str(out), split="train")["doc"][:] == ["a", "a", "b"]  # 1-0 left out
    assert main(["export", str(r2), "-o", str(out), "--format", "hf", "--quiet"]) == 0
    assert load_dataset(str(out), split="train").num_rows == 3
    assert not (out / "unmt.zh-en.tmx").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_unfinished_run_exports_what_finished_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = make_run(tmp_path / "r", {"a": REF_ROWS, "bad": None})
    RunDir(run).set_document("late", source="late.zh.txt", sha256="x", status="pending")
    out = tmp_path / "out"
    assert main(["export", str(run), "-o", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "2 document(s) not exported" in err and "bad: failed: empty file" in err
    assert "late: unfinished" in err
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "**Incomplete:** 2 document(s)" in card


def _exit_2(argv: list[str], capsys: pytest.CaptureFixture[str], needle: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("unmt: error: ") and needle in err and "Traceback" not in err


def test_bad_inputs_exit_2(
    tmp_path: Path, run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    out = str(tmp_path / "o")
    _exit_2(["export", str(a_file), "-o", out], capsys, "the run directory is a file")
    _exit_2(["export", str(tmp_path / "nope"), "-o", out], capsys, "no such run directory")
    _exit_2(["export", str(tmp_path), "-o", out], capsys, "not a run directory (no state.sqlite")
    _exit_2(["export", str(run_dir), "-o", str(a_file)], capsys, "is a file")
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep", encoding="utf-8")
    _exit_2(["export", str(run_dir), "-o", str(other)], capsys, "not a unmt export")
    assert (other / "notes.txt").read_text(encoding="utf-8") == "keep"
    failed = make_run(tmp_path / "failed", {"bad": None})
    _exit_2(["export", str(failed), "-o", out], capsys, "nothing finished to export")
    clash = make_run(tmp_path / "clash", {"a": MT_ROWS}, sha="different")
    _exit_2(["export", str(run_dir), str(clash), "-o", out], capsys, "share the id 'a'")
    (run_dir / "docs" / "a" / "pairs.jsonl").write_text("{}\n", encoding="utf-8")
    assert main(["export", str(run_dir), "-o", out, "--quiet"]) == 0  # a changed: left out
    assert "a: unfinished (docs/a/pairs.jsonl missing or changed" in capsys.readouterr().err
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{nope", encoding="utf-8")
    _exit_2(["export", str(broken), "-o", out], capsys, "manifest.json: not valid JSON")


def test_push_offline_is_a_clear_error(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    _exit_2(
        ["export", str(run_dir), "-o", str(out), "--push-to-hub", "me/un", "--quiet"],
        capsys,
        "offline mode is on",
    )
    assert (out / "README.md").is_file()  # the local export is kept


def test_push_without_network_is_a_clear_error(run_dir: Path, tmp_path: Path) -> None:
    env = dict(os.environ, HF_HUB_OFFLINE="0", HF_ENDPOINT="http://127.0.0.1:9", HF_TOKEN="x")
    code = "from unmt.pipeline.cli.main import main; raise SystemExit(main())"
    argv = ["export", str(run_dir), "-o", str(tmp_path / "o"), "--push-to-hub", "me/un"]
    proc = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 2, proc.stderr
    assert "cannot push to me/un" in proc.stderr and "Traceback" not in proc.stderr
    assert json.loads((tmp_path / "o" / ".unmt-export.json").read_text())["rows"] == 3  # kept


def test_card_licence_is_asked_for(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = ["export", str(run_dir), "-o", str(out), "--format", "hf", "--license", "cc-by-4.0"]
    assert main([*argv, "--quiet"]) == 0
    header = yaml.safe_load((out / "README.md").read_text(encoding="utf-8").split("---\n")[1])
    assert header["license"] == "cc-by-4.0"


@pytest.mark.parametrize(
    ("flags", "ids", "left_out"),
    [
        ([], ["a:p1.s1", "a:p2.s1+a:p2.s2", "b:h1.s1"], "one-sided bead: 1"),  # the default
        (["--leave-out", "one-sided,mt"], ["a:p1.s1", "a:p2.s1+a:p2.s2"],
         "English is machine translation: 1"),
        (["--leave-out", "none", "--min-chrf", "40"], ["a:p1.s1", "b:h1.s1"],
         "chrF under 40: 2"),  # the MT row has no chrF: kept
        (["--min-align", "0.5"], ["a:p1.s1", "b:h1.s1"],
         "alignment score under 0.5: 1"),  # the MT row has no alignment score: kept
    ],
)  # fmt: skip
def test_rows_left_out_and_the_card_says_so(
    run_dir: Path, tmp_path: Path, flags: list[str], ids: list[str], left_out: str
) -> None:
    from datasets import load_dataset

    out = tmp_path / "out"
    assert main(["export", str(run_dir), "-o", str(out), "--quiet", *flags]) == 0
    assert load_dataset(str(out), split="train")["id"][:] == ids
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "## Left out" in card and left_out in card


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--leave-out", "empties"], "unknown kind empties"),
        (["--leave-out", "none,mt"], "cannot be combined"),
        (["--min-chrf", "120"], "--min-chrf: expected at most 100, not 120"),
        (["--min-align", "1.5"], "--min-align: expected at most 1, not 1.5"),
    ],
)
def test_bad_filters_exit_2(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], needle: str
) -> None:
    assert main(["export", str(run_dir), "-o", str(tmp_path / "out"), *flags]) == 2
    assert needle in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_card_lists_every_runs_glossaries(tmp_path: Path) -> None:
    r1 = make_run(tmp_path / "r1", {"a": REF_ROWS})
    r2 = make_run(tmp_path / "r2", {"b": MT_ROWS})
    run = RunDir(r2)
    run.update(settings={"glossaries": ["/elsewhere/conference-terms.tsv"]})
    run.close()
    out = tmp_path / "out"
    assert main(["export", str(r1), str(r2), "-o", str(out), "--format", "hf", "--quiet"]) == 0
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "`un-terms.tsv`" in card and "`conference-terms.tsv`" in card


def test_review_table_and_moses_text(run_dir: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "out"
    args = ["export", str(run_dir), "-o", str(out), "--format", "tsv,xlsx,moses", "--quiet"]
    assert main(args) == 0
    assert not (out / "data").exists() and not (out / "unmt.zh-en.tmx").exists()
    lines = (out / "unmt.review.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == ["id", "doc", "zh", "mt", "reference", "terms missed", "chrf"]
    rows = [line.split("\t") for line in lines[1:]]
    # the review table shows every row, the 1-0 bead too
    assert [r[0] for r in rows] == ["a:p1.s1", "a:p2.s1+a:p2.s2", "a:p3.s1", "b:h1.s1"]
    assert rows[1][5] == "毒品和犯罪问题办公室 → UNODC" and rows[0][5] == ""  # the miss
    assert rows[3][4] == "" and rows[3][3] == "Introduction"  # no reference: MT only
    assert all(len(r) == 7 for r in rows)
    sheet = load_workbook(out / "unmt.review.xlsx", read_only=True)["review"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0][0] == "id" and [c[0] for c in cells[1:]] == [r[0] for r in rows]
    assert cells[1][6] == 61.5 and cells[4][6] is None  # chrF as a number; none: empty
    zh = (out / "unmt.zh-en.zh").read_text(encoding="utf-8").splitlines()
    en = (out / "unmt.zh-en.en").read_text(encoding="utf-8").splitlines()
    # a training corpus of human translations: no one-sided bead, no machine translation
    assert len(zh) == len(en) == 2 and en[1] == "UNODC provided <help> & support."


def test_unknown_format_is_a_usage_error(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", str(run_dir), "-o", str(tmp_path / "o"), "--format", "hf,docx"]) == 2
    assert "unknown format 'docx'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_each_format_keeps_its_own_rows_and_says_what_it_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datasets import load_dataset

    run = make_run(tmp_path / "r", {"a": REF_ROWS, "b": MT_ROWS})
    out = tmp_path / "out"
    assert main(["export", str(run), "-o", str(out), "--format", "all"]) == 0
    printed = capsys.readouterr().out
    assert load_dataset(str(out), split="train")["id"][:] == [
        "a:p1.s1", "a:p2.s1+a:p2.s2", "b:h1.s1"]  # the dataset keeps MT rows  # fmt: skip
    assert check_tmx(out / "unmt.zh-en.tmx") == 2  # the memory: translations only
    assert len((out / "unmt.review.tsv").read_text("utf-8").splitlines()) == 1 + 4  # every row
    assert "dataset: 3 rows in 1 Parquet shard(s), card; left out: 1 (one-sided bead)" in printed
    assert ("TMX: 2 translation units; left out: 1 (one-sided bead), "
            "1 (English is machine translation)") in printed  # fmt: skip
    assert "review table: 4 rows in unmt.review.tsv\n" in printed


def test_the_mt_of_a_random_weight_model_is_never_exported_as_a_translation(
    tmp_path: Path,
) -> None:
    from datasets import load_dataset

    run = make_run(tmp_path / "r", {"a": REF_ROWS, "b": MT_ROWS}, meaningless=True)
    out = tmp_path / "out"
    args = ["export", str(run), "-o", str(out), "--format", "all", "--leave-out", "none"]
    assert main([*args, "--quiet"]) == 0
    ds = load_dataset(str(out), split="train")
    assert "b" not in ds["doc"][:] and "a:p3.s1" in ds["id"][:]  # even with --leave-out none
    assert (out / "unmt.zh-en.en").read_text("utf-8").count("\n") == 2
    assert "b:h1.s1" in (out / "unmt.review.tsv").read_text("utf-8")  # shown as MT, to review
    card = (out / "README.md").read_text("utf-8")
    assert "machine translation of a random-weight model: 1" in card
