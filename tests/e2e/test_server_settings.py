"""The served app answers only for allowed host names (`ANJU_ALLOWED_HOSTS`): every HTTP
route and the WebSocket handshake of a real `streamlit run app.py` refuse other Host headers."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e


def status(server: Server, method: str, path: str, host: str, **headers: str) -> int:
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=True)
        connection.putheader("Host", host)
        for name, value in headers.items():
            connection.putheader(name.replace("_", "-"), value)
        connection.putheader("Content-Length", "0")
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


WEBSOCKET = {
    "Upgrade": "websocket",
    "Connection": "Upgrade",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version": "13",
}


def test_with_no_setting_only_this_machine_is_served(server: Server) -> None:
    port = urlsplit(server.url).port
    assert status(server, "GET", "/", f"127.0.0.1:{port}") == 200
    assert status(server, "GET", "/_stcore/health", f"localhost:{port}") == 200
    assert status(server, "GET", "/", "evil.example") == 400
    assert status(server, "GET", "/_stcore/health", "evil.example") == 400
    assert status(server, "POST", "/session/login", "evil.example") == 400
    assert status(server, "GET", "/_stcore/stream", "evil.example", **WEBSOCKET) == 400


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Server:
    monkeypatch.setenv("ANJU_ALLOWED_HOSTS", "anju.example.com, *.anju.example.org")
    served: Server = request.getfixturevalue("server")
    return served


def test_the_allowed_hosts_come_from_the_environment(guarded: Server) -> None:
    assert status(guarded, "GET", "/_stcore/health", "anju.example.com") == 200
    assert status(guarded, "GET", "/_stcore/health", "kefu.anju.example.org:443") == 200
    assert status(guarded, "GET", "/_stcore/health", "127.0.0.1") == 400
    assert status(guarded, "GET", "/_stcore/stream", "127.0.0.1", **WEBSOCKET) == 400
