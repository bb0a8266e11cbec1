"""``unmt export``'s review tables and messages (issue 23): cells that look like formulas stay
text, control characters do not break the XLSX, ``--format all`` is every format, and a run
whose documents are all flagged says so and names the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_export import MT_ROWS, REF_ROWS, make_run
from unmt.pipeline.cli.main import main
from unmt.pipeline.run.rundir import RunDir

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1+2", "-3 per cent", "@SUM(A1)"]


def _row(i: int, zh: str, mt: str, en: str) -> dict[str, Any]:
    return {
        "id": f"f:p{i}.s1", "doc": "f", "para": str(i), "block": "paragraph", "zh": zh,
        "en": en, "en_origin": "reference", "mt": mt, "bead": "1-1",
        "terms": [{"zh": "会员国", "en": zh, "found": False}], "chrf": 12.5,
    }  # fmt: skip


def _export(tmp_path: Path, rows: list[dict[str, Any]], fmt: str) -> Path:
    run = make_run(tmp_path / "run", {"f": rows})
    out = tmp_path / "out"
    assert main(["export", str(run), "-o", str(out), "--format", fmt, "--quiet"]) == 0
    return out


def _sheet(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    return [list(row) for row in load_workbook(path)["review"].iter_rows()]


def test_cells_that_look_like_formulas_stay_text(tmp_path: Path) -> None:
    rows = [_row(i, text, text, text) for i, text in enumerate(FORMULAS, 1)]
    out = _export(tmp_path, rows, "tsv,xlsx")
    sheet = _sheet(out / "unmt.review.xlsx")
    assert [c.value for c in sheet[0]][:3] == ["id", "doc", "zh"]
    for text, cells in zip(FORMULAS, sheet[1:], strict=True):
        for cell in cells[2:5]:  # zh, MT, reference: the text itself, typed as a string
            assert cell.data_type == "s" and cell.value == text
        assert cells[5].data_type == "s" and cells[5].value == f"会员国 → {text}"
        assert all(c.data_type == "s" for c in cells[:6])
        assert cells[6].data_type == "n" and cells[6].value == 12.5  # chrF stays a number
    tsv = (out / "unmt.review.tsv").read_text(encoding="utf-8").splitlines()[1:]
    for text, line in zip(FORMULAS, tsv, strict=True):
        cells = line.split("\t")
        assert cells[2:5] == ["'" + text] * 3 and cells[5] == f"会员国 → {text}"
        assert cells[0].startswith("f:p") and cells[6] == "12.5"  # others unchanged


def test_control_characters_become_the_replacement_character_in_xlsx(tmp_path: Path) -> None:
    zh, mt = "会员国\x01重申\x1b[31m承诺。", "Member\x07 States\x0e\x00 reaffirm."
    out = _export(tmp_path, [_row(1, zh, mt, "Member States\x1f reaffirmed.")], "tsv,xlsx")
    cells = [c.value for c in _sheet(out / "unmt.review.xlsx")[1]]
    assert cells[2:5] == [
        "会员国\ufffd重申\ufffd[31m承诺。",
        "Member\ufffd States\ufffd\ufffd reaffirm.",
        "Member States\ufffd reaffirmed.",
    ]
    assert cells[5] == "会员国 → 会员国\ufffd重申\ufffd[31m承诺。"
    tsv = (out / "unmt.review.tsv").read_text(encoding="utf-8").splitlines()[1].split("\t")
    assert tsv[2] == zh  # the TSV keeps them


def test_format_all_is_every_format_and_the_default_hf_tmx(tmp_path: Path) -> None:
    from unmt.pipeline.cli.export import FORMATS, _formats

    assert _formats("all") == FORMATS == ("hf", "tmx", "tsv", "xlsx", "moses")
    assert _formats("tmx,all") == ("tmx", "hf", "tsv", "xlsx", "moses")
    run = make_run(tmp_path / "run", {"a": REF_ROWS, "b": MT_ROWS})
    every = {"README.md", "data", "unmt.zh-en.tmx", "unmt.review.tsv", "unmt.review.xlsx",
             "unmt.zh-en.zh", "unmt.zh-en.en", ".unmt-export.json"}  # fmt: skip
    out = tmp_path / "all"
    assert main(["export", str(run), "-o", str(out), "--format", "all", "--quiet"]) == 0
    assert {p.name for p in out.iterdir()} == every
    out = tmp_path / "default"
    assert main(["export", str(run), "-o", str(out), "--quiet"]) == 0
    assert {p.name for p in out.iterdir()} == {"README.md", "data", "unmt.zh-en.tmx",
                                               ".unmt-export.json"}  # fmt: skip


def _flag(run: Path, *docs: str) -> None:
    rd = RunDir(run)
    for doc in docs:
        rd.set_document(doc, flags=["mismatch: median bead similarity 0.12 < 0.25"])
    rd.close()


def test_a_run_of_flagged_documents_names_them_and_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = make_run(tmp_path / "run", {"a": REF_ROWS, "b": MT_ROWS})
    _flag(run, "a", "b")
    out = tmp_path / "out"
    assert main(["export", str(run), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("unmt: error: ")
    assert "every document is flagged (a, b;" in err and "--accept-mismatch" in err
    assert "add --include-flagged" in err and "to completion" not in err
    # with a failed document beside it: both causes, both fixes
    mixed = make_run(tmp_path / "mixed", {"a": REF_ROWS, "bad": None})
    _flag(mixed, "a")
    assert main(["export", str(mixed), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad: failed: empty file" in err
    assert "to completion first; a flagged (" in err and "add --include-flagged" in err
    assert main(["export", str(run), "-o", str(out), "--include-flagged", "--quiet"]) == 0
