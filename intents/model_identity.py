"""The identity of a model directory: a short hash of its files, so an index built with one model is
never read with another. Both encoders (intents/encoder.py, intents/ngram_runtime.py) stamp it."""

from __future__ import annotations

import hashlib
from pathlib import Path


def model_identity(path: Path) -> str:
    """A short hash of the model's files: an index built with one model is never read with another."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(file.relative_to(path).as_posix().encode())
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()[:16]
