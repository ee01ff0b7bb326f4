"""The embedded n-gram encoder is served with numpy: the same vectors as sentence-transformers gives for
the same model directory, and a serving worker whose model and index are built never imports torch."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from eval.bench_server import fresh_data_dir, process_environment
from intents.encoder import SentenceTransformerEncoder, open_encoder
from intents.ngram_runtime import NgramEncoder, is_ngram_model
from intents.pipeline import default_encoder_dir
from settings import REPO_ROOT

TORCH_STACK = ("torch", "sentence_transformers", "transformers")


@pytest.fixture(scope="module")
def model_dir(router, routing_settings) -> Path:
    """The default encoder trained for this tree (the `router` fixture trains it and builds its index)."""
    return default_encoder_dir(routing_settings)


def varied_texts(model_dir: Path) -> list[str]:
    """A few hundred texts: known phrases, typos, Latin, digits, unseen and rare characters, punctuation
    alone, nothing at all, and one very long text."""
    vocab = json.loads((model_dir / "ngram_vocab.json").read_text(encoding="utf-8"))
    rng = random.Random(7)
    known = ["".join(rng.sample(vocab[:3000], 3)) for _ in range(150)]
    fixed = [
        "", " ", "\n\t", "。", "？！，、", "!!!...", "（）《》", "社保卡怎么办", "我想办社保卡 急", "设保卡补办",
        "ID card", "Passport RENEWAL 2024", "abc", "x", "123", "0755-12345678", "身份证号110101199003078888",
        "𠀀𠀁𠀂", "㐀㐁", "🙂🙂", "ÅÉÎ ñ", "ᚠᚢᚦ", "护照过期了怎么办？", "結婚登記要帶什麼", "医保 报销 outpatient 50%",
        "我家老人在外地住院了医保怎么报销呢", "营业执照" * 2, "身份证" * 3000, "a1b2c3", "社保卡🙂怎么办",
    ]
    mixed = ["".join(rng.choice(vocab[:5000] + list("abc123 ，。?!𠀀")) for _ in range(rng.randint(1, 40))) for _ in range(150)]
    return fixed + known + mixed


def test_the_trained_default_is_recognised_as_the_ngram_model(model_dir):
    assert is_ngram_model(model_dir)
    assert isinstance(open_encoder(model_dir), NgramEncoder)


def test_numpy_vectors_equal_sentence_transformers_vectors(model_dir):
    numpy_encoder = open_encoder(model_dir)
    reference = SentenceTransformerEncoder(model_dir)
    texts = varied_texts(model_dir)
    assert len(texts) >= 300

    ours = numpy_encoder.encode(texts, batch_size=64)
    theirs = reference.encode(texts)

    assert ours.dtype == np.float32 and ours.shape == theirs.shape == (len(texts), reference.dimension)
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert numpy_encoder.identity == reference.identity  # indexes built with either stay valid
    assert numpy_encoder.dimension == reference.dimension


def test_one_text_and_a_batch_give_the_same_vector(model_dir):
    encoder = open_encoder(model_dir)
    texts = varied_texts(model_dir)[:60]
    batch = encoder.encode(texts)
    for text, row in zip(texts, batch):
        assert np.array_equal(encoder.encode_one(text), row)
    assert encoder.encode([]).shape == (0, encoder.dimension)


def test_any_other_model_directory_goes_through_sentence_transformers(model_dir, tmp_path):
    """Not our exact shape (here: the same model with its weights as pytorch_model.bin): sentence-transformers
    loads it, and it still gives the same vectors."""
    import torch
    from safetensors.torch import load_file

    other = tmp_path / "other"
    for file in model_dir.rglob("*"):
        target = other / file.relative_to(model_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        if file.name == "model.safetensors":
            torch.save(load_file(file), other / "pytorch_model.bin")
        elif file.is_file():
            target.write_bytes(file.read_bytes())

    encoder = open_encoder(other)

    assert not is_ngram_model(other)
    assert isinstance(encoder, SentenceTransformerEncoder)
    texts = ["社保卡怎么办", "", "Passport 2024"]
    assert np.abs(encoder.encode(texts) - open_encoder(model_dir).encode(texts)).max() < 1e-5


SERVE_ONE_TURN = """
import json, sys
from fastapi.testclient import TestClient
from server import create_app
with TestClient(create_app()) as client:
    reply = client.post("/api/chat", json={"text": "社保卡怎么办"})
    assert reply.status_code == 200, reply.text
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1:]))))
"""


def test_a_serving_worker_with_a_built_model_and_index_never_imports_torch(router, routing_settings, tmp_path):
    data_dir = fresh_data_dir(routing_settings.data_dir, tmp_path / "data")  # borrows the trained model and index
    done = subprocess.run(
        [sys.executable, "-c", SERVE_ONE_TURN, *TORCH_STACK],
        cwd=REPO_ROOT, env=process_environment(routing_settings, data_dir), capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
