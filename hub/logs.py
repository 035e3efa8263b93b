"""Structured logs (structlog over the standard library), JSON in production."""

from __future__ import annotations

import logging
import sys
import time
import uuid

import structlog
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.config import Settings


def configure_logging(settings: Settings) -> None:
    """Route structlog and standard logging to stderr, as JSON lines or readable text."""
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if settings.log_json or settings.environment == "production"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # Our access log below replaces uvicorn's, which would print query strings.
    logging.getLogger("uvicorn.access").disabled = True


access_log = structlog.get_logger("hub.access")


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            given: str = value.decode("latin-1")
            if len(given) <= 64 and given.isprintable():
                return given
    return uuid.uuid4().hex


class AccessLog:
    """One line per request: id, method, path, status and duration; never headers or bodies.

    A plain ASGI middleware, so that it sees everything: the answers of the middlewares inside
    it, an error that escapes every handler (logged with status 500 before the server answers
    it), and a client that leaves mid-upload (one line, no traceback).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status: int | None = None
        header = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)

        fields = {"request_id": request_id, "method": scope["method"], "path": scope["path"]}
        try:
            await self.app(scope, receive, send_with_id)
        except ClientDisconnect:
            access_log.info("client_disconnected", **fields, duration_ms=_ms(started))
            return
        except Exception:
            access_log.error("request", **fields, status=status or 500, duration_ms=_ms(started))
            raise
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
        access_log.info("request", **fields, status=status, duration_ms=_ms(started))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
