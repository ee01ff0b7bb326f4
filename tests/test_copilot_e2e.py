"""The staff console (/copilot) in a real browser: headless Debian chromium drives the page the real app serves.

An agent signs in, a caller's words stream in line by line over WS /ws/copilot/{call_id}, the console
shows the right guide and the caller's details masked, the agent reveals one, creates a work order and
moves it through its lifecycle; axe-core checks the console for WCAG 2.x A/AA violations.
"""

from __future__ import annotations

import json
import os
import re
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

from assistant.cases.workorder_status import TRANSITIONS, default_labels
from server import STATIC_DIR
from settings import Settings
from tests.conftest import KB_DIR
from tests.web_support import (  # noqa: F401 (base_url, browser: fixtures)
    PageMarkup,
    PolicyWatch,
    assert_no_violations,
    base_url,
    browser,
    expect,
    screenshots,
)

STRINGS = json.loads((STATIC_DIR / "copilot-strings.json").read_text(encoding="utf-8"))
TEXT = STRINGS["text"]
CONSOLE_FILES = ["copilot.js", *(p.name for p in STATIC_DIR.glob("copilot-*.js"))]
REFRESH_DOCS_IMAGES = os.environ.get("GOVASSIST_REFRESH_SCREENSHOTS") == "1"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

AGENT, PASSWORD = "agent01", "correct-horse-battery"
PHONE = "13800138000"
DEPT = "人力资源和社会保障局"
# A caller who lost their social security card, then gives their name, phone and address.
CALL = [
    "喂，你好，我想问个事。",
    "我的社保卡前两天丢了，不知道要怎么补办。",
    f"我叫张三，电话是{PHONE}。",
    "我住在北京市朝阳区建国路88号。",
]
WORK_ORDER = re.compile(r"WO\d{8}-\d{6}")


# -- the page's own files, without a browser -------------------------------------------------------


def test_the_console_has_no_inline_code_no_outside_urls_and_every_sentence_in_its_strings_file():
    markup = PageMarkup()
    markup.feed((STATIC_DIR / "copilot.html").read_text(encoding="utf-8"))
    assert markup.inline == []  # a CSP of script-src 'self' must not block anything
    assert all(url.startswith(("/static/", "#")) for url in markup.urls), markup.urls
    sources = [(STATIC_DIR / name).read_text(encoding="utf-8") for name in CONSOLE_FILES]
    used = markup.keys | {key for js in sources for key in re.findall(r'\btext\("(\w+)"', js)}
    assert used <= set(TEXT), used - set(TEXT)
    for js in sources:
        assert not re.search(r"""(import|from|fetch\()\s*["'](https?:)?//""", js)


def test_the_work_order_names_and_changes_the_console_shows_are_those_of_the_server():
    labels = default_labels()
    assert STRINGS["types"] == {k.value: v for k, v in labels.types.items()}
    assert STRINGS["urgencies"] == {k.value: v for k, v in labels.urgencies.items()}
    assert STRINGS["caller_fields"] == {k.value: v for k, v in labels.caller_fields.items()}
    assert STRINGS["changes"] == labels.changes
    assert {k: set(v) for k, v in STRINGS["next"].items()} == {k.value: {s.value for s in v} for k, v in TRANSITIONS.items()}


# -- in the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    from assistant.staff.accounts import Role, StaffDirectory
    from assistant.storage.db import open_database

    settings = Settings(data_dir=tmp_path_factory.mktemp("copilot-data"), kb_dir=KB_DIR)
    StaffDirectory(open_database(settings.resolved_database_url)).add(AGENT, PASSWORD, Role.staff)
    return settings


@contextmanager
def console(browser, base_url: str):
    """/copilot in a fresh browser context, under the strict Content-Security-Policy the server sends;
    afterwards, check no CSP violation was reported and nothing was fetched from elsewhere."""
    ctx = browser.new_context(locale="zh-CN", **DESKTOP)
    watch = PolicyWatch(ctx, base_url)
    page = ctx.new_page()
    watch.served(page.goto(f"{base_url}/copilot"))
    try:
        yield page
        watch.check(page)
    finally:
        ctx.close()


