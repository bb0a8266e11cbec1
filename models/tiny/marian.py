"""A tiny random-weight MarianMT model for tests, smoke runs and offline demos.

``build_tiny_model(dir)`` trains a SentencePiece model on the example document pair
(``examples/un-report.{zh,en}.txt``; the small corpus in ``models/data`` when the examples are
absent), builds one shared vocabulary laid out like opus-mt's (``</s>`` = 0, ``<unk>`` = 1, the
pieces, ``<pad>`` last), and saves a seeded random MarianMT of opus-mt-zh-en's architecture
(shrunk) as a normal transformers folder. The build is deterministic and takes a few seconds.

**Its translations are meaningless**: the weights are random. The folder carries a marker file
(:data:`TINY_MARKER`) so that every tool that loads it can say so.

``marian_config`` is shared with the benchmark, which builds a random model of opus-mt-zh-en's
exact shape.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from unmt.fileio import published_folder

log = logging.getLogger(__name__)

#: marker file written into every tiny model folder
TINY_MARKER = "unmt-tiny-model.json"
#: the spec that ``--model`` accepts for the tiny model
TINY_SPEC = "tiny"
#: bumped whenever the build changes, so cached copies are rebuilt
TINY_VERSION = 1

_REPO = Path(__file__).resolve().parents[2]
_EXAMPLES = (_REPO / "examples" / "un-report.zh.txt", _REPO / "examples" / "un-report.en.txt")
_FALLBACK = (
    Path(__file__).resolve().parents[1] / "data" / "tiny_corpus.zh.txt",
    Path(__file__).resolve().parents[1] / "data" / "tiny_corpus.en.txt",
)

#: the tiny architecture (opus-mt's, shrunk)
TINY_SHAPE: dict[str, int] = {"d_model": 32, "layers": 1, "heads": 2, "ffn": 64}
#: opus-mt-zh-en's architecture
OPUS_MT_SHAPE: dict[str, int] = {"d_model": 512, "layers": 6, "heads": 8, "ffn": 2048}


def corpus_files() -> tuple[Path, Path]:
    """The (zh, en) text files the tiny SentencePiece model is trained on."""
    if all(p.is_file() for p in _EXAMPLES):
        return _EXAMPLES
    return _FALLBACK


def corpus_lines() -> list[str]:
    """Non-empty lines of both corpus files, in order."""
    lines: list[str] = []
    for path in corpus_files():
        text = path.read_text(encoding="utf-8")
        lines.extend(line.strip() for line in text.splitlines() if line.strip())
    return lines


def is_tiny_model(path: str | Path) -> bool:
    """Whether ``path`` is a folder built by :func:`build_tiny_model`."""
    return (Path(path) / TINY_MARKER).is_file()


def tiny_fingerprint() -> str:
    """A short hash of everything the tiny build depends on (corpus text, version, shape)."""
    h = hashlib.sha256(f"v{TINY_VERSION}{sorted(TINY_SHAPE.items())}".encode())
    for path in corpus_files():
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def shape_fields(
    *, d_model: int, layers: int, heads: int, ffn: int, max_positions: int = 512
) -> dict[str, Any]:
    """The configuration fields of an encoder-decoder with ``layers`` layers of ``heads``
    heads and ``ffn`` feed-forward width on each side (named alike by Marian and M2M100)."""
    return {
        "d_model": d_model,
        "encoder_layers": layers,
        "decoder_layers": layers,
        "encoder_attention_heads": heads,
        "decoder_attention_heads": heads,
        "encoder_ffn_dim": ffn,
        "decoder_ffn_dim": ffn,
        "max_position_embeddings": max_positions,
    }


def marian_config(
    vocab_size: int, *, d_model: int, layers: int, heads: int, ffn: int, max_positions: int = 512
) -> Any:
    """A ``MarianConfig`` laid out like opus-mt-zh-en's, with every field set explicitly.

    ``vocab_size`` includes ``<pad>``, which is the last id (``pad = decoder start``).
    """
    from transformers import MarianConfig

    pad = vocab_size - 1
    # fields MarianConfig's signature does not declare but opus-mt's config.json carries
    extra: dict[str, Any] = {
        "static_position_embeddings": True,
        "normalize_before": False,
        "normalize_embedding": False,
    }
    return MarianConfig(
        **extra,
        vocab_size=vocab_size,
        decoder_vocab_size=vocab_size,
        **shape_fields(
            d_model=d_model, layers=layers, heads=heads, ffn=ffn, max_positions=max_positions
        ),
        activation_function="swish",
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        dropout=0.1,
        attention_dropout=0.0,
        activation_dropout=0.0,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        bos_token_id=None,
        architectures=["MarianMTModel"],
    )


def train_spm(lines: list[str], dest: Path, vocab_size: int = 2000) -> list[str]:
    """Train a unigram SentencePiece model on ``lines`` into ``dest``; return its pieces."""
    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=buf,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        model_type="unigram",
        character_coverage=1.0,
        num_threads=1,
        unk_id=0,
        bos_id=-1,
        eos_id=1,
        pad_id=-1,
        minloglevel=2,
    )
    dest.write_bytes(buf.getvalue())
    sp = spm.SentencePieceProcessor(model_proto=buf.getvalue())
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def marian_vocab(pieces: list[str], size: int | None = None) -> dict[str, int]:
    """opus-mt's layout: ``</s>`` 0, ``<unk>`` 1, pieces, fillers up to ``size``, ``<pad>`` last."""
    tokens = ["</s>", "<unk>"] + [p for p in pieces if p not in ("</s>", "<unk>", "<pad>")]
    if size is not None:
        tokens += [f"<unused{i}>" for i in range(size - 1 - len(tokens))]
    tokens.append("<pad>")
    return {tok: i for i, tok in enumerate(tokens)}


