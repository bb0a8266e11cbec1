"""``unmt run --engine ray`` without ``--address`` under hostile conditions, on a real local Ray
instance: it listens on 127.0.0.1 only, it is always the run's own (whatever ``RAY_ADDRESS`` or
a stale ``ray_current_cluster`` file says), requests no node can hold are an error at once,
SIGTERM and SIGINT interrupt it like the local engine, while Ray starts as well as mid-run (and
the run resumes to the same bytes), and nothing of the instance outlives its driver, not even
after ``kill -9``."""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES

from unmt.errors import UserError
from unmt.pipeline.cli.main import main
from unmt.pipeline.run.ray_engine import check_fit
from unmt.pipeline.run.rundir import output_files

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the process checks read Linux's /proc"
)

_ENV = {**os.environ, "OMP_NUM_THREADS": "1"}
_LOOPBACK = ("127.", "::1", "::ffff:127.")


def _psutil() -> Any:
    pytest.importorskip("ray")
    import psutil  # after ray: Ray ships its own copy

    return psutil


def _corpus(base: Path, docs: int = 8, copies: int = 10) -> Path:
    """``docs`` documents of ``copies`` varied copies of the example report (~33 kB each): a
    few seconds of translation on two CPUs, time enough to interrupt it."""
    base.mkdir()
    text = (EXAMPLES / "un-report.zh.txt").read_text(encoding="utf-8")
    for i in range(docs):
        body = "".join(
            text.replace("联合国", f"联合国{i}{j}").replace("会员国", f"会员国{j}")
            for j in range(copies)
        )
        (base / f"d{i}.zh.txt").write_text(body, encoding="utf-8")
    return base


def _args(docs: Path, out: Path, model: Path, *extra: str) -> list[str]:
    return ["run", str(docs), "-o", str(out), "--model", str(model), "--backend", "ctranslate2",
            "--batch-size", "1", "--quiet", *extra]  # fmt: skip


class _Watched:
    """A ``unmt run`` subprocess and every process it started, sampled while it runs."""

    def __init__(self, args: list[str]) -> None:
        self.psutil = _psutil()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "unmt", *args, "--engine", "ray"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=_ENV,
            start_new_session=True,  # its own process group, as in a terminal
        )
        self.root = self.psutil.Process(self.proc.pid)
        self.procs: dict[int, Any] = {}
        self.listening: set[tuple[str, str]] = set()  # (process name, local ip)
        self.peers: set[str] = set()
        self.folder: Path | None = None

    def sample(self, sockets: bool) -> None:
        psutil = self.psutil
        try:
            found = self.root.children(recursive=True)
        except psutil.Error:
            return
        for proc in found:
            self.procs.setdefault(proc.pid, proc)
            if self.folder is None and _name(proc) == "raylet":
                flags = [a for a in proc.cmdline() if a.startswith("--temp_dir=")]
                self.folder = Path(flags[0].split("=", 1)[1]) if flags else None
        for proc in [self.root, *found] if sockets else []:
            try:
                name = proc.name()
                for conn in proc.net_connections(kind="inet"):
                    if conn.status == psutil.CONN_LISTEN:
                        self.listening.add((name, conn.laddr.ip))
                    elif conn.raddr:
                        self.peers.add(conn.raddr.ip)
            except psutil.Error:
                continue

    def until(self, ready: Callable[[], bool], *, sockets: bool = False) -> bool:
        """Sample until ``ready()``; False when the run ended first (or after 3 minutes)."""
        deadline = time.monotonic() + 180
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.sample(sockets)
            if ready():
                return True
            time.sleep(0.3 if sockets else 0.05)
        return False

    def starting(self) -> bool:
        return any(_name(p) == "ray::IDLE" for p in self.procs.values())

    def translating(self) -> bool:
        return any("_TranslatorActor" in _name(p) for p in self.procs.values())

    def survivors(self, within: float) -> list[str]:
        """The processes of the run still alive ``within`` seconds after it ended."""
        deadline = time.monotonic() + within
        while True:
            alive = [p for p in self.procs.values() if _alive(p)]
            if not alive or time.monotonic() > deadline:
                return [f"{p.pid} {_name(p)}" for p in alive]
            time.sleep(0.1)


