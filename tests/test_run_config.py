"""``unmt run`` settings and inputs: YAML config, flag overrides, pairs manifests, doc ids."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from unmt.errors import UserError
from unmt.pipeline.run.config import load_config, resolve_config
from unmt.pipeline.run.inputs import collect_documents, read_pairs
from unmt.pipeline.run.rundir import RunDir, stage_key


def _args(**kw: object) -> argparse.Namespace:
    base = dict(config=None, inputs=[], references=None, pairs=None, output=None, glossaries=None,
                model=None, backend=None, beam=None, batch_size=None, device=None,
                compute_type=None, cache=None, jobs=None, force=None, quiet=None)  # fmt: skip
    base.update(kw)
    return argparse.Namespace(**base)


def test_config_file_then_flags_override(tmp_path: Path) -> None:
    cfg = tmp_path / "run.yaml"
    cfg.write_text(
        "inputs: [docs/a.zh.txt]\noutput: out\nmodel: tiny\nbeam: 2\nbatch-size: 8\n"
        "glossaries: g.tsv\njobs: 2\n",
        encoding="utf-8",
    )
    config = resolve_config(_args(config=str(cfg), beam=5, output="elsewhere"))
    assert config.inputs == [str(tmp_path / "docs/a.zh.txt")]
    assert config.glossaries == [str(tmp_path / "g.tsv")]
    tr = config.translate
    assert (tr.model, tr.beam, tr.batch_size, config.jobs) == ("tiny", 5, 8, 2)
    assert config.output == "elsewhere"
    assert config.translation_settings()["beam"] == 5


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("model: tiny\nbeem: 4\n", 2, "unknown setting 'beem'"),
        ("jobs: two\n", 1, "'jobs' must be int"),
        ("force: 1\n", 1, "'force' must be bool"),
        ("inputs: [a, 3]\n", 1, "list of paths"),
        ("- a\n- b\n", 1, "YAML mapping"),
        ("model: [unclosed\n", 2, "not valid YAML"),
    ],
)
def test_bad_config_names_file_and_line(tmp_path: Path, text: str, line: int, needle: str) -> None:
    cfg = tmp_path / "run.yaml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as exc:
        load_config(cfg)
    assert exc.value.line == line and needle in exc.value.render()
    assert exc.value.path == str(cfg)


@pytest.mark.parametrize(
    ("kw", "needle"),
    [
        (dict(inputs=["a.txt"]), "no run directory"),
        (dict(output="o"), "no input documents"),
        (dict(inputs=["a.txt"], output="o", jobs=0), "'jobs' must be at least 1, not 0"),
    ],
)
def test_missing_or_bad_settings(kw: dict[str, object], needle: str) -> None:
    with pytest.raises(UserError, match=needle):
        resolve_config(_args(**kw))


def test_inputs_dirs_globs_references_and_pairs(tmp_path: Path) -> None:
    for name in ("b.zh.txt", "a.zh.txt", "a.en.txt", "notes.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    docs = collect_documents([str(tmp_path)], [])
    assert [(d.doc_id, d.source.name) for d in docs] == [("a", "a.zh.txt"), ("b", "b.zh.txt")]
    docs = collect_documents([str(tmp_path / "*.zh.txt")], ["r1.txt", "r2.txt"])
    assert [str(d.reference) for d in docs] == ["r1.txt", "r2.txt"]
    with pytest.raises(UserError, match="1 reference"):
        collect_documents([str(tmp_path / "*.zh.txt")], ["r1.txt"])
    with pytest.raises(UserError, match="no file matches"):
        collect_documents([str(tmp_path / "*.docx")], [])
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("zh\ten\tid\n# comment\na.zh.txt\ta.en.txt\tA 1\nb.zh.txt\t\n", "utf-8")
    docs = collect_documents([str(tmp_path / "a.zh.txt")], [], str(pairs))
    assert [d.doc_id for d in docs] == ["a", "A_1", "b"]
    assert docs[1].reference == tmp_path / "a.en.txt" and docs[2].reference is None


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("a\tb\tc\td\te\n", 1, "got 5 column(s)"),
        ("a\tb\tc\tbogus\n", 1, "unknown format 'bogus'"),
        ('{"zh": "a", "format": "pdf"}\n', 1, "unknown format 'pdf'"),
        ('{"zh": "a"}\n{"en": "b"}\n', 2, 'needs a "zh" path'),
        ("a.txt\n{broken\n", 2, "not valid JSON"),
        ("# only a comment\n", None, "lists no documents"),
    ],
)
def test_bad_pairs_manifest(tmp_path: Path, text: str, line: int | None, needle: str) -> None:
    pairs = tmp_path / "p.tsv"
    pairs.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as exc:
        read_pairs(pairs)
    assert exc.value.line == line and needle in exc.value.render()


def test_stage_skips_when_current_and_redoes_on_change(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("一", encoding="utf-8")
    calls: list[str] = []

    def stage(force: bool = False, **settings: object) -> bool:
        run = RunDir(tmp_path / "run")

        def body(paths: dict[str, Path]) -> dict[str, int]:
            calls.append("ran")
            paths["out"].write_text(src.read_text(encoding="utf-8") * 2, encoding="utf-8")
            return {"n": 1}

        before = len(calls)
        run.stage("d", "s", settings=settings, inputs={"src": src},
                  outputs={"out": "out.txt"}, run=body, force=force)  # fmt: skip
        assert run.document("d").stages["s"].info == {"n": 1}
        run.close()
        return len(calls) > before

    assert stage(beam=1) is True
    assert stage(beam=1) is False  # same inputs and settings: skipped
    assert stage(beam=2) is True  # settings changed
    src.write_text("二", encoding="utf-8")
    assert stage(beam=2) is True  # input changed
    (tmp_path / "run/docs/d/out.txt").write_text("tampered", encoding="utf-8")
    assert stage(beam=2) is True  # output changed since
    assert stage(beam=2, force=True) is True
    assert len(calls) == 5
    assert stage_key("s", {"a": 1}, {"x": "1"}) != stage_key("s", {"a": 2}, {"x": "1"})


def test_run_dir_that_is_a_file(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_text("x", encoding="utf-8")
    with pytest.raises(UserError, match="the run directory is a file"):
        RunDir(f)


def test_cli_config_error_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from unmt.pipeline.cli.main import main

    cfg = tmp_path / "run.yaml"
    cfg.write_text("output: out\nworkers: 3\n", encoding="utf-8")
    assert main(["run", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"unmt: error: {cfg}:2: unknown setting 'workers'")
    assert "known settings: inputs" in err


def test_jsonl_pairs_manifest(tmp_path: Path) -> None:
    pairs = tmp_path / "sub" / "pairs.jsonl"
    pairs.parent.mkdir()
    pairs.write_text(
        '{"zh": "a.zh.txt", "en": "a.en.txt", "id": "E/CN.15/2021/5"}\n{"zh": "/abs/b.txt"}\n',
        encoding="utf-8",
    )
    docs = read_pairs(pairs)
    assert [(d.doc_id, d.source, d.reference) for d in docs] == [
        ("E_CN.15_2021_5", pairs.parent / "a.zh.txt", pairs.parent / "a.en.txt"),
        ("b", Path("/abs/b.txt"), None),
    ]


def test_repeated_doc_ids_are_renamed_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 23: two files with one id get ``-2``, and a warning names the files, their ids and
    the fix; a manifest's repeated id too; distinct ids say nothing."""
    for sub in ("x", "y", "z"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "report.zh.txt").write_text("x", encoding="utf-8")
    docs = collect_documents([str(tmp_path / "*" / "report.zh.txt")], [])
    assert [d.doc_id for d in docs] == ["report", "report-2", "report-3"]
    [record] = caplog.records
    assert record.levelname == "WARNING"
    x, y, z = (tmp_path / s / "report.zh.txt" for s in "xyz")
    assert record.getMessage() == (
        f"3 documents have the id 'report': {x} -> report, {y} -> report-2, {z} -> report-3; "
        "give each its id in a --pairs manifest's third column, or rename the files"
    )
    caplog.clear()
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("x/report.zh.txt\t\tA\ny/report.zh.txt\t\tA\nz/report.zh.txt\t\tB\n", "utf-8")
    assert [d.doc_id for d in collect_documents([], [], str(pairs))] == ["A", "A-2", "B"]
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "2 documents have the id 'A'"
    ]  # once, though ids are made unique twice (the manifest, then all inputs)
    caplog.clear()
    pairs.write_text("x/report.zh.txt\t\tA\ny/report.zh.txt\t\tB\n", "utf-8")
    assert [d.doc_id for d in collect_documents([str(x)], [], str(pairs))] == ["report", "A", "B"]
    assert not caplog.records
