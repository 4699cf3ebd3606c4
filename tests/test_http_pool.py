"""The async HTTP client keeps every connection `--jobs` opened: none reopened per answer.

httpx keeps 20 connections alive by default: at 64 jobs the other 44 were closed after each
answer and opened again for the next request (a TCP handshake each, on both sides), and past
100 jobs a request waited for a pool slot. A real loopback server counts the connections.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from summarizer._pipeline._http import bounded_async_client

JOBS = 30  # more than httpx's 20 kept alive


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    ports: set[int]  # the client's port of each request: one a connection


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.ports.add(self.client_address[1])
        time.sleep(0.3)  # long enough for every request of a round to be in flight at once
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.ports = set()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_a_second_round_of_requests_reuses_every_connection(server: _Server) -> None:
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    ports = server.ports

    async def rounds() -> tuple[int, int]:
        async with bounded_async_client(lambda: 30.0, url) as client:
            await asyncio.gather(*(client.get(url) for _ in range(JOBS)))
            first = len(ports)
            await asyncio.gather(*(client.get(url) for _ in range(JOBS)))
            return first, len(ports)

    first, after = asyncio.run(rounds())
    assert first == JOBS
    assert after == JOBS  # no connection closed and reopened between rounds
