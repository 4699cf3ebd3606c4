"""Backends, one code path: every backend is an OpenAI-compatible endpoint.

`openai` is any such endpoint the user configures (or the client a caller passes);
`local` is the embedded model, served by a llama-server on loopback. Either way the
rest of the pipeline sees the same `openai` client, whose requests are bounded from
start to last byte (see _http) except on a caller's own client, whose transport is theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import openai

from summarizer._config import Backend, Settings
from summarizer._errors import BackendUnavailableError
from summarizer._pipeline._http import bounded_client

# Local servers and many self-hosted endpoints take no key, but the client needs one.
NO_KEY = "no-key"


@dataclass(frozen=True)
class Connection:
    backend: Backend
    client: openai.OpenAI
    base_url: str


def connect(
    settings: Settings,
    *,
    client: openai.OpenAI | None = None,
    progress: Callable[[str], None] | None = None,
    request_limit: Callable[[], float] | None = None,
) -> Connection:
    """A client for the configured backend; `request_limit()` bounds each request."""
    limit = request_limit or (lambda: settings.timeout)
    if client is not None:
        # Whatever the caller configured, retries are ours to count.
        raw = client.with_options(max_retries=0, timeout=settings.timeout)
        return Connection("openai", raw, str(raw.base_url))
    if settings.backend == "local":
        from summarizer._engine._background import find
        from summarizer._engine._llama_server import shared_server

        # A server left running by `summarizer server start` is used as it is.
        background = find(settings.cache_dir)
        if background is not None:
            base_url = background.base_url
        else:
            base_url = shared_server(
                binary=settings.llama_server,
                cache_dir=settings.cache_dir,
                context_size=settings.context_size,
                progress=progress,
            ).base_url
        return Connection("local", _client(base_url, NO_KEY, settings, limit), base_url)
    if not settings.api_key and not settings.base_url:
        raise BackendUnavailableError(
            "the openai backend needs OPENAI_API_KEY (or the api_key option), or "
            "OPENAI_BASE_URL (or --base-url) for another OpenAI-compatible endpoint"
        )
    raw = _client(settings.base_url, settings.api_key or NO_KEY, settings, limit)
    return Connection("openai", raw, str(raw.base_url))


def _client(
    base_url: str | None, api_key: str, settings: Settings, limit: Callable[[], float]
) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=base_url,
        api_key=api_key,
        max_retries=0,
        timeout=settings.timeout,
        http_client=bounded_client(limit, base_url),
    )
