"""The dense index: FAISS inner-product search over normalised embeddings.

Which FAISS index is built follows the corpus size (`plan_index`): exact flat search while a full
scan is fast; an HNSW graph from `hnsw_from` documents (no training, high recall, but its build
grows as n·log n and it keeps every vector); IVF-PQ from `ivfpq_from` (a trained coarse quantiser
and 8-bit product codes, candidates re-ranked on 8-bit scalar-quantised vectors: about a third of
the memory of the vectors and a fast build). Thresholds and parameters come from measurements on
the 2-core machine (`govassist bench index`, docs/BENCHMARKS.md). The plan is saved beside the
index (`dense.json`) and applied again on load, so a loaded index searches as it was built to.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from enum import Enum
from pathlib import Path

import faiss
import numpy as np


class IndexKind(str, Enum):
    flat = "flat"
    hnsw = "hnsw"
    ivfpq = "ivfpq"


@dataclass(frozen=True)
class SizeThresholds:
    """Corpus sizes (vectors) from which each approximate index takes over."""

    hnsw_from: int = 50_000
    ivfpq_from: int = 300_000


@dataclass(frozen=True)
class IndexPlan:
    """The kind of index and its parameters; 0 where a parameter does not apply to the kind."""

    kind: IndexKind
    dim: int
    size: int
    hnsw_m: int = 0  # graph neighbours per node
    ef_construction: int = 0
    ef_search: int = 0
    nlist: int = 0  # coarse cells
    pq_m: int = 0  # product-quantiser sub-vectors (bytes per code)
    nprobe: int = 0  # cells visited per query
    refine_k: int = 0  # candidates re-ranked per result wanted
    train_size: int = 0  # vectors the quantisers are trained on

    def to_dict(self) -> dict:
        return asdict(self) | {"kind": self.kind.value}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1)

    @classmethod
    def from_json(cls, text: str) -> IndexPlan:
        data = json.loads(text)
        return cls(**data | {"kind": IndexKind(data["kind"])})


def _pow2(x: float) -> int:
    return 2 ** max(0, round(math.log2(max(1.0, x))))


def _pq_m(dim: int) -> int:
    """Sub-vectors of about 8 dimensions (32 bytes a code at 256-d); must divide the dimension."""
    return max(m for m in range(1, max(1, dim // 8) + 1) if dim % m == 0)


def plan_index(size: int, dim: int, thresholds: SizeThresholds = SizeThresholds(), kind: IndexKind | None = None) -> IndexPlan:
    """The index for `size` vectors of `dim`: by the thresholds, or the kind asked for (benchmarks)."""
    if kind is None:
        kind = (
            IndexKind.ivfpq if size >= thresholds.ivfpq_from
            else IndexKind.hnsw if size >= thresholds.hnsw_from
            else IndexKind.flat
        )
    plan = IndexPlan(kind, dim, size)
    if kind is IndexKind.hnsw:
        # Search breadth grows with the graph's depth (log of the size); recall ≥ 0.95 at 10 was measured with it.
        depth = max(1, math.ceil(math.log2(max(2, size) / 1000)))
        return replace(plan, hnsw_m=32, ef_construction=64, ef_search=min(256, max(64, 16 * depth)))
    if kind is IndexKind.ivfpq:
        # About √n cells of about √n vectors: k-means on 64 vectors a cell stays a few seconds to train,
        # and a query scans nprobe·√n short codes. Fewer cells when there are too few vectors to train them.
        nlist = max(1, min(_pow2(math.sqrt(size)), size // 64))
        return replace(
            plan, nlist=nlist, pq_m=_pq_m(dim), nprobe=min(nlist, max(8, nlist // 64)), refine_k=16,
            train_size=min(size, max(64 * nlist, 10_000)),
        )
    return plan


def _new_index(plan: IndexPlan) -> faiss.Index:
    if plan.kind is IndexKind.flat:
        return faiss.IndexFlatIP(plan.dim)
    if plan.kind is IndexKind.hnsw:
        index = faiss.IndexHNSWFlat(plan.dim, plan.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = plan.ef_construction
        return index
    # "np": no polysemous training (minutes of annealing that plain search does not use).
    spec = f"IVF{plan.nlist},PQ{plan.pq_m}np,Refine(SQ8)"
    return faiss.index_factory(plan.dim, spec, faiss.METRIC_INNER_PRODUCT)


def _apply_search_params(index: faiss.Index, plan: IndexPlan) -> None:
    if plan.kind is IndexKind.hnsw:
        faiss.downcast_index(index).hnsw.efSearch = plan.ef_search  # type: ignore[attr-defined]  # downcast: IndexHNSW
    elif plan.kind is IndexKind.ivfpq:
        faiss.extract_index_ivf(index).nprobe = plan.nprobe
        faiss.downcast_index(index).k_factor = plan.refine_k  # type: ignore[attr-defined]  # downcast: IndexRefine


def _training_sample(vectors: np.ndarray, size: int, seed: int = 0) -> np.ndarray:
    """A seeded random sample: the corpus is ordered by target, its first rows are not representative."""
    if size >= len(vectors):
        return vectors
    rows = np.sort(np.random.default_rng(seed).choice(len(vectors), size, replace=False))
    return vectors[rows]


@contextmanager
def one_thread() -> Iterator[None]:
    """FAISS on one OpenMP thread inside the block: for single queries. Measured on the 2-core machine
    under load, two threads made a 15,000-document flat search 14 ms instead of 0.7 ms. OpenMP keeps
    the setting per calling thread, and it is restored, so builds keep every core."""
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(threads)


class DenseIndex:
    def __init__(self, index: faiss.Index, plan: IndexPlan) -> None:
        self.index = index
        self.plan = plan
        _apply_search_params(index, plan)

    @classmethod
    def build(
        cls, vectors: np.ndarray, thresholds: SizeThresholds = SizeThresholds(), kind: IndexKind | None = None
    ) -> DenseIndex:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        plan = plan_index(len(vectors), vectors.shape[1], thresholds, kind)
        index = _new_index(plan)
        if not index.is_trained:
            index.train(_training_sample(vectors, plan.train_size))
        index.add(vectors)
        return cls(index, plan)

    def __len__(self) -> int:
        return self.index.ntotal

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Scores and positions of the k nearest documents (positions -1 where fewer exist).

        One query runs on one thread (one_thread).
        """
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        with one_thread():
            scores, ids = self.index.search(query, min(k, len(self)))
        return scores[0], ids[0]

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))
        path.with_suffix(".json").write_text(self.plan.to_json() + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        index = faiss.read_index(str(path))
        plan_file = path.with_suffix(".json")
        # Indexes saved before plans were: always exact flat search.
        plan = (
            IndexPlan.from_json(plan_file.read_text(encoding="utf-8")) if plan_file.is_file()
            else IndexPlan(IndexKind.flat, index.d, index.ntotal)
        )
        return cls(index, plan)
