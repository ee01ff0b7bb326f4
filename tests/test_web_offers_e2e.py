"""The "您可能还需要" panel (服务找人) in a real browser: after a submission it lists what usually follows
and the policies that may apply, each with why; its button starts one. Headless Debian chromium, the
real app, axe-core, a screenshot under tests/artifacts/.
"""

from __future__ import annotations

import pytest

from settings import Settings
from tests.conftest import KB_DIR
from tests.test_web_e2e import DESKTOP, ID, STRINGS, opened, say, tap
from tests.web_support import assert_no_violations, base_url, browser, expect, screenshots  # noqa: F401 (base_url, browser: fixtures)


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("web-offers-data"), kb_dir=KB_DIR)


def test_after_a_submission_the_panel_offers_what_follows_and_a_tap_starts_it(browser, base_url):
    with opened(browser, base_url, **DESKTOP) as page:
        panel = page.locator("#offers-panel")
        say(page, "我刚生了孩子，想第一次办张社保卡")
        tap(page, "同意")
        say(page, f"我叫张三，身份证{ID}，电话13800138000")
        tap(page, "到银行网点领取")
        tap(page, "都有了")
        expect(panel).to_be_hidden()  # nothing is offered before anything is done
        tap(page, "确认提交")

        expect(panel).to_be_visible()
        expect(panel.get_by_role("heading", level=2)).to_have_text(STRINGS["normal"]["offersHeading"])
        expect(panel).to_contain_text("出生医学证明办理")  # a sibling in 新生儿出生一件事
        allowance = panel.locator(".offer", has=page.get_by_role("heading", name="生育津贴", exact=True))
        expect(allowance).to_contain_text("因为您提到“刚生了孩子”")
        expect(allowance).to_contain_text("《女职工劳动保护特别规定》第八条")
        assert_no_violations(page)
        screenshots(page, "web-offers", refresh_docs=False)

        start = allowance.get_by_role("button", name=f"{STRINGS['normal']['offerStart']} 生育津贴")
        reply = page.locator(".msg-bot p")
        before = reply.count()
        start.click()
        expect(reply).to_have_count(before + 1, timeout=20_000)
        expect(page.locator(".msg-user p").last).to_have_text("生育津贴申领")
        expect(reply.last).to_contain_text("生育津贴申领")
        expect(page.locator("#form-service")).to_have_text("生育津贴申领")
