"""Logs without personal data: request lines without query values, every message masked.

uvicorn's access log writes the path with its query string (`/api/search?q=我的身份证…`); the access
filter keeps the parameter names and drops their values. The masking filter runs
assistant.privacy.masking.mask_text over every record's message (ID, mobile and card numbers), whoever
logged it. Message bodies are never logged by the app. `install()` puts both on the uvicorn loggers
and on every handler configured at start-up, once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlsplit

from assistant.privacy.masking import mask_text

ACCESS_LOGGER = "uvicorn.access"
LOGGERS = ("", "uvicorn", "uvicorn.error", ACCESS_LOGGER, "govassist")
HIDDEN = "…"


def without_query_values(path: str) -> str:
    """/api/search?q=x&page=2 -> /api/search?q=…&page=…"""
    parts = urlsplit(path)
    if not parts.query:
        return path
    names = [name for name, _ in parse_qsl(parts.query, keep_blank_values=True)]
    return f"{parts.path}?{'&'.join(f'{n}={HIDDEN}' for n in names) or HIDDEN}"


class AccessLogFilter(logging.Filter):
    """uvicorn's access record: args = (client, method, path with query, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], without_query_values(args[2]), *args[3:])
        return True


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # Argument by argument first: formatters such as uvicorn's access formatter unpack record.args.
        if isinstance(record.args, tuple):
            record.args = tuple(mask_text(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {k: mask_text(v) if isinstance(v, str) else v for k, v in record.args.items()}
        if isinstance(record.msg, str):
            record.msg = mask_text(record.msg)
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message and record.name != ACCESS_LOGGER:
            # A number made up across arguments (or one that is not a string): keep only the masked text.
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # The traceback is formatted once, here, so that it can be masked too.
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True


_ACCESS = AccessLogFilter()
_MASK = MaskingFilter()


def _add(target: logging.Filterer, flt: logging.Filter) -> None:
    if flt not in target.filters:
        target.filters.append(flt)


def install() -> None:
    """Attach the filters (idempotent); call after logging is configured (the app's start-up)."""
    access = logging.getLogger(ACCESS_LOGGER)
    _add(access, _ACCESS)  # before masking: the query values are gone before anything is formatted
    for name in LOGGERS:
        logger = logging.getLogger(name)
        _add(logger, _MASK)
        for handler in logger.handlers:
            _add(handler, _MASK)
