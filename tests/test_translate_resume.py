"""A translation killed with SIGKILL half-way resumes from the persistent cache: the restarted
run calls the model only for what is not cached, and its output equals an uninterrupted run's."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from unmt.models.tiny.marian import corpus_lines

N_LINES = 120


def _cached(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=5) as db:
            return int(db.execute("SELECT count(*) FROM translations").fetchone()[0])
    except sqlite3.OperationalError:  # table not created yet
        return 0


# one engine thread: on a small shared CPU, spinning worker threads slow the tiny model ~4x
_ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def _cmd(src: Path, out: Path, model: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "unmt",
        "-v",
        "translate",
        str(src),
        "-o",
        str(out),
        "--model",
        str(model),
        "--backend",
        "ctranslate2",
        "--batch-size",
        "1",
        "--beam",
        "1",
        "--quiet",
        *extra,
    ]


@pytest.mark.slow
def test_sigkill_then_resume(tiny_model_dir: Path, tmp_path: Path) -> None:
    base = [line for line in corpus_lines() if len(line) < 30]
    lines = [f"{base[i % len(base)]}第{i}段" for i in range(N_LINES)]
    src = tmp_path / "in.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cache = tmp_path / "cache.sqlite3"
    out = tmp_path / "out.txt"

    proc = subprocess.Popen(
        _cmd(src, out, tiny_model_dir, "--cache", str(cache)), stderr=subprocess.DEVNULL, env=_ENV
    )
    deadline = time.monotonic() + 120
    while _cached(cache) < 20 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    done_before = _cached(cache)
    assert 0 < done_before < N_LINES, "the run was not killed half-way"
    assert not out.exists()  # no partial output left behind

    resumed = subprocess.run(
        _cmd(src, out, tiny_model_dir, "--cache", str(cache)),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env=_ENV,
    )
    calls = int(re.search(r"(\d+) model calls", resumed.stderr).group(1))  # type: ignore[union-attr]
    assert calls == N_LINES - done_before

    clean = tmp_path / "clean.txt"
    subprocess.run(
        _cmd(src, clean, tiny_model_dir, "--no-cache"),
        capture_output=True,
        timeout=300,
        check=True,
        env=_ENV,
    )
    assert out.read_bytes() == clean.read_bytes()
    assert len(out.read_text(encoding="utf-8").splitlines()) == N_LINES


def test_result_does_not_depend_on_what_was_cached(tiny_model_dir: Path, tmp_path: Path) -> None:
    """Half of a call's results lost from the cache (as after a kill): the call again returns
    exactly what the first one did, although CTranslate2's output depends on the batch."""
    import random

    from unmt.models.options import TranslateOptions
    from unmt.models.translate import open_translator

    base = corpus_lines()
    texts = [f"{base[i % len(base)]}，{base[(7 * i) % len(base)]}" for i in range(150)]
    cache = tmp_path / "cache.sqlite"

    def translate(**extra: object) -> tuple[list[str], int]:
        settings = {"cache": str(cache)} | extra
        options = TranslateOptions(
            model=str(tiny_model_dir), backend="ctranslate2", quiet=True,
            **settings,  # type: ignore[arg-type]
        )  # fmt: skip
        with open_translator(options) as translator:
            return [r.mt for r in translator.translate(texts)], translator.model_calls

    full, calls = translate()
    with_batch_of_one, _ = translate(batch_size=1, cache=str(tmp_path / "other.sqlite"))
    assert with_batch_of_one != full  # the engine's output does depend on the batch here
    with sqlite3.connect(cache) as db:
        keys = [row[0] for row in db.execute("SELECT key FROM translations")]
        dropped = random.Random(7).sample(keys, len(keys) // 2)
        db.executemany("DELETE FROM translations WHERE key = ?", [(k,) for k in dropped])
    again, calls_again = translate()
    assert again == full
    assert 0 < calls_again <= calls
