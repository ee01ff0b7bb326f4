"""Helpers for the browser tests: a real uvicorn server in a thread, headless chromium, axe-core."""

from __future__ import annotations

import json
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from settings import REPO_ROOT
from web.security_headers import content_security_policy

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"  # screenshots of every run; git-ignored
DOCS_IMAGES = REPO_ROOT / "docs" / "images"  # one screenshot per mode, for the README
# The WCAG 2.x A and AA rules of axe-core; best-practice rules are advice, not the bar the issue sets.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# A fake microphone, so a headless browser can record once the page is allowed to use it.
CHROMIUM_ARGS = ["--use-fake-device-for-media-stream"]


def need_chromium() -> Path:
    """Skip, saying why, on a machine without Debian's chromium (CI installs it in .ci/run)."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    return CHROMIUM


@contextmanager
def live_server(app: FastAPI, **config: Any) -> Iterator[str]:
    """Serve `app` with uvicorn on a free local port in a background thread; yields its base URL.
    `config`: uvicorn.Config options over the defaults (e.g. log_level, log_config)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, **({"log_level": "warning", "lifespan": "on"} | config)))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(600):  # the lifespan loads the knowledge base: allow a minute
            if server.started or not thread.is_alive():
                break
            threading.Event().wait(0.1)
        if not server.started:
            raise RuntimeError("the test server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


# Every Content-Security-Policy violation a page reports: the DOM event, and chromium's console line.
CSP_EVENTS = ("window.__csp = []; document.addEventListener('securitypolicyviolation',"
              " (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));")


class PolicyWatch:
    """Watches a browser context: CSP violations (events and console) and requests leaving the app."""

    def __init__(self, ctx, base_url: str) -> None:
        self.base_url = base_url
        self.console: list[str] = []
        self.requests: list[str] = []
        ctx.add_init_script(CSP_EVENTS)
        ctx.on("console", lambda m: self.console.append(m.text) if "Content Security Policy" in m.text else None)
        ctx.on("request", lambda r: self.requests.append(r.url))

    def served(self, response) -> None:
        """The page came with the app's own strict policy (web/security_headers.py): the browser enforces
        what a citizen's browser enforces, not a policy the test added."""
        assert response.headers["content-security-policy"] == content_security_policy(urlsplit(self.base_url).netloc)

    def check(self, page) -> None:
        assert page.evaluate("window.__csp") == [] and self.console == []
        assert [url for url in self.requests if not url.startswith(self.base_url)] == []  # no CDN, nothing outside


def axe_violations(page) -> list[dict]:
    """axe-core (bundled in the axe-playwright-python wheel, never fetched) on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    violations = Axe().run(page, options=options).response["violations"]
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]} for v in violations]


def assert_no_violations(page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)


def reply_to(page, act: Callable[[], None]) -> str:
    """Do `act` (a message sent, a quick reply tapped) and wait for the assistant's one new reply; its text."""
    replies = page.locator(".msg-bot p")
    before = replies.count()
    act()
    expect(replies).to_have_count(before + 1, timeout=20_000)
    return replies.last.inner_text()


def say(page, label: str, text: str) -> str:
    """Type a message in the field labelled `label` and send it with Enter, as a citizen does; the reply."""
    def act() -> None:
        page.get_by_label(label).fill(text)
        page.keyboard.press("Enter")
    return reply_to(page, act)


def chip(page, name: str):
    """The quick reply called `name`."""
    return page.locator("#chips").get_by_role("button", name=name, exact=True)


def expect(locator):
    """Playwright's expect, imported when a browser test runs (playwright is a test extra)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def screenshots(page, name: str, refresh_docs: bool) -> None:
    """Save the whole page and what fits the screen under tests/artifacts/; the latter also goes to
    docs/images/ for the README when it is missing there or `refresh_docs` is asked for (not on every
    run: the picture changes with every tracking number, and the checkout should stay clean)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-full.png"), full_page=True)
    page.evaluate("window.scrollTo(0, 0)")
    screen = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(screen))
    target = DOCS_IMAGES / f"{name}.png"
    if refresh_docs or not target.exists():
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(screen, target)


class PageMarkup(HTMLParser):
    """What a page's HTML holds that a strict CSP or the strings file cares about."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []  # inline <script>/<style> and on*/style attributes
        self.urls: list[str] = []
        self.keys: set[str] = set()  # the strings-file keys the markup names

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "style" or (tag == "script" and not named.get("src")):
            self.inline.append(tag)
        self.inline += [name for name in named if name == "style" or name.startswith("on")]
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]
        self.keys |= {value for name, value in attrs if name in ("data-text", "data-label", "data-placeholder") and value}


@pytest.fixture(scope="module")
def base_url(request, settings) -> Iterator[str]:
    """The app on a live server, sharing the session's trained router; `settings` is the module's own."""
    need_chromium()  # before the router, so a machine without chromium does not train a model for nothing
    from server import create_app

    with live_server(create_app(settings, router=request.getfixturevalue("router"))) as url:
        yield url


@pytest.fixture(scope="module")
def browser(base_url):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need the [test] extras")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
