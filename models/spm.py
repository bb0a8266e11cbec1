"""Tokenization with sentencepiece alone: the CTranslate2 path without transformers or torch.

A MarianMT folder (opus-mt-zh-en) holds ``source.spm`` and ``target.spm``; its Hugging Face
tokenizer encodes a text with the source model (special tokens written literally in the text,
and a leading ``>>xx<<`` language code, kept as single pieces) and decodes target pieces with the
target model, dropping special tokens. An M2M100 folder (facebook/m2m100_*) holds one
``sentencepiece.bpe.model`` for both sides and a ``vocab.json`` whose added tokens carry the
language codes (``__zh__``, ``__en__``); its tokenizer encodes and decodes the same way.
:class:`SentencePieceTokenizer` does exactly that with the ``sentencepiece`` package, so a run
on CTranslate2 never imports transformers (which imports torch: 2-3 s and some hundreds of
MiB). CTranslate2 takes pieces as strings and maps them through the converted model's
vocabulary, so no vocabulary is needed beyond the language codes (which choose the family's
framing). Identical pieces to the transformers tokenizer are tested on the tiny models and on
the shared sample's sentences.

An NLLB folder's tokenizer is a ``tokenizers`` BPE in ``tokenizer.json`` (transformers 5 reads
no SentencePiece model for NLLB): :class:`FastTokenizer` reads that file with the ``tokenizers``
library alone, which is what transformers' tokenizer wraps.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from unmt.models.family import Family, family_for
from unmt.models.resolve import ResolvedModel

_SPIECE_UNDERLINE = "\u2581"
_DEFAULT_SPECIAL = ("</s>", "<unk>", "<pad>")


def _tokenizer_class(folder: Path) -> str:
    try:
        data = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return str(data.get("tokenizer_class") or "") if isinstance(data, dict) else ""


def spm_files(model: ResolvedModel) -> tuple[Path, Path] | None:
    """``(source, target)`` SentencePiece models of a Marian or M2M100 folder, or ``None``
    when this path cannot serve (another family, an NLLB tokenizer, files missing)."""
    if model.model_type == "marian":
        src, tgt = model.path / "source.spm", model.path / "target.spm"
    elif model.model_type == "m2m_100" and _tokenizer_class(model.path).startswith("M2M100"):
        src = tgt = model.path / "sentencepiece.bpe.model"
    else:
        return None
    return (src, tgt) if src.is_file() and tgt.is_file() else None


def _vocabulary(folder: Path) -> set[str]:
    """Tokens named by the folder's tokenizer files (``vocab.json``, added tokens)."""
    tokens: set[str] = set()
    for name in ("vocab.json", "added_tokens.json"):
        try:
            data = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            tokens.update(str(k) for k in data)
    return tokens | set(_special_tokens(folder))


def _special_tokens(folder: Path) -> tuple[str, ...]:
    """The tokenizer's special tokens: ``added_tokens_decoder`` entries marked special."""
    config = folder / "tokenizer_config.json"
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _DEFAULT_SPECIAL
    found = [
        str(v.get("content"))
        for v in (data.get("added_tokens_decoder") or {}).values()
        if isinstance(v, dict) and v.get("special") and v.get("content")
    ]
    extra = data.get("extra_special_tokens") or data.get("additional_special_tokens") or []
    found += [str(t) for t in extra if isinstance(t, str) and t not in found]
    for key in ("eos_token", "unk_token", "pad_token"):
        value = data.get(key)
        if isinstance(value, str) and value not in found:
            found.append(value)
    return tuple(found) or _DEFAULT_SPECIAL


