"""Staff sign-in and the dependency every staff-only endpoint uses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from assistant.common.messages import Messages
from assistant.staff.accounts import LoginRefused, Role, StaffDirectory, StaffUser
from web.access import Access, allow
from web.cookies import clear_private_cookie, set_private_cookie
from web.errors import ApiException, refuse
from web.limits import limit
from web.models import ApiError, FilledText, StrictRequest
from web.runtime import services_of

STAFF_COOKIE = "govassist_staff"
_REFUSALS = Messages.load(Path(__file__).resolve().parent / "data" / "staff_login.yaml")
_REFUSAL_STATUS = {"throttled": 429, "disabled": 403}  # else 401

router = APIRouter(prefix="/api/staff")


class LoginRequest(StrictRequest):
    username: FilledText = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class StaffMe(BaseModel):
    username: str
    role: str


def _directory(request: Request) -> StaffDirectory:
    return services_of(request).staff


def _token(request: Request) -> str | None:
    """The staff session token a request carries: `Authorization: Bearer`, else the staff cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(STAFF_COOKIE)


def staff_of(request: Request) -> StaffUser | None:
    """The signed-in staff member (cookie or `Authorization: Bearer`), if any."""
    return _directory(request).user_for(_token(request))


def current_staff(request: Request) -> StaffUser:
    """The signed-in staff member, or 401."""
    user = staff_of(request)
    if user is None:
        raise refuse(401, "staff_login_required")
    return user


def current_admin(user: Annotated[StaffUser, Depends(current_staff)]) -> StaffUser:
    if user.role is not Role.admin:
        raise refuse(403, "admin_only")
    return user


# These enforce; every route also declares who may call it, e.g. dependencies=[allow(Access.admin)] on
# the route or its router (web/access.py) — tests/test_roles.py fails on a route that does not.
StaffDep = Annotated[StaffUser, Depends(current_staff)]
AdminDep = Annotated[StaffUser, Depends(current_admin)]


@router.post("/login", dependencies=[allow(Access.public)], response_model=StaffMe,
             responses={401: {"model": ApiError}, 403: {"model": ApiError}, 429: {"model": ApiError}})
def login(body: LoginRequest, request: Request, response: Response) -> StaffMe:
    limit(request)  # a password check is deliberately slow (argon2); the per-name wait alone would not stop spraying
    directory = _directory(request)
    try:
        token = directory.login(body.username, body.password, source=request.client.host if request.client else "unknown")
    except LoginRefused as refused:
        status = _REFUSAL_STATUS.get(refused.code, 401)
        message = _REFUSALS(refused.code, seconds=refused.retry_after)
        headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else None
        raise ApiException(status, ApiError(code=refused.code, message=message), headers=headers) from None
    user = directory.user_for(token)
    assert user is not None
    set_private_cookie(request, response, STAFF_COOKIE, token, max_age=8 * 3600)
    return StaffMe(username=user.username, role=user.role.value)


@router.post("/logout", dependencies=[allow(Access.staff)], status_code=204)
def logout(request: Request, response: Response, user: StaffDep) -> None:
    if token := _token(request):  # the token this request signed in with, cookie or bearer
        _directory(request).logout(token)
    clear_private_cookie(request, response, STAFF_COOKIE)


@router.get("/me", dependencies=[allow(Access.staff)], response_model=StaffMe, responses={401: {"model": ApiError}})
def me(user: StaffDep) -> StaffMe:
    return StaffMe(username=user.username, role=user.role.value)
