"""Sign-in over plain HTTP: the routes that set and clear the HttpOnly session cookie.

Owns: `POST /session/login` (checks the password through `anju.services.auth`, sets the
session cookie, redirects to the app) and `POST /session/logout` (ends the user's sessions
everywhere, clears the cookie). They are mounted by `app.py` through Streamlit's `st.App`;
Streamlit pages read the cookie with `st.context.cookies`. A Streamlit script cannot set an
HttpOnly cookie itself, which is why these two routes exist. Imports Starlette and
`anju.services` only (no Streamlit script code).
"""

from __future__ import annotations

import gc
from functools import cache
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from anju import bootstrap
from anju.config import Settings
from anju.services import auth
from anju.services.context import AppContext
from anju.services.errors import AnjuError

COOKIE = "anju_session"
LOGIN_PATH = "/session/login"
LOGOUT_PATH = "/session/logout"
FAILED = "failed"  # the `login` query parameter after a refused sign-in


@cache
def _context_for(database_url: str) -> AppContext:
    ctx = bootstrap.build_context(Settings.from_env())
    # What exists now lives as long as the server: keep it out of the collector's full passes,
    # which otherwise walk it on every page run (recommendation p95 168 → 77 ms, performance.md).
    gc.collect()
    gc.freeze()
    return ctx


def context() -> AppContext:
    """The one services context of this server process (pages and routes share it)."""
    return _context_for(Settings.from_env().database_url)


def _same_origin(request: Request) -> bool:
    """Refuse cross-site form posts (login CSRF); browsers send Origin on every POST."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _back_home(request: Request, query: str = "") -> RedirectResponse:
    return RedirectResponse(f"{request.scope.get('root_path', '')}/{query}", status_code=303)


async def login(request: Request) -> Response:
    if not _same_origin(request):
        return Response(status_code=403)
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    try:
        token = auth.login(context(), username, password)
    except AnjuError:
        return _back_home(request, f"?login={FAILED}")
    response = _back_home(request)
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(auth.SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


async def logout(request: Request) -> Response:
    if not _same_origin(request):
        return Response(status_code=403)
    token = request.cookies.get(COOKIE)
    if token:
        auth.logout(context(), token)
    response = _back_home(request)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


ROUTES = [
    Route(LOGIN_PATH, login, methods=["POST"]),
    Route(LOGOUT_PATH, logout, methods=["POST"]),
]
