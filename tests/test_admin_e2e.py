"""The operator dashboard (/admin) in a real browser: headless Debian chromium on the page the real app serves.

Real conversations are held through the API first (an application submitted and rated, a declined
consent rated badly, a message out of scope, a handoff); the past week is those same recorded turns
replayed on earlier days, so the charts have a shape. An administrator signs in, reads the figures and
charts, changes the dates, downloads a CSV, labels a queued message, opens a guide for editing and
closes a follow-up; a staff member who is not an administrator is refused; axe-core checks each view.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import select

from server import STATIC_DIR
from settings import Settings
from tests.conftest import KB_DIR
from tests.web_support import (  # noqa: F401 (base_url, browser: fixtures)
    ARTIFACTS,
    PageMarkup,
    PolicyWatch,
    assert_no_violations,
    base_url,
    browser,
    expect,
    screenshots,
)
from web.admin_api import WORDING_FILE

TEXT = json.loads((STATIC_DIR / "admin-strings.json").read_text(encoding="utf-8"))["text"]
CSV_HEADERS = yaml.safe_load(WORDING_FILE.read_text(encoding="utf-8"))["csv"]
PAGE_FILES = ["admin.js", *(p.name for p in STATIC_DIR.glob("admin-*.js")), "catalogue.js", "staff-api.js"]
REFRESH_DOCS_IMAGES = os.environ.get("GOVASSIST_REFRESH_SCREENSHOTS") == "1"
DESKTOP = {"viewport": {"width": 1360, "height": 1000}}

ADMIN, AGENT, PASSWORD = "admin01", "agent01", "correct-horse-battery"
ID = "110101199003074514"
PHONE = "13800138000"
OUT_OF_SCOPE = "今天晚上吃什么好呢"


# -- the page's own files, without a browser -------------------------------------------------------


def test_the_dashboard_has_no_inline_code_no_outside_urls_and_every_sentence_in_its_strings_file():
    markup = PageMarkup()
    markup.feed((STATIC_DIR / "admin.html").read_text(encoding="utf-8"))
    assert markup.inline == []  # a CSP of script-src 'self'; style-src 'self' must not block anything
    assert all(url.startswith(("/static/", "#")) for url in markup.urls), markup.urls
    sources = [(STATIC_DIR / name).read_text(encoding="utf-8") for name in PAGE_FILES]
    used = markup.keys | {key for js in sources for key in re.findall(r'\btext\("(\w+)"', js)}
    assert used <= set(TEXT), used - set(TEXT)
    for js in sources:
        assert not re.search(r"""(import|from|fetch\()\s*["'](https?:)?//""", js)  # nothing from a CDN
        assert "innerHTML" not in js  # text only: masked messages are never parsed as markup


def test_every_name_the_server_sends_has_its_wording():
    dynamic = ([f"channel_{c}" for c in ("text", "voice", "copilot")]
               + [f"step_{s}" for s in ("routed", "consent", "filled", "confirmed", "submitted")]
               + [f"reason_{r}" for r in ("all", "unrouted", "low_confidence", "bad_rating")]
               + [f"decision_{d}" for d in ("route", "clarify", "answer", "none")]
               + [f"kind_{k}" for k in ("alias", "utterance", "faq", "out_of_scope")]
               + [f"action_{a}" for a in ("add", "remove")] + [f"rebuild_{s}" for s in ("idle", "running", "done", "failed")]
               + [f"status_{s}" for s in ("open", "closed")] + [f"role_{r}" for r in ("user", "assistant")]
               + [f"account_{r}" for r in ("staff", "admin")])
    assert set(dynamic) <= set(TEXT), set(dynamic) - set(TEXT)


# -- the data: real conversations ------------------------------------------------------------------


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    from assistant.staff.accounts import Role, StaffDirectory
    from assistant.storage.db import open_database

    settings = Settings(data_dir=tmp_path_factory.mktemp("admin-data"), kb_dir=KB_DIR)
    staff = StaffDirectory(open_database(settings.resolved_database_url))
    staff.add(ADMIN, PASSWORD, Role.admin)
    staff.add(AGENT, PASSWORD, Role.staff)
    return settings


def converse(base_url: str, *texts: str) -> tuple[httpx.Client, dict]:
    client = httpx.Client(base_url=base_url, timeout=60)
    turn: dict = {}
    for text in texts:
        turn = client.post("/api/chat", json={"text": text}).json()
    return client, turn


@pytest.fixture(scope="module")
def seeded(base_url, settings) -> dict[str, int]:
    """Real conversations through the API, then their turns replayed on the six days before."""
    from assistant.dialogue.turn_log import TurnEvent, TurnLog
    from assistant.storage.db import open_database, reading
    from assistant.storage.personal_tables import TurnEventRow

    client, turn = converse(base_url, "我想第一次办张社保卡", "同意", f"我叫张三，身份证{ID}，电话{PHONE}")
    while turn["state"] == "filling":
        turn = client.post("/api/chat", json={"text": "都有了" if "材料" in turn["reply"] else "1"}).json()
    turn = client.post("/api/chat", json={"text": "确认提交"}).json()
    assert turn["state"] == "submitted"
    client.post("/api/feedback", json={"rating": 5, "comment": "很方便", "application": turn["application"]["number"]})
    client, _ = converse(base_url, "我要办护照", "不同意")
    client.post("/api/feedback", json={"rating": 2, "comment": "材料太多了"})
    converse(base_url, OUT_OF_SCOPE)
    converse(base_url, "社保卡丢了怎么补办", "转人工")
    agent = httpx.Client(base_url=base_url, timeout=60)  # 代办: an agent starts a caller's application
    agent.post("/api/staff/login", json={"username": AGENT, "password": PASSWORD})
    started = agent.post("/api/copilot/apply", json={"service_id": "sscard-apply", "caller": {"phone": PHONE}}).json()
    agent.post("/api/chat", json={"session_id": started["session_id"], "text": "张三"})
    taken = agent.post("/api/workorders", json={"type": "complaint", "summary": "饭店油烟和噪音扰民", "dept": "生态环境局"})
    assert taken.status_code == 201, taken.text  # a work order the agent takes on a call: no conversation

    database = open_database(settings.resolved_database_url)
    with reading(database) as db:
        today = list(db.scalars(select(TurnEventRow).order_by(TurnEventRow.id)))
    log = TurnLog(database)
    for days_ago in range(1, 7):
        for i, row in enumerate(today):
            if (i + days_ago) % 3 == 0:  # a different share of the day's turns each day
                continue
            fields = {k: getattr(row, k) for k in TurnEvent.__dataclass_fields__}
            log.record(TurnEvent(**{**fields, "session_id": f"{row.session_id[:40]}-{days_ago}",
                                    "at": row.at - timedelta(days=days_ago)}))
    return {"today_sessions": len({r.session_id for r in today})}


# -- in the browser -------------------------------------------------------------------------------


@contextmanager
def dashboard(browser, base_url: str):
    """/admin in a fresh browser context, under the strict CSP the server sends; afterwards, check it
    fetched nothing elsewhere and broke no CSP."""
    ctx = browser.new_context(locale="zh-CN", accept_downloads=True, **DESKTOP)
    watch = PolicyWatch(ctx, base_url)
    page = ctx.new_page()
    watch.served(page.goto(f"{base_url}/admin"))
    try:
        yield page
        watch.check(page)
    finally:
        ctx.close()


def sign_in(page, username: str) -> None:
    expect(page.get_by_role("heading", name=TEXT["loginHeading"])).to_be_visible()
    page.get_by_label(TEXT["username"]).fill(username)
    page.get_by_label(TEXT["password"]).fill(PASSWORD)
    page.keyboard.press("Enter")


def figure(page, key: str):
    return page.locator(f'[data-figure="{key}"] .big')


def test_staff_who_are_not_administrators_are_refused_plainly(browser, base_url):
    with dashboard(browser, base_url) as page:
        assert_no_violations(page)  # the sign-in form
        sign_in(page, AGENT)
        expect(page.get_by_role("heading", name=TEXT["notAdminHeading"])).to_be_visible()
        expect(page.locator("#who")).to_have_text(TEXT["signedInAs"].format(role=TEXT["account_staff"], name=AGENT))
        expect(page.locator("#refusal")).to_have_text(TEXT["notAdmin"].format(name=AGENT))
        expect(page.locator("#dashboard")).to_be_hidden()
        assert_no_violations(page)
        page.screenshot(path=str(ARTIFACTS / "admin-refused.png"))
        page.get_by_role("button", name=TEXT["switchAccount"]).click()
        expect(page.get_by_role("heading", name=TEXT["loginHeading"])).to_be_visible()


def test_the_call_console_names_an_administrator_as_one(browser, base_url):
    # It said 坐席：admin for every account, the mirror of the dashboard's 管理员：agent1.
    with dashboard(browser, base_url) as page:
        sign_in(page, ADMIN)
        expect(page.locator("#who")).to_have_text(TEXT["signedInAs"].format(role=TEXT["account_admin"], name=ADMIN))
        page.goto(f"{base_url}/copilot")
        expect(page.locator("#who")).to_have_text(f"{TEXT['account_admin']}：{ADMIN}")


def test_an_administrator_reads_the_figures_and_charts_and_changes_the_dates(browser, base_url, seeded):
    with dashboard(browser, base_url) as page:
        sign_in(page, ADMIN)
        expect(page.locator("#who")).to_have_text(TEXT["signedInAs"].format(role=TEXT["account_admin"], name=ADMIN))
        expect(page.locator("#range-shown")).to_contain_text("共 7 天")
        sessions = int(figure(page, "sessions").inner_text())
        assert sessions > seeded["today_sessions"]  # today's and the replayed days'
        expect(figure(page, "applications")).to_have_text("1")
        expect(figure(page, "workOrders")).to_have_text("1")  # taken by the agent, not from a conversation
        expect(page.locator('[data-figure="workOrders"] .base')).to_have_text(TEXT["workOrderBase"].format(chat=0, staff=1))
        expect(figure(page, "outOfScope")).to_have_text(re.compile(r"\d+%"))

        # Each chart is drawn, its bars carry the figures, and the same figures are in a table.
        volume = page.locator("#volume-chart svg[role=img] rect[data-value]")
        assert volume.count() >= 7  # a column on each of the seven days, split by channel
        assert sum(int(v) for v in volume.evaluate_all("rs => rs.map(r => r.dataset.value)")) == int(figure(page, "turns").inner_text())
        expect(page.locator("#volume-chart svg")).to_have_attribute("aria-label", TEXT["volumeHeading"])
        for chart in ("services", "funnel", "ratings", "confidence"):
            assert page.locator(f"#{chart}-chart svg rect[data-value]").count() > 0, chart
            assert page.locator(f"#{chart}-chart details table tbody tr").count() > 0, chart
        expect(page.locator("#services-chart svg")).to_contain_text("社会保障卡申领")
        expect(page.locator("#funnel-chart details tbody tr").first).to_contain_text(TEXT["step_routed"])
        page.get_by_label(TEXT["funnelPick"]).select_option(label="社会保障卡申领")
        expect(page.locator("#funnel-chart svg")).to_have_attribute("aria-label", re.compile("社会保障卡申领"))
        slowest = page.locator("#slowest tbody tr")
        assert 0 < slowest.count() <= 20
        assert ID not in page.locator("body").inner_text() and PHONE not in page.locator("body").inner_text()
        assert_no_violations(page)
        page.set_viewport_size({"width": 1360, "height": 1400})  # the README's picture: figures and the first charts
        screenshots(page, "admin", REFRESH_DOCS_IMAGES)
        page.set_viewport_size(DESKTOP["viewport"])

        # A week long ago: nothing; back to the last seven days: the same figures as before.
        page.get_by_label(TEXT["from"]).fill("2020-01-01")
        page.get_by_label(TEXT["to"]).fill("2020-01-07")
        page.get_by_role("button", name=TEXT["apply"]).click()
        expect(page.locator("#range-shown")).to_contain_text("2020-01-01")
        expect(figure(page, "sessions")).to_have_text("0")
        expect(page.locator("#volume-chart svg")).to_have_count(0)
        expect(page.locator("#volume-chart")).to_contain_text(TEXT["empty"])
        page.get_by_role("button", name=TEXT["last30"]).click()
        expect(page.locator("#range-shown")).to_contain_text("共 30 天")
        expect(figure(page, "sessions")).to_have_text(str(sessions))

        # The volume table as a CSV file Excel opens: the BOM, then a header row.
        with page.expect_download() as download:
            page.get_by_role("link", name=TEXT["exportVolume"]).click()
        data = Path(download.value.path()).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0] == CSV_HEADERS["volume"] and len(rows) == 31
        assert sum(int(r[-1]) for r in rows[1:]) == int(figure(page, "turns").inner_text())


