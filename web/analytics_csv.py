"""The dashboard's tables as CSV files an operator opens in Excel (UTF-8 with a BOM, so Chinese shows).

Cells come from masked data only; a cell that starts like a formula is prefixed with ' so a
spreadsheet shows it as text instead of running it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from enum import Enum
from typing import Any

from assistant.insight.analytics_models import LOCAL_ZONE, Report

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class CsvReport(str, Enum):
    volume = "volume"
    funnel = "funnel"
    ratings = "ratings"
    slowest = "slowest"


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _rows(report: Report, kind: CsvReport, wording: dict[str, Any]) -> Iterable[list[Any]]:
    if kind is CsvReport.volume:
        return ([v.day.isoformat(), v.text, v.voice, v.copilot, v.total] for v in report.volume_by_day)
    if kind is CsvReport.funnel:
        overall = report.funnel.model_copy(update={"name": wording["overall"]})
        return ([f.id or "", f.name, f.routed, f.consent, f.filled, f.confirmed, f.submitted]
                for f in [overall, *report.funnel_by_service])
    if kind is CsvReport.ratings:
        return ([r.id or "", r.name or wording["no_service"], r.count, r.mean, *r.stars] for r in report.ratings)
    channels = wording["channels"]
    return ([s.at.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M:%S"), channels.get(s.channel, s.channel),
             s.name or wording["no_service"], s.latency_ms, s.text, s.reply] for s in report.slowest)


def report_csv(report: Report, kind: CsvReport, wording: dict[str, Any]) -> str:
    """One table of the report as CSV text, the header row first, BOM included."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(wording[kind.value])
    writer.writerows([_cell(v) for v in row] for row in _rows(report, kind, wording))
    return BOM + out.getvalue()
