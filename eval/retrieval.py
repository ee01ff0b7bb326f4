"""Document retrieval evaluation on a policy QA set (NCPQA): Recall@1/5/10 and MRR at document level.

The system is policy search (intents/policy_search.py) with the weights `govassist policy train`
learned; the baseline is plain BM25 over whole documents, run in the same command on the same tokens.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from intents.lexical import JiebaTokenizer, LexicalIndex


@dataclass(frozen=True)
class RetrievalQuery:
    query: str
    docid: str


@dataclass
class RetrievalScores:
    recall_at_1: float
    recall_at_5: float
    recall_at_10: float
    mrr: float

    @classmethod
    def of(cls, ranks: list[int]) -> RetrievalScores:
        r = np.array(ranks)  # 1-based rank of the right document; 0 = not retrieved
        found = r > 0
        return cls(
            recall_at_1=float(np.mean(found & (r <= 1))),
            recall_at_5=float(np.mean(found & (r <= 5))),
            recall_at_10=float(np.mean(found & (r <= 10))),
            mrr=float(np.mean(np.where(found, 1.0 / np.maximum(r, 1), 0.0))),
        )


def read_queries(path: Path) -> list[RetrievalQuery]:
    with path.open(encoding="utf-8") as rows:
        return [RetrievalQuery(row["query"], row["docid"]) for row in map(json.loads, rows)]


class WholeDocumentBM25:
    """The baseline: plain BM25 over whole documents, jieba tokens."""

    def __init__(self, corpus: dict[str, str], tokenizer: JiebaTokenizer) -> None:
        self.doc_ids = list(corpus)
        self.index = LexicalIndex.build(list(corpus.values()), tokenizer)

    def rank(self, query: str) -> list[str]:
        scores = self.index.scores(query)
        return [self.doc_ids[i] for i in np.argsort(-scores, kind="stable")[:10]]


def evaluate(ranker: Callable[[str], list[str]], queries: list[RetrievalQuery]) -> tuple[RetrievalScores, float]:
    ranks: list[int] = []
    start = time.perf_counter()
    for q in queries:
        ranking = ranker(q.query)
        ranks.append(ranking.index(q.docid) + 1 if q.docid in ranking else 0)
    per_query_ms = (time.perf_counter() - start) * 1000 / max(1, len(queries))
    return RetrievalScores.of(ranks), per_query_ms
