"""The transformers backend: ``AutoModelForSeq2SeqLM.generate`` on padded id batches."""

from __future__ import annotations

import logging
from typing import Any

from unmt.errors import UserError
from unmt.models.backends.base import Decoding, EngineBackend, default_compute_type, pick_device
from unmt.models.family import ModelTokenizer
from unmt.models.resolve import ResolvedModel

log = logging.getLogger(__name__)

_DTYPES = {"float32": "float32", "float16": "float16", "bfloat16": "bfloat16"}


def torch_device(device: str) -> str:
    """Resolve ``auto|cpu|cuda`` for torch; ``cuda`` without a GPU is an error."""
    import torch

    return pick_device(device, torch.cuda.is_available(), "torch")


def resolve_settings(device: str, compute_type: str) -> tuple[str, str]:
    """Resolve ``--device`` and ``--compute-type`` (``auto``: float16 on a GPU, else float32)."""
    dev = torch_device(device)
    compute_type = default_compute_type(dev, compute_type)
    if compute_type not in _DTYPES:
        raise UserError(
            f"compute type {compute_type!r} is not available with the transformers backend",
            hint="use float32 (or float16/bfloat16 on a GPU), or --backend ctranslate2 for int8",
        )
    return dev, compute_type


class TransformersBackend(EngineBackend):
    """Greedy or beam decoding with a transformers seq2seq model."""

    name = "transformers"

    def load(self, model: ResolvedModel) -> None:
        """Read ``model`` with ``AutoModelForSeq2SeqLM`` onto the device, in the compute type."""
        import torch
        from transformers import AutoModelForSeq2SeqLM
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        self._model: Any = AutoModelForSeq2SeqLM.from_pretrained(
            str(model.path), dtype=getattr(torch, _DTYPES[self.compute_type])
        )
        self._model.to(self.device).eval()
        config = self._model.config
        self._pad = int(config.pad_token_id)
        self._eos = int(config.eos_token_id)
        if not isinstance(self.tokenizer, ModelTokenizer):  # ids need the model's own tokenizer
            self.tokenizer = ModelTokenizer(model)
        self._ids: ModelTokenizer = self.tokenizer
        self._prefix_ids = self._ids.to_ids(list(self.family.target_prefix))
        self._strip = {self._pad, self._eos, *self._prefix_ids}

    def translate_pieces(self, batch: list[list[str]], decoding: Decoding) -> list[list[str]]:
        """Translate source pieces into target pieces (special tokens removed)."""
        result = []
        for row in self.generate_ids(batch, decoding):
            body = row[1:]
            if self._eos in body:
                body = body[: body.index(self._eos)]
            kept = [t for t in body if t not in self._strip][: decoding.max_length]
            result.append(self._ids.to_tokens(kept))
        return result

    def generate_ids(self, batch: list[list[str]], decoding: Decoding) -> list[list[int]]:
        """The raw output ids of ``generate`` for source pieces: decoder start token, forced
        prefix (M2M100/NLLB: the target language code), output, end and padding."""
        import torch

        if not batch:
            return []
        seqs = [self._ids.to_ids(self.family.frame_source(p)) for p in batch]
        width = max(len(s) for s in seqs)
        ids = torch.full((len(seqs), width), self._pad, dtype=torch.long)
        mask = torch.zeros((len(seqs), width), dtype=torch.long)
        for i, s in enumerate(seqs):
            ids[i, : len(s)] = torch.tensor(s, dtype=torch.long)
            mask[i, : len(s)] = 1
        kwargs: dict[str, Any] = {
            "num_beams": decoding.beam,
            "do_sample": False,
            "max_new_tokens": decoding.max_length + 1 + len(self._prefix_ids),
            "min_new_tokens": decoding.min_length + len(self._prefix_ids),
            "num_return_sequences": 1,
        }
        if decoding.beam > 1:
            # stop once num_beams hypotheses are finished, as CTranslate2 does: with it the two
            # backends' beam outputs agree (measured on the tiny Marian/M2M100 models)
            kwargs["early_stopping"] = True
        if self._prefix_ids:
            kwargs["forced_bos_token_id"] = self._prefix_ids[0]
        else:
            kwargs["bad_words_ids"] = [[self._pad]]
        with torch.inference_mode():
            out = self._model.generate(
                input_ids=ids.to(self.device), attention_mask=mask.to(self.device), **kwargs
            )
        rows: list[list[int]] = out.tolist()
        return rows
