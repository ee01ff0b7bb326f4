"""Policy search: which policy document answers a question, among many near-identical notices.

Each document is cut into passages (~300 characters of whole sentences). For a question every document
gets a few scores, its signals, each in about [0, 1]:

- `passage_bm25`: the best passage's BM25 (jieba tokens), saturated as bm25 / (bm25 + 6);
- `passage_bigrams`: the same over character bigrams, which keep the words jieba cuts differently in a
  question and in a notice (非接触式, 复工复产), saturated as bm25 / (bm25 + 12);
- `document_bm25`: the whole document's BM25, over the best document's;
- `trained_cosine`: the project's trained n-gram encoder, best passage;
- `known_bm25`, `known_e5`: questions already known to be answered by the document (a training split,
  never the one measured): BM25, and the pretrained encoder's cosine query against query;
- `known_prior`: how many known questions the document answers, log(1 + n) / log(6), capped at 1: a
  document people ask about is likely asked about again, and among duplicate notices it is the one the
  answers were taken from;
- `head_e5`, `passage_e5`: the pretrained encoder, question against the document's head (its title and
  issuer, the first 100 characters) and against its best passage;
- `place`: the share of the places the question names (天津市, 南阳市 — jieba's place tags) that the
  document names. Notices of different cities or issuers often share most of their words: the place
  decides between them.

A document's score is a weighted sum of its signals; the weights are learned from known questions
(`intents/policy_ranker.py`, `govassist policy train`). A missing signal (no encoder, no known
questions) scores 0 and its weight is simply not used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import jieba.posseg
import numpy as np

from intents.encoder import Encoder
from intents.lexical import JiebaTokenizer, LexicalIndex
from intents.pretrained import PretrainedEncoder, encode_cached

SIGNALS = (
    "passage_bm25", "passage_bigrams", "document_bm25", "trained_cosine",
    "known_bm25", "known_e5", "known_prior", "head_e5", "passage_e5", "place",
)
SATURATION = 6.0
BIGRAM_SATURATION = 12.0
HEAD_CHARS = 100
# multilingual-e5's cosine lies in a narrow band (about 0.75 for unrelated texts up to 1): rescaled from here.
E5_FLOOR = 0.7
_PLACE_SUFFIX = re.compile("(省|市|县|区|自治州|州)$")


@dataclass(frozen=True)
class KnownQuestion:
    query: str
    docid: str


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


def places(text: str) -> list[str]:
    """The places a text names, without their 省/市/县 suffix (天津市 → 天津), as jieba tags them."""
    found = []
    for word in jieba.posseg.cut(text):
        if word.flag == "ns" and len(word.word) >= 2:
            core = _PLACE_SUFFIX.sub("", word.word) if len(word.word) > 2 else word.word
            if core not in found:
                found.append(core)
    return found


class CharBigrams:
    """Character bigrams of a text's letters and digits (punctuation and spaces dropped)."""

    user_words: list[str] = []

    def __call__(self, text: str) -> list[str]:
        kept = re.sub(r"[^\w]", "", text.lower())
        return [kept[i : i + 2] for i in range(len(kept) - 1)]


def _best_per_doc(values: np.ndarray, doc_of: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size, dtype=np.float32)
    if len(values):
        np.maximum.at(out, doc_of, values)
    return out


def _e5(cosine: np.ndarray) -> np.ndarray:
    return np.clip((cosine - E5_FLOOR) / (1.0 - E5_FLOOR), 0.0, 1.0)


