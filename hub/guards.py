"""Input the hub refuses before any endpoint runs, as a plain ASGI middleware.

- a NUL character in the address or a header (no database stores it);
- an address longer than :data:`MAX_TARGET_BYTES` (414);
- a body over its cap, whatever the transfer encoding: ``Content-Length`` over the cap is
  refused before anything is read, and a chunked body is counted as it arrives and refused
  the moment it passes the cap (413), so an unbounded upload never sits in memory;
- a write to the API without any ``Authorization`` header (401), before its body is read;
- a body sent to the API that is not declared JSON (415);
- a JSON body that is not UTF-8 (UTF-16 and UTF-32 included, which a JSON parser would
  otherwise guess) or holds text no database can store (422, naming ``$`` or the field).

Report and catalogue uploads (:data:`STREAMED`) reach their endpoint as a stream, under the
report cap: the endpoint authenticates the caller first and reads the body after. Every other
body is small (``max_body_bytes``) and is read here whole, checked, and handed on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import ClientDisconnect
from starlette.routing import Match, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cae_contract.problems import ErrorItem
from hub.config import Settings
from hub.errors import (
    BadRequest,
    HubError,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
    problem_response,
)

MAX_TARGET_BYTES = 8 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STREAMED = (
    ("PUT", re.compile(r"^/v1/indicators/reports/[^/]+$")),
    ("PUT", re.compile(r"^/v1/trainings/catalogue$")),
    ("POST", re.compile(r"^/v1/delegations/mandates/[^/]+/payloads$")),
)
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # \uD800-\uDFFF, paired or not


class UriTooLong(HubError):
    status_code = 414
    slug = "uri-too-long"
    title = "Adresse trop longue"


def _has_nul(text: str) -> bool:
    return "\x00" in text


def _has_lone_surrogate(text: str) -> bool:
    """A half of a surrogate pair left alone: no UTF-8 text, hence no database, can hold it."""
    return any("\ud800" <= char <= "\udfff" for char in text)


def bad_text_path(node: Any, path: str = "$", bad: Callable[[str], bool] = _has_nul) -> str | None:
    """The JSON path of the first key or string ``bad`` refuses (by default: a NUL character)."""
    if isinstance(node, str):
        return path if bad(node) else None
    if isinstance(node, dict):
        for key, value in node.items():
            found = (bad(key) and f"{path}.{key!r}") or bad_text_path(value, f"{path}.{key}", bad)
            if found:
                return found
    if isinstance(node, list):
        for index, value in enumerate(node):
            found = bad_text_path(value, f"{path}[{index}]", bad)
            if found:
                return found
    return None


_UNSTORABLE_TEXT = [
    (
        _has_lone_surrogate,
        "Un texte contient un caractère Unicode invalide.",
        "moitié de paire de substitution (\\uD800 à \\uDFFF) isolée interdite",
    ),
    (_has_nul, "Un texte contient un caractère nul.", "caractère nul (\\u0000) interdit"),
]


def unstorable_text(document: Any) -> ValidationFailed | None:
    """The refusal of a parsed JSON document holding text no database stores, if any."""
    for bad, detail, message in _UNSTORABLE_TEXT:
        where = bad_text_path(document, bad=bad)
        if where:
            return ValidationFailed(detail, errors=[ErrorItem(where, message)])
    return None


def not_utf8() -> ValidationFailed:
    return ValidationFailed(
        "Le corps de la requête doit être un document JSON encodé en UTF-8.",
        errors=[ErrorItem("$", "encodage UTF-8 attendu")],
    )


def too_large(cap: int) -> PayloadTooLarge:
    size = f"{cap // 2**20} Mo" if cap >= 2**20 else f"{cap // 1024} Ko"
    return PayloadTooLarge(
        f"Corps de requête trop volumineux (au plus {size}).",
        errors=[ErrorItem("$", f"au plus {cap} octets")],
    )


def _nul_fields(scope: Scope) -> list[ErrorItem]:
    """Where the address holds a NUL character: ``query.<name>``, ``path.<name>`` or ``path``."""
    message = "caractère nul (%00) interdit"
    query = scope.get("query_string", b"").decode("latin-1")
    items = [
        ErrorItem(f"query.{name.replace(chr(0), '%00')}", message)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if "\x00" in name + value
    ]
    path = scope.get("path", "")
    if "\x00" in path:
        where = "path"
        for template in scope["app"].openapi().get("paths", {}):
            matched = compile_path(template)[0].match(path)
            if matched:
                params = matched.groupdict().items()
                where = next((f"path.{k}" for k, v in params if "\x00" in v), where)
                break
        items.append(ErrorItem(where, message))
    return items or [ErrorItem("path", message)]


def _refusal_of_target(scope: Scope) -> HubError | None:
    raw_target = scope.get("raw_path", b"") + b"?" + scope.get("query_string", b"")
    if len(raw_target) > MAX_TARGET_BYTES:
        return UriTooLong(
            f"L'adresse de la requête est trop longue (au plus {MAX_TARGET_BYTES} octets).",
            errors=[ErrorItem("query", f"au plus {MAX_TARGET_BYTES} octets")],
        )
    if b"%00" in raw_target.lower() or b"\x00" in raw_target:
        return BadRequest("L'adresse contient un caractère nul (%00).", errors=_nul_fields(scope))
    for name, value in scope.get("headers", []):
        if b"\x00" in value:
            header = name.decode("latin-1").lower()
            return BadRequest(
                f"L'en-tête {header} contient un caractère nul.",
                errors=[ErrorItem(f"header.{header}", "caractère nul interdit")],
            )
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _has_body(scope: Scope) -> bool:
    length = _header(scope, b"content-length")
    if length is not None:
        return length.strip() not in {"", "0"}
    return _header(scope, b"transfer-encoding") is not None


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _declared_charset_is_not_utf8(content_type: str | None) -> bool:
    for parameter in (content_type or "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower() not in {"utf-8", "utf8"}
    return False


def check_json_bytes(body: bytes) -> HubError | None:
    """Refuse a JSON body that is not UTF-8 or holds text no database stores."""
    # NUL bytes never occur in UTF-8 JSON (control characters must be escaped): their presence
    # means UTF-16 or UTF-32, which ``json.loads`` would otherwise decode silently.
    if b"\x00" in body or body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return not_utf8()
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return not_utf8()
    if b"\\u0000" in body or _SURROGATE_ESCAPE.search(body):
        try:
            return unstorable_text(json.loads(body))
        except (ValueError, RecursionError):  # not JSON, or nested too deep: FastAPI answers
            return None
    return None


def capped(receive: Receive, cap: int) -> Receive:
    """``receive`` that raises :class:`PayloadTooLarge` once more than ``cap`` bytes came in."""
    seen = 0

    async def receive_capped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > cap:
                raise too_large(cap)
        return message

    return receive_capped


def _routed(scope: Scope) -> bool:
    """Whether a route takes this method at this path (else the router answers 404 or 405)."""
    return any(route.matches(scope)[0] == Match.FULL for route in scope["app"].routes)


class InputGuard:
    """The ASGI middleware applying the refusals of this module."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.report_cap = settings.max_report_bytes
        self.body_cap = settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = _refusal_of_target(scope)
        method, path = scope["method"], scope.get("path", "")
        streamed = any(method == m and pattern.match(path) for m, pattern in STREAMED)
        cap = self.report_cap if streamed else self.body_cap
        length = _header(scope, b"content-length")
        content_type = _header(scope, b"content-type")
        if refusal is None and length and length.isdigit() and int(length) > cap:
            refusal = too_large(cap)
        if refusal is None and method in BODY_METHODS and _routed(scope):
            if not _header(scope, b"authorization") and path.startswith("/v1/"):
                refusal = Unauthorized(
                    "Jeton manquant : envoyez « Authorization: Bearer <jeton> »."
                )
            elif _is_json(content_type) and _declared_charset_is_not_utf8(content_type):
                refusal = not_utf8()
            elif path.startswith("/v1/") and _has_body(scope) and not _is_json(content_type):
                refusal = UnsupportedMediaType(
                    "Le corps de la requête doit être un document JSON "
                    "(Content-Type: application/json).",
                    errors=[ErrorItem("header.content-type", "application/json attendu")],
                )
        if refusal is not None:
            await problem_response(refusal)(scope, receive, send)
            return
        if method not in BODY_METHODS or streamed:
            await self.app(scope, capped(receive, cap), send)
            return
        await self._buffered(scope, receive, send, content_type=content_type)

    async def _buffered(
        self, scope: Scope, receive: Receive, send: Send, *, content_type: str | None
    ) -> None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect  # the client left: nothing to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.body_cap:
                await problem_response(too_large(self.body_cap))(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and _is_json(content_type):
            refusal = check_json_bytes(body)
            if refusal is not None:
                await problem_response(refusal)(scope, receive, send)
                return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


__all__ = [
    "MAX_TARGET_BYTES",
    "STREAMED",
    "InputGuard",
    "bad_text_path",
    "capped",
    "check_json_bytes",
    "not_utf8",
    "too_large",
    "unstorable_text",
]
