"""A citizen follows their own case in a real browser (headless Debian chromium, one live server for the
module): a street-light report filed in the chat, its read-back with their own answers, a reload that
brings the conversation back, 查看进度 showing the work order's status, and a 2,000-character paste
refused with the limit stated."""

from __future__ import annotations

import json
import re

import pytest

from server import STATIC_DIR
from settings import Settings
from tests.conftest import KB_DIR
from tests.web_support import (  # noqa: F401 (base_url, browser: fixtures)
    PolicyWatch, assert_no_violations, base_url, browser, expect, reply_to,
)
from tests import web_support
from web.models import MAX_MESSAGE_CHARS

STRINGS = json.loads((STATIC_DIR / "strings.json").read_text(encoding="utf-8"))["normal"]
PHONE = "13800138000"
PLACE = "天河区天河路385号门口"
WORK_ORDER = re.compile(r"WO\d{8}-\d{6}")


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("cases-web-data"), kb_dir=KB_DIR)


def say(page, text: str) -> str:
    return web_support.say(page, STRINGS["inputLabel"], text)


def tap(page, chip: str) -> str:
    return reply_to(page, lambda: web_support.chip(page, chip).click())


def conversation(page) -> list[str]:
    return page.locator(".messages .msg p").all_inner_texts()


def test_a_reported_street_light_is_followed_in_the_page_across_a_reload(browser, base_url):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    watch = PolicyWatch(ctx, base_url)
    page = ctx.new_page()
    try:
        watch.served(page.goto(base_url))
        expect(page.locator(".msg-bot p").first).to_have_text(STRINGS["welcome"])  # the page is ready
        say(page, "我家楼下的路灯坏了好几天了")
        tap(page, "同意")
        say(page, PLACE)
        say(page, "前天")
        tap(page, "是")
        say(page, "张三")
        readback = say(page, PHONE)
        # The read-back shows the citizen what they gave, in the chat and in the panel.
        assert PHONE in readback and "张三" in readback and PLACE in readback
        expect(page.locator("#confirm-list")).to_contain_text(PHONE)

        # A reload brings back the whole conversation, the read-back and its quick replies.
        before = conversation(page)
        page.reload()
        expect(page.locator(".messages .msg p")).to_have_count(len(before))
        assert conversation(page) == before
        expect(page.locator("#confirm-panel")).to_be_visible()
        expect(page.locator("#confirm-list")).to_contain_text(PHONE)
        filed = tap(page, "确认提交")

        number = page.locator("#tracking-number").inner_text()
        assert WORK_ORDER.fullmatch(number) and number in filed
        expect(page.locator("#tracking-status")).to_have_text("已受理")
        page.get_by_role("button", name=STRINGS["checkProgress"]).click()
        result = page.locator("#progress-result")
        expect(result).to_contain_text("已受理")
        expect(result).to_contain_text("求助")
        expect(result).to_contain_text("城市管理")
        expect(result).not_to_contain_text("没有找到")

        # A paste of 2,000 characters is kept whole and refused, saying the limit; nothing is sent.
        sent = page.locator(".msg-user").count()
        box = page.get_by_label(STRINGS["inputLabel"])
        box.fill("路灯" * 1000)
        assert len(box.input_value()) == 2000  # not cut
        note = page.locator("#message-limit")
        expect(note).to_have_text(STRINGS["messageCount"].format(count=2000, max=MAX_MESSAGE_CHARS))
        page.keyboard.press("Enter")
        expect(note).to_have_text(STRINGS["messageTooLong"].format(count=2000, max=MAX_MESSAGE_CHARS))
        assert len(box.input_value()) == 2000 and page.locator(".msg-user").count() == sent  # kept, not sent
        assert_no_violations(page)
        watch.check(page)
    finally:
        ctx.close()
