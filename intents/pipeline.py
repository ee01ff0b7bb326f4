"""Builds the understanding pipeline from settings: encoder, index and router, each cached on disk.

The embedded default encoder is trained when no trained copy for this knowledge base exists; the
index is rebuilt when its fingerprint (knowledge base, sources, normalisation data, encoder) is not
on disk. Both are written atomically, so a half-built model or index is never read, and under a file
lock, so processes starting together build each once.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from intents.build_lock import build_lock
from intents.documents import build_docs, load_out_of_scope
from intents.encoder import Encoder, EncoderNotFound, open_encoder
from intents.homophones import HomophoneRepair
from intents.index import RoutingIndex, files_digest, fingerprint, kb_files
from intents.normalise import DATA_DIR as INTENTS_DATA_DIR
from intents.normalise import Normaliser
from intents.pretrained import PretrainedEncoder, open_pretrained
from intents.router import Router, RouterPolicy
from intents.training import TrainConfig, train_encoder, training_pairs
from knowledge.base import KnowledgeBase
from settings import Settings

Report = Callable[[str], None]
# The code that turns text into what the encoder and the index see: a change to it must retrain/reindex.
NORMALISING_CODE = ("normalise.py", "homophones.py", "mandarin.py")
TrainProgress = Callable[[int, int], None]


def default_encoder_dir(settings: Settings, config: TrainConfig = TrainConfig()) -> Path:
    """Where the default encoder trained from this knowledge base lives (its key names its inputs)."""
    inputs = kb_files(settings.kb_dir, None) + sorted(INTENTS_DATA_DIR.glob("*.yaml"))
    code = [Path(__file__).with_name(name) for name in (*NORMALISING_CODE, "training.py", "ngrams.py", "ngram_embedding.py")]
    key = hashlib.sha256(f"{files_digest(inputs + code)}:{json.dumps(asdict(config))}".encode()).hexdigest()[:16]
    return settings.data_dir / "models" / f"default-{key}"


def ensure_default_encoder(
    settings: Settings,
    kb: KnowledgeBase,
    normaliser: Normaliser,
    config: TrainConfig = TrainConfig(),
    force: bool = False,
    progress: TrainProgress | None = None,
) -> Path:
    target = default_encoder_dir(settings, config)
    if (target / "modules.json").is_file() and not force:
        return target
    with build_lock(target, settings.data_dir / "locks"):
        if (target / "modules.json").is_file() and not force:
            return target  # trained by another process while this one waited
        out_of_scope = load_out_of_scope()
        pairs = training_pairs(kb, normaliser, out_of_scope)
        vocab_texts = [normaliser(d.text) for d in build_docs(kb, out_of_scope, include_imported=False)]
        vocab_texts += [p.anchor for p in pairs]
        tmp = target.with_name(target.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        train_encoder(pairs, vocab_texts, tmp, config, progress)
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
    return target


def load_encoder(settings: Settings, kb: KnowledgeBase, normaliser: Normaliser, progress: TrainProgress | None = None) -> Encoder:
    if settings.encoder_path is not None:
        if not (settings.encoder_path / "modules.json").is_file():
            raise EncoderNotFound(
                f"GOVASSIST_ENCODER_PATH={settings.encoder_path} is not a sentence-transformers model directory"
            )
        return open_encoder(settings.encoder_path)
    return open_encoder(ensure_default_encoder(settings, kb, normaliser, progress=progress))


def load_pretrained(settings: Settings) -> PretrainedEncoder | None:
    """The pretrained encoder the settings name, loaded once per process; None only when turned off.
    Raises PretrainedUnavailable (one line, with the fix) when it cannot be loaded."""
    return open_pretrained(settings.pretrained_path) if settings.pretrained else None


def ensure_index(
    settings: Settings, kb: KnowledgeBase, encoder: Encoder, normaliser: Normaliser, report: Report | None = None,
    edits_key: str = "", pretrained: PretrainedEncoder | None = None,
) -> RoutingIndex:
    """The index for kb; edits_key names the operators' edits laid over the files (knowledge/overlay.py).
    Its fingerprint names both encoders, so an index built with one model is never read with another."""
    identity = encoder.identity if pretrained is None else f"{encoder.identity}+{pretrained.identity}"
    identity = f"{identity}+{edits_key}" if edits_key else identity
    directory = settings.data_dir / "index" / fingerprint(settings.kb_dir, settings.sources_dir, identity)
    if (directory / "dense.faiss").is_file():
        return RoutingIndex.load(directory)
    with build_lock(directory, settings.data_dir / "locks"):
        if (directory / "dense.faiss").is_file():
            return RoutingIndex.load(directory)  # built by another process while this one waited
        if report:
            report(f"building index {directory.name}")
        index = RoutingIndex.build(kb, encoder, normaliser, report, pretrained, settings.vectors_dir)
        index.save(directory)
    return index


def target_names(kb: KnowledgeBase) -> dict[str, str]:
    names = {s.id: s.name for s in kb.services.values()}
    names |= {b.id: b.name for b in kb.bundles.values()}
    names |= {i.id: i.name for i in kb.imported.values()}
    names |= {p.id: p.title for p in kb.policies.values()}
    return names


def kb_normaliser(kb: KnowledgeBase) -> Normaliser:
    """The normaliser for this knowledge base: homophone slips (设保卡) repaired towards its terms."""
    return Normaliser(repair=HomophoneRepair.from_kb(kb))


def build_router(
    settings: Settings, kb: KnowledgeBase, report: Report | None = None, train_progress: TrainProgress | None = None,
    edits_key: str = "",
) -> Router:
    """The router for kb. The encoder is trained from the files alone; edits reach the index (edits_key)."""
    normaliser = kb_normaliser(kb)
    pretrained = load_pretrained(settings)  # first: a model that cannot load stops start-up before any work
    encoder = load_encoder(settings, kb, normaliser, train_progress)
    index = ensure_index(settings, kb, encoder, normaliser, report, edits_key, pretrained)
    policy = RouterPolicy.load(settings.router_policy_path or RouterPolicy.default_file(bool(kb.imported)))
    return Router(index, encoder, normaliser, target_names(kb), policy, pretrained,
                  query_vectors_kept=settings.query_vectors_kept)
