"""Training on a tiny knowledge base, and the index's save, load and rebuild."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from intents.encoder import open_encoder
from intents.index import RoutingIndex
from intents.normalise import Normaliser
from intents.pipeline import ensure_default_encoder, ensure_index, target_names
from intents.router import Decision, Router
from intents.training import TrainConfig
from knowledge.base import load_knowledge_base
from settings import Settings
from tests.conftest import KB_DIR

TINY = ("sscard-apply", "passport", "marriage-registration")
FAST = TrainConfig(epochs=3, embedding_dim=64, num_buckets=2000)


@pytest.fixture
def tiny_settings(tmp_path: Path) -> Settings:
    kb_dir = tmp_path / "kb"
    (kb_dir / "services").mkdir(parents=True)
    (kb_dir / "bundles").mkdir()
    (kb_dir / "policies").mkdir()
    for service in TINY:
        data = yaml.safe_load((KB_DIR / "services" / f"{service}.yaml").read_text(encoding="utf-8"))
        data["related"] = [r for r in data.get("related", []) if r in TINY]
        (kb_dir / "services" / f"{service}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return Settings(data_dir=tmp_path / "data", kb_dir=kb_dir)


def train(settings: Settings) -> Path:
    kb = load_knowledge_base(settings.kb_dir)
    return ensure_default_encoder(settings, kb, Normaliser(), FAST)


def test_training_on_a_tiny_knowledge_base_routes_its_own_services(tiny_settings):
    kb = load_knowledge_base(tiny_settings.kb_dir)
    normaliser = Normaliser()
    encoder = open_encoder(train(tiny_settings))
    router = Router(RoutingIndex.build(kb, encoder, normaliser), encoder, normaliser, target_names(kb))
    for service_id in TINY:
        result = router.route(kb.services[service_id].name)
        assert result.decision is not Decision.none
        assert result.candidates[0].id == service_id


def test_training_is_deterministic_and_cached(tiny_settings, tmp_path):
    first = train(tiny_settings)
    stamp = (first / "model.safetensors").stat().st_mtime_ns
    assert train(tiny_settings) == first  # cached: not trained again
    assert (first / "model.safetensors").stat().st_mtime_ns == stamp
    other = Settings(data_dir=tmp_path / "other", kb_dir=tiny_settings.kb_dir)
    second = train(other)
    texts = ["社保卡怎么办", "护照", "结婚登记要带什么"]
    assert np.array_equal(open_encoder(first).encode(texts), open_encoder(second).encode(texts))


def test_the_index_is_saved_loaded_and_rebuilt_when_the_knowledge_base_changes(tiny_settings):
    kb = load_knowledge_base(tiny_settings.kb_dir)
    normaliser = Normaliser()
    encoder = open_encoder(train(tiny_settings))
    built = ensure_index(tiny_settings, kb, encoder, normaliser)
    index_dirs = list((tiny_settings.data_dir / "index").iterdir())
    assert len(index_dirs) == 1

    loaded = RoutingIndex.load(index_dirs[0])
    assert [d.doc_id for d in loaded.docs] == [d.doc_id for d in built.docs]
    query = encoder.encode_one("护照过期了")
    assert np.allclose(loaded.dense.search(query, 5)[0], built.dense.search(query, 5)[0])
    assert np.allclose(loaded.lexical.scores("护照"), built.lexical.scores("护照"))

    # Same inputs: the saved index is reused, not rebuilt.
    ensure_index(tiny_settings, kb, encoder, normaliser)
    assert list((tiny_settings.data_dir / "index").iterdir()) == index_dirs

    # A changed guide: a new fingerprint, a new index holding the change.
    path = tiny_settings.kb_dir / "services" / "passport.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["aliases"].append("出国证件本")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    kb = load_knowledge_base(tiny_settings.kb_dir)
    rebuilt = ensure_index(tiny_settings, kb, encoder, normaliser)
    assert len(list((tiny_settings.data_dir / "index").iterdir())) == 2
    assert any("出国证件本" in text for text in rebuilt.texts)


def test_faiss_search_agrees_with_brute_force(tiny_settings):
    kb = load_knowledge_base(tiny_settings.kb_dir)
    normaliser = Normaliser()
    encoder = open_encoder(train(tiny_settings))
    index = RoutingIndex.build(kb, encoder, normaliser)
    vectors = encoder.encode(index.texts)
    query = encoder.encode_one("社保卡丢了")
    scores, _ids = index.dense.search(query, 10)
    brute = np.argsort(-(vectors @ query), kind="stable")[:10]
    assert np.allclose(np.sort(scores), np.sort((vectors @ query)[brute]), atol=1e-5)
