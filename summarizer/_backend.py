"""Backends, one code path: every backend is an OpenAI-compatible endpoint.

`openai` is any such endpoint the user configures; `local` is the embedded
model, served by a llama-server this process starts on loopback. Either way
the rest of the pipeline sees the same `openai` client wrapped by `instructor`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import instructor
import openai

from ._config import Settings
from ._errors import BackendUnavailableError

# Local servers and many self-hosted endpoints take no key, but the client needs one.
NO_KEY = "no-key"


@dataclass(frozen=True)
class Connection:
    backend: str
    client: openai.OpenAI
    instructor: instructor.Instructor


def connect(
    settings: Settings,
    *,
    client: openai.OpenAI | None = None,
    progress: Callable[[str], None] | None = None,
) -> Connection:
    """An instructor-wrapped client for the configured backend."""
    if client is not None:
        # Whatever the caller configured, retries are ours to count.
        raw = client.with_options(max_retries=0, timeout=settings.timeout)
        backend = "client"
    elif settings.backend == "local":
        from ._background import find
        from ._local_server import shared_server

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
        raw = openai.OpenAI(
            base_url=base_url, api_key=NO_KEY, max_retries=0, timeout=settings.timeout
        )
        backend = "local"
    else:
        if not settings.api_key and not settings.base_url:
            raise BackendUnavailableError(
                "the openai backend needs OPENAI_API_KEY (or the api_key option), or "
                "OPENAI_BASE_URL (or --base-url) for another OpenAI-compatible endpoint"
            )
        raw = openai.OpenAI(
            base_url=settings.base_url,
            api_key=settings.api_key or NO_KEY,
            max_retries=0,
            timeout=settings.timeout,
        )
        backend = "openai"
    # JSON_SCHEMA: the schema travels as response_format, which llama-server turns
    # into a grammar and OpenAI into structured output, not as prompt text.
    return Connection(backend, raw, instructor.from_openai(raw, mode=instructor.Mode.JSON_SCHEMA))
