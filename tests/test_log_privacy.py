"""Logs without personal data: uvicorn's access lines lose their query values and keep their shape,
and every message and traceback is masked, whoever logged it."""

from __future__ import annotations

import logging

import pytest
from uvicorn.logging import AccessFormatter

from web.log_privacy import AccessLogFilter, MaskingFilter, without_query_values

ID_NUMBER, PHONE = "11010519491231002X", "13800138000"


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/api/search?q=身份证11010519491231002X", "/api/search?q=…"),
        ("/api/applications/GA1?phone=13800138000&x=", "/api/applications/GA1?phone=…&x=…"),
        ("/api/health", "/api/health"),
    ],
)
def test_query_values_are_left_out(path: str, logged: str) -> None:
    assert without_query_values(path) == logged


def access_record(path: str) -> logging.LogRecord:
    return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                             ("127.0.0.1:5000", "GET", path, "1.1", 404), None)


def test_an_access_line_is_masked_and_still_formats() -> None:
    record = access_record(f"/api/x/{PHONE}?q={ID_NUMBER}")
    assert AccessLogFilter().filter(record) and MaskingFilter().filter(record)
    line = AccessFormatter("%(client_addr)s %(request_line)s %(status_code)s", use_colors=False).format(record)
    assert line == "127.0.0.1:5000 GET /api/x/138****8000?q=… HTTP/1.1 404 Not Found"


def test_any_message_and_its_traceback_are_masked() -> None:
    try:
        raise ValueError(f"bad phone {PHONE}")
    except ValueError:
        record = logging.LogRecord("govassist.api", logging.ERROR, __file__, 1, "id %s, %s", (ID_NUMBER, "ok"),
                                   __import__("sys").exc_info())
    assert MaskingFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "110105********002X" in text and "138****8000" in text
    assert ID_NUMBER not in text and PHONE not in text
