"""Where a page's controls and latest reply are on a phone screen, for the browser tests.

`check_step` holds the bar of issue 17 for the step on screen: every control of the step (its
quick-reply buttons, the input, 发送, the microphone, the mode switch) inside the screen, big enough,
apart from each other and on top (document.elementFromPoint finds the control itself at its centre
and the middle of each edge: nothing lies over it), and the latest reply in view from its first line
(whole when it fits its box).
"""

from __future__ import annotations

ELDER_MIN_PX = 48
NORMAL_MIN_PX = 44  # the normal mode's own bar (--control in app.css)

# The controls of the step on screen, measured in the page itself: each one's box, and how many of its
# points (the centre and the middle of each edge, 2 px in) the browser's hit test gives to something else.
MEASURE = """() => {
  const controls = [...document.querySelectorAll('#chips button, #message-input, #composer .send, #mic, #elder-toggle')]
    .filter((e) => e.getClientRects().length > 0);
  return controls.map((e) => {
    const r = e.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2; // pills and circles: their edges' middles are theirs
    const points = [[x, y], [r.left + 2, y], [r.right - 2, y], [x, r.top + 2], [x, r.bottom - 2]];
    const covered = points.filter(([px, py]) => !e.contains(document.elementFromPoint(px, py)));
    return { name: e.id || e.textContent.trim(), left: r.left, top: r.top, right: r.right, bottom: r.bottom,
             width: r.width, height: r.height, covered: covered.length };
  });
}"""
# The latest reply: where it is, the part of the conversation box that shows messages, and whether
# the browser finds the reply itself at its first and last line (nothing lies over them).
LATEST = """() => {
  const bubbles = document.querySelectorAll('#messages .msg-bot p');
  const p = bubbles[bubbles.length - 1], log = document.getElementById('messages');
  const r = p.getBoundingClientRect(), box = log.getBoundingClientRect();
  const shownTop = box.top + log.clientTop, shownBottom = shownTop + log.clientHeight;
  const mine = (y) => p.contains(document.elementFromPoint(r.left + 8, y));
  return { text: p.textContent, top: r.top, bottom: r.bottom, boxTop: shownTop, boxBottom: shownBottom,
           firstLine: mine(r.top + 8), lastLine: mine(r.bottom - 8),
           cardBefore: p.parentElement.previousElementSibling?.matches('.card') ?? false };
}"""


def check_step(page, min_px: int, expected: list[str]) -> list[dict]:
    """Every control of this step fully visible, big enough, apart and on top; the question in view."""
    viewport = page.viewport_size
    controls = page.evaluate(MEASURE)
    names = [c["name"] for c in controls]
    assert set(expected) <= set(names), names
    for c in controls:
        assert c["left"] >= 0 and c["top"] >= 0 and c["right"] <= viewport["width"] and c["bottom"] <= viewport["height"], c
        assert c["width"] >= min_px and c["height"] >= min_px, c
        assert c["covered"] == 0, c  # nothing lies over any part of it: not the header, not another control
    for i, a in enumerate(controls):
        for b in controls[i + 1:]:
            apart = a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]
            assert apart, (a, b)
    latest = page.evaluate(LATEST)
    assert latest["boxTop"] >= 0 and latest["boxBottom"] <= viewport["height"], latest
    # The reply shows from its first line (inside the box, nothing over it), and whole when it fits the box.
    assert latest["boxTop"] - 1 <= latest["top"] < latest["boxBottom"] - 32 and latest["firstLine"], latest
    if latest["bottom"] - latest["top"] <= latest["boxBottom"] - latest["boxTop"] - 16:
        assert latest["bottom"] <= latest["boxBottom"] + 1 and latest["lastLine"], latest
    return controls


def one_line(page, selector: str) -> bool:
    return page.locator(selector).evaluate("e => e.getClientRects().length === 1")
