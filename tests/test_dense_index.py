"""The dense index picks its FAISS kind by corpus size, keeps that choice on disk, and stays close to exact search."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from eval.bench_index import synthetic_corpus
from intents.dense import DenseIndex, IndexKind, IndexPlan, SizeThresholds, plan_index

SMALL = SizeThresholds(hnsw_from=1_000, ivfpq_from=10_000)  # thresholds small enough for test data


def exact_top(corpus: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-(queries @ corpus.T), axis=1, kind="stable")[:, :k]


def recall(index: DenseIndex, corpus: np.ndarray, queries: np.ndarray, k: int = 10) -> float:
    exact = exact_top(corpus, queries, k)
    return float(np.mean([len(set(index.search(q, k)[1]) & set(e)) / k for q, e in zip(queries, exact)]))


def test_a_corpus_of_our_size_is_searched_exactly():
    # The knowledge base with an imported provincial catalogue is some 15,000 documents.
    assert plan_index(15_000, 256).kind is IndexKind.flat
    corpus, queries = synthetic_corpus(500, 32, 20)
    index = DenseIndex.build(corpus)
    assert isinstance(index.index, faiss.IndexFlatIP)
    assert recall(index, corpus, queries) == 1.0


@pytest.mark.parametrize(
    ("size", "kind"), [(999, IndexKind.flat), (1_000, IndexKind.hnsw), (9_999, IndexKind.hnsw), (10_000, IndexKind.ivfpq)]
)
def test_the_kind_follows_the_size_thresholds(size, kind):
    assert plan_index(size, 64, SMALL).kind is kind


def test_approximate_parameters_grow_with_the_corpus():
    hnsw = [plan_index(n, 256, kind=IndexKind.hnsw) for n in (50_000, 300_000, 1_000_000)]
    assert [p.ef_search for p in hnsw] == sorted(p.ef_search for p in hnsw) and hnsw[0].ef_search < hnsw[-1].ef_search
    ivf = [plan_index(n, 256) for n in (300_000, 1_000_000, 10_000_000)]
    assert all(p.kind is IndexKind.ivfpq for p in ivf)
    assert ivf[0].nlist < ivf[1].nlist < ivf[2].nlist
    assert all(1 <= p.nprobe <= p.nlist and p.train_size >= 39 * p.nlist for p in ivf)
    # Product-quantiser sub-vectors always divide the dimension, whatever the encoder's dimension.
    assert all(d % plan_index(1_000_000, d).pq_m == 0 for d in (256, 384, 512, 768, 100))


def test_a_mid_size_corpus_gets_an_hnsw_graph_close_to_exact_search():
    corpus, queries = synthetic_corpus(3_000, 32, 50)
    index = DenseIndex.build(corpus, SMALL)
    assert index.plan.kind is IndexKind.hnsw and isinstance(index.index, faiss.IndexHNSWFlat)
    assert index.index.hnsw.efSearch == index.plan.ef_search
    assert recall(index, corpus, queries) >= 0.95


def test_a_large_corpus_gets_ivf_pq_with_re_ranking_close_to_exact_search():
    corpus, queries = synthetic_corpus(12_000, 32, 50)
    index = DenseIndex.build(corpus, SMALL)
    assert index.plan.kind is IndexKind.ivfpq
    assert faiss.extract_index_ivf(index.index).nprobe == index.plan.nprobe
    assert recall(index, corpus, queries) >= 0.9
    scores, ids = index.search(queries[0], 5)
    assert np.allclose(scores, corpus[ids] @ queries[0], atol=0.02)  # re-ranked scores are close to true cosines


@pytest.mark.parametrize("size", [500, 3_000, 12_000])
def test_the_choice_is_saved_with_the_index_and_loaded_back(tmp_path: Path, size):
    corpus, queries = synthetic_corpus(size, 32, 10)
    built = DenseIndex.build(corpus, SMALL)
    built.save(tmp_path / "dense.faiss")
    assert IndexPlan.from_json((tmp_path / "dense.json").read_text(encoding="utf-8")) == built.plan

    # Loaded with the default thresholds, it is still the kind it was built as, searching the same way.
    loaded = DenseIndex.load(tmp_path / "dense.faiss")
    assert loaded.plan == built.plan
    for q in queries:
        assert np.array_equal(loaded.search(q, 10)[1], built.search(q, 10)[1])


def test_an_index_saved_before_plans_existed_loads_as_exact_search(tmp_path: Path):
    corpus, _ = synthetic_corpus(200, 16, 1)
    flat = faiss.IndexFlatIP(16)
    flat.add(corpus)
    faiss.write_index(flat, str(tmp_path / "dense.faiss"))
    loaded = DenseIndex.load(tmp_path / "dense.faiss")
    assert loaded.plan == IndexPlan(IndexKind.flat, 16, 200) and len(loaded) == 200


def test_synthetic_benchmark_data_is_clustered_not_noise():
    corpus, queries = synthetic_corpus(4_000, 64, 50, seed=1)
    assert np.allclose(np.linalg.norm(corpus, axis=1), 1.0, atol=1e-5)
    nearest = np.sort(queries @ corpus.T, axis=1)[:, -10:]
    typical = queries @ corpus[:500].T
    # Each query has close neighbours while most of the corpus is near orthogonal to it.
    assert nearest.mean() > 0.5 > 0.1 > abs(float(np.median(typical)))
    again, _ = synthetic_corpus(4_000, 64, 50, seed=1)
    assert np.array_equal(corpus, again)  # seeded


def test_bench_index_reports_build_memory_latency_and_recall(govassist):
    import json

    result = govassist("bench", "index", "--size", "3000", "--dim", "32", "--queries", "50", "--kind", "hnsw", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{"):])
    assert report["plan"]["kind"] == "hnsw" and report["size"] == 3000 and report["dim"] == 32
    assert report["recall_at_10"] >= 0.95 and report["loaded_agrees"] is True
    assert report["index_bytes"] > 3000 * 32 * 4  # the vectors and the graph
    assert 0 < report["search_p50_ms"] <= report["search_p95_ms"]
