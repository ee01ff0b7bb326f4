"""The embedded n-gram encoder served with numpy: no torch, no sentence-transformers in a worker.

The trained model is only an embedding bag (mean of the rows of a text's n-grams) followed by an L2
normalisation, so numpy computes the same vectors. Importing torch and sentence-transformers costs a
worker about 430 MB and most of its start-up; this reader costs the vocabulary and the rows it reads.
The weights stay in the safetensors file, memory-mapped: a query reads only the rows of its n-grams,
and every worker reads them from the same page cache.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from safetensors import safe_open

from intents.model_identity import model_identity
from intents.ngrams import VOCAB_FILE, NgramIds, load_vocab

MODULE_TYPE = "intents.ngram_embedding.NgramEmbedding"
WEIGHTS_FILE = "model.safetensors"
WEIGHTS_KEY = "embedding.weight"
_EPS = 1e-12  # as torch.nn.functional.normalize, which sentence-transformers' Normalize uses


def is_ngram_model(path: Path) -> bool:
    """Exactly our shape: the n-gram bag at the root, then Normalize, weights saved as safetensors."""
    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    types = [str(m.get("type", "")) for m in modules] if isinstance(modules, list) else []
    return (
        len(types) == 2
        and types[0] == MODULE_TYPE
        and modules[0].get("path", "") == ""
        and types[1].startswith("sentence_transformers.")
        and types[1].endswith(".Normalize")
        and all((path / name).is_file() for name in ("config.json", VOCAB_FILE, WEIGHTS_FILE))
    )


class NgramEncoder:
    """The same surface as the sentence-transformers encoder (intents/encoder.py) for our n-gram model."""

    def __init__(self, path: Path) -> None:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        self.path = path
        self.ids = NgramIds(load_vocab(path), config["ngram_sizes"], config["num_buckets"])
        self._table = _mapped_table(path / WEIGHTS_FILE)
        rows, dimension = self._table.shape
        if (rows, dimension) != (self.ids.rows, config["embedding_dim"]):
            raise ValueError(
                f"{path / WEIGHTS_FILE}: {WEIGHTS_KEY} is {rows}x{dimension}, "
                f"config and vocabulary say {self.ids.rows}x{config['embedding_dim']}"
            )
        self._dimension = int(dimension)
        self.identity = model_identity(path)

    def encode(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        texts = list(texts)
        vectors = np.empty((len(texts), self._dimension), dtype=np.float32)
        for start in range(0, len(texts), batch_size):  # bounds the rows held at once
            chunk = texts[start : start + batch_size]
            vectors[start : start + len(chunk)] = self._encode_chunk(chunk)
        return vectors

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    @property
    def dimension(self) -> int:
        return self._dimension

    def _encode_chunk(self, texts: Sequence[str]) -> np.ndarray:
        bags = [np.asarray(self.ids(t), dtype=np.int64) for t in texts]
        wanted, where = np.unique(np.concatenate(bags), return_inverse=True)
        rows = np.asarray(self._table[wanted])  # a copy of these rows only
        means = np.empty((len(texts), self._dimension), dtype=np.float32)
        start = 0
        for i, bag in enumerate(bags):
            means[i] = rows[where[start : start + len(bag)]].mean(axis=0, dtype=np.float32)
            start += len(bag)
        norms = np.linalg.norm(means, axis=1, keepdims=True)
        return means / np.maximum(norms, _EPS)


def _mapped_table(file: Path) -> np.memmap:
    """The embedding table as a read-only memory map of the safetensors file.

    `safe_open` validates the file (header, offsets and size, as the library checks them) and gives the
    tensor's shape and dtype; the rows are then mapped with numpy at the offset the header names,
    because `get_slice` copies one run of consecutive rows per call (a query's ~25 scattered n-grams:
    about 200 µs) while a numpy gather over the map takes a few µs for all of them.
    """
    with safe_open(str(file), framework="np") as weights:
        if WEIGHTS_KEY not in weights.keys():
            raise ValueError(f"{file}: no tensor {WEIGHTS_KEY}")
        table = weights.get_slice(WEIGHTS_KEY)
        shape, dtype = tuple(table.get_shape()), table.get_dtype()
    if dtype != "F32":
        raise ValueError(f"{file}: {WEIGHTS_KEY} is {dtype}, float32 expected")
    with file.open("rb") as raw:  # the format: an 8-byte little-endian header length, the JSON header, the data
        header_length = struct.unpack("<Q", raw.read(8))[0]
        begin = json.loads(raw.read(header_length))[WEIGHTS_KEY]["data_offsets"][0]
    return np.memmap(file, dtype="<f4", mode="r", offset=8 + header_length + begin, shape=shape)