def test_the_improvement_tabs_label_a_message_open_a_guide_and_close_a_follow_up(browser, base_url, seeded):
    with dashboard(browser, base_url) as page:
        sign_in(page, ADMIN)
        expect(page.locator("#range-shown")).to_contain_text("共 7 天")

        page.get_by_role("tab", name=TEXT["tabQueue"]).click()
        expect(page.get_by_role("tab", name=TEXT["tabQueue"])).to_have_attribute("aria-selected", "true")
        item = page.locator(".queue-item", has_text=OUT_OF_SCOPE).first
        expect(item).to_be_visible()
        # The router had no idea (a few % confidence): nothing is pre-filled or offered to click.
        expect(item.get_by_label(TEXT["pickService"])).to_have_value("")
        expect(item.locator(".guesses")).to_have_count(0)
        expect(item).to_contain_text(TEXT["noGuess"])
        assert_no_violations(page)
        page.screenshot(path=str(ARTIFACTS / "admin-queue.png"), full_page=True)
        item.get_by_role("button", name=TEXT["outOfScopeButton"]).click()
        expect(item.locator(".result")).to_have_text(TEXT["labelledOut"])

        page.get_by_role("tab", name=TEXT["tabQueue"]).focus()
        page.keyboard.press("ArrowRight")  # the tabs pattern: arrow keys move along the tabs
        expect(page.get_by_role("tab", name=TEXT["tabKb"])).to_be_focused()
        expect(page.get_by_role("tab", name=TEXT["tabKb"])).to_have_attribute("aria-selected", "true")
        page.get_by_label(TEXT["kbPick"]).fill("社会保障卡申领")
        page.get_by_role("button", name=TEXT["open"]).click()
        expect(page.locator("#kb-service .kb-name")).to_have_text("社会保障卡申领")
        expect(page.locator("#kb-service")).to_contain_text(TEXT["aliases"])
        expect(page.locator("#rebuild-status")).not_to_be_empty()
        assert_no_violations(page)
        page.screenshot(path=str(ARTIFACTS / "admin-kb.png"), full_page=True)

        page.get_by_role("tab", name=TEXT["tabFollowups"]).click()
        followup = page.locator(".followup", has_text="材料太多了").first
        expect(followup).to_contain_text(TEXT["rating"].format(n=2))
        followup.get_by_text(TEXT["transcript"]).click()
        expect(followup.locator(".transcript-lines")).to_contain_text("护照")
        assert_no_violations(page)
        page.screenshot(path=str(ARTIFACTS / "admin-followups.png"), full_page=True)
        followup.get_by_label(TEXT["note"]).fill("已电话回访，说明了材料要求")
        followup.get_by_role("button", name=TEXT["close"]).click()
        expect(page.locator(".followup.closed", has_text="材料太多了")).to_contain_text("已电话回访")
