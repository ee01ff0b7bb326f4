"""The routing index: documents, their BM25 index and their FAISS index, saved together on disk.

An index directory is named by a fingerprint of everything it was built from (knowledge base files,
imported sources, normalisation data, encoder), so a changed knowledge base is never served from a
stale index: the fingerprint differs and the index is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from intents.dense import DenseIndex
from intents.documents import Doc, DocField, TargetType, build_docs
from intents.encoder import Encoder
from intents.lexical import JiebaTokenizer, LexicalIndex
from intents.normalise import DATA_DIR as NORMALISE_DATA_DIR
from knowledge.base import KnowledgeBase

FORMAT_VERSION = "1"


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
    code = [Path(__file__).with_name(name) for name in ("normalise.py", "homophones.py", "mandarin.py", "documents.py")]
    files = kb_files(kb_dir, sources_dir) + sorted(NORMALISE_DATA_DIR.glob("*.yaml")) + code
    return hashlib.sha256(f"{files_digest(files)}:{encoder_identity}".encode()).hexdigest()[:20]


def user_words(kb: KnowledgeBase) -> list[str]:
    """Names and aliases jieba must keep whole."""
    words: list[str] = []
    for item in [*kb.services.values(), *kb.bundles.values()]:
        words += [item.name, *item.aliases]
        words += getattr(item, "keywords", [])
    return words


class RoutingIndex:
    def __init__(self, docs: list[Doc], texts: list[str], lexical: LexicalIndex, dense: DenseIndex) -> None:
        self.docs = docs
        self.texts = texts
        self.lexical = lexical
        self.dense = dense
        self.target_of = np.array([d.target_id for d in docs], dtype=object)

    @classmethod
    def build(
        cls,
        kb: KnowledgeBase,
        encoder: Encoder,
        normalise: Callable[[str], str],
        progress: Callable[[str], None] | None = None,
    ) -> RoutingIndex:
        docs = build_docs(kb)
        texts = [normalise(d.text) for d in docs]
        if progress:
            progress(f"lexical index: {len(docs)} documents")
        lexical = LexicalIndex.build(texts, JiebaTokenizer(user_words(kb)))
        if progress:
            progress(f"dense index: encoding {len(docs)} documents")
        dense = DenseIndex.build(encoder.encode(texts))
        return cls(docs, texts, lexical, dense)

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
        return cls(docs, texts, LexicalIndex.load(directory / "bm25"), DenseIndex.load(directory / "dense.faiss"))
