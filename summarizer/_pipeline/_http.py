"""The HTTP clients the backends use: every request bounded from its start to its last byte.

httpx's timeouts bound each network operation, not a request: a body that trickles in a
byte at a time never trips them, so `--timeout 3` could wait a minute. In the sync client
a timer shuts the request's socket when its time is up, which wakes a blocked read at
once; in the async client `asyncio.timeout` cancels the request. Either way the request
fails as a timeout (retried, or reported, like any other).

The bound is asked of the running call (`request_limit`), not fixed per client, so one
client can serve many calls, each with its own deadline, from threads or tasks.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx2

from summarizer._net import proxy_for

# Where the openai client goes when no base URL is given.
_OPENAI = "https://api.openai.com/v1"

# Trace events whose return value is the request's network stream: a new TCP
# connection, then (for https) the TLS stream wrapped around it.
_STREAM_EVENTS = ("connection.connect_tcp.complete", "connection.start_tls.complete")

Limit = Callable[[], float]

# What the current call allows its next request (see Deadline.request_limit). A context
# variable: each thread, and each asyncio task, sees the limit of the call it runs.
_CALL_LIMIT: contextvars.ContextVar[Limit | None] = contextvars.ContextVar(
    "summarizer_call_limit", default=None
)


@contextlib.contextmanager
def call_limit(limit: Limit) -> Iterator[None]:
    """Within this block, requests on this thread or task are bounded by `limit()`."""
    token = _CALL_LIMIT.set(limit)
    try:
        yield
    finally:
        _CALL_LIMIT.reset(token)


def request_limit(default: float) -> float:
    """Seconds the next request may take: the running call's limit, else `default`."""
    limit = _CALL_LIMIT.get()
    return limit() if limit is not None else default


class BoundedTransport(httpx2.BaseTransport):
    """Ends any request still running `limit()` seconds after it started.

    `limit` is asked at the start of each request, so a caller can shrink it to what
    is left of an overall deadline. Connections are not kept alive: the timer needs the
    socket of each request, which the connection trace gives only when it is opened.
    The body is read here, within the bound, so nothing after it can stall.
    """

    def __init__(self, limit: Callable[[], float], *, proxy: str | None = None) -> None:
        self._limit = limit
        self._inner = httpx2.HTTPTransport(
            limits=httpx2.Limits(max_keepalive_connections=0), retries=0, proxy=proxy
        )

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        limit = self._limit()
        if limit <= 0:
            raise httpx2.TimeoutException("no time left for this request", request=request)
        sockets: list[socket.socket] = []
        expired = threading.Event()
        lock = threading.Lock()

        def shut(sock: socket.socket) -> None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

        def trace(event: str, info: dict[str, Any]) -> None:
            if event in _STREAM_EVENTS:
                sock = info["return_value"].get_extra_info("socket")
                if isinstance(sock, socket.socket):
                    with lock:
                        sockets.append(sock)
                        if expired.is_set():
                            shut(sock)

        def expire() -> None:
            with lock:
                expired.set()
                for sock in sockets:
                    shut(sock)

        request.extensions = {**request.extensions, "trace": trace}
        timer = threading.Timer(limit, expire)
        timer.daemon = True
        started = time.monotonic()
        timer.start()
        try:
            response = self._inner.handle_request(request)
            try:
                body = b"".join(response.iter_raw())
            finally:
                response.close()
        except httpx2.TransportError as exc:
            if expired.is_set():
                raise httpx2.ReadTimeout(
                    f"request took longer than {limit:.1f}s", request=request
                ) from None
            raise exc
        finally:
            timer.cancel()
        if expired.is_set() or time.monotonic() - started > limit:
            raise httpx2.ReadTimeout(f"request took longer than {limit:.1f}s", request=request)
        return httpx2.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx2.ByteStream(body),
            extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
        )

    def close(self) -> None:
        self._inner.close()


class BoundedAsyncTransport(httpx2.AsyncBaseTransport):
    """Ends any request still running `limit()` seconds after it started, body included.

    `asyncio.timeout` cancels the request wherever it waits, so unlike the sync transport
    no socket is needed and connections may be kept alive between requests.
    """

    def __init__(self, limit: Callable[[], float], *, proxy: str | None = None) -> None:
        self._limit = limit
        # No pool limits: the caller bounds the requests in flight (`--jobs`). httpx's
        # defaults (100 connections, 20 kept alive) would reconnect all but 20 sockets
        # after each answer at 64 jobs, and queue the 101st request until it times out.
        self._inner = httpx2.AsyncHTTPTransport(
            retries=0,
            proxy=proxy,
            limits=httpx2.Limits(max_connections=None, max_keepalive_connections=None),
        )

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        limit = self._limit()
        if limit <= 0:
            raise httpx2.TimeoutException("no time left for this request", request=request)
        try:
            async with asyncio.timeout(limit):
                response = await self._inner.handle_async_request(request)
                try:
                    body = b"".join([part async for part in response.aiter_raw()])
                finally:
                    await response.aclose()
        except TimeoutError:
            raise httpx2.ReadTimeout(
                f"request took longer than {limit:.1f}s", request=request
            ) from None
        return httpx2.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx2.ByteStream(body),
            extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
        )

    async def aclose(self) -> None:
        await self._inner.aclose()


def bounded_client(limit: Callable[[], float], base_url: str | None = None) -> httpx2.Client:
    """An httpx client whose every request ends within `limit()` seconds, through the
    proxy the environment names for `base_url` (as openai's own client would)."""
    proxy = proxy_for(base_url or _OPENAI)
    return httpx2.Client(transport=BoundedTransport(limit, proxy=proxy))


def bounded_async_client(
    limit: Callable[[], float], base_url: str | None = None
) -> httpx2.AsyncClient:
    """`bounded_client` for asyncio."""
    return httpx2.AsyncClient(
        transport=BoundedAsyncTransport(limit, proxy=proxy_for(base_url or _OPENAI))
    )
