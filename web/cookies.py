"""The app's cookies (the citizen's session, the staff sign-in): never readable by scripts, never sent
cross-site, and Secure whenever the page came over HTTPS or settings.secure_cookies says TLS ends at a
proxy in front of the app."""

from __future__ import annotations

from fastapi import Request, Response


def _secure(request: Request) -> bool:
    services = getattr(request.app.state, "services", None)  # absent before the lifespan has run
    settings = getattr(services, "settings", None)
    # The scope's scheme, not request.url: building the whole URL cost a chat request 2-3% of its CPU.
    return request.scope.get("scheme") == "https" or bool(getattr(settings, "secure_cookies", False))


def set_private_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", secure=_secure(request))


def clear_private_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, httponly=True, samesite="strict", secure=_secure(request))
