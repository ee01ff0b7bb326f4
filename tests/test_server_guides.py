"""The JSON API serves the knowledge base through the real ASGI app."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from server import create_app
from settings import Settings
from tests.conftest import KB_DIR


@pytest.fixture(scope="module")
def client(tmp_path_factory, router):
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), kb_dir=KB_DIR)
    with TestClient(create_app(settings, router=router)) as c:
        yield c


def test_health_counts_what_is_loaded(client):
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["services"] >= 68 and body["bundles"] == 5


def test_health_names_the_signals_routing_fuses(client):
    signals = client.get("/api/health").json()["signals"]
    assert signals[0] == "bm25"
    assert [s.split(":")[0] for s in signals[1:]] == ["trained-encoder", "pretrained-encoder"]


def test_a_guide_is_served_by_id(client):
    body = client.get("/api/services/passport").json()
    assert body["name"] == "普通护照申领" and body["kind"] == "apply" and "【所需材料】" in body["guide"]


def test_an_unknown_service_is_a_404_with_a_stable_code_and_chinese_message(client):
    response = client.get("/api/services/nope")
    assert response.status_code == 404
    assert response.json() == {"code": "service_not_found", "message": "未找到该事项，请检查事项编号。", "field": None}
