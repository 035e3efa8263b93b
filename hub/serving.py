"""What ``cae-hub serve`` checks before handing the socket to uvicorn.

The port is tried first, so that a taken port is one French line rather than uvicorn's
English error after the start-up; several workers are refused on SQLite, which has a single
writer and whose admission gate lives in one process.
"""

from __future__ import annotations

import errno
import socket

from hub.config import Settings

# uvicorn imports this and calls it in every worker: each builds its app from the environment.
APP_FACTORY = "hub.main:create_app"
PORTS_PROBED = 20


class ServeRefused(Exception):
    """The server cannot start as asked; the message is the one French line to print."""


def _bind(host: str, port: int) -> None:
    """Bind (then release) ``host:port`` as uvicorn will, with SO_REUSEADDR."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def port_is_free(host: str, port: int) -> bool:
    try:
        _bind(host, port)
    except OSError as exc:
        if exc.errno in {errno.EADDRINUSE, errno.EACCES}:
            return False
        raise
    return True


def next_free_port(host: str, port: int) -> int | None:
    for candidate in range(port + 1, min(port + 1 + PORTS_PROBED, 65536)):
        if port_is_free(host, candidate):
            return candidate
    return None


def check_port(host: str, port: int) -> None:
    """ServeRefused, in French, when nothing could listen on ``host:port``."""
    try:
        free = port_is_free(host, port)
    except socket.gaierror as exc:
        raise ServeRefused(f"adresse d'écoute « {host} » inconnue ; vérifiez HUB_HOST") from exc
    except OSError as exc:
        raise ServeRefused(
            f"impossible d'écouter sur {host}:{port} ({exc.strerror}) ; vérifiez HUB_HOST"
        ) from exc
    if free:
        return
    other = next_free_port(host, port) or port + 1
    raise ServeRefused(
        f"le port {port} est déjà pris sur {host} (un autre hub tourne peut-être) : "
        f"choisissez-en un autre, par exemple « HUB_PORT={other} make run » ou "
        f"« cae-hub serve --port {other} »"
    )


def check_workers(settings: Settings, workers: int) -> None:
    if workers > 1 and settings.is_sqlite:
        raise ServeRefused(
            f"--workers {workers} refusé sur SQLite : SQLite n'a qu'un écrivain et la file "
            "d'admission du hub vit dans un seul processus ; servez SQLite avec un seul "
            "processus, ou passez à PostgreSQL (HUB_DATABASE_URL=postgresql+psycopg://…)"
        )
