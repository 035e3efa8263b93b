"""A fault-injecting HTTP proxy on its own socket, between the sync client and a real hub.

Rules apply, in order, to the next matching requests: answer an error instead of the hub, answer
an error after the hub has processed the request (a gateway failing on the way back), or hold
the hub's answer for a while (a window to kill the client in). Every request is logged with the
moment it arrived, so tests can measure waits.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-authorization",
    "proxy-authenticate",
    "content-length",
}


@dataclass
class Rule:
    method: str
    path_prefix: str
    times: int
    status: int | None = None  # answer this instead of the hub's answer
    headers: dict[str, str] = field(default_factory=dict)
    forward: bool = False  # let the hub process the request first
    hold: float = 0.0  # seconds to wait before answering
    body: bytes | None = None  # the answer's body instead of a generic problem

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and method == self.method and path.startswith(self.path_prefix)


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    at: float  # time.monotonic() on arrival
    headers: dict[str, str]
    status: int  # what the client was answered


class FaultProxy:
    """``with FaultProxy(hub_url) as proxy:`` then point the client at ``proxy.url``."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.target_host = parts.hostname or "127.0.0.1"
        self.target_port = parts.port or 80
        self.rules: list[Rule] = []
        self.seen: list[Seen] = []
        self.holding = threading.Event()  # set while an answer is being held
        self.release = threading.Event()  # set to stop holding early
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _handle(self) -> None:
                proxy._serve(self)

            do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = _handle  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    # -- programming faults -------------------------------------------------------------------

    def fail(
        self,
        status: int,
        *,
        method: str = "PUT",
        path: str = "/v1/",
        times: int = 1,
        headers: dict[str, str] | None = None,
        after_hub: bool = False,
        body: bytes | None = None,
    ) -> None:
        """Answer ``status`` to the next ``times`` matching requests (after the hub saw them if
        ``after_hub``), with ``body`` or a generic problem."""
        with self._lock:
            self.rules.append(
                Rule(method, path, times, status, headers or {}, after_hub, body=body)
            )

    def hold(
        self, seconds: float, *, method: str = "PUT", path: str = "/v1/", times: int = 1
    ) -> None:
        """Let the hub process the next matching requests, then sit on its answer."""
        with self._lock:
            self.rules.append(Rule(method, path, times, forward=True, hold=seconds))

    def requests(self, method: str | None = None, path: str = "") -> list[Seen]:
        with self._lock:
            return [
                s
                for s in self.seen
                if (method is None or s.method == method) and s.path.startswith(path)
            ]

    # -- serving ------------------------------------------------------------------------------

    def _rule_for(self, method: str, path: str) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.matches(method, path):
                    rule.times -= 1
                    return rule
        return None

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        arrived = time.monotonic()
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        method, path = handler.command, handler.path
        rule = self._rule_for(method, path)
        status, headers, payload = 0, {}, b""
        if rule is None or rule.forward or rule.status is None:
            status, headers, payload = self._forward(handler, body)
        if rule is not None and rule.hold:
            self.holding.set()
            self.release.wait(rule.hold)
            self.holding.clear()
        if rule is not None and rule.status is not None:
            status = rule.status
            headers = {"Content-Type": "application/problem+json", **rule.headers}
            payload = rule.body or (
                b'{"type":"about:blank","title":"Panne simul\\u00e9e","status":'
                + str(status).encode()
                + b',"detail":"Panne simul\\u00e9e par le proxy de test."}'
            )
        with self._lock:
            self.seen.append(Seen(method, path, arrived, dict(handler.headers.items()), status))
        try:
            handler.send_response(status)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client is gone (killed): nothing to answer to

    def _forward(
        self, handler: BaseHTTPRequestHandler, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(self.target_host, self.target_port, timeout=60)
        try:
            headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP}
            connection.request(handler.command, handler.path, body=body or None, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            kept = {k: v for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP}
            return response.status, kept, payload
        finally:
            connection.close()