class SentencePieceTokenizer:
    """A Marian or M2M100 model's tokenizer through ``sentencepiece`` (see the module
    docstring)."""

    def __init__(self, model: ResolvedModel) -> None:
        import sentencepiece

        files = spm_files(model)
        if files is None:
            raise ValueError(f"{model.path} has no SentencePiece model this path can use")
        self._source = sentencepiece.SentencePieceProcessor(model_file=str(files[0]))
        self._target = (
            self._source
            if files[1] == files[0]
            else sentencepiece.SentencePieceProcessor(model_file=str(files[1]))
        )
        self._codes = model.model_type == "marian"  # a leading >>xx<< is one piece
        vocab = _vocabulary(model.path) if model.model_type == "m2m_100" else None
        self.family: Family = family_for(model.model_type, vocab)
        self._special = set(_special_tokens(model.path))
        ordered = sorted(self._special, key=len, reverse=True)
        self._split = re.compile("(" + "|".join(re.escape(s) for s in ordered) + ")")

    def _pieces(self, text: str) -> list[str]:
        code: list[str] = []
        if self._codes and text.startswith(">>") and (end := text.find("<<")) != -1:
            code, text = [text[: end + 2]], text[end + 2 :]
        if not text:
            return code
        pieces: list[str] = self._source.encode(text, out_type=str)
        return code + pieces

    def encode(self, texts: list[str]) -> list[list[str]]:
        """Source pieces of each text, without special tokens framing them."""
        out = []
        for text in texts:
            pieces: list[str] = []
            for i, chunk in enumerate(self._split.split(text)):
                if i % 2:
                    pieces.append(chunk)  # a special token written in the text
                elif chunk.strip():
                    pieces += self._pieces(chunk.strip() if i else chunk.rstrip())
            out.append(pieces)
        return out

    def decode(self, pieces: list[list[str]]) -> list[str]:
        """Text of each target piece sequence (special tokens dropped)."""
        out = []
        for seq in pieces:
            kept = [p for p in seq if p not in self._special]
            text: Any = self._target.decode_pieces(kept)
            out.append(str(text).replace(_SPIECE_UNDERLINE, " ").strip())
        return out


def fast_tokenizer_file(model: ResolvedModel) -> Path | None:
    """The ``tokenizer.json`` of an NLLB folder, which :class:`FastTokenizer` reads with the
    ``tokenizers`` library (what transformers' own fast tokenizer wraps), or ``None``."""
    path = model.path / "tokenizer.json"
    if model.model_type != "m2m_100" or not path.is_file():
        return None
    return path if _tokenizer_class(model.path).startswith("Nllb") else None


class FastTokenizer:
    """An NLLB model's tokenizer through the ``tokenizers`` library alone.

    transformers' NLLB tokenizer is a ``tokenizers.Tokenizer`` read from ``tokenizer.json``;
    encoding without special tokens gives its pieces, and its decoder turns target pieces
    back into text. Reading the same file with ``tokenizers`` gives the same pieces and text
    (tested on the tiny NLLB) without importing transformers or torch.
    """

    def __init__(self, model: ResolvedModel) -> None:
        from tokenizers import Tokenizer

        path = fast_tokenizer_file(model)
        if path is None:
            raise ValueError(f"{model.path} has no NLLB tokenizer.json")
        self._tok = Tokenizer.from_file(str(path))
        added = list(self._tok.get_added_tokens_decoder().values())
        vocab = set(self._tok.get_vocab()) | {t.content for t in added}
        self.family: Family = family_for(model.model_type, vocab)
        self._special = {t.content for t in added if t.special} | set(_special_tokens(model.path))

    def encode(self, texts: list[str]) -> list[list[str]]:
        """Source pieces of each text, without special tokens framing them."""
        return [list(e.tokens) for e in self._tok.encode_batch(texts, add_special_tokens=False)]

    def decode(self, pieces: list[list[str]]) -> list[str]:
        """Text of each target piece sequence (special tokens dropped)."""
        out = []
        for seq in pieces:
            kept = [p for p in seq if p not in self._special]
            decoder = self._tok.decoder
            text = decoder.decode(kept) if decoder is not None else " ".join(kept)
            out.append(text.strip())
        return out
