"""长辈模式 replies: the short forms in assistant/data/messages_elder.yaml, and the API that asks for them.

A short form says one idea a sentence, with at most about 40 characters before its question, so an
old person reading a phone (or hearing it read aloud) gets to the question quickly.
"""

from __future__ import annotations

import re
import string

import pytest
from fastapi.testclient import TestClient

from assistant.common.messages import default_messages
from server import create_app
from settings import Settings
from tests.conftest import KB_DIR

MESSAGES = default_messages()
SHORT = MESSAGES.short_forms()
BEFORE_QUESTION = 40  # characters, placeholders left out
SENTENCE = 24  # characters of one sentence: one idea


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def words(template: str) -> str:
    """What the template itself says: placeholders (a service's name, a list of fields) left out."""
    return re.sub(r"\{\w*\}", "", template).strip()


def before_question(text: str) -> str:
    """Everything before the last sentence that asks something (all of it when nothing is asked)."""
    sentences = re.findall(r"[^。！？\n]*[。！？\n]?", text)
    asked = [i for i, s in enumerate(sentences) if s.endswith("？")]
    return "".join(sentences[: asked[-1]] if asked else sentences)


def test_there_are_short_forms_and_each_rewords_a_message_that_exists():
    assert "consent" in SHORT and "submitted" in SHORT
    assert set(SHORT) <= MESSAGES.keys(), set(SHORT) - MESSAGES.keys()


@pytest.mark.parametrize("key", sorted(SHORT))
def test_a_short_form_is_short_and_fills_from_the_same_values(key):
    normal, short = MESSAGES._templates[key], SHORT[key]
    assert placeholders(short) <= placeholders(normal)  # rendered from the same event, nothing more needed
    assert len(words(short)) <= len(words(normal))
    assert len(before_question(words(short))) <= BEFORE_QUESTION, before_question(words(short))
    long_sentences = [s for s in re.split(r"[。！？\n]", words(short)) if len(s) > SENTENCE]
    assert long_sentences == []


def test_the_elder_consent_asks_without_listing_the_fields():
    fields = "持卡人姓名、持卡人身份证号码、联系电话、邮寄地址、领卡方式、申领原因"
    normal = MESSAGES("consent", name="社会保障卡申领", fields=fields)
    short = MESSAGES.elder("consent", name="社会保障卡申领", fields=fields)
    assert fields in normal and "持卡人姓名" not in short
    assert short.endswith("您同意吗？") and len(before_question(short)) <= BEFORE_QUESTION + len("社会保障卡申领")


def test_a_key_without_a_short_form_keeps_its_normal_words():
    assert "chip_yes" not in SHORT and MESSAGES.elder("chip_yes") == MESSAGES("chip_yes")


# -- through the API ---------------------------------------------------------------------------------


@pytest.fixture
def client(tmp_path, router):
    with TestClient(create_app(Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR), router=router)) as c:
        yield c


def chat(client, text: str, **more) -> dict:
    response = client.post("/api/chat", json={"text": text, **more})
    assert response.status_code == 200, response.text
    return response.json()


def test_in_elder_mode_the_api_asks_for_consent_in_the_short_form_and_the_same_conversation_goes_on(client):
    normal = chat(client, "我想补办社保卡")
    client.cookies.clear()
    elder = chat(client, "我想补办社保卡", elder=True)
    name = elder["service"]["name"]
    assert (normal["state"], elder["state"]) == ("consent", "consent")
    assert normal["reply"] == MESSAGES("consent", name=name, fields=normal["reply"].split("：")[1].split("。")[0])
    assert elder["reply"] == MESSAGES.elder("consent", name=name)  # no list of six fields
    assert elder["suggestions"] == normal["suggestions"]  # the same step, the same buttons
    # Elder mode is asked for turn by turn (default off): the next answer follows the page's mode.
    turn = chat(client, "同意", session_id=elder["session_id"])
    assert turn["state"] == "filling"


def test_health_says_whether_the_page_may_offer_its_microphone(client):
    assert client.get("/api/health").json()["voice"] is False  # no speech model configured
