"""The CTranslate2 path tokenizes with sentencepiece alone: the same pieces as the transformers
tokenizer, and a translation that never imports torch or transformers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, SHARED_DATA

from unmt.models.family import ModelTokenizer
from unmt.models.resolve import resolve_model
from unmt.models.spm import FastTokenizer, SentencePieceTokenizer, fast_tokenizer_file, spm_files

EDGE = [
    "", "   ", "  前后空格  ", "有</s>特殊", "</s>开头", "<unk>x<pad>", ">>eng<< 代码",
    "ZXQ0 和 ZXQ1。", "A/RES/74/194号决议", "Mixed 中文 and English, 123.", "全角！？（）《》",
]  # fmt: skip


def _texts() -> list[str]:
    lines = [*EDGE]
    for path in (EXAMPLES / "un-report.zh.txt", SHARED_DATA / "samples/E-CN.15-2021-5.zh.txt"):
        if path.is_file():
            lines += path.read_text(encoding="utf-8").splitlines()
    dev = SHARED_DATA / "un/UNv1.0.devset.zh"
    if dev.is_file():
        lines += dev.read_text(encoding="utf-8").splitlines()[:500]
    return lines


FAMILIES = pytest.mark.parametrize("folder", ["tiny_model_dir", "tiny_m2m100_dir", "tiny_nllb_dir"])


@FAMILIES
def test_same_pieces_and_text_as_transformers(folder: str, request: pytest.FixtureRequest) -> None:
    model = resolve_model(str(request.getfixturevalue(folder)))
    hf = ModelTokenizer(model)
    sp: SentencePieceTokenizer | FastTokenizer = (
        FastTokenizer(model) if folder == "tiny_nllb_dir" else SentencePieceTokenizer(model)
    )
    texts = _texts()
    assert len(texts) > 40
    assert sp.encode(texts) == hf.encode(texts)
    assert [hf.to_ids(p) for p in sp.encode(texts)] == [hf.to_ids(p) for p in hf.encode(texts)]
    codes = [p for p in (*sp.family.source_prefix, *sp.family.target_prefix)]
    pieces = [*hf.encode(texts), ["</s>", "▁a"], ["<unk>"], [], [*codes, "▁a"]]
    assert sp.decode(pieces) == hf.decode(pieces)
    assert sp.family == hf.family


def test_which_folders_take_the_sentencepiece_path(
    tiny_model_dir: Path, tiny_m2m100_dir: Path, tiny_nllb_dir: Path
) -> None:
    assert spm_files(resolve_model(str(tiny_model_dir))) is not None  # source.spm, target.spm
    assert spm_files(resolve_model(str(tiny_m2m100_dir))) is not None  # sentencepiece.bpe.model
    nllb = resolve_model(str(tiny_nllb_dir))
    assert spm_files(nllb) is None and fast_tokenizer_file(nllb) is not None  # tokenizer.json
    assert fast_tokenizer_file(resolve_model(str(tiny_m2m100_dir))) is None


@FAMILIES
def test_ctranslate2_translation_imports_no_torch(
    folder: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    model_dir = request.getfixturevalue(folder)
    src = tmp_path / "in.txt"
    src.write_text("联合国毒品和犯罪问题办公室继续提供技术援助。\n各国\n", encoding="utf-8")
    args = ["translate", str(src), "--model", str(model_dir), "--backend", "ctranslate2"]
    args += ["--no-cache", "-o", str(tmp_path / "out.txt")]
    from unmt.pipeline.cli.main import main

    assert main(args) == 0  # converts the model (this needs transformers and torch)
    first = (tmp_path / "out.txt").read_text(encoding="utf-8")
    code = (
        "import sys\nfrom unmt.pipeline.cli.main import main\n"
        f"assert main({args!r}) == 0\n"
        "print('HEAVY', [m for m in ('torch', 'transformers') if m in sys.modules])\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert "HEAVY []" in out.stdout
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == first


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
@pytest.mark.parametrize("folder", ["tiny_model_dir", "tiny_m2m100_dir", "tiny_nllb_dir"])
def test_translator_picks_its_tokenizer(
    folder: str, request: pytest.FixtureRequest, backend: str
) -> None:
    from unmt.models.translate import TranslateOptions, open_translator

    model_dir = request.getfixturevalue(folder)
    opts = TranslateOptions(model=str(model_dir), backend=backend, no_cache=True)
    with open_translator(opts) as tr:
        expected: type = ModelTokenizer
        if backend == "ctranslate2":
            expected = FastTokenizer if folder == "tiny_nllb_dir" else SentencePieceTokenizer
        assert isinstance(tr.tokenizer, expected)
