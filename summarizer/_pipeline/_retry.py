"""Transport retries: only what can succeed when sent again.

Retried: 429, 5xx, timeouts, dropped connections and malformed (non-JSON) response
bodies, with exponential backoff
and jitter, never sooner than the server's Retry-After, within an overall
deadline. Not retried: any other 4xx (a bad key or request stays bad).
The openai client's own retries are off, so each try here is one request.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import random
import re
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import openai
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception_type,
)

from summarizer._config import Settings
from summarizer._errors import ArticleTooLongError, TransportError, one_line

T = TypeVar("T")


@dataclass
class Deadline:
    """One call's time budget: `at` (a time.monotonic() value) ends the whole call,
    re-asks and retries included; no single request runs past `per_request` seconds."""

    per_request: float
    at: float = math.inf

    def start(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def request_limit(self) -> float:
        """What the next request may take: the timeout, or less if the call ends sooner."""
        return min(self.per_request, self.remaining())


class MalformedResponseError(Exception):
    """The endpoint answered with a body that is not JSON (a cut stream, a proxy's page).

    openai 3.x lets that escape as a bare json.JSONDecodeError; the pipeline raises this
    instead, so it is retried like a dropped connection and never taken for a model answer.
    """


RETRYABLE = (
    openai.APIConnectionError,  # includes APITimeoutError
    openai.RateLimitError,
    openai.InternalServerError,
    MalformedResponseError,
)
# What a send ends with when retrying cannot help (or is not allowed): a TransportError.
FAILURES = (*RETRYABLE, openai.APIStatusError)


def retry_after_seconds(exc: BaseException | None) -> float | None:
    """The server's Retry-After (seconds or HTTP date), if it sent one."""
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None  # neither seconds nor a date: ignored, as if not sent
        seconds = parsed.timestamp() - time.time()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def public_url(url: str) -> str:
    """`url` without what may be secret (user:password@, a query string such as ?api-key=)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address goes back in brackets
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def describe(exc: BaseException) -> str:
    """A one-line description of a transport failure, without request details or keys."""
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "connection failed"
    if isinstance(exc, MalformedResponseError):
        return "sent a malformed response"
    return type(exc).__name__


class Gate:
    """One shared pause before new requests: a 429 with Retry-After from any request
    closes it for that long, so workers sharing an endpoint wait instead of hammering it.

    Time only moves it forward (a shorter Retry-After never reopens it early). Sync and
    async senders both consult it before each request; `delay()` is what is left to wait.
    """

    def __init__(self) -> None:
        self._open_at = 0.0

    def pause(self, seconds: float) -> None:
        self._open_at = max(self._open_at, time.monotonic() + seconds)

    def delay(self) -> float:
        return max(0.0, self._open_at - time.monotonic())

    def check(self, deadline_at: float) -> float:
        """Seconds to wait before the next request; a TransportError if that ends past
        the deadline (waiting would only end in a timeout)."""
        wait = self.delay()
        if wait > 0 and time.monotonic() + wait >= deadline_at:
            raise TransportError(
                f"the model endpoint asked to wait {wait:.1f}s (HTTP 429), past the call's "
                "deadline: rate limited; try again later",
                status=429,
            )
        return wait


@dataclass
class _Tries:
    """What one `send` counts and reports, shared by the sync and async drivers."""

    on_request: Callable[[], None]
    gate: Gate | None
    made: int = 0

    def start(self) -> None:
        self.made += 1
        self.on_request()

    def failed(self, exc: BaseException) -> None:
        if self.gate is not None and isinstance(exc, openai.RateLimitError):
            self.gate.pause(retry_after_seconds(exc) or 0.0)


def _policy(
    settings: Settings,
    end: float,
    on_retry: Callable[[str, float], None],
) -> dict[str, Any]:
    """The retry policy as tenacity keyword arguments, the same for Retrying and AsyncRetrying."""

    def backoff(state: RetryCallState) -> float:
        # base * 2^(n-1) plus up to `base` of jitter, capped. (Written out: tenacity's
        # wait_exponential_jitter renamed `initial` within 9.x and warns on the old name.)
        exp = settings.retry_wait_base * 2.0 ** min(state.attempt_number - 1, 60)
        jitter = random.uniform(0.0, settings.retry_wait_base)
        return min(exp + jitter, settings.retry_wait_max)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        return max(backoff(state), retry_after_seconds(exc) or 0.0)

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        on_retry(describe(exc) if exc else "failed", delay)

    def stop(state: RetryCallState) -> bool:
        # Out of tries, or the next sleep would end past the deadline (so is not started).
        if state.attempt_number > settings.max_retries:
            return True
        return time.monotonic() + (state.upcoming_sleep or 0.0) >= end

    return {
        "retry": retry_if_exception_type(RETRYABLE),
        "stop": stop,
        "wait": wait,
        "before_sleep": before_sleep,
        "reraise": True,
    }


def send(
    request: Callable[[], T],
    settings: Settings,
    *,
    on_request: Callable[[], None],
    on_retry: Callable[[str, float], None],
    deadline_at: float | None = None,
    gate: Gate | None = None,
) -> T:
    """Call `request` until it succeeds, fails for good, or the budget runs out.

    `deadline_at` (a time.monotonic() value) is when retrying stops for the whole call,
    re-asks included; by default it is `settings.deadline` seconds from now. A `gate`
    shared with other senders is waited on before each request, and paused by a 429.
    """
    end = time.monotonic() + settings.deadline if deadline_at is None else deadline_at
    tries = _Tries(on_request, gate)
    try:
        for attempt in Retrying(**_policy(settings, end, on_retry)):
            with attempt:
                if gate is not None:
                    time.sleep(gate.check(end))
                tries.start()
                try:
                    return request()
                except Exception as exc:
                    tries.failed(exc)
                    raise
    except FAILURES as exc:
        raise _failure(exc, tries.made) from None
    raise AssertionError("unreachable: tenacity either returns or raises")


async def asend(
    request: Callable[[], Awaitable[T]],
    settings: Settings,
    *,
    on_request: Callable[[], None],
    on_retry: Callable[[str, float], None],
    deadline_at: float | None = None,
    gate: Gate | None = None,
) -> T:
    """`send` for a coroutine: the same policy, budget and errors, waiting without blocking."""
    end = time.monotonic() + settings.deadline if deadline_at is None else deadline_at
    tries = _Tries(on_request, gate)
    try:
        async for attempt in AsyncRetrying(**_policy(settings, end, on_retry)):
            with attempt:
                if gate is not None:
                    # Re-checked after the sleep: another request may have paused it again.
                    while (wait := gate.check(end)) > 0:
                        await asyncio.sleep(wait)
                tries.start()
                try:
                    return await request()
                except Exception as exc:
                    tries.failed(exc)
                    raise
    except FAILURES as exc:
        raise _failure(exc, tries.made) from None
    raise AssertionError("unreachable: tenacity either returns or raises")


# How servers say a request does not fit the model's context: OpenAI and vLLM
# ("context_length_exceeded", "maximum context length"), llama-server
# ("exceed_context_size_error", "exceeds the available context size").
_TOO_LONG = re.compile(
    r"context_length_exceeded|maximum context length|exceed_context_size|"
    r"exceeds the available context size",
    re.I,
)


def _too_long(exc: openai.APIStatusError) -> ArticleTooLongError | None:
    """The article's error if the server refused the request as longer than its context."""
    if exc.status_code not in (400, 413):
        return None
    try:
        body = exc.response.text
    except Exception:  # a body that cannot be read says nothing
        return None
    if not _TOO_LONG.search(body):
        return None
    said = exc.body.get("message") if isinstance(exc.body, dict) else None
    detail = f" (it says: {one_line(said[:200])})" if isinstance(said, str) and said else ""
    return ArticleTooLongError(
        "article is too long for this model: the endpoint refused it as longer than its "
        f"context{detail}; split it, or use a model with a larger context"
    )


def _failure(exc: BaseException, made: int) -> TransportError | ArticleTooLongError:
    """The error a failed send ends with: one line, what to check next. A request the
    server refuses as too long is the article's fault (exit 2), not the transport's."""
    if isinstance(exc, openai.APIStatusError) and (too_long := _too_long(exc)) is not None:
        return too_long
    if isinstance(exc, openai.APIStatusError):
        return TransportError(
            f"the model endpoint answered HTTP {exc.status_code} after {made} request(s)"
            + _hint(exc.status_code),
            requests=made,
            status=exc.status_code,
        )
    if isinstance(exc, MalformedResponseError):
        return TransportError(
            f"the model endpoint sent a malformed (non-JSON) response after {made} "
            "request(s): check that the base URL is an OpenAI-compatible API",
            requests=made,
        )
    return TransportError(
        f"the model endpoint {describe(exc)} after {made} request(s): "
        "check that it is running and reachable, or raise --timeout",
        requests=made,
    )


def _hint(status: int) -> str:
    if status in (401, 403):
        return ": check OPENAI_API_KEY (or the api_key option) for this endpoint"
    if status == 404:
        return ": check the model name (-m) and the base URL (--base-url)"
    if status == 429:
        return ": rate limited; try again later"
    if status >= 500:
        return ": the server kept failing; try again later"
    return ""
