"""Hostile conditions for every command: an output that is an input, a full disk, an output that
cannot be created. Each must end with exit 2 and one line on stderr (no traceback), and leave
every file the user already had as it was."""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES

from unmt.pipeline.cli.main import main

ZH, EN = EXAMPLES / "un-report.zh.txt", EXAMPLES / "un-report.en.txt"


def _snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _one_line_error(err: str) -> None:
    lines = [ln for ln in err.splitlines() if ln.strip() and "WARNING" not in ln]
    assert len(lines) == 1 and lines[0].startswith("unmt: error: "), err
    assert "Traceback" not in err


@pytest.fixture
def work(tmp_path: Path) -> Path:
    for f in (ZH, EN):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "x.md").write_text("# an existing report\n", encoding="utf-8")
    (tmp_path / "lines.zh.txt").write_text("会员国重申打击恐怖主义的承诺。\n" * 3, "utf-8")
    (tmp_path / "lines.en.txt").write_text("Member States reaffirmed their commitment.\n" * 3)
    return tmp_path


OUTPUT_IS_INPUT = [
    ["segment", "un-report.zh.txt", "-o", "un-report.zh.txt"],
    ["segment", "un-report.zh.txt", "-o", "link.txt"],  # a symlink to the input
    ["segment", "un-report.zh.txt", "-o", "hard.txt"],  # a hard link of the input
    ["translate", "un-report.zh.txt", "--model", "tiny", "-o", "un-report.zh.txt"],
    ["translate", "lines.zh.txt", "--model", "tiny", "--cache", "lines.zh.txt"],
    ["score", "--src", "lines.zh.txt", "--hyp", "x.md", "-o", "x.md"],
    ["align", "lines.zh.txt", "lines.en.txt", "-o", "lines.en.txt"],
]


