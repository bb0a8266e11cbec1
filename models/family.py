"""Model families and the shared tokenizer layer above the backends.

A *family* (chosen by ``config.model_type``) says which special tokens frame a source sequence
and which forced prefix starts a target sequence: MarianMT appends ``</s>``; M2M100/NLLB also
prepend the source language code and force the target language code as first output token.
Backends receive plain source pieces (no special tokens) and add the family's framing.

:class:`ModelTokenizer` wraps the model's Hugging Face tokenizer: text -> pieces, pieces -> text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from unmt.errors import UserError
from unmt.models.resolve import SUPPORTED_MODEL_TYPES, ResolvedModel


@dataclass(frozen=True)
class Family:
    """Token framing of one model family.

    Attributes:
        model_type: ``config.model_type``.
        source_prefix: tokens before the source pieces (NLLB: the source language code).
        eos: the end-of-sequence token appended to every source.
        target_prefix: tokens forced at the start of the output (NLLB: the target language code).
    """

    model_type: str
    source_prefix: tuple[str, ...]
    eos: str
    target_prefix: tuple[str, ...]

    def frame_source(self, pieces: list[str]) -> list[str]:
        """``source_prefix + pieces + [eos]``."""
        return [*self.source_prefix, *pieces, self.eos]


#: NLLB language codes for this pipeline's direction
NLLB_SOURCE_LANG = "zho_Hans"
NLLB_TARGET_LANG = "eng_Latn"


def family_for(model_type: str) -> Family:
    """The :class:`Family` for ``model_type``; unknown types fail with the supported list."""
    if model_type == "marian":
        return Family("marian", (), "</s>", ())
    if model_type == "m2m_100":
        return Family("m2m_100", (NLLB_SOURCE_LANG,), "</s>", (NLLB_TARGET_LANG,))
    raise UserError(
        f"unsupported model type {model_type!r}",
        hint="supported model types: " + ", ".join(SUPPORTED_MODEL_TYPES),
    )


class ModelTokenizer:
    """The model's own tokenizer, reduced to what the translation stage needs."""

    def __init__(self, model: ResolvedModel) -> None:
        import warnings

        from transformers import AutoTokenizer

        kwargs: dict[str, Any] = {}
        if model.model_type == "m2m_100":
            kwargs = {"src_lang": NLLB_SOURCE_LANG, "tgt_lang": NLLB_TARGET_LANG}
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*sacremoses.*")
            self._tok: Any = AutoTokenizer.from_pretrained(str(model.path), **kwargs)
        self.family = family_for(model.model_type)
        self._special = set(self._tok.all_special_tokens)

    @property
    def hf(self) -> Any:
        """The wrapped Hugging Face tokenizer."""
        return self._tok

    def encode(self, texts: list[str]) -> list[list[str]]:
        """Source pieces of each text, without special tokens."""
        return [self._tok.tokenize(t) for t in texts]

    def decode(self, pieces: list[list[str]]) -> list[str]:
        """Text of each target piece sequence (special tokens dropped)."""
        out = []
        for seq in pieces:
            kept = [p for p in seq if p not in self._special]
            out.append(self._tok.convert_tokens_to_string(kept).strip())
        return out

    def to_ids(self, pieces: list[str]) -> list[int]:
        """Vocabulary ids of ``pieces`` (unknown pieces become the unknown id)."""
        ids: list[int] = self._tok.convert_tokens_to_ids(list(pieces))
        return ids

    def to_tokens(self, ids: list[int]) -> list[str]:
        """Pieces of vocabulary ``ids``."""
        return list(self._tok.convert_ids_to_tokens(ids))
