"""What is at an output path, generated: every state a path can be in, through every command
that writes there (issue 23, "one output rule").

A file output is written through a symbolic link (the link stays), into a character device or a
FIFO as it is (never renamed over), and refused where it is a folder, a block device, a socket,
a link loop or a name ending with ``/``. A translation cache path that is no cache is refused.
A folder output (``run -o``, ``export -o``, ``models tiny``) is new, empty or unmt's own of
that kind; files the user added to unmt's own folders stay; a lock file is never followed.
The totals are printed (``pytest -s``).
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLES
from hostile_kit import Case, Outcome, finish_run, is_root, run_main, run_table

ZH_LINES = "会员国重申打击恐怖主义的承诺。\n秘书长提交了报告。\n"
EN_LINES = "Member States reaffirmed their commitment.\nThe Secretary-General submitted a report.\n"


def _common(folder: Path) -> None:
    shutil.copy(EXAMPLES / "un-report.zh.txt", folder / "doc.zh.txt")
    (folder / "lines.zh.txt").write_text(ZH_LINES, "utf-8")
    (folder / "lines.en.txt").write_text(EN_LINES, "utf-8")
    (folder / "afile").write_text("a file of the user's\n", "utf-8")


# -- file outputs --------------------------------------------------------------------------

#: command -> (argv with {out}, the output's name)
FILE_COMMANDS: dict[str, tuple[list[str], str]] = {
    "segment": (["segment", "doc.zh.txt", "-o", "{out}"], "out.jsonl"),
    "translate": (
        ["translate", "lines.zh.txt", "--model", "{tiny}", "--no-cache", "-o", "{out}"],
        "out.txt",
    ),
    "align": (["align", "lines.zh.txt", "lines.en.txt", "-o", "{out}"], "out.align"),
    "score-html": (
        ["score", "--src", "lines.zh.txt", "--hyp", "lines.en.txt", "-o", "{out}"],
        "out.html",
    ),
    "score-json": (
        ["score", "--src", "lines.zh.txt", "--hyp", "lines.en.txt", "-o", "{out}"],
        "out.json",
    ),
}


def _regular_with_text(path: Path) -> None:
    assert path.is_file() and not path.is_symlink() and path.stat().st_size > 0, path


def _link_kept(name: str, target: str) -> Callable[[Path, Outcome], None]:
    def check(root: Path, _: Outcome) -> None:
        assert os.readlink(root / name) == target, "the link was replaced"
        _regular_with_text(root / target)
        assert (root / target).read_text("utf-8") != "old\n", "the target was not written"

    return check


def _mknod(kind: int, major: int, minor: int) -> Callable[[Path], None]:
    return lambda p: os.mknod(p, kind | 0o666, os.makedev(major, minor))


def _link_to(target: str, text: str | None = None) -> Callable[[Path], None]:
    """Make a symbolic link at the path to ``target`` (written first with ``text``)."""

    def make(path: Path) -> None:
        if text is not None:
            (path.parent / target).write_text(text, "utf-8")
        os.symlink(target, path)

    return make


def _socket(path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()  # the socket file stays


#: state -> (setup(path), allowed exit codes, changes(name), check, root only)
FileState = tuple[
    Callable[[Path], None] | None,
    tuple[int, ...],
    Callable[[str], tuple[str, ...]],
    Callable[[str], Callable[[Path, Outcome], None] | None],
    bool,
]
FILE_STATES: dict[str, FileState] = {
    "missing": (
        None,
        (0,),
        lambda n: (n,),
        lambda n: lambda r, o: _regular_with_text(r / n),
        False,
    ),
    "file": (
        lambda p: p.write_text("old\n"),
        (0,),
        lambda n: (n,),
        lambda n: lambda r, o: _regular_with_text(r / n),
        False,
    ),
    "link-to-file": (
        _link_to("target.txt", "old\n"),
        (0,),
        lambda n: ("target.txt",),
        lambda n: _link_kept(n, "target.txt"),
        False,
    ),
    "dangling-link": (
        _link_to("absent.txt"),
        (0,),
        lambda n: ("absent.txt",),
        lambda n: _link_kept(n, "absent.txt"),
        False,
    ),
    "link-loop": (lambda p: os.symlink(p.name, p), (2,), lambda n: (), lambda n: None, False),
    "char-device": (_mknod(stat.S_IFCHR, 1, 3), (0,), lambda n: (), lambda n: None, True),
    "fifo": (lambda p: os.mkfifo(p), (0,), lambda n: (), lambda n: None, False),
    "socket": (_socket, (2,), lambda n: (), lambda n: None, False),
    "directory": (lambda p: p.mkdir(), (2,), lambda n: (), lambda n: None, False),
    "block-device": (_mknod(stat.S_IFBLK, 240, 0), (2,), lambda n: (), lambda n: None, True),
}
#: output arguments that are wrong whatever is there: (argument, allowed codes)
BAD_NAMES = {"trailing-slash": ("{name}/", (2,)), "under-a-file": ("afile/{name}", (2,))}


def _file_cases(tiny: str) -> list[Case]:
    cases = []
    for cmd, (argv, name) in FILE_COMMANDS.items():
        for state, (setup, codes, changes, check, root_only) in FILE_STATES.items():
            if root_only and not is_root():
                continue
            args = [a.format(out=name, tiny=tiny) for a in argv]
            cases.append(
                Case(
                    f"{cmd} -o <{state}>",
                    args,
                    codes,
                    setup=None if setup is None else (lambda r, s=setup, n=name: s(r / n)),
                    changes=changes(name),
                    check=check(name),
                    keep=(name,) if state == "fifo" else (),
                )
            )
        for state, (pattern, codes) in BAD_NAMES.items():
            arg = pattern.format(name=name)
            args = [a.format(out=arg, tiny=tiny) for a in argv]

            def absent(root: Path, _: Outcome, n: str = name) -> None:
                assert not os.path.lexists(root / n), "a file was created"

            cases.append(Case(f"{cmd} -o <{state}>", args, codes, check=absent))
    return cases


# -- the translation cache ------------------------------------------------------------------


def _foreign_db(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE accounts (name TEXT)")


CACHE_STATES: dict[str, tuple[Callable[[Path], None] | None, tuple[int, ...], bool]] = {
    "missing": (None, (0,), False),
    "fifo": (lambda p: os.mkfifo(p), (2,), False),
    "char-device": (_mknod(stat.S_IFCHR, 1, 3), (2,), True),
    "directory": (lambda p: p.mkdir(), (2,), False),
    "socket": (_socket, (2,), False),
    "text-file": (lambda p: p.write_text("my notes\n"), (2,), False),
    "link-to-text": (_link_to("notes.txt", "my notes\n"), (2,), False),
    "foreign-db": (_foreign_db, (2,), False),
}


def _cache_cases(tiny: str) -> list[Case]:
    commands = {
        "translate": ["translate", "lines.zh.txt", "--model", tiny, "--cache", "c.db", "-o", "o"],
        "run": [
            "run",
            "lines.zh.txt",
            "--lines",
            "-o",
            "r",
            "--model",
            tiny,
            "--cache",
            "c.db",
            "--quiet",
        ],
    }
    cases = []
    for cmd, argv in commands.items():
        for state, (setup, codes, root_only) in CACHE_STATES.items():
            if root_only and not is_root():
                continue
            cases.append(
                Case(
                    f"{cmd} --cache <{state}>",
                    argv,
                    codes,
                    setup=None if setup is None else (lambda r, s=setup: s(r / "c.db")),
                    changes=("c.db", "o", "r", ".c.db.lock"),
                )
            )
    return cases


def _run_cases(cases: list[Case], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_table("outputs", cases, tmp_path, _common, monkeypatch)


def test_every_state_of_a_file_output(
    tmp_path: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = _file_cases(str(tiny_model_dir))
    assert len(cases) >= 50
    _run_cases(cases, tmp_path, monkeypatch)


def test_every_state_of_a_cache_path(
    tmp_path: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run_cases(_cache_cases(str(tiny_model_dir)), tmp_path, monkeypatch)


# -- folder outputs -------------------------------------------------------------------------


def _user_dir(path: Path) -> None:
    path.mkdir()
    (path / "notes.txt").write_text("my notes\n", "utf-8")


def _user_dir_link(path: Path) -> None:
    _user_dir(path.parent / "mine")
    os.symlink("mine", path)


def _notes_kept(*names: str) -> Callable[[Path, Outcome], None]:
    def check(root: Path, _: Outcome) -> None:
        for name in names:
            assert (root / name).read_text("utf-8") == "my notes\n", f"{name} was not kept"

    return check


#: states every folder output is tried in: (setup, codes, whether the folder may change)
FOLDER_STATES: dict[str, tuple[Callable[[Path], None] | None, tuple[int, ...], bool]] = {
    "missing": (None, (0,), True),
    "empty": (lambda p: p.mkdir(), (0,), True),
    "user-folder": (_user_dir, (2,), False),
    "a-file": (lambda p: p.write_text("my notes\n", "utf-8"), (2,), False),
    "link-to-user-folder": (_user_dir_link, (2,), False),
    "dangling-link": (lambda p: os.symlink("absent", p), (2,), False),
}


def _folder_cases(tiny: str, run_dir: Path, export_dir: Path, tiny_dir: Path) -> list[Case]:
    run_argv = [
        "run",
        "lines.zh.txt",
        "--lines",
        "--reference",
        "lines.en.txt",
        "-o",
        "out",
        "--model",
        tiny,
        "--quiet",
    ]
    export_argv = ["export", str(run_dir), "-o", "out", "--quiet"]
    tiny_argv = ["models", "tiny", "out"]
    cases = []
    for cmd, argv in (("run", run_argv), ("export", export_argv), ("models tiny", tiny_argv)):
        for state, (setup, codes, may_change) in FOLDER_STATES.items():
            if cmd == "models tiny" and state in ("empty",):
                continue  # a build takes seconds: "missing" and "earlier" build, once each
            cases.append(
                Case(
                    f"{cmd} -o <{state}>",
                    argv,
                    codes,
                    setup=None if setup is None else (lambda r, s=setup: s(r / "out")),
                    changes=("out",) if may_change else (),
                )
            )

    def copy(src: Path, *, notes: tuple[str, ...] = ()) -> Callable[[Path], None]:
        def make(root: Path) -> None:
            shutil.copytree(src, root / "out", symlinks=True)
            for name in notes:
                (root / "out" / name).parent.mkdir(parents=True, exist_ok=True)
                (root / "out" / name).write_text("my notes\n", "utf-8")

        return make

    run_notes = ("notes.txt", ".notes.part", "docs/notes.part")
    cases += [
        # unmt's own folder of the same kind: written again, the user's files kept
        Case(
            "run -o <earlier run + the user's files>",
            run_argv,
            (0,),
            setup=copy(run_dir, notes=run_notes),
            changes=("out",),
            check=_notes_kept(*(f"out/{n}" for n in run_notes)),
        ),
        Case(
            "export -o <earlier export + the user's files>",
            export_argv,
            (0,),
            setup=copy(export_dir, notes=("notes.txt", "data/notes.txt")),
            changes=("out",),
            check=_notes_kept("out/notes.txt", "out/data/notes.txt"),
        ),
        Case(
            "models tiny <earlier tiny model + the user's file>",
            tiny_argv,
            (0,),
            setup=copy(tiny_dir, notes=("notes.txt",)),
            changes=("out",),
            check=_notes_kept("out/notes.txt"),
        ),
        # unmt's own folder of another kind
        Case("run -o <an export>", run_argv, (2,), setup=copy(export_dir)),
        Case("export -o <a run directory>", export_argv, (2,), setup=copy(run_dir)),
        Case(
            "export -o <its own run directory>",
            ["export", "out", "-o", "out"],
            (2,),
            setup=copy(run_dir),
        ),
        Case("models tiny <a run directory>", tiny_argv, (2,), setup=copy(run_dir)),
        Case("models tiny <this folder, the user's>", ["models", "tiny", "."], (2,)),
        # inputs inside the run directory
        Case(
            "run <folder> -o <the same folder>",
            ["run", "docs", "-o", "docs", "--model", tiny],
            (2,),
            setup=lambda r: _user_dir(r / "docs") or shutil.copy(r / "doc.zh.txt", r / "docs"),
        ),
        Case(
            "run <input inside> -o <earlier run>",
            ["run", "out/in.zh.txt", "-o", "out", "--model", tiny, "--quiet"],
            (2,),
            setup=lambda r: copy(run_dir)(r) or shutil.copy(r / "doc.zh.txt", r / "out/in.zh.txt"),
        ),
        # planted links in a run directory: never followed
        Case(
            "run -o <run.lock a link to the user's file>",
            run_argv,
            (2,),
            setup=lambda r: copy(run_dir)(r) or _replace_with_link(r / "out/run.lock", "../afile"),
        ),
        Case(
            "run -o <.staging a link to the user's folder>",
            run_argv,
            (0,),
            setup=lambda r: (
                copy(run_dir)(r)
                or _user_dir(r / "mine")
                or _replace_with_link(r / "out/.staging", "../mine")
            ),
            changes=("out",),
            check=_notes_kept("mine/notes.txt"),
        ),
    ]
    return cases


def _replace_with_link(path: Path, target: str) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    os.symlink(target, path)


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> dict[str, Path]:
    """A finished run directory, its export, and a tiny model folder, outside the cases."""
    base = tmp_path_factory.mktemp("finished")
    _common(base)
    run_dir = finish_run(base, tiny_model_dir, "lines.zh.txt", "lines.en.txt", "--lines")
    export_dir = base / "export"
    assert run_main(["export", str(run_dir), "-o", str(export_dir), "--quiet"]).code == 0
    return {"run": run_dir, "export": export_dir}


def test_every_state_of_a_folder_output(
    tmp_path: Path,
    tiny_model_dir: Path,
    finished: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases = _folder_cases(str(tiny_model_dir), finished["run"], finished["export"], tiny_model_dir)
    _run_cases(cases, tmp_path, monkeypatch)


def test_a_re_export_removes_only_what_the_last_export_wrote(
    tmp_path: Path, finished: dict[str, Path]
) -> None:
    out = tmp_path / "out"
    base = ["export", str(finished["run"]), "-o", str(out), "--quiet"]
    assert run_main([*base, "--format", "hf,tmx,tsv"]).code == 0
    (out / "notes.txt").write_text("my notes\n", "utf-8")
    (out / "unmt.review.tsv.bak").write_text("my copy\n", "utf-8")
    assert run_main([*base, "--format", "tmx"]).code == 0
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert names == [".unmt-export.json", "notes.txt", "unmt.review.tsv.bak", "unmt.zh-en.tmx"]
