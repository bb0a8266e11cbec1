"""``unmt segment`` and ``unmt bench segment`` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES

from unmt.pipeline.cli.main import main

EXAMPLE = EXAMPLES / "un-report.zh.txt"


def test_jsonl_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["segment", str(EXAMPLE)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 37
    assert {"id", "doc", "block", "label", "text"} <= set(rows[0])
    assert rows[0]["id"] == "un-report:t1.s1"
    assert [r["id"] for r in rows if r["label"] == "4"] == [
        "un-report:p4.s1", "un-report:p4.s2", "un-report:p4.s3",
    ]  # fmt: skip


def test_txt_to_file_with_doc_id(tmp_path: Path) -> None:
    out = tmp_path / "out" / "seg.txt"
    args = ["segment", str(EXAMPLES / "un-report.en.txt"), "--lang", "en", "--doc-id", "E1"]
    assert main([*args, "--format", "txt", "-o", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 39
    assert lines[0] == "Commission on Crime Prevention and Criminal Justice"
    assert main([*args, "-o", str(tmp_path / "seg.jsonl")]) == 0
    first = json.loads((tmp_path / "seg.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert first["id"] == "E1:t1.s1"


def test_non_ascii_paths(tmp_path: Path) -> None:
    folder = tmp_path / "联合国 报告"
    folder.mkdir()
    src = folder / "报告 (草稿).txt"
    src.write_bytes(EXAMPLE.read_bytes())
    out = folder / "输出.jsonl"
    assert main(["segment", str(src), "-o", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["doc"] == "报告_草稿"
    assert len(rows) == 37


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("missing.txt", None, "no such file"),
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"\n  \n", "whitespace"),
        ("binary.txt", bytes(range(256)) * 4, "binary"),
        ("bad.txt", "甲乙丙丁。".encode() + b"\xc3\x28" + "戊己。".encode(), "byte offset 15"),
    ],
)
def test_bad_input_exit_2_one_line_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, data: bytes | None, words: str
) -> None:
    src = tmp_path / name
    if data is not None:
        src.write_bytes(data)
    out = tmp_path / "out.jsonl"
    out.write_text("previous content\n", encoding="utf-8")
    assert main(["segment", str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("unmt: error: ") and str(src) in err[0] and words in err[0]
    assert out.read_text(encoding="utf-8") == "previous content\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != name) == ["out.jsonl"]


def test_directory_input_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["segment", str(tmp_path)]) == 2
    assert "directory" in capsys.readouterr().err


def test_segment_does_not_import_torch(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from unmt.pipeline.cli.main import main\n"
        f"rc = main(['segment', {str(EXAMPLE)!r}, '-o', {str(tmp_path / 'o.jsonl')!r}])\n"
        "heavy = [m for m in ('torch', 'transformers', 'ctranslate2', 'datasets') "
        "if m in sys.modules]\n"
        "print('RC', rc, 'HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "RC 0 HEAVY []" in out.stdout


def test_bench_segment_prints_throughput(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "segment", "--sizes", "0.05,0.1"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[2:]]
    assert len(rows) == 2
    sizes = [float(r[0]) for r in rows]
    assert sizes[0] >= 0.05 and sizes[1] >= 0.1
    assert all(float(r[2]) > 0 and float(r[4]) > 0 and int(r[5]) > 0 for r in rows)
