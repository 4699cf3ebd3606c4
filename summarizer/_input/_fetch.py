"""Fetching one web page for its article: bounded in time, redirects and size, refused
unless it is HTML or text, every failure one line with its exit code.

httpx's timeouts bound each network operation, not the fetch: a body that trickles in a
byte at a time never trips them. As in the model client (`_pipeline/_http.py`), a timer
shuts the sockets of the fetch when its total time is up, which wakes a blocked read at
once. That client's transport reads whole bodies with no size cap, so it is not reused.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import socket
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx2

from summarizer._errors import PageRefusedError, PageUnreachableError, one_line
from summarizer._net import proxy_for

__all__ = ["MAX_PAGE_BYTES", "MAX_REDIRECTS", "USER_AGENT", "Fetched", "display_url", "fetch"]

MAX_PAGE_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
FETCH_TIMEOUT = 30.0
CONNECT_TIMEOUT = 10.0
_TYPES = frozenset({"text/html", "text/plain", "application/xhtml+xml"})
_RETRY_LATER = frozenset({408, 429})


def _version() -> str:
    try:
        return importlib.metadata.version("summarizer")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree
        return "dev"


USER_AGENT = f"summarizer/{_version()} (news article brief tool)"
_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8",
}


@dataclass(frozen=True)
class Fetched:
    """A page's bytes as served. `url` is where it was read from after redirects;
    `media_type` is None when the server did not say."""

    url: str
    body: bytes
    media_type: str | None
    charset: str | None


def display_url(url: str) -> str:
    """`url` fit for a message: no user name, password, query or fragment (they may hold
    credentials or tokens)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    with contextlib.suppress(ValueError):
        if parts.port is not None:
            host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def fetch(
    url: str,
    *,
    timeout: float = FETCH_TIMEOUT,
    connect_timeout: float = CONNECT_TIMEOUT,
    max_bytes: int = MAX_PAGE_BYTES,
) -> Fetched:
    """GET `url` and its redirects within `timeout` seconds in all.

    Raises PageUnreachableError (exit 3) when the server cannot be reached, is too slow,
    fails (5xx, 408, 429) or redirects more than MAX_REDIRECTS times; PageRefusedError
    (exit 2) for 404/410 and other 4xx, a type other than HTML or text, or a body over
    `max_bytes` (refused, never truncated).
    """
    shown = display_url(url)
    current = url
    with _Deadline(timeout) as deadline:
        for _ in range(MAX_REDIRECTS + 1):
            scheme = urllib.parse.urlsplit(current).scheme.lower()
            if scheme not in ("http", "https"):
                raise PageRefusedError(
                    one_line(f"{shown} redirects to a {scheme or 'relative'}: address; "
                             "only http(s) pages can be read"),
                    url=shown,
                )  # fmt: skip
            try:
                fetched = _get(current, deadline, connect_timeout, max_bytes, shown)
            except (httpx2.TransportError, httpx2.InvalidURL) as exc:
                if deadline.expired.is_set() or isinstance(exc, httpx2.TimeoutException):
                    raise _unreachable(
                        shown, f"no complete answer within {timeout:g}s; try again later"
                    ) from None
                raise _unreachable(
                    shown, f"cannot be reached ({type(exc).__name__}); check the address"
                ) from None
            if isinstance(fetched, Fetched):
                return fetched
            current = fetched
    raise _unreachable(shown, f"redirects more than {MAX_REDIRECTS} times; open it in a browser")


def _get(
    url: str, deadline: _Deadline, connect_timeout: float, max_bytes: int, shown: str
) -> Fetched | str:
    """The page at `url`, or the address it redirects to."""
    timeouts = httpx2.Timeout(deadline.limit, connect=min(connect_timeout, deadline.limit))
    with (
        httpx2.Client(
            proxy=proxy_for(url), trust_env=False, timeout=timeouts, headers=_HEADERS
        ) as client,
        client.stream("GET", url, extensions={"trace": deadline.trace}) as response,
    ):
        if response.has_redirect_location:
            return urllib.parse.urljoin(url, response.headers["location"])
        _check_status(response.status_code, shown)
        media_type, charset = _content_type(response.headers.get("content-type"))
        if media_type is not None and media_type not in _TYPES:
            raise PageRefusedError(
                one_line(f"{shown} is {media_type}, not a web page or text; download it and "
                         "give its text as a file"),
                url=shown,
                status=response.status_code,
            )  # fmt: skip
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > max_bytes:
            raise _too_big(shown, max_bytes, response.status_code)
        body = bytearray()
        for chunk in response.iter_bytes():  # decoded: a small gzip cannot hide a huge page
            body += chunk
            if len(body) > max_bytes:
                raise _too_big(shown, max_bytes, response.status_code)
        if deadline.expired.is_set():
            raise httpx2.ReadTimeout("time is up")
        return Fetched(str(response.url), bytes(body), media_type, charset)


def _check_status(status: int, shown: str) -> None:
    if status < 400:
        return
    if status >= 500 or status in _RETRY_LATER:
        raise _unreachable(shown, f"the server answered HTTP {status}; try again later", status)
    if status in (404, 410):
        advice = "no such page (HTTP {}); check the address"
    else:
        advice = "the server refused the page (HTTP {}); save it from a browser and give the file"
    raise PageRefusedError(one_line(f"{shown}: {advice.format(status)}"), url=shown, status=status)


def _content_type(header: str | None) -> tuple[str | None, str | None]:
    if not header:
        return None, None
    media_type, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return media_type.strip().lower() or None, charset


def _too_big(shown: str, max_bytes: int, status: int) -> PageRefusedError:
    return PageRefusedError(
        one_line(f"{shown} is larger than {max_bytes // (1024 * 1024)} MB, more than one "
                 "article; save the article's text and give that"),
        url=shown,
        status=status,
    )  # fmt: skip


def _unreachable(shown: str, problem: str, status: int | None = None) -> PageUnreachableError:
    return PageUnreachableError(one_line(f"{shown}: {problem}"), url=shown, status=status)


# Trace events whose return value is the request's network stream: a new TCP
# connection, then (for https) the TLS stream wrapped around it.
_STREAM_EVENTS = ("connection.connect_tcp.complete", "connection.start_tls.complete")


class _Deadline:
    """Shuts every socket the fetch opened once `limit` seconds have passed."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.expired = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(limit, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._timer.cancel()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event in _STREAM_EVENTS:
            sock = info["return_value"].get_extra_info("socket")
            if isinstance(sock, socket.socket):
                with self._lock:
                    self._sockets.append(sock)
                    if self.expired.is_set():
                        _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired.set()
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
