"""Model families and the shared tokenizer layer above the backends.

A *family* (chosen by ``config.model_type``) says which special tokens frame a source sequence
and which forced prefix starts a target sequence: MarianMT appends ``</s>``; M2M100/NLLB also
prepend the source language code and force the target language code as first output token.
M2M100 and NLLB share ``model_type`` ``m2m_100`` and differ in their codes (``__zh__``/``__en__``
vs ``zho_Hans``/``eng_Latn``); the codes are chosen by which ones the tokenizer knows.
Backends receive plain source pieces (no special tokens) and add the family's framing.

:class:`ModelTokenizer` wraps the model's Hugging Face tokenizer: text -> pieces, pieces -> text.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from typing import Any, Protocol

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
#: M2M100 (fairseq) language codes for this pipeline's direction
M2M_SOURCE_LANG = "__zh__"
M2M_TARGET_LANG = "__en__"


def family_for(model_type: str, vocab: Container[str] | None = None) -> Family:
    """The :class:`Family` for ``model_type``; unknown types fail with the supported list.

    Args:
        model_type: ``config.model_type``.
        vocab: the tokenizer's tokens; for ``m2m_100`` it picks the M2M100 codes when it holds
            them, else NLLB's. A vocabulary with neither pair is an error.
    """
    if model_type == "marian":
        return Family("marian", (), "</s>", ())
    if model_type == "m2m_100":
        pairs = ((NLLB_SOURCE_LANG, NLLB_TARGET_LANG), (M2M_SOURCE_LANG, M2M_TARGET_LANG))
        if vocab is None:
            source, target = pairs[0]
        else:
            known = [p for p in pairs if p[0] in vocab and p[1] in vocab]
            if not known:
                raise UserError(
                    "the model's tokenizer has no Chinese/English language codes",
                    hint="expected " + " or ".join("/".join(p) for p in pairs),
                )
            source, target = known[-1]
        return Family("m2m_100", (source,), "</s>", (target,))
    raise UserError(
        f"unsupported model type {model_type!r}",
        hint="supported model types: " + ", ".join(SUPPORTED_MODEL_TYPES),
    )


class TextTokenizer(Protocol):
    """What the batching layer and the CTranslate2 engine need of a tokenizer."""

    family: Family

    def encode(self, texts: list[str]) -> list[list[str]]: ...

    def decode(self, pieces: list[list[str]]) -> list[str]: ...


class ModelTokenizer:
    """The model's own tokenizer, reduced to what the translation stage needs."""

    def __init__(self, model: ResolvedModel) -> None:
        import warnings

        from transformers import AutoTokenizer

        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*sacremoses.*")
            self._tok: Any = AutoTokenizer.from_pretrained(str(model.path))
        vocab = self._tok.get_vocab() if model.model_type == "m2m_100" else None
        self.family = family_for(model.model_type, vocab)
        if vocab is not None:
            # the library's own framing (used by ``hf(text)``) matches the family's
            self._tok.src_lang = self._code(self.family.source_prefix[0])
            self._tok.tgt_lang = self._code(self.family.target_prefix[0])
        self._special = set(self._tok.all_special_tokens)

    @staticmethod
    def _code(token: str) -> str:
        """``__zh__`` -> ``zh`` (M2M100 tokenizers take bare codes); NLLB codes as they are."""
        return token[2:-2] if token.startswith("__") and token.endswith("__") else token

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
