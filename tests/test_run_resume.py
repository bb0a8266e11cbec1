"""A ``unmt run`` killed with SIGKILL mid-translation and started again finishes with the same
outputs as an uninterrupted run, without translating again what the killed run finished."""

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
from conftest import EXAMPLES

from unmt.pipeline.run.rundir import output_files

CODE = "import sys; from unmt.pipeline.cli.main import main; sys.exit(main())"


def unmt(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CODE, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def cached_rows(cache: Path) -> int:
    """Rows committed to the translation cache (0 before it exists; retries while locked)."""
    for _ in range(50):
        if not cache.exists():
            return 0
        try:
            with sqlite3.connect(cache, timeout=5) as db:
                return int(db.execute("SELECT count(*) FROM translations").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return 0
            time.sleep(0.1)  # locked by the writer: try again
    raise AssertionError(f"cannot read {cache}")


def model_calls(run: Path) -> int:
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    return int(manifest["documents"]["un-report"]["stages"]["translate"]["info"]["model_calls"])


outputs = output_files


@pytest.mark.slow
def test_killed_run_resumes_with_identical_outputs(tiny_model_dir: Path, tmp_path: Path) -> None:
    def args(out: Path) -> list[str]:
        return [
            "run", str(EXAMPLES / "un-report.zh.txt"),
            "--reference", str(EXAMPLES / "un-report.en.txt"),
            "-o", str(out), "--model", str(tiny_model_dir), "--backend", "ctranslate2",
            "--batch-size", "1", "--beam", "1", "--quiet",
        ]  # fmt: skip

    full = tmp_path / "full"
    proc = unmt(args(full))
    assert proc.wait(timeout=300) == 0, proc.communicate()[1]
    total = cached_rows(full / "cache.sqlite")
    calls_full = model_calls(full)

    killed = tmp_path / "killed"
    proc = unmt(args(killed))
    deadline = time.monotonic() + 240
    while cached_rows(killed / "cache.sqlite") < 3 and proc.poll() is None:
        assert time.monotonic() < deadline, "the run never started translating"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    done_before = cached_rows(killed / "cache.sqlite")
    assert 3 <= done_before < total, "killed too late to test resumption"
    assert not (killed / "docs" / "un-report" / "translations.jsonl").exists()

    proc = unmt(args(killed))
    assert proc.wait(timeout=300) == 0, proc.communicate()[1]
    assert outputs(killed) == outputs(full)
    assert cached_rows(killed / "cache.sqlite") == total
    # what the killed run translated is not translated again
    assert model_calls(killed) <= calls_full - done_before