@pytest.mark.parametrize("argv", OUTPUT_IS_INPUT, ids=lambda a: "-".join(a[:2] + a[-1:]))
def test_an_output_that_is_an_input_is_refused(
    work: Path, argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(work)
    os.symlink("un-report.zh.txt", work / "link.txt")
    os.link(work / "un-report.zh.txt", work / "hard.txt")
    before = _snapshot(work)
    assert main(argv) == 2
    err = capsys.readouterr().err
    _one_line_error(err)
    assert "input" in err or "left untouched" in err
    assert _snapshot(work) == before


def test_an_export_into_its_own_run_directory_is_refused(
    work: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = work / "runs" / "a"
    code = main(["run", str(ZH), "-o", str(run), "--model", str(tiny_model_dir), "--quiet"])
    assert code == 0
    before = _snapshot(work)
    assert main(["export", str(run), "-o", str(work / "runs")]) == 2
    _one_line_error(capsys.readouterr().err)
    assert _snapshot(work) == before


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["segment", "un-report.zh.txt", "-o", "."], "is a directory"),
        (["segment", "un-report.zh.txt", "-o", "x.md/out.jsonl"], "is a file"),
        (["export", "un-report.zh.txt", "-o", "x.md"], "is a file, not a folder"),
    ],
)
def test_an_output_that_cannot_be_created_is_refused(
    work: Path,
    argv: list[str],
    problem: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(work)
    before = _snapshot(work)
    assert main(argv) == 2
    err = capsys.readouterr().err
    _one_line_error(err)
    assert problem in err
    assert _snapshot(work) == before


def _limited(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # a "full disk": EFBIG


@pytest.mark.parametrize(
    ("argv", "limit"),
    [
        (["segment", "un-report.zh.txt", "-o", "out.jsonl"], 2_000),
        (["translate", "un-report.zh.txt", "-o", "out.txt", "--no-cache"], 1_000),
        (["score", "--src", "lines.zh.txt", "--hyp", "lines.en.txt", "-o", "x.md"], 100),
        (["score", "--src", "lines.zh.txt", "--hyp", "lines.en.txt", "-o", "r.html"], 2_000),
        (["run", "un-report.zh.txt", "--reference", "un-report.en.txt", "-o", "run"], 60_000),
    ],
    ids=["segment", "translate", "score-md", "score-html", "run"],
)
def test_a_full_disk_is_one_line_and_exit_2(
    work: Path, tiny_model_dir: Path, argv: list[str], limit: int
) -> None:
    argv = [a if a != "tiny" else str(tiny_model_dir) for a in argv]
    if argv[0] in ("translate", "run"):
        argv += ["--model", str(tiny_model_dir), "--backend", "ctranslate2"]
    before = _snapshot(work)
    done = subprocess.run(
        [sys.executable, "-m", "unmt", *argv],
        cwd=work,
        capture_output=True,
        text=True,
        preexec_fn=lambda: _limited(limit),
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    _one_line_error(done.stderr)
    after = _snapshot(work)
    assert {k: v for k, v in after.items() if k in before} == before  # nothing changed
    assert not [k for k in after if k.endswith(".part") or ("/." in k and ".part" in k)]
    if argv[0] != "run":
        assert set(after) == set(before)  # no partial output either


def test_a_docx_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    import zipfile

    from unmt.errors import UserError
    from unmt.pipeline.segment.ingest import read_input

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * 2**20
            for _ in range(300):  # 300 MiB of zeros: about 300 KB compressed
                fh.write(chunk)
    assert bomb.stat().st_size < 2 * 2**20
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(UserError, match="would unpack to 300 MiB"):
        read_input(bomb)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start
    assert grown_kib < 100 * 1024  # nothing was inflated


def test_a_term_of_a_million_characters_is_an_error_naming_the_line(tmp_path: Path) -> None:
    from unmt.errors import UserError
    from unmt.eval.glossary.load import load_glossary

    path = tmp_path / "g.tsv"
    path.write_text("zh\ten\n会员国\tMember States\n" + "恐" * 1_000_000 + "\tterror\n", "utf-8")
    with pytest.raises(UserError) as exc:
        load_glossary(path)
    assert exc.value.line == 3 and "1,000,000 characters" in exc.value.render()


def test_a_bad_glossary_stops_a_run_before_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    argv = [
        "run",
        str(ZH),
        "-o",
        str(out),
        "--model",
        "tiny",
        "--glossary",
        str(tmp_path / "no.tsv"),
    ]
    assert main(argv) == 2
    _one_line_error(capsys.readouterr().err)
    assert not out.exists()


def test_docx_text_in_insertions_and_smart_tags_is_kept(tmp_path: Path) -> None:
    import docx
    from lxml import etree

    from unmt.pipeline.segment.ingest import read_input

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    document = docx.Document()
    p = document.add_paragraph("第一段")
    for xml in (
        f'<w:ins xmlns:w="{w}" w:id="1" w:author="a"><w:r><w:t>插入的文字</w:t></w:r></w:ins>',
        f'<w:smartTag xmlns:w="{w}" w:element="place"><w:r><w:t>维也纳</w:t></w:r></w:smartTag>',
        f'<w:del xmlns:w="{w}" w:author="a"><w:r><w:delText>删掉</w:delText></w:r></w:del>',
        f'<w:r xmlns:w="{w}"><w:t>。结尾</w:t></w:r>',
    ):
        p._p.append(etree.fromstring(xml))
    path = tmp_path / "d.docx"
    document.save(str(path))
    assert read_input(path).text == "第一段插入的文字维也纳。结尾"


def test_glossary_check_require_is_a_share(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["glossary", "check", "--src", str(ZH), "--ref", str(EN), "--require", "7"]) == 2
    assert "from 0 to 1" in capsys.readouterr().err


def _jobs_run(inputs: Path, out: Path, model: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "unmt", "run", str(inputs), "-o", str(out), "--model",
            str(model), "--backend", "ctranslate2", "--jobs", "2", *extra]  # fmt: skip


def _corpus(base: Path, n: int) -> Path:
    base.mkdir()
    for k in range(n):
        # paragraph numbers jump from 2 to 5: the segmenter warns (in a worker with --jobs 2)
        (base / f"d{k}.zh.txt").write_text(
            f"一. 导言\n\n1. 第{k}号文件第一段。\n\n2. 第二段。\n\n5. 第五段。\n", "utf-8"
        )
    return base


def test_worker_warnings_look_like_the_commands_and_obey_quiet(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    docs = _corpus(tmp_path / "docs", 3)
    loud = subprocess.run(_jobs_run(docs, tmp_path / "a", tiny_model_dir), capture_output=True,
                          text=True, env=_ENV)  # fmt: skip
    assert loud.returncode == 0, loud.stderr
    jumps = [ln for ln in loud.stderr.splitlines() if "paragraph numbers jump" in ln]
    assert len(jumps) == 3 and all(ln.startswith("unmt: WARNING: ") for ln in jumps)
    quiet = subprocess.run(_jobs_run(docs, tmp_path / "b", tiny_model_dir, "--quiet"),
                           capture_output=True, text=True, env=_ENV)  # fmt: skip
    assert quiet.returncode == 0 and "paragraph numbers jump" not in quiet.stderr


_ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and prctl are Linux's")
def test_sigterm_is_an_interruption_and_workers_die_with_a_killed_run(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    import signal
    import time

    from unmt.pipeline.bench.segment import synthetic

    docs = tmp_path / "docs"
    docs.mkdir()
    seed = ZH.read_text(encoding="utf-8")
    for k in range(4):  # each takes a worker a second or more to segment
        (docs / f"big{k}.zh.txt").write_text(synthetic(seed, "zh", 4_000_000), "utf-8")
    for name, sig in (("term", signal.SIGTERM), ("kill", signal.SIGKILL)):
        proc = subprocess.Popen(_jobs_run(docs, tmp_path / name, tiny_model_dir, "--quiet"),
                                stderr=subprocess.PIPE, text=True, env=_ENV)  # fmt: skip
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
            time.sleep(0.05)
            workers = [c for c in _children(proc.pid) if "resource_tracker" not in
                       Path(f"/proc/{c}/cmdline").read_text(errors="replace")]  # fmt: skip
        assert len(workers) >= 2, "the worker processes did not start"
        time.sleep(0.5)  # they are segmenting now
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        if sig == signal.SIGTERM:
            assert proc.returncode == 143 and "unmt: interrupted (SIGTERM)" in err
        time.sleep(0.3)  # a worker still segmenting would live on for a second or more
        assert not [w for w in workers if _alive(w)], f"workers outlived the run ({name})"


@pytest.mark.parametrize("fmt", ["hf", "tmx"])
def test_export_on_a_full_disk_is_one_line_and_leaves_no_export(
    tmp_path: Path, tiny_model_dir: Path, fmt: str
) -> None:
    from unmt.pipeline.bench.segment import synthetic

    zh, en = ZH.read_text(encoding="utf-8"), EN.read_text(encoding="utf-8")
    doc, ref = tmp_path / "big.zh.txt", tmp_path / "big.en.txt"
    doc.write_text(synthetic(zh, "zh", 300_000), "utf-8")
    # the same copies of the English: rows of human translation (a random-weight model's
    # translations are never exported as such)
    copies = synthetic(zh, "zh", 300_000).count(zh.split("\n", 1)[0])
    ref.write_text(synthetic(en, "en", len(en.encode()) * copies), "utf-8")
    run = tmp_path / "run"
    argv = ["run", str(doc), "--reference", str(ref), "-o", str(run), "--model",
            str(tiny_model_dir), "--quiet"]  # fmt: skip
    assert main(argv) == 0
    done = subprocess.run(
        [sys.executable, "-m", "unmt", "export", str(run), "-o", str(tmp_path / "x"),
         "--format", fmt],
        capture_output=True, text=True, preexec_fn=lambda: _limited(40_000), env=_ENV,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    _one_line_error(done.stderr)
    assert "cannot write the output" in done.stderr
    assert not (tmp_path / "x").exists() and not list(tmp_path.glob(".x.*"))


def test_a_sigterm_while_the_interpreter_exits_is_143_and_one_line(work: Path) -> None:
    """The console command's work is done and the interpreter is shutting down (threads of
    pyarrow or tqdm ending, here an exit handler that sleeps): a SIGTERM then ends the process
    with 143 and the interrupted line, not killed by the signal (-15)."""
    import signal
    import time

    script = (
        "import atexit, sys, time\n"
        "atexit.register(time.sleep, 30)\n"
        "from unmt.pipeline.cli.main import main\n"
        "sys.argv = ['unmt', 'segment', 'un-report.zh.txt', '-o', 'out.jsonl']\n"
        "code = main()\n"
        "print('returned', code, flush=True)\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == "returned 0"
    time.sleep(0.5)  # in the exit handler now
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 143, err
    assert err.strip() == "unmt: interrupted (SIGTERM); run the same command again to resume"
    assert (work / "out.jsonl").stat().st_size > 0  # the output was complete before


def test_a_sigterm_that_a_library_turns_into_keyboardinterrupt_is_still_143(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ray's blocking calls catch the ``Terminated`` raised by unmt's SIGTERM handler and raise a
    plain ``KeyboardInterrupt`` of their own; the command still ends as a SIGTERM."""
    import signal
    import time

    from unmt.pipeline.cli import segment

    def like_ray(args: object) -> int:
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler runs here
        except KeyboardInterrupt:
            raise KeyboardInterrupt from None  # a fresh one, as Ray's check_signals does
        return 0

    monkeypatch.setattr(segment, "run", like_ray)
    monkeypatch.chdir(work)
    assert main(["segment", "un-report.zh.txt"]) == 143
    assert "unmt: interrupted (SIGTERM)" in capsys.readouterr().err
