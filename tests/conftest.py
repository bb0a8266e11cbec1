"""Shared test set-up: offline Hugging Face, a private HF_HOME, the shared real data.

The environment is set before anything imports huggingface_hub, so no test can reach the network
and no test touches the user's cache.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_HF_HOME = tempfile.mkdtemp(prefix="unmt-test-hf-")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HOME"] = _HF_HOME
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ["UNMT_CACHE_DIR"] = tempfile.mkdtemp(prefix="unmt-test-cache-")

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
EXAMPLES = REPO / "examples"


def shared_path(rel: str) -> Path:
    """Path of a file under ``../shared/data``; skips the calling test when it is absent."""
    path = SHARED_DATA / rel
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


@pytest.fixture
def shared() -> type:
    """Access to ``../shared/data`` files: ``shared.path("un/UNv1.0.devset.zh")``."""

    class _Shared:
        path = staticmethod(shared_path)

    return _Shared


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny random-weight MarianMT (``unmt.models.tiny.marian``), built once per test session.

    Its translations are meaningless; use it for plumbing, never for quality checks.
    """
    from unmt.models.tiny.marian import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model") / "tiny-marian")


@pytest.fixture(scope="session")
def tiny_m2m100_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight M2M100 (``unmt.models.tiny.m2m``; ``__zh__``/``__en__`` codes),
    built once per test session. Its translations are meaningless."""
    from unmt.models.tiny.m2m import build_tiny_m2m100

    return build_tiny_m2m100(tmp_path_factory.mktemp("tiny-m2m") / "tiny-m2m100")


@pytest.fixture(scope="session")
def tiny_nllb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny random-weight M2M100 with an NLLB tokenizer (``zho_Hans``/``eng_Latn`` codes),
    built once per test session. Its translations are meaningless."""
    from unmt.models.tiny.m2m import build_tiny_m2m100

    return build_tiny_m2m100(tmp_path_factory.mktemp("tiny-nllb") / "tiny-nllb", nllb=True)
