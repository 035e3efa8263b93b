"""The peer of ``/healthz``: a bare Starlette app answering the hub's health JSON, no database.

Served by uvicorn in the read-load bench (``uvicorn bench.bare:app``).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import hub


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "database": "ok", "version": hub.__version__})


app = Starlette(routes=[Route("/healthz", healthz)])
