"""The HTTP protocol the hub is served with: uvicorn's httptools parser, answering in our
format even when a request cannot be parsed at all.

A request line or headers past the parser's limit (about 80 KB), or bytes that are not HTTP,
never reach the application: uvicorn answers them itself, in English plain text. Here they get a
French ``application/problem+json`` 400 like every other refusal, before the connection closes.
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from cae_contract.problems import ErrorItem
from hub.errors import problem

_UNREADABLE = json.dumps(
    problem(
        400,
        "bad-request",
        "Requête invalide",
        "Requête HTTP illisible : adresse ou en-têtes trop longs (80 Ko au plus), "
        "ou requête mal formée.",
        [ErrorItem("query", "adresse et en-têtes de 80 Ko au plus")],
    ),
    ensure_ascii=False,
).encode()


class HubHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol; its 400 for an unparsable request is a problem document."""

    def send_400_response(self, msg: str) -> None:
        content = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: application/problem+json\r\n",
                b"content-length: " + str(len(_UNREADABLE)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                _UNREADABLE,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()
