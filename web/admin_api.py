"""The operator dashboard's figures: GET /api/admin/analytics and its tables as CSV. Admin only."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Query, Request, Response

from assistant.insight.analytics import Analytics
from assistant.insight.analytics_models import BadRange, DateRange, Report
from knowledge.base import KnowledgeBase
from web.access import Access, allow
from web.analytics_csv import CsvReport, report_csv
from web.errors import ApiException
from web.models import ApiError
from web.runtime import runtime_of, services_of
from web.staff_routes import AdminDep

WORDING_FILE = Path(__file__).resolve().parent / "data" / "analytics.yaml"

router = APIRouter(prefix="/api/admin", dependencies=[allow(Access.admin)], responses={401: {"model": ApiError}, 403: {"model": ApiError}})


@cache
def _wording() -> dict[str, Any]:
    return yaml.safe_load(WORDING_FILE.read_text(encoding="utf-8"))


def _analytics(request: Request) -> Analytics:
    return services_of(request).analytics


def _kb(request: Request) -> KnowledgeBase:
    return runtime_of(request).kb  # read per request: a rebuild swaps it


AnalyticsDep = Annotated[Analytics, Depends(_analytics)]
KbDep = Annotated[KnowledgeBase, Depends(_kb)]
# "from" is a Python keyword: the query parameters are aliased.
FromDay = Annotated[str | None, Query(alias="from", max_length=32, description="first day, YYYY-MM-DD (Beijing time)")]
ToDay = Annotated[str | None, Query(alias="to", max_length=32, description="the day after the last, YYYY-MM-DD")]


def _span(analytics: Analytics, start: str | None, end: str | None) -> DateRange:
    try:
        return analytics.range(start, end)
    except BadRange as bad:
        raise ApiException(400, ApiError(code=bad.code, message=_wording()["errors"][bad.code], field=bad.field)) from None


def _report(analytics: Analytics, kb: KnowledgeBase, start: str | None, end: str | None) -> Report:
    def name_of(item_id: str) -> str:
        item = kb.find(item_id)
        return getattr(item, "name", None) or getattr(item, "title", None) or item_id

    return analytics.report(_span(analytics, start, end), name_of)


@router.get("/analytics", response_model=Report, responses={400: {"model": ApiError}})
def analytics_report(_: AdminDep, analytics: AnalyticsDep, kb: KbDep, start: FromDay = None, end: ToDay = None) -> Report:
    """Volume, funnel, rates, ratings, routing confidence and the slowest turns over [from, to);
    without dates, the last seven days."""
    return _report(analytics, kb, start, end)


@router.get("/analytics.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}, 400: {"model": ApiError}})
def analytics_csv(_: AdminDep, analytics: AnalyticsDep, kb: KbDep, report: CsvReport = CsvReport.volume,
                  start: FromDay = None, end: ToDay = None) -> Response:
    """One table of the report as a CSV download (UTF-8 with BOM, masked text only)."""
    found = _report(analytics, kb, start, end)
    name = f"govassist-{report.value}-{found.range.start.isoformat()}-{found.range.end.isoformat()}.csv"
    return Response(report_csv(found, report, _wording()["csv"]), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
