"""转人工 in two real browsers on one server: a citizen asks for a person, an agent signed in to /copilot
in another browser context takes the conversation, they write to each other, and the agent hands back;
the assistant answers again. axe-core checks both pages while they talk."""

from __future__ import annotations

import json
import os

import pytest

from server import STATIC_DIR
from settings import Settings
from tests.conftest import KB_DIR
from tests.test_copilot_e2e import AGENT, PASSWORD, TEXT, console, sign_in
from tests.test_web_e2e import opened, say
from tests.web_support import assert_no_violations, base_url, browser, expect, screenshots  # noqa: F401 (fixtures)

STRINGS = json.loads((STATIC_DIR / "strings.json").read_text(encoding="utf-8"))["normal"]
GREETING = "您好，我是人工客服，请问有什么可以帮您？"
QUESTION = "我的社保卡丢了，要带什么材料去补办？"
REFRESH_DOCS_IMAGES = os.environ.get("GOVASSIST_REFRESH_SCREENSHOTS") == "1"


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    from assistant.staff.accounts import Role, StaffDirectory
    from assistant.storage.db import open_database

    settings = Settings(data_dir=tmp_path_factory.mktemp("handoff-data"), kb_dir=KB_DIR, handoff_hours="00:00-24:00",
                        handoff_days=[1, 2, 3, 4, 5, 6, 7])
    StaffDirectory(open_database(settings.resolved_database_url)).add(AGENT, PASSWORD, Role.staff)
    return settings


def test_a_citizen_asks_for_a_person_an_agent_takes_it_they_talk_and_the_agent_hands_back(browser, base_url):
    with opened(browser, base_url, viewport={"width": 1000, "height": 900}) as citizen, console(browser, base_url) as agent:
        reply = say(citizen, "转人工")
        assert "第1位" in reply and "请稍候" not in reply

        sign_in(agent)
        waiting = agent.locator("#handoff-queue li")
        expect(waiting).to_have_count(1)
        expect(waiting).to_contain_text(TEXT["reason_asked"])
        waiting.get_by_role("button", name=TEXT["take"]).click()
        log = agent.locator("#case-log")
        expect(log).to_contain_text("转人工")
        expect(agent.locator("#case-heading")).to_be_focused()

        # The agent writes; the citizen sees it in the same chat, marked as a person with the 工号.
        agent.get_by_label(TEXT["caseReplyLabel"]).fill(GREETING)
        agent.keyboard.press("Enter")
        from_person = citizen.locator(".msg-agent")
        expect(from_person).to_contain_text(GREETING, timeout=10_000)
        expect(from_person.locator(".msg-speaker")).to_have_text(STRINGS["agentSpeaker"].replace("{number}", "1001"))
        assert AGENT not in citizen.locator("#messages").inner_text()  # the work number, never the account

        # The citizen answers: it reaches the agent, and the assistant does not answer instead.
        bot_replies = citizen.locator(".msg-bot p").count()
        citizen.get_by_label(STRINGS["inputLabel"]).fill(QUESTION)
        citizen.keyboard.press("Enter")
        expect(log).to_contain_text(QUESTION, timeout=10_000)
        assert citizen.locator(".msg-bot p").count() == bot_replies
        assert_no_violations(agent)
        assert_no_violations(citizen)
        screenshots(citizen, "handoff-citizen", REFRESH_DOCS_IMAGES)  # the README's pictures
        screenshots(agent, "handoff-agent", REFRESH_DOCS_IMAGES)

        # The agent hands back; the citizen is told, and the assistant answers again.
        agent.get_by_role("button", name=TEXT["caseReturn"]).click()
        expect(agent.locator("#case-status")).to_have_text(TEXT["handedBack"])
        expect(citizen.locator(".msg-bot p").last).to_contain_text("工号1001", timeout=10_000)
        expect(agent.locator("#no-handoffs")).to_be_visible(timeout=10_000)
        answer = say(citizen, QUESTION)
        assert answer and "工作人员" not in answer
        assert citizen.locator(".msg-agent").count() == 1
