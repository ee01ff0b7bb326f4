"""The citizen web app in a real browser: headless Debian chromium drives the page the real app serves.

A citizen completes an application in the normal mode and in elderly mode (长辈模式); axe-core checks
both for WCAG 2.x A/AA violations; screenshots go to tests/artifacts/ (and, once, to docs/images/).
"""

from __future__ import annotations

import json
import os
import re
from contextlib import contextmanager
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

import pytest
from sqlalchemy import select

from server import STATIC_DIR
from settings import Settings
from tests import web_support
from tests.conftest import KB_DIR
from tests.phone_layout import ELDER_MIN_PX, check_step
from tests.web_support import (  # noqa: F401 (base_url, browser: fixtures)
    PageMarkup,
    PolicyWatch,
    assert_no_violations,
    base_url,
    browser,
    expect,
    reply_to,
    screenshots,
)

ID = "110101199003074514"
TRACKING = re.compile(r"GA\d{8}-\d{6}")
STRINGS = json.loads((STATIC_DIR / "strings.json").read_text(encoding="utf-8"))
REFRESH_DOCS_IMAGES = os.environ.get("GOVASSIST_REFRESH_SCREENSHOTS") == "1"
# What the page says when the server cannot listen after all (its model is missing): in the page's own
# words, never the server's advice to administrators.
MIC_UNAVAILABLE = STRINGS["elder"]["micUnavailable"]
PHONE = {"viewport": {"width": 412, "height": 915}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

# Records what the page asks the browser to read aloud; calls through to the real speech synthesis.
OBSERVE = """
window.__spoken = [];
const realSpeak = speechSynthesis.speak.bind(speechSynthesis);
speechSynthesis.speak = (u) => { window.__spoken.push({ text: u.text, lang: u.lang }); realSpeak(u); };
"""
# Markup a citizen might type (or paste): shown as text, it runs nothing and loads nothing.
MARKUP = "<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>"


# -- the page's own files, without a browser -------------------------------------------------------


def test_the_page_has_no_inline_code_no_outside_urls_and_every_sentence_in_strings_json():
    markup = PageMarkup()
    markup.feed((STATIC_DIR / "index.html").read_text(encoding="utf-8"))
    assert markup.inline == []  # a CSP of script-src 'self' must not block anything
    assert all(url.startswith(("/static/", "#")) for url in markup.urls), markup.urls
    used = markup.keys | {key for js in STATIC_DIR.glob("*.js") for key in re.findall(r'\bt\("(\w+)"\)', js.read_text())}
    assert used <= set(STRINGS["normal"]), used - set(STRINGS["normal"])
    assert set(STRINGS["elder"]) <= set(STRINGS["normal"])  # elderly mode only rewords, never adds
    for js in STATIC_DIR.glob("*.js"):
        assert not re.search(r"""(import|from|fetch\()\s*["'](https?:)?//""", js.read_text()), js.name


# -- in the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    # A speech model is configured, so the page shows its microphone, but it is not installed: the
    # server answers every recording with voice_model_missing.
    data_dir = tmp_path_factory.mktemp("web-data")
    return Settings(data_dir=data_dir, kb_dir=KB_DIR, vosk_models={"mandarin": data_dir / "no-model"})


@contextmanager
def opened(browser, base_url: str, microphone: str | None = None, **context: object):
    """The app in a fresh browser context, under the strict Content-Security-Policy the server sends;
    afterwards, check no CSP violation was reported and nothing was fetched from elsewhere.

    `microphone`: "granted" or "denied", as if the citizen had answered the browser's question.
    """
    ctx = browser.new_context(locale="zh-CN", **context)
    ctx.add_init_script(OBSERVE)
    watch = PolicyWatch(ctx, base_url)
    page = ctx.new_page()
    if microphone == "granted":
        ctx.grant_permissions(["microphone"], origin=base_url)
    elif microphone == "denied":  # Playwright grants only; chromium's own protocol can refuse
        permission = {"permission": {"name": "microphone"}, "setting": "denied", "origin": base_url}
        ctx.new_cdp_session(page).send("Browser.setPermission", permission)
    watch.served(page.goto(base_url))
    # Ready once the welcome is shown (strings.json loaded, the app started): a reply counted before it
    # would be taken for the welcome.
    expect(page.locator(".msg-bot p")).to_have_count(1)
    try:
        yield page
        watch.check(page)
    finally:
        ctx.close()


def say(page, text: str) -> str:
    """Type a message and send it with Enter, as a citizen does; returns the assistant's reply."""
    return web_support.say(page, STRINGS["normal"]["inputLabel"], text)


def tap(page, chip: str) -> str:
    return reply_to(page, lambda: web_support.chip(page, chip).click())


def look_up_and_rate(page, number: str, stars: int, comment: str) -> None:
    page.get_by_role("textbox", name="办件编号").fill(number)
    page.get_by_role("button", name="查询", exact=True).click()
    expect(page.locator("#progress-result")).to_contain_text("已提交")
    expect(page.locator("#progress-result")).to_contain_text("张*")  # the session that applied sees its fields
    page.locator(f"label[for=rating-{stars}]").click()
    expect(page.locator(".star.lit")).to_have_count(stars)
    page.get_by_label(re.compile("意见和建议|还想说的话")).fill(comment)
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator("#feedback-result")).to_have_text(STRINGS["normal"]["feedbackThanks"])


