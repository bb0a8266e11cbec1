"""Issue 24 (5): a PDF or .docx given where text is read, and hard-wrapped text given to
``unmt align``: one line that says what to do (exit 2 for a document, a warning for wrapping)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLES

from unmt.pipeline.cli.docfiles import document_kind
from unmt.pipeline.cli.main import main

ZH, EN = EXAMPLES / "un-report.zh.txt", EXAMPLES / "un-report.en.txt"
#: one sentence a line, as `unmt segment --format txt` or a line-aligned corpus gives
SENTENCES_ZH = [
    "会员国重申打击恐怖主义的承诺。",
    "秘书长提交了关于技术援助的报告。",
    "毒品和犯罪问题办公室向各国提供了立法援助。",
    "委员会审议了该项目。",
    "各国专家讨论了司法协助和引渡问题。",
    "报告最后提出了结论和建议。",
] * 2
SENTENCES_EN = [
    "Member States reaffirmed their commitment to countering terrorism.",
    "The Secretary-General submitted a report on technical assistance.",
    "The Office on Drugs and Crime provided legislative assistance to States.",
    "The Commission considered the item.",
    "Experts from States discussed mutual legal assistance and extradition.",
    "The report ends with conclusions and recommendations.",
] * 2


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    made = {
        "pdf": ("report.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\n"),
        "docx": ("report.docx", b"PK\x03\x04 a zip"),
        "pdf-named-txt": ("report.txt", b"%PDF-1.4\n"),  # told by its first bytes
        "zip": ("report.bin", b"PK\x03\x04"),
        "docx-suffix": ("empty.docx", b""),  # told by its suffix
    }
    out = {}
    for key, (name, data) in made.items():
        (tmp_path / name).write_bytes(data)
        out[key] = str(tmp_path / name)
    out["zh"], out["en"] = str(ZH), str(EN)
    return out


def _one_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("unmt: error: "), err
    return lines[0]


def test_document_kind_by_first_bytes_or_suffix(files: dict[str, str], tmp_path: Path) -> None:
    assert document_kind(files["pdf"]) == "a PDF"
    assert document_kind(files["pdf-named-txt"]) == "a PDF"
    assert document_kind(files["docx"]) == "a .docx file"
    assert document_kind(files["zip"]) == "a zip file (.docx?)"
    assert document_kind(files["docx-suffix"]) == "a .docx file"
    assert document_kind(files["zh"]) is None and document_kind("-") is None
    assert document_kind(tmp_path / "missing.pdf") is None  # the reader says "not found"


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["align", "{pdf}", "{docx}"], "{pdf}: SRC is a PDF, not text; a document must be "
         "segmented first: add --segment (unmt align --segment {pdf} {docx})"),
        (["align", "{zh}", "{docx}"], "{docx}: TGT is a .docx file, not text; a document must "
         "be segmented first: add --segment"),
        (["align", "{pdf-named-txt}", "{en}"], "SRC is a PDF, not text; a document must be"),
        (["align", "{zh}", "{en}", "--mt", "{pdf}"], "{pdf}: --mt is a PDF, not text; give one "
         "translation per SRC sentence"),
        (["score", "--src", "{pdf}", "--hyp", "{en}"], "{pdf}: SRC is a PDF, not text; score "
         "reads segments: run `unmt segment {pdf} -o zh.jsonl` and `unmt translate"),
        (["score", "--src", "{zh}", "--hyp", "{docx}"], "{docx}: HYP is a .docx file, not "
         "text; give the translation of SRC's segments"),
        (["score", "--src", "{zh}", "--hyp", "{en}", "--ref", "{pdf}"], "{pdf}: REF is a PDF, "
         "not text; a reference document must be aligned with the source first: `unmt run "
         "SOURCE --reference {pdf} -o RUN`"),
        (["glossary", "check", "--src", "{pdf}", "--ref", "{en}"], "{pdf}: SRC is a PDF, not "
         "text; glossary check reads line-aligned text: align the documents first (`unmt "
         "align --segment {pdf} {en} --format tsv -o pairs.tsv`)"),
        (["glossary", "check", "--src", "{zh}", "--ref", "{docx-suffix}"], "{docx-suffix}: "
         "REF is a .docx file, not text; glossary check reads line-aligned text"),
    ],
    ids=["align-src", "align-tgt", "align-magic", "align-mt", "score-src", "score-hyp",
         "score-ref", "check-src", "check-ref"],
)  # fmt: skip
def test_a_document_where_text_is_read_says_what_to_do(
    files: dict[str, str], capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    out = Path(files["zh"]).parent / "never-written"
    assert main([a.format_map(files) for a in argv]) == 2
    assert needle.format_map(files) in _one_error(capsys)
    assert not out.exists()


def _align(caplog: pytest.LogCaptureFixture, *argv: str) -> list[str]:
    """The warnings of ``unmt align ARGV`` (exit 0)."""
    caplog.clear()
    assert main(["align", *argv, "-o", "/dev/null"]) == 0
    return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]


def test_align_warns_of_hard_wrapped_text_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # the example pair is in PDF-extraction shape: one printed line a line
    assert _align(caplog, str(ZH), str(EN)) == [
        f"{ZH} and {EN}: many lines end mid-sentence (hard-wrapped, as text extracted from a "
        "PDF), and each line is aligned as a sentence; add --segment to rejoin and split them "
        "into sentences first"
    ]
    # one side wrapped: named alone
    en = tmp_path / "en.txt"
    en.write_text("\n".join(SENTENCES_EN) + "\n", encoding="utf-8")
    [warning] = _align(caplog, str(ZH), str(en))
    assert warning.startswith(f"{ZH}: many lines end mid-sentence")
    # one sentence a line, or --segment: nothing to say
    zh = tmp_path / "zh.txt"
    zh.write_text("\n".join(SENTENCES_ZH) + "\n", encoding="utf-8")
    assert _align(caplog, str(zh), str(en)) == []
    assert not any("hard-wrapped" in w for w in _align(caplog, "--segment", str(ZH), str(EN)))
