"""The CLI's skeleton: help, version, errors, and no heavy import at start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from unmt.errors import UserError
from unmt.pipeline.cli.main import main
from unmt.records import Block, Document, Segment, Translation


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "bench" in capsys.readouterr().out


def test_usage_error_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["translate", "x.txt", "--beam", "zero"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "unmt: error: unmt translate: argument --beam: expected a whole number, got 'zero'; "
        "see `unmt translate --help`\n"
    )


def test_run_help_lists_every_translation_setting(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--help"]) == 0
    out = capsys.readouterr().out
    for flag in ("--max-batch-tokens", "--split-tokens", "--no-cache", "--compute-type"):
        assert flag in out
    assert "{auto,ctranslate2,transformers}" in out and "2048" in out


def test_help_does_not_import_torch() -> None:
    code = (
        "import sys\n"
        "from unmt.pipeline.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "names = ('torch', 'transformers', 'ctranslate2', 'datasets')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout


def test_user_error_renders_path_line_and_hint() -> None:
    err = UserError("not UTF-8", path="a.txt", line=3, hint="save it as UTF-8")
    assert err.render() == "a.txt:3: not UTF-8; save it as UTF-8"


@pytest.mark.parametrize(
    "record",
    [
        Segment(
            id="d:p8.s3",
            doc="d",
            block="paragraph",
            label="8",
            sent=3,
            text="句子。",
            start=4,
            end=7,
        ),
        Translation(id="d:p1.s1", text="文本", mt="text", flags=("split",)),
        Document(
            id="d",
            language="zh",
            source="x.txt",
            sha256="0" * 64,
            blocks=(
                Block(
                    kind="heading",
                    label="一.",
                    text="导言",
                    index=1,
                    links=("https://undocs.org/x",),
                ),
            ),
            links=("https://undocs.org/x",),
        ),
    ],
)
def test_records_round_trip_through_json(record: object) -> None:
    data = json.loads(json.dumps(record.to_json(), ensure_ascii=False))  # type: ignore[attr-defined]
    assert type(record).from_json(data) == record  # type: ignore[attr-defined]


_EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
_ZH, _EN = _EXAMPLES / "un-report.zh.txt", _EXAMPLES / "un-report.en.txt"


@pytest.mark.parametrize("command", ["segment", "align", "score"])
def test_light_commands_do_not_import_heavy_libraries(command: str, tmp_path: Path) -> None:
    zh, en = tmp_path / "zh.txt", tmp_path / "en.txt"
    zh.write_text("会员国欢迎秘书长的报告。\n安全理事会通过了决议。\n", encoding="utf-8")
    en.write_text(
        "Member States welcomed the report of the Secretary-General.\n"
        "The Security Council adopted the resolution.\n",
        encoding="utf-8",
    )
    args = {
        "segment": ["segment", str(_ZH)],
        "align": ["align", str(_ZH), str(_EN), "--segment"],
        "score": ["score", "--src", str(zh), "--hyp", str(en), "--ref", str(en), "--json"],
    }[command]
    code = (
        "import sys\n"
        "from unmt.pipeline.cli.main import main\n"
        f"rc = main({args!r})\n"
        "names = ('torch', 'transformers', 'ctranslate2', 'datasets')\n"
        "print('RC', rc, 'HEAVY', [m for m in names if m in sys.modules], file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "RC 0 HEAVY []" in out.stderr, out.stderr
