"""Voice endpoints through the real app: refused cleanly without a model, bad audio refused with a
code, speech out as a WAV, and every Turn carrying its spoken form."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from server import create_app
from settings import Settings
from tests.conftest import KB_DIR
from voice.decode import decode_audio
from voice_support import crafted_wav, need_program, spoken_wav


def client_with(tmp_path, router, **settings):
    return TestClient(create_app(Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR, **settings), router=router))


def test_without_a_model_voice_answers_503_saying_how_to_install_one(tmp_path, router):
    with client_with(tmp_path, router) as client:
        response = client.post("/api/voice", content=b"RIFF....", headers={"Content-Type": "audio/wav"})
        assert response.status_code == 503
        body = response.json()
        assert body["code"] == "voice_unavailable" and "模型" in body["message"]
        with client.websocket_connect("/ws/voice") as socket:
            socket.send_bytes(b"\x00" * 100)
            message = socket.receive_json()
        assert message["type"] == "error" and message["code"] == "voice_unavailable"


@pytest.mark.parametrize(
    ("audio", "code"),
    [(b"", "audio_empty"), (b"\x00\x01garbage" * 50, "audio_not_audio"), ("这不是音频".encode() * 20, "audio_not_audio")],
)
def test_bad_audio_is_refused_with_a_stable_code_before_recognition(tmp_path, router, audio, code):
    # A model path is configured (it does not exist): decoding happens first, so bad audio never reaches it.
    with client_with(tmp_path, router, vosk_models={"mandarin": tmp_path / "no-model"}) as client:
        response = client.post("/api/voice", content=audio, headers={"Content-Type": "audio/wav"})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code


def test_crafted_wav_headers_are_a_422_not_a_500(tmp_path, router):
    crafted = [{"channels": 255}, {"bits": 0}, {"rate": 2**31 - 1}, {"format_tag": 0xFFFE}]  # each was a 500
    with client_with(tmp_path, router, vosk_models={"mandarin": tmp_path / "no-model"}) as client:
        answers = [client.post("/api/voice", content=crafted_wav(**header), headers={"Content-Type": "audio/wav"})
                   for header in crafted]
    assert [(a.status_code, a.json()["code"]) for a in answers] == [(422, "audio_corrupt")] * len(crafted)


def test_good_audio_with_a_missing_model_directory_is_a_503_not_a_crash(tmp_path, router):
    need_program("espeak-ng")
    with client_with(tmp_path, router, vosk_models={"mandarin": tmp_path / "no-model"}) as client:
        response = client.post("/api/voice", content=spoken_wav(), headers={"Content-Type": "audio/wav"})
    assert response.status_code == 503 and response.json()["code"] == "voice_model_missing"


def test_tts_returns_a_wav_of_the_spoken_reply(tmp_path, router):
    need_program("espeak-ng")
    with client_with(tmp_path, router) as client:
        response = client.get("/api/tts", params={"text": "已提交！办件编号：GA20261123-000001。"})
        assert response.status_code == 200 and response.headers["content-type"] == "audio/wav"
        assert decode_audio(response.content).seconds > 1
        assert client.get("/api/tts", params={"text": "***"}).json()["code"] == "empty_text"


def test_every_turn_has_a_speech_form_without_masks_or_symbols(tmp_path, router):
    with client_with(tmp_path, router) as client:
        turn = client.post("/api/chat", json={"text": "我想第一次办张社保卡"}).json()
        session = turn["session_id"]
        client.post("/api/chat", json={"session_id": session, "text": "同意"})
        turn = client.post("/api/chat", json={"session_id": session, "text": "我叫张三，身份证110101199003074514"}).json()
    assert turn["speech"] and "*" not in turn["speech"] and "“" not in turn["speech"]
    assert turn["expecting"]["kind"] in ("phone", "choice")
