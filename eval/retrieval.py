"""Document retrieval evaluation on a policy QA set (NCPQA): Recall@1/5/10 and MRR at document level.

The system indexes passages (documents cut at sentence ends into ~300-character windows) in BM25 and
FAISS with the configured encoder and fuses them as the router does; a document's score is its best
passage's, plus a share of the whole document's BM25. The baseline is plain BM25 over whole
documents, run in the same command on the same tokens.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from intents.dense import DenseIndex
from intents.encoder import Encoder
from intents.fusion import PretrainedPart, fuse
from intents.lexical import JiebaTokenizer, LexicalIndex
from intents.pretrained import PretrainedEncoder, encode_cached


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


def read_corpus(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as rows:
        return {row["docid"]: row["text"] for row in map(json.loads, rows) if row.get("text")}


def read_queries(path: Path) -> list[RetrievalQuery]:
    with path.open(encoding="utf-8") as rows:
        return [RetrievalQuery(row["query"], row["docid"]) for row in map(json.loads, rows)]


def passages(text: str, size: int = 300, overlap_sentences: int = 1) -> list[str]:
    """Windows of whole sentences, about `size` characters, overlapping by one sentence."""
    sentences = [s for s in re.split(r"(?<=[。；！？\n])", text) if s.strip()]
    windows: list[str] = []
    start = 0
    while start < len(sentences):
        end, length = start, 0
        while end < len(sentences) and (length < size or end == start):
            length += len(sentences[end])
            end += 1
        windows.append("".join(sentences[start:end]))
        if end >= len(sentences):
            break
        start = max(start + 1, end - overlap_sentences)
    return windows or [text]


class PassageRetriever:
    """Fused BM25 + dense retrieval over passages, ranked at document level."""

    def __init__(
        self,
        corpus: dict[str, str],
        encoder: Encoder | None,
        normalise: Callable[[str], str],
        tokenizer: JiebaTokenizer,
        dense_weight: float = 0.4,
        saturation: float = 6.0,
        doc_weight: float = 0.3,
        pretrained: PretrainedEncoder | None = None,
        pretrained_weight: float = 0.3,
        pretrained_floor: float = 0.8,
        cache_dir: Path | None = None,
        known_questions: list[RetrievalQuery] | None = None,
    ) -> None:
        """known_questions (a training split, never the one measured) become passages of the document
        that answers them: the words people ask with, beside the words the document is written in."""
        self.doc_ids = list(corpus)
        self.normalise = normalise
        self.passage_doc: list[int] = []
        texts: list[str] = []
        for d, doc_id in enumerate(self.doc_ids):
            for p in passages(corpus[doc_id]):
                self.passage_doc.append(d)
                texts.append(normalise(p))
        first_known = len(texts)
        position = {doc_id: d for d, doc_id in enumerate(self.doc_ids)}
        for known in known_questions or []:
            if known.docid in position:
                self.passage_doc.append(position[known.docid])
                texts.append(normalise(known.query))
        self.passage_doc_arr = np.array(self.passage_doc)
        self.lexical = LexicalIndex.build(texts, tokenizer)
        self.doc_lexical = LexicalIndex.build([normalise(corpus[d]) for d in self.doc_ids], tokenizer)
        self.encoder = encoder
        self.dense = DenseIndex.build(encoder.encode(texts)) if encoder else None
        self.dense_weight = dense_weight if encoder else 0.0
        self.saturation = saturation
        self.doc_weight = doc_weight
        self.pretrained = pretrained
        self.pretrained_weight = pretrained_weight
        self.pretrained_floor = pretrained_floor
        self.pretrained_index: DenseIndex | None = None
        # The pretrained encoder reads the known questions only (query against query): a 300-character
        # passage costs it about 0.65 s on the 2-core machine under load, 40 minutes for NCPQA's 3,508.
        self.pretrained_rows = np.arange(first_known, len(texts))
        if pretrained is not None and len(self.pretrained_rows):
            cache = cache_dir / f"{pretrained.identity}-query.npz" if cache_dir else None
            known_texts = [texts[i] for i in self.pretrained_rows]
            self.pretrained_index = DenseIndex.build(encode_cached(pretrained.encode_queries, known_texts, cache))

    def rank(self, query: str) -> list[str]:
        q = self.normalise(query)
        part = None
        if self.pretrained is not None and self.pretrained_index is not None:
            vector = self.pretrained.encode_queries([q])[0]
            part = PretrainedPart(self.pretrained_index, self.pretrained_rows, vector, self.pretrained_weight, self.pretrained_floor)
        fused = fuse(q, self.lexical, self.dense, self.encoder, self.dense_weight, self.saturation, depth=200, pretrained=part).fused
        doc_scores = np.zeros(len(self.doc_ids))
        np.maximum.at(doc_scores, self.passage_doc_arr, fused)
        doc_lex = self.doc_lexical.scores(q)
        if doc_lex.max() > 0:
            doc_scores = (1 - self.doc_weight) * doc_scores + self.doc_weight * doc_lex / doc_lex.max()
        return [self.doc_ids[i] for i in np.argsort(-doc_scores, kind="stable")[:10]]


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
