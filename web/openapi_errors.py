"""The OpenAPI schema says what the API really answers when it refuses a request.

FastAPI documents every 422 as its own `HTTPValidationError` ({"detail": [...]}), but the app answers
with its one error shape (web/errors.py, ApiError). This rewrites those 422s to ApiError and adds the
refusals every operation with a JSON body can get before it runs: 400 invalid_json, 413
body_too_large, 415 unsupported_media_type. Clients generated from /openapi.json, and the schema
checks of tests/test_fuzz_api.py, then see the truth.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI

from web.models import ApiError

_REF = {"$ref": "#/components/schemas/ApiError"}
_BODY_REFUSALS = {"400": "invalid_json", "413": "body_too_large", "415": "unsupported_media_type"}


def _refusal(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _REF}}}


def _rewrite(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ApiError", ApiError.model_json_schema())
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = _refusal("invalid_request: a field fails validation")
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                for status, code in _BODY_REFUSALS.items():
                    responses.setdefault(status, _refusal(code))
    for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's, now referred to by nothing
        if f'"#/components/schemas/{name}"' not in json.dumps(schema):
            components.pop(name, None)


def document_errors(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _rewrite(build())  # build() stores the schema on the app; rewritten once, in place
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
