"""The shared line-file rules: UTF-8 with optional BOM, line splitting, JSONL records."""

from __future__ import annotations

from pathlib import Path

import pytest

from unmt.errors import UserError
from unmt.fileio import is_jsonl, jsonl_records, read_lines, read_text, split_lines


@pytest.mark.parametrize(
    ("raw", "lines"),
    [
        ("联合国\n大会\n".encode(), ["联合国", "大会"]),  # trailing newline: no empty last line
        ("联合国\n大会".encode(), ["联合国", "大会"]),  # no trailing newline
        ("\ufeff联合国\n".encode(), ["联合国"]),  # BOM dropped
        ("联合国\r\n\r\n大会\r\n".encode(), ["联合国", "", "大会"]),  # CRLF; blank line kept
        ("a\u2028b\n".encode(), ["a\u2028b"]),  # only \n splits
        (b"", []),
        (b"\n", [""]),
    ],
)
def test_read_lines(tmp_path: Path, raw: bytes, lines: list[str]) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(raw)
    assert read_lines(path) == lines
    assert split_lines(raw.decode("utf-8-sig")) == lines


@pytest.mark.parametrize(
    ("name", "raw", "line", "needle"),
    [
        ("a.txt", "第一句\n第二".encode() + b"\xff", 2, "not UTF-8 text (byte 16)"),
        ("b.txt", b"caf\xe9\n", 1, "not UTF-8 text (byte 3)"),
        ("gone.txt", None, None, "file not found"),
        ("folder", "dir", None, "is a folder, not a file"),
    ],
)
def test_read_text_errors(
    tmp_path: Path, name: str, raw: bytes | str | None, line: int | None, needle: str
) -> None:
    path = tmp_path / name
    if raw == "dir":
        path.mkdir()
    elif isinstance(raw, bytes):
        path.write_bytes(raw)
    with pytest.raises(UserError) as info:
        read_text(path)
    assert info.value.path == str(path)
    assert info.value.line == line
    assert needle in info.value.render()


def test_read_text_caller_wording(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"\xfa")
    with pytest.raises(UserError) as info:
        read_text(path, not_utf8="not valid UTF-8", hint="save it as UTF-8")
    assert info.value.render() == f"{path}:1: not valid UTF-8 (byte 0); save it as UTF-8"


@pytest.mark.parametrize(
    ("name", "lines", "expected"),
    [
        ("a.jsonl", ["plain"], True),
        ("a.NDJSON", [], True),
        ("a.txt", ["", '  {"text": "x"}'], True),
        ("a.txt", ["联合国", '{"text": "x"}'], False),
        ("a.txt", [], False),
    ],
)
def test_is_jsonl(name: str, lines: list[str], expected: bool) -> None:
    assert is_jsonl(Path(name), lines) is expected


@pytest.mark.parametrize(
    ("lines", "kwargs", "expected"),
    [
        (['{"text": "a"}', "", '{"text": "b", "id": 7}'], {"field": "text"}, [1, 3]),
        (['{"mt": "a"}', '{"text": "b"}'], {"field": "mt", "fallback": "text"}, [1, 2]),
        (["{}", "  "], {}, [1]),
    ],
)
def test_jsonl_records(lines: list[str], kwargs: dict, expected: list[int]) -> None:
    assert [n for n, _ in jsonl_records("f.jsonl", lines, **kwargs)] == expected


@pytest.mark.parametrize(
    ("lines", "kwargs", "line", "needle"),
    [
        (['{"text": "a"}', "", '{"text": '], {"field": "text"}, 3, "not valid JSON"),
        (['{"text": "a"}', '{"id": 1}'], {"field": "text"}, 2, "with a string 'text' field"),
        (['{"text": 5}'], {"field": "text"}, 1, "with a string 'text' field"),
        (['["text"]'], {}, 1, "expected a JSON object"),
        (['{"mt": 1, "text": "a"}'], {"field": "mt", "fallback": "text"}, 1, "string 'mt'"),
        (['{"id": 1}'], {"field": "mt", "bad_record": "no mt here"}, 1, "no mt here"),
        (["oops"], {"hint": "use JSONL"}, 1, "; use JSONL"),
    ],
)
def test_jsonl_record_errors(lines: list[str], kwargs: dict, line: int, needle: str) -> None:
    with pytest.raises(UserError) as info:
        list(jsonl_records("f.jsonl", lines, **kwargs))
    assert (info.value.path, info.value.line) == ("f.jsonl", line)
    assert needle in info.value.render()