class PolicySearch:
    """Documents ranked by learned weights over the signals above."""

    def __init__(
        self,
        corpus: dict[str, str],
        normalise: Callable[[str], str],
        tokenizer: JiebaTokenizer,
        encoder: Encoder | None = None,
        pretrained: PretrainedEncoder | None = None,
        known: Sequence[KnownQuestion] = (),
        weights: dict[str, float] | None = None,
        cache_dir: Path | None = None,
        progress: Callable[[int, int], None] | None = None,
        pretrained_passages: bool = True,
    ) -> None:
        """pretrained_passages False: the pretrained encoder reads the heads and known questions only
        (a 300-character passage costs it 15-30 ms on a quiet core, several times that on a busy one)."""
        self.doc_ids = list(corpus)
        self.normalise = normalise
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        position = {d: i for i, d in enumerate(self.doc_ids)}
        texts, doc_of = [], []
        for i, doc_id in enumerate(self.doc_ids):
            for p in passages(corpus[doc_id]):
                texts.append(normalise(p))
                doc_of.append(i)
        self.passage_doc = np.array(doc_of, dtype=np.int64)
        self.lexical = LexicalIndex.build(texts, tokenizer)
        self.bigrams = LexicalIndex.build(texts, CharBigrams())  # type: ignore[arg-type]
        self.doc_lexical = LexicalIndex.build([normalise(corpus[d]) for d in self.doc_ids], tokenizer)
        self.known = [k for k in known if k.docid in position]
        self.known_doc = np.array([position[k.docid] for k in self.known], dtype=np.int64)
        known_texts = [normalise(k.query) for k in self.known]
        self.known_lexical = LexicalIndex.build(known_texts, tokenizer) if self.known else None
        self.doc_places = [set(places(corpus[d])) for d in self.doc_ids]
        self.encoder = encoder
        self.trained_vectors = encoder.encode(texts) if encoder is not None else None
        self.pretrained = pretrained
        self.head_vectors = self.passage_vectors = self.known_vectors = None
        if pretrained is not None:
            cache = (lambda kind: cache_dir / f"{pretrained.identity}-{kind}.npz") if cache_dir else (lambda kind: None)
            heads = [normalise(corpus[d][:HEAD_CHARS]) for d in self.doc_ids]
            self.head_vectors = encode_cached(pretrained.encode_passages, heads, cache("passage"))
            if known_texts:
                self.known_vectors = encode_cached(pretrained.encode_queries, known_texts, cache("query"))
            if pretrained_passages:
                self.passage_vectors = encode_cached(pretrained.encode_passages, texts, cache("passage"), progress)

    @property
    def signals(self) -> list[str]:
        """The signals this index can give (the rest score 0)."""
        active = {"passage_bm25", "passage_bigrams", "document_bm25", "place"}
        if self.trained_vectors is not None:
            active.add("trained_cosine")
        if self.known:
            active |= {"known_bm25", "known_prior"} | ({"known_e5"} if self.known_vectors is not None else set())
        if self.head_vectors is not None:
            active.add("head_e5")
        if self.passage_vectors is not None:
            active.add("passage_e5")
        return [s for s in SIGNALS if s in active]

    def features(self, query: str, hidden_known: Collection[int] = (), query_vector: np.ndarray | None = None) -> np.ndarray:
        """(documents × SIGNALS) for one question; hidden_known: known questions to leave out (the
        question's own fold, when weights are learned)."""
        q = self.normalise(query)
        n = len(self.doc_ids)
        out = np.zeros((n, len(SIGNALS)), dtype=np.float32)
        column = {s: i for i, s in enumerate(SIGNALS)}
        bm = self.lexical.scores(q)
        out[:, column["passage_bm25"]] = _best_per_doc(bm / (bm + SATURATION), self.passage_doc, n)
        bi = self.bigrams.scores(q)
        out[:, column["passage_bigrams"]] = _best_per_doc(bi / (bi + BIGRAM_SATURATION), self.passage_doc, n)
        doc_bm = self.doc_lexical.scores(q)
        if doc_bm.max() > 0:
            out[:, column["document_bm25"]] = doc_bm / doc_bm.max()
        if self.trained_vectors is not None and self.encoder is not None:
            cos = self.trained_vectors @ self.encoder.encode_one(q)
            out[:, column["trained_cosine"]] = _best_per_doc(np.clip(cos, 0, 1), self.passage_doc, n)
        keep = np.ones(len(self.known), dtype=bool)
        keep[list(hidden_known)] = False
        if self.known_lexical is not None:
            kb = self.known_lexical.scores(q)[keep]
            out[:, column["known_bm25"]] = _best_per_doc(kb / (kb + SATURATION), self.known_doc[keep], n)
            asked_about = np.bincount(self.known_doc[keep], minlength=n)
            out[:, column["known_prior"]] = np.minimum(np.log1p(asked_about) / np.log(6), 1.0)
        if self.pretrained is not None:
            v = query_vector if query_vector is not None else self.pretrained.encode_queries([q])[0]
            if self.known_vectors is not None:
                out[:, column["known_e5"]] = _best_per_doc(_e5(self.known_vectors[keep] @ v), self.known_doc[keep], n)
            if self.head_vectors is not None:
                out[:, column["head_e5"]] = _e5(self.head_vectors @ v)
            if self.passage_vectors is not None:
                out[:, column["passage_e5"]] = _best_per_doc(_e5(self.passage_vectors @ v), self.passage_doc, n)
        asked = places(q)
        if asked:
            out[:, column["place"]] = [len(d.intersection(asked)) / len(asked) for d in self.doc_places]
        return out

    def scores(self, query: str) -> np.ndarray:
        w = np.array([self.weights.get(s, 0.0) for s in SIGNALS], dtype=np.float32)
        return self.features(query) @ w

    def rank(self, query: str, k: int = 10) -> list[str]:
        return [self.doc_ids[i] for i in np.argsort(-self.scores(query), kind="stable")[:k]]


# Before any training: the fusion the eval used (passages' BM25 with a share of the document's).
DEFAULT_WEIGHTS: dict[str, float] = {"passage_bm25": 0.56, "document_bm25": 0.3, "trained_cosine": 0.14, "known_bm25": 0.56}
