"""What a real hub does with oversized, hostile or abandoned requests, over a real socket.

A body is capped whatever its transfer encoding, the caller is known before a report's body is
read, an address too long is answered (not dropped), and a client leaving mid-upload is one
line of the log, not a traceback.
"""

from __future__ import annotations

import os
import re
import select
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.served import RunningHub, plain_session, register_member, start_hub

MB = 2**20


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    with start_hub(tmp_path_factory.mktemp("limites")) as running:
        yield running


@pytest.fixture(scope="module")
def member_token(hub: RunningHub) -> str:
    with plain_session() as http:
        return register_member(
            hub,
            http,
            admin_token=hub.admin_token(),
            siren="732829320",
            name="CAE des limites",
            label="essais",
        )


def rss_mb(pid: int) -> float:
    """Resident memory of the server process (and its children), in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    assert found
    return int(found.group(1)) / 1024


def chunked_put(base_url: str, path: str, *, total: int, headers: dict[str, str]) -> bytes:
    """PUT ``total`` bytes in chunks (no Content-Length), stopping as soon as the server
    answers; returns what it answered."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=60) as sock:
        head = f"PUT {path} HTTP/1.1\r\nHost: {address.netloc}\r\nTransfer-Encoding: chunked\r\n"
        head += "Content-Type: application/json\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        sock.sendall(head.encode())
        chunk = b"[" + b" " * (MB - 2) + b"]"
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        sent = 0
        try:
            while sent < total:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server answered already
                sock.sendall(frame)
                sent += len(chunk)
            else:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except ConnectionResetError:
            pass
        return answer


def status_of(answer: bytes) -> int:
    found = re.match(rb"HTTP/1\.1 (\d{3})", answer)
    assert found, answer[:200]
    return int(found.group(1))


REPORT = "/v1/indicators/reports/2025-S2"


def test_an_anonymous_chunked_upload_is_refused_before_it_is_read(hub: RunningHub) -> None:
    before = rss_mb(hub.process.pid)
    answer = chunked_put(hub.base_url, REPORT, total=200 * MB, headers={})
    assert status_of(answer) == 401
    assert rss_mb(hub.process.pid) < before + 50


def test_an_unknown_token_is_refused_before_the_body_is_read(hub: RunningHub) -> None:
    before = rss_mb(hub.process.pid)
    answer = chunked_put(
        hub.base_url, REPORT, total=200 * MB, headers={"Authorization": "Bearer caeh_inconnu"}
    )
    assert status_of(answer) == 401
    assert rss_mb(hub.process.pid) < before + 50


def test_a_chunked_report_over_the_cap_is_refused_with_413(
    hub: RunningHub, member_token: str
) -> None:
    before = rss_mb(hub.process.pid)
    answer = chunked_put(
        hub.base_url, REPORT, total=300 * MB, headers={"Authorization": f"Bearer {member_token}"}
    )
    assert status_of(answer) == 413
    assert b"application/problem+json" in answer
    # At most the 20 MB cap was held, not the 300 MB sent.
    assert rss_mb(hub.process.pid) < before + 120


def test_a_declared_length_over_the_cap_is_413_not_400(hub: RunningHub, member_token: str) -> None:
    with plain_session() as http:
        response = http.put(
            f"{hub.base_url}{REPORT}",
            headers={
                "Authorization": f"Bearer {member_token}",
                "Content-Type": "application/json",
            },
            data=b"{" + b" " * (21 * MB) + b"}",
            timeout=60,
        )
    assert response.status_code == 413, response.text
    assert response.json()["errors"][0]["path"] == "$"


def test_a_utf16_report_is_refused(hub: RunningHub, member_token: str) -> None:
    body = '{"period": "2025-S2", "cells": []}'.encode("utf-16")
    with plain_session() as http:
        response = http.put(
            f"{hub.base_url}{REPORT}",
            headers={
                "Authorization": f"Bearer {member_token}",
                "Content-Type": "application/json",
            },
            data=body,
            timeout=30,
        )
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [{"path": "$", "message": "encodage UTF-8 attendu"}]


@pytest.mark.parametrize(("size", "status"), [(60_000, 414), (MB, 400)])
def test_a_long_query_string_is_answered_not_dropped(
    hub: RunningHub, size: int, status: int
) -> None:
    """Past 8 KB the hub refuses the address (414); past the HTTP parser's own limit the
    server answers before the hub sees it (400) — in French and in the same format."""
    with plain_session() as http:
        response = http.get(f"{hub.base_url}/v1/schemas?x={'a' * size}", timeout=30)
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["path"] == "query"


def test_a_client_leaving_mid_upload_is_one_log_line(hub: RunningHub, member_token: str) -> None:
    address = urlsplit(hub.base_url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(
            (
                f"PUT {REPORT} HTTP/1.1\r\nHost: {address.netloc}\r\n"
                f"Authorization: Bearer {member_token}\r\nContent-Type: application/json\r\n"
                'Content-Length: 100000\r\n\r\n{"period": '
            ).encode()
        )
        sock.recv(0)
    # The server notices on its next read; a later request proves it carried on.
    with plain_session() as http:
        for _ in range(50):
            if "client_disconnected" in hub.log.read_text(errors="replace"):
                break
            assert http.get(f"{hub.base_url}/healthz", timeout=10).status_code == 200
            os.sched_yield()
    log = hub.log.read_text(errors="replace")
    assert "client_disconnected" in log
    assert "Traceback" not in log