def _name(proc: Any) -> str:
    try:
        return str(proc.name())
    except Exception:
        return "?"


def _alive(proc: Any) -> bool:
    try:
        return bool(proc.is_running() and proc.status() != "zombie")
    except Exception:
        return False


@pytest.mark.slow
def test_local_instance_listens_on_loopback_only_and_dies_with_a_killed_driver(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    docs = _corpus(tmp_path / "docs")
    run = _Watched(_args(docs, tmp_path / "run", tiny_model_dir))
    try:
        assert run.until(run.translating, sockets=True), run.proc.communicate()[1]
        run.sample(sockets=True)
    finally:
        run.proc.kill()  # kill -9 of the driver, mid-translation
    run.proc.communicate(timeout=60)
    names = {name for name, _ in run.listening}
    assert {"gcs_server", "raylet"} <= names and any(n.startswith("ray::") for n in names)
    assert any(n in ("python", "python3") or "unmt" in n for n in names)  # the driver
    outside = {(n, ip) for n, ip in run.listening if not ip.startswith(_LOOPBACK)}
    assert not outside, f"listening beyond 127.0.0.1: {sorted(outside)}"
    assert all(ip.startswith(_LOOPBACK) for ip in run.peers), sorted(run.peers)
    # Ray's agents alone would live on for ~60 s after the kill (a report to the dead GCS)
    start = time.monotonic()
    assert run.survivors(within=15) == []
    print(f"every process of the instance gone {time.monotonic() - start:.1f} s after kill -9")
    assert run.folder is not None and not run.folder.exists()


@pytest.mark.slow
def test_interrupted_by_sigterm_then_sigint_the_run_resumes_to_the_same_bytes(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    docs = _corpus(tmp_path / "docs")
    local, out = tmp_path / "local", tmp_path / "ray"
    unmt = [sys.executable, "-m", "unmt"]
    done = subprocess.run(
        [*unmt, *_args(docs, local, tiny_model_dir)], env=_ENV, stdout=subprocess.DEVNULL
    )
    assert done.returncode == 0  # the uninterrupted run, on the local engine
    term = (143, "unmt: interrupted (SIGTERM); run the same command again to resume")
    cases = [  # while Ray starts (inside ray.init or just after), then twice mid-translation
        (signal.SIGTERM, *term, _Watched.starting),
        (signal.SIGTERM, *term, _Watched.translating),
        (signal.SIGINT, 130, "unmt: interrupted; run the same command again to resume",
         _Watched.translating),
    ]  # fmt: skip
    for sig, code, line, when in cases:
        run = _Watched(_args(docs, out, tiny_model_dir))
        assert run.until(functools.partial(when, run)), run.proc.communicate()[1]
        if sig == signal.SIGINT:
            os.killpg(run.proc.pid, sig)  # Ctrl-C: the terminal signals the whole group
        else:
            run.proc.send_signal(sig)
        _, err = run.proc.communicate(timeout=120)
        assert run.proc.returncode == code, err
        assert line in err.splitlines(), err
        assert "Traceback" not in err and "received at time" not in err, err  # Ray's dump
        assert run.survivors(within=10) == []
        assert run.folder is not None and not run.folder.exists()
    again = [*unmt, *_args(docs, out, tiny_model_dir), "--engine", "ray"]
    resumed = subprocess.run(again, capture_output=True, text=True, env=_ENV)
    assert resumed.returncode == 0, resumed.stderr
    assert output_files(out) == output_files(local)


@pytest.mark.slow
def test_the_local_instance_is_the_runs_own(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``ray_current_cluster`` file left by a killed ``ray start`` and a ``RAY_ADDRESS`` where
    nothing answers: plain ``ray.init()`` would join them (and fail); the run starts its own."""
    _psutil()
    temp = tmp_path / "raytmp"
    (temp / "ray").mkdir(parents=True)
    (temp / "ray" / "ray_current_cluster").write_text("127.0.0.1:1", encoding="utf-8")
    monkeypatch.setenv("RAY_TMPDIR", str(temp))
    monkeypatch.setenv("RAY_ADDRESS", "127.0.0.1:1")
    before = os.environ.get("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER")
    doc = tmp_path / "docs"
    doc.mkdir()
    (doc / "un-report.zh.txt").write_bytes((EXAMPLES / "un-report.zh.txt").read_bytes())
    assert main([*_args(doc, tmp_path / "run", tiny_model_dir), "--engine", "ray"]) == 0
    assert sorted(p.name for p in (temp / "ray").iterdir()) == ["ray_current_cluster"]
    assert os.environ.get("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER") == before  # put back as it was


@pytest.mark.slow
@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--translator-cpus", "1000"], ["--translator-cpus 1000 asks for 1000 CPUs"]),
        (["--translators", str((os.cpu_count() or 1) + 1)], ["need", "room for"]),
    ],
)
def test_what_the_local_instance_cannot_hold_is_an_error_at_once(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    flags: list[str], says: list[str],
) -> None:  # fmt: skip
    psutil = _psutil()
    doc = tmp_path / "docs"
    doc.mkdir()
    (doc / "un-report.zh.txt").write_bytes((EXAMPLES / "un-report.zh.txt").read_bytes())
    start = time.monotonic()
    assert main([*_args(doc, tmp_path / "run", tiny_model_dir), "--engine", "ray", *flags]) == 2
    assert time.monotonic() - start < 90  # not an actor waiting for ever
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("unmt: error:")]
    assert len(errors) == 1 and "Traceback" not in err, err
    cpus = f"{os.cpu_count() or 1} CPUs"
    assert all(s in errors[0] for s in [*says, cpus, "give --translator"]), errors[0]
    ray_names = ("gcs_server", "raylet", "ray::")
    left = [p for p in psutil.Process().children(recursive=True)
            if _alive(p) and _name(p).startswith(ray_names)]  # fmt: skip
    assert left == []


@pytest.mark.parametrize(
    ("nodes", "translators", "cpus", "error"),
    [
        ([2], 1, 1, None),
        ([2], 2, 1, None),  # every CPU: the actors are let go between chunks
        ([2], 3, 1, "--translators 3 with --translator-cpus 1 need 3 CPUs at once"),
        ([2], 2, 1.5, "room for 1"),
        ([2], 1, 2.5, "--translator-cpus 2.5 asks for 2.5 CPUs"),
        ([4, 4], 2, 3, None),  # one on each node
        ([4, 4], 3, 3, "room for 2"),
        ([2, 8], 1, 6, None),
        ([2], 64, 0, None),  # no CPUs reserved: any number fits
        ([2], 3, 0.6, None),
        ([0.5], 1, 0.1, "no node has a whole CPU"),
        ([], 1, 1, "no node has a whole CPU"),
        ([2], 1, 0.00001, "below Ray's smallest share of a CPU"),
    ],
)
def test_check_fit(nodes: list[float], translators: int, cpus: float, error: str | None) -> None:
    def check() -> None:
        check_fit(nodes, translators, cpus, "the cluster has ...", local=False)

    if error is None:
        check()
    else:
        with pytest.raises(UserError) as info:
            check()
        assert error in str(info.value)


def test_the_instance_folder_is_short_enough_for_unix_sockets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from unmt.pipeline.run import ray_local

    deep = tmp_path / ("long-folder-name-" * 4)
    deep.mkdir()
    monkeypatch.delenv("RAY_TMPDIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    folder = ray_local._temp_folder()  # too long for Ray's sockets: /tmp instead
    try:
        assert folder.parent == Path("/tmp") and len(str(folder)) + 70 <= 107
    finally:
        folder.rmdir()
    short = Path(tempfile.mkdtemp(prefix="rt", dir="/tmp"))
    try:
        monkeypatch.setenv("RAY_TMPDIR", str(short))  # Ray's own setting, where short enough
        folder = ray_local._temp_folder()
        assert folder.parent == short and folder.name.startswith("unmt-ray-")
    finally:
        shutil.rmtree(short)
