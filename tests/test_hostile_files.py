"""Hostile input files, generated: devices, link loops and folders where a file is read; JSON
nested 100,000 deep, integers of 5,000 digits and lone surrogates in every JSONL a command
reads; broken run configs; a run directory's state store and translation cache damaged by hand
(issue 23, "bounded reading everywhere").

Each case must end with an allowed exit code (2: refused; 1: ``unmt run`` failed the document
and went on; 0 where the input is harmless), never a traceback, and leave every file that was
there as it was. The totals are printed (``pytest -s``).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_kit import Case, finish_run, run_main, run_table

ZH = "会员国重申打击恐怖主义的承诺。\n秘书长提交了报告。\n"
EN = "Member States reaffirmed their commitment.\nThe Secretary-General submitted a report.\n"


def _common(root: Path) -> None:
    (root / "doc.zh.txt").write_text(ZH, "utf-8")
    (root / "doc.en.txt").write_text(EN, "utf-8")
    (root / "gold.align").write_text("[0]:[0]\n[1]:[1]\n", "utf-8")


#: what is at the input path X
SPECIAL: dict[str, Callable[[Path], None]] = {
    "dev-zero": lambda p: os.symlink("/dev/zero", p),
    "dev-urandom": lambda p: os.symlink("/dev/urandom", p),
    "link-loop": lambda p: os.symlink(p.name, p),
    "folder": lambda p: p.mkdir(),
    "missing": lambda p: None,
}

#: command -> (argv with X, allowed exit codes)
READERS: dict[str, tuple[list[str], tuple[int, ...]]] = {
    "segment": (["segment", "X"], (2,)),
    "translate": (["translate", "X", "--model", "{tiny}", "--no-cache"], (2,)),
    "align src": (["align", "X", "doc.en.txt"], (2,)),
    "align tgt": (["align", "doc.zh.txt", "X"], (2,)),
    "align --mt": (["align", "doc.zh.txt", "doc.en.txt", "--mt", "X"], (2,)),
    "score --src": (["score", "--src", "X", "--hyp", "doc.en.txt"], (2,)),
    "score --hyp": (["score", "--src", "doc.zh.txt", "--hyp", "X"], (2,)),
    "score --ref": (["score", "--src", "doc.zh.txt", "--hyp", "doc.en.txt", "--ref", "X"], (2,)),
    "score --glossary": (
        ["score", "--src", "doc.zh.txt", "--hyp", "doc.en.txt", "--glossary", "X"],
        (2,),
    ),
    "glossary check": (["glossary", "check", "--src", "X", "--ref", "doc.en.txt"], (2,)),
    "glossary info": (["glossary", "info", "X"], (2,)),
    "eval align": (["eval", "align", "--gold", "X", "--pred", "gold.align"], (2,)),
    "run": (["run", "X", "-o", "out", "--model", "{tiny}", "--quiet"], (1, 2)),
    "run --reference": (
        ["run", "doc.zh.txt", "--reference", "X", "-o", "out", "--model", "{tiny}", "--quiet"],
        (1, 2),
    ),
    "run --pairs": (["run", "--pairs", "X", "-o", "out", "--model", "{tiny}"], (2,)),
    "run --config": (["run", "--config", "X"], (2,)),
    "run --glossary": (
        ["run", "doc.zh.txt", "-o", "out", "--glossary", "X", "--model", "{tiny}"],
        (2,),
    ),
    "export": (["export", "X", "-o", "out"], (2,)),
}


def _special_cases(tiny: str) -> list[Case]:
    cases = []
    for kind, make in SPECIAL.items():
        for cmd, (argv, codes) in READERS.items():
            if kind == "folder" and cmd in ("export", "run"):
                continue  # a folder is what these take
            args = [a.replace("X", "x.txt").replace("{tiny}", tiny) for a in argv]
            cases.append(
                Case(
                    f"{cmd} <{kind}>",
                    args,
                    codes,
                    setup=lambda r, m=make: m(r / "x.txt"),
                    changes=("out",),
                )
            )
    return cases


DEEP = 100_000
#: hostile JSONL lines
JSONL: dict[str, str] = {
    "nested-100k": '{"text": ' + "[" * DEEP + "]" * DEEP + ', "zh": "a"}',
    "int-5000-digits": '{"text": "会员国", "zh": "a", "n": ' + "9" * 5000 + "}",
    "lone-surrogate": '{"text": "\\ud800会员国", "mt": "\\udfff", "zh": "\\ud800"}',
    "not-an-object": "[1, 2, 3]",
    "text-is-a-number": '{"text": 42, "mt": 42, "zh": 42}',
    "bad-json": '{"text": "会员国",',
}
JSONL_READERS: dict[str, list[str]] = {
    "translate": ["translate", "X", "--model", "{tiny}", "--no-cache"],
    "align": ["align", "X", "doc.en.txt"],
    "score --src": ["score", "--src", "X", "--hyp", "doc.en.txt"],
    "score --hyp": ["score", "--src", "doc.zh.txt", "--hyp", "X"],
    "run --pairs": ["run", "--pairs", "X", "-o", "out", "--model", "{tiny}"],
}


def _jsonl_cases(tiny: str) -> list[Case]:
    cases = []
    for kind, line in JSONL.items():
        for cmd, argv in JSONL_READERS.items():
            args = [a.replace("X", "x.jsonl").replace("{tiny}", tiny) for a in argv]
            cases.append(
                Case(
                    f"{cmd} <jsonl {kind}>",
                    args,
                    (2,),
                    setup=lambda r, t=line: (r / "x.jsonl").write_text(t + "\n"),
                    changes=("out",),
                )
            )
    # plain text whose first line merely starts with "{" is plain text
    cases.append(
        Case(
            "translate <text starting with {>",
            ["translate", "x.txt", "--model", tiny, "--no-cache"],
            (0,),
            setup=lambda r: (r / "x.txt").write_text("{会员国}重申承诺。\n", "utf-8"),
        )
    )
    return cases


#: hostile run configs (the inputs exist)
CONFIGS: dict[str, str] = {
    "inputs-null": "inputs:\noutput: out\n",
    "nested-10k": "inputs: " + "[" * 10_000 + "]" * 10_000 + "\noutput: out\n",
    "billion-laughs": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a]\n"
    "inputs: [*b, *b, *b, *b, *b, *b]\noutput: out\n",
    "not-a-mapping": "- inputs\n- output\n",
    "inputs-a-number": "inputs: 42\noutput: out\n",
    "output-a-list": "inputs: [doc.zh.txt]\noutput: [a, b]\n",
    "model-a-mapping": "inputs: [doc.zh.txt]\noutput: out\nmodel: {a: 1}\n",
    "binary": "\x00\x01\x02\xff",
    "key-twice": "inputs: [doc.zh.txt]\noutput: out\noutput: out2\n",
}


def _config_cases() -> list[Case]:
    return [
        Case(
            f"run --config <{kind}>",
            ["run", "--config", "c.yaml"],
            (2,),
            setup=lambda r, t=text: (r / "c.yaml").write_bytes(t.encode("utf-8", "replace")),
        )
        for kind, text in CONFIGS.items()
    ]


def _store(path: Path, sql: str, *args: object) -> None:
    with sqlite3.connect(path) as db:
        db.execute(sql, args)


#: hand damage to an earlier run directory's state store: run again, and export it
STATE_DAMAGE: dict[str, Callable[[Path], None]] = {
    "settings-a-list": lambda d: _store(
        d / "state.sqlite", "UPDATE meta SET value = '[1]' WHERE key = 'settings'"
    ),
    "meta-not-json": lambda d: _store(
        d / "state.sqlite", "UPDATE meta SET value = 'not json' WHERE key = 'versions'"
    ),
    "meta-a-blob": lambda d: _store(
        d / "state.sqlite", "UPDATE meta SET value = ? WHERE key = 'versions'", b"\xff\x00"
    ),
    "reference-a-number": lambda d: _store(
        d / "state.sqlite", "UPDATE documents SET entry = json_set(entry, '$.reference', 42)"
    ),
    "stage-key-a-number": lambda d: _store(
        d / "state.sqlite", "UPDATE stages SET record = json_set(record, '$.key', 42)"
    ),
    "manifest-nested": lambda d: (
        (d / "state.sqlite").unlink() or (d / "manifest.json").write_text("[" * DEEP + "]" * DEEP)
    ),
}
#: hand damage to the run's translation cache: its entries are translated again
CACHE_DAMAGE: dict[str, str] = {
    "flags-not-json": "UPDATE translations SET flags = 'not json'",
    "flags-not-a-list": "UPDATE translations SET flags = '{\"a\": 1}'",
    "mt-a-blob": "UPDATE translations SET mt = x'ff00'",
}


def _damage_cases(tiny: str, run_dir: Path) -> list[Case]:
    def copy_then(damage: Callable[[Path], None]) -> Callable[[Path], None]:
        def make(root: Path) -> None:
            shutil.copytree(run_dir, root / "out")
            damage(root / "out")

        return make

    def same_store(root: Path, outcome: object) -> None:
        """The store holds what it held (SQLite's own side files and the lock may change)."""
        store = root / "out" / "state.sqlite"
        if store.is_file():
            with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
                now = "\n".join(db.iterdump())
            assert now == dumps[root.name], "the damaged store was changed"

    dumps: dict[str, str] = {}

    def remember(setup: Callable[[Path], None]) -> Callable[[Path], None]:
        def make(root: Path) -> None:
            setup(root)
            store = root / "out" / "state.sqlite"
            if store.is_file():
                with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
                    dumps[root.name] = "\n".join(db.iterdump())

        return make

    bookkeeping = ("out/state.sqlite", "out/run.lock")

    rerun = [
        "run",
        "doc.zh.txt",
        "--reference",
        "doc.en.txt",
        "-o",
        "out",
        "--model",
        tiny,
        "--quiet",
    ]
    cases = []
    for kind, damage in STATE_DAMAGE.items():
        for name, argv in (("run again", rerun), ("export", ["export", "out", "-o", "exp"])):
            cases.append(
                Case(
                    f"{name} <state {kind}>",
                    argv,
                    (2,),
                    setup=remember(copy_then(damage)),
                    changes=bookkeeping,
                    check=same_store,
                )
            )
    for kind, sql in CACHE_DAMAGE.items():
        cases.append(
            Case(
                f"run again <cache {kind}>",
                [*rerun, "--force"],
                (0,),
                setup=copy_then(lambda d, q=sql: _store(d / "cache.sqlite", q)),
                changes=("out",),
            )
        )
    return cases


def _stdin_cases() -> list[Case]:
    return [
        Case("align - -", ["align", "-", "-"], (2,)),
        Case("score --src - --hyp -", ["score", "--src", "-", "--hyp", "-"], (2,)),
        Case(
            "glossary check --src - --ref -",
            ["glossary", "check", "--src", "-", "--ref", "-"],
            (2,),
        ),
    ]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> Path:
    base = tmp_path_factory.mktemp("finished-run")
    _common(base)
    return finish_run(base, tiny_model_dir, "doc.zh.txt", "doc.en.txt")


def test_hostile_files_through_every_reader(
    tmp_path: Path,
    tiny_model_dir: Path,
    finished_run: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tiny = str(tiny_model_dir)
    cases = [
        *_special_cases(tiny),
        *_jsonl_cases(tiny),
        *_config_cases(),
        *_damage_cases(tiny, finished_run),
        *_stdin_cases(),
    ]
    assert len(cases) >= 140
    run_table("files", cases, tmp_path, _common, monkeypatch)


def test_a_config_alias_is_refused_naming_its_line(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("a: &x 1\nbeam: *x\n", "utf-8")
    outcome = run_main(["run", "--config", str(tmp_path / "c.yaml")])
    assert outcome.code == 2 and "c.yaml:2: YAML aliases" in outcome.err


def test_json_depth_is_bounded_without_recursion() -> None:
    from unmt.errors import UserError
    from unmt.fileio import MAX_JSON_DEPTH, json_depth, loads_json

    ok = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert loads_json(ok) is not None and json_depth(ok) == MAX_JSON_DEPTH
    deeper = "[" + ok + "]"
    with pytest.raises(UserError, match=f"nested more than {MAX_JSON_DEPTH} deep"):
        loads_json(deeper, path="x.jsonl", line=3)
    brackets_in_strings = json.dumps({"text": "[" * 1000})  # not nesting
    assert loads_json(brackets_in_strings) == {"text": "[" * 1000}
