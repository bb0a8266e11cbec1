"""The run's state store and lock: one transaction per result, no re-hashing of unchanged files,
migration of manifest-only run directories, clear errors for broken stores, one run at a time."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from unmt.pipeline.cli.main import main
from unmt.pipeline.run import rundir
from unmt.pipeline.run.state import STATE_FILE, StateStore

ZH = "联合国报告\n\n一. 导言\n\n1. 会员国重申打击恐怖主义的承诺。\n\n2. 秘书长提交了报告。\n"


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "a.zh.txt"
    path.write_text(ZH, encoding="utf-8")
    return path


def _run(doc: Path, out: Path, model: Path, *extra: str) -> int:
    args = ["run", str(doc), "-o", str(out), "--model", str(model), "--backend", "ctranslate2"]
    return main([*args, "--quiet", *extra])


def test_rerun_reads_no_unchanged_file(
    doc: Path, tmp_path: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "run"
    assert _run(doc, out, tiny_model_dir) == 0
    assert (out / STATE_FILE).is_file() and (out / "manifest.json").is_file()
    hashed: list[str] = []
    real = rundir.sha256_file

    def counting(path: str | Path) -> str:
        hashed.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(rundir, "sha256_file", counting)
    assert _run(doc, out, tiny_model_dir) == 0
    assert hashed == []  # every input and output known by inode, size and mtime
    (out / "docs" / "a" / "pairs.jsonl").write_text("tampered\n", encoding="utf-8")
    assert _run(doc, out, tiny_model_dir) == 0
    assert "pairs.jsonl" in hashed  # a changed file is hashed again, and its stage redone
    rows = (out / "docs" / "a" / "pairs.jsonl").read_text(encoding="utf-8")
    assert rows.startswith("{") and "tampered" not in rows


def test_manifest_only_run_directory_is_migrated(
    doc: Path, tmp_path: Path, tiny_model_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "run"
    assert _run(doc, out, tiny_model_dir) == 0
    for name in os.listdir(out):
        if name.startswith(STATE_FILE):
            (out / name).unlink()  # what an earlier unmt left: manifest.json only
    with caplog.at_level("INFO"):
        assert _run(doc, out, tiny_model_dir) == 0
    messages = [r.getMessage() for r in caplog.records]
    assert any("moving manifest.json into a state store" in m for m in messages)
    assert sum("up to date; skipped" in m for m in messages) == 3  # segment, translate, score
    assert (out / STATE_FILE).is_file()


def _sql(path: Path, statement: str) -> None:
    db = sqlite3.connect(path)
    db.execute(statement)
    db.commit()
    db.close()


DAMAGE = {
    "garbage": (lambda p: p.write_bytes(b"not a database at all" * 100), "corrupt or not SQLite"),
    "foreign": (lambda p: _sql(p, "CREATE TABLE t (x)"), "not a unmt"),
    "null-entry": (
        lambda p: _sql(p, "UPDATE documents SET entry = 'null'"),
        "a state store entry is broken",
    ),
    "string-stage": (
        lambda p: _sql(p, "UPDATE stages SET record = '\"x\"'"),
        "a state store entry is broken",
    ),
}


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_broken_store_is_a_clear_error(
    doc: Path,
    tmp_path: Path,
    tiny_model_dir: Path,
    capsys: pytest.CaptureFixture[str],
    kind: str,
) -> None:
    damage, needle = DAMAGE[kind]
    out = tmp_path / "run"
    state = out / STATE_FILE
    if needle == "not a unmt":  # a folder holding some other program's SQLite file
        out.mkdir()
    else:
        assert _run(doc, out, tiny_model_dir) == 0
        capsys.readouterr()
        for name in os.listdir(out):
            if name.startswith(STATE_FILE + "-"):
                (out / name).unlink()
    damage(state)
    before = state.read_bytes()
    for argv in (
        ["run", str(doc), "-o", str(out), "--model", str(tiny_model_dir), "--quiet"],
        ["export", str(out), "-o", str(tmp_path / "export")],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("unmt: error: ") and needle in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
    assert state.read_bytes() == before  # nothing the user has is changed
    assert not (tmp_path / "export").exists()


def test_second_run_on_a_directory_in_use_exits_2(
    doc: Path, tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path\n"
         "from unmt.pipeline.run.lock import RunLock\n"
         "lock = RunLock(Path(sys.argv[1])); print('held', flush=True); time.sleep(60)",
         str(out)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        start = time.perf_counter()
        assert _run(doc, out, tiny_model_dir) == 2
        assert time.perf_counter() - start < 5
        err = capsys.readouterr().err
        assert f"in use by process {holder.pid}" in err and "Traceback" not in err
        assert not (out / "docs").exists()  # it did no work
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert _run(doc, out, tiny_model_dir) == 0  # the dead process's lock is taken over


def test_store_records_one_row_per_stage(doc: Path, tmp_path: Path, tiny_model_dir: Path) -> None:
    out = tmp_path / "run"
    assert _run(doc, out, tiny_model_dir) == 0
    store = StateStore(out / STATE_FILE, create=False, readonly=True)
    docs = store.documents()
    assert list(docs) == ["a"] and docs["a"].status == "done"
    assert sorted(docs["a"].stages) == ["score", "segment.zh", "translate"]
    assert docs["a"].stages["segment.zh"].info["paragraphs"] == 2
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["documents"]["a"] == docs["a"].to_json()
    store.close()


def test_state_is_read_per_document_not_held_whole(
    tmp_path: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With caches far smaller than the corpus, a run gives the same files, a re-run hashes
    nothing, and the streamed manifest.json is byte for byte the whole state dumped at once."""
    from unmt.pipeline.run.rundir import RunDir, output_files

    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(7):
        (folder / f"d{i}.zh.txt").write_text(ZH.replace("报告", f"第{i}号报告"), encoding="utf-8")
    big = tmp_path / "big"
    assert _run(folder, big, tiny_model_dir) == 0
    monkeypatch.setattr(rundir, "_DOC_CACHE", 2)
    monkeypatch.setattr(rundir, "_FILE_CACHE", 3)
    small = tmp_path / "small"
    assert _run(folder, small, tiny_model_dir) == 0
    want, got = output_files(big), output_files(small)
    assert len(got) > 7 * 5 and got == want  # every document's files and the corpus report
    hashed: list[str] = []
    real = rundir.sha256_file
    monkeypatch.setattr(rundir, "sha256_file", lambda p: hashed.append(str(p)) or real(p))
    assert _run(folder, small, tiny_model_dir) == 0
    assert hashed == []  # file hashes read from the store, not kept in memory
    run = RunDir(small, create=False)
    assert list(run.documents()) == [f"d{i}" for i in range(7)]  # registration order
    whole = json.dumps(run.manifest(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    run.close()
    assert (small / "manifest.json").read_text(encoding="utf-8") == whole