def save_marian_folder(
    dest: Path,
    spm_path: Path,
    vocab: dict[str, int],
    shape: dict[str, int],
    *,
    seed: int = 0,
    init_std: float = 0.02,
    eos_bias: float = 0.0,
) -> None:
    """Write a random-weight MarianMT folder (model, generation config, tokenizer) into ``dest``.

    ``init_std`` is the weights' standard deviation (a large one makes the random model's output
    depend on its input); ``eos_bias`` is added to the end-of-sentence logit.
    """
    import warnings

    import torch
    from transformers import GenerationConfig, MarianMTModel, MarianTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    warnings.filterwarnings("ignore", message=".*sacremoses.*")

    (dest / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    for name in ("source.spm", "target.spm"):
        if spm_path != dest / name:
            shutil.copyfile(spm_path, dest / name)
    tok = MarianTokenizer(
        source_spm=str(dest / "source.spm"),
        target_spm=str(dest / "target.spm"),
        vocab=str(dest / "vocab.json"),
        source_lang="zh",
        target_lang="en",
        model_max_length=512,
    )
    tok.save_pretrained(str(dest))
    config = marian_config(len(vocab), **shape)
    config.init_std = init_std
    torch.manual_seed(seed)
    model = MarianMTModel(config).eval()
    if eos_bias:
        with torch.no_grad():
            model.final_logits_bias[0, 0] = eos_bias
    pad = len(vocab) - 1
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad]],
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        pad_token_id=pad,
        max_length=512,
        num_beams=4,
    )
    model.save_pretrained(str(dest))


def publish_model_folder(dest: str | Path, fill: Callable[[Path], dict[str, Any]]) -> Path:
    """Assemble a random-weight model folder next to ``dest`` and rename it into place.

    ``fill(tmp)`` writes the model files into ``tmp`` and returns marker fields; the marker file
    (which says the output is meaningless) is added here. ``dest`` is new, an empty folder or an
    earlier tiny model (:func:`unmt.fileio.published_folder`: its files are replaced, files
    added to it stay; any other folder is refused). Returns ``dest`` as a ``Path``.
    """
    dest = Path(dest)
    with published_folder(
        dest,
        kind="model folder",
        mark=TINY_MARKER,
        hint="give a new or empty folder, or an earlier tiny model's",
    ) as tmp:
        marker = {
            "meaningless": True,
            "note": "random weights: translations from this model are meaningless",
            **fill(tmp),
            "corpus": [p.name for p in corpus_files()],
        }
        (tmp / TINY_MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
    return dest


def build_tiny_model(dest: str | Path, *, seed: int = 0) -> Path:
    """Build the tiny random-weight MarianMT into ``dest`` (:func:`publish_model_folder`: a
    new or empty folder, or an earlier tiny model whose files are replaced). Returns ``dest``.
    """

    def fill(tmp: Path) -> dict[str, Any]:
        spm_path = tmp / "source.spm"
        pieces = train_spm(corpus_lines(), spm_path)
        vocab = marian_vocab(pieces)
        save_marian_folder(tmp, spm_path, vocab, TINY_SHAPE, seed=seed, init_std=0.5, eos_bias=0.5)
        return {"version": TINY_VERSION, "seed": seed, "fingerprint": tiny_fingerprint()}

    dest = publish_model_folder(dest, fill)
    log.info("built tiny model (meaningless output) in %s", dest)
    return dest
