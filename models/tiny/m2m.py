"""A tiny random-weight M2M100 model: the M2M100/NLLB code path tested end to end offline.

``build_tiny_m2m100(dir)`` trains a SentencePiece model on the same corpus as the tiny MarianMT
(:func:`unmt.models.tiny.marian.corpus_lines`), lays out a fairseq-style vocabulary (``<s>`` 0,
``<pad>`` 1, ``</s>`` 2, ``<unk>`` 3, then the pieces), and saves an ``M2M100Tokenizer`` with the
``wmt21`` language codes (``__zh__``, ``__en__``, ... appended after the pieces, then the
made-up words, as in facebook/m2m100) and a seeded random ``M2M100ForConditionalGeneration``
with every configuration field set. Deterministic; a few seconds.

``build_tiny_m2m100(dir, nllb=True)`` gives the same model with an NLLB tokenizer instead
(``NllbTokenizer`` from a byte-pair vocabulary trained with ``tokenizers``, codes ``zho_Hans``,
``eng_Latn``, ``fra_Latn`` after the pieces and ``<mask>``), as facebook/nllb-200 pairs them.

**Its translations are meaningless**: the weights are random. The folder carries the same marker
file as the tiny MarianMT, so every tool that loads it says so.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from unmt.models.tiny.marian import (
    TINY_SHAPE,
    corpus_lines,
    publish_model_folder,
    shape_fields,
    train_spm,
)

log = logging.getLogger(__name__)

#: the fairseq special tokens, in id order
M2M_SPECIALS: tuple[str, ...] = ("<s>", "<pad>", "</s>", "<unk>")
#: language-code set of the tokenizer (``wmt21`` has zh and en and only 8 codes)
M2M_LANGUAGE_CODES = "wmt21"
#: made-up filler words after the language codes (facebook/m2m100 has 8)
M2M_MADEUP_WORDS = 8
#: factor on ``</s>``'s (tied) embedding, so that the random model ends some outputs early
EOS_SCALE = 6.0
#: language codes of the NLLB-flavoured tokenizer (facebook/nllb-200 has 202)
NLLB_CODES: tuple[str, ...] = ("eng_Latn", "fra_Latn", "zho_Hans")


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
        **shape_fields(
            d_model=d_model, layers=layers, heads=heads, ffn=ffn, max_positions=max_positions
        ),
        encoder_layerdrop=0.0,
        decoder_layerdrop=0.0,
        use_cache=True,
        is_encoder_decoder=True,
        activation_function="relu",
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


def _m2m100_tokenizer(dest: Path, pieces_spm: Path) -> int:
    """Save an ``M2M100Tokenizer`` (SentencePiece + vocab.json) into ``dest``; its size."""
    from transformers import M2M100Tokenizer
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    pieces = train_spm(corpus_lines(), pieces_spm)
    vocab = m2m100_vocab(pieces)
    (dest / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    # listed explicitly, as in facebook/m2m100's tokenizer_config.json (the tokenizer's own
    # default list comes out empty in transformers 5, and then the codes are no special tokens)
    codes = [f"__{c}__" for c in FAIRSEQ_LANGUAGE_CODES[M2M_LANGUAGE_CODES]]
    tok = M2M100Tokenizer(
        additional_special_tokens=codes,
        vocab_file=str(dest / "vocab.json"),
        spm_file=str(pieces_spm),
        src_lang="zh",
        tgt_lang="en",
        language_codes=M2M_LANGUAGE_CODES,
        num_madeup_words=M2M_MADEUP_WORDS,
        model_max_length=512,
    )
    tok.save_pretrained(str(dest))
    return len(vocab) + len(codes) + M2M_MADEUP_WORDS


def _nllb_tokenizer(dest: Path) -> int:
    """Train a byte-pair vocabulary and save an ``NllbTokenizer`` (tokenizer.json); its size."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import NllbTokenizer

    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = trainers.BpeTrainer(
        vocab_size=1500, special_tokens=list(M2M_SPECIALS), show_progress=False
    )
    bpe.train_from_iterator(corpus_lines(), trainer)
    trained = json.loads(bpe.to_str())["model"]
    merges: Any = [tuple(m) for m in trained["merges"]]  # pairs, though typed as strings
    tok = NllbTokenizer(
        vocab=trained["vocab"],
        merges=merges,
        extra_special_tokens=list(NLLB_CODES),
        src_lang="zho_Hans",
        tgt_lang="eng_Latn",
        model_max_length=512,
    )
    tok.save_pretrained(str(dest))
    return len(tok)


def _save_model(dest: Path, vocab_size: int, seed: int) -> None:
    import torch
    from transformers import GenerationConfig, M2M100ForConditionalGeneration

    config = m2m100_config(vocab_size, **TINY_SHAPE)
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


def build_tiny_m2m100(dest: str | Path, *, seed: int = 0, nllb: bool = False) -> Path:
    """Build the tiny random-weight M2M100 into ``dest`` (created; replaced when it exists).

    With ``nllb`` the tokenizer is NLLB's instead (``zho_Hans``/``eng_Latn`` codes, a byte-pair
    ``tokenizer.json``); the model class is the same, as in facebook/nllb-200.
    Assembled next to ``dest`` and renamed into place. Returns ``dest``.
    """
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    def fill(tmp: Path) -> dict[str, Any]:
        if nllb:
            size = _nllb_tokenizer(tmp)
        else:
            size = _m2m100_tokenizer(tmp, tmp / "sentencepiece.bpe.model")
        _save_model(tmp, size, seed)
        return {"family": "m2m_100", "tokenizer": "nllb" if nllb else "m2m100", "seed": seed}

    dest = publish_model_folder(dest, fill)
    log.info("built tiny M2M100 model (meaningless output) in %s", dest)
    return dest
