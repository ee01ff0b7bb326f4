"""Schemathesis over the whole OpenAPI surface of the real app, in-process, with the real router.

For every operation it generates requests that fit the schema and requests that do not (wrong types,
missing and unknown fields, out-of-range values, odd strings), sends them as a stranger and again as
a signed-in staff member (bearer token), and checks that no answer is a server error, that invalid
input is refused, and that answers match the documented schemas and content types. Runs are
derandomised (the same examples every time, so CI is deterministic) and bounded per operation.
"""

from __future__ import annotations

import os

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="the fuzz tests need the [test] extras")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.python.asgi import shutdown_lifespans  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)

from assistant.staff.accounts import Role, StaffDirectory  # noqa: E402
from assistant.storage.db import open_database  # noqa: E402
from server import create_app  # noqa: E402
from settings import Settings  # noqa: E402
from tests.conftest import KB_DIR  # noqa: E402

PASSWORD = "correct horse battery"
# A 503 that says a part is not installed on this machine (a speech model, espeak-ng) is an answer.
NOT_INSTALLED = {"voice_unavailable", "voice_model_missing", "speech_unavailable"}


def not_a_server_fault(ctx, response, case) -> bool | None:
    if response.status_code == 503 and response.json().get("code") in NOT_INSTALLED:
        return None
    return not_a_server_error(ctx, response, case)


CHECKS = [not_a_server_fault, negative_data_rejection, response_schema_conformance, content_type_conformance]
# GOVASSIST_FUZZ_EXAMPLES=200 hunts longer with fresh random examples; by default (and in CI) the same
# 12 examples per operation and mode run every time.
HUNT = int(os.environ.get("GOVASSIST_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=HUNT or 12, derandomize=not HUNT, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def app_settings(tmp_path_factory) -> Settings:
    data_dir = tmp_path_factory.mktemp("fuzz-api")
    # A speech model is configured (its directory does not exist) and recordings may be tiny: what is sent to
    # /api/voice is decoded and size-checked before recognition, so those paths are fuzzed too.
    settings = Settings(data_dir=data_dir, kb_dir=KB_DIR, rate_limit_per_minute=1_000_000,
                        vosk_models={"mandarin": data_dir / "no-model"}, voice_max_bytes=64)
    StaffDirectory(open_database(settings.resolved_database_url)).add("agent1", PASSWORD, Role.staff)
    return settings


@pytest.fixture(scope="module")
def api_schema(app_settings, router):
    """The schema as the running app serves it; schemathesis starts the app's lifespan to read it."""
    app = create_app(app_settings, router=router)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    shutdown_lifespans()


@pytest.fixture(scope="module")
def staff_headers(api_schema, app_settings) -> dict[str, str]:
    token = StaffDirectory(open_database(app_settings.resolved_database_url)).login("agent1", PASSWORD)
    return {"Authorization": f"Bearer {token}"}


# Starting a rebuild of the knowledge base's index takes no input to fuzz, only minutes of CPU.
LEFT_OUT = {"POST /api/admin/rebuild"}


def fuzz(api_schema, headers: dict[str, str]) -> dict[str, str]:
    """Every operation, with data that fits its schema and data that does not: what failed, and why."""
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        if operation.label in LEFT_OUT:
            continue
        for mode in GenerationMode:
            @FUZZ
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case) -> None:
                case.call_and_validate(headers=dict(headers), checks=CHECKS)  # a copy: the call adds to it

            try:
                run()
            except Unsatisfiable:  # nothing can be invalid here (no parameters, or strings that take anything)
                continue
            except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 (all reported, each with its example)
                failures[f"{operation.label} ({mode.value})"] = str(failure)[:1500]
    return failures


def test_no_request_from_a_stranger_gets_a_server_error_or_breaks_the_schema(api_schema):
    failures = fuzz(api_schema, {})
    assert failures == {}, "\n\n".join(f"{k}: {v}" for k, v in failures.items())


def test_no_request_from_a_signed_in_staff_member_gets_a_server_error_or_breaks_the_schema(api_schema, staff_headers):
    failures = fuzz(api_schema, staff_headers)
    assert failures == {}, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
