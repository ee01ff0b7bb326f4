"""Refusals of a request the API could not read: a body that is no JSON, of the wrong type or too
large, a field that fails validation, a path or method that does not exist; and of a message sent
while its conversation was busy. Each is one ApiError with a stable code; the wording lives in
web/data/request_errors.yaml."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from web.models import ApiError

ERRORS_FILE = Path(__file__).resolve().parent / "data" / "request_errors.yaml"
_BY_STATUS = {400: "invalid_json", 404: "not_found", 405: "method_not_allowed", 413: "body_too_large",
              415: "unsupported_media_type"}
_RANGE = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


@lru_cache(maxsize=1)
def _wording() -> dict[str, Any]:
    return yaml.safe_load(ERRORS_FILE.read_text(encoding="utf-8"))


def refusal(code: str, field: str | None = None) -> ApiError:
    return ApiError(code=code, message=_wording()[code], field=field)


def http_refusal(status: int) -> ApiError:
    """A refusal raised by the framework itself (Starlette's HTTPException). Its 400 is a body that
    could not be decoded (invalid UTF-8 inside JSON)."""
    return refusal(_BY_STATUS.get(status, "http_error"))


def validation_refusal(errors: Sequence[Mapping[str, Any]], headers: Mapping[str, str]) -> tuple[int, ApiError]:
    """(status, error) for FastAPI's RequestValidationError of a request with these headers."""
    first = errors[0] if errors else {}
    if first.get("type") == "json_invalid":
        return 400, refusal("invalid_json")
    if _has_body(headers) and not _is_json(headers) and any(tuple(e.get("loc", ()))[:1] == ("body",) for e in errors):
        return 415, refusal("unsupported_media_type")
    where = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header", "cookie")]
    message = _because(first) or _wording()["invalid_request"]
    return 422, ApiError(code="invalid_request", message=message, field=".".join(where) or None)


def _because(error: Mapping[str, Any]) -> str | None:
    kind = str(error.get("type", ""))
    if kind in _RANGE:
        kind = "out_of_range"
    elif kind in ("enum", "literal_error"):
        kind = "not_a_choice"
    elif kind.endswith(("_type", "_parsing")) or kind == "string_unicode":
        kind = "wrong_type"
    sentence = _wording()["invalid_request_because"].get(kind)
    if sentence is None:
        return None
    context = error.get("ctx") or {}
    try:
        return sentence.format(**context)
    except (KeyError, IndexError):
        return None


def _has_body(headers: Mapping[str, str]) -> bool:
    return headers.get("content-length", "0") != "0" or "transfer-encoding" in headers


def _is_json(headers: Mapping[str, str]) -> bool:
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")
