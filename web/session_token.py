"""The one reader of a citizen's session token: where a request may carry the token of its conversation,
and in which order they count.

A request names its conversation in its body or query (`session_id`), else in the X-Session-Token
header; a browser also sends the session cookie along. Every route that acts for a conversation reads
the token here (docs/security.md, "citizen"), so no route takes it from a place another ignores.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Cookie, Depends, Header, Request
from starlette.requests import HTTPConnection

SESSION_COOKIE = "govassist_session"
SESSION_HEADER = "X-Session-Token"


def session_token(conn: HTTPConnection, given: str | None = None, *, cookie: bool = True) -> str | None:
    """The token a request or socket carries: `given` (its body's or query's session_id), else the
    X-Session-Token header, else the session cookie; None when it carries none.
    `cookie=False`: only a token the request names itself, not one its browser sends along anyway."""
    named = given or conn.headers.get(SESSION_HEADER)
    return named or (conn.cookies.get(SESSION_COOKIE) if cookie else None) or None


def _carried(request: Request,
             header: Annotated[str | None, Header(alias=SESSION_HEADER)] = None,
             cookie: Annotated[str | None, Cookie(alias=SESSION_COOKIE)] = None) -> str | None:
    # The header and the cookie are declared so that the OpenAPI schema shows where the token may be;
    # session_token reads them, in its order.
    return session_token(request)


# A route's dependency: the token the request carries (header, else cookie), or None.
CarriedToken = Annotated[str | None, Depends(_carried)]
