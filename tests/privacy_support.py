"""Looking for personal data where it must not be: database files, logs, exports.

`leaks(places, secrets)` searches raw bytes for every written form of each secret (whole, grouped,
without the check character, the part masking hides, and JSON's \\u escapes for Chinese text) and
names each place and form found. Tests of other parts (the dashboard's exports, say) reuse it:
`export_routes(app)` finds every GET endpoint that looks like an export, so new ones are checked too.
"""

from __future__ import annotations

import itertools
import json
import logging
from enum import EnumMeta
from urllib.parse import urlencode
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import RouteContext, iter_route_contexts

# The app's own loggers and uvicorn's; the HTTP client used by a test logs its requests, not the app.
CLIENT_LOGGERS = ("httpx", "httpcore")


def id_number_forms(id_number: str) -> list[str]:
    """An ID number as it may be written: whole, either case of X, without the check character, grouped
    6-8-4, and the birth date that masking hides (110105********002X keeps neither)."""
    body = id_number[:17]
    return [id_number, id_number.lower(), body, f"{id_number[:6]} {id_number[6:14]} {id_number[14:]}", id_number[6:14]]


def phone_forms(phone: str) -> list[str]:
    """A mobile number whole, grouped 3-4-4 with spaces or hyphens, and the middle digits masking hides."""
    return [phone, f"{phone[:3]} {phone[3:7]} {phone[7:]}", f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", phone[2:9]]


def text_forms(text: str) -> list[str]:
    """Chinese text as UTF-8 and as JSON writes it with ensure_ascii (\\u escapes)."""
    return [text, json.dumps(text)[1:-1]]


def leaks(places: Mapping[str, bytes], secrets: Mapping[str, Iterable[str]]) -> list[str]:
    """'place: secret (form)' for every form of every secret found in a place's bytes."""
    found = []
    for where, blob in places.items():
        for label, forms in secrets.items():
            found += [f"{where}: {label} ({form!r})" for form in forms if form.encode("utf-8") in blob]
    return found


def files_under(directory: Path) -> dict[str, bytes]:
    """Every file below `directory` (the database, its -wal and -shm, keys, anything the app wrote)."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def _exports(app: FastAPI) -> list[RouteContext]:
    return [c for c in iter_route_contexts(app.routes) if "GET" in (c.methods or ()) and "{" not in c.path
            and ("export" in c.path or c.path.endswith(".csv"))]


def export_routes(app: FastAPI) -> list[str]:
    """Paths of GET endpoints that export data (a path naming export or csv, without path parameters),
    in every router the app includes."""
    return [c.path for c in _exports(app)]


def export_urls(app: FastAPI) -> list[str]:
    """Every export with every value of its choice parameters (each CSV report kind, say)."""
    urls = []
    for context in _exports(app):
        dependant = getattr(context.original_route, "dependant", None)
        choices = [(q.alias, [m.value for m in q.field_info.annotation])
                   for q in getattr(dependant, "query_params", []) if isinstance(q.field_info.annotation, EnumMeta)]
        combos = itertools.product(*[[(name, v) for v in values] for name, values in choices])
        urls += [f"{context.path}?{urlencode(combo)}" if combo else context.path for combo in combos]
    return urls


class _NotClient(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(CLIENT_LOGGERS)


@contextmanager
def captured_logs(path: Path, level: int = logging.DEBUG) -> Iterator[Path]:
    """Every record any logger of the app writes (uvicorn's access log included), into `path`.
    Attach before the app starts: the app adds its masking filter to the handlers it finds then."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(level)
    handler.addFilter(_NotClient())
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    previous = root.level
    # A server started earlier in the same test run (uvicorn's default logging config) leaves its
    # loggers not propagating to the root: those get the handler directly.
    apart = [logger for name in ("uvicorn", "uvicorn.access", "uvicorn.error")
             if not (logger := logging.getLogger(name)).propagate]
    for logger in [root, *apart]:
        logger.addHandler(handler)
    root.setLevel(level)
    try:
        yield path
    finally:
        for logger in [root, *apart]:
            logger.removeHandler(handler)
        root.setLevel(previous)
        handler.close()