def font_px(page, selector: str) -> float:
    return page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")


def saved_feedback(settings: Settings, number: str):
    from assistant.storage.db import open_database
    from assistant.storage.personal_tables import FeedbackRow

    with open_database(settings.resolved_database_url)() as session:
        return session.scalars(select(FeedbackRow).where(FeedbackRow.application_number == number)).one()


def test_a_citizen_applies_for_a_social_security_card_in_the_normal_mode(browser, base_url, settings):
    with opened(browser, base_url, **DESKTOP) as page:
        expect(page.locator(".msg-bot p").first).to_have_text(STRINGS["normal"]["welcomeVoice"])
        # By keyboard: the first Tab reaches the skip link, which leads to the input.
        page.keyboard.press("Tab")
        expect(page.locator(".skip-link")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#message-input")).to_be_focused()
        page.keyboard.type("我想第一次办张社保卡")
        assert "同意" in reply_to(page, lambda: page.keyboard.press("Enter"))
        card = page.locator(".card")
        expect(card).to_contain_text("社会保障卡申领")
        expect(card).to_contain_text("所需材料")
        expect(card.locator("dd")).to_have_count(3)  # department, time limit, fee
        expect(page.locator("#missing")).to_contain_text("持卡人姓名")

        expect(page.locator("#message-input")).to_be_focused()  # the chips sit just before it
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        expect(page.get_by_role("button", name="同意", exact=True)).to_be_focused()
        reply_to(page, lambda: page.keyboard.press("Enter"))
        expect(page.locator("#message-input")).to_be_focused()  # ready for the answer
        say(page, f"我叫张三，身份证{ID}，电话13800138000")
        filled = page.locator("#filled")
        expect(filled).to_contain_text("110101********4514")
        expect(filled).not_to_contain_text(ID)
        expect(page.locator("#missing")).not_to_contain_text("持卡人姓名")
        tap(page, "到银行网点领取")
        tap(page, "都有了")
        expect(page.locator("#confirm-panel")).to_be_visible()
        expect(page.locator("#confirm-list")).to_contain_text("张三")  # the citizen's own answers, to check
        assert_no_violations(page)  # chat, card, form and confirmation on screen

        reply = tap(page, "确认提交")
        number = page.locator("#tracking-number").inner_text()
        assert TRACKING.fullmatch(number) and number in reply
        expect(page.locator("#tracking-status")).to_have_text("已提交")
        look_up_and_rate(page, number, stars=4, comment="很方便，不用跑腿")
        assert_no_violations(page)
        screenshots(page, "web-normal", REFRESH_DOCS_IMAGES)

    saved = saved_feedback(settings, number)
    assert (saved.rating, saved.comment) == (4, "很方便，不用跑腿")


def test_markup_a_citizen_types_is_shown_as_text_and_runs_nothing(browser, base_url):
    with opened(browser, base_url, **DESKTOP) as page:
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        expect(page.locator(".msg-bot p").first).to_have_text(STRINGS["normal"]["welcomeVoice"])  # the page is ready
        assert say(page, MARKUP)  # a normal reply (it is no service)
        expect(page.locator(".msg-user p").last).to_have_text(MARKUP)  # the very characters typed
        assert page.locator("#messages img, #messages script").count() == 0
        assert "社会保障卡" in say(page, "我想补办社保卡")  # and the conversation goes on
        assert page.evaluate("window.__pwned") is None and dialogs == []


def test_in_elderly_mode_three_taps_start_an_application_with_big_text_and_every_reply_read_aloud(browser, base_url, settings):
    with opened(browser, base_url, **PHONE) as page:
        page.get_by_role("button", name=re.compile("长辈模式")).tap()  # tap 1
        expect(page.locator("html")).to_have_class("elder")
        expect(page.locator(".msg-bot p").first).to_have_text(STRINGS["elder"]["welcomeVoice"])  # fewer words
        sizes = [font_px(page, selector) for selector in (".msg-bot p", "#message-input", ".chip", "#elder-toggle")]
        assert min(sizes) >= 24, sizes
        chip = page.locator(".chip").first.bounding_box()
        mic = page.get_by_role("button", name=STRINGS["elder"]["mic"]).bounding_box()
        assert chip["height"] >= 60 and mic["height"] >= 64 and mic["width"] >= 300
        check_step(page, ELDER_MIN_PX, ["mic", "message-input", *STRINGS["normal"]["starters"]])  # all on one screen

        tap(page, "补办社保卡")  # tap 2
        check_step(page, ELDER_MIN_PX, ["mic", "同意", "不同意"])
        tap(page, "同意")  # tap 3: the first question of the form is asked
        expect(page.locator("#form-panel")).to_be_visible()
        expect(page.locator("#missing li")).not_to_have_count(0)
        spoken = page.evaluate("window.__spoken")
        assert spoken[-1]["lang"] == "zh-CN" and spoken[-1]["text"]

        say(page, f"我叫张三，身份证{ID}，电话13800138000")
        tap(page, "卡丢失，挂失并补卡")
        tap(page, "到银行网点领取")
        reply = tap(page, "都有了")
        expect(page.locator("#confirm-panel")).to_be_visible()
        # The summary masks the name ("张*") on screen; read aloud, it is said in words, not as symbols.
        assert "*" in reply
        spoken = page.evaluate("window.__spoken")[-1]
        assert spoken["lang"] == "zh-CN" and spoken["text"] and "*" not in spoken["text"]
        assert_no_violations(page)
        tap(page, "确认提交")
        number = page.locator("#tracking-number").inner_text()
        assert TRACKING.fullmatch(number)
        look_up_and_rate(page, number, stars=5, comment="字大，看得清")
        assert_no_violations(page)
        assert page.evaluate("window.__spoken.length") >= 8  # every reply, not only the first
        screenshots(page, "web-elderly", REFRESH_DOCS_IMAGES)

    assert saved_feedback(settings, number).rating == 5


def test_the_big_microphone_says_politely_when_it_may_not_listen(browser, base_url):
    with opened(browser, base_url, microphone="denied", **PHONE) as page:
        page.get_by_role("button", name=re.compile("长辈模式")).tap()
        mic = page.locator("#mic")
        mic.tap()
        expect(page.locator("#mic-status")).to_have_text(STRINGS["elder"]["micNoPermission"])
        expect(mic).to_have_attribute("aria-pressed", "false")


def test_the_microphone_streams_to_the_server_and_says_at_once_why_it_cannot_listen(browser, base_url):
    # The test server's speech model is missing: WS /ws/voice answers with its error and closes.
    with opened(browser, base_url, microphone="granted", **PHONE) as page:
        sockets: list[str] = []
        page.on("websocket", lambda socket: sockets.append(socket.url))
        page.get_by_role("button", name=re.compile("长辈模式")).tap()
        mic = page.locator("#mic")
        mic.tap()  # no second tap: the citizen is told before speaking on in vain
        expect(page.locator("#mic-status")).to_have_text(MIC_UNAVAILABLE)
        expect(mic).to_have_attribute("aria-pressed", "false")
        assert [urlsplit(url).path for url in sockets] == ["/ws/voice"]
        assert page.evaluate("window.__spoken")[-1]["text"] == MIC_UNAVAILABLE  # elderly mode reads it out


def test_without_a_socket_the_recording_is_sent_whole_and_the_server_says_why_it_cannot_listen(browser, base_url):
    with opened(browser, base_url, microphone="granted", **PHONE) as page:
        page.route_web_socket(re.compile(r"/ws/voice"), lambda socket: socket.close())  # a proxy that drops it
        posted: list[str] = []
        page.on("request", lambda request: posted.append(urlsplit(request.url).path) if request.method == "POST" else None)
        page.get_by_role("button", name=re.compile("长辈模式")).tap()
        mic = page.locator("#mic")
        mic.tap()
        expect(page.locator("#mic-status")).to_have_text(STRINGS["elder"]["micListening"])
        expect(mic).to_have_attribute("aria-pressed", "true")
        page.wait_for_timeout(600)
        mic.tap()  # finished: the whole recording goes to POST /api/voice
        expect(page.locator("#mic-status")).to_have_text(MIC_UNAVAILABLE)
        expect(mic).to_have_attribute("aria-pressed", "false")
        assert posted == ["/api/voice"]


def test_while_the_citizen_speaks_the_words_heard_so_far_show_then_the_answer_is_read_aloud(browser, base_url):
    """No speech model here, so a stand-in plays the server's side of WS /ws/voice: words heard so far
    for each chunk of audio, then on "end" the final words and the Turn the real /api/chat gives for them."""
    heard, so_far = "我想补办社保卡", "我想补办"
    chunks: list[bytes] = []
    turns: list[dict] = []

    def stand_in(socket) -> None:
        def on_message(message: str | bytes) -> None:
            if isinstance(message, bytes):
                chunks.append(message)
                socket.send(json.dumps({"type": "partial", "text": so_far}))
            elif message == "end":
                socket.send(json.dumps({"type": "final", "text": heard}))
                turns.append(post_json(f"{base_url}/api/chat", {"text": heard}))
                socket.send(json.dumps({"type": "turn", "turn": turns[-1]}))
                socket.close()
        socket.on_message(on_message)

    with opened(browser, base_url, microphone="granted", **DESKTOP) as page:
        page.route_web_socket(re.compile(r"/ws/voice"), stand_in)
        mic = page.locator("#mic")
        mic.click()
        expect(page.locator("#mic-heard")).to_have_text(so_far)  # live, while still recording
        expect(mic).to_have_attribute("aria-pressed", "true")
        reply = reply_to(page, mic.click)
        assert chunks and reply == turns[0]["reply"]  # audio went out in chunks while recording
        expect(page.locator(".msg-user p").last).to_have_text(heard)  # the citizen's words, as heard
        expect(page.locator(".card")).to_contain_text("社会保障卡")
        expect(page.locator("#mic-heard")).to_have_text("")
        expect(page.locator("#mic-status")).to_have_text("")
        # Said aloud, answered aloud (even in the normal mode), in its speakable form.
        assert page.evaluate("window.__spoken")[-1] == {"text": turns[0]["speech"], "lang": "zh-CN"}
        assert_no_violations(page)


def post_json(url: str, payload: dict) -> dict:
    request = Request(url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"})
    with urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_the_api_reference_comes_from_the_app_itself_and_runs_under_the_same_policy(browser, base_url):
    ctx = browser.new_context(locale="zh-CN", **DESKTOP)
    watch = PolicyWatch(ctx, base_url)
    page = ctx.new_page()
    try:
        watch.served(page.goto(f"{base_url}/docs"))
        expect(page.locator(".opblock-summary-path", has_text="/api/chat").first).to_be_visible(timeout=20_000)
        watch.check(page)  # no CDN, no inline code: Swagger UI is served by the app and started from a file
    finally:
        ctx.close()
