"""Issue 24 (4): ``unmt run DIR`` pairs each Chinese file with its English version by name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES

from unmt.errors import UserError
from unmt.pipeline.cli.main import main
from unmt.pipeline.run.inputs import collect_documents
from unmt.pipeline.run.namepairs import pair_by_name

#: file names -> (Chinese file, its English file or "") pairs, English files left alone
CASES: dict[str, tuple[list[str], list[tuple[str, str]], list[str]]] = {
    "doc-id tags": (["r.zh.txt", "r.en.txt"], [("r.zh.txt", "r.en.txt")], []),
    "other extensions": (["X.zh.pdf", "X.en.docx"], [("X.zh.pdf", "X.en.docx")], []),
    "zh-CN": (["d.zh-CN.txt", "d.EN.txt"], [("d.zh-CN.txt", "d.EN.txt")], []),
    "tag as extension": (["c.zh", "c.en"], [("c.zh", "c.en")], []),
    "dashes, any case": (["REPORT-ZH.pdf", "report-en.docx"],
                         [("REPORT-ZH.pdf", "report-en.docx")], []),
    "underscores": (["doc_zh.pdf", "doc_EN.pdf"], [("doc_zh.pdf", "doc_EN.pdf")], []),
    "UN letters": (["A_80_604_C.pdf", "A_80_604_E.pdf"],
                   [("A_80_604_C.pdf", "A_80_604_E.pdf")], []),
    "UN letters, lower case": (["a_80_604_c.docx", "A_80_604_E.pdf"],
                               [("a_80_604_c.docx", "A_80_604_E.pdf")], []),
    "untagged Chinese": (["doc.pdf", "doc.en.pdf"], [("doc.pdf", "doc.en.pdf")], []),
    "untagged Chinese, letter E": (["A_1.pdf", "A_1_E.pdf"], [("A_1.pdf", "A_1_E.pdf")], []),
    "letter C, tagged English": (["A_1_C.pdf", "A_1.en.txt"], [("A_1_C.pdf", "A_1.en.txt")], []),
    # a letter alone may be an annex's: the file stays Chinese
    "lone letter": (["annex_E.pdf", "annex_A.pdf"], [("annex_E.pdf", ""), ("annex_A.pdf", "")],
                    []),
    "unpaired both ways": (["a.zh.txt", "b.en.txt", "c.txt"], [("a.zh.txt", ""), ("c.txt", "")],
                           ["b.en.txt"]),
    "two English alone": (["b.en.txt", "b_EN.pdf"], [], ["b.en.txt", "b_EN.pdf"]),
    "two Chinese, no English": (["r.zh.txt", "r.zh.pdf"], [("r.zh.txt", ""), ("r.zh.pdf", "")],
                                []),
    "other folders": (["x/r.zh.txt", "y/r.en.txt"], [("x/r.zh.txt", "")], ["y/r.en.txt"]),
    "input order": (["b.en.txt", "b.zh.txt", "a.zh.txt", "a.en.txt"],
                    [("b.zh.txt", "b.en.txt"), ("a.zh.txt", "a.en.txt")], []),
    "a file twice": (["r.zh.txt", "r.en.txt", "r.zh.txt"], [("r.zh.txt", "r.en.txt")], []),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_pairs_by_name(case: str, tmp_path: Path) -> None:
    names, pairs, alone = CASES[case]
    result = pair_by_name([tmp_path / n for n in names])
    got = [(str(zh.relative_to(tmp_path)), str(en.relative_to(tmp_path)) if en else "")
           for zh, en in result.pairs]  # fmt: skip
    assert got == pairs
    assert [str(p.relative_to(tmp_path)) for p in result.english_alone] == alone
    assert result.paired == sum(1 for _, en in pairs if en)


@pytest.mark.parametrize(
    "names",
    [
        ["r.zh.txt", "r.zh.pdf", "r.en.txt"],  # two Chinese candidates
        ["r.zh.txt", "r.en.txt", "R_EN.docx"],  # two English candidates
        ["A_1_C.pdf", "A_1.pdf", "A_1_E.pdf"],
    ],
)
def test_ambiguous_names_are_an_error_naming_the_files(names: list[str], tmp_path: Path) -> None:
    with pytest.raises(UserError) as exc:
        pair_by_name([tmp_path / n for n in names])
    message = exc.value.render()
    assert "cannot tell which files are one document's Chinese and English versions" in message
    assert all(str(tmp_path / n) in message for n in names)
    assert "--pairs" in message


def _touch(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text("x", encoding="utf-8")
    return folder


def _docs(*args: object, **kw: object) -> list[tuple[str, str, str]]:
    docs = collect_documents(*args, **kw)  # type: ignore[arg-type]
    return [(d.doc_id, d.source.name, d.reference.name if d.reference else "") for d in docs]


def test_a_folder_and_a_glob_are_paired_and_said_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    d = _touch(tmp_path / "in", "a.zh.txt", "a.en.docx", "b.zh.txt", "c.en.txt", "notes.md")
    want = [("a", "a.zh.txt", "a.en.docx"), ("b", "b.zh.txt", "")]
    assert _docs([str(d)], []) == want
    [record] = caplog.records
    assert record.levelname == "WARNING" and record.getMessage() == (
        "paired 1 Chinese document(s) with their English version by file name; no English "
        f"version, run without a reference: {d / 'b.zh.txt'}; no Chinese version, left out: "
        f"{d / 'c.en.txt'}"
    )
    caplog.clear()
    assert _docs([str(d / "*.*")], [], quiet=True) == [*want, ("notes", "notes.md", "")]
    assert not caplog.records  # --quiet: nothing said
    # files named one by one (a glob the shell expanded) pair too
    assert _docs([str(d / "a.en.docx"), str(d / "a.zh.txt")], []) == want[:1]
    # Chinese only: nothing to say
    caplog.clear()
    assert _docs([str(d / "b.zh.txt")], []) == [("b", "b.zh.txt", "")]
    assert not caplog.records


def test_references_and_pairs_switch_name_pairing_off(tmp_path: Path) -> None:
    d = _touch(tmp_path / "in", "a.zh.txt", "a.en.txt", "b_C.pdf", "b_E.pdf")
    # --reference: in order, over the folder's Chinese files (its English ones left out)
    assert _docs([str(d)], ["r1.txt", ""]) == [("a", "a.zh.txt", "r1.txt"), ("b_C", "b_C.pdf", "")]
    with pytest.raises(UserError, match="1 reference"):
        collect_documents([str(d)], ["r1.txt"])
    # --pairs: the files it names are left out of the folder; the others pair by name
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(f"{d}/a.zh.txt\t{d}/b_E.pdf\tA\n", encoding="utf-8")
    assert _docs([str(d)], [], str(pairs)) == [
        ("b_C", "b_C.pdf", ""),
        ("A", "a.zh.txt", "b_E.pdf"),
    ]  # a.en.txt: no Chinese version left, said and left out


def test_only_english_inputs_are_an_error(tmp_path: Path) -> None:
    d = _touch(tmp_path / "in", "a.en.txt", "b-EN.pdf")
    with pytest.raises(UserError, match="no Chinese document among the inputs, only English"):
        collect_documents([str(d)], [])


def test_cli_ambiguous_folder_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = _touch(tmp_path / "in", "r.zh.txt", "r.zh.pdf", "r.en.txt")
    out = tmp_path / "run"
    assert main(["run", str(d), "-o", str(out), "--model", "tiny"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert err.startswith("unmt: error: cannot tell which files") and str(d / "r.zh.pdf") in err
    assert not out.exists()


def test_run_on_a_folder_uses_the_english_version_as_reference(
    tmp_path: Path, tiny_model_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "文件 docs"
    folder.mkdir()
    for lang in ("zh", "en"):
        shutil.copy(EXAMPLES / f"un-report.{lang}.txt", folder / f"un-report.{lang}.txt")
    out = tmp_path / "run"
    argv = ["run", str(folder), "-o", str(out), "--model", str(tiny_model_dir),
            "--backend", "ctranslate2"]  # fmt: skip
    assert main(argv) == 0
    assert "paired 1 Chinese document(s) with their English version" in caplog.text
    [(doc_id, entry)] = json.loads((out / "manifest.json").read_text("utf-8"))["documents"].items()
    assert doc_id == "un-report" and entry["status"] == "done"
    assert entry["reference"] == str(folder / "un-report.en.txt")
    assert entry["reference_sha256"] and "align" in entry["stages"]
    assert (out / "docs" / "un-report" / "beads.jsonl").is_file()
