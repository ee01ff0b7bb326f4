"""A reply lost on the way is asked for again, and the message is still applied once: the web app
resends under the same message id, and the server answers from the session. Headless Debian chromium
and the real app; the network failure is made by Playwright after the server has answered.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from settings import Settings
from tests.conftest import KB_DIR
from tests.test_web_e2e import DESKTOP, ID, TRACKING, opened, say, tap
from tests.web_support import base_url, browser, expect  # noqa: F401 (base_url, browser: fixtures)


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("web-resend-data"), kb_dir=KB_DIR)


def applications_filed(settings: Settings) -> int:
    from assistant.db import open_database
    from assistant.records import ApplicationRow

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
