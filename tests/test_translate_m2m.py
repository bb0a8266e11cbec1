"""The M2M100/NLLB family end to end on tiny random-weight M2M100 models, one with M2M100's
tokenizer and one with NLLB's (output is meaningless; these tests check the language-code
framing, the forced first token and backend parity)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from unmt.errors import UserError
from unmt.models.backends.base import Decoding
from unmt.models.family import family_for
from unmt.models.resolve import resolve_model
from unmt.models.translate import TranslateOptions, open_translator
from unmt.pipeline.cli.main import main

TEXTS = [
    "联合国毒品和犯罪问题办公室继续向会员国提供技术援助。",
    "",
    "本报告是根据大会第A/RES/74/194号决议编写的。",
    "各国",
    "委员会第三十届会议审议了预防犯罪和刑事司法问题，并通过了若干决议。",
]


#: (fixture, source code, target code) of each tokenizer flavour
FLAVOURS = pytest.mark.parametrize(
    ("flavour", "source", "target"),
    [("tiny_m2m100_dir", "__zh__", "__en__"), ("tiny_nllb_dir", "zho_Hans", "eng_Latn")],
)


@pytest.fixture
def model_dir(request: pytest.FixtureRequest, flavour: str) -> Path:
    """The tiny model of the test's flavour."""
    path: Path = request.getfixturevalue(flavour)
    return path


def _options(model: Path, backend: str) -> TranslateOptions:
    return TranslateOptions(
        model=str(model), backend=backend, beam=1, no_cache=True, quiet=True, compute_type="float32"
    )


@FLAVOURS
def test_cli_backends_give_the_same_greedy_output(
    model_dir: Path, source: str, target: str, tmp_path: Path
) -> None:
    src = tmp_path / "in.txt"
    src.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    lines = {}
    for backend in ("transformers", "ctranslate2"):
        out = tmp_path / f"{backend}.txt"
        args = ["translate", str(src), "-o", str(out), "--model", str(model_dir)]
        args += ["--compute-type", "float32"]  # the backends agree at float32 (not int8)
        assert main([*args, "--backend", backend, "--beam", "1", "--no-cache", "--quiet"]) == 0
        lines[backend] = out.read_text(encoding="utf-8").split("\n")
    assert lines["transformers"] == lines["ctranslate2"]
    got = lines["ctranslate2"]
    assert len(got) == len(TEXTS) + 1 and got[1] == "" and all(got[i] for i in (0, 2, 3, 4))
    assert len({got[i] for i in (0, 2, 3, 4)}) >= 3  # the output depends on the input
    assert not any(code in line for line in got for code in (source, target, "</s>"))


@FLAVOURS
def test_backends_agree_on_ends_and_flags(model_dir: Path, source: str, target: str) -> None:
    results = {}
    for backend in ("transformers", "ctranslate2"):
        with open_translator(_options(model_dir, backend)) as tr:
            results[backend] = tr.translate(TEXTS)
    assert results["transformers"] == results["ctranslate2"]
    pairs = zip(results["ctranslate2"], TEXTS, strict=True)
    limited = ["max-length" in r.flags for r, t in pairs if t]
    assert any(limited) and not all(limited)  # some outputs end early, some hit the limit


def test_beam_parity_between_backends(tiny_m2m100_dir: Path) -> None:
    results = {}
    for backend in ("transformers", "ctranslate2"):
        opts = TranslateOptions(
            model=str(tiny_m2m100_dir), backend=backend, beam=4, no_cache=True, quiet=True,
            compute_type="float32",
        )  # fmt: skip
        with open_translator(opts) as tr:
            results[backend] = tr.translate(TEXTS)
    assert results["transformers"] == results["ctranslate2"]


