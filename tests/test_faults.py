"""Fault injection: ``unmt run`` killed with SIGKILL at random moments and resumed gives the
outputs of an uninterrupted run, byte for byte.

Short version by default (10 kills); ``UNMT_FAULTS=long`` runs 50. The kill times are drawn from
a seeded generator over the uninterrupted run's duration, so most land in translation (the
longest phase), others in segmentation, alignment, scoring or the corpus report. Segments are
split at 10 tokens, so that many texts have pieces in two batches: the case where a resume that
planned its batches over the missing texts only gave other translations than the first run.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES

from unmt.models.tiny.marian import corpus_lines
from unmt.pipeline.run.rundir import output_files
from unmt.script import Script

KILLS = 50 if os.environ.get("UNMT_FAULTS") == "long" else 10
_ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def _documents(base: Path) -> list[str]:
    """Three copies of the example pair and three generated documents of 200 paragraphs."""
    lines = [ln for ln in corpus_lines() if Script.of(ln).lang() == "zh"]
    args: list[str] = []
    pairs = []
    for k in range(3):
        for lang in ("zh", "en"):
            text = (EXAMPLES / f"un-report.{lang}.txt").read_text(encoding="utf-8")
            (base / f"copy{k}.{lang}.txt").write_text(text, encoding="utf-8")
        pairs.append(f"copy{k}.zh.txt\tcopy{k}.en.txt")
    for d in range(3):
        paragraphs = [
            f"{n}. 第{d}号文件第{n}段：{lines[(d * 97 + n * 13) % len(lines)]}，"
            f"{lines[(d * 31 + n * 7) % len(lines)]}。"
            for n in range(1, 201)
        ]
        (base / f"gen{d}.zh.txt").write_text(
            "一. 导言\n\n" + "\n\n".join(paragraphs) + "\n", "utf-8"
        )
        pairs.append(f"gen{d}.zh.txt")
    (base / "pairs.tsv").write_text("\n".join(pairs) + "\n", encoding="utf-8")
    args += ["--pairs", str(base / "pairs.tsv")]
    return args


def _command(inputs: list[str], out: Path, model: Path) -> list[str]:
    return [sys.executable, "-m", "unmt", "run", *inputs, "-o", str(out), "--model", str(model),
            "--backend", "ctranslate2", "--jobs", "2", "--split-tokens", "10",
            "--quiet"]  # fmt: skip


@pytest.mark.slow
def test_kill_9_at_random_moments_then_resume(tiny_model_dir: Path, tmp_path: Path) -> None:
    base = tmp_path / "in"
    base.mkdir()
    inputs = _documents(base)
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    start = time.monotonic()
    subprocess.run(_command(inputs, clean, tiny_model_dir), check=True, env=_ENV,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    duration = time.monotonic() - start
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "unmt", "--help"], check=True, env=_ENV,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    startup = time.monotonic() - t0
    # each attempt gets about twice its share of the work: kills land in every phase
    window = startup + 2 * max(duration - startup, 0.5) / KILLS
    rng = random.Random(20261202)
    interrupted = attempts = 0
    while interrupted < KILLS and attempts < 3 * KILLS:
        attempts += 1
        proc = subprocess.Popen(
            _command(inputs, killed, tiny_model_dir),
            env=_ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.3, 1.0) * window)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the run and its worker processes
            interrupted += 1
        proc.wait(timeout=60)
    assert interrupted >= KILLS, f"only {interrupted} of {attempts} attempts were killed working"
    done = subprocess.run(_command(inputs, killed, tiny_model_dir), env=_ENV,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    want, got = output_files(clean), output_files(killed)
    assert sorted(got) == sorted(want)
    differ = [name for name in want if got[name] != want[name]]
    assert differ == [], f"{len(differ)} of {len(want)} files differ after {interrupted} kills"
    assert len(want) >= 40
