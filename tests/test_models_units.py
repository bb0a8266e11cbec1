"""Unit tests of the translation stage's pure parts: spans, splitting, batching, families."""

from __future__ import annotations

import json
import time

import pytest

from unmt.errors import UserError
from unmt.models.backends.base import resolve_backend_name
from unmt.models.batching import plan_batches
from unmt.models.family import family_for
from unmt.models.protect import Span, find_spans, protect, restore
from unmt.models.resolve import resolve_model
from unmt.models.split import split_encoded, split_long


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("见E/CN.15/2021/1。", ["E/CN.15/2021/1"]),
        ("根据大会第A/RES/74/194号决议", ["A/RES/74/194"]),
        ("安全理事会第S/RES/2396 (2017)号决议", ["S/RES/2396 (2017)"]),
        ("文件A/75/L.5/Add.1和ST/SGB/2019/1", ["A/75/L.5/Add.1", "ST/SGB/2019/1"]),
        (
            "参阅 https://undocs.org/ch/E/CN.15/2021/1，谢谢",
            ["https://undocs.org/ch/E/CN.15/2021/1"],
        ),
        ("See www.un.org/en.", ["www.un.org/en"]),
        ("请致函 info@unodc.org。", ["info@unodc.org"]),
        ("A/B testing and U.S. dollars", []),
        ("联合国毒品和犯罪问题办公室", []),
    ],
)
def test_protected_spans_found(text: str, spans: list[str]) -> None:
    assert [text[s:e] for s, e, _ in find_spans(text)] == spans


@pytest.mark.parametrize(
    ("model_output", "expected", "n_missing"),
    [
        ("See ZXQ1 and write to ZXQ2.", "See A/RES/74/194 and write to a@b.org.", 0),
        ("See zxq 1 and write to ZXQ2.", "See A/RES/74/194 and write to a@b.org.", 0),
        ("See A/RES/74/194 and write.", "See A/RES/74/194 and write.", 1),
        ("Nothing survived.", "Nothing survived.", 2),
    ],
)
def test_restore_puts_spans_back_and_reports_missing(
    model_output: str, expected: str, n_missing: int
) -> None:
    masked, spans = protect("见A/RES/74/194，请致函 a@b.org。")
    assert "A/RES" not in masked and "@" not in masked
    assert spans == (Span("symbol", "A/RES/74/194"), Span("email", "a@b.org"))
    text, missing = restore(model_output, spans)
    assert text == expected
    assert len(missing) == n_missing


def _chars(s: str) -> int:
    return len(s)


@pytest.mark.parametrize(
    ("text", "threshold", "n_pieces", "hard"),
    [
        ("短句。", 10, 1, False),
        ("第一部分很长，第二部分也很长；第三部分：结束。", 8, 3, False),
        ("第一部分很长，第二部分也很长；第三部分：结束。", 16, 2, False),
        ("没有任何标点的非常非常长的一句话没有任何标点", 6, 4, True),
        ("no punctuation here but spaces between many words", 12, 6, True),
    ],
)
def test_split_long(text: str, threshold: int, n_pieces: int, hard: bool) -> None:
    pieces, was_hard = split_long(text, _chars, threshold)
    assert "".join(pieces) == text
    assert all(len(p) <= threshold for p in pieces)
    assert (len(pieces), was_hard) == (n_pieces, hard)


@pytest.mark.parametrize(
    ("text", "threshold"),
    [
        ("第一部分很长，第二部分也很长；第三部分：结束。", 8),
        ("没有任何标点的非常非常长的一句话没有任何标点", 6),
    ],
)
def test_split_encoded_tokenises_each_string_once(text: str, threshold: int) -> None:
    calls: list[str] = []

    def encode(s: str) -> list[str]:
        calls.append(s)
        return list(s)

    encoded, hard = split_encoded(text, list(text), encode, threshold)
    parts, expected_hard = split_long(text, _chars, threshold)
    assert encoded == [list(p) for p in parts] and hard == expected_hard
    assert text not in calls and len(calls) == len(set(calls))


@pytest.mark.parametrize(
    ("lengths", "batch_size", "budget", "expected"),
    [
        ([3, 9, 1, 9], 2, 100, [[1, 3], [0, 2]]),
        ([5, 5, 5, 5], 10, 10, [[0, 1], [2, 3]]),
        ([50, 2], 10, 10, [[0], [1]]),
        ([], 4, 10, []),
    ],
)
def test_plan_batches(
    lengths: list[int], batch_size: int, budget: int, expected: list[list[int]]
) -> None:
    assert plan_batches(lengths, batch_size, budget) == expected


