"""Who may call each route: every route of the app declares it, and tests/test_roles.py holds it to that.

Declare it with a route-level (or router-level) dependency, next to the checks that enforce it:

    @router.get("/api/thing", dependencies=[allow(Access.public)])
    router = APIRouter(prefix="/api/admin", dependencies=[allow(Access.admin)])
    @router.websocket("/ws/thing", dependencies=[allow(Access.staff)])

The declaration states; it does not check. The route still enforces it: `StaffDep`/`AdminDep` for
staff and admin (web/staff_routes.py), a known session token for citizens. The test calls every
route as nobody, a citizen, a staff member and an admin, and fails when a route has no declaration or
lets in or turns away someone its declaration does not say.

Framework routes that are not ours to decorate (the OpenAPI schema, /docs, the static files) are
declared by `declare_framework_routes(app)` at the end of create_app.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from fastapi import Depends, FastAPI, params
from fastapi.routing import APIWebSocketRoute, iter_route_contexts
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute


class Access(str, Enum):
    public = "public"  # anyone, no credentials
    citizen = "citizen"  # a conversation's session: X-Session-Token header, body/query session_id, or cookie
    staff = "staff"  # a signed-in staff member (an admin is one too)
    admin = "admin"  # a signed-in administrator


_DECLARED = "__govassist_access__"


def allow(*who: Access) -> params.Depends:
    """The declaration, as a dependency that does nothing when called (async: no thread hop)."""
    if not who:
        raise ValueError("a route must allow someone")

    async def declared() -> None:
        return None

    setattr(declared, _DECLARED, frozenset(who))
    return Depends(declared)


def declare(route: BaseRoute, *who: Access) -> None:
    """The same declaration for a framework route that takes no dependencies (docs, static files)."""
    setattr(route, _DECLARED, frozenset(who))


def declare_framework_routes(app: FastAPI) -> None:
    """FastAPI's own pages (the OpenAPI schema, /docs, /redoc) and mounted static files are public: they
    describe the API and serve the pages' code, nothing more. Called last, when every route is in."""
    builtin = {app.openapi_url, app.docs_url, app.swagger_ui_oauth2_redirect_url, app.redoc_url} - {None}
    for route in app.routes:
        static = isinstance(route, Mount) and isinstance(route.app, StaticFiles)
        if static or (type(route) is Route and route.path in builtin):
            declare(route, Access.public)


def access_of(route: BaseRoute) -> frozenset[Access] | None:
    """Who `route` lets in, as declared; None when it declares nothing (or two different things)."""
    found = {getattr(d.dependency, _DECLARED) for d in getattr(route, "dependencies", ())
             if hasattr(d.dependency, _DECLARED)}
    if hasattr(route, _DECLARED):
        found.add(getattr(route, _DECLARED))
    return found.pop() if len(found) == 1 else None


@dataclass(frozen=True)
class DeclaredRoute:
    path: str
    methods: tuple[str, ...]  # () for a websocket or a mount
    kind: str  # "http", "websocket" or "mount"
    access: frozenset[Access] | None


def declared_routes(app: FastAPI) -> list[DeclaredRoute]:
    """Every route the app serves, routers included, with what it declares."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        effective = getattr(context, "_effective_route", route)  # with the dependencies of the routers it is in
        kind = "websocket" if isinstance(route, WebSocketRoute | APIWebSocketRoute) else "mount" if isinstance(route, Mount) else "http"
        methods = tuple(sorted(set(context.methods or ()) - {"HEAD"}))
        found.append(DeclaredRoute(context.path, methods, kind, access_of(effective) or access_of(route)))  # type: ignore[arg-type]  # a served route has a path
    return found


def admits(declared: Iterable[Access], caller: Access) -> bool:
    """Whether a caller holding `caller` credentials gets past a route declared `declared`."""
    declared = set(declared)
    held = {caller, Access.staff} if caller is Access.admin else {caller}  # an admin is a staff member
    return Access.public in declared or bool(declared & held)
