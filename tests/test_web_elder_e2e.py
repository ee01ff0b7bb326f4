"""长辈模式 on a phone, in a real browser: an old person starts and finishes an application at 360×740
and 390×844 without scrolling to find a button.

At every step the controls of that step (its quick-reply buttons, the input, 发送, the mode switch)
are inside the screen, at least 48 px each way, apart from each other, and on top (nothing covers
them: document.elementFromPoint at their centre and edges finds them), and the question just
asked is in view. One live server and one browser for the module; axe-core checks the page.
"""

from __future__ import annotations

import re

import pytest

from assistant.common.messages import default_messages
from settings import Settings
from tests import web_support
from tests.conftest import KB_DIR
from tests.phone_layout import ELDER_MIN_PX, LATEST, NORMAL_MIN_PX, check_step, one_line
from tests.test_web_e2e import ID, REFRESH_DOCS_IMAGES, STRINGS, TRACKING, opened
from tests.web_support import assert_no_violations, base_url, browser, expect, reply_to, screenshots  # noqa: F401 (fixtures)

PHONES = {
    "360x740": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
    "390x844": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
MESSAGES = default_messages()


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("web-elder-data"), kb_dir=KB_DIR)


def answered(page, act) -> dict:
    reply_to(page, act)
    expect(page.locator("#messages")).to_have_attribute("aria-busy", "false")  # the step's buttons are in place
    return page.evaluate(LATEST)


def tap(page, chip: str) -> dict:
    return answered(page, lambda: web_support.chip(page, chip).tap())


def type_in(page, text: str) -> dict:
    def act() -> None:
        page.locator("#message-input").fill(text)
        page.locator("#composer .send").tap()
    return answered(page, act)


def switch_on_elder_mode(page) -> None:
    expect(page.locator(".msg-bot p").first).to_have_text(STRINGS["normal"]["welcome"])  # the page is ready
    page.locator("#elder-toggle").tap()
    expect(page.locator("html")).to_have_class("elder")


@pytest.mark.parametrize("phone", PHONES)
def test_an_old_person_on_a_phone_applies_with_every_button_of_each_step_in_view(browser, base_url, phone):
    with opened(browser, base_url, **PHONES[phone]) as page:
        switch_on_elder_mode(page)
        assert one_line(page, "#elder-toggle [data-text=elderOn]")
        # No speech model on this server: no microphone, and the welcome says to type or ask family.
        welcome = STRINGS["elder"]["welcome"]
        expect(page.locator(".msg-bot p").first).to_have_text(welcome)
        assert "家人" in welcome and "话筒" not in welcome
        page.wait_for_load_state("networkidle")  # the page has asked the server whether it can listen
        expect(page.locator("#mic")).to_be_hidden()
        first_step = [*STRINGS["normal"]["starters"], "message-input", STRINGS["normal"]["send"], "elder-toggle"]
        check_step(page, ELDER_MIN_PX, first_step)

        consent = tap(page, "补办社保卡")
        service = page.locator(".card h3").inner_text()
        assert consent["text"] == MESSAGES.elder("consent", name=service)  # short: the fields are not listed
        assert consent["cardBefore"]  # the service card above the question, not pushing it away
        check_step(page, ELDER_MIN_PX, ["同意", "不同意"])
        assert_no_violations(page)
        if phone == "390x844":
            screenshots(page, "web-elderly-phone", REFRESH_DOCS_IMAGES)

        tap(page, "同意")
        check_step(page, ELDER_MIN_PX, ["message-input"])  # the first question: typed
        type_in(page, f"我叫张三，身份证{ID}，电话13800138000")
        check_step(page, ELDER_MIN_PX, ["卡丢失，挂失并补卡"])
        tap(page, "卡丢失，挂失并补卡")
        check_step(page, ELDER_MIN_PX, ["到银行网点领取"])
        tap(page, "到银行网点领取")
        check_step(page, ELDER_MIN_PX, ["都有了"])  # the materials: a reply taller than the box shows from its start
        confirm = tap(page, "都有了")
        assert confirm["text"].startswith(MESSAGES.elder("confirm", lines="").split("\n")[0])
        check_step(page, ELDER_MIN_PX, ["确认提交"])

        submitted = tap(page, "确认提交")
        number = TRACKING.search(submitted["text"]).group()
        expected = re.search(r"预计(.+?)办好", submitted["text"])[1]
        assert submitted["text"].startswith(MESSAGES.elder("submitted", number=number, expected=expected))
        check_step(page, ELDER_MIN_PX, ["message-input"])  # the reply with the tracking number is in view
        expect(page.locator("#tracking-number")).to_have_text(number)
        assert "管理员" not in page.locator("body").inner_text()
        assert_no_violations(page)


@pytest.mark.parametrize("phone", PHONES)
def test_in_the_normal_mode_the_buttons_of_each_step_are_in_view_on_a_phone(browser, base_url, phone):
    with opened(browser, base_url, **PHONES[phone]) as page:
        expect(page.locator(".msg-bot p").first).to_have_text(STRINGS["normal"]["welcome"])
        check_step(page, NORMAL_MIN_PX, [*STRINGS["normal"]["starters"], "message-input", "elder-toggle"])
        consent = tap(page, "补办社保卡")
        check_step(page, NORMAL_MIN_PX, ["同意", "不同意"])
        assert consent["cardBefore"] and "持卡人姓名" in consent["text"]  # the normal wording lists the fields
        assert_no_violations(page)
        tap(page, "同意")
        check_step(page, NORMAL_MIN_PX, ["message-input"])
