"""A reply lost on the way is asked for again, and the message is still applied once: the web app
resends under the same message id, and the server answers from the session. A message sent while
another is pending waits for its reply (the app never sends two turns at once), and one refused 409
conversation_busy is sent again after Retry-After under the same id. Headless Debian chromium and the
real app; the network failure, the held reply and the 409 are made by Playwright.
"""

from __future__ import annotations

import json
import time

import pytest
import yaml
from sqlalchemy import func, select

from settings import Settings
from tests.conftest import KB_DIR
from tests.test_web_e2e import DESKTOP, ID, STRINGS, TRACKING, opened, say, tap
from tests.web_support import base_url, browser, expect  # noqa: F401 (base_url, browser: fixtures)
from web.request_errors import ERRORS_FILE


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("web-resend-data"), kb_dir=KB_DIR)


def applications_filed(settings: Settings) -> int:
    from assistant.storage.db import open_database
    from assistant.storage.personal_tables import ApplicationRow

    with open_database(settings.resolved_database_url)() as session:
        return session.scalar(select(func.count()).select_from(ApplicationRow))


def test_a_confirmation_whose_reply_is_lost_is_resent_and_files_one_application(browser, base_url, settings):
    sent: list[dict] = []

    def lose_the_first_confirmation_reply(route) -> None:
        body = json.loads(route.request.post_data or "{}")
        sent.append(body)
        if body.get("text") == "确认提交" and sum(b.get("text") == "确认提交" for b in sent) == 1:
            route.fetch()  # the server receives it and files the application...
            route.abort("connectionreset")  # ...but the citizen's phone never gets the answer
        else:
            route.continue_()

    with opened(browser, base_url, **DESKTOP) as page:
        page.route("**/api/chat", lose_the_first_confirmation_reply)
        say(page, "我想第一次办张社保卡")
        tap(page, "同意")
        say(page, f"我叫张三，身份证{ID}，电话13800138000")
        tap(page, "到银行网点领取")
        tap(page, "都有了")
        before = applications_filed(settings)

        reply = tap(page, "确认提交")
        number = page.locator("#tracking-number").inner_text()
        assert TRACKING.fullmatch(number) and number in reply
        expect(page.locator("#tracking-status")).to_have_text("已提交")

    confirmations = [b for b in sent if b.get("text") == "确认提交"]
    assert len(confirmations) == 2, "the lost reply is asked for once more"
    assert confirmations[0]["message_id"] == confirmations[1]["message_id"]
    assert len({b["message_id"] for b in sent}) == len(sent) - 1, "every other message has an id of its own"
    assert applications_filed(settings) == before + 1


def type_and_send(page, text: str) -> None:
    page.get_by_label(STRINGS["normal"]["inputLabel"]).fill(text)
    page.keyboard.press("Enter")


def wait_until(page, condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)  # lets Playwright deliver the requests it intercepts


def test_a_message_sent_while_the_reply_to_another_is_pending_waits_for_that_reply(browser, base_url):
    sent: list[dict] = []
    held = []

    def hold_the_first_message(route) -> None:
        sent.append(json.loads(route.request.post_data or "{}"))
        if len(sent) == 1:
            held.append(route)  # its answer is slow in coming
        else:
            route.continue_()

    with opened(browser, base_url, **DESKTOP) as page:
        page.route("**/api/chat", hold_the_first_message)
        type_and_send(page, "我想第一次办张社保卡")
        wait_until(page, lambda: len(sent) == 1)
        type_and_send(page, "要带什么材料？")
        expect(page.locator(".msg-user")).to_have_count(2)  # shown at once as the citizen's message...
        page.wait_for_timeout(1000)
        assert len(sent) == 1, "...but not sent while the first is unanswered"
        assert page.locator("#messages").get_attribute("aria-busy") == "true"

        held[0].continue_()
        expect(page.locator(".msg-bot p")).to_have_count(3, timeout=20_000)  # the welcome and both replies
        expect(page.locator("#messages")).to_have_attribute("aria-busy", "false")
        session = page.evaluate("sessionStorage.getItem('govassist.session')")

    assert [b["text"] for b in sent] == ["我想第一次办张社保卡", "要带什么材料？"]
    assert sent[0]["session_id"] is None and sent[1]["session_id"] == session, "one conversation, not two"


def test_a_message_refused_because_the_conversation_was_busy_is_sent_again_after_retry_after(browser, base_url):
    sent: list[dict] = []
    wording = yaml.safe_load(ERRORS_FILE.read_text(encoding="utf-8"))
    busy = {"code": "conversation_busy", "message": wording["conversation_busy"], "field": None}

    def refuse_the_question_once(route) -> None:
        body = json.loads(route.request.post_data or "{}")
        sent.append(body | {"at": time.monotonic()})
        if body.get("text") == "要带什么材料？" and sum(b.get("text") == "要带什么材料？" for b in sent) == 1:
            route.fulfill(status=409, headers={"Retry-After": "1"}, content_type="application/json", body=json.dumps(busy))
        else:
            route.continue_()

    with opened(browser, base_url, **DESKTOP) as page:
        page.route("**/api/chat", refuse_the_question_once)
        say(page, "我想第一次办张社保卡")
        reply = say(page, "要带什么材料？")
        assert reply != busy["message"]
        expect(page.get_by_text(busy["message"])).to_have_count(0)  # the citizen never sees the refusal

    asked = [b for b in sent if b["text"] == "要带什么材料？"]
    assert len(asked) == 2 and asked[0]["message_id"] == asked[1]["message_id"]
    assert asked[1]["at"] - asked[0]["at"] >= 0.9, "sent again after Retry-After, not at once"
