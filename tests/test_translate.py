"""The translation stage end to end on the tiny random-weight model (output is meaningless;
these tests check plumbing: parity, order, cache, flags, CLI files and errors)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from unmt.errors import UserError
from unmt.models.cache import TranslationCache
from unmt.models.translate import TranslateOptions, open_translator, translate_segments
from unmt.pipeline.cli.main import main
from unmt.records import Segment

TEXTS = [
    "联合国毒品和犯罪问题办公室继续向会员国提供技术援助。",
    "",
    "本报告是根据大会第A/RES/74/194号决议编写的。",
    "各国",
    "联合国毒品和犯罪问题办公室继续向会员国提供技术援助。",
    "委员会第三十届会议审议了预防犯罪和刑事司法问题，并通过了若干决议。",
]


def _options(model: Path, tmp_path: Path, **kw: object) -> TranslateOptions:
    base: dict[str, object] = {"model": str(model), "cache": tmp_path / "c.sqlite3", "quiet": True}
    base.update(kw)
    return TranslateOptions(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("beam", [1, 4])
def test_greedy_parity_between_backends(tiny_model_dir: Path, tmp_path: Path, beam: int) -> None:
    outputs = {}
    for backend in ("transformers", "ctranslate2"):
        opts = _options(
            tiny_model_dir, tmp_path, backend=backend, beam=beam, no_cache=True,
            compute_type="float32",  # parity at float32 (auto may pick int8 on a VNNI CPU)
        )  # fmt: skip
        with open_translator(opts) as tr:
            outputs[backend] = tr.translate(TEXTS)
    assert outputs["transformers"] == outputs["ctranslate2"]
    assert len({r.mt for r in outputs["ctranslate2"] if r.mt}) >= 3  # output depends on input


def test_order_empty_duplicates_and_flags(tiny_model_dir: Path, tmp_path: Path) -> None:
    with open_translator(_options(tiny_model_dir, tmp_path, batch_size=2)) as tr:
        results = tr.translate(TEXTS)
        assert tr.identity()["meaningless"] is True
    assert len(results) == len(TEXTS)
    assert results[1].mt == "" and results[1].flags == ()
    assert results[0] == results[4]
    assert all("meaningless-model" in r.flags for i, r in enumerate(results) if i != 1)
    # the random model drops the placeholder of the protected symbol: flagged, not hidden
    assert "protected-missing" in results[2].flags


def test_cache_answers_second_run_without_model(tiny_model_dir: Path, tmp_path: Path) -> None:
    opts = _options(tiny_model_dir, tmp_path)
    with open_translator(opts) as tr:
        first = tr.translate(TEXTS)
        assert tr.model_calls >= 1
    with open_translator(opts) as tr:
        second = tr.translate(TEXTS)
        assert tr.model_calls == 0
        assert not tr.batched.loaded  # the engine was never loaded
    assert first == second
    with open_translator(_options(tiny_model_dir, tmp_path, beam=2)) as tr:
        tr.translate(TEXTS[:1])
        assert tr.model_calls == 1  # other decoding settings, other key


def test_long_segment_split_not_truncated(tiny_model_dir: Path, tmp_path: Path) -> None:
    clause = "会员国表示赞赏办公室的工作，"
    text = clause * 12 + "并请其继续提供援助。"
    with open_translator(_options(tiny_model_dir, tmp_path, split_tokens=20, no_cache=True)) as tr:
        (result,) = tr.translate([text])
    assert "split" in result.flags and "hard-split" not in result.flags
    assert tr.model_calls >= 1 and result.mt


def test_translate_segments_records(tiny_model_dir: Path, tmp_path: Path) -> None:
    segs = [
        Segment(id=f"d:p1.s{i}", doc="d", block="paragraph", label="1", sent=i, text=t)
        for i, t in enumerate(TEXTS[:3], 1)
    ]
    with open_translator(_options(tiny_model_dir, tmp_path)) as tr:
        out = translate_segments(segs, tr)
    assert [t.id for t in out] == [s.id for s in segs]
    assert [t.text for t in out] == TEXTS[:3]


def test_corrupt_cache_moved_aside(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "cache.sqlite3"
    cache = TranslationCache(path)
    cache.put_many({f"k{i}": ("mt" * 50, ()) for i in range(200)})
    cache.close()
    data = path.read_bytes()  # unmt's own cache, its pages damaged after the header
    path.write_bytes(data[:100] + b"\xff" * (len(data) - 100))
    cache = TranslationCache(path)
    cache.put_many({"k": ("mt", ("f",))})
    assert cache.get_many(["k", "x"]) == {"k": ("mt", ("f",))}
    cache.close()
    assert len(list(tmp_path.glob("cache.sqlite3.corrupt-*"))) == 1
    assert "moved aside" in caplog.text


def test_a_cache_path_that_is_not_a_cache_is_left_alone(tmp_path: Path) -> None:
    import sqlite3

    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n" * 100, encoding="utf-8")
    folder = tmp_path / "pm"
    folder.mkdir()
    (folder / "keep.txt").write_text("x", encoding="utf-8")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE accounts (id INTEGER)")
    for path, words in ((notes, "not a database"), (folder, "is a directory"),
                        (other, "another program's database")):  # fmt: skip
        before = sorted(p.name for p in tmp_path.rglob("*"))
        with pytest.raises(UserError, match=words):
            TranslationCache(path)
        assert sorted(p.name for p in tmp_path.rglob("*")) == before
    assert notes.read_text(encoding="utf-8") == "my notes\n" * 100


def test_cache_two_processes_at_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    code = (
        "import sys\nfrom unmt.models.cache import TranslationCache\n"
        "c = TranslationCache(sys.argv[1])\n"
        "for i in range(150):\n    c.put_many({f'{sys.argv[2]}{i}': ('x', ())})\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), tag]) for tag in "ab"]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM translations").fetchone()[0] == 300


def test_cli_plain_text_keeps_lines(tiny_model_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "输入 文件.txt"  # non-ASCII path with a space
    src.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    rc = main(
        [
            "translate",
            str(src),
            "-o",
            str(out),
            "--model",
            str(tiny_model_dir),
            "--cache",
            str(tmp_path / "c.sqlite3"),
            "--quiet",
        ]
    )
    assert rc == 0
    lines = out.read_text(encoding="utf-8").split("\n")
    assert len(lines) == len(TEXTS) + 1 and lines[-1] == ""
    assert lines[1] == "" and all(lines[i] for i in (0, 2, 3, 4, 5))


def test_cli_jsonl(tiny_model_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "segs.jsonl"
    recs = [
        {
            "id": f"d:p{i}.s1",
            "doc": "d",
            "block": "paragraph",
            "label": str(i),
            "sent": 1,
            "text": t,
        }
        for i, t in enumerate(TEXTS)
    ]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), "utf-8")
    out = tmp_path / "out.jsonl"
    assert (
        main(
            [
                "translate",
                str(src),
                "-o",
                str(out),
                "--model",
                str(tiny_model_dir),
                "--no-cache",
                "--quiet",
                "--backend",
                "transformers",
            ]
        )
        == 0
    )
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == [r["id"] for r in recs]
    assert set(rows[0]) >= {"id", "text", "mt", "flags"}


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"id": "a", "text": "联合国"}\n{"id": "b"}\n', "segs.jsonl:2: segment record without"),
        ('{"id": "a", "text": "联合国"}\n{"id": \n', "segs.jsonl:2: not valid JSON"),
    ],
)
def test_cli_bad_jsonl(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, needle: str
) -> None:
    src = tmp_path / "segs.jsonl"
    src.write_text(content, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["translate", str(src), "-o", str(out), "--model", "tiny"]) == 2
    assert needle in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--model", "Helsinki-NLP/opus-mt-zh-en"], "--model tiny"),
        (["--model", "/no/such/folder"], "no model folder"),
        (["--device", "cuda", "--model", "tiny"], "no CUDA GPU"),
        (["--compute-type", "int8", "--backend", "transformers", "--model", "tiny"], "int8"),
    ],
)
def test_cli_setting_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    if "cuda" in args:
        import ctranslate2

        if ctranslate2.get_cuda_device_count():
            pytest.skip("a GPU is present")
    src = tmp_path / "in.txt"
    src.write_text("联合国\n", encoding="utf-8")
    assert main(["translate", str(src), "--quiet", *args]) == 2
    assert needle in capsys.readouterr().err


def test_models_tiny_command_and_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "tiny"
    assert main(["models", "tiny", str(dest)]) == 0
    assert "meaningless" in capsys.readouterr().out
    vocab = json.loads((dest / "vocab.json").read_text("utf-8"))
    assert vocab["</s>"] == 0 and vocab["<unk>"] == 1 and vocab["<pad>"] == len(vocab) - 1
    assert main(["models", "convert", str(dest)]) == 0
    converted = [p for p in Path(os.environ["UNMT_CACHE_DIR"]).glob("ct2/*tiny*/model.bin")]
    assert converted
    stamps = {p: p.stat().st_mtime_ns for p in converted}
    assert main(["models", "convert", str(dest)]) == 0  # converted once, then reused
    assert {p: p.stat().st_mtime_ns for p in converted} == stamps
    assert main(["models", "list"]) == 0
    listing = capsys.readouterr().out
    assert "ct2-float32" in listing and "meaningless" in listing


def test_decoding_policy_is_passed_in(tiny_model_dir: Path, tmp_path: Path) -> None:
    """The caller's policy decides output lengths (no benchmark branch in the translator)."""
    from unmt.models.backends.base import Decoding

    seen: list[list[str]] = []

    def exact_three(texts: list[str], sources: list[list[str]]) -> tuple[Decoding, list[int]]:
        seen.append(list(texts))
        return Decoding(1, max_length=3, min_length=3), [4] * len(texts)

    opts = _options(tiny_model_dir, tmp_path, batch_size=2, beam=1, no_cache=True)
    unique = [t for t in dict.fromkeys(TEXTS) if t]
    with open_translator(opts, policy=exact_three) as tr:
        batches = list(tr.batched.batches(unique))
        assert sorted(t for b in seen for t in b) == sorted(unique)  # every text, once
        assert [len(b) for b in batches] == [len(s) for s in seen] == [2, 2]
        assert not any("max-length" in r.flags for b in batches for r in b.values())
        pieces = tr.tokenizer.encode(["联合国", "各国"])
        assert [len(o) for o in tr.backend.translate_pieces(pieces, Decoding(1, 3, 3))] == [3, 3]


def test_each_batch_is_committed_before_the_next_runs(tiny_model_dir: Path, tmp_path: Path) -> None:
    """Cached(Batched(Backend)): a run interrupted in its second batch keeps the first."""
    from unmt.models.batched import LengthCap

    opts = _options(tiny_model_dir, tmp_path, batch_size=2, beam=1)
    unique = [t for t in dict.fromkeys(TEXTS) if t]
    calls = []

    def interrupted(texts: list[str], sources: list[list[str]]) -> object:
        calls.append(texts)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return LengthCap(1, 512)(texts, sources)

    with open_translator(opts, policy=interrupted) as tr, pytest.raises(KeyboardInterrupt):  # type: ignore[arg-type]
        tr.translate(unique)
    with open_translator(opts) as again:
        again.translate(unique)
        assert again.model_calls == 1  # only the batch that was interrupted
