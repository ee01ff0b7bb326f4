"""The sentence encoder: any sentence-transformers model directory, loaded by path.

The embedded default is trained by `govassist train` from the knowledge base and served with numpy
(intents/ngram_runtime.py), so a serving worker never imports torch; a stronger public Chinese encoder
(for example a local copy of BAAI/bge-small-zh-v1.5) is used by pointing GOVASSIST_ENCODER_PATH at its
directory and runs through sentence-transformers. Nothing is ever downloaded: loading is local-only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from intents.model_identity import model_identity


class EncoderNotFound(Exception):
    """No model directory at the configured path."""


class Encoder(Protocol):
    """Texts in, L2-normalised float32 vectors out; `identity` names the model files (an index built
    with one model is never read with another)."""

    identity: str

    def encode(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray: ...

    def encode_one(self, text: str) -> np.ndarray: ...

    @property
    def dimension(self) -> int: ...


def open_encoder(path: Path) -> Encoder:
    """Our own n-gram model through numpy; any other model directory through sentence-transformers
    (which raises EncoderNotFound where there is none)."""
    from intents.ngram_runtime import NgramEncoder, is_ngram_model

    return NgramEncoder(path) if is_ngram_model(path) else SentenceTransformerEncoder(path)


class SentenceTransformerEncoder:
    """Any model directory, through sentence-transformers (which imports torch: some 430 MB a process)."""

    def __init__(self, path: Path) -> None:
        if not (path / "modules.json").is_file():
            raise EncoderNotFound(f"no sentence-transformers model at {path} (modules.json missing)")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a path, never a hub download
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
        self.path = path
        self.model = SentenceTransformer(
            str(path), device="cpu", local_files_only=True, trust_remote_code=uses_own_modules(path)
        )
        self.identity = model_identity(path)

    def encode(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        vectors = self.model.encode(
            list(texts), batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    @property
    def dimension(self) -> int:
        model = self.model  # renamed in newer sentence-transformers; older ones have only the old name
        size = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(size())


def uses_own_modules(path: Path) -> bool:
    """Our trained default refers to this project's module class; any other custom code is refused."""
    modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
    return any(str(m.get("type", "")).startswith("intents.") for m in modules) and all(
        str(m.get("type", "")).startswith(("intents.", "sentence_transformers.")) for m in modules
    )
