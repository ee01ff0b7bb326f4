"""The routing index: documents, their BM25 index and their FAISS index, saved together on disk.

An index directory is named by a fingerprint of everything it was built from (knowledge base files,
imported sources, normalisation data, encoder), so a changed knowledge base is never served from a
stale index: the fingerprint differs and the index is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from intents.dense import DenseIndex
from intents.documents import Doc, DocField, TargetType, build_docs
from intents.encoder import Encoder
from intents.pretrained import PretrainedEncoder, encode_cached
from intents.lexical import JiebaTokenizer, LexicalIndex
from intents.normalise import DATA_DIR as NORMALISE_DATA_DIR
from knowledge.base import KnowledgeBase
from knowledge.models import Bundle, Service

FORMAT_VERSION = "1"
PRETRAINED_BATCH = 64


def pretrained_passages(docs: list[Doc], texts: list[str]) -> tuple[list[str], np.ndarray]:
    """What the pretrained encoder indexes, and the document each passage stands for: every document
    but an imported item's single facts (its materials, place, phone: 10,543 of the Guangdong
    catalogue's 12,805 documents, which BM25 and the trained encoder still index), a name card cut
    into its names (the official name and each everyday name on its own: "律师执业证书注销审核；
    注销律师证" read as one text matches neither way of asking as well as each does)."""
    passages: list[str] = []
    rows: list[int] = []
    for i, (doc, text) in enumerate(zip(docs, texts)):
        if doc.target_type is TargetType.imported and doc.field is DocField.guide:
            continue
        parts = [part for part in re.split("[;；]", text) if part.strip()] if doc.field is DocField.card else [text]
        for part in parts or [text]:
            passages.append(part)
            rows.append(i)
    return passages, np.array(rows, dtype=np.int64)


def files_digest(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256(FORMAT_VERSION.encode())
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def kb_files(kb_dir: Path, sources_dir: Path | None) -> list[Path]:
    files = [p for sub in ("services", "bundles", "policies") for p in (kb_dir / sub).glob("*.yaml")]
    files += [kb_dir / "taxonomy.yaml"] if (kb_dir / "taxonomy.yaml").exists() else []
    if sources_dir is not None and sources_dir.is_dir():
        files += list(sources_dir.glob("*.jsonl"))
    return files


def fingerprint(kb_dir: Path, sources_dir: Path | None, encoder_identity: str) -> str:
    code = [Path(__file__).with_name(name) for name in ("normalise.py", "homophones.py", "mandarin.py", "documents.py", "index.py")]
    files = kb_files(kb_dir, sources_dir) + sorted(NORMALISE_DATA_DIR.glob("*.yaml")) + code
    return hashlib.sha256(f"{files_digest(files)}:{encoder_identity}".encode()).hexdigest()[:20]


def user_words(kb: KnowledgeBase) -> list[str]:
    """Names and aliases jieba must keep whole."""
    words: list[str] = []
    guides: list[Service | Bundle] = [*kb.services.values(), *kb.bundles.values()]
    for item in guides:
        words += [item.name, *item.aliases]
        words += getattr(item, "keywords", [])
    return words


class RoutingIndex:
    def __init__(
        self, docs: list[Doc], texts: list[str], lexical: LexicalIndex, dense: DenseIndex,
        pretrained: DenseIndex | None = None, pretrained_rows: np.ndarray | None = None,
    ) -> None:
        self.docs = docs
        self.texts = texts
        self.lexical = lexical
        self.dense = dense
        # The pretrained encoder's index and, for each of its vectors, the document's position.
        self.pretrained = pretrained
        self.pretrained_rows = pretrained_rows if pretrained_rows is not None else np.zeros(0, dtype=np.int64)
        self.target_of = np.array([d.target_id for d in docs], dtype=object)

    @classmethod
    def build(
        cls,
        kb: KnowledgeBase,
        encoder: Encoder,
        normalise: Callable[[str], str],
        progress: Callable[[str], None] | None = None,
        pretrained: PretrainedEncoder | None = None,
        cache_dir: Path | None = None,
    ) -> RoutingIndex:
        """cache_dir keeps the pretrained encoder's vectors by text, so a changed knowledge base encodes
        only its changed documents again."""
        docs = build_docs(kb)
        texts = [normalise(d.text) for d in docs]
        if progress:
            progress(f"lexical index: {len(docs)} documents")
        lexical = LexicalIndex.build(texts, JiebaTokenizer(user_words(kb)))
        if progress:
            progress(f"dense index: encoding {len(docs)} documents")
        dense = DenseIndex.build(encoder.encode(texts))
        if pretrained is None:
            return cls(docs, texts, lexical, dense)
        passages, rows = pretrained_passages(docs, texts)
        if progress:
            progress(f"pretrained index ({pretrained.name}): {len(passages)} passages (vectors cached by text)")
        step = max(1, len(passages) // 20 // PRETRAINED_BATCH) * PRETRAINED_BATCH
        report = (lambda done, total: progress(f"  encoded {done}/{total}") if done % step == 0 or done == total else None) if progress else None
        cache_file = cache_dir / f"{pretrained.identity}-passage.npz" if cache_dir else None
        vectors = encode_cached(pretrained.encode_passages, passages, cache_file, report, PRETRAINED_BATCH)
        return cls(docs, texts, lexical, dense, DenseIndex.build(vectors), rows)

    def save(self, directory: Path) -> None:
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        (tmp / "bm25").mkdir(parents=True)
        with (tmp / "docs.jsonl").open("w", encoding="utf-8") as out:
            for doc, text in zip(self.docs, self.texts):
                row = asdict(doc) | {"normalised": text}
                out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        self.lexical.save(tmp / "bm25")
        self.dense.save(tmp / "dense.faiss")
        if self.pretrained is not None:
            self.pretrained.save(tmp / "pretrained.faiss")
            np.save(tmp / "pretrained_rows.npy", self.pretrained_rows)
        shutil.rmtree(directory, ignore_errors=True)
        tmp.rename(directory)  # readers see a whole index or none

    @classmethod
    def load(cls, directory: Path) -> RoutingIndex:
        docs: list[Doc] = []
        texts: list[str] = []
        with (directory / "docs.jsonl").open(encoding="utf-8") as rows:
            for line in rows:
                row = json.loads(line)
                texts.append(row.pop("normalised"))
                row["target_type"] = TargetType(row["target_type"])
                row["field"] = DocField(row["field"])
                docs.append(Doc(**row))
        pretrained = DenseIndex.load(directory / "pretrained.faiss") if (directory / "pretrained.faiss").is_file() else None
        pretrained_rows = np.load(directory / "pretrained_rows.npy") if pretrained is not None else None
        return cls(
            docs, texts, LexicalIndex.load(directory / "bm25"), DenseIndex.load(directory / "dense.faiss"), pretrained, pretrained_rows
        )
