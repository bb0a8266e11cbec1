"""``unmt run --engine ray`` on a real local Ray instance (2 CPUs): the same files as
``--engine local``, and clear errors for a missing package or an unreachable cluster."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES

from unmt.pipeline.cli.main import main
from unmt.pipeline.run.rundir import output_files

NO_REF = (
    "一. 导言\n\n1. 会员国重申打击恐怖主义的承诺。秘书长提交了报告。\n\n2. 联合国提供了援助。\n"
)


def _args(base: Path, out: Path, model: Path, *extra: str) -> list[str]:
    return [
        "run", str(EXAMPLES / "un-report.zh.txt"), str(base / "norefs.zh.txt"),
        "--reference", str(EXAMPLES / "un-report.en.txt"), "",
        "-o", str(out), "--model", str(model), "--backend", "ctranslate2", "--quiet", *extra,
    ]  # fmt: skip


@pytest.mark.slow
def test_ray_engine_writes_the_same_files_as_local(tiny_model_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("ray")
    (tmp_path / "norefs.zh.txt").write_text(NO_REF, encoding="utf-8")
    local, ray_run = tmp_path / "local", tmp_path / "ray"
    start = time.perf_counter()
    assert main(_args(tmp_path, local, tiny_model_dir)) == 0
    local_s = time.perf_counter() - start
    start = time.perf_counter()
    assert main(_args(tmp_path, ray_run, tiny_model_dir, "--engine", "ray")) == 0
    ray_s = time.perf_counter() - start
    assert output_files(ray_run) == output_files(local)  # byte for byte, every output
    assert len(output_files(local)) >= 14
    print(f"local {local_s:.1f} s, ray {ray_s:.1f} s")
    # a re-run on the Ray engine skips every stage: its records are the driver's
    assert main(_args(tmp_path, ray_run, tiny_model_dir, "--engine", "ray")) == 0
    assert output_files(ray_run) == output_files(local)


def test_unreachable_cluster_is_an_error_at_once(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("ray")
    (tmp_path / "norefs.zh.txt").write_text(NO_REF, encoding="utf-8")
    start = time.perf_counter()
    args = _args(tmp_path, tmp_path / "run", tiny_model_dir, "--engine", "ray")
    assert main([*args, "--address", "127.0.0.1:1"]) == 2
    assert time.perf_counter() - start < 10
    err = capsys.readouterr().err
    assert "no Ray cluster answers at 127.0.0.1:1" in err and "Traceback" not in err


def test_engine_ray_without_ray_installed(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setitem(sys.modules, "ray", None)  # what an environment without ray sees
    (tmp_path / "norefs.zh.txt").write_text(NO_REF, encoding="utf-8")
    args = _args(tmp_path, tmp_path / "run", tiny_model_dir, "--engine", "ray")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "needs the ray package" in err and "unmt[ray]" in err


@pytest.mark.slow
def test_two_translators_on_two_cpus_across_chunks(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two translator actors take both CPUs of the local instance: the cheap tasks of each
    chunk must still run (the actors are let go between chunks), with the same files."""
    pytest.importorskip("ray")
    from unmt.pipeline.run import runner

    for i in (1, 2, 3):
        (tmp_path / f"d{i}.zh.txt").write_text(NO_REF.replace("援助", f"第{i}次援助"), "utf-8")
    base = ["run", str(tmp_path / "d1.zh.txt"), str(tmp_path / "d2.zh.txt")]
    base += [str(tmp_path / "d3.zh.txt"), "--model", str(tiny_model_dir), "--quiet"]
    base += ["--backend", "ctranslate2"]
    local, ray_run = tmp_path / "local", tmp_path / "ray2"
    assert main([*base, "-o", str(local)]) == 0
    monkeypatch.setattr(runner, "CHUNK_DOCS", 2)  # chunks of 2 and 1 documents
    args = [*base, "-o", str(ray_run), "--engine", "ray", "--translators", "2"]
    assert main(args) == 0
    assert output_files(ray_run) == output_files(local)
