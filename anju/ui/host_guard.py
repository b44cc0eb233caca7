"""The Host allow-list of the web server: requests for any other host name get 400.

Owns: reading `ANJU_ALLOWED_HOSTS` and the middleware `app.py` hands to `st.App`. Streamlit
1.67's own `server.allowedHosts` checks only the WebSocket; this middleware (Starlette's
TrustedHostMiddleware) checks every HTTP request and the WebSocket handshake, including the
sign-in routes, against DNS rebinding and Host-header tricks.

`ANJU_ALLOWED_HOSTS` is a comma-separated list of host names (no ports; `*.example.com`
matches subdomains; `*` allows any host). Unset or empty: this machine only
(`localhost, 127.0.0.1, ::1`), which is what `make run` needs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

ALLOWED_HOSTS_ENV = "ANJU_ALLOWED_HOSTS"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def allowed_hosts(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The host names this server answers for, from `ANJU_ALLOWED_HOSTS`."""
    given = [h.strip().lower() for h in environ.get(ALLOWED_HOSTS_ENV, "").split(",")]
    hosts = [h for h in given if h]
    for host in hosts:
        if ":" in host.strip("[]") and host.strip("[]").count(":") == 1:
            raise ValueError(f"{ALLOWED_HOSTS_ENV}: '{host}' has a port; list host names only")
    return hosts or list(LOCAL_HOSTS)


def middleware(environ: Mapping[str, str] = os.environ) -> list[Middleware]:
    return [
        Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(environ), www_redirect=False)
    ]