@pytest.mark.parametrize(
    ("model_type", "source", "prefix"),
    [("marian", ["▁a", "</s>"], ()), ("m2m_100", ["zho_Hans", "▁a", "</s>"], ("eng_Latn",))],
)
def test_families_frame_sources(model_type: str, source: list[str], prefix: tuple) -> None:
    fam = family_for(model_type)
    assert fam.frame_source(["▁a"]) == source
    assert fam.target_prefix == prefix


def test_unknown_model_type_lists_supported() -> None:
    with pytest.raises(UserError, match="supported model types: marian, m2m_100"):
        family_for("bert")


def test_unknown_backend_lists_known() -> None:
    with pytest.raises(UserError, match="ctranslate2, transformers"):
        resolve_backend_name("marian-cpp")
    assert resolve_backend_name("auto") == "ctranslate2"


def test_uncached_hub_model_offline_fails_fast_with_remedies() -> None:
    start = time.monotonic()
    with pytest.raises(UserError) as err:
        resolve_model("Helsinki-NLP/opus-mt-zh-en")
    assert time.monotonic() - start < 5
    message = err.value.render()
    for needle in ("Helsinki-NLP/opus-mt-zh-en", "hub", "--model PATH", "network", "--model tiny"):
        assert needle in message


def test_folder_with_unsupported_model_type(tmp_path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}), encoding="utf-8")
    with pytest.raises(UserError, match=r"unsupported model type 'bert'.*marian, m2m_100"):
        resolve_model(str(tmp_path))


@pytest.mark.parametrize(
    ("features", "expected"),
    [
        ({"avx2", "avx512f", "avx512_vnni"}, "int8"),  # Zen 4, Ice Lake and later
        ({"avx2", "avx_vnni"}, "int8"),  # Alder Lake
        ({"avx2", "amx_int8", "amx_tile"}, "int8"),  # Sapphire Rapids
        ({"avx", "f16c", "avx2"}, "float32"),  # AVX2 only: float32 was as fast or faster
        ({"asimd", "asimddp"}, "float32"),  # ARM: not measured, float32 kept
        (set(), "float32"),  # features unknown
    ],
)
def test_cpu_compute_type_rule(features: set[str], expected: str) -> None:
    from unmt.models.backends.ct2 import cpu_compute_type

    assert cpu_compute_type(frozenset(features), {"int8", "float32"}) == expected
    assert cpu_compute_type(frozenset(features), {"float32"}) == "float32"  # int8 not built


def test_auto_compute_type_follows_this_cpu() -> None:
    pytest.importorskip("ctranslate2")
    import ctranslate2

    from unmt.models.backends.ct2 import cpu_compute_type, cpu_features, resolve_settings

    supported = set(ctranslate2.get_supported_compute_types("cpu"))
    assert resolve_settings("cpu", "auto") == ("cpu", cpu_compute_type(cpu_features(), supported))
    assert resolve_settings("cpu", "float32") == ("cpu", "float32")  # an explicit choice stays


def test_building_the_tiny_model_is_said_first_unless_quiet(
    tmp_path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 23: the first ``--model tiny`` builds for 3-20 s; a notice comes before that
    (at warning level, which a command shows without -v), none with ``quiet`` or once built."""
    import logging

    from unmt.models.tiny import marian

    built: list[str] = []

    def build(folder):  # type: ignore[no-untyped-def]
        built.append(" | ".join(r.getMessage() for r in caplog.records))  # said by now?
        folder.mkdir(parents=True)
        (folder / "config.json").write_text('{"model_type": "marian"}', encoding="utf-8")
        (folder / marian.TINY_MARKER).write_text("{}", encoding="utf-8")
        return folder

    monkeypatch.setattr(marian, "build_tiny_model", build)
    caplog.set_level(logging.WARNING, logger="unmt")
    monkeypatch.setenv("UNMT_CACHE_DIR", str(tmp_path / "quiet"))
    assert resolve_model("tiny", quiet=True).meaningless and len(built) == 1
    assert "building" not in caplog.text
    monkeypatch.setenv("UNMT_CACHE_DIR", str(tmp_path / "loud"))
    model = resolve_model("tiny")
    assert len(built) == 2 and "building the tiny random-weight test model" in built[1]
    assert "(once; it takes 3-20 s)" in built[1] and str(model.path) in built[1]
    caplog.clear()
    resolve_model("tiny")  # built already: nothing to say
    assert len(built) == 2 and "building" not in caplog.text
