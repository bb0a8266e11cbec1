"""Stage code keys come from whole packages: editing a module a stage depends on changes its key."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from unmt.pipeline.run.codekey import STAGE_CODE, code_files, stage_code_key

_KEY = "from unmt.pipeline.run.codekey import stage_code_key as k; print(k({stage!r}))"


def _package_copy(dest: Path) -> Path:
    """The installed shape of ``unmt`` (src/unmt + pipeline, models, eval) copied under ``dest``."""
    root = dest / "unmt"
    shutil.copytree(REPO / "src" / "unmt", root, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pipeline", "models", "eval"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def _key_in(tree: Path, stage: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    code = "import unmt, sys; assert unmt.__file__.startswith(sys.argv[1]), unmt.__file__\n"
    out = subprocess.run(
        [sys.executable, "-c", code + _KEY.format(stage=stage), str(tree)],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    return out.stdout.strip()


@pytest.mark.slow
def test_editing_the_report_view_changes_the_score_key(tmp_path: Path) -> None:
    """report/view.py renders both reports: a change to it must redo the score stage (and the
    corpus report), and leave the align and segment keys alone."""
    tree = _package_copy(tmp_path / "copy")
    before = {s: _key_in(tree, s) for s in ("score", "corpus", "align", "segment")}
    assert before["score"] == stage_code_key("score")  # the copy is the package
    view = tree / "unmt" / "eval" / "report" / "view.py"
    view.write_text(view.read_text(encoding="utf-8") + "\n# a change\n", encoding="utf-8")
    after = {s: _key_in(tree, s) for s in before}
    assert after["score"] != before["score"] and after["corpus"] != before["corpus"]
    assert after["align"] == before["align"] and after["segment"] == before["segment"]
    (tree / "unmt" / "pipeline" / "align" / "new_source.py").write_text("X = 1\n", encoding="utf-8")
    assert _key_in(tree, "align") != before["align"]  # a new module keys the stage too


def test_every_stage_names_importable_packages_covering_its_modules() -> None:
    for stage, names in STAGE_CODE.items():
        files = {label for label, _ in code_files(names)}
        assert files, stage
    score = {label for label, _ in code_files(STAGE_CODE["score"])}
    assert {
        "unmt.eval/report/view.py",
        "unmt.eval/report/html.py",
        "unmt.eval/data/un_glossary.tsv",
    } <= score
    align = {label for label, _ in code_files(STAGE_CODE["align"])}
    assert "unmt.pipeline.align/dp.py" in align and "unmt.pipeline.align/__init__.py" in align