def sign_in(page) -> None:
    expect(page.get_by_role("heading", name=TEXT["loginHeading"])).to_be_visible()
    assert_no_violations(page)
    page.get_by_label(TEXT["username"]).fill(AGENT)
    page.get_by_label(TEXT["password"]).fill("wrong password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("用户名或密码不对。")
    page.get_by_label(TEXT["password"]).fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#who")).to_have_text(TEXT["signedInAs"].format(role=TEXT["account_staff"], name=AGENT))
    expect(page.get_by_label(TEXT["lineLabel"])).to_be_focused()  # ready for the first words of a call


def stream_call(page) -> None:
    """The caller's words, one line at a time, as the agent types them."""
    for count, line in enumerate(CALL, start=1):
        page.keyboard.type(line)
        page.keyboard.press("Enter")
        expect(page.locator("#transcript .line")).to_have_count(count)
    expect(page.locator("#call-status")).to_have_text(TEXT["updated"])


def move(page, change: str, status: str) -> None:
    page.locator("#order-actions").get_by_role("button", name=change, exact=True).click()
    expect(page.locator("#order-status")).to_have_text(status)


def test_an_agent_takes_a_call_creates_a_work_order_and_moves_it_through_its_lifecycle(browser, base_url):
    with console(browser, base_url) as page:
        sockets: list[str] = []
        posted: list[str] = []
        page.on("websocket", lambda socket: sockets.append(urlsplit(socket.url).path))
        page.on("request", lambda r: posted.append(urlsplit(r.url).path) if r.method == "POST" else None)
        sign_in(page)
        stream_call(page)
        call_id = page.locator("#call-id").inner_text()
        assert sockets == [f"/ws/copilot/{call_id}"] and "/api/copilot/suggest" not in posted

        # The right guide, its key facts, a policy passage with its source and a script to read out.
        first = page.locator("#candidates .cp-card").first
        expect(first).to_contain_text("社会保障卡挂失与补换")
        for fact in ("cardDept", "cardTime", "cardFee", "cardWhere", "cardConditions", "cardMaterials"):
            expect(first).to_contain_text(TEXT[fact])
        expect(page.locator("#candidates .cp-card")).to_have_count(3)
        # Policy passages only when they answer the call: the card's own measures, never 异地就医's 补办备案.
        expect(page.locator("#passages figcaption").first).to_contain_text("社会保障卡")
        assert all("社会保障卡" in source for source in page.locator("#passages figcaption").all_inner_texts())
        expect(page.locator("#script")).to_contain_text("社会保障卡挂失与补换")

        # The caller's details, masked everywhere on screen until the agent reveals one.
        details = page.locator("#caller-details")
        expect(details).to_contain_text("张*")
        expect(details).to_contain_text("138****8000")
        assert PHONE not in page.locator("body").inner_text()
        assert "张三" not in details.inner_text()
        assert_no_violations(page)  # the call, the suggestions and the form
        page.get_by_role("button", name=TEXT["revealLabel"].format(label="联系电话")).click()
        expect(details).to_contain_text(PHONE)
        assert "张三" not in details.inner_text()  # one field at a time

        # The work-order form, prefilled: the department suggested with its confidence.
        expect(page.locator("#dispatch-hint")).to_contain_text(re.compile(rf"{DEPT}.*\d+%"))
        expect(page.get_by_label(TEXT["dept"], exact=True)).to_have_value(DEPT)
        # The 诉求摘要, not the transcript: who masked, what, the caller's words, no 喂，你好.
        expect(page.get_by_label(TEXT["summary"])).to_have_value(re.compile(r"^来电人：张\*（138\*{4}8000）；事项：社会保障卡挂失与补换；.*社保卡前两天丢了"))
        expect(page.get_by_label(TEXT["category"])).to_have_value("社会保障卡挂失与补换")
        page.get_by_label(TEXT["type"]).select_option(label="求助")
        page.get_by_label(TEXT["dept"], exact=True).fill("")  # no department: refused, never sent to 12345
        page.get_by_role("button", name=TEXT["create"]).click()
        expect(page.locator("#order-result")).to_have_text(TEXT["orderDeptRequired"])
        expect(page.get_by_label(TEXT["dept"], exact=True)).to_be_focused()
        page.get_by_label(TEXT["dept"], exact=True).fill(DEPT)
        page.get_by_role("button", name=TEXT["create"]).click()
        number = page.locator("#created-number").inner_text()
        assert WORK_ORDER.fullmatch(number)
        row = page.locator("#orders-body tr", has_text=number)
        expect(row).to_contain_text("已受理")
        expect(row).to_contain_text(TEXT["onTime"])

        # The order: its caller details masked, one revealed (and audited).
        expect(page.locator("#order-heading")).to_have_text(TEXT["orderHeading"].format(number=number))
        facts = page.locator("#order-facts")
        expect(facts).to_contain_text("求助")
        expect(facts).to_contain_text("138****8000")
        page.locator("#order-facts").get_by_role("button", name=TEXT["revealLabel"].format(label="联系电话")).click()
        expect(facts).to_contain_text(PHONE)
        audit = page.request.get(f"{base_url}/api/workorders/{number}/audit").json()
        assert [(a["actor"], a["detail"]) for a in audit if a["action"] == "reveal"] == [(AGENT, {"field": "phone"})]

        # 受理 → 派单 (a department is needed) → 办理 → 回访 → 办结.
        page.get_by_label(TEXT["dispatchDept"]).fill("")
        page.locator("#order-actions").get_by_role("button", name="派单", exact=True).click()
        expect(page.locator("#move-result")).to_have_text(TEXT["deptRequired"])
        expect(page.get_by_label(TEXT["dispatchDept"])).to_be_focused()
        page.get_by_label(TEXT["dispatchDept"]).fill(DEPT)
        page.get_by_label(TEXT["note"]).fill("请尽快联系来电人")
        move(page, "派单", "已派单")
        expect(row).to_contain_text("已派单")
        move(page, "办理", "办理中")
        move(page, "回访", "待回访")
        move(page, "办结", "已办结")
        expect(row).to_contain_text("已办结")
        expect(page.locator("#no-actions")).to_be_visible()
        history = page.locator("#order-history li")
        expect(history).to_have_count(5)
        for entry, change in zip(history.all(), ["受理", "派单", "办理", "回访", "办结"]):
            expect(entry).to_contain_text(f" {change}，")
            expect(entry).to_contain_text(AGENT)
        expect(history.nth(1)).to_contain_text(DEPT)
        expect(history.nth(1)).to_contain_text("请尽快联系来电人")
        assert_no_violations(page)  # the order, its history and the list
        screenshots(page, "copilot", REFRESH_DOCS_IMAGES)


def test_without_a_staff_session_the_console_asks_to_sign_in_and_the_socket_refuses(browser, base_url):
    with console(browser, base_url) as page:
        expect(page.get_by_role("heading", name=TEXT["loginHeading"])).to_be_visible()
        expect(page.locator("#console")).to_be_hidden()
        refused = page.evaluate(
            """(url) => new Promise((resolve) => {
                const socket = new WebSocket(url);
                socket.onmessage = (event) => resolve(JSON.parse(event.data));
            })""",
            f"{base_url.replace('http', 'ws', 1)}/ws/copilot/test-call",
        )
        assert refused["code"] == "staff_login_required"


def test_markup_in_a_call_is_shown_as_text_and_runs_nothing(browser, base_url):
    markup = "<img src=x onerror=window.__pwned=1>我的社保卡丢了<script>window.__pwned=2</script>"
    with console(browser, base_url) as page:
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        sign_in(page)
        page.keyboard.type(markup)
        page.keyboard.press("Enter")
        expect(page.locator("#transcript .line")).to_have_text([markup])  # the very characters the agent typed
        expect(page.locator("#call-status")).to_have_text(TEXT["updated"])  # the suggestions came back
        expect(page.get_by_label(TEXT["summary"])).to_have_value(re.compile("社保卡丢了"))
        assert page.locator("#transcript img, #transcript script, #script img, #candidates img").count() == 0
        assert page.evaluate("window.__pwned") is None and dialogs == []