@FLAVOURS
def test_source_is_framed_with_the_source_language_code(
    model_dir: Path, source: str, target: str
) -> None:
    with open_translator(_options(model_dir, "transformers")) as tr:
        tok = tr.tokenizer
        assert tok.family.source_prefix == (source,) and tok.family.target_prefix == (target,)
        (pieces,) = tok.encode(TEXTS[:1])
        framed = tok.family.frame_source(pieces)
        assert framed[0] == source and framed[-1] == "</s>" and source not in pieces
        ids = tok.to_ids(framed)
        assert ids[0] != tok.hf.unk_token_id and tok.hf.unk_token_id not in ids[1:3]
        # the same ids as the library's own framing (its src_lang set to the source code)
        assert ids == tok.hf(TEXTS[0])["input_ids"]


@FLAVOURS
def test_forced_first_token_is_the_target_language_code(
    model_dir: Path, source: str, target: str
) -> None:
    decoding = Decoding(beam=1, max_length=8)
    with open_translator(_options(model_dir, "transformers")) as tr:
        tok = tr.tokenizer
        code, start = tok.to_ids([target])[0], tr.backend._model.config.decoder_start_token_id
        assert code != tok.hf.unk_token_id and start == tok.hf.eos_token_id
        batch = tok.encode([t for t in TEXTS if t])
        rows = tr.backend.generate_ids(batch, decoding)  # type: ignore[attr-defined]
        assert [r[:2] for r in rows] == [[start, code]] * len(batch)
        assert all(code not in r[2:] for r in rows)
        # without the forcing the random model starts differently: the check above can fail
        import torch

        ids = torch.tensor([tok.to_ids(tok.family.frame_source(batch[0]))])
        free = tr.backend._model.generate(input_ids=ids, max_new_tokens=2, do_sample=False)
        assert free[0, 1].item() != code
    with open_translator(_options(model_dir, "ctranslate2")) as tr:
        hyps = tr.backend.hypotheses(batch, decoding)  # type: ignore[attr-defined]
        assert [h[0] for h in hyps] == [target] * len(batch)
        assert all(target not in h[1:] for h in hyps)


@FLAVOURS
def test_translator_identity_says_m2m100_and_meaningless(
    model_dir: Path, source: str, target: str
) -> None:
    with open_translator(_options(model_dir, "transformers")) as tr:
        ident = tr.identity()
    assert ident["model_type"] == "m2m_100" and ident["meaningless"] is True


@pytest.mark.parametrize(
    ("vocab", "source", "target"),
    [
        ({"__zh__", "__en__", "zho_Hans"}, "__zh__", "__en__"),
        ({"zho_Hans", "eng_Latn", "__en__"}, "zho_Hans", "eng_Latn"),
    ],
)
def test_m2m100_codes_chosen_by_vocab(vocab: set[str], source: str, target: str) -> None:
    fam = family_for("m2m_100", vocab)
    assert fam.frame_source(["▁a"]) == [source, "▁a", "</s>"]
    assert fam.target_prefix == (target,)


def test_m2m100_vocab_without_zh_en_codes_is_an_error() -> None:
    with pytest.raises(UserError, match="no Chinese/English language codes"):
        family_for("m2m_100", {"__fr__", "__en__"})


def test_another_tokenizer_is_another_revision(tiny_m2m100_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(tiny_m2m100_dir, folder)
    before = resolve_model(str(folder)).revision
    (folder / "vocab.json").write_text('{"<s>": 0}', encoding="utf-8")
    after = resolve_model(str(folder)).revision
    assert before.startswith("sha256:") and after != before  # no stale conversion or cache hit


def test_models_tiny_command_builds_m2m100(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "m2m"
    assert main(["models", "tiny", str(dest), "--family", "m2m100"]) == 0
    assert "M2M100" in capsys.readouterr().out
    config = json.loads((dest / "config.json").read_text(encoding="utf-8"))
    assert config["model_type"] == "m2m_100" and config["d_model"] == 32
    vocab = json.loads((dest / "vocab.json").read_text(encoding="utf-8"))
    assert [vocab[t] for t in ("<s>", "<pad>", "</s>", "<unk>")] == [0, 1, 2, 3]
    assert resolve_model(str(dest)).meaningless
