"""A tiny random-weight M2M100 model: the M2M100/NLLB code path tested end to end offline.

``build_tiny_m2m100(dir)`` trains a SentencePiece model on the same corpus as the tiny MarianMT
(:func:`unmt.models.tiny.corpus_lines`), lays out a fairseq-style vocabulary (``<s>`` 0,
``<pad>`` 1, ``</s>`` 2, ``<unk>`` 3, then the pieces), and saves an ``M2M100Tokenizer`` with the
``wmt21`` language codes (``__zh__``, ``__en__``, ... appended after the pieces, then the
made-up words, as in facebook/m2m100) and a seeded random ``M2M100ForConditionalGeneration``
with every configuration field set. Deterministic; a few seconds.

**Its translations are meaningless**: the weights are random. The folder carries the same marker
file as the tiny MarianMT, so every tool that loads it says so.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from unmt.models.tiny import TINY_MARKER, TINY_SHAPE, corpus_files, corpus_lines, train_spm

log = logging.getLogger(__name__)

#: the fairseq special tokens, in id order
M2M_SPECIALS: tuple[str, ...] = ("<s>", "<pad>", "</s>", "<unk>")
#: language-code set of the tokenizer (``wmt21`` has zh and en and only 8 codes)
M2M_LANGUAGE_CODES = "wmt21"
#: made-up filler words after the language codes (facebook/m2m100 has 8)
M2M_MADEUP_WORDS = 8
#: factor on ``</s>``'s (tied) embedding, so that the random model ends some outputs early
EOS_SCALE = 6.0


def m2m100_vocab(pieces: list[str]) -> dict[str, int]:
    """fairseq's layout: ``<s>`` 0, ``<pad>`` 1, ``</s>`` 2, ``<unk>`` 3, then the pieces."""
    tokens = list(M2M_SPECIALS) + [p for p in pieces if p not in M2M_SPECIALS]
    return {tok: i for i, tok in enumerate(tokens)}


def m2m100_config(
    vocab_size: int, *, d_model: int, layers: int, heads: int, ffn: int, max_positions: int = 512
) -> Any:
    """An ``M2M100Config`` with every field set (``vocab_size`` includes codes and fillers).

    Generation settings (forced end token, beams) go into the generation config instead.
    """
    from transformers import M2M100Config

    return M2M100Config(
        vocab_size=vocab_size,
        max_position_embeddings=max_positions,
        encoder_layers=layers,
        encoder_ffn_dim=ffn,
        encoder_attention_heads=heads,
        decoder_layers=layers,
        decoder_ffn_dim=ffn,
        decoder_attention_heads=heads,
        encoder_layerdrop=0.0,
        decoder_layerdrop=0.0,
        use_cache=True,
        is_encoder_decoder=True,
        activation_function="relu",
        d_model=d_model,
        dropout=0.1,
        attention_dropout=0.1,
        activation_dropout=0.0,
        init_std=0.02,
        decoder_start_token_id=2,
        scale_embedding=True,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        tie_word_embeddings=True,
        architectures=["M2M100ForConditionalGeneration"],
    )


def _save_folder(dest: Path, spm_path: Path, vocab: dict[str, int], seed: int) -> None:
    import warnings

    import torch
    from transformers import GenerationConfig, M2M100ForConditionalGeneration, M2M100Tokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    warnings.filterwarnings("ignore", message=".*sacremoses.*")
    (dest / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    # listed explicitly, as in facebook/m2m100's tokenizer_config.json (the tokenizer's own
    # default list comes out empty in transformers 5, and then the codes are no special tokens)
    codes = [f"__{c}__" for c in FAIRSEQ_LANGUAGE_CODES[M2M_LANGUAGE_CODES]]
    tok = M2M100Tokenizer(
        additional_special_tokens=codes,
        vocab_file=str(dest / "vocab.json"),
        spm_file=str(spm_path),
        src_lang="zh",
        tgt_lang="en",
        language_codes=M2M_LANGUAGE_CODES,
        num_madeup_words=M2M_MADEUP_WORDS,
        model_max_length=512,
    )
    tok.save_pretrained(str(dest))
    size = len(vocab) + len(tok.lang_code_to_id) + M2M_MADEUP_WORDS
    config = m2m100_config(size, **TINY_SHAPE)
    config.init_std = 0.5  # large weights: the random model's output depends on its input
    torch.manual_seed(seed)
    model = M2M100ForConditionalGeneration(config).eval()
    with torch.no_grad():  # a larger end-token embedding (tied output row): some outputs end early
        model.model.shared.weight[2] *= EOS_SCALE
    model.generation_config = GenerationConfig(
        bos_token_id=0,
        decoder_start_token_id=2,
        eos_token_id=2,
        forced_eos_token_id=2,
        pad_token_id=1,
        max_length=512,
        num_beams=4,
    )
    model.save_pretrained(str(dest))


def build_tiny_m2m100(dest: str | Path, *, seed: int = 0) -> Path:
    """Build the tiny random-weight M2M100 into ``dest`` (created; replaced when it exists).

    Assembled next to ``dest`` and renamed into place. Returns ``dest``.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        spm_path = tmp / "sentencepiece.bpe.model"
        pieces = train_spm(corpus_lines(), spm_path)
        _save_folder(tmp, spm_path, m2m100_vocab(pieces), seed)
        marker = {
            "meaningless": True,
            "note": "random weights: translations from this model are meaningless",
            "family": "m2m_100",
            "seed": seed,
            "corpus": [p.name for p in corpus_files()],
        }
        (tmp / TINY_MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
        if dest.exists():
            old = dest.with_name(f".{dest.name}.old.{os.getpid()}")
            os.replace(dest, old)
            shutil.rmtree(old, ignore_errors=True)
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("built tiny M2M100 model (meaningless output) in %s", dest)
    return dest
