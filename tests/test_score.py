"""``unmt score`` and ``unmt bench score`` end to end, on inline files and the shared dev set."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import shared_path
from unmt.pipeline.cli.main import main

GLOSSARY = (
    "zh\ten\tvariants\tforbidden\n"
    "会员国\tMember States\tStates Members\t\n"
    "反恐怖主义\tcounter-terrorism\t\tanti-terrorism\n"
    "秘书长\tSecretary-General\t\t\n"
)
SRC = ["秘书长欢迎会员国的反恐怖主义措施。", "会员国应当合作。", "没有术语。"]
HYP = [
    "The Secretary-General welcomed the anti-terrorism measures of Member States.",
    "",
    "No terms.",
]
REF = [
    "The Secretary-General welcomed counter-terrorism measures by Member States.",
    "Member States should cooperate.",
    "No terms here.",
]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "输入 files"
    folder.mkdir()
    gloss = folder / "g.tsv"
    gloss.write_text(GLOSSARY, encoding="utf-8")
    return {
        "src": write(folder / "src.zh", SRC),
        "hyp": write(folder / "hyp.en", HYP),
        "ref": write(folder / "ref.en", REF),
        "glossary": gloss,
    }


def run_json(capsys: pytest.CaptureFixture[str], *args: object) -> dict:  # type: ignore[type-arg]
    assert main(["score", *map(str, args), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_score_json(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(
        capsys, "--src", files["src"], "--hyp", files["hyp"], "--ref", files["ref"],
        "--glossary", files["glossary"], "--metrics", "bleu,chrf,ter", "--jobs", "1",
    )  # fmt: skip
    assert (out["segments"], out["term_occurrences"], out["term_hits"]) == (3, 4, 2)
    assert out["term_accuracy"] == pytest.approx(0.5)  # the empty line is a miss
    assert out["forbidden"] == 1
    assert out["consistency"] == pytest.approx(0.5)
    for key in ("bleu", "chrf", "ter"):
        assert isinstance(out[key], float) and 0 <= out[key] <= 100
    assert set(out["signature"]) == {"terms", "bleu", "chrf", "ter"}
    assert "glossary:g@" in out["signature"]["terms"]


def test_score_without_reference_and_default_glossary(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_json(capsys, "--src", files["src"], "--hyp", files["hyp"])
    assert out["bleu"] is None and out["chrf"] is None and out["ter"] is None
    assert out["term_accuracy_ref"] is None
    assert out["glossary"]["name"] == "un_glossary"
    assert out["term_occurrences"] >= 3  # the shipped glossary has 会员国, 秘书长, 反恐怖主义


def test_score_jsonl_inputs_and_report(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = ["d:p1.s1", "d:p2.s1", "e:p1.s1"]
    seg = tmp_path / "segments.jsonl"
    seg.write_text(
        "".join(
            json.dumps({"id": i, "doc": i[0], "text": t}) + "\n"
            for i, t in zip(ids, SRC, strict=True)
        ),
        encoding="utf-8",
    )
    tr = tmp_path / "translations.jsonl"
    tr.write_text(
        "".join(
            json.dumps({"id": i, "text": s, "mt": h}, ensure_ascii=False) + "\n"
            for i, s, h in zip(ids, SRC, HYP, strict=True)
        ),
        encoding="utf-8",
    )
    report = tmp_path / "out" / "report.json"
    out = run_json(capsys, "--src", seg, "--hyp", tr, "--glossary", files["glossary"], "-o", report)
    assert (out["documents"], out["term_hits"]) == (2, 2)
    data = json.loads(report.read_text(encoding="utf-8"))
    assert [s["id"] for s in data["segments"]] == ids
    assert [d["doc"] for d in data["documents"]] == ["d", "e"]


def test_docs_file_groups_documents(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    ids = write(files["src"].with_name("lines.ids"), ["2015/a/1 zh:1", "2015/a/1 zh:2", "2015/b"])
    out = run_json(capsys, "--src", files["src"], "--hyp", files["hyp"], "--docs", ids)
    assert out["documents"] == 2
    write(ids, ["2015/a/1"])
    assert (
        main(["score", "--src", str(files["src"]), "--hyp", str(files["hyp"]), "--docs", str(ids)])
        == 2
    )
    assert "1 document ids for 3 segments" in capsys.readouterr().err


def test_text_summary(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--src", str(files["src"]), "--hyp", str(files["hyp"])]) == 0
    out = capsys.readouterr().out
    assert "term accuracy" in out and "signature terms" in out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hyp": HYP[:2]}, "segment counts differ: SRC {src} has 3, HYP {hyp} has 2"),
        ({"ref": [*REF, "extra"]}, "REF {ref} has 4"),
        ({"hyp_jsonl": '{"id": 1, "mt": "x"}\nnot json\n'}, "{hyp}:2: not valid JSON"),
        ({"hyp_jsonl": '{"id": 1}\n'}, "{hyp}:1: expected a JSON object with a string 'mt'"),
        ({"src_bytes": b"\xff\xfe\xfa\n"}, "{src}:1: not valid UTF-8"),
        (
            {
                "hyp_jsonl": '{"id": "a", "mt": "x"}\n{"id": "b", "mt": "y"}\n'
                '{"id": "z", "mt": ""}\n'
            },
            "{hyp}:3: segment 3: id 'z' in HYP but 'c' in SRC",
        ),
        ({"output": "r.pdf"}, "unknown report format"),
        ({"metrics": "bleu,meteor"}, "unknown metric 'meteor'"),
        ({"glossary_text": "zh\ten\n"}, "glossary has no usable rows"),
    ],
)
def test_bad_input_exits_2(
    files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, object],
    message: str,
) -> None:
    if "hyp" in change:
        write(files["hyp"], change["hyp"])  # type: ignore[arg-type]
    if "ref" in change:
        write(files["ref"], change["ref"])  # type: ignore[arg-type]
    if "hyp_jsonl" in change:
        files["hyp"] = files["hyp"].with_suffix(".jsonl")
        files["hyp"].write_text(str(change["hyp_jsonl"]), encoding="utf-8")
    if "hyp_jsonl" in change:  # a JSONL source with ids a, b, c
        files["src"] = files["src"].with_suffix(".jsonl")
        files["src"].write_text(
            "".join(
                json.dumps({"id": i, "text": t}) + "\n" for i, t in zip("abc", SRC, strict=True)
            ),
            encoding="utf-8",
        )
    if "src_bytes" in change:
        files["src"].write_bytes(change["src_bytes"])  # type: ignore[arg-type]
    if "glossary_text" in change:
        files["glossary"].write_text(str(change["glossary_text"]), encoding="utf-8")
    output = tmp_path / str(change.get("output", "report.html"))
    args = ["score", "--src", files["src"], "--hyp", files["hyp"], "--ref", files["ref"]]
    args += ["--glossary", files["glossary"], "-o", output]
    args += ["--metrics", str(change.get("metrics", "bleu"))]
    assert main([str(a) for a in args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("unmt: error: ") and err.count("\n") == 1
    assert message.format(**{k: str(v) for k, v in files.items()}) in err
    assert not output.exists()


def test_score_does_not_import_torch(files: dict[str, Path]) -> None:
    code = (
        "import sys\nfrom unmt.pipeline.cli.main import main\n"
        f"main(['score', '--src', {str(files['src'])!r}, '--hyp', {str(files['hyp'])!r}, "
        f"'--ref', {str(files['ref'])!r}, '--json'])\n"
        "print('HEAVY', [m for m in ('torch', 'transformers', 'ctranslate2', 'datasets') "
        "if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout


def test_bench_score_runs(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    args = ["bench", "score", "--src", files["src"], "--hyp", files["hyp"], "--ref", files["ref"]]
    assert main([*map(str, args), "--glossary", str(files["glossary"])]) == 0
    out = capsys.readouterr().out
    for phase in ("load glossaries", "compile matcher", "match + judge", "term scoring total"):
        assert phase in out


def test_dev_set_bleu_chrf_equal_sacrebleu_cli(capsys: pytest.CaptureFixture[str]) -> None:
    src = shared_path("un/UNv1.0.devset.zh")
    ref = shared_path("un/UNv1.0.devset.en")
    hyp = shared_path("baselines/opus-mt-zh-en.UNv1.0.devset.hyp.en")
    out = run_json(capsys, "--src", src, "--hyp", hyp, "--ref", ref, "--metrics", "bleu,chrf")
    assert (out["bleu"], out["chrf"], out["segments"]) == (53.52, 75.11, 4000)
    assert out["signature"]["bleu"] == "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0"
    cli = Path(sys.executable).with_name("sacrebleu")
    if not cli.exists():
        pytest.skip("sacrebleu command line not installed next to the interpreter")
    res = subprocess.run(
        [str(cli), str(ref), "-i", str(hyp), "-m", "bleu", "chrf", "-b", "-w", "2"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert json.loads(res.stdout) == [out["bleu"], out["chrf"]]
