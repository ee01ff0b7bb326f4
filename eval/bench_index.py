"""Large dense indexes on synthetic data: build time, memory, single-query latency and recall@10.

The corpus is seeded and clustered like sentence embeddings are (topics, subtopics within them,
paraphrases around each subtopic), so the nearest neighbours are meaningful and an approximate
index can miss them; uniform noise would make every neighbour equally far. Recall is measured
against exact inner-product search over the same vectors.
"""

from __future__ import annotations

import resource
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

from intents.dense import DenseIndex, IndexKind, SizeThresholds, one_thread

TOPIC_SIZE = 2000  # vectors a topic, on average
SUBTOPICS = 20  # subtopics a topic: about 100 vectors around each
SUBTOPIC_SPREAD = 0.8  # subtopic centres around their topic (norm of the offset)
POINT_SPREAD = (0.5, 1.0)  # a vector around its subtopic centre, drawn per vector
CHUNK = 100_000


def _unit(x: np.ndarray) -> np.ndarray:
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def synthetic_corpus(size: int, dim: int, queries: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """`size` corpus vectors and `queries` query vectors (new draws from the same mixture), unit length."""
    rng = np.random.default_rng(seed)
    topics = _unit(rng.standard_normal((max(4, size // TOPIC_SIZE), dim), dtype=np.float32))
    centres = np.repeat(topics, SUBTOPICS, axis=0)
    centres = _unit(centres + SUBTOPIC_SPREAD * rng.standard_normal(centres.shape, dtype=np.float32) / np.sqrt(dim))

    def draw(n: int) -> np.ndarray:
        spread = rng.uniform(*POINT_SPREAD, (n, 1)).astype(np.float32)
        noise = rng.standard_normal((n, dim), dtype=np.float32) / np.float32(np.sqrt(dim))
        return _unit(centres[rng.integers(0, len(centres), n)] + spread * noise)

    corpus = np.empty((size, dim), dtype=np.float32)
    for start in range(0, size, CHUNK):  # in chunks: the float temporaries stay small beside the corpus
        corpus[start:start + CHUNK] = draw(min(CHUNK, size - start))
    return corpus, draw(queries)


def _rss_mib() -> tuple[float, float]:
    """Resident memory now and at its peak, in MiB (Linux /proc; peak only elsewhere)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError, ValueError):
        return peak, peak


@dataclass
class IndexBenchReport:
    size: int
    dim: int
    queries: int
    plan: dict
    generate_s: float
    exact_s: float  # exact top-10 of every query, batched (the ground truth)
    build_s: float
    index_bytes: int  # the saved index (dense.faiss)
    load_s: float
    rss_before_mib: float  # the process before any vector was made
    rss_mib: float  # after the build, with the corpus still in memory
    peak_rss_mib: float
    search_p50_ms: float  # one query at a time, one thread
    search_p95_ms: float
    exact_p50_ms: float  # the same single queries by exact search over the corpus (first 100)
    recall_at_10: float
    loaded_agrees: bool  # the index read back from disk returns the same neighbours

    def to_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def _recall(found: np.ndarray, exact: np.ndarray) -> float:
    return float(np.mean([len(set(f[f >= 0]) & set(e)) / len(e) for f, e in zip(found, exact)]))


def bench_index(
    size: int, dim: int, queries: int = 1000, kind: IndexKind | None = None,
    thresholds: SizeThresholds = SizeThresholds(), seed: int = 7, k: int = 10,
) -> IndexBenchReport:
    rss_before, _ = _rss_mib()
    start = time.perf_counter()
    corpus, query_vectors = synthetic_corpus(size, dim, queries, seed)
    generate_s = time.perf_counter() - start

    start = time.perf_counter()
    _, exact = faiss.knn(query_vectors, corpus, k, metric=faiss.METRIC_INNER_PRODUCT)
    exact_s = time.perf_counter() - start

    start = time.perf_counter()
    dense = DenseIndex.build(corpus, thresholds, kind)
    build_s = time.perf_counter() - start
    rss, _ = _rss_mib()

    # One query at a time, as requests come: DenseIndex.search runs each on one thread.
    found = np.full((queries, k), -1, dtype=np.int64)
    latencies = []
    for i, q in enumerate(query_vectors):
        t = time.perf_counter()
        _, ids = dense.search(q, k)
        latencies.append((time.perf_counter() - t) * 1000)
        found[i, : len(ids)] = ids
    exact_latencies = []
    for q in query_vectors[:100]:
        t = time.perf_counter()
        with one_thread():
            faiss.knn(q.reshape(1, -1), corpus, k, metric=faiss.METRIC_INNER_PRODUCT)
        exact_latencies.append((time.perf_counter() - t) * 1000)

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "dense.faiss"
        dense.save(path)
        index_bytes = path.stat().st_size
        t = time.perf_counter()
        loaded = DenseIndex.load(path)
        load_s = time.perf_counter() - t
        sample = query_vectors[: min(50, queries)]
        agrees = loaded.plan == dense.plan and all(
            np.array_equal(loaded.search(q, k)[1], dense.search(q, k)[1]) for q in sample
        )
    _, peak = _rss_mib()
    return IndexBenchReport(
        size=size, dim=dim, queries=queries, plan=dense.plan.to_dict(), generate_s=generate_s, exact_s=exact_s,
        build_s=build_s, index_bytes=index_bytes, load_s=load_s, rss_before_mib=rss_before, rss_mib=rss, peak_rss_mib=peak,
        search_p50_ms=float(np.percentile(latencies, 50)), search_p95_ms=float(np.percentile(latencies, 95)),
        exact_p50_ms=float(np.percentile(exact_latencies, 50)),
        recall_at_10=_recall(found, exact), loaded_agrees=agrees,
    )
